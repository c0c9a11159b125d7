//! What a run's `{{…}}` references name, and putting their values into step inputs. A
//! string that is exactly one reference keeps the value's type (a list stays a list);
//! references inside text are written as text (a list as "a, b").

use crate::wiring::refs::{self, Reference};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub record: Option<Value>,
    pub previous: Option<Value>,
    /// When the run started (Unix seconds).
    pub fired_at: i64,
    /// Scheduled runs: the previous occurrence.
    pub period_start: Option<i64>,
    /// Each finished step's outputs, by step id.
    pub steps: BTreeMap<String, Value>,
    pub settings: BTreeMap<String, Value>,
    pub app_name: String,
    pub member_emails: Vec<String>,
}

fn iso(at: i64) -> Value {
    chrono::DateTime::from_timestamp(at, 0).map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

impl Scope {
    pub fn lookup(&self, r: &Reference) -> Option<Value> {
        match r {
            Reference::TriggerRecord(f) => self.record.as_ref()?.get(f).cloned(),
            Reference::TriggerPrevious(f) => self.previous.as_ref()?.get(f).cloned(),
            Reference::FiredAt => Some(iso(self.fired_at)),
            Reference::PeriodStart => self.period_start.map(iso),
            Reference::Step { id, output } => self.steps.get(id)?.get(output).cloned(),
            Reference::Setting(name) => self.settings.get(name).cloned(),
            Reference::AppMembersEmails => Some(json!(self.member_emails)),
            Reference::AppName => Some(json!(self.app_name)),
        }
    }

    /// `value` with every reference replaced; a reference to nothing becomes empty.
    pub fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => match refs::whole(s) {
                Some(r) => self.lookup(&r).unwrap_or(Value::Null),
                None => Value::String(self.fill(s)),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect::<Map<_, _>>())
            }
            other => other.clone(),
        }
    }

    fn fill(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                out.push_str(&rest[open..]);
                return out;
            };
            if let Ok(r) = Reference::parse(&after[..close]) {
                out.push_str(&as_text(self.lookup(&r).as_ref()));
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// A value as a person reads it in a sentence.
pub fn as_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().map(|v| as_text(Some(v))).collect::<Vec<_>>().join(", "),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_references_keep_their_type_and_text_references_become_words() {
        let mut scope = Scope {
            app_name: "Todo".into(),
            member_emails: vec!["a@x.com".into(), "b@x.com".into()],
            ..Default::default()
        };
        scope.steps.insert("q".into(), json!({"items": [{"title": "Pay rent"}], "count": 1}));
        scope.record = Some(json!({"title": "Deal A", "amount": 600}));
        assert_eq!(scope.resolve(&json!("{{steps.q.items}}")), json!([{"title": "Pay rent"}]));
        assert_eq!(scope.resolve(&json!("{{app.members.emails}}")), json!(["a@x.com", "b@x.com"]));
        assert_eq!(
            scope.resolve(
                &json!({"body": "{{trigger.record.title}} is worth {{trigger.record.amount}} ({{app.name}})"})
            ),
            json!({"body": "Deal A is worth 600 (Todo)"})
        );
        assert_eq!(scope.resolve(&json!("to {{app.members.emails}}")), json!("to a@x.com, b@x.com"));
        assert_eq!(scope.resolve(&json!("{{steps.missing.text}}")), Value::Null);
        assert_eq!(scope.resolve(&json!("unclosed {{steps.q")), json!("unclosed {{steps.q"));
    }
}
