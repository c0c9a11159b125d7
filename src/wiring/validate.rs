//! Validation: every operation exists in the catalog and is used as what it is (trigger or
//! action), every required input is mapped, every entity, field, page, step and setting a
//! definition names exists where it is used, and the scopes the steps need are held by the
//! app's connections. The report decides the stored status: a flow lacking permissions is
//! `blocked` until the builder grants them.

use super::access::{self, Grants, MissingAccess};
use super::definition::*;
use super::problems::Problem;
use super::refs::{self, Reference};
use super::{cron, fields};
use crate::app::{AppStructure, Entity};
use crate::catalog::{Catalog, Operation};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A stored flow's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    /// Generated or edited, waiting for review and activation.
    Draft,
    Active,
    /// Needs permissions (or a connection) the app does not have yet.
    Blocked,
}

impl FlowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Active, Self::Blocked].into_iter().find(|s| s.as_str() == raw)
    }
}

/// What validation found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub problems: Vec<Problem>,
    /// Scopes needed per connector (from the catalog).
    pub needs: BTreeMap<String, BTreeSet<String>>,
    /// What the app's connections lack; empty when they were not checked.
    pub missing: Vec<MissingAccess>,
    /// Connectors the app's owner has blocked, one sentence each ("The app's owner has
    /// blocked Gmail for shared connections."): the flow cannot run until unblocked.
    pub refused: Vec<String>,
    /// False when no connection information was given (e.g. `patchbay flow validate`).
    pub access_checked: bool,
    /// Labels of the settings still without a value.
    pub unset_settings: Vec<String>,
}

impl Report {
    /// The definition is sound: it may be stored and shown, and activated once access and
    /// settings are complete.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn is_blocked(&self) -> bool {
        !self.missing.is_empty() || !self.refused.is_empty()
    }

    pub fn can_activate(&self) -> bool {
        self.is_valid() && self.access_checked && !self.is_blocked() && self.unset_settings.is_empty()
    }

    /// The status a flow with this report is stored with (activation is a separate step).
    pub fn status(&self) -> FlowStatus {
        if self.is_blocked() { FlowStatus::Blocked } else { FlowStatus::Draft }
    }

    /// Why the flow cannot run yet, in words; `None` when nothing stands in the way.
    pub fn status_reason(&self) -> Option<String> {
        if !self.refused.is_empty() {
            return Some(self.refused.join(" "));
        }
        if self.is_blocked() {
            let each: Vec<String> = self.missing.iter().map(ToString::to_string).collect();
            return Some(format!("blocked: needs additional permissions ({})", each.join("; ")));
        }
        if let Some(first) = self.problems.first() {
            let more = match self.problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Some(format!("needs changes: {first}{more}"));
        }
        (!self.unset_settings.is_empty())
            .then(|| format!("choose before activating: {}", self.unset_settings.join("; ")))
    }
}

/// Validates a definition against the catalog, the app's structure (entities, fields and
/// pages are checked only when it is given) and the connections' grants (checked only
/// when given).
pub fn validate(
    def: &FlowDefinition,
    catalog: &Catalog,
    app: Option<&AppStructure>,
    grants: Option<&Grants>,
) -> Report {
    let scheduled = matches!(def.trigger, FlowTrigger::Schedule(_));
    let mut c =
        Checker { catalog, app, problems: Vec::new(), settings: BTreeSet::new(), record: Record::None, scheduled };
    c.flow(def);
    let needs = access::needed(def, catalog);
    let missing = grants.map(|g| access::missing(&needs, g)).unwrap_or_default();
    let refused = grants.map(|g| g.refusals(&needs)).unwrap_or_default();
    let unset_settings = def.settings.iter().filter(|s| is_blank(s.value.as_ref())).map(|s| s.label.clone()).collect();
    Report { problems: c.problems, needs, missing, refused, access_checked: grants.is_some(), unset_settings }
}

/// What `{{trigger.record.x}}` may name.
enum Record<'a> {
    None,
    Entity { entity: Option<&'a Entity>, name: String, previous: bool },
    Outputs { operation: String, outputs: Vec<String> },
}

struct Checker<'a> {
    catalog: &'a Catalog,
    app: Option<&'a AppStructure>,
    problems: Vec<Problem>,
    settings: BTreeSet<String>,
    record: Record<'a>,
    scheduled: bool,
}

/// What each earlier step offers to later ones.
struct Earlier<'d> {
    id: &'d str,
    outputs: Option<&'static [&'static str]>,
    entity: Option<&'d str>,
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

impl<'a> Checker<'a> {
    fn flow(&mut self, def: &'a FlowDefinition) {
        if def.format != FORMAT {
            self.problems.push(Problem::UnknownFormat { found: def.format.clone() });
        }
        if def.name.trim().is_empty() {
            self.problems.push(Problem::EmptyName);
        }
        for s in &def.settings {
            if !self.settings.insert(s.name.clone()) {
                self.problems.push(Problem::DuplicateSetting { name: s.name.clone() });
            }
        }
        self.trigger(&def.trigger);
        if def.steps.is_empty() {
            self.problems.push(Problem::NoSteps);
        }
        let mut earlier: Vec<Earlier<'_>> = Vec::new();
        for step in &def.steps {
            let id = step.id();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                self.problems.push(Problem::BadStepId { id: id.to_owned() });
            }
            if earlier.iter().any(|e| e.id == id) {
                self.problems.push(Problem::DuplicateStepId { id: id.to_owned() });
            }
            let at = format!("step '{id}'");
            let offered = self.step(step, &at, &earlier);
            earlier.push(offered);
        }
    }

    fn trigger(&mut self, trigger: &'a FlowTrigger) {
        let at = "the trigger";
        match trigger {
            FlowTrigger::Schedule(s) => {
                if let Err(why) = cron::check(&s.cron) {
                    self.problems.push(Problem::BadCron { cron: s.cron.clone(), why });
                }
                if s.time_zone.parse::<chrono_tz::Tz>().is_err() {
                    self.problems.push(Problem::BadTimeZone { zone: s.time_zone.clone() });
                }
            }
            FlowTrigger::EntityEvent(e) => {
                let entity = self.entity(&e.entity);
                if e.change == EntityChange::FieldChanged && e.field.is_none() {
                    self.problems.push(Problem::NoChangedField { entity: e.entity.clone() });
                }
                if let (Some(ent), Some(field)) = (entity, &e.field) {
                    self.field(ent, field);
                }
                self.conditions(&e.filter, entity, at, &[]);
                let previous = matches!(e.change, EntityChange::Updated | EntityChange::FieldChanged);
                self.record = Record::Entity { entity, name: e.entity.clone(), previous };
            }
            FlowTrigger::Connector(t) => {
                let op = self.operation(at, &t.operation, &t.connection, true);
                if let Some(op) = op {
                    self.inputs(at, &t.operation, op, &t.config, &[]);
                    self.declared(at, &t.operation, op, &t.scopes);
                    self.record = Record::Outputs { operation: t.operation.clone(), outputs: op.outputs.clone() };
                }
            }
            FlowTrigger::Button(b) => {
                if let (Some(app), Some(page)) = (self.app, &b.page)
                    && !app.pages.iter().any(|p| p.eq_ignore_ascii_case(page))
                {
                    self.problems.push(Problem::UnknownPage { page: page.clone(), known: app.pages.clone() });
                }
            }
        }
    }

    fn step<'d>(&mut self, step: &'d Step, at: &str, earlier: &[Earlier<'_>]) -> Earlier<'d> {
        match step {
            Step::Query(q) => {
                let entity = self.entity(&q.entity);
                self.conditions(&q.filter, entity, at, earlier);
                if let (Some(ent), Some(sort)) = (entity, &q.sort) {
                    self.field(ent, &sort.field);
                }
                Earlier { id: &q.id, outputs: Some(&["items", "count"]), entity: Some(&q.entity) }
            }
            Step::Transform(t) => {
                self.text(&t.from, at, earlier);
                let source = refs::whole(&t.from);
                match &source {
                    Some(Reference::Step { id, .. }) => {
                        let queried = earlier.iter().find(|e| e.id == id).and_then(|e| e.entity);
                        if let Some(ent) = queried.and_then(|name| self.app.and_then(|a| a.entity(name))) {
                            for f in &t.fields {
                                self.field(ent, f);
                            }
                        }
                    }
                    Some(_) => {}
                    None => self.problems.push(Problem::BadReference {
                        at: at.to_owned(),
                        reference: t.from.clone(),
                        why: "should be one reference to a list, e.g. {{steps.open_tasks.items}}".into(),
                    }),
                }
                Earlier { id: &t.id, outputs: Some(&["text", "html"]), entity: None }
            }
            Step::Action(a) => {
                if let Some(op) = self.operation(at, &a.operation, &a.connection, false) {
                    self.inputs(at, &a.operation, op, &a.inputs, earlier);
                    self.declared(at, &a.operation, op, &a.scopes);
                } else {
                    for v in a.inputs.values() {
                        self.value(v, at, earlier);
                    }
                }
                // The catalog declares no outputs for actions: any name is accepted.
                Earlier { id: &a.id, outputs: None, entity: None }
            }
            Step::Save(s) => {
                let entity = self.entity(&s.entity);
                if let Some(ent) = entity {
                    for f in s.values.keys().chain(s.match_on.iter()) {
                        self.field(ent, f);
                    }
                }
                for v in s.values.values() {
                    self.value(v, at, earlier);
                }
                Earlier { id: &s.id, outputs: Some(&["record"]), entity: Some(&s.entity) }
            }
        }
    }

    fn entity(&mut self, name: &str) -> Option<&'a Entity> {
        let app = self.app?;
        let found = app.entity(name);
        if found.is_none() {
            let known = app.entities.iter().map(|e| e.name.clone()).collect();
            self.problems.push(Problem::UnknownEntity { entity: name.to_owned(), known });
        }
        found
    }

    fn field(&mut self, entity: &Entity, field: &str) {
        if !fields::exists(entity, field) {
            self.problems.push(Problem::UnknownField { entity: entity.name.clone(), field: field.to_owned() });
        }
    }

    fn conditions(&mut self, conditions: &[Condition], entity: Option<&Entity>, at: &str, earlier: &[Earlier<'_>]) {
        for cond in conditions {
            if let Some(ent) = entity {
                self.field(ent, &cond.field);
            }
            if cond.op.needs_value() && is_blank(cond.value.as_ref()) {
                self.problems.push(Problem::MissingConditionValue { field: cond.field.clone() });
            }
            if let Some(v) = &cond.value {
                self.value(v, at, earlier);
            }
        }
    }

    fn operation(&mut self, at: &str, id: &str, conn: &ConnectionRef, trigger: bool) -> Option<&'a Operation> {
        let found = access::operation(self.catalog, id, trigger);
        if found.is_none() {
            let problem = match access::operation(self.catalog, id, !trigger) {
                Some(_) => Problem::WrongOperationKind { at: at.into(), operation: id.into(), is_trigger: !trigger },
                None => Problem::UnknownOperation { at: at.into(), operation: id.into() },
            };
            self.problems.push(problem);
        }
        let prefix = id.split_once('.').map_or(id, |(c, _)| c);
        if found.is_some() && prefix != conn.connector {
            self.problems.push(Problem::ConnectionMismatch {
                at: at.into(),
                operation: id.into(),
                connector: conn.connector.clone(),
            });
        }
        found
    }

    fn inputs(&mut self, at: &str, id: &str, op: &Operation, given: &BTreeMap<String, Value>, earlier: &[Earlier<'_>]) {
        for name in given.keys() {
            if !op.inputs.iter().any(|i| &i.name == name) {
                self.problems.push(Problem::UnknownInput { at: at.into(), operation: id.into(), input: name.clone() });
            }
        }
        for input in op.inputs.iter().filter(|i| i.required) {
            if is_blank(given.get(&input.name)) {
                self.problems.push(Problem::MissingInput {
                    at: at.into(),
                    operation: id.into(),
                    input: input.name.clone(),
                });
            }
        }
        for v in given.values() {
            self.value(v, at, earlier);
        }
    }

    fn declared(&mut self, at: &str, id: &str, op: &Operation, scopes: &[String]) {
        let lacking: Vec<String> = op.scopes.iter().filter(|s| !scopes.contains(s)).cloned().collect();
        if !lacking.is_empty() {
            self.problems.push(Problem::UndeclaredScopes { at: at.into(), operation: id.into(), scopes: lacking });
        }
    }

    fn value(&mut self, value: &Value, at: &str, earlier: &[Earlier<'_>]) {
        for found in refs::in_value(value) {
            match found {
                Ok(r) => self.reference(&r, at, earlier),
                Err(unknown) => self.problems.push(Problem::UnknownReference { at: at.into(), reference: unknown.0 }),
            }
        }
    }

    fn text(&mut self, text: &str, at: &str, earlier: &[Earlier<'_>]) {
        self.value(&Value::String(text.to_owned()), at, earlier);
    }

    fn reference(&mut self, r: &Reference, at: &str, earlier: &[Earlier<'_>]) {
        let bad = |why: String| Problem::BadReference { at: at.into(), reference: r.render(), why };
        let problem = match (r, &self.record) {
            (Reference::TriggerRecord(_) | Reference::TriggerPrevious(_), Record::None) => {
                Some(bad("refers to a trigger record, but this trigger starts runs without one".into()))
            }
            (Reference::TriggerPrevious(_), Record::Entity { previous: false, .. } | Record::Outputs { .. }) => {
                Some(bad("refers to a previous value, but the trigger is not a change to a record".into()))
            }
            (Reference::TriggerRecord(f) | Reference::TriggerPrevious(f), Record::Entity { entity, name, .. }) => {
                match entity {
                    Some(e) if !fields::exists(e, f) => {
                        Some(Problem::UnknownField { entity: name.clone(), field: f.clone() })
                    }
                    _ => None,
                }
            }
            (Reference::TriggerRecord(f), Record::Outputs { operation, outputs }) => (!outputs.contains(f))
                .then(|| bad(format!("is not an output of '{operation}' (it has {})", outputs.join(", ")))),
            (Reference::Step { id, output }, _) => match earlier.iter().find(|e| e.id == id) {
                None => Some(bad("refers to no earlier step".into())),
                Some(Earlier { outputs: Some(outs), .. }) if !outs.contains(&output.as_str()) => {
                    Some(bad(format!("is not an output of step '{id}' (it has {})", outs.join(", "))))
                }
                _ => None,
            },
            (Reference::PeriodStart, _) if !self.scheduled => {
                Some(bad("is the start of the period between scheduled runs, but this flow runs on no schedule".into()))
            }
            (Reference::Setting(name), _) if !self.settings.contains(name) => {
                Some(Problem::UnknownSetting { at: at.into(), name: name.clone() })
            }
            _ => None,
        };
        self.problems.extend(problem);
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
