//! Changing an app's structure, from the Settings page or `PUT …/structure`: every
//! problem found at once, each named by its place ("app.entities[1].fields[0].name: …"),
//! so a person can fix them in one go. The time zone (IANA, used by flows) is kept with
//! the app, beside the structure.

use super::AppStructure;
use crate::store::{AppRow, Store, StoreError};
use serde_json::{Value, json};
use std::collections::HashSet;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The structure as stored, with the app's time zone.
pub fn stored_json(app: &AppRow) -> Value {
    let mut value = serde_json::from_str::<Value>(&app.structure).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut value {
        map.insert("time_zone".into(), Value::String(app.time_zone.clone()));
    }
    value
}

/// Checks a structure; the time zone, when given, must be an IANA zone name.
pub fn validate(value: &Value) -> Result<(AppStructure, Option<String>), Vec<String>> {
    let structure = AppStructure::from_value(value).map_err(|e| vec![format!("{}: {}", e.path, e.problem)])?;
    let mut problems = Vec::new();
    let text = |problems: &mut Vec<String>, path: String, s: &str, max: usize| {
        if s.chars().count() > max {
            problems.push(format!("{path}: longer than {max} characters"));
        } else if s.chars().any(char::is_control) {
            problems.push(format!("{path}: contains control characters"));
        }
    };
    if let Some(name) = &structure.name {
        text(&mut problems, "app.name".into(), name, 100);
    }
    for (i, page) in structure.pages.iter().enumerate() {
        text(&mut problems, format!("app.pages[{i}]"), page, 100);
    }
    let mut entity_names = HashSet::new();
    for (i, entity) in structure.entities.iter().enumerate() {
        text(&mut problems, format!("app.entities[{i}].name"), &entity.name, 100);
        if !entity_names.insert(entity.name.to_lowercase()) {
            problems.push(format!("app.entities[{i}].name: another entity is already called \"{}\"", entity.name));
        }
        let mut field_names = HashSet::new();
        for (j, field) in entity.fields.iter().enumerate() {
            let path = format!("app.entities[{i}].fields[{j}]");
            text(&mut problems, format!("{path}.name"), &field.name, 100);
            if let Some(kind) = &field.kind {
                text(&mut problems, format!("{path}.type"), kind, 40);
            }
            if !field_names.insert(field.name.to_lowercase()) {
                problems
                    .push(format!("{path}.name: \"{}\" already has a field called \"{}\"", entity.name, field.name));
            }
        }
    }
    let zone = match value.get("time_zone") {
        None | Some(Value::Null) => None,
        Some(Value::String(z)) if z.parse::<chrono_tz::Tz>().is_ok() => Some(z.clone()),
        Some(other) => {
            problems.push(format!(
                "app.time_zone: {other} is not a time zone name such as \"Europe/Paris\" or \"America/New_York\""
            ));
            None
        }
    };
    if problems.is_empty() { Ok((structure, zone)) } else { Err(problems) }
}

/// Validates and stores; answers what is now stored.
pub async fn save(store: &Store, app: &AppRow, value: &Value) -> Result<Value, EditError> {
    let (structure, zone) = validate(value).map_err(EditError::Invalid)?;
    store.update_app_structure(app.id, &structure.to_json()).await?;
    if let Some(zone) = &zone {
        store.set_app_time_zone(app.id, zone).await?;
    }
    let stored = store.app(app.id).await?.ok_or(StoreError::NotFound)?;
    Ok(stored_json(&stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_named_by_its_place() {
        let problems = validate(&json!({
            "entities": [
                {"name": "Deal", "fields": ["amount", "Amount"]},
                {"name": "deal"}
            ],
            "time_zone": "Mars/Olympus"
        }))
        .unwrap_err();
        assert!(problems.iter().any(|p| p.starts_with("app.entities[0].fields[1].name")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("app.entities[1].name")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("app.time_zone")), "{problems:?}");
    }

    #[test]
    fn a_good_structure_with_its_zone_passes() {
        let (s, zone) =
            validate(&json!({"entities": [{"name": "Task", "fields": ["title"]}], "time_zone": "Europe/Paris"}))
                .unwrap();
        assert_eq!(s.entities.len(), 1);
        assert_eq!(zone.as_deref(), Some("Europe/Paris"));
    }
}
