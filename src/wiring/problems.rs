//! What can be wrong with a flow definition, each said in words a builder can act on:
//! "Task has no field 'priority' — add it or choose another".

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    UnknownFormat {
        found: String,
    },
    EmptyName,
    NoSteps,
    BadStepId {
        id: String,
    },
    DuplicateStepId {
        id: String,
    },
    BadCron {
        cron: String,
        why: String,
    },
    BadTimeZone {
        zone: String,
    },
    UnknownEntity {
        entity: String,
        known: Vec<String>,
    },
    UnknownField {
        entity: String,
        field: String,
    },
    UnknownPage {
        page: String,
        known: Vec<String>,
    },
    /// `field_changed` without the field that changes.
    NoChangedField {
        entity: String,
    },
    MissingConditionValue {
        field: String,
    },
    UnknownOperation {
        at: String,
        operation: String,
    },
    /// A trigger used as a step, or an action as the trigger.
    WrongOperationKind {
        at: String,
        operation: String,
        is_trigger: bool,
    },
    ConnectionMismatch {
        at: String,
        operation: String,
        connector: String,
    },
    UnknownInput {
        at: String,
        operation: String,
        input: String,
    },
    MissingInput {
        at: String,
        operation: String,
        input: String,
    },
    /// The definition's own scope list lacks scopes the catalog says the operation needs.
    UndeclaredScopes {
        at: String,
        operation: String,
        scopes: Vec<String>,
    },
    UnknownReference {
        at: String,
        reference: String,
    },
    /// A reference that names something the flow does not have at that point.
    BadReference {
        at: String,
        reference: String,
        why: String,
    },
    UnknownSetting {
        at: String,
        name: String,
    },
    DuplicateSetting {
        name: String,
    },
}

fn list(items: &[String]) -> String {
    match items {
        [] => "nothing yet".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Problem {
    /// True when the app's structure lacks what the flow names (an entity, a field, a
    /// page): adding data would fix it.
    pub fn is_about_data(&self) -> bool {
        matches!(self, Self::UnknownEntity { .. } | Self::UnknownField { .. } | Self::UnknownPage { .. })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownFormat { found } => {
                write!(f, "the format is '{found}'; this version reads '{}'", super::definition::FORMAT)
            }
            Self::EmptyName => write!(f, "the flow has no name — give it one"),
            Self::NoSteps => write!(f, "the flow has no steps — add at least one"),
            Self::BadStepId { id } => {
                write!(f, "step id '{id}' should be lowercase letters, digits and underscores")
            }
            Self::DuplicateStepId { id } => write!(f, "two steps are called '{id}' — rename one"),
            Self::BadCron { cron, why } => write!(f, "the schedule '{cron}' is not a cron expression: {why}"),
            Self::BadTimeZone { zone } => {
                write!(f, "'{zone}' is not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)")
            }
            Self::UnknownEntity { entity, known } => {
                write!(f, "this app has no entity '{entity}' — it has {}; add it or choose another", list(known))
            }
            Self::UnknownField { entity, field } => {
                write!(f, "{entity} has no field '{field}' — add it or choose another")
            }
            Self::UnknownPage { page, known } => {
                write!(f, "this app has no page '{page}' — it has {}; add it or choose another", list(known))
            }
            Self::NoChangedField { entity } => {
                write!(f, "the trigger waits for a field of {entity} to change but names no field — choose one")
            }
            Self::MissingConditionValue { field } => {
                write!(f, "the condition on '{field}' has no value to compare with — give one")
            }
            Self::UnknownOperation { at, operation } => {
                write!(f, "{at} uses '{operation}', which the catalog does not have — choose another")
            }
            Self::WrongOperationKind { at, operation, is_trigger: true } => {
                write!(f, "{at} uses '{operation}', which is a trigger — a step needs an action")
            }
            Self::WrongOperationKind { at, operation, is_trigger: false } => {
                write!(f, "{at} uses '{operation}', which is an action — the trigger needs a trigger")
            }
            Self::ConnectionMismatch { at, operation, connector } => {
                write!(
                    f,
                    "{at} runs '{operation}' through a {connector} connection — use the operation's own connector"
                )
            }
            Self::UnknownInput { at, operation, input } => {
                write!(f, "{at}: '{operation}' has no input '{input}' — remove it or choose another")
            }
            Self::MissingInput { at, operation, input } => {
                write!(f, "{at}: '{operation}' needs '{input}' — map it from the trigger, an earlier step or a setting")
            }
            Self::UndeclaredScopes { at, operation, scopes } => {
                write!(f, "{at}: '{operation}' needs {} — list it under scopes", list(scopes))
            }
            Self::UnknownReference { at, reference } => {
                write!(f, "{at}: '{{{{{reference}}}}}' refers to nothing a flow has")
            }
            Self::BadReference { at, reference, why } => write!(f, "{at}: '{reference}' {why}"),
            Self::UnknownSetting { at, name } => {
                write!(f, "{at} uses the setting '{name}', which the flow does not declare — add it under settings")
            }
            Self::DuplicateSetting { name } => write!(f, "two settings are called '{name}' — rename one"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_sentences() {
        let p = Problem::UnknownField { entity: "Task".into(), field: "priority".into() };
        assert_eq!(p.to_string(), "Task has no field 'priority' — add it or choose another");
        let p = Problem::UnknownEntity { entity: "Invoice".into(), known: vec!["Task".into(), "User".into()] };
        assert_eq!(p.to_string(), "this app has no entity 'Invoice' — it has Task and User; add it or choose another");
        let p = Problem::MissingInput {
            at: "step 'send_email'".into(),
            operation: "gmail.send_email".into(),
            input: "subject".into(),
        };
        assert!(p.to_string().starts_with("step 'send_email': 'gmail.send_email' needs 'subject'"));
    }
}
