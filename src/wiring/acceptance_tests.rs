//! Acceptance: the Base44 example prompts for Gmail, Slack, Google Calendar, HubSpot,
//! GitHub and Notion, routed for real and wired against the seeded Todo app and a small
//! CRM, each with the wiring a builder would accept — or the explanation when the app
//! lacks the data.

use super::*;
use crate::app::AppStructure;
use crate::catalog::Catalog;
use crate::ranking::{RouteRequest, Router};
use serde_json::{Value, json};
use std::collections::BTreeMap;
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

const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";

/// Grants holding exactly what the flow needs, as after the approval card.
fn granted(def: &FlowDefinition) -> Grants {
    let mut grants = Grants::new();
    for (connector, scopes) in access::needed(def, ROUTER.catalog()) {
        grants.connect(&connector, scopes);
    }
    grants
}

/// The flow the prompt wires to, checked valid against the app and, with the scopes it
/// needs granted, not blocked.
fn accept(prompt: &str, app: &AppStructure) -> FlowDefinition {
    let def = wire(prompt, app).unwrap_or_else(|e| panic!("{prompt}: no flow: {e}"));
    let report = validate(&def, ROUTER.catalog(), Some(app), Some(&granted(&def)));
    assert!(report.is_valid(), "{prompt}: {:?}", report.problems.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert!(!report.is_blocked(), "{prompt}");
    assert_eq!(FlowDefinition::from_json(&def.to_json()).unwrap(), def, "{prompt}: round trip");
    let written: Value = serde_json::from_str(&def.to_json()).unwrap();
    assert_eq!(super::schema_tests::violations(&written), Vec::<String>::new(), "{prompt}: docs/flow-schema.json");
    def
}

fn explain(prompt: &str, app: &AppStructure) -> String {
    match wire(prompt, app) {
        Ok(def) => panic!("{prompt}: expected an explanation, got {}", def.to_json_pretty()),
        Err(e) => e.to_string(),
    }
}

/// "query:Task", "transform:render_list", "action:gmail.send_email", "save:Task".
fn shape(def: &FlowDefinition) -> Vec<String> {
    def.steps
        .iter()
        .map(|s| match s {
            Step::Query(q) => format!("query:{}", q.entity),
            Step::Transform(_) => "transform:render_list".into(),
            Step::Action(a) => format!("action:{}", a.operation),
            Step::Save(s) => format!("save:{}", s.entity),
        })
        .collect()
}

fn trigger(def: &FlowDefinition) -> Value {
    serde_json::to_value(&def.trigger).unwrap()
}

fn needs(def: &FlowDefinition) -> BTreeMap<String, Vec<String>> {
    access::needed(def, ROUTER.catalog()).into_iter().map(|(c, s)| (c, s.into_iter().collect())).collect()
}

fn inputs(def: &FlowDefinition, id: &str) -> Value {
    match def.step(id) {
        Some(Step::Action(a)) => serde_json::to_value(&a.inputs).unwrap(),
        other => panic!("no action step {id}: {other:?}"),
    }
}

fn query(def: &FlowDefinition) -> &QueryStep {
    def.steps.iter().find_map(|s| if let Step::Query(q) = s { Some(q) } else { None }).expect("a query step")
}

fn settings(def: &FlowDefinition) -> Vec<(&str, &str)> {
    def.settings.iter().map(|s| (s.name.as_str(), s.label.as_str())).collect()
}

// --- Gmail -----------------------------------------------------------------------------

#[test]
fn a_daily_email_with_my_to_do_list_sends_the_open_tasks_at_eight() {
    let app = todo();
    let def = accept("Send me a daily email with my to-do list using Gmail", &app);
    assert_eq!(trigger(&def), json!({"kind": "schedule", "cron": "0 8 * * *", "time_zone": "Europe/Paris"}));
    assert_eq!(shape(&def), ["query:Task", "transform:render_list", "action:gmail.send_email"]);
    let q = query(&def);
    assert_eq!(q.id, "open_tasks");
    assert_eq!(q.filter, [Condition::new("completed", Op::Eq, false)]);
    let Step::Transform(list) = &def.steps[1] else { unreachable!() };
    assert_eq!(list.from, "{{steps.open_tasks.items}}");
    assert_eq!(list.fields, ["title", "due_date"]);
    assert_eq!(
        inputs(&def, "send_email"),
        json!({"to": ME, "subject": "Open tasks", "body": "{{steps.open_tasks_list.text}}"})
    );
    assert_eq!(needs(&def), BTreeMap::from([("gmail".to_owned(), vec![GMAIL_SEND.to_owned()])]));
    assert_eq!(def.source_message_id, Some(7));
    assert_eq!(def.name, "Send me a daily email with my to-do list using Gmail");
}

#[test]
fn the_daily_email_is_blocked_until_gmail_may_send() {
    let app = todo();
    let def = accept("Send me a daily email with my to-do list using Gmail.", &app);
    let mut read_only = Grants::new();
    read_only.connect("gmail", ["openid", "email", "https://www.googleapis.com/auth/gmail.readonly"]);
    let report = validate(&def, ROUTER.catalog(), Some(&app), Some(&read_only));
    assert_eq!(report.status(), FlowStatus::Blocked);
    assert_eq!(
        report.missing,
        [MissingAccess { connector: "gmail".into(), connected: true, scopes: vec![GMAIL_SEND.into()] }]
    );
    assert!(report.status_reason().unwrap().starts_with("blocked: needs additional permissions"));
    assert!(validate(&def, ROUTER.catalog(), Some(&app), Some(&granted(&def))).can_activate());
}

#[test]
fn a_weekly_digest_covers_the_last_week_on_monday_morning() {
    let def = accept("Send a weekly Gmail digest with key metrics from this dashboard.", &todo());
    assert_eq!(trigger(&def)["cron"], "0 8 * * 1");
    assert_eq!(shape(&def), ["query:Task", "transform:render_list", "action:gmail.send_email"]);
    assert_eq!(query(&def).filter, [Condition::new("updated_at", Op::WithinLast, "P7D")]);
    assert_eq!(inputs(&def, "send_email")["to"], ME, "an email to no one named goes to the requester");
}

#[test]
fn an_alert_on_a_field_the_todo_app_lacks_asks_for_the_field() {
    let prompt = "Send a Gmail alert whenever a task is marked as high priority.";
    assert_eq!(explain(prompt, &todo()), "Task has no priority field: add it to Task, or tell me which field to use.");

    let mut with_priority = todo();
    with_priority.entities[0].fields.push(crate::app::Field { name: "priority".into(), kind: Some("text".into()) });
    let def = accept(prompt, &with_priority);
    assert_eq!(
        trigger(&def),
        json!({"kind": "entity_event", "entity": "Task", "change": "field_changed", "field": "priority", "to": "high"})
    );
    assert_eq!(shape(&def), ["action:gmail.send_email"]);
    let sent = inputs(&def, "send_email");
    assert_eq!(sent["to"], ME);
    assert_eq!(sent["subject"], "Task priority is now high: {{trigger.record.title}}");
}

#[test]
fn emailing_my_team_when_a_deal_is_won_watches_the_deal_stage() {
    let def = accept("Using Gmail, email my team when a deal moves to the Contract Signed stage.", &crm());
    assert_eq!(
        trigger(&def),
        json!({"kind": "entity_event", "entity": "Deal", "change": "field_changed", "field": "stage", "to": "Contract Signed"})
    );
    assert_eq!(shape(&def), ["action:gmail.send_email"]);
    let sent = inputs(&def, "send_email");
    assert_eq!(sent["to"], "{{app.members.emails}}");
    assert!(sent["body"].as_str().unwrap().contains("amount: {{trigger.record.amount}}"));
    assert_eq!(needs(&def)["gmail"], [GMAIL_SEND]);
}

#[test]
fn data_the_app_lacks_is_explained_not_wired() {
    assert_eq!(
        explain("email me my invoices", &todo()),
        "This app has no invoices: it has Task. Add an Invoice entity or tell me which data to send."
    );
    assert_eq!(
        explain("Email me a summary of all new signups from today.", &todo()),
        "This app has no signups: it has Task. Add a Signup entity or tell me which data to send."
    );
    assert_eq!(
        explain("Using Gmail, email my team when a deal moves to the Contract Signed stage.", &todo()),
        "This app has no deals: it has Task. Add a Deal entity or tell me which data to send."
    );
    assert!(
        explain("Create HubSpot contacts when users sign up in this app.", &crm())
            .starts_with("This app has no users: it has Contact, Company, Lead, Deal, Order, Ticket and Appointment.")
    );
}

// --- Slack -----------------------------------------------------------------------------

#[test]
fn a_new_ticket_posts_to_the_named_channel() {
    let def = accept("Post a note in the #helpdesk channel whenever a new ticket is created.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Ticket", "change": "created"}));
    assert_eq!(shape(&def), ["action:slack.post_message"]);
    assert_eq!(
        inputs(&def, "post_message"),
        json!({"channel": "#helpdesk", "text": "New ticket: {{trigger.record.subject}}"})
    );
    assert_eq!(needs(&def)["slack"], ["chat:write"]);
}

#[test]
fn a_bot_message_uses_the_bot_and_its_public_channel_scope() {
    let def = accept("Post a bot message to #support when a new ticket is created.", &crm());
    assert_eq!(shape(&def), ["action:slack_bot.post_message"]);
    assert_eq!(inputs(&def, "post_message")["channel"], "#support");
    assert_eq!(needs(&def)["slack_bot"], ["chat:write", "chat:write.public"]);
}

#[test]
fn a_daily_summary_of_completed_tasks_asks_which_channel() {
    let def = accept("Send a daily summary of completed tasks to my team's Slack channel.", &todo());
    assert_eq!(trigger(&def)["cron"], "0 8 * * *");
    assert_eq!(shape(&def), ["query:Task", "transform:render_list", "action:slack.post_message"]);
    assert_eq!(
        query(&def).filter,
        [Condition::new("completed", Op::Eq, true), Condition::new("updated_at", Op::WithinLast, "P1D")]
    );
    assert_eq!(
        inputs(&def, "post_message"),
        json!({"channel": "{{settings.channel}}", "text": "{{steps.completed_tasks_list.text}}"})
    );
    assert_eq!(settings(&def), [("channel", "Which Slack channel?")]);
}

#[test]
fn notify_me_in_slack_is_a_direct_message_to_the_requester() {
    let def = accept("Notify me in Slack when a sale is made in my app.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Order", "change": "created"}));
    assert_eq!(shape(&def), ["action:slack.send_direct_message"]);
    assert_eq!(inputs(&def, "send_direct_message")["user"], ME);
    assert_eq!(needs(&def)["slack"], ["chat:write", "im:write"]);
}

#[test]
fn approaching_deadlines_are_checked_every_morning() {
    let def = accept("Send alerts to a Slack channel when deadlines are approaching.", &todo());
    assert_eq!(trigger(&def), json!({"kind": "schedule", "cron": "0 8 * * *", "time_zone": "Europe/Paris"}));
    assert_eq!(shape(&def), ["query:Task", "transform:render_list", "action:slack.post_message"]);
    assert_eq!(
        query(&def).filter,
        [Condition::new("due_date", Op::WithinNext, "P1D"), Condition::new("completed", Op::Eq, false)]
    );
}

#[test]
fn a_daily_bot_summary_at_five_runs_at_seventeen_hundred() {
    let def = accept("Post a daily bot digest to #eng-news at 5pm.", &todo());
    assert_eq!(trigger(&def)["cron"], "0 17 * * *");
    assert_eq!(shape(&def), ["query:Task", "transform:render_list", "action:slack_bot.post_message"]);
    assert_eq!(inputs(&def, "post_message")["channel"], "#eng-news");
    assert!(explain("Post a daily bot digest to #eng-news at 5pm.", &crm()).starts_with("Say which data"));
}

#[test]
fn a_button_posts_what_the_builder_chooses() {
    let def = accept("Post a bot message to the selected Slack channel when an admin clicks \"Send update\".", &crm());
    assert_eq!(trigger(&def), json!({"kind": "button", "label": "Send update"}));
    assert_eq!(shape(&def), ["action:slack_bot.post_message"]);
    assert_eq!(inputs(&def, "post_message"), json!({"channel": "{{settings.channel}}", "text": "{{settings.text}}"}));
    assert_eq!(def.settings.len(), 2);
}

// --- Google Calendar ------------------------------------------------------------------

#[test]
fn bookings_sync_to_the_calendar_as_they_are_made() {
    let def = accept("Sync all my bookings directly to my Google Calendar.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Appointment", "change": "created"}));
    assert_eq!(shape(&def), ["action:google_calendar.create_event"]);
    let event = inputs(&def, "create_event");
    assert_eq!(event["start"], "{{trigger.record.starts_at}}");
    assert_eq!(event["end"], "{{trigger.record.ends_at}}");
    assert_eq!(needs(&def)["google_calendar"], ["https://www.googleapis.com/auth/calendar.events"]);
}

#[test]
fn a_confirmed_appointment_becomes_an_event_with_its_attendees() {
    let def = accept("When an appointment is confirmed, create a calendar event and invite attendees.", &crm());
    assert_eq!(
        trigger(&def),
        json!({"kind": "entity_event", "entity": "Appointment", "change": "field_changed", "field": "status", "to": "confirmed"})
    );
    let event = inputs(&def, "create_event");
    assert_eq!(event["title"], "{{trigger.record.title}}");
    assert_eq!(event["attendees"], json!(["{{trigger.record.attendee_email}}"]));
}

#[test]
fn showing_tool_data_in_the_app_is_not_a_flow() {
    for prompt in [
        "Show my real-time availability from Google Calendar to clients.",
        "Connect to my GitHub account and list all open pull requests for review.",
        "Show open issues from my repository in a dashboard.",
        "Show HubSpot deal stages inside my project dashboard.",
    ] {
        assert!(explain(prompt, &crm()).contains("needs the connection but no flow"), "{prompt}");
    }
}

// --- GitHub ----------------------------------------------------------------------------

#[test]
fn a_reported_bug_opens_an_issue_in_the_repository_the_builder_picks() {
    let def = accept("Create a new GitHub issue when a bug is reported in this app.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Ticket", "change": "created"}));
    assert_eq!(shape(&def), ["action:github.create_issue"]);
    let issue = inputs(&def, "create_issue");
    assert_eq!(issue["repository"], "{{settings.repository}}");
    assert_eq!(issue["title"], "{{trigger.record.subject}}");
    assert!(issue["body"].as_str().unwrap().contains("description: {{trigger.record.description}}"));
    assert!(issue.get("labels").is_none());
    assert_eq!(settings(&def), [("repository", "GitHub: Repository as owner/name")]);
    assert_eq!(needs(&def)["github"], ["repo"]);
}

#[test]
fn only_critical_incidents_open_an_issue() {
    let def = accept("Create a GitHub issue whenever a critical incident is created in the app.", &crm());
    assert_eq!(
        trigger(&def),
        json!({"kind": "entity_event", "entity": "Ticket", "change": "created",
               "filter": [{"field": "priority", "op": "eq", "value": "critical"}]})
    );
    assert_eq!(shape(&def), ["action:github.create_issue"]);
}

// --- Notion ----------------------------------------------------------------------------

#[test]
fn each_new_client_gets_a_notion_page() {
    let def = accept("Create new Notion pages for every new client added in this app.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Contact", "change": "created"}));
    assert_eq!(shape(&def), ["action:notion.create_page"]);
    let page = inputs(&def, "create_page");
    assert_eq!(page["title"], "{{trigger.record.name}}");
    assert_eq!(page["parent"], "{{settings.parent}}");
    // Notion grants access per page, not per scope: the flow needs the connection only.
    assert_eq!(needs(&def), BTreeMap::from([("notion".to_owned(), vec![])]));
    let report = validate(&def, ROUTER.catalog(), Some(&crm()), Some(&Grants::new()));
    assert_eq!(report.missing[0].to_string(), "notion is not connected");
}

#[test]
fn a_request_that_says_nothing_of_when_asks_for_it() {
    assert!(
        explain("Write project updates from this app into a Notion page.", &crm())
            .starts_with("Say when this should run")
    );
}

// --- HubSpot ---------------------------------------------------------------------------

#[test]
fn new_leads_become_hubspot_contacts() {
    let def = accept("Sync new leads from this app into HubSpot contacts.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Lead", "change": "created"}));
    assert_eq!(shape(&def), ["action:hubspot.create_contact"]);
    assert_eq!(
        inputs(&def, "create_contact"),
        json!({"email": "{{trigger.record.email}}", "company": "{{trigger.record.company}}"})
    );
    assert_eq!(needs(&def)["hubspot"], ["crm.objects.contacts.write"]);
    assert!(
        explain("Sync new leads from this app into HubSpot contacts.", &todo()).starts_with("This app has no leads")
    );
}

#[test]
fn placed_orders_update_a_deal_value() {
    let def = accept("Update the deal value in HubSpot when orders are placed.", &crm());
    assert_eq!(trigger(&def), json!({"kind": "entity_event", "entity": "Order", "change": "created"}));
    let update = inputs(&def, "update_deal");
    assert_eq!(update["amount"], "{{trigger.record.total}}");
    assert_eq!(update["deal_id"], "{{settings.deal_id}}");
    assert_eq!(needs(&def)["hubspot"], ["crm.objects.deals.write"]);
}

// --- Connector triggers ----------------------------------------------------------------

#[test]
fn a_labelled_email_creates_a_task() {
    let def = accept("When a new email with the label Invoices arrives in Gmail, create a task", &todo());
    assert_eq!(
        trigger(&def),
        json!({"kind": "connector", "operation": "gmail.new_email", "connection": {"connector": "gmail", "kind": "shared"},
               "config": {"label": "Invoices"}, "scopes": ["https://www.googleapis.com/auth/gmail.readonly"]})
    );
    assert_eq!(shape(&def), ["save:Task"]);
    let Step::Save(save) = &def.steps[0] else { unreachable!() };
    assert_eq!(save.values["title"], "{{trigger.record.subject}}");
}

#[test]
fn a_request_for_no_tool_has_no_flow() {
    assert_eq!(explain("make the header blue", &todo()), Unbuildable::NoTool.to_string());
}
