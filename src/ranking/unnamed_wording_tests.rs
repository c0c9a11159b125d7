//! Requests that say what they need in other words: texting written short or told by its
//! replies and codes, calls to a phone, customers who pay, shop fronts, a bare "drive",
//! reels, initials of apps, a misspelt brand, a tool named only to compare, and one left
//! behind. Written for these tests, not taken from the eval sets.

use super::unnamed_tests::{needs_nothing, offered, route, selected};

#[test]
fn texting_written_short_or_told_by_replies_and_codes_is_an_sms_tool() {
    assert_eq!(selected("txt the driver when the parcel is ready"), ["twilio"]);
    assert_eq!(selected("when a guest replies to our text, mark the booking confirmed"), ["twilio"]);
    let r = route("if someone texts JOIN to our number, add them to the volunteer list");
    assert!(r.selected_ids().contains(&"twilio"), "{:?}", r.selected_ids());
    assert_eq!(selected("send a verification code to the member's phone before they can vote"), ["twilio"]);
    needs_nothing("Let users download their notes as a .txt file");
}

#[test]
fn a_call_to_a_phone_or_a_voicemail_is_a_phone_tool() {
    assert_eq!(selected("ring my mobile if the freezer gets too warm"), ["twilio"]);
    let r = route("when a caller leaves a voicemail, transcribe it and email me");
    assert!(offered(&r, "twilio") && offered(&r, "gmail"), "{:?} {:?}", r.selected_ids(), r.asks);
    needs_nothing("Add a button to call the store's phone number");
}

#[test]
fn a_customer_who_pays_or_a_payment_processor_is_a_payment_tool() {
    assert_eq!(selected("when a member pays, add them to the paid tier"), ["stripe"]);
    assert_eq!(selected("if a payment above $500 arrives, post to Slack"), ["slack", "stripe"]);
    assert_eq!(selected("log each refund from our payment processor in a Google Sheet"), ["google_sheets", "stripe"]);
    let r = route("email people who cancel their subscription");
    assert!(offered(&r, "stripe"), "{:?} {:?}", r.selected_ids(), r.asks);
}

#[test]
fn a_storefront_is_a_commerce_platform() {
    let r = route("add new customers from our storefront to HubSpot");
    assert!(offered(&r, "shopify") && offered(&r, "hubspot"), "{:?} {:?}", r.selected_ids(), r.asks);
}

#[test]
fn drive_at_the_end_of_its_phrase_is_the_file_store_and_not_one_drive() {
    assert_eq!(selected("save each signed contract to drive"), ["google_drive"]);
    assert_eq!(selected("move the scans into the Receipts folder on drive"), ["google_drive"]);
    needs_nothing("add a hero section to drive more signups");
}

#[test]
fn a_reel_is_posted_to_a_social_account() {
    let r = route("post a reel when we publish a new product video");
    assert!(r.selected_ids().contains(&"instagram"), "{:?}", r.selected_ids());
    needs_nothing("Show a highlight reel on the home page");
}

#[test]
fn initials_and_misspelt_brands_name_their_tools() {
    assert_eq!(selected("message me on TG when the backup fails"), ["telegram"]);
    assert_eq!(selected("send the order status as a WA message"), ["whatsapp"]);
    assert_eq!(selected("share our case studies on LI"), ["linkedin"]);
    assert_eq!(selected("put the totals in goggle sheets"), ["google_sheets"]);
    assert_eq!(selected("mail the weekly report from G Suite mail"), ["gmail"]);
    needs_nothing("Add an li element for each tag");
}

#[test]
fn a_tool_named_as_what_we_build_an_alternative_to_is_not_asked_for() {
    needs_nothing("We're making a Calendly alternative for tutors");
    needs_nothing("Build an Airtable alternative with views and filters");
}

#[test]
fn an_email_campaign_is_the_newsletter_tools_and_not_one_by_one_mail() {
    assert_eq!(selected("send the spring email campaign to our audience with Mailchimp"), ["mailchimp"]);
    let r = route("add every new signup to the signups spredsheet");
    assert!(r.selected_ids().contains(&"google_sheets"), "{:?}", r.selected_ids());
}

#[test]
fn a_file_landing_in_a_folder_starts_from_a_file_store_even_beside_slack() {
    // Slack uploads files, but it cannot tell when one lands in a folder.
    assert_eq!(
        selected("when a new file is uploaded to the Contracts folder, post it in Slack"),
        ["google_drive", "slack"]
    );
    let r = route("I keep saving attachments manually, do it for me from Gmail");
    assert!(offered(&r, "google_drive") && offered(&r, "gmail"), "{:?} {:?}", r.selected_ids(), r.asks);
}

#[test]
fn the_mail_tool_named_by_what_it_is_and_the_task_list_beside_gmail() {
    assert_eq!(selected("pull the contacts out of my email account into a sheet"), ["gmail", "google_sheets"]);
    assert_eq!(selected("put every starred message on my Gmail tasks"), ["google_tasks"]);
}

#[test]
fn a_tool_left_behind_or_not_needed_is_not_picked() {
    assert_eq!(selected("we used to use Asana; from now on make a Trello card for every new client"), ["trello"]);
    assert_eq!(selected("we moved off Dropbox, so save the signed forms to Google Drive"), ["google_drive"]);
    assert_eq!(selected("no need for Slack here, text me with Twilio when stock runs out"), ["twilio"]);
    assert_eq!(selected("we switched from Trello to Asana: add an Asana task for each bug"), ["asana"]);
    // Dropping a file is not dropping a tool.
    let r = route("when a file is dropped into Dropbox, post its name to Slack");
    assert!(offered(&r, "dropbox") && offered(&r, "slack"), "{:?} {:?}", r.selected_ids(), r.asks);
}
