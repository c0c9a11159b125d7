//! The structure as a plain form: pages one per line, and per entity a name and its
//! fields one per line ("due_date: date"). Works without JavaScript; an empty row at the
//! end adds an entity. Problems found by `structure_edit::validate` come back to the row
//! they belong to.

use crate::app::AppStructure;
use serde_json::{Value, json};

/// One entity row of the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntityRow {
    pub name: String,
    pub fields: String,
    pub problems: Vec<String>,
}

/// What the form shows: the rows, plus one empty row to add an entity.
pub fn rows_of(structure: &AppStructure) -> (String, Vec<EntityRow>) {
    let pages = structure.pages.join("\n");
    let mut rows: Vec<EntityRow> = structure
        .entities
        .iter()
        .map(|e| EntityRow {
            name: e.name.clone(),
            fields: e
                .fields
                .iter()
                .map(|f| match &f.kind {
                    Some(k) => format!("{}: {k}", f.name),
                    None => f.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            problems: Vec::new(),
        })
        .collect();
    rows.push(EntityRow::default());
    (pages, rows)
}

/// Reads the submitted form (`pages`, `entity_N_name`, `entity_N_fields`) into rows and
/// the structure JSON to validate, keeping what the stored structure has beyond
/// pages and entities (flows, functions, connected tools).
pub fn read(pairs: &[(String, String)], stored: &AppStructure) -> (String, Vec<EntityRow>, Value) {
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let pages = get("pages");
    let mut rows = Vec::new();
    for i in 0.. {
        let (name_key, fields_key) = (format!("entity_{i}_name"), format!("entity_{i}_fields"));
        if !pairs.iter().any(|(k, _)| *k == name_key || *k == fields_key) {
            break;
        }
        rows.push(EntityRow { name: get(&name_key).trim().to_owned(), fields: get(&fields_key), problems: Vec::new() });
    }
    let entities: Vec<Value> = rows
        .iter()
        .filter(|r| !r.name.is_empty() || !r.fields.trim().is_empty())
        .map(|r| json!({"name": r.name, "fields": r.fields.lines().filter_map(field_of).collect::<Vec<_>>()}))
        .collect();
    let mut value = serde_json::to_value(stored).unwrap_or_else(|_| json!({}));
    value["pages"] = json!(pages.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>());
    value["entities"] = Value::Array(entities);
    (pages, rows, value)
}

fn field_of(line: &str) -> Option<Value> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    Some(match line.split_once(':') {
        Some((name, kind)) if !kind.trim().is_empty() => json!({"name": name.trim(), "type": kind.trim()}),
        Some((name, _)) => json!(name.trim()),
        None => json!(line),
    })
}

/// Puts each problem on the row it names (`app.entities[i]…`, counted over the rows that
/// were not blank); the rest are for the form as a whole.
pub fn place_problems(rows: &mut [EntityRow], problems: Vec<String>) -> Vec<String> {
    let filled: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.name.is_empty() || !r.fields.trim().is_empty())
        .map(|(i, _)| i)
        .collect();
    let mut general = Vec::new();
    for problem in problems {
        let row = problem
            .strip_prefix("app.entities[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| filled.get(n).copied());
        match row {
            Some(r) => rows[r].problems.push(readable(&problem)),
            None => general.push(readable(&problem)),
        }
    }
    general
}

/// "app.entities[0].fields[2].name: is empty" → "field 3 name: is empty".
fn readable(problem: &str) -> String {
    let Some((path, what)) = problem.split_once(": ") else { return problem.to_owned() };
    let place = match path.find(".fields[") {
        Some(at) => {
            let rest = &path[at + ".fields[".len()..];
            let n = rest.split(']').next().and_then(|n| n.parse::<usize>().ok()).map_or(0, |n| n + 1);
            format!("field line {n}")
        }
        None if path.starts_with("app.entities[") => "entity name".to_owned(),
        None if path.starts_with("app.pages") => "pages".to_owned(),
        None => path.trim_start_matches("app.").replace('_', " "),
    };
    format!("{place}: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_form_reads_fields_with_and_without_types_and_skips_the_empty_row() {
        let (_, rows, value) = read(
            &pairs(&[
                ("pages", "Deals\n\nReports"),
                ("entity_0_name", "Deal"),
                ("entity_0_fields", "title\namount: number\n"),
                ("entity_1_name", ""),
                ("entity_1_fields", ""),
            ]),
            &AppStructure::default(),
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(value["pages"], json!(["Deals", "Reports"]));
        assert_eq!(
            value["entities"],
            json!([{"name": "Deal", "fields": ["title", {"name": "amount", "type": "number"}]}])
        );
    }

    #[test]
    fn problems_land_on_their_row() {
        let mut rows =
            vec![EntityRow { name: "Deal".into(), fields: "a\na".into(), problems: vec![] }, EntityRow::default()];
        let general = place_problems(
            &mut rows,
            vec!["app.entities[0].fields[1].name: already there".into(), "app.time_zone: bad".into()],
        );
        assert_eq!(rows[0].problems, vec!["field line 2: already there"]);
        assert_eq!(general, vec!["time zone: bad"]);
    }
}
