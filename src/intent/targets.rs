//! Who or where the result goes: "#growth channel", "me", "the finance team", "the
//! customer's email field", "@dana", "ops@acme.com".

use super::needs::is_channel_name;
use super::text::Text;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A chat channel, with its `#`.
    Channel { name: String },
    /// The person making the request.
    Me,
    /// A group of people: "the finance team", "my team".
    Team { name: String },
    /// A person by handle: "@dana".
    Person { handle: String },
    /// A literal address.
    Address { email: String },
    /// The person a record is about: "each customer", "the attendee".
    RecordPerson { who: String },
}

static TEAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:my|our|the)\s+((?:[a-z-]+\s+){0,2}?(?:team|staff|crew|squad|department|managers|admins))\b")
        .expect("team regex")
});
static EMAIL_ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("address regex"));
static NAMED_CHANNEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bthe\s+([a-z0-9-]+)\s+channel\b").expect("named channel regex"));
/// People a record can be about, as requests name them ("the customer", "each parent").
pub const PEOPLE: [&str; 22] = [
    "customer",
    "client",
    "user",
    "buyer",
    "attendee",
    "guest",
    "student",
    "parent",
    "patient",
    "applicant",
    "candidate",
    "subscriber",
    "member",
    "lead",
    "contact",
    "employee",
    "owner",
    "assignee",
    "learner",
    "requester",
    "borrower",
    "tenant",
];
static RECORD_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(?:each|every|the|all|new|their|his|her)\s+({})s?\b", PEOPLE.join("|")))
        .expect("record person regex")
});

pub fn find(text: &Text) -> Vec<Target> {
    let lower = &text.lower;
    let mut targets = Vec::new();
    for t in &text.tokens {
        match t.sigil {
            Some('#') if is_channel_name(&t.lower) => {
                push(&mut targets, Target::Channel { name: format!("#{}", t.lower) })
            }
            Some('@') => push(&mut targets, Target::Person { handle: format!("@{}", t.lower) }),
            _ => {}
        }
    }
    for c in NAMED_CHANNEL.captures_iter(lower) {
        let name = &c[1];
        if !matches!(name, "team" | "slack" | "discord" | "teams" | "selected" | "right" | "same")
            && is_channel_name(name)
        {
            push(&mut targets, Target::Channel { name: format!("#{name}") });
        }
    }
    let addresses: Vec<String> = EMAIL_ADDRESS.find_iter(lower).map(|m| m.as_str().to_owned()).collect();
    for email in &addresses {
        push(&mut targets, Target::Address { email: email.clone() });
    }
    let me = text.tokens.iter().any(|t| matches!(t.lower.as_str(), "me" | "myself") && t.sigil.is_none())
        || lower.contains("my inbox")
        || lower.contains("my phone");
    if me {
        push(&mut targets, Target::Me);
    }
    for c in TEAM.captures_iter(lower) {
        push(&mut targets, Target::Team { name: c[1].trim().to_owned() });
    }
    for c in RECORD_PERSON.captures_iter(lower) {
        push(&mut targets, Target::RecordPerson { who: c[1].to_owned() });
    }
    targets
}

fn push(targets: &mut Vec<Target>, t: Target) {
    if !targets.contains(&t) {
        targets.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_people_and_teams() {
        let t = find(&Text::new("Tell #growth and the finance team, then email me and ops@acme.com"));
        assert!(t.contains(&Target::Channel { name: "#growth".into() }));
        assert!(t.contains(&Target::Team { name: "finance team".into() }));
        assert!(t.contains(&Target::Me));
        assert!(t.contains(&Target::Address { email: "ops@acme.com".into() }));
    }

    #[test]
    fn a_colour_is_not_a_channel() {
        assert!(find(&Text::new("make the header #ff0000")).is_empty());
    }

    #[test]
    fn the_person_a_record_is_about() {
        let t = find(&Text::new("Email each customer a receipt after checkout"));
        assert_eq!(t, [Target::RecordPerson { who: "customer".into() }]);
    }
}
