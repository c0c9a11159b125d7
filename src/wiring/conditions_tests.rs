use super::*;
use crate::app::AppStructure;
use serde_json::json;

fn entity(fields: serde_json::Value) -> Entity {
    AppStructure::from_value(&json!({"entities": [{"name": "Ticket", "fields": fields}]})).unwrap().entities[0].clone()
}

fn ticket() -> Entity {
    entity(json!([
        "subject", "priority", "status", {"name": "resolved", "type": "boolean"}, {"name": "due_on", "type": "date"},
        {"name": "cost", "type": "number"}, "assignee_email", "source", "resolution_note",
        {"name": "escalated", "type": "boolean"}
    ]))
}

fn read_ticket(text: &str) -> Found {
    read(&crate::intent::text::fold(text), &ticket(), "me@example.com")
}

#[test]
fn open_and_overdue_tickets_use_the_done_flag_and_the_due_date() {
    let f = read_ticket("each morning list the tickets that nobody has resolved yet");
    assert_eq!(f.conditions, [Condition::new("resolved", Op::Eq, false)]);
    let f = read_ticket("mail me overdue tickets");
    assert_eq!(
        f.conditions,
        [Condition::new("due_on", Op::Lt, "{{trigger.fired_at}}"), Condition::new("resolved", Op::Eq, false)]
    );
}

#[test]
fn urgency_words_pick_the_priority_field() {
    assert_eq!(
        read_ticket("post critical tickets to #ops").conditions,
        [Condition::new("priority", Op::Eq, "critical")]
    );
    assert_eq!(read_ticket("for every low-priority ticket").conditions, [Condition::new("priority", Op::Eq, "low")]);
    assert!(read_ticket("send an urgent email about the build").conditions.is_empty());
}

#[test]
fn amounts_compare_the_number_field_named_or_the_only_one() {
    assert_eq!(read_ticket("tickets that cost more than $1,200").conditions, [Condition::new("cost", Op::Gt, 1200)]);
    assert_eq!(read_ticket("any ticket under 50 dollars").conditions, [Condition::new("cost", Op::Lt, 50)]);
    assert!(read_ticket("tickets open for more than 3 days").conditions.iter().all(|c| c.field != "cost"));
}

#[test]
fn dates_within_the_next_days_and_empty_fields() {
    let f = read_ticket("tickets due in the next 10 days");
    assert_eq!(f.conditions, [Condition::new("due_on", Op::WithinNext, "P10D")]);
    let f = read_ticket("tickets that do not yet have a resolution note");
    assert_eq!(f.conditions, [Condition { field: "resolution_note".into(), op: Op::IsEmpty, value: None }]);
    let f = read_ticket("unassigned tickets");
    assert_eq!(f.conditions, [Condition { field: "assignee_email".into(), op: Op::IsEmpty, value: None }]);
}

#[test]
fn assigned_to_me_and_from_a_kind_of_person() {
    let f = read_ticket("tickets assigned to me");
    assert_eq!(f.conditions, [Condition::new("assignee_email", Op::Eq, "me@example.com")]);
    let f = read_ticket("new tickets from a partner");
    assert_eq!(f.conditions, [Condition::new("source", Op::Eq, "partner")]);
    assert_eq!(read_ticket("escalated tickets").conditions, [Condition::new("escalated", Op::Eq, true)]);
}

#[test]
fn fields_the_entity_lacks_are_reported_not_dropped() {
    let bare = entity(json!(["subject"]));
    let f = read(&crate::intent::text::fold("high priority tickets over $300 without a due date"), &bare, "me");
    assert!(f.conditions.is_empty());
    assert_eq!(f.missing, ["priority", "amount", "due"]);
    let f = read(&crate::intent::text::fold("tickets from a customer"), &bare, "me");
    assert!(f.notes[0].contains("comes from a customer"));
}

#[test]
fn any_text_reads_without_panicking() {
    for text in ["over $", "more than 99999999999999999999999", "un", "without", "\u{212A} over 5k", "in the next days"]
    {
        let _ = read_ticket(text);
    }
}
