//! More requests that leave a tool unnamed — payments, shops, sheets, bases, documents,
//! chat, code, analytics, HR, the books, bookings, mail to a team's address — and the app
//! features that need no tool. Written for these tests, not taken from the eval sets.

use super::Role;
use super::unnamed_tests::{needs_nothing, offered, route, selected};

#[test]
fn a_payment_that_fails_disputes_or_pays_out_is_the_processors() {
    assert_eq!(selected("If a subscription payment fails, email the account owner"), ["gmail", "stripe"]);
    assert_eq!(selected("Post to Slack whenever a customer opens a chargeback"), ["slack", "stripe"]);
    assert_eq!(selected("Text me our weekly payouts"), ["stripe", "twilio"]);
    assert_eq!(selected("Send a payment reminder to members whose card is declined"), ["stripe"]);
    // A shop's own payouts stay the shop's; a declined card is not a board's card.
    assert_eq!(selected("Send new Shopify payouts to Xero"), ["shopify", "xero"]);
    assert_eq!(selected("Move the card to Done when the Stripe charge clears"), ["stripe", "trello"]);
    needs_nothing("Users can pay and we show the payout schedule");
}

#[test]
fn orders_from_my_shop_come_from_a_commerce_platform() {
    assert_eq!(selected("Copy every shop order into Google Sheets"), ["google_sheets", "shopify"]);
    assert_eq!(selected("Email buyers who abandoned their cart through Gmail"), ["gmail", "shopify"]);
    let r = route("Alert me when a product in our store runs out of stock");
    assert!(offered(&r, "shopify"), "{:?} {:?}", r.selected_ids(), r.asks);
    needs_nothing("Let shoppers abandon their cart and return later");
}

#[test]
fn a_sheet_or_a_base_with_a_name_is_a_spreadsheet_or_a_database_tool() {
    let r = route("Add a row to the inventory sheet when Jira closes a ticket");
    assert!(offered(&r, "google_sheets"), "{:?} {:?}", r.selected_ids(), r.asks);
    needs_nothing("Add a character sheet to each player profile");
    let r = route("Email the requester via Gmail when a record in our base is approved");
    assert!(offered(&r, "airtable"), "{:?}", r.asks);
    needs_nothing("Add a knowledge base for our customers");
}

#[test]
fn a_document_made_from_a_template_lives_in_a_docs_tool() {
    let r = route("Create a document from the onboarding template for each new Asana project");
    assert!(offered(&r, "google_docs") && offered(&r, "notion"), "{:?}", r.asks);
    needs_nothing("Let users create a document from a template in the editor");
}

#[test]
fn a_chat_app_or_a_message_to_a_team_is_a_chat_tool() {
    assert_eq!(selected("Send errors to a chat app"), ["slack"]);
    assert_eq!(selected("Send a short reminder to the team every morning"), ["slack"]);
    needs_nothing("Add a chat app inside the product");
}

#[test]
fn issues_builds_and_releases_are_a_code_hosts() {
    let r = route("Open an issue for each bug a customer reports");
    assert!(offered(&r, "github") || offered(&r, "jira"), "{:?} {:?}", r.selected_ids(), r.asks);
    assert_eq!(selected("Email me when the nightly build fails"), ["github", "gmail"]);
    // Issues that are open are not opened.
    let r = route("Email me the open issues each morning");
    assert!(!r.selected.iter().flat_map(|s| &s.actions).any(|a| a.ends_with("create_issue")), "{:?}", r.selected);
}

#[test]
fn site_visitors_posted_to_chat_come_from_analytics() {
    assert_eq!(selected("Post the number of visitors we had this week to Slack"), ["google_analytics", "slack"]);
    needs_nothing("Show the number of visitors on the admin dashboard");
}

#[test]
fn time_off_and_new_hires_point_at_the_hr_system() {
    let r = route("Email me via Gmail when a PTO request is approved");
    assert!(offered(&r, "bamboohr"), "{:?}", r.asks);
}

#[test]
fn invoices_sent_out_or_overdue_and_bills_are_the_books() {
    let r = route("Email the invoice to the customer through Gmail once the job is finished");
    assert!(offered(&r, "quickbooks"), "{:?} {:?}", r.selected_ids(), r.asks);
    // Invoices can be the app's own records too: the books are asked about, not chosen alone.
    let r = route("Post overdue invoices to Slack every Monday");
    assert_eq!(r.selected_ids(), ["slack"]);
    assert!(offered(&r, "quickbooks"), "{:?}", r.asks);
    assert_eq!(selected("Create a bill for each receipt in QuickBooks"), ["quickbooks"]);
    assert!(selected("Let customers see their overdue invoices in the portal").is_empty());
}

#[test]
fn booking_time_with_me_is_a_scheduling_tool() {
    assert_eq!(selected("Let clients book a call with me and add them to HubSpot"), ["calendly", "hubspot"]);
    needs_nothing("Add a button to book a slot with us on the homepage");
}

#[test]
fn mail_written_to_a_teams_address_is_an_email_trigger() {
    let r = route("When someone writes to our support address, create a Trello card");
    assert_eq!(r.selected_ids().len(), 2, "{:?}", r.selected_ids());
    assert!(r.selected_ids().contains(&"gmail"));
    let gmail = r.selected.iter().find(|s| s.connector == "gmail").expect("gmail");
    assert_eq!(gmail.role, Role::Trigger, "the mail starts the flow");
    needs_nothing("Ship the package to the delivery address");
}

#[test]
fn form_leads_added_as_cards_go_to_a_board_not_a_crm() {
    assert_eq!(selected("Add Typeform leads as cards"), ["trello", "typeform"]);
    needs_nothing("Display the orders as cards on the home page");
}

#[test]
fn deals_and_the_crm_named_beside_another_tool() {
    assert_eq!(
        selected("Create a customer in Stripe and a contact in our CRM for every signup"),
        ["hubspot", "stripe"]
    );
    assert_eq!(selected("Post to Slack when we close a big deal"), ["hubspot", "slack"]);
    assert_eq!(selected("Create a Pipedrive deal when a Calendly booking is made"), ["calendly", "pipedrive"]);
    needs_nothing("Create a deals page where merchants can add a new deal");
}

#[test]
fn tickets_counted_or_resolved_are_a_help_desks() {
    assert_eq!(selected("Email me via Gmail how many tickets were resolved this week"), ["gmail", "zendesk"]);
}

#[test]
fn o365_events_are_outlooks() {
    assert_eq!(selected("Add my O365 events to Notion"), ["notion", "outlook"]);
}

#[test]
fn short_german_requests_and_failed_payments_in_other_languages() {
    assert_eq!(selected("Schick mir eine Mail, wenn ein neuer Kunde kommt"), ["gmail"]);
    assert_eq!(selected("Termine in Google Kalender eintragen"), ["google_calendar"]);
    assert_eq!(selected("Wenn eine Zahlung fehlschlägt, poste es in Slack"), ["slack", "stripe"]);
    assert_eq!(selected("Quand un paiement échoue, préviens-moi sur Slack"), ["slack", "stripe"]);
    assert_eq!(selected("Cuando falle un pago, avísame por Slack"), ["slack", "stripe"]);
    assert_eq!(selected("Quando um pagamento falhar, me avise no Slack"), ["slack", "stripe"]);
    assert_eq!(selected("Manda un mensaje al canal de soporte cuando llegue un pedido"), ["slack"]);
}
