//! The router's behaviour on requests written for these tests (not the eval rows).

use super::*;
use crate::app::AppStructure;
use serde_json::json;
use std::sync::LazyLock;

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));

fn route_with(prompt: &str, app: serde_json::Value, chips: &[&str]) -> RouteResult {
    let request = RouteRequest {
        prompt: prompt.into(),
        app: AppStructure::from_value(&app).expect("app"),
        chips: chips.iter().map(|c| c.to_string()).collect(),
    };
    ROUTER.route(&request).expect("route")
}

fn selected(prompt: &str) -> Vec<String> {
    route_with(prompt, json!({}), &[]).selected.into_iter().map(|s| s.connector).collect()
}

#[test]
fn a_tool_named_outright_is_selected() {
    assert_eq!(selected("Every Friday, send my invoices summary with Gmail"), ["gmail"]);
    assert_eq!(selected("Log each new order as a row in Google Sheets"), ["google_sheets"]);
    assert_eq!(selected("Open a ticket in Zendesk when a customer complains"), ["zendesk"]);
}

#[test]
fn misspelt_possessive_and_other_forms_are_recognised() {
    assert_eq!(selected("gmial me the weekly numbers"), ["gmail"]);
    assert_eq!(selected("post the release notes to slak"), ["slack"]);
    assert_eq!(selected("Use HubSpot's contacts as the customer list"), ["hubspot"]);
    assert_eq!(selected("tweet every new blog post"), ["x_twitter"]);
    assert_eq!(selected("copy new signups into a gsheet"), ["google_sheets"]);
}

#[test]
fn requests_that_need_no_outside_tool_select_nothing() {
    for prompt in [
        "make the header sticky",
        "add a due date field to tasks",
        "show a chart of orders by month",
        "Rename the Dashboard page to Overview",
        "let users upload a profile photo",
        "add a dark mode toggle",
        "sort the table by newest first",
    ] {
        assert!(selected(prompt).is_empty(), "{prompt}: {:?}", selected(prompt));
    }
}

#[test]
fn an_unnamed_need_gets_one_provider() {
    assert_eq!(selected("email me a summary of overdue tasks every morning"), ["gmail"]);
    assert_eq!(selected("text the driver when the parcel is ready"), ["twilio"]);
    assert_eq!(selected("post a note in #ops whenever a refund is issued"), ["slack"]);
}

#[test]
fn the_connected_provider_is_preferred() {
    let r = route_with("email me when a task is overdue", json!({"connected": ["outlook"]}), &[]);
    assert_eq!(r.selected_ids(), ["outlook"]);
    let r = route_with("ping the team channel when a deal is won", json!({"connected": ["microsoft_teams"]}), &[]);
    assert_eq!(r.selected_ids(), ["microsoft_teams"]);
}

#[test]
fn a_chip_that_fits_is_selected_and_one_that_does_not_is_only_ranked() {
    let r = route_with("email me every new lead", json!({}), &["outlook"]);
    assert_eq!(r.selected_ids(), ["outlook"]);
    let r = route_with("make the buttons rounder", json!({}), &["slack"]);
    assert!(r.selected.is_empty());
    assert!(r.ranked.iter().any(|x| x.connector == "slack" && x.why.iter().any(|w| w.contains("chip"))));
}

#[test]
fn two_providers_of_one_kind_only_when_both_are_named() {
    assert_eq!(selected("Send the weekly report by email"), ["gmail"]);
    let mut both = selected("Forward Outlook messages to my Gmail inbox");
    both.sort();
    assert_eq!(both, ["gmail", "outlook"]);
}

/// What one tool delivers of another's ("email me the open GitHub issues") is read from
/// the other: its role is a source, and its operation reads.
#[test]
fn a_tool_whose_records_another_delivers_is_read() {
    let roles = |prompt: &str| -> Vec<(String, Role, Vec<String>)> {
        let r = route_with(prompt, json!({}), &[]);
        r.selected.into_iter().map(|s| (s.connector, s.role, s.actions)).collect()
    };
    let sent = roles("Email me the open GitHub issues every Friday");
    assert!(sent.contains(&("github".into(), Role::Source, vec!["github.list_issues".into()])), "{sent:?}");
    let unnamed = roles("Every Friday post the closed issues of the week to #dev");
    assert!(unnamed.contains(&("github".into(), Role::Source, vec!["github.list_issues".into()])), "{unnamed:?}");
    // Made, not delivered: still an action.
    let made = roles("Create the Trello cards for each new task");
    assert_eq!(made.iter().map(|(_, role, _)| *role).collect::<Vec<_>>(), [Role::Action], "{made:?}");
}

#[test]
fn several_tools_get_their_roles() {
    let r = route_with("When a HubSpot deal closes, create an Asana project and tell #sales in Slack", json!({}), &[]);
    let roles: Vec<(&str, Role)> = r.selected.iter().map(|s| (s.connector.as_str(), s.role)).collect();
    assert_eq!(roles, [("hubspot", Role::Trigger), ("asana", Role::Action), ("slack", Role::Action)]);
    assert!(r.selected[0].actions[0].starts_with("hubspot."));
}

#[test]
fn a_weekday_is_not_monday_dot_com() {
    assert!(selected("every Monday at 9 show the overdue tasks").is_empty());
    assert_eq!(selected("Create an item on our Monday.com board for each request"), ["monday"]);
}

#[test]
fn a_word_that_is_also_a_tool_needs_context() {
    assert!(selected("put the totals in a box at the top of the page").is_empty());
    assert_eq!(selected("Upload the contracts to Box"), ["box"]);
    assert!(selected("zoom in on the chart when clicked").is_empty());
    assert_eq!(selected("create a zoom link for every session"), ["zoom"]);
    assert!(selected("use a linear scale on the y axis").is_empty());
}

#[test]
fn a_tool_name_that_describes_the_apps_own_data_selects_nothing() {
    assert!(selected("Add a field for the customer's Instagram handle").is_empty());
    assert!(selected("Put a GitHub icon in the footer").is_empty());
    assert!(selected("Rename the Slack Channel field to Channel").is_empty());
    assert!(selected("Make the Tasks list sortable by due date").is_empty());
    assert_eq!(selected("Post our new products on Instagram"), ["instagram"]);
}

#[test]
fn a_brand_word_joined_to_a_named_tool_is_a_tool() {
    assert_eq!(selected("Snowflake to Google Sheets daily export"), ["snowflake", "google_sheets"]);
    assert_eq!(selected("Monday to Friday, post a summary to Slack"), ["slack"]);
}

#[test]
fn words_qualified_by_a_named_tool_belong_to_it() {
    assert_eq!(selected("Instagram DM auto-responder with OpenAI"), ["instagram"]);
    assert_eq!(selected("Confluence docs Q&A chatbot in Slack"), ["confluence", "slack"], "'docs' is not a typo");
}

#[test]
fn a_chip_that_does_the_work_another_way_takes_the_need() {
    let r = route_with("put new leads in a spreadsheet", json!({}), &["airtable"]);
    let ids: Vec<String> = r.selected.into_iter().map(|s| s.connector).collect();
    assert_eq!(ids, ["airtable"]);
}

#[test]
fn a_tool_the_app_imitates_is_not_connected_for_that_work() {
    assert!(selected("Add a page that looks like Slack for team chat").is_empty());
    assert!(selected("Build a Trello-like board for tasks").is_empty());
}

#[test]
fn misspelt_two_word_names_are_found() {
    assert_eq!(selected("send new orders to googel sheets"), ["google_sheets"]);
}

#[test]
fn google_sub_products_in_a_title_pair_up() {
    assert_eq!(selected("Ads performance to Sheets daily"), ["google_ads", "google_sheets"]);
    assert_eq!(
        selected("Analytics and Search Console weekly SEO report"),
        ["google_analytics", "google_search_console"]
    );
    assert_eq!(selected("Connect to my Wix account and show key site analytics in a dashboard"), ["wix"]);
}

#[test]
fn other_languages_work_where_they_name_the_tool() {
    assert_eq!(selected("Envoyer un message sur Slack pour chaque nouvelle commande"), ["slack"]);
    assert_eq!(selected("Neue Bestellungen in Google Sheets eintragen"), ["google_sheets"]);
    assert_eq!(selected("Publicar no Slack quando um cliente cancelar"), ["slack"], "Portuguese 'no' is 'in the'");
    assert!(selected("Post the summary by email, no Slack").iter().all(|id| id != "slack"));
}

#[test]
fn ranked_holds_at_least_ten_candidates_with_reasons() {
    let r = route_with("send a weekly digest", json!({}), &[]);
    assert!(r.ranked.len() >= 10);
    assert!(r.ranked.iter().all(|x| !x.why.is_empty()));
}

#[test]
fn the_intent_says_when_what_and_with_which_data() {
    let app = json!({"entities": [{"name": "Task", "fields": ["title", "completed"]}]});
    let r = route_with("Send me a daily email with my to-do list using Gmail", app, &[]);
    let intent = serde_json::to_value(&r.intent).unwrap();
    assert_eq!(intent["trigger"]["kind"], "schedule");
    assert_eq!(intent["trigger"]["cron"], "0 8 * * *");
    assert_eq!(intent["actions"][0]["operation"], "gmail.send_email");
    assert_eq!(intent["data"][0]["entity"], "Task");
    assert_eq!(intent["targets"][0]["kind"], "me");
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let too_long = "a".repeat(4001);
    for (request, expected) in [
        (RouteRequest::new("   "), "empty"),
        (RouteRequest::new(too_long), "limit is 4000"),
        (
            RouteRequest { chips: vec!["gmale".into()], ..RouteRequest::new("email me") },
            "unknown connector 'gmale' in chips",
        ),
    ] {
        let err = ROUTER.route(&request).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
    let err = RouteRequest::from_json(&json!({"prompt": "x", "app": {"entities": "Task"}})).unwrap_err();
    assert!(err.to_string().contains("app.entities"), "{err}");
    let err = RouteRequest::from_json(&json!({"app": {}})).unwrap_err();
    assert!(err.to_string().contains("prompt"), "{err}");
}

#[test]
fn a_tool_outside_the_catalog_is_not_swapped_for_one_inside_it() {
    assert!(selected("Send the daily weather email via SMTP").is_empty());
    assert!(selected("Take card payments with PayPal").is_empty());
    assert_eq!(selected("Text the driver via Vonage and log it in Airtable"), ["airtable"]);
}

#[test]
fn title_case_titles_still_name_their_tools() {
    let mut got = selected("Save Gmail Attachments To Drive");
    got.sort();
    assert_eq!(got, ["gmail", "google_drive"]);
    assert_eq!(selected("Upload Contracts To Box"), ["box"]);
    assert!(selected("Drive More Traffic To The Landing Page").is_empty());
}
