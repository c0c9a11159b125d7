//! The candidates the decision weighs, each with its signals: every tool the request names
//! and asks for, and every need no named tool covers, with the tools that could do it,
//! best first. Nothing is decided here; `select` turns confidence into a selection, a
//! question, or nothing.

use super::Router;
use super::confidence::{F, Features};
use super::index::Hit;
use super::names::{How, Mention};
use crate::app::AppStructure;
use crate::catalog::Capability;
use crate::intent::lexicon::{List, cap_name};
use crate::intent::text::singular;
use crate::intent::{Analysis, Need, NeedRole, Strength, Text, words_for_app};
use rustc_hash::FxHashSet as HashSet;

/// How many of a need's tools a slot keeps: the first is chosen, up to four are offered.
const PROVIDERS_KEPT: usize = 6;

pub(super) enum Origin {
    Named(Mention),
    /// Index into `Analysis::needs`.
    Need(usize),
}

pub(super) struct Slot {
    pub origin: Origin,
    /// Tools that could fill it, best first, each with why; one for a named tool.
    pub options: Vec<(usize, String)>,
    pub features: Features,
}

impl Slot {
    /// A hint with no flow and no tool named beside it ("put new leads in a spreadsheet")
    /// is at most asked about: alone, such a noun is as likely the app's own data; unless
    /// the app already has a tool for it.
    pub fn may_select(&self) -> bool {
        let f = &self.features;
        !(f.get(F::Hint) && !f.get(F::Flow) && !f.get(F::BesideNamed) && !f.get(F::ChosenByApp))
    }
}

/// What the request's words give before anything is decided.
pub(super) struct Gathered {
    pub slots: Vec<Slot>,
    /// Named but not asked for ("like Slack", "without Gmail"): connector and why.
    pub mentioned: Vec<(usize, String)>,
    /// Needs a named tool covers: (need index, the named connector).
    pub covered: Vec<(usize, usize)>,
}

/// One request as the decision reads it: the analysis, the app, the chips and connected
/// tools (catalog positions), and the catalog search hits.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    pub router: &'a Router,
    pub a: &'a Analysis,
    pub app: &'a AppStructure,
    pub chips: &'a [usize],
    pub connected: &'a [usize],
    pub hits: &'a [Hit],
}

pub(super) fn gather(r: &Reading<'_>) -> Gathered {
    let Reading { router, a, app, chips, connected, hits } = *r;
    let catalog = &router.catalog;
    let app_words = words_for_app(app);
    let mentions = router.names.find(&a.text, router.lexicon, a.lang, a.schedule_spans(), &app_words);
    let wants_bot = a.text.tokens.iter().any(|t| a.lang.has(List::BotWords, &t.lower));
    let (slack, slack_bot) = (catalog.index_of("slack"), catalog.index_of("slack_bot"));
    let mut out = Gathered { slots: Vec::new(), mentioned: Vec::new(), covered: Vec::new() };
    let mut named: Vec<(usize, usize, usize)> = Vec::new(); // (connector, where its words start and end)
    // Tools the request compares the app to ("a page like Slack"): the app builds that work itself.
    let mut imitated: Vec<usize> = Vec::new();
    // A tool's name on a field is the app's own data ("the Slack Channel field") unless
    // another tool is asked for beside it ("Zendesk custom fields to HubSpot").
    let plain: Vec<bool> = mentions.iter().map(|m| !m.is_not_asked_for(&a.text, a.lang)).collect();
    let detail: Vec<bool> = mentions.iter().map(|m| m.is_data_detail(&a.text, a.lang)).collect();
    let asked = |k: usize| {
        let beside = |j: usize| j != k && plain[j] && mentions[j].connector != mentions[k].connector;
        plain[k] || (detail[k] && !mentions[k].is_refused(&a.text, a.lang) && (0..mentions.len()).any(beside))
    };
    let asked: Vec<bool> = (0..mentions.len()).map(asked).collect();
    let bare_brands = router.names.bare_brands(&a.text, a.lang, &mentions);
    for (m, asked) in mentions.into_iter().zip(asked) {
        let id = if wants_bot && Some(m.connector) == slack { slack_bot.unwrap_or(m.connector) } else { m.connector };
        if !asked {
            if m.is_reference(&a.text, a.lang) {
                imitated.push(id);
            }
            out.mentioned.push((id, format!("mentioned but not asked for: '{}'", m.typed)));
            continue;
        }
        if named.iter().any(|(c, _, _)| *c == id) {
            continue;
        }
        named.push((id, m.start, m.end));
        let why = match &m.how {
            How::Named => format!("named: '{}'", m.typed),
            How::InContext => format!("named in context: '{}'", m.typed),
            How::Misspelt { typed } => format!("misspelt: '{typed}' ≈ {}", catalog.at(id).name),
        };
        out.slots.push(Slot { origin: Origin::Named(m), options: vec![(id, why)], features: Features::default() });
    }
    for (token, family) in bare_brands {
        let named_ids: Vec<usize> = named.iter().map(|(c, _, _)| *c).collect();
        let Some(id) = suite_tool(router, a, family, &named_ids) else { continue };
        let m = router.names.mention(&a.text, id, token, token + 1, How::InContext);
        named.push((id, m.start, m.end));
        let why = format!("named in context: '{}' (its {} does this work)", m.typed, catalog.at(id).name);
        out.slots.push(Slot { origin: Origin::Named(m), options: vec![(id, why)], features: Features::default() });
    }
    let named_ids: Vec<usize> = named.iter().map(|(c, _, _)| *c).collect();

    let flow = a.event.is_some() || a.schedule.is_some();
    let about_the_app = a.text.tokens.iter().any(|t| {
        let w = singular(&t.lower);
        [List::UiNouns, List::FieldWords, List::FormWords].iter().any(|l| a.lang.has(*l, &w)) || app_words.contains(&w)
    });
    for (n, need) in a.needs.iter().enumerate() {
        let distinctive = is_distinctive(router, need);
        let covers = |i: &usize| does(router, need, *i, distinctive);
        let by = qualified_by(router, &a.text, a.lang, need, &named, distinctive)
            .filter(|i| !distinctive || covers(i))
            .or_else(|| named_ids.iter().copied().find(covers));
        if let Some(by) = by {
            out.covered.push((n, by));
            continue;
        }
        if imitated.iter().any(|i| catalog.at(*i).serves(need.capability)) {
            continue; // "a page that looks like Slack for team chat": the chat is the app's own
        }
        if need.outside.is_some() {
            continue; // "via SMTP", "with PayPal": the request names a tool patchbay does not have
        }
        if need.is_app_data(&app_words) {
            continue; // "my tasks" in an app with a Task entity
        }
        // Another kind of work asked for outright is a tool beside this noun, as a named
        // one would be: "your emails to your task list".
        let beside_need = a.needs.iter().any(|o| o.strength == Strength::Strong && o.capability != need.capability);
        if need.strength == Strength::Hint && named.is_empty() && !flow && about_the_app && !beside_need {
            continue; // "make the tasks list sortable": a noun alone, about the app's screens
        }
        if need.strength == Strength::Weak
            && need.role == Some(NeedRole::Report)
            && !named.is_empty()
            && !reads_from_named_suite(router, need, &named_ids)
            && !only_delivers(router, &named_ids)
        {
            continue; // "my Wix account's site analytics": the named tool's own numbers
        }
        let options = providers(router, need, wants_bot, chips, connected, &named_ids, app);
        if !options.is_empty() {
            out.slots.push(Slot { origin: Origin::Need(n), options, features: Features::default() });
        }
    }
    weigh(router, a, &mut out.slots, &named_ids, hits);
    out
}

/// The tool of a suite that a brand written alone stands for: the first of the suite's tools,
/// not named already, that does the work of the request's first need ("my Asana tasks to
/// Google": Google Tasks), or else the main work of a tool named beside it ("Dropbox files
/// to Google": Google Drive).
fn suite_tool(router: &Router, a: &Analysis, family: &str, named: &[usize]) -> Option<usize> {
    let catalog = &router.catalog;
    let main_work = |i: &usize| catalog.at(*i).operations().next().map(|op| op.capability);
    let kinds = a.needs.iter().map(|n| n.capability).chain(named.iter().filter_map(main_work));
    let suite = router.providers.suite(family);
    kinds.into_iter().find_map(|cap| suite.iter().copied().find(|i| !named.contains(i) && catalog.at(*i).serves(cap)))
}

/// "Instagram DM", "Gmail inbox": the tool named right before a need's words does it —
/// unless the words start afresh ("a Trello card via email"); so does a tool whose name
/// holds the need's words ("a Jira ticket") or one named right after ("a DM via Twitter").
fn qualified_by(
    router: &Router,
    text: &Text,
    lang: &crate::intent::lexicon::Language,
    need: &Need,
    named: &[(usize, usize, usize)],
    distinctive: bool,
) -> Option<usize> {
    if let Some((id, _, _)) = named.iter().find(|(_, start, end)| *start <= need.start && need.start < *end) {
        return Some(*id);
    }
    // "a direct message via Twitter": the tool named right after the need's words.
    let after = text
        .token_at(need.end.saturating_sub(1))
        .map(|i| i + 1)
        .filter(|i| lang.has(List::ToolAfter, text.word(*i as isize)));
    // Only a tool that does the work or is named after its object takes it that way.
    let may_do =
        |id: usize| does(router, need, id, distinctive) || router.name_words[id].contains(&singular(&need.object));
    if let Some(i) = after
        && let Some(next) = text.tokens.get(i + 1)
        && let Some((id, _, _)) = named.iter().find(|(_, start, _)| *start == next.start)
        && may_do(*id)
    {
        return Some(*id);
    }
    let first = need.text.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
    if lang.has(List::QualifierBreaks, first) {
        return None;
    }
    named
        .iter()
        .find(|(_, _, end)| text.lower.get(*end..need.start).is_some_and(|between| matches!(between.trim(), "" | "'s")))
        .map(|(id, _, _)| *id)
        .filter(|id| may_do(*id))
}

/// True when a named tool does the need: it does that kind of work, or, for a noun, its
/// operations are named after the need's object ("Create an invoice" beside "an invoice"). When only
/// some tools of the kind are named after the object ("Create a card"), doing the kind of
/// work is not enough: Google Tasks does tasks, but cards are Trello's.
fn does(router: &Router, need: &Need, i: usize, distinctive: bool) -> bool {
    let c = router.catalog.at(i);
    let object = singular(&need.object);
    let named_after = router.name_words[i].contains(&object);
    // A tool that does another kind of work, named after the object, takes only a need that
    // says the object: Slack uploads a file, but it does not keep "a folder" of them.
    let says_object = || need.text.split(|c: char| !c.is_alphanumeric()).any(|w| singular(w) == object);
    // The kinds of work a need names as also covering it stand, distinctive or not: the
    // followers a video app's stats count are its own, whoever names a "follower" trigger.
    let also = need.also_covered_by.iter().any(|cap| c.serves(*cap));
    // A flow that starts from the work needs a tool that can start it: Slack uploads a
    // file, but "when a file lands in the folder" is not something Slack can tell.
    let starts = |cap: Capability| c.triggers.iter().any(|op| op.capability == cap);
    let serves = if need.role == Some(NeedRole::Trigger) {
        starts(need.capability) || need.also_covered_by.iter().any(|cap| starts(*cap))
    } else {
        c.serves(need.capability) || also
    };
    let noun_need = need.strength != Strength::Strong;
    if distinctive { named_after || also } else { serves || (noun_need && named_after && says_object()) }
}

/// Some but not all of the tools for the need's kind of work are named after its object
/// ("Create a card"); an object that is the name of the work itself ("a task") never is.
fn is_distinctive(router: &Router, need: &Need) -> bool {
    router.providers.is_distinctive(need.capability, &singular(&need.object))
}

/// "Ads performance to Sheets": data a weak need reads stays wanted when a named tool
/// comes from the suite that holds it (Google Ads beside Google Sheets).
fn reads_from_named_suite(router: &Router, need: &Need, named: &[usize]) -> bool {
    named.iter().any(|n| {
        let suite = if router.names.in_suite(*n) { router.providers.suite(router.names.family(*n)) } else { &[] };
        suite.iter().any(|i| router.providers.position(need.capability, *i).is_some())
    })
}

/// Every tool named is one that only carries a report (chat, mail, texts, a sheet or a
/// doc), so the numbers of "post our site traffic to Slack" come from elsewhere.
fn only_delivers(router: &Router, named: &[usize]) -> bool {
    let main_work = |i: &usize| router.catalog.at(*i).operations().next().map(|op| op.capability);
    named.iter().all(|i| {
        matches!(
            main_work(i),
            Some(
                Capability::Email
                    | Capability::Chat
                    | Capability::Sms
                    | Capability::Spreadsheet
                    | Capability::Document
                    | Capability::Presentation
            )
        )
    })
}

/// The tools that could do a need, best first: what the app already has, a chip, a tool
/// its flows use, a bot when one is asked for, the suite of the tools named beside it, a
/// tool whose operations name the need's object ("card"), then the most used.
fn providers(
    router: &Router,
    need: &Need,
    wants_bot: bool,
    chips: &[usize],
    connected: &[usize],
    named: &[usize],
    app: &AppStructure,
) -> Vec<(usize, String)> {
    let catalog = &router.catalog;
    let cap = need.capability;
    let list = router.providers.of(cap);
    if list.is_empty() {
        return Vec::new();
    }
    // A chip may do the work another way: an Airtable chip takes "a spreadsheet".
    let chip_does_it = |i: &usize| {
        router.providers.position(cap, *i).is_some() || need.also_covered_by.iter().any(|c| catalog.at(*i).serves(*c))
    };
    let chips_first: Vec<usize> = chips.iter().copied().filter(chip_does_it).collect();
    let flows_text: String =
        app.flows.iter().chain(&app.functions).map(|f| format!("{} {} ", f.name, f.description)).collect();
    let used: Vec<usize> = if flows_text.is_empty() {
        Vec::new()
    } else {
        let text = Text::new(&flows_text);
        let english = router.lexicon.english();
        router
            .names
            .find(&text, router.lexicon, english, &[], &HashSet::default())
            .into_iter()
            .map(|m| m.connector)
            .collect()
    };
    let families: HashSet<&str> = named.iter().map(|i| router.names.family(*i)).collect();
    let object = singular(&need.object);
    // Only tools some reason lifts, and the first of the list, can come out on top.
    let mut candidates: Vec<usize> = chips_first.clone();
    let mut seen: HashSet<usize> = candidates.iter().copied().collect();
    let named_after = router.providers.named_after(cap, &object).unwrap_or(list);
    let lifted = connected
        .iter()
        .chain(&used)
        .chain(families.iter().flat_map(|f| router.providers.suite(f)))
        .chain(named_after.iter().take(PROVIDERS_KEPT))
        .chain(list.iter().take(PROVIDERS_KEPT))
        .chain(list.iter().filter(|i| wants_bot && catalog.at(**i).id.as_str() == "slack_bot"));
    for &i in lifted {
        if router.providers.position(cap, i).is_some() && seen.insert(i) {
            candidates.push(i);
        }
    }
    // Chips first, then the list's order.
    let order_of = |i: usize| match chips_first.iter().position(|c| *c == i) {
        Some(k) => k,
        None => chips_first.len() + router.providers.position(cap, i).unwrap_or(usize::MAX / 2),
    };
    // A tool named after the need's object and one of the named tools' suite add up: with
    // Microsoft Teams named, email goes to Outlook; beside Google Tasks, cards still go to
    // Trello.
    let rank = |i: usize| -> u8 {
        let named_after = u8::from(
            router.name_words[i].contains(&object) || router.op_words[i].iter().any(|op| op.contains(&object)),
        );
        let suite = u8::from(router.names.in_suite(i) && families.contains(router.names.family(i)));
        if connected.contains(&i) {
            32
        } else if chips.contains(&i) {
            16
        } else if used.contains(&i) {
            8
        } else if wants_bot && need.capability == Capability::Chat && catalog.at(i).id.as_str() == "slack_bot" {
            4
        } else {
            2 * named_after + suite
        }
    };
    let why = |rank: u8, i: usize| -> String {
        let name = &catalog.at(i).name;
        match rank {
            32.. => format!("connected {name} in this app"),
            16.. => format!("chip {name}"),
            8.. => format!("the app's flows use {name}"),
            4.. => "a bot posts it".into(),
            3 | 1 => format!("{name} fits the other tools named"),
            2 => format!("{name} works with {object}s"),
            _ => format!("most used {} tool", cap_name(need.capability)),
        }
    };
    // By reason, then in the order of the catalog's providers (made for the work, most
    // used); only the first few are kept, so a catalog of thousands costs what one of
    // seventy does.
    let mut ranked: Vec<(u8, usize, usize)> = candidates.into_iter().map(|i| (rank(i), order_of(i), i)).collect();
    let order = |x: &(u8, usize, usize), y: &(u8, usize, usize)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
    if ranked.len() > PROVIDERS_KEPT {
        ranked.select_nth_unstable_by(PROVIDERS_KEPT - 1, order);
        ranked.truncate(PROVIDERS_KEPT);
    }
    ranked.sort_by(order);
    ranked.into_iter().map(|(r, _, i)| (i, why(r, i))).collect()
}

/// Sets every slot's signals.
fn weigh(router: &Router, a: &Analysis, slots: &mut [Slot], named: &[usize], hits: &[Hit]) {
    let top3: Vec<usize> = hits.iter().take(3).map(|h| h.connector).collect();
    let flow = a.event.is_some() || a.schedule.is_some();
    let families: HashSet<&str> = named.iter().map(|i| router.names.family(*i)).collect();
    let need_count =
        slots.iter().filter(|s| matches!(s.origin, Origin::Need(n) if a.needs[n].strength != Strength::Hint)).count();
    for slot in slots.iter_mut() {
        let (top, why) = (slot.options[0].0, slot.options[0].1.clone());
        let f = &mut slot.features;
        f.set(F::Flow, flow);
        f.set(F::Bm25Top3, top3.contains(&top));
        match &slot.origin {
            Origin::Named(m) => {
                f.set(F::Named, m.how == How::Named);
                f.set(F::InContext, m.how == How::InContext);
                f.set(F::Misspelt, matches!(m.how, How::Misspelt { .. }));
                f.set(F::BesideNamed, named.len() > 1);
            }
            Origin::Need(n) => {
                let need = &a.needs[*n];
                f.set(F::Strong, need.strength == Strength::Strong);
                f.set(F::Weak, need.strength == Strength::Weak);
                f.set(F::Hint, need.strength == Strength::Hint);
                f.set(F::BesideNamed, !named.is_empty());
                let others = need_count - usize::from(need.strength != Strength::Hint);
                f.set(F::BesideNeed, others > 0);
                f.set(F::Source, need.role.is_some());
                f.set(F::ChosenByApp, ["connected", "chip", "the app's"].iter().any(|p| why.starts_with(p)));
                let object = singular(&need.object);
                f.set(F::ObjectNoun, router.op_words[top].iter().any(|op| op.contains(&object)));
                f.set(F::SingleProvider, slot.options.len() == 1);
                f.set(F::SameSuite, router.names.in_suite(top) && families.contains(router.names.family(top)));
            }
        }
        f.finish();
    }
}
