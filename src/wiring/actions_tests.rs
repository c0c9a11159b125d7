use super::*;
use crate::ranking::{RouteRequest, Router};
use serde_json::json;
use std::sync::{Arc, LazyLock};

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));

fn shop() -> AppStructure {
    AppStructure::from_value(&json!({
        "entities": [
            {"name": "Order", "fields": ["number", {"name": "buyer_phone", "type": "string"}, "status"]},
            {"name": "Invoice", "fields": ["number", "status"]}
        ],
        "connected": ["outlook"]
    }))
    .unwrap()
}

/// "connector.op", "save:Entity", "outside:Name", in order.
fn acts(prompt: &str, skip_to: usize) -> Vec<String> {
    let app = shop();
    let route = ROUTER.route(&RouteRequest { prompt: prompt.into(), app: app.clone(), chips: vec![] }).unwrap();
    let reading = Reading {
        catalog: ROUTER.catalog(),
        app: &app,
        route: &route,
        event: Some((0, skip_to)),
        when: vec![],
        trigger_connector: None,
    };
    read(&Text::new(prompt), &reading)
        .iter()
        .map(|a| match a {
            Act::Call { connector, op, .. } => format!("{}.{}", connector.id, op.id),
            Act::Save { entity, .. } => format!("save:{}", entity.name),
            Act::Outside { tool, .. } => format!("outside:{tool}"),
        })
        .collect()
}

#[test]
fn orders_come_out_in_the_order_they_are_given() {
    let p = "When an order ships, add it to Google Calendar and then text the buyer and post in #shipping";
    assert_eq!(acts(p, 19), ["google_calendar.create_event", "twilio.send_sms", "slack.post_message"]);
}

#[test]
fn email_goes_to_the_connected_mail_tool_and_a_dm_is_a_direct_message() {
    assert_eq!(acts("Each Friday, mail finance@shop.example the unpaid invoices", 11), ["outlook.send_email"]);
    assert_eq!(acts("When an invoice is paid, DM me in Slack", 23), ["slack.send_direct_message"]);
}

#[test]
fn writing_into_the_app_is_a_save_and_an_unknown_tool_is_outside() {
    assert_eq!(acts("When a Stripe payment succeeds, record the payment as a new Order", 31), ["save:Order"]);
    assert_eq!(acts("When an order ships, shout it out on our Mastodon account", 19), ["outside:Mastodon"]);
}

#[test]
fn a_tool_named_for_something_it_does_gets_that_action() {
    assert_eq!(acts("For each paid order, open a Linear issue", 19), ["linear.create_issue"]);
    assert_eq!(acts("When an order ships, log a row in the Google Sheet", 19), ["google_sheets.add_row"]);
}
