//! Reading an entity's fields by what they are for: its title, its email addresses, its
//! dates, its done-flag, its status. Generation uses these to map inputs ("the customer"
//! → `customer_email`) and validation to check that a field exists. Every record also
//! has `id`, `created_at` and `updated_at`, whether or not the structure lists them.

use crate::app::{AppStructure, Entity};
use crate::intent::text::{singular, words_of};

/// Fields every record has.
pub const IMPLICIT: [&str; 3] = ["id", "created_at", "updated_at"];

/// Words that name the same kind of field in builders' apps.
const SYNONYMS: &[&[&str]] = &[
    &["deadline", "due", "due_date", "due_at", "due_on"],
    &["amount", "value", "total", "price", "revenue", "sum"],
    &["phone", "mobile", "telephone", "phone_number", "tel"],
    &["company", "organization", "organisation", "company_name", "account", "business"],
    &["start", "starts_at", "start_time", "start_date", "begins_at", "scheduled_at", "date", "time", "when"],
    &["end", "ends_at", "end_time", "end_date", "finishes_at"],
    &["title", "name", "subject", "summary", "label", "headline", "full_name"],
    &["body", "description", "details", "notes", "content", "text", "message", "comment"],
    &["stock", "quantity", "inventory", "qty", "units"],
    &["attendee", "attendees", "guest", "guests", "invitee", "participant"],
    &["priority", "severity", "urgency", "importance", "prio"],
    &["assignee", "assigned_to", "assignee_email", "owner", "assigned", "responsible"],
    &["grade", "score", "mark", "marks"],
];

const TITLE_NAMES: [&str; 7] = ["title", "name", "subject", "summary", "label", "headline", "full_name"];
/// Yes/no fields that say a record needs no more attention: done, paid, returned…
const DONE_NAMES: [&str; 14] = [
    "completed",
    "done",
    "is_done",
    "complete",
    "is_completed",
    "finished",
    "closed",
    "resolved",
    "paid",
    "is_paid",
    "returned",
    "settled",
    "fulfilled",
    "handled",
];
const STATUS_NAMES: [&str; 4] = ["status", "stage", "state", "phase"];

pub fn exists(entity: &Entity, name: &str) -> bool {
    IMPLICIT.contains(&name) || entity.field(name).is_some()
}

fn kind<'e>(entity: &'e Entity, name: &str) -> Option<&'e str> {
    entity.field(name).and_then(|f| f.kind.as_deref())
}

fn names(entity: &Entity) -> impl Iterator<Item = &str> {
    entity.fields.iter().map(|f| f.name.as_str())
}

/// The field that names a record: `title`, `name`, `subject`…, else the first text field.
pub fn title(entity: &Entity) -> Option<&str> {
    TITLE_NAMES.iter().find_map(|t| names(entity).find(|n| n.eq_ignore_ascii_case(t))).or_else(|| {
        entity
            .fields
            .iter()
            .find(|f| matches!(f.kind.as_deref(), None | Some("text" | "string")) && !is_email(entity, &f.name))
            .map(|f| f.name.as_str())
    })
}

pub fn is_email(entity: &Entity, name: &str) -> bool {
    kind(entity, name) == Some("email") || words_of(name).iter().any(|w| w == "email")
}

pub fn emails(entity: &Entity) -> Vec<&str> {
    names(entity).filter(|n| is_email(entity, n)).collect()
}

/// The email field of the person `who` names ("customer" → `customer_email`), else the
/// record's own `email`, else its first email field.
pub fn email_for<'e>(entity: &'e Entity, who: Option<&str>) -> Option<&'e str> {
    let all = emails(entity);
    who.and_then(|w| all.iter().find(|n| words_of(n).iter().any(|x| singular(x) == singular(w))).copied())
        .or_else(|| all.iter().find(|n| n.eq_ignore_ascii_case("email")).copied())
        .or_else(|| all.first().copied())
}

pub fn is_phone(entity: &Entity, name: &str) -> bool {
    matches!(kind(entity, name), Some("phone" | "tel"))
        || words_of(name).iter().any(|w| ["phone", "mobile", "cell", "tel", "telephone", "sms"].contains(&w.as_str()))
}

/// The field of kind `is_kind` that reaches the person `who` names: one named after them
/// ("owner" → `owner_phone`), or, when the record is that person (a Member for "the
/// member"), its own; `None` when the record has none for them, so that the builder is
/// asked rather than another person reached.
pub fn person_field<'e>(entity: &'e Entity, who: Option<&str>, is_kind: fn(&Entity, &str) -> bool) -> Option<&'e str> {
    let all: Vec<&str> = names(entity).filter(|n| is_kind(entity, n)).collect();
    let own = || {
        all.iter()
            .find(|n| {
                words_of(n)
                    .iter()
                    .all(|w| ["email", "phone", "mobile", "address", "number", "cell"].contains(&w.as_str()))
            })
            .or(all.first())
            .copied()
    };
    match who.map(singular) {
        Some(w) => all
            .iter()
            .find(|n| words_of(n).iter().any(|x| singular(x) == w))
            .copied()
            .or_else(|| crate::intent::data::names_entity(&w, &entity.name).then(own).flatten()),
        None => own(),
    }
}

pub fn is_date(entity: &Entity, name: &str) -> bool {
    matches!(kind(entity, name), Some("date" | "datetime" | "timestamp"))
        || (kind(entity, name).is_none() && (name.ends_with("_date") || name.ends_with("_at") || name == "date"))
}

pub fn dates(entity: &Entity) -> Vec<&str> {
    names(entity).filter(|n| is_date(entity, n)).collect()
}

pub fn is_number(entity: &Entity, name: &str) -> bool {
    matches!(kind(entity, name), Some("number" | "integer" | "currency" | "money" | "decimal" | "float" | "int"))
}

pub fn numbers(entity: &Entity) -> Vec<&str> {
    names(entity).filter(|n| is_number(entity, n)).collect()
}

/// A yes/no field (`active`, `in_stock`).
pub fn is_flag(entity: &Entity, name: &str) -> bool {
    matches!(kind(entity, name), Some("boolean" | "bool"))
}

/// A yes/no field that says a record is finished (`completed`, `done`…).
pub fn done_flag(entity: &Entity) -> Option<&str> {
    DONE_NAMES.iter().find_map(|d| {
        entity
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(d) && matches!(f.kind.as_deref(), None | Some("boolean" | "bool")))
            .map(|f| f.name.as_str())
    })
}

/// The field that holds a record's state (`status`, `stage`…).
pub fn status(entity: &Entity) -> Option<&str> {
    STATUS_NAMES.iter().find_map(|s| names(entity).find(|n| words_of(n).iter().any(|w| w == s)))
}

/// The field a word names: the same name, a field whose words include it
/// ("stage" → `lifecycle_stage`), or a field of the same kind ("deadline" → `due_date`).
pub fn named<'e>(entity: &'e Entity, word: &str) -> Option<&'e str> {
    let w = singular(&word.to_lowercase().replace([' ', '-'], "_"));
    if let Some(same) = named_as(entity, word) {
        return Some(same);
    }
    let group = SYNONYMS.iter().find(|g| g.contains(&w.as_str()))?;
    names(entity).find(|n| {
        let lower = n.to_lowercase();
        group.contains(&lower.as_str()) || words_of(n).iter().any(|x| group.contains(&x.as_str()))
    })
}

/// The field with the word's own name, or whose name contains it ("stage" →
/// `lifecycle_stage`); no field of merely the same kind.
pub fn named_as<'e>(entity: &'e Entity, word: &str) -> Option<&'e str> {
    let w = singular(&word.to_lowercase().replace([' ', '-'], "_"));
    names(entity)
        .find(|n| n.eq_ignore_ascii_case(&w))
        .or_else(|| names(entity).find(|n| words_of(n).iter().any(|x| singular(x) == w)))
}

/// The first entity with a field that `word` names, for requests that name a field
/// rather than the records ("when deadlines are approaching").
pub fn entity_with_field<'a>(app: &'a AppStructure, word: &str) -> Option<(&'a Entity, &'a str)> {
    app.entities.iter().find_map(|e| named(e, word).map(|f| (e, f)))
}

/// The fields a list of records shows: the title, then up to two dates, a status or an
/// amount, in the entity's own order.
pub fn shown(entity: &Entity) -> Vec<String> {
    let mut out: Vec<String> = title(entity).map(|t| vec![t.to_owned()]).unwrap_or_default();
    let done = done_flag(entity);
    for f in &entity.fields {
        if out.len() >= 3 {
            break;
        }
        let useful = is_date(entity, &f.name)
            || status(entity) == Some(f.name.as_str())
            || matches!(f.kind.as_deref(), Some("number" | "currency" | "money"));
        if useful && !out.contains(&f.name) && Some(f.name.as_str()) != done {
            out.push(f.name.clone());
        }
    }
    out
}

/// The entity name a mention would have: "invoices" → "Invoice", "to-do list" → "To-do".
pub fn entity_name_for(mention: &str) -> String {
    let head = mention.split_whitespace().next().unwrap_or(mention);
    let one = singular(&head.to_lowercase());
    let mut chars = one.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deal() -> Entity {
        let app = AppStructure::from_value(&json!({"entities": [{"name": "Deal", "fields": [
            "title", "lifecycle_stage", {"name": "amount", "type": "number"}, "owner_email",
            {"name": "contact", "type": "email"}, {"name": "close_date", "type": "date"}
        ]}]}))
        .unwrap();
        app.entities[0].clone()
    }

    #[test]
    fn fields_are_found_by_what_they_are_for() {
        let d = deal();
        assert_eq!(title(&d), Some("title"));
        assert_eq!(emails(&d), ["owner_email", "contact"]);
        assert_eq!(email_for(&d, Some("owner")), Some("owner_email"));
        assert_eq!(email_for(&d, None), Some("owner_email"));
        assert_eq!(status(&d), Some("lifecycle_stage"));
        assert_eq!(named(&d, "stage"), Some("lifecycle_stage"));
        assert_eq!(named(&d, "value"), Some("amount"));
        assert_eq!(named(&d, "priority"), None);
        assert_eq!(shown(&d), ["title", "lifecycle_stage", "amount"]);
        assert!(exists(&d, "created_at") && !exists(&d, "priority"));
    }

    #[test]
    fn the_todo_task_reads_as_a_to_do_list() {
        let app = crate::app::demo::todo_structure();
        let task = app.entity("Task").unwrap();
        assert_eq!(done_flag(task), Some("completed"));
        assert_eq!(shown(task), ["title", "due_date"]);
        assert_eq!(entity_with_field(&app, "deadline").map(|(e, f)| (e.name.as_str(), f)), Some(("Task", "due_date")));
        assert_eq!(entity_name_for("invoices"), "Invoice");
    }
}
