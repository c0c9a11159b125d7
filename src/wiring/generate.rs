//! Generation: from a routed request, the app's structure and time zone, the requesting
//! user and the catalog, to a flow definition — or to what stands in the way of one (a
//! question for the builder). Deterministic: the same request gives the same flow, so
//! the chat can regenerate it freely. Every part of the request ends up in the flow, in
//! a question, or in a note that says in words what the flow does instead.

use super::actions::{self, Act};
use super::definition::*;
use super::explain::Unbuildable;
use super::inputs::{Record, Sources};
use super::listing::{self, Listing};
use super::start::{self, Scene, Start};
use super::{lexicon, named, steps};
use crate::app::{AppStructure, Entity};
use crate::catalog::{Capability, Catalog};
use crate::intent::event::{self, is_weak};
use crate::intent::text::Text;
use crate::intent::{data, schedule, targets};
use crate::ranking::RouteResult;

/// Everything generation reads besides the route.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub app: &'a AppStructure,
    /// The app's IANA time zone: schedules run in it unless the request names another.
    /// Empty when the app has none.
    pub time_zone: &'a str,
    /// The requesting user's email address: who "me" is. Empty when unknown (the command
    /// line): then "me" becomes a setting.
    pub requester: &'a str,
    /// The chat message as typed.
    pub request: &'a str,
    pub message_id: Option<i64>,
}

/// What generation made of the request: the flow, what stands in its way, and notes.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub flow: Option<FlowDefinition>,
    pub blocker: Option<Unbuildable>,
    /// What the flow does differently from the words, or assumes, said in words.
    pub notes: Vec<String>,
}

impl Plan {
    fn blocked(why: Unbuildable, notes: Vec<String>) -> Self {
        Self { flow: None, blocker: Some(why), notes }
    }
}

/// The setting "me" becomes when the requester is not known.
const MY_EMAIL: &str = "{{settings.my_email}}";
/// Words that ask for records of an app entity to go somewhere on a schedule.
const SUMMARY_WORDS: [&str; 5] = ["summary", "digest", "recap", "report", "update"];

/// Builds the flow the request asks for.
pub fn generate(route: &RouteResult, ctx: &Context<'_>) -> Result<FlowDefinition, Unbuildable> {
    let plan = plan(route, ctx);
    match (plan.flow, plan.blocker) {
        (_, Some(why)) => Err(why),
        (Some(flow), None) => Ok(flow),
        (None, None) => Err(Unbuildable::NoTrigger),
    }
}

/// Reads the request into a flow, or into what stands in the way of one.
pub fn plan(route: &RouteResult, ctx: &Context<'_>) -> Plan {
    let language = lexicon::read(ctx.request, ctx.app);
    let english = match &language {
        lexicon::Reading::Translated { english, .. } => english.as_str(),
        _ => ctx.request,
    };
    let mut plan = plan_english(route, ctx, english);
    match language {
        lexicon::Reading::Translated { language, english } => {
            plan.notes.insert(0, format!("Read from {} as: \"{}\".", language.name(), english.trim()));
        }
        lexicon::Reading::Unknown => {
            let tools: Vec<String> = named::tools(&Text::new(ctx.request), ctx.catalog, ctx.app)
                .iter()
                .map(|m| m.connector.name.clone())
                .collect();
            let said = Unbuildable::Language { tools };
            match plan.blocker {
                Some(_) => plan.blocker = Some(said),
                None => plan.notes.insert(0, said.to_string()),
            }
        }
        lexicon::Reading::English => {}
    }
    plan
}

/// `plan` on the request in English.
fn plan_english(route: &RouteResult, ctx: &Context<'_>, request: &str) -> Plan {
    let text = Text::new(request);
    let found = schedule::find(&text.lower);
    let when: Vec<(usize, usize)> = found.as_ref().map(|f| f.spans.clone()).unwrap_or_default();
    let event = event::find_folded(&text.lower, &text.original);
    let me = if ctx.requester.is_empty() { MY_EMAIL } else { ctx.requester };
    let scene = Scene {
        catalog: ctx.catalog,
        app: ctx.app,
        text: &text,
        route,
        data: data::find(&text, ctx.app, &when),
        me,
        when: when.clone(),
    };
    let mut notes = Vec::new();
    // Next to a schedule, "for each overdue task" picks records; it does not start runs.
    let event = event.filter(|e| !(found.is_some() && is_weak(e)));
    // "send new Shopify orders to a sheet": a tool's new records start the flow even
    // without "when".
    let event = event.or_else(|| if found.is_none() { tool_event(&text, ctx) } else { None });
    // "post every new video to our page": an event said as the order's object is read for
    // the order too.
    let object = event.as_ref().is_some_and(|e| e.end == e.start || inside_an_order(&text, e));
    // A schedule cron cannot hold is asked about even next to an event: dropping it would
    // run the flow at another time than the one asked for.
    let unsupported = found.as_ref().and_then(|f| f.schedule.unsupported.as_ref().map(|r| (f, r)));
    let started = match (&event, &found, unsupported) {
        (_, _, Some((f, reason))) => {
            Some(Err(Unbuildable::UnsupportedSchedule { text: f.schedule.text.clone(), reason: reason.clone() }))
        }
        (Some(e), _, None) => Some(start::from_event(e, &scene)),
        (None, Some(f), None) => Some(Ok(Start::Schedule { cron: f.schedule.cron.clone() })),
        (None, None, None) => None,
    };
    let trigger_connector = match &started {
        Some(Ok(Start::Connector { connector, .. })) => Some(connector.id.as_str()),
        _ => None,
    };
    let reading = actions::Reading {
        catalog: ctx.catalog,
        app: ctx.app,
        route,
        event: event.as_ref().filter(|_| !object).map(|e| (e.start, e.end)),
        when: when.clone(),
        trigger_connector,
    };
    let acts = steps::with_routed(actions::read(&text, &reading), route, &text, &reading);
    if let Some(Act::Outside { tool, capability, .. }) = acts.iter().find(|a| matches!(a, Act::Outside { .. })) {
        return Plan::blocked(outside(tool, *capability, ctx.catalog), notes);
    }
    let sends = acts.iter().any(|a| matches!(a, Act::Call { op, .. } if matches!(op.capability, Capability::Email | Capability::Chat | Capability::Sms)));
    let writes = acts.iter().any(|a| matches!(a, Act::Call { reads: false, .. } | Act::Save { .. }));
    let start = match started {
        Some(Ok(s)) => s,
        Some(Err(Unbuildable::MissingData { mention, entities, .. })) => {
            return Plan::blocked(Unbuildable::MissingData { mention, entities, sends }, notes);
        }
        Some(Err(why)) => return Plan::blocked(why, notes),
        None if !writes && acts.is_empty() => return Plan::blocked(no_start(&text, route, ctx), notes),
        None if !writes => return Plan::blocked(not_a_flow(route, ctx.catalog), notes),
        None => match scene.data_entity(sends) {
            // "email me my overdue tasks": a list to send, but never said when.
            Ok(Some(entity)) if sends && lists(&scene, entity) => {
                let one = entity.name.to_lowercase();
                let options = vec![
                    "Every morning at 08:00".into(),
                    "Every Monday at 08:00".into(),
                    format!("Each time a {one} is added"),
                ];
                return Plan::blocked(Unbuildable::WhenToRun { options }, notes);
            }
            Ok(Some(entity)) => match start::each_new(entity, &scene) {
                Ok(s) => s,
                Err(why) => return Plan::blocked(why, notes),
            },
            Ok(None) => return Plan::blocked(Unbuildable::NoTrigger, notes),
            Err(why) => return Plan::blocked(why, notes),
        },
    };
    if let Some(f) = &found {
        notes.extend(f.schedule.assumed.iter().map(|a| format!("The schedule is an assumption: {a}.")));
    }
    let time_zone = time_zone(found.as_ref().and_then(|f| f.schedule.time_zone.as_deref()), ctx, &start, &mut notes);
    let words: Vec<String> = text.tokens.iter().map(|t| t.lower.clone()).collect();
    let reminder = reminder(&text);
    let mut settings = Vec::new();
    let mut listing: Option<Listing> = None;
    let reads = acts.iter().any(|a| matches!(a, Act::Call { reads: true, .. }));
    let (trigger, record) = match &start {
        Start::Schedule { cron } => {
            let entity = match scene.data_entity(sends) {
                Ok(Some(e)) => Some(e),
                Ok(None) if reads || reminder.is_some() => None,
                Ok(None) => match only_entity(ctx.app, &words) {
                    Ok(e) => Some(e),
                    Err(why) => return Plan::blocked(why, notes),
                },
                Err(why) => return Plan::blocked(why, notes),
            };
            if let Some(e) = entity {
                match list(e, &words, &listing::period_of(cron), &scene, &mut notes) {
                    Ok(l) => listing = Some(l),
                    Err(why) => return Plan::blocked(why, notes),
                }
            }
            (FlowTrigger::Schedule(ScheduleTrigger { cron: cron.clone(), time_zone: time_zone.clone() }), Record::None)
        }
        Start::Condition { entity, check, subject } => {
            listing = Some(listing::build(entity, &words, "P1D", Some(*check), subject.as_deref(), Vec::new()));
            let trigger = ScheduleTrigger { cron: "0 8 * * *".into(), time_zone: time_zone.clone() };
            (FlowTrigger::Schedule(trigger), Record::None)
        }
        Start::Record(r) => {
            notes.extend(r.notes.iter().cloned());
            let trigger = FlowTrigger::EntityEvent(EntityEvent {
                entity: r.entity.name.clone(),
                change: r.change,
                field: r.field.clone(),
                to: r.to.clone(),
                filter: r.filter.clone(),
            });
            (trigger, Record::Entity { entity: r.entity, headline: r.headline.clone() })
        }
        Start::Connector { connector, op, event } => {
            let config = steps::config(connector, op, event, &text, &scene, &mut settings);
            notes.extend(steps::unsaid_conditions(event, &scene));
            let trigger = FlowTrigger::Connector(ConnectorTrigger {
                operation: format!("{}.{}", connector.id, op.id),
                connection: ConnectionRef::shared(connector.id.as_str()),
                config,
                scopes: op.scopes.clone(),
            });
            (trigger, Record::Outputs(&op.outputs))
        }
        Start::Button { label, page } => {
            if let Some(p) = page.as_ref().filter(|p| !ctx.app.pages.iter().any(|x| x.eq_ignore_ascii_case(p))) {
                notes.push(format!("The app has no {p} page yet: the button is placed there once it exists."));
            }
            if let Ok(Some(e)) = scene.data_entity(sends) {
                match list(e, &words, "P1D", &scene, &mut notes) {
                    Ok(l) => listing = Some(l),
                    Err(why) => return Plan::blocked(why, notes),
                }
            }
            (FlowTrigger::Button(ButtonTrigger { label: label.clone(), page: page.clone() }), Record::None)
        }
    };
    let mut steps_out = Vec::new();
    if let Some(l) = &listing {
        steps_out.push(Step::Query(l.query.clone()));
        steps_out.push(Step::Transform(l.render.clone()));
        if l.threshold {
            settings.push(Setting {
                name: "threshold".into(),
                label: "Below (or above) which value should it alert?".into(),
                kind: "number".into(),
                value: None,
            });
        }
    }
    let name = name_of(ctx.request);
    let fallback_title = match &start {
        Start::Button { label, .. } => label.clone(),
        _ => name.clone(),
    };
    let tools: Vec<String> =
        named::tools(&text, ctx.catalog, ctx.app).iter().map(|m| m.connector.name.clone()).collect();
    let targets = targets::find(&text);
    let sources = Sources {
        record,
        list: listing.as_ref().map(|l| (l.text_ref(), l.heading.clone())),
        read: None,
        targets: &targets,
        requester: me,
        scheduled: matches!(start, Start::Schedule { .. } | Start::Condition { .. }),
        fallback_title,
        clause: "",
        tools: &tools,
        missing: Default::default(),
        each: each_person(&text),
        per_person: Default::default(),
        said: Default::default(),
        message: reminder.clone(),
    };
    let trigger_entity = match &start {
        Start::Record(r) => Some(r.entity.name.as_str()),
        _ => None,
    };
    let (wrote, missing, per_person) =
        steps::append(&acts, sources, trigger_entity, &mut steps_out, &mut settings, &mut notes);
    if let Some(who) = per_person {
        return Plan::blocked(Unbuildable::PerPerson { who }, notes);
    }
    if let Some((entity, field)) = missing.into_iter().next() {
        return Plan::blocked(Unbuildable::MissingField { entity, field }, notes);
    }
    if !wrote {
        match &start {
            // "When a new email with the label Invoices arrives, create a task".
            Start::Connector { connector, op, .. } => match scene.data_entity(sends) {
                Ok(Some(entity)) => steps_out.push(Step::Save(steps::save(entity, &op.outputs, &steps_out, None))),
                _ => return Plan::blocked(Unbuildable::NothingToDo { connector: connector.name.clone() }, notes),
            },
            _ => return Plan::blocked(not_a_flow(route, ctx.catalog), notes),
        }
    }
    if me == MY_EMAIL && uses(&steps_out, &trigger, MY_EMAIL) {
        settings.push(Setting {
            name: "my_email".into(),
            label: "Your email address".into(),
            kind: "email".into(),
            value: None,
        });
    }
    let flow = FlowDefinition {
        format: FORMAT.to_owned(),
        name,
        source_message_id: ctx.message_id,
        request: Some(ctx.request.trim().to_owned()),
        trigger,
        steps: steps_out,
        settings,
    };
    Plan { flow: Some(flow), blocker: None, notes }
}

/// The records a scheduled flow lists, with the conditions the request puts on them.
fn list(
    entity: &Entity,
    words: &[String],
    period: &str,
    scene: &Scene<'_>,
    notes: &mut Vec<String>,
) -> Result<Listing, Unbuildable> {
    let (conditions, said) = scene.conditions(entity, &[])?;
    notes.extend(said);
    Ok(listing::build(entity, words, period, None, None, conditions))
}

#[path = "generate_help.rs"]
mod help;
use help::*;

/// The request as the flow's name: one line, at most 80 characters, no final stop.
pub fn name_of(request: &str) -> String {
    let one_line = request.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim_end_matches(['.', '!', '?']).trim();
    let mut name = if trimmed.chars().count() > 80 {
        let cut: String = trimmed.chars().take(80).collect();
        let at = cut.rfind(' ').unwrap_or(cut.len());
        format!("{}…", &cut[..at])
    } else {
        trimmed.to_owned()
    };
    if let Some(first) = name.chars().next() {
        name.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    if name.is_empty() { "Untitled flow".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_the_flow() {
        assert_eq!(name_of("send me a daily email.\n"), "Send me a daily email");
        let long = "word ".repeat(30);
        assert!(name_of(&long).ends_with('…') && name_of(&long).chars().count() <= 81);
        assert_eq!(name_of("   "), "Untitled flow");
    }
}
