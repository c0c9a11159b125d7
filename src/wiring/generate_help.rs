//! Readings of the request that generation uses to decide: the time zone, what to say
//! when no flow can be built (an outside tool, no start, only a read), which records a
//! summary covers, and whether the request lists records, sends a reminder, or addresses
//! each person one by one.

use super::{Context, SUMMARY_WORDS};
use crate::app::{AppStructure, Entity};
use crate::catalog::{Capability, Catalog};
use crate::intent::targets;
use crate::intent::text::Text;
use crate::ranking::RouteResult;
use crate::wiring::definition::{FlowTrigger, Step};
use crate::wiring::explain::Unbuildable;
use crate::wiring::named;
use crate::wiring::start::{Scene, Start};

/// The zone a schedule runs in: the one the request names, else the app's; with neither,
/// UTC, said in a note rather than silently.
pub(super) fn time_zone(stated: Option<&str>, ctx: &Context<'_>, start: &Start<'_>, notes: &mut Vec<String>) -> String {
    if let Some(zone) = stated {
        return zone.to_owned();
    }
    let scheduled = matches!(start, Start::Schedule { .. } | Start::Condition { .. });
    if !ctx.time_zone.is_empty() {
        if scheduled && ctx.time_zone.eq_ignore_ascii_case("UTC") {
            notes.push(
                "The schedule runs in UTC, the app's time zone: name another (\"9am Paris time\") or change the app's \
                 time zone if that is not what you mean."
                    .into(),
            );
        }
        return ctx.time_zone.to_owned();
    }
    if scheduled {
        notes.push(
            "Neither the request nor the app gives a time zone, so the schedule runs in UTC: name one (\"9am Paris time\") \
             or set the app's time zone to change it."
                .into(),
        );
    }
    "UTC".into()
}

/// "patchbay has no connector for Mastodon: should it use X (Twitter), LinkedIn or …".
pub(super) fn outside(tool: &str, capability: Option<Capability>, catalog: &Catalog) -> Unbuildable {
    let mut options: Vec<&crate::catalog::Connector> =
        catalog.iter().filter(|c| capability.is_some_and(|k| c.actions.iter().any(|a| a.capability == k))).collect();
    options.sort_by_key(|c| std::cmp::Reverse(c.popularity));
    Unbuildable::OutsideTool {
        tool: tool.to_owned(),
        options: options.iter().take(3).map(|c| c.name.clone()).collect(),
    }
}

/// No order and no trigger: no flow at all ("make the header blue"), or a request that
/// never says when or what ("hook up Asana and make it work").
pub(super) fn no_start(text: &Text, route: &RouteResult, ctx: &Context<'_>) -> Unbuildable {
    if route.selected.is_empty() && named::tools(text, ctx.catalog, ctx.app).is_empty() {
        return Unbuildable::NoTool;
    }
    Unbuildable::NoTrigger
}

pub(super) fn not_a_flow(route: &RouteResult, catalog: &Catalog) -> Unbuildable {
    let names: Vec<&str> =
        route.selected.iter().filter_map(|s| catalog.get(&s.connector)).map(|c| c.name.as_str()).collect();
    if names.is_empty() {
        return Unbuildable::NoTool;
    }
    Unbuildable::NotAFlow { connectors: names.join(" and ") }
}

/// A summary with no data named covers the app's one entity; with several, the builder
/// says which.
pub(super) fn only_entity<'a>(app: &'a AppStructure, words: &[String]) -> Result<&'a Entity, Unbuildable> {
    let summary = words.iter().any(|w| SUMMARY_WORDS.contains(&w.as_str()));
    match app.entities.as_slice() {
        [one] if summary => Ok(one),
        _ => Err(Unbuildable::WhichData { entities: app.entities.iter().map(|e| e.name.clone()).collect() }),
    }
}

/// True when the request speaks of the records as a list ("my overdue tasks", "the open
/// tickets", "the order list") rather than of each new one ("new leads", "every order").
pub(super) fn lists(scene: &Scene<'_>, entity: &Entity) -> bool {
    let words: Vec<&str> = scene.text.tokens.iter().map(|t| t.lower.as_str()).collect();
    let each = words.iter().any(|w| ["new", "each", "every", "any", "whenever", "incoming", "sync"].contains(w));
    let plural = scene.data.iter().filter(|d| d.entity.as_deref() == Some(entity.name.as_str())).any(|d| {
        let m = d.mention.to_lowercase();
        m.ends_with('s') || m.ends_with("list")
    });
    plural && !each
}

/// "remind me at 5 to log my hours": the reminder's words, when the request asks for one.
pub(super) fn reminder(text: &Text) -> Option<String> {
    static REMIND: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\bremind\s+(?:me|us|everyone|the\s+team|them)\b(?:\s+\S+){0,6}?\s+(?:to|about|that)\s+")
            .expect("remind regex")
    });
    let m = REMIND.find(&text.lower)?;
    let rest = text.original.get(m.end()..)?;
    let words: String = rest.split([',', '.', ';']).next().unwrap_or("").trim().to_owned();
    let words = words.replace(" my ", " your ").replace(" me ", " you ");
    (!words.is_empty()).then(|| format!("Reminder: {words}"))
}

/// "each parent", "every customer": the person a request addresses one by one.
pub(super) fn each_person(text: &Text) -> Option<&'static str> {
    let words: Vec<&str> = text.tokens.iter().map(|t| t.lower.as_str()).collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "each" | "every" | "all"))
        .find_map(|w| targets::PEOPLE.iter().copied().find(|p| crate::intent::text::singular(w[1]) == *p))
}

/// True when any value of the flow holds `needle`.
pub(super) fn uses(steps: &[Step], trigger: &FlowTrigger, needle: &str) -> bool {
    let json = serde_json::to_string(steps).unwrap_or_default() + &serde_json::to_string(trigger).unwrap_or_default();
    json.contains(needle)
}

/// A tool's new records named as what the flow handles ("new Shopify orders", "new
/// files from my Dropbox folder"), as an event of that tool. Its span is empty: the
/// words stay in the order they belong to.
pub(super) fn tool_event(text: &Text, ctx: &Context<'_>) -> Option<crate::intent::Event> {
    let words: Vec<&str> = text.tokens.iter().map(|t| t.lower.as_str()).collect();
    for m in named::tools(text, ctx.catalog, ctx.app).into_iter().filter(|m| !m.connector.triggers.is_empty()) {
        let (Some(first), Some(last)) = (text.token_at(m.start), text.token_at(m.end.saturating_sub(1))) else {
            continue;
        };
        let Some(new) = (first.saturating_sub(4)..first).find(|i| ["new", "incoming", "latest"].contains(&words[*i]))
        else {
            continue;
        };
        // "add new hires to BambooHR": the tool is where they go, not where they come from.
        if first.checked_sub(1).is_some_and(|i| ["to", "into", "onto"].contains(&words[i])) {
            continue;
        }
        // "new files from my Dropbox": the word after "new"; "new Shopify orders": the
        // word after the tool's name.
        let subject = if new + 1 < first { words.get(new + 1) } else { words.get(last + 1) };
        return Some(crate::intent::Event {
            text: text.original.clone(),
            subject: subject.map(|w| crate::intent::text::singular(w)),
            change: crate::intent::Change::Created,
            value: None,
            field: None,
            qualifier: None,
            start: 0,
            end: 0,
        });
    }
    None
}

/// True when an order verb comes before the event in its sentence ("Post every new video
/// to …"): the event is the order's object, not a clause of its own.
pub(super) fn inside_an_order(text: &Text, event: &crate::intent::Event) -> bool {
    let before = text.lower.get(..event.start).unwrap_or("");
    let sentence = before.rsplit(['.', '!', '?', ';', ',']).next().unwrap_or("");
    let head = event.text.split_whitespace().next().unwrap_or("").to_lowercase();
    ["every", "each", "any", "all"].contains(&head.as_str())
        && sentence.split_whitespace().next().is_some_and(crate::intent::event::is_order)
}
