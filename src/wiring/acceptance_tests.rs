//! Acceptance: the Base44 example prompts for Gmail, Slack, Google Calendar, HubSpot,
//! GitHub and Notion, routed for real and wired against the seeded Todo app and a small
//! CRM, each with the wiring a builder would accept — or the explanation when the app
//! lacks the data.

use super::*;
use crate::app::AppStructure;
use crate::catalog::Catalog;
use crate::ranking::{RouteRequest, Router};
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));
const ME: &str = "ada@example.com";

fn todo() -> AppStructure {
    crate::app::demo::todo_structure()
}

/// A small CRM: contacts and companies, leads and deals, orders, support tickets and
/// appointments.
fn crm() -> AppStructure {
    AppStructure::from_value(&json!({
        "name": "Pipeline",
        "pages": ["Contacts", "Deals", "Tickets", "Dashboard"],
        "entities": [
            {"name": "Contact", "fields": ["name", {"name": "email", "type": "email"}, "phone", "company"]},
            {"name": "Company", "fields": ["name", "domain"]},
            {"name": "Lead", "fields": ["name", {"name": "email", "type": "email"}, "company", "source"]},
            {"name": "Deal", "fields": ["title", "stage", {"name": "amount", "type": "number"},
                {"name": "owner_email", "type": "email"}, {"name": "close_date", "type": "date"}]},
            {"name": "Order", "fields": ["number", {"name": "customer_email", "type": "email"},
                {"name": "total", "type": "number"}, "status"]},
            {"name": "Ticket", "fields": ["subject", {"name": "description", "type": "text"}, "priority", "status",
                {"name": "requester_email", "type": "email"}]},
            {"name": "Appointment", "fields": ["title", {"name": "starts_at", "type": "datetime"},
                {"name": "ends_at", "type": "datetime"}, {"name": "attendee_email", "type": "email"}, "status"]}
        ]
    }))
    .expect("crm structure")
}

fn wire(prompt: &str, app: &AppStructure) -> Result<FlowDefinition, Unbuildable> {
    let route = ROUTER.route(&RouteRequest { prompt: prompt.into(), app: app.clone(), chips: vec![] }).expect("route");
    let ctx = Context {
        catalog: ROUTER.catalog(),
        app,
        time_zone: "Europe/Paris",
        requester: ME,
        request: prompt,
        message_id: Some(7),
    };
    generate(&route, &ctx)
}

#[test]
fn explore() {
    let prompts = [
        "Send me a daily email with my to-do list using Gmail.",
        "Email me a summary of all new signups from today.",
        "Send a Gmail alert when a new task is marked as high priority.",
        "Send a weekly Gmail digest with key metrics from this dashboard.",
        "Email my team from Gmail when a deal moves to the Closed Won stage.",
        "Sync all my bookings directly to my Google Calendar.",
        "Show my real-time availability from Google Calendar to clients.",
        "When an appointment is confirmed, create a calendar event and invite attendees.",
        "Block time on my calendar when a task is marked as deep work.",
        "Create a daily agenda view from my upcoming calendar events.",
        "Post a message to the #support channel when a new ticket is created.",
        "Send a daily summary of completed tasks to my team's Slack channel.",
        "Notify me in Slack when a sale is made in my app.",
        "Share important updates in the #announcements channel when a document is approved.",
        "Send alerts to a Slack channel when deadlines are approaching.",
        "Send a message as a bot to the #announcements channel when a release is published.",
        "Post a bot message to #support when a new ticket is created.",
        "Send a daily bot summary to #team-updates at 5pm.",
        "Post a bot message to the selected Slack channel when an admin clicks \"Send update\".",
        "Connect to my GitHub account and list all open pull requests for review.",
        "Show open issues from my repository in a dashboard.",
        "Create a new GitHub issue when a bug is reported in this app.",
        "Create a GitHub issue automatically when a critical incident is created.",
        "Sync a Notion database with my CRM records.",
        "Write project updates from this app into a Notion page.",
        "Create new Notion pages for every new client added in this app.",
        "Post meeting notes from the app to a specific Notion page.",
        "Sync new leads from this app into HubSpot contacts.",
        "Show HubSpot deal stages inside my project dashboard.",
        "Create HubSpot contacts when users sign up in this app.",
        "Update HubSpot deal values when orders are placed.",
        "Import HubSpot contact lists to segment users in my app.",
        "email me my invoices",
        "When a new email with the label Invoices arrives in Gmail, create a task",
        "Create a weekly report from Google Analytics and email it to me.",
    ];
    for p in prompts {
        for (name, app) in [("todo", todo()), ("crm", crm())] {
            let out = match wire(p, &app) {
                Ok(def) => {
                    let report = validate(&def, ROUTER.catalog(), Some(&app), None);
                    let mut v: Value = serde_json::from_str(&def.to_json()).unwrap();
                    v.as_object_mut().unwrap().remove("request");
                    v.as_object_mut().unwrap().remove("name");
                    v.as_object_mut().unwrap().remove("format");
                    v.as_object_mut().unwrap().remove("source_message_id");
                    format!("{v}\n   problems: {:?}", report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>())
                }
                Err(e) => format!("EXPLAIN: {e}"),
            };
            println!("## {name}: {p}\n   {out}");
        }
    }
}
