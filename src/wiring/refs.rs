//! References inside input values: `{{trigger.record.email}}`, `{{steps.open_tasks.items}}`,
//! `{{settings.channel}}`, `{{app.members.emails}}`, `{{trigger.fired_at}}`,
//! `{{trigger.period_start}}`. A value is a
//! string that may hold any number of them; a runtime replaces each with what it names
//! (a whole-string reference to a list stays a list). Parsed here once, so that validation
//! and the views read them alike.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A field of the record (entity event) or an output of the connector trigger.
    TriggerRecord(String),
    /// A field's value before the change (entity events).
    TriggerPrevious(String),
    /// When the run started (ISO 8601).
    FiredAt,
    /// Scheduled runs: when the previous scheduled run was due, so that a run covers the
    /// period since then.
    PeriodStart,
    /// An output of an earlier step.
    Step {
        id: String,
        output: String,
    },
    Setting(String),
    /// The email addresses of the app's owners and editors.
    AppMembersEmails,
    AppName,
}

/// A `{{…}}` that names nothing this format knows, with its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown(pub String);

impl Reference {
    pub fn parse(inner: &str) -> Result<Self, Unknown> {
        let parts: Vec<&str> = inner.trim().split('.').collect();
        let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !parts.iter().all(|p| ok(p)) {
            return Err(Unknown(inner.trim().to_owned()));
        }
        match parts.as_slice() {
            ["trigger", "record", field] => Ok(Self::TriggerRecord((*field).to_owned())),
            ["trigger", "previous", field] => Ok(Self::TriggerPrevious((*field).to_owned())),
            ["trigger", "fired_at"] => Ok(Self::FiredAt),
            ["trigger", "period_start"] => Ok(Self::PeriodStart),
            ["steps", id, output] => Ok(Self::Step { id: (*id).to_owned(), output: (*output).to_owned() }),
            ["settings", name] => Ok(Self::Setting((*name).to_owned())),
            ["app", "members", "emails"] => Ok(Self::AppMembersEmails),
            ["app", "name"] => Ok(Self::AppName),
            _ => Err(Unknown(inner.trim().to_owned())),
        }
    }

    /// The reference as written in a value.
    pub fn render(&self) -> String {
        let inner = match self {
            Self::TriggerRecord(f) => format!("trigger.record.{f}"),
            Self::TriggerPrevious(f) => format!("trigger.previous.{f}"),
            Self::FiredAt => "trigger.fired_at".into(),
            Self::PeriodStart => "trigger.period_start".into(),
            Self::Step { id, output } => format!("steps.{id}.{output}"),
            Self::Setting(n) => format!("settings.{n}"),
            Self::AppMembersEmails => "app.members.emails".into(),
            Self::AppName => "app.name".into(),
        };
        format!("{{{{{inner}}}}}")
    }
}

/// Every reference in a string, in order; an unclosed `{{` is reported as unknown.
pub fn in_text(text: &str) -> Vec<Result<Reference, Unknown>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                out.push(Reference::parse(&after[..close]));
                rest = &after[close + 2..];
            }
            None => {
                out.push(Err(Unknown(format!("{{{{{after}"))));
                break;
            }
        }
    }
    out
}

/// Every reference in a JSON value (strings anywhere inside it).
pub fn in_value(value: &Value) -> Vec<Result<Reference, Unknown>> {
    match value {
        Value::String(s) => in_text(s),
        Value::Array(items) => items.iter().flat_map(in_value).collect(),
        Value::Object(map) => map.values().flat_map(in_value).collect(),
        _ => Vec::new(),
    }
}

/// A string value that is exactly one reference, e.g. `"{{steps.x.items}}"`.
pub fn whole(text: &str) -> Option<Reference> {
    let t = text.trim();
    let inner = t.strip_prefix("{{")?.strip_suffix("}}")?;
    if inner.contains("{{") || inner.contains("}}") {
        return None;
    }
    Reference::parse(inner).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_read_from_text_and_values() {
        let found = in_text("Deal {{trigger.record.title}} moved to {{ trigger.record.stage }}");
        assert_eq!(found, [Ok(Reference::TriggerRecord("title".into())), Ok(Reference::TriggerRecord("stage".into()))]);
        let v = json!({"to": ["{{app.members.emails}}"], "n": 3, "body": "{{steps.list.text}}"});
        assert_eq!(in_value(&v).len(), 2);
    }

    #[test]
    fn unknown_and_unclosed_references_are_reported() {
        assert_eq!(in_text("{{trigger.recrod.x}}"), [Err(Unknown("trigger.recrod.x".into()))]);
        assert_eq!(in_text("hi {{steps.a"), [Err(Unknown("{{steps.a".into()))]);
        assert_eq!(in_text("{{steps.a b.c}}"), [Err(Unknown("steps.a b.c".into()))]);
    }

    #[test]
    fn a_reference_renders_as_it_is_written() {
        for text in ["{{steps.open_tasks.items}}", "{{settings.channel}}", "{{trigger.fired_at}}"] {
            assert_eq!(whole(text).unwrap().render(), text);
        }
        assert_eq!(whole("Hello {{app.name}}"), None);
    }
}
