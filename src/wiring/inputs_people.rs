//! The people an input reaches: "me", "my team", an address, the person the record is
//! about ("the customer", "the reporter", "them"), by email or by phone. A person the
//! record has no address for is reported, so that the builder is asked rather than
//! someone else reached.

use super::{Record, Sources, reference};
use crate::catalog::Input;
use crate::intent::Target;
use crate::wiring::fields;
use serde_json::{Value, json};

/// "me" is the requesting user's address, "my team" the app's owners and editors, "the
/// customer" the record's customer email; with no one named, the requesting user.
pub(super) fn recipients(src: &Sources<'_>) -> Value {
    let mut to: Vec<String> = Vec::new();
    for t in src.targets {
        let one = match t {
            Target::Me => Some(src.requester.to_owned()),
            Target::Address { email } => Some(email.clone()),
            Target::Team { .. } => Some("{{app.members.emails}}".to_owned()),
            Target::RecordPerson { who } => match &src.record {
                Record::Entity { entity, .. } => match fields::person_field(entity, Some(who), fields::is_email) {
                    Some(f) => Some(reference(f)),
                    None => {
                        src.lacks(entity, &format!("{who}_email"));
                        None
                    }
                },
                // "email each parent their list" on a schedule: one run cannot do that.
                Record::None if src.list.is_some() && src.each.is_some_and(|w| w == who) => {
                    src.per_person.replace(Some(who.clone()));
                    None
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(one) = one.filter(|o| !to.contains(o)) {
            to.push(one);
        }
    }
    // "email the reporter": a person the record names by a field of theirs.
    if to.is_empty()
        && let Record::Entity { entity, .. } = &src.record
        && let Some(f) = fields::emails(entity).into_iter().find(|f| names_person(src.clause, f))
    {
        to.push(reference(f));
    }
    // "send them a note": the person the record is about.
    let pronoun =
        crate::intent::text::words_of(src.clause).iter().any(|w| matches!(w.as_str(), "them" | "him" | "her"));
    if to.is_empty() && pronoun {
        let own = match &src.record {
            Record::Entity { entity, .. } => fields::email_for(entity, None).map(str::to_owned),
            Record::Outputs(outputs) => {
                EMAIL_OUTPUTS.iter().find(|o| outputs.iter().any(|x| x == *o)).map(|o| (*o).to_owned())
            }
            Record::None => None,
        };
        to.extend(own.map(|f| reference(&f)));
    }
    match to.len() {
        0 => Value::String(src.requester.to_owned()),
        1 => Value::String(to.remove(0)),
        _ => json!(to),
    }
}

/// Trigger outputs that hold the address of the person the record is about.
pub(crate) const EMAIL_OUTPUTS: [&str; 7] =
    ["email", "respondent_email", "person_email", "requester_email", "from", "sender", "host_email"];

/// True when the words name the person a field belongs to: "the reporter" for
/// `reporter_email`, "the guest" for `guest_phone`.
pub(super) fn names_person(clause: &str, field: &str) -> bool {
    let words = crate::intent::text::words_of(clause);
    let person: Vec<String> = crate::intent::text::words_of(field)
        .into_iter()
        .filter(|w| !["email", "phone", "mobile", "number", "address", "cell", "tel"].contains(&w.as_str()))
        .collect();
    !person.is_empty() && words.windows(person.len()).any(|w| w == person.as_slice())
}

/// Inputs that take a phone number ("to" of a text message).
pub(super) const PHONE_INPUTS: [&str; 3] = ["to", "phone", "phone_number"];

pub(super) fn is_phone(input: &Input) -> bool {
    input.name.contains("phone") || input.description.to_lowercase().contains("phone")
}

/// A phone number: the record's phone field of the person named ("text the owner" →
/// `owner_phone`), else its only phone; "me" is the builder's own number, chosen once.
pub(super) fn phone(src: &Sources<'_>, required: bool) -> Option<Value> {
    match &src.record {
        Record::Entity { entity, .. } => {
            let who = who(src.targets);
            let named = entity
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .find(|f| fields::is_phone(entity, f) && names_person(src.clause, f));
            let found = named.or_else(|| fields::person_field(entity, who, fields::is_phone));
            if found.is_none() && required {
                src.lacks(entity, &who.map_or("phone".to_owned(), |w| format!("{w}_phone")));
            }
            found.map(|f| Value::String(reference(f)))
        }
        Record::Outputs(outputs) => ["phone", "from", "phone_number"]
            .iter()
            .find(|o| outputs.iter().any(|x| x == *o))
            .map(|o| Value::String(reference(o))),
        Record::None => None,
    }
}

pub(super) fn who(targets: &[Target]) -> Option<&str> {
    targets.iter().find_map(|t| match t {
        Target::RecordPerson { who } => Some(who.as_str()),
        _ => None,
    })
}

pub(super) fn record_email(src: &Sources<'_>, name: &str) -> Option<String> {
    match &src.record {
        Record::Entity { entity, .. } => fields::email_for(entity, who(src.targets)).map(reference),
        Record::Outputs(outputs) => {
            ["email", name, "from"].iter().find(|o| outputs.iter().any(|x| x == *o)).map(|o| reference(o))
        }
        Record::None => None,
    }
}

pub(super) fn channel(targets: &[Target]) -> Option<String> {
    targets.iter().find_map(|t| match t {
        Target::Channel { name } => Some(name.clone()),
        _ => None,
    })
}

/// A person in a chat tool: the requester (by email, which the runtime resolves with the
/// tool's own lookup), a handle, or the record's person.
pub(super) fn user(src: &Sources<'_>) -> Option<String> {
    src.targets.iter().find_map(|t| match t {
        Target::Me => Some(src.requester.to_owned()),
        Target::Person { handle } => Some(handle.clone()),
        Target::Address { email } => Some(email.clone()),
        Target::RecordPerson { .. } => record_email(src, "email"),
        _ => None,
    })
}

pub(super) fn people(src: &Sources<'_>) -> Option<Value> {
    let Record::Entity { entity, .. } = &src.record else { return None };
    let fields: Vec<&str> = match fields::named(entity, "attendee").filter(|f| fields::is_email(entity, f)) {
        Some(f) => vec![f],
        None => fields::emails(entity),
    };
    (!fields.is_empty()).then(|| json!(fields.into_iter().map(reference).collect::<Vec<_>>()))
}
