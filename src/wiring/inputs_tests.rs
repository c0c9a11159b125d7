use super::*;
use crate::app::AppStructure;
use crate::catalog::Catalog;
use std::sync::LazyLock;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("catalog"));

fn op(full: &str) -> (&'static Connector, &'static Operation) {
    let (c, local) = full.split_once('.').unwrap();
    let c = CATALOG.get(c).unwrap();
    (c, c.action(local).unwrap())
}

fn appointment() -> AppStructure {
    AppStructure::from_value(&json!({"entities": [{"name": "Appointment", "fields": [
        "title", {"name": "starts_at", "type": "datetime"}, {"name": "ends_at", "type": "datetime"},
        {"name": "attendee_email", "type": "email"}, "status"]}]}))
    .unwrap()
}

fn sources<'a>(record: Record<'a>, targets: &'a [Target]) -> Sources<'a> {
    Sources {
        record,
        list: None,
        read: None,
        targets,
        requester: "ada@example.com",
        scheduled: false,
        fallback_title: "Flow".into(),
        clause: "",
        tools: &[],
        missing: Default::default(),
        each: None,
        per_person: Default::default(),
        said: Default::default(),
        message: None,
    }
}

#[test]
fn me_is_the_requester_and_my_team_the_app_members() {
    let (c, send) = op("gmail.send_email");
    let list = Some(("{{steps.open_tasks_list.text}}".to_owned(), "Open tasks".to_owned()));
    let mut settings = Vec::new();
    let src = Sources { list: list.clone(), ..sources(Record::None, &[Target::Me]) };
    let inputs = map(c, send, &src, &mut settings);
    assert_eq!(inputs["to"], "ada@example.com");
    assert_eq!(inputs["subject"], "Open tasks");
    assert_eq!(inputs["body"], "{{steps.open_tasks_list.text}}");
    assert!(!inputs.contains_key("cc") && settings.is_empty());
    let team = [Target::Team { name: "team".into() }];
    let src = Sources { list, ..sources(Record::None, &team) };
    assert_eq!(map(c, send, &src, &mut settings)["to"], "{{app.members.emails}}");
}

#[test]
fn a_record_fills_titles_dates_and_attendees() {
    let app = appointment();
    let entity = app.entity("Appointment").unwrap();
    let (c, create) = op("google_calendar.create_event");
    let record = Record::Entity { entity, headline: "Appointment confirmed: {{trigger.record.title}}".into() };
    let mut settings = Vec::new();
    let inputs = map(c, create, &sources(record, &[]), &mut settings);
    assert_eq!(inputs["title"], "{{trigger.record.title}}");
    assert_eq!(inputs["start"], "{{trigger.record.starts_at}}");
    assert_eq!(inputs["end"], "{{trigger.record.ends_at}}");
    assert_eq!(inputs["attendees"], json!(["{{trigger.record.attendee_email}}"]));
    assert!(inputs["description"].as_str().unwrap().contains("status: {{trigger.record.status}}"));
    assert!(settings.is_empty());
}

#[test]
fn what_nothing_can_fill_becomes_a_setting() {
    let (c, post) = op("slack.post_message");
    let mut settings = Vec::new();
    let inputs = map(c, post, &sources(Record::None, &[]), &mut settings);
    assert_eq!(inputs["channel"], "{{settings.channel}}");
    assert_eq!(inputs["text"], "{{settings.text}}");
    assert_eq!(settings[0].label, "Which Slack channel?");
    let (c, issue) = op("github.create_issue");
    let inputs = map(c, issue, &sources(Record::None, &[]), &mut settings);
    assert_eq!(inputs["repository"], "{{settings.repository}}");
    assert_eq!(settings.last().unwrap().label, "GitHub: Repository as owner/name");
}

#[test]
fn a_channel_target_is_used_as_written() {
    let (c, post) = op("slack.post_message");
    let targets = [Target::Channel { name: "#support".into() }];
    let inputs = map(c, post, &sources(Record::None, &targets), &mut Vec::new());
    assert_eq!(inputs["channel"], "#support");
}
