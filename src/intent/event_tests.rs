use super::*;

fn event(text: &str) -> Event {
    find(text).unwrap_or_else(|| panic!("no event in {text:?}"))
}

#[test]
fn a_field_moving_to_a_value() {
    let e = event("Using Gmail, email my team when a deal moves to the Contract Signed stage.");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.value.as_deref()),
        (Change::FieldChanged, Some("deal"), Some("Contract Signed"))
    );
    let e = event("Send a Gmail alert whenever a task is marked as high priority.");
    assert_eq!((e.change, e.value.as_deref()), (Change::FieldChanged, Some("high priority")));
    let e = event("When a HubSpot opportunity changes stage to Negotiation, tell the team");
    assert_eq!((e.field.as_deref(), e.value.as_deref()), (Some("stage"), Some("Negotiation")));
}

#[test]
fn a_possessive_names_the_record_and_its_field() {
    let e = event("When a ticket's priority changes to Urgent, page the on-call person");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.field.as_deref(), e.value.as_deref()),
        (Change::FieldChanged, Some("ticket"), Some("priority"), Some("Urgent"))
    );
}

#[test]
fn a_field_given_a_value() {
    let e = event("If a review gets a score of 1, open a support ticket");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.field.as_deref(), e.value.as_deref()),
        (Change::FieldChanged, Some("review"), Some("score"), Some("1"))
    );
}

#[test]
fn ticking_something_off_means_it_is_done() {
    let e = event("When an errand gets ticked off, add a line to my sheet");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.value.as_deref()),
        (Change::FieldChanged, Some("errand"), Some("done"))
    );
    let e = event("When a payout fails, alert the finance channel");
    assert_eq!((e.change, e.value.as_deref()), (Change::FieldChanged, Some("failed")));
    let e = event("When a bug is assigned to me, ping me");
    assert_eq!((e.field.as_deref(), e.value.as_deref()), (Some("assignee"), Some("me")));
}

#[test]
fn records_being_created() {
    let e = event("Post a note in the #helpdesk channel whenever a new ticket is created.");
    assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("ticket")));
    let e = event("Add a new user to Notion on Calendly invite creation");
    assert_eq!(e.change, Change::Created);
    let e = event("When a new Typeform response arrives, add a row");
    assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("response")));
    let e = event("Send a thank-you note for every paid invoice");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.value.as_deref()),
        (Change::FieldChanged, Some("invoice"), Some("paid"))
    );
    let e = event("Create a Linear issue for each urgent bug");
    assert_eq!(
        (e.change, e.subject.as_deref(), e.qualifier.as_deref()),
        (Change::Created, Some("bug"), Some("urgent"))
    );
}

#[test]
fn a_person_acting_names_the_act() {
    let e = event("When somebody enrolls in a course, welcome them by email");
    assert_eq!(e.change, Change::Created);
    assert_eq!(verb_of(&e).as_deref(), Some("enroll"));
    let e = event("When a volunteer signs up for a shift, text the coordinator");
    assert_eq!(verb_of(&e).as_deref(), Some("sign up"));
}

#[test]
fn records_being_deleted_or_edited() {
    let e = event("If an invoice record gets removed, let me know on Slack");
    assert_eq!((e.change, e.subject.as_deref()), (Change::Deleted, Some("invoice")));
    let e = event("Whenever a recipe is edited, post to #kitchen");
    assert_eq!((e.change, e.subject.as_deref()), (Change::Updated, Some("recipe")));
}

#[test]
fn conditions_and_buttons() {
    assert_eq!(event("gmial me when stock is low").change, Change::Condition);
    let e = event("Post a bot message to the selected Slack channel when an admin clicks \"Send update\".");
    assert_eq!((e.change, e.value.as_deref()), (Change::Clicked, Some("Send update")));
    let e = event("Put a 'Export members' button on the Admin page that mails the member list to me");
    assert_eq!((e.change, e.value.as_deref()), (Change::Clicked, Some("Export members")));
    let e = event("add a sync now button that pushes the orders to Airtable");
    assert_eq!((e.change, e.value.as_deref()), (Change::Clicked, Some("Sync now")));
}

#[test]
fn the_field_and_the_narrowing_words_are_kept() {
    let e = event("Using Gmail, email my team when a deal moves to the Contract Signed stage.");
    assert_eq!(e.field.as_deref(), Some("stage"));
    let e = event("Send a Gmail alert whenever a task is marked as high priority.");
    assert_eq!(e.field.as_deref(), Some("priority"));
    let e = event("Create a GitHub issue whenever a critical incident is created in the app.");
    assert_eq!((e.subject.as_deref(), e.qualifier.as_deref()), (Some("incident"), Some("critical")));
}

#[test]
fn a_weak_opener_gives_way_to_when() {
    let e = event("Hold an hour on my calendar when a task is marked as focus time.");
    assert_eq!((e.subject.as_deref(), e.value.as_deref()), (Some("task"), Some("focus time")));
    assert_eq!(e.text, "when a task is marked as focus time");
}

#[test]
fn plural_subjects_take_are() {
    let e = event("Update the deal value in HubSpot when orders are placed.");
    assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("order")));
}

#[test]
fn schedules_are_not_events() {
    assert!(find("send me a daily email every morning").is_none());
    assert!(find("make the header blue").is_none());
    assert!(find("every day update the sheet with the new orders").is_none());
    assert!(find("each monday, post the changes").is_none());
}

#[test]
fn any_text_reads_without_panicking() {
    for text in ["when \u{212A}'s \u{1E9E} changes to", "if a 's", "when a", "add a '", "clicks '", "for every"] {
        let _ = find(text);
    }
}

#[test]
fn an_order_after_the_event_without_a_comma_is_not_part_of_it() {
    let e = event("when a card is archived post it in #team");
    assert_eq!((e.change, e.text.as_str()), (Change::Deleted, "when a card is archived"));
    let e = event("when someone posts in the forum, email me");
    assert_eq!(e.text, "when someone posts in the forum");
}
