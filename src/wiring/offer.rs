//! The offer that turns "this app has no deals" into one click: the entity (or field)
//! the request needs, with the fields such records usually have, ready to add to the
//! app's structure, after which the flow is wired again. A view of the change, and the
//! change itself; no storage here.

use super::explain::Unbuildable;
use super::fields;
use crate::app::{AppStructure, Entity, Field};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What the builder can add with one click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The button: "Add a Deal entity (title, amount, stage, close date) to this app".
    pub label: String,
    #[serde(flatten)]
    pub add: Addition,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addition {
    /// A new entity with its fields.
    Entity(Entity),
    /// One field on an entity the app has.
    Field { entity: String, field: Field },
}

/// A field's name and type ("" for text).
type FieldSpec = (&'static str, &'static str);

/// The fields records of a common kind have, by the kind's singular name.
const KINDS: &[(&[&str], &[FieldSpec])] = &[
    (
        &["deal", "opportunity"],
        &[("title", ""), ("amount", "number"), ("stage", ""), ("close_date", "date"), ("contact_email", "email")],
    ),
    (
        &["invoice", "bill"],
        &[("number", ""), ("customer_email", "email"), ("amount", "number"), ("due_date", "date"), ("paid", "boolean")],
    ),
    (
        &["order", "purchase", "sale"],
        &[("number", ""), ("customer_email", "email"), ("total", "number"), ("status", "")],
    ),
    (
        &["customer", "client", "contact", "lead", "prospect"],
        &[("name", ""), ("email", "email"), ("phone", ""), ("company", ""), ("status", "")],
    ),
    (
        &["ticket", "request", "issue", "incident", "bug", "case"],
        &[("subject", ""), ("description", "text"), ("priority", ""), ("status", ""), ("requester_email", "email")],
    ),
    (
        &["task", "todo", "to-do", "chore", "errand"],
        &[("title", ""), ("due_date", "date"), ("completed", "boolean"), ("assignee", "")],
    ),
    (
        &["booking", "appointment", "reservation"],
        &[("title", ""), ("starts_at", "datetime"), ("customer_email", "email"), ("status", "")],
    ),
    (
        &["event", "session", "meeting", "class", "lesson"],
        &[("title", ""), ("starts_at", "datetime"), ("location", "")],
    ),
    (&["product", "item", "listing"], &[("name", ""), ("price", "number"), ("stock", "number")]),
    (
        &["user", "member", "signup", "subscriber", "employee", "student", "applicant", "candidate"],
        &[("name", ""), ("email", "email"), ("status", "")],
    ),
    (&["expense", "cost"], &[("description", ""), ("amount", "number"), ("date", "date"), ("category", "")]),
    (
        &["payment", "transaction"],
        &[("amount", "number"), ("customer_email", "email"), ("status", ""), ("paid_at", "datetime")],
    ),
    (&["project"], &[("name", ""), ("status", ""), ("deadline", "date"), ("owner_email", "email")]),
    (&["review", "feedback", "rating", "testimonial"], &[("author", ""), ("rating", "number"), ("comment", "text")]),
    (&["post", "article", "story"], &[("title", ""), ("body", "text"), ("published", "boolean")]),
];

/// The offer for what stands in the way, when adding data would clear it.
pub fn for_blocker(why: &Unbuildable, app: &AppStructure) -> Option<Offer> {
    match why {
        Unbuildable::MissingData { mention, .. } => {
            let name = fields::entity_name_for(mention);
            (!name.is_empty() && app.entity(&name).is_none()).then(|| entity_offer(&name))
        }
        Unbuildable::MissingField { entity, field } => {
            let e = app.entity(entity)?;
            (!fields::exists(e, field)).then(|| field_offer(&e.name, field))
        }
        _ => None,
    }
}

fn entity_offer(name: &str) -> Offer {
    let one = crate::intent::text::singular(&name.to_lowercase());
    let kind = KINDS.iter().find(|(names, _)| names.contains(&one.as_str())).map(|(_, f)| *f);
    let fields: Vec<Field> = match kind {
        Some(f) => {
            f.iter().map(|(n, k)| Field { name: (*n).into(), kind: (!k.is_empty()).then(|| (*k).into()) }).collect()
        }
        None => {
            vec![Field { name: "name".into(), kind: None }, Field { name: "notes".into(), kind: Some("text".into()) }]
        }
    };
    let list: Vec<String> = fields.iter().map(|f| f.name.replace('_', " ")).collect();
    let article = if name.starts_with(['A', 'E', 'I', 'O']) { "an" } else { "a" };
    Offer {
        label: format!("Add {article} {name} entity ({}) to this app", list.join(", ")),
        add: Addition::Entity(Entity { name: name.to_owned(), fields }),
    }
}

fn field_offer(entity: &str, name: &str) -> Offer {
    let kind = match name {
        n if n.ends_with("email") => Some("email"),
        n if n.ends_with("_at") => Some("datetime"),
        n if n.ends_with("date") || n == "due" || n == "deadline" => Some("date"),
        n if ["amount", "total", "price", "score", "rating", "grade", "quantity", "stock"].contains(&n) => {
            Some("number")
        }
        n if ["done", "completed", "paid", "active", "archived"].contains(&n) => Some("boolean"),
        _ => None,
    };
    Offer {
        label: format!("Add a {} field to {entity}", name.replace('_', " ")),
        add: Addition::Field {
            entity: entity.to_owned(),
            field: Field { name: name.to_owned(), kind: kind.map(str::to_owned) },
        },
    }
}

impl Offer {
    /// The app's structure with the addition; the same structure when it is there already.
    pub fn apply(&self, app: &AppStructure) -> AppStructure {
        let mut out = app.clone();
        match &self.add {
            Addition::Entity(e) if out.entity(&e.name).is_none() => out.entities.push(e.clone()),
            Addition::Field { entity, field } => {
                if let Some(e) = out.entities.iter_mut().find(|e| e.name.eq_ignore_ascii_case(entity))
                    && e.field(&field.name).is_none()
                {
                    e.fields.push(field.clone());
                }
            }
            Addition::Entity(_) => {}
        }
        out
    }
}

impl Offer {
    /// The same addition on the structure as stored (JSON), keeping every key patchbay
    /// does not read.
    pub fn apply_json(&self, raw: &mut Value) {
        if !raw.is_object() {
            *raw = json!({});
        }
        let Some(map) = raw.as_object_mut() else { return };
        let entities = map.entry("entities").or_insert_with(|| json!([]));
        if !entities.is_array() {
            *entities = json!([]);
        }
        let Some(list) = entities.as_array_mut() else { return };
        let named = |x: &Value, name: &str| {
            x.as_str().or_else(|| x.get("name").and_then(Value::as_str)).is_some_and(|n| n.eq_ignore_ascii_case(name))
        };
        match &self.add {
            Addition::Entity(e) => {
                if !list.iter().any(|x| named(x, &e.name)) {
                    list.push(serde_json::to_value(e).unwrap_or_else(|_| json!({"name": e.name})));
                }
            }
            Addition::Field { entity, field } => {
                let Some(x) = list.iter_mut().find(|x| named(x, entity)) else { return };
                if let Some(name) = x.as_str().map(str::to_owned) {
                    *x = json!({"name": name, "fields": []});
                }
                let Some(fields) = x.as_object_mut().map(|o| o.entry("fields").or_insert_with(|| json!([]))) else {
                    return;
                };
                let field_named = |f: &Value| {
                    f.as_str()
                        .or_else(|| f.get("name").and_then(Value::as_str))
                        .is_some_and(|n| n.eq_ignore_ascii_case(&field.name))
                };
                if let Some(list) = fields.as_array_mut().filter(|l| !l.iter().any(field_named)) {
                    list.push(serde_json::to_value(field).unwrap_or_else(|_| json!(field.name)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_entity_is_offered_with_the_fields_its_kind_has() {
        let app = AppStructure::from_value(&json!({"entities": ["Task"]})).unwrap();
        let why = Unbuildable::MissingData { mention: "deals".into(), entities: vec!["Task".into()], sends: true };
        let offer = for_blocker(&why, &app).expect("an offer");
        assert_eq!(offer.label, "Add a Deal entity (title, amount, stage, close date, contact email) to this app");
        let after = offer.apply(&app);
        assert_eq!(after.entity("Deal").unwrap().field("amount").unwrap().kind.as_deref(), Some("number"));
        assert_eq!(offer.apply(&after), after, "adding twice changes nothing");
        let value = serde_json::to_value(&offer).unwrap();
        assert_eq!(value["entity"]["name"], "Deal");
    }

    #[test]
    fn a_missing_field_is_offered_on_its_entity() {
        let app = AppStructure::from_value(&json!({"entities": [{"name": "Book", "fields": ["title"]}]})).unwrap();
        let why = Unbuildable::MissingField { entity: "Book".into(), field: "condition".into() };
        let offer = for_blocker(&why, &app).expect("an offer");
        assert_eq!(offer.label, "Add a condition field to Book");
        assert!(offer.apply(&app).entity("Book").unwrap().field("condition").is_some());
        assert!(for_blocker(&Unbuildable::NoTrigger, &app).is_none());
    }

    #[test]
    fn the_stored_structure_keeps_what_patchbay_does_not_read() {
        let mut raw = json!({"name": "Shelf", "theme": "dark", "entities": ["Book"]});
        let offer = field_offer("Book", "condition");
        offer.apply_json(&mut raw);
        offer.apply_json(&mut raw);
        assert_eq!(
            raw,
            json!({"name": "Shelf", "theme": "dark", "entities": [{"name": "Book", "fields": [{"name": "condition"}]}]})
        );
        let mut empty = json!(null);
        entity_offer("Deal").apply_json(&mut empty);
        assert_eq!(empty["entities"][0]["name"], "Deal");
    }
}
