//! The decision: which connectors are selected, with which role, what to ask, and how
//! every candidate ranks. A false selection (asking for Gmail permissions when the
//! builder wanted a colour change) is as bad as a miss, so a candidate is selected only
//! when its calibrated confidence clears the fitted threshold; between that and the ask
//! threshold the builder is asked; BM25 alone only ranks.

use super::confidence::{F, Model};
use super::index::Hit;
use super::names::Mention;
use super::request::{Ask, DecidedBy, Explain, ExplainedEntry, ExplainedSlot, Ranked, Role, RouteResult, Selected};
use super::slots::{Origin, Reading, Slot, gather};
use super::{Router, operations, roles};
use crate::catalog::Capability;
use crate::intent::lexicon::cap_name;
use crate::intent::{Analysis, NeedRole};
use rustc_hash::FxHashMap as HashMap;

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
    /// The role the lexicon gives the need that chose it ("from starred emails": the flow
    /// starts there).
    need_role: Option<NeedRole>,
    mention: Option<Mention>,
    /// Offered in a question, at this confidence.
    asked: Option<f32>,
}

/// How many providers of a stated kind of work join the ranking (most popular first).
const PROVIDERS_RANKED: usize = 8;
/// Options per question at most (DESIGN.md).
const OPTIONS_ASKED: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decision {
    Selected,
    Asked,
    Dropped,
}

pub(super) fn decide(r: &Reading<'_>, explain: bool) -> RouteResult {
    let Reading { router, a, app, chips, connected, hits } = *r;
    let catalog = &router.catalog;
    let model = Model::embedded();
    // Only connectors some signal points at are looked at, so a catalog of thousands
    // costs about what one of seventy does.
    let mut cands: HashMap<usize, Candidate> = HashMap::default();
    let gathered = gather(r);
    for (id, why) in &gathered.mentioned {
        let c = cands.entry(*id).or_default();
        c.why.push(why.clone());
        c.score = c.score.max(0.3);
    }

    // 1. Each slot by its confidence: named tools first, so that a need they do joins them.
    let mut decisions = Vec::with_capacity(gathered.slots.len());
    let mut asks: Vec<Ask> = Vec::new();
    let mut unused_needs: Vec<usize> = Vec::new();
    for slot in &gathered.slots {
        let p = model.confidence(&slot.features);
        let (top, why) = (slot.options[0].0, &slot.options[0].1);
        let decision = match &slot.origin {
            Origin::Named(m) if p >= model.select => {
                let c = cands.entry(top).or_default();
                c.selected = true;
                c.position = m.start;
                c.score = p;
                c.why.push(why.clone());
                c.mention = Some(m.clone());
                Decision::Selected
            }
            Origin::Named(m) => {
                let c = cands.entry(top).or_default();
                c.why.push(format!("{why}, but not sure it is asked for"));
                c.score = c.score.max(p.min(0.8));
                c.position = m.start;
                Decision::Dropped
            }
            Origin::Need(n) => {
                let need = &a.needs[*n];
                // Below the select threshold, a need still takes the tool the app already
                // has for it, or joins a tool already selected.
                let by_app = slot.features.get(F::ChosenByApp);
                let sure = (p >= model.select && slot.may_select()) || (p >= model.ask && by_app);
                let taken = slot.options.iter().find(|(i, _)| cands.get(i).is_some_and(|c| c.selected));
                if sure || (p >= model.ask && taken.is_some()) {
                    let id = if sure { top } else { taken.map_or(top, |(i, _)| *i) };
                    let c = cands.entry(id).or_default();
                    c.needs.push(need.capability);
                    c.need_role = c.need_role.or(need.role);
                    if !c.selected {
                        c.selected = true;
                        c.position = need.start;
                        c.score = p;
                    }
                    let reason = slot.options.iter().find(|(i, _)| *i == id).map_or(why, |(_, w)| w);
                    c.why.push(format!("needed: '{}' ({reason})", need.text.trim()));
                    Decision::Selected
                } else if p >= model.ask {
                    let options: Vec<String> =
                        slot.options.iter().take(OPTIONS_ASKED).map(|(i, _)| catalog.at(*i).id.to_string()).collect();
                    for (k, (i, _)) in slot.options.iter().take(OPTIONS_ASKED).enumerate() {
                        let c = cands.entry(*i).or_default();
                        c.asked = Some(c.asked.unwrap_or(0.0).max(p - 0.01 * k as f32));
                        c.why.push(format!("asked about: '{}'", need.text.trim()));
                    }
                    asks.push(Ask {
                        need: cap_name(need.capability),
                        question: router.lexicon.question(need.capability),
                        options,
                    });
                    unused_needs.push(*n);
                    Decision::Asked
                } else {
                    unused_needs.push(*n);
                    Decision::Dropped
                }
            }
        };
        decisions.push((p, decision));
    }
    for &(n, by) in &gathered.covered {
        let c = cands.entry(by).or_default();
        c.needs.push(a.needs[n].capability);
        c.need_role = c.need_role.or(a.needs[n].role);
    }

    // 2. Chips: selected when they fit the request, ranked otherwise.
    let top_bm25 = hits.first().map_or(0.0, |h| h.score);
    for &chip in chips {
        let c = cands.entry(chip).or_default();
        c.why.push("preselected chip".into());
        let fits_need = a
            .needs
            .iter()
            .enumerate()
            .any(|(n, need)| !unused_needs.contains(&n) && catalog.at(chip).serves(need.capability));
        let bm25 = hits.iter().find(|h| h.connector == chip).map_or(0.0, |h| h.score);
        let fits_words = top_bm25 > 0.0 && bm25 >= 0.5 * top_bm25 && hits.iter().take(3).any(|h| h.connector == chip);
        if !c.selected && (fits_need || fits_words) {
            c.selected = true;
            c.score = 0.9;
            c.position = usize::MAX / 2;
        }
        c.score = c.score.max(0.6);
    }
    asks.retain(|ask| {
        !ask.options.iter().any(|o| catalog.index_of(o).is_some_and(|i| cands.get(&i).is_some_and(|c| c.selected)))
    });

    // 3. The rest rank by BM25, by doing a stated kind of work, and by context.
    rank_the_rest(router, a, &mut cands, connected, hits);

    let mut selected: Vec<(usize, Role)> = cands
        .iter()
        .filter(|(_, c)| c.selected)
        .map(|(&i, c)| (i, roles::role_of(a, c.mention.as_ref(), c.need_role, catalog.at(i))))
        .collect();
    selected.sort_by_key(|(i, role)| (*role, cands[i].position, *i));

    let mut intent = a.intent(app);
    // The actions of needs that became questions or were let go are not part of the flow.
    let mut n = 0;
    intent.actions.retain(|_| {
        n += 1;
        !unused_needs.contains(&(n - 1))
    });
    let words = operations::request_words(a);
    let selected_out: Vec<Selected> = selected
        .iter()
        .map(|&(i, role)| {
            let c = &cands[&i];
            let ops = operations::choose(&words, catalog.at(i), &router.op_words[i], role, &c.needs);
            operations::attach(&mut intent, catalog.at(i), role, &ops, &c.needs);
            Selected { connector: catalog.at(i).id.to_string(), role, score: round(c.score), actions: ops }
        })
        .collect();
    let ranked = ranking(router, &cands, &selected);
    let explain = explain.then(|| explained(router, a, &gathered.slots, &decisions));
    RouteResult {
        selected: selected_out,
        ranked,
        intent,
        decided_by: DecidedBy::Rules,
        fallback_reason: None,
        prompt_version: None,
        llm: None,
        asks,
        explain,
    }
}

fn rank_the_rest(
    router: &Router,
    a: &Analysis,
    cands: &mut HashMap<usize, Candidate>,
    connected: &[usize],
    hits: &[Hit],
) {
    let catalog = &router.catalog;
    let top_bm25 = hits.first().map_or(0.0, |h| h.score);
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
        for &i in router.providers.of(*cap).iter().take(PROVIDERS_RANKED) {
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
        if let Some(p) = c.asked {
            c.score = c.score.max(p);
        }
    }
}

/// Selected first, in their order; then the tools asked about; then by score; popular
/// connectors fill up to 12.
fn ranking(router: &Router, cands: &HashMap<usize, Candidate>, selected: &[(usize, Role)]) -> Vec<Ranked> {
    let catalog = &router.catalog;
    let mut others: Vec<usize> = cands.iter().filter(|(_, c)| !c.selected).map(|(&i, _)| i).collect();
    others.sort_by(|&x, &y| {
        let (cx, cy) = (&cands[&x], &cands[&y]);
        cy.asked
            .is_some()
            .cmp(&cx.asked.is_some())
            .then(cy.score.total_cmp(&cx.score))
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
    order
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
        .collect()
}

/// The lexicon entries that fired and every slot with its signals (`--explain`).
fn explained(router: &Router, a: &Analysis, slots: &[Slot], decisions: &[(f32, Decision)]) -> Explain {
    let lexicon = router.lexicon;
    let entry = |entry: &str, text: &str, effect: &str| ExplainedEntry {
        entry: entry.to_owned(),
        purpose: lexicon.purpose(entry).unwrap_or("").to_owned(),
        text: text.to_owned(),
        effect: effect.to_owned(),
    };
    let mut entries: Vec<ExplainedEntry> = a.needs.iter().map(|n| entry(&n.rule, &n.text, "found a need")).collect();
    entries.extend(a.fired.iter().map(|f| entry(&f.entry, &f.text, &f.effect)));
    let mut out = Explain { language: a.lang.code.clone(), entries, slots: Vec::new() };
    for (slot, (p, decision)) in slots.iter().zip(decisions) {
        let (kind, rule, text) = match &slot.origin {
            Origin::Named(m) => {
                if let Some(because) = &m.because {
                    out.entries.push(entry(because, &m.typed, "named a tool"));
                }
                ("named".to_owned(), m.because.clone(), m.typed.clone())
            }
            Origin::Need(n) => {
                let need = &a.needs[*n];
                (cap_name(need.capability), Some(need.rule.clone()), need.text.clone())
            }
        };
        out.slots.push(ExplainedSlot {
            kind,
            entry: rule,
            text,
            options: slot.options.iter().map(|(i, _)| router.catalog.at(*i).id.to_string()).collect(),
            features: slot.features.named(),
            confidence: round(*p),
            decision: match decision {
                Decision::Selected => "selected",
                Decision::Asked => "asked",
                Decision::Dropped => "dropped",
            }
            .to_owned(),
        });
    }
    out
}

fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
