//! The decision: which connectors are selected, with which role, and how every candidate
//! ranks. A false selection (asking for Gmail permissions when the builder wanted a
//! colour change) is as bad as a miss, so selection needs a named tool, a need the
//! wording states, or a chip that fits; BM25 alone only ranks.

use super::index::Hit;
use super::names::{How, Mention};
use super::request::{DecidedBy, Ranked, Role, RouteResult, Selected};
use super::{Router, operations};
use crate::app::AppStructure;
use crate::catalog::{Capability, Connector};
use crate::intent::lexicon::List;
use crate::intent::{Analysis, Need, NeedRole, Strength, words_for_app};
use std::collections::{HashMap, HashSet};

/// Evidence for one connector, gathered from every signal.
#[derive(Default, Clone)]
struct Candidate {
    selected: bool,
    score: f32,
    /// Where in the request it was named or needed (orders the selection).
    position: usize,
    why: Vec<String>,
    /// The needs it was chosen for.
    needs: Vec<Capability>,
    /// One of its needs reads from it ("website traffic"): a source unless the request writes.
    source_need: bool,
    mention: Option<Mention>,
}

/// How many providers of a stated kind of work join the ranking (most popular first).
const PROVIDERS_RANKED: usize = 8;

pub(super) fn decide(
    router: &Router,
    a: &Analysis,
    app: &AppStructure,
    chips: &[usize],
    connected: &[usize],
    hits: &[Hit],
) -> RouteResult {
    let catalog = &router.catalog;
    // Only connectors some signal points at are looked at, so a catalog of thousands
    // costs about what one of seventy does.
    let mut cands: HashMap<usize, Candidate> = HashMap::new();
    let app_words = words_for_app(app);

    // 1. Names typed in the request.
    let mentions = router.names.find(&a.text, router.lexicon, a.lang, a.schedule_spans(), &app_words);
    let wants_bot = a.text.tokens.iter().any(|t| a.lang.has(List::BotWords, &t.lower));
    let slack = catalog.index_of("slack");
    let slack_bot = catalog.index_of("slack_bot");
    let mut named: Vec<usize> = Vec::new();
    // Where each asked-for name ends in the request, to find the words it qualifies.
    let mut named_ends: Vec<(usize, usize)> = Vec::new();
    // Tools the request compares the app to ("a page like Slack"): the app builds that work itself.
    let mut imitated: Vec<usize> = Vec::new();
    for m in &mentions {
        let mut id = m.connector;
        if wants_bot && Some(id) == slack {
            id = slack_bot.unwrap_or(id);
        }
        let c = cands.entry(id).or_default();
        if m.is_not_asked_for(&a.text, a.lang) {
            if m.is_reference(&a.text, a.lang) {
                imitated.push(id);
            }
            c.why.push(format!("mentioned but not asked for: '{}'", m.typed));
            c.score = c.score.max(0.3);
            continue;
        }
        if c.selected {
            continue;
        }
        c.selected = true;
        c.position = m.start;
        let (score, why) = match &m.how {
            How::Named => (0.97, format!("named: '{}'", m.typed)),
            How::InContext => (0.92, format!("named in context: '{}'", m.typed)),
            How::Misspelt { typed } => (0.9, format!("misspelt: '{typed}' ≈ {}", catalog.at(id).name)),
        };
        c.score = score;
        c.why.push(why);
        c.mention = Some(m.clone());
        named.push(id);
        named_ends.push((id, m.end));
    }

    // 2. Needs the wording states, one provider each unless a named tool already does it.
    for need in &a.needs {
        let covers = |i: &usize| {
            let c = catalog.at(*i);
            c.serves(need.capability) || need.also_covered_by.iter().any(|cap| c.serves(*cap))
        };
        // "Instagram DM", "Gmail inbox": the tool named right before the words does it.
        let qualified_by = named_ends.iter().find(|(_, end)| {
            a.text.lower.get(*end..need.start).is_some_and(|between| matches!(between.trim(), "" | "'s"))
        });
        if imitated.iter().any(|i| catalog.at(*i).serves(need.capability)) {
            continue; // "a page that looks like Slack for team chat": the chat is the app's own
        }
        if let Some(&by) = qualified_by.map(|(id, _)| id).or_else(|| named.iter().find(|i| covers(i))) {
            cands.entry(by).or_default().needs.push(need.capability);
            continue;
        }
        if need.strength == Strength::Weak && !named.is_empty() && !reads_from_named_family(router, need, &named) {
            continue;
        }
        if need.outside.is_some() {
            continue; // "via SMTP", "with PayPal": the request names a tool patchbay does not have
        }
        let Some((id, reason)) = pick_provider(router, need, wants_bot, chips, connected, &named, app) else {
            continue;
        };
        let c = cands.entry(id).or_default();
        c.needs.push(need.capability);
        c.source_need |= need.role == Some(NeedRole::Source);
        if !c.selected {
            c.selected = true;
            c.position = need.start;
            c.score = if reason.starts_with("connected") {
                0.93
            } else if reason.starts_with("chip") {
                0.9
            } else {
                0.85
            };
        }
        c.why.push(format!("needed: '{}' ({reason})", need.text.trim()));
    }

    // 3. Chips: selected when they fit the request, ranked otherwise.
    let top_bm25 = hits.first().map_or(0.0, |h| h.score);
    for &chip in chips {
        let c = cands.entry(chip).or_default();
        c.why.push("preselected chip".into());
        let fits_need = a.needs.iter().any(|n| catalog.at(chip).serves(n.capability));
        let bm25 = hits.iter().find(|h| h.connector == chip).map_or(0.0, |h| h.score);
        let fits_words = top_bm25 > 0.0 && bm25 >= 0.5 * top_bm25 && hits.iter().take(3).any(|h| h.connector == chip);
        if !c.selected && (fits_need || fits_words) {
            c.selected = true;
            c.score = 0.9;
            c.position = usize::MAX / 2;
        }
        c.score = c.score.max(0.6);
    }

    // 4. The rest rank by BM25, by doing a stated kind of work, and by context.
    for (rank, h) in hits.iter().enumerate() {
        let c = cands.entry(h.connector).or_default();
        let norm = if top_bm25 > 0.0 { h.score / top_bm25 } else { 0.0 };
        if rank < 5 {
            c.why.push(format!("matches the wording (bm25 {:.1})", h.score));
        }
        if !c.selected {
            c.score = c.score.max(0.45 * norm);
        }
    }
    let need_caps: Vec<Capability> = a.needs.iter().map(|n| n.capability).collect();
    for cap in &need_caps {
        for &i in router.providers.get(cap).into_iter().flatten().take(PROVIDERS_RANKED) {
            cands.entry(i).or_default();
        }
    }
    for &i in connected {
        cands.entry(i).or_default();
    }
    for (&i, c) in cands.iter_mut().filter(|(_, c)| !c.selected) {
        let conn = catalog.at(i);
        if let Some(cap) = need_caps.iter().find(|cap| conn.serves(**cap)) {
            c.score = c.score.max(0.5 + 0.25 * f32::from(conn.popularity) / 100.0);
            c.why.push(format!("does {} work the request asks for", cap_name(*cap)));
        }
        if connected.contains(&i) {
            c.score += 0.1;
            c.why.push("already connected in this app".into());
        }
        c.score += 0.02 * f32::from(conn.popularity) / 100.0;
        c.score = c.score.min(0.8);
    }

    let mut selected: Vec<(usize, Role)> =
        cands.iter().filter(|(_, c)| c.selected).map(|(&i, c)| (i, role_of(a, c, catalog.at(i)))).collect();
    selected.sort_by_key(|(i, role)| (*role, cands[i].position, *i));

    let mut intent = a.intent(app);
    let selected_out: Vec<Selected> = selected
        .iter()
        .map(|&(i, role)| {
            let c = &cands[&i];
            let ops = operations::choose(a, catalog.at(i), &router.op_words[i], role, &c.needs);
            operations::attach(&mut intent, catalog.at(i), role, &ops, &c.needs);
            Selected { connector: catalog.at(i).id.to_string(), role, score: round(c.score), actions: ops }
        })
        .collect();

    // Selected first, in their order; then by score; popular connectors fill up to 12.
    let mut others: Vec<usize> = cands.iter().filter(|(_, c)| !c.selected).map(|(&i, _)| i).collect();
    others.sort_by(|&x, &y| {
        cands[&y]
            .score
            .total_cmp(&cands[&x].score)
            .then(catalog.at(y).popularity.cmp(&catalog.at(x).popularity))
            .then(x.cmp(&y))
    });
    let wanted = 12.max(selected.len());
    let mut order: Vec<usize> = selected.iter().map(|(i, _)| *i).chain(others).collect();
    for &i in &router.popular {
        if order.len() >= wanted {
            break;
        }
        if !cands.contains_key(&i) {
            order.push(i);
        }
    }
    let ranked = order
        .into_iter()
        .take(wanted)
        .map(|i| {
            let (score, mut why) = match cands.get(&i) {
                Some(c) => (c.score, c.why.clone()),
                None => (0.02 * f32::from(catalog.at(i).popularity) / 100.0, Vec::new()),
            };
            if why.is_empty() {
                why.push("popular connector".into());
            }
            Ranked { connector: catalog.at(i).id.to_string(), score: round(score), why }
        })
        .collect();

    RouteResult {
        selected: selected_out,
        ranked,
        intent,
        decided_by: DecidedBy::Rules,
        fallback_reason: None,
        prompt_version: None,
        llm: None,
    }
}

/// One provider for a need: what the app already has, then a chip, then a tool its
/// existing flows use, then the family of tools the request names (Google, Microsoft),
/// then the most popular.
fn pick_provider(
    router: &Router,
    need: &Need,
    wants_bot: bool,
    chips: &[usize],
    connected: &[usize],
    named: &[usize],
    app: &AppStructure,
) -> Option<(usize, String)> {
    let cap = need.capability;
    let providers = router.providers.get(&cap)?;
    if let Some(&i) = connected.iter().find(|i| providers.contains(i)) {
        return Some((i, format!("connected {} in this app", router.catalog.at(i).name)));
    }
    // A chip may do the work another way: an Airtable chip takes "a spreadsheet".
    let chip_does_it =
        |i: &&usize| providers.contains(i) || need.also_covered_by.iter().any(|c| router.catalog.at(**i).serves(*c));
    if let Some(&i) = chips.iter().find(chip_does_it) {
        return Some((i, format!("chip {}", router.catalog.at(i).name)));
    }
    let flows_text: String =
        app.flows.iter().chain(&app.functions).map(|f| format!("{} {} ", f.name, f.description)).collect();
    if !flows_text.is_empty() {
        let text = crate::intent::Text::new(&flows_text);
        let used = router.names.find(&text, router.lexicon, router.lexicon.english(), &[], &HashSet::new());
        if let Some(m) = used.iter().find(|m| providers.contains(&m.connector)) {
            return Some((m.connector, format!("the app's flows use {}", router.catalog.at(m.connector).name)));
        }
    }
    if cap == Capability::Chat
        && wants_bot
        && let Some(i) = providers.iter().copied().find(|i| router.catalog.at(*i).id.as_str() == "slack_bot")
    {
        return Some((i, "a bot posts it".into()));
    }
    // A Google (or Microsoft) tool named in the request: the need goes to the same family.
    let named_families: HashSet<&str> = named.iter().map(|i| router.names.family(*i)).collect();
    let same_family =
        providers.iter().copied().find(|i| router.names.in_suite(*i) && named_families.contains(router.names.family(*i)));
    if let Some(i) = same_family {
        return Some((i, format!("{} fits the other tools named", router.catalog.at(i).name)));
    }
    let i = *providers.first()?;
    Some((i, format!("most used {} tool", cap_name(cap))))
}

fn role_of(a: &Analysis, c: &Candidate, conn: &Connector) -> Role {
    let Some(m) = &c.mention else {
        return if c.source_need && !writes(a) { Role::Source } else { Role::Action };
    };
    if let Some(e) = &a.event
        && m.start >= e.start
        && m.end <= e.end
        && !conn.triggers.is_empty()
    {
        return Role::Trigger;
    }
    let prev = a.text.word(m.first as isize - 1);
    let next = a.text.word(m.last as isize);
    let from = prev == "from" || (next == "to" && m.first == 0);
    if from && !conn.triggers.is_empty() && a.event.is_some() {
        return Role::Trigger;
    }
    if from || (!writes(a) && reads(a)) {
        return Role::Source;
    }
    Role::Action
}

fn reads(a: &Analysis) -> bool {
    a.text.tokens.iter().any(|t| a.lang.has(List::ReadVerbs, &t.lower))
}

fn writes(a: &Analysis) -> bool {
    a.needs.iter().any(|n| n.strength == Strength::Strong) || a.text.tokens.iter().any(|t| a.lang.has(List::WriteVerbs, &t.lower))
}

/// "Ads performance to Sheets": data a weak need reads stays wanted when the named tools
/// come from the family that holds it (Google Ads beside Google Sheets), not a tool's own
/// data ("my Wix site analytics").
fn reads_from_named_family(router: &Router, need: &Need, named: &[usize]) -> bool {
    let families: HashSet<&str> = named.iter().map(|i| router.names.family(*i)).collect();
    need.role == Some(NeedRole::Source)
        && router
            .providers
            .get(&need.capability)
            .into_iter()
            .flatten()
            .any(|i| router.names.in_suite(*i) && families.contains(router.names.family(*i)))
}

fn cap_name(cap: Capability) -> String {
    serde_json::to_value(cap).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
