//! What a request asks the flow to do, in the order it says it: calls to outside tools
//! ("add a card in Trello", "text the owner", "email me"), saves into the app's own
//! records ("keep it as a Payment", "set the ticket to resolved"), and tools patchbay has
//! no connector for ("on our Mastodon account"), which are asked about. The request is cut
//! into clauses (at commas, "then", and "and" before a new order); the trigger's clause
//! and the schedule's words are left out, since they say when, not what.

use super::named::{self, Mention};
use crate::app::{AppStructure, Entity};
use crate::catalog::{Capability, Catalog, Connector, InputKind, Operation};
use crate::intent::lexicon::Lexicon;
use crate::intent::text::{Text, singular, words_of};
use crate::intent::{data, needs};
use crate::ranking::RouteResult;
use std::collections::HashSet;

#[path = "actions_words.rs"]
mod words;
use words::*;

/// One clause of the request: its byte span and its words.
#[derive(Clone, Debug)]
pub struct Clause {
    pub start: usize,
    pub end: usize,
    pub original: String,
    pub lower: String,
}

/// One thing the flow does.
#[derive(Clone, Debug)]
pub enum Act<'c, 'a> {
    Call {
        connector: &'c Connector,
        op: &'c Operation,
        clause: Clause,
        reads: bool,
    },
    Save {
        entity: &'a Entity,
        clause: Clause,
        update: bool,
    },
    /// A tool outside the catalog ("Mastodon"), for the kind of work the clause asks.
    Outside {
        tool: String,
        capability: Option<Capability>,
        clause: Clause,
    },
}

impl Act<'_, '_> {
    pub fn clause(&self) -> &Clause {
        match self {
            Act::Call { clause, .. } | Act::Save { clause, .. } | Act::Outside { clause, .. } => clause,
        }
    }
}

/// What reading the actions needs.
pub struct Reading<'c, 'a> {
    pub catalog: &'c Catalog,
    pub app: &'a AppStructure,
    pub route: &'a RouteResult,
    /// The event's clause: it says when, so it holds no order.
    pub event: Option<(usize, usize)>,
    /// The schedule's words, blanked inside the clauses that hold them.
    pub when: Vec<(usize, usize)>,
    /// The connector the flow starts from, if any: its name in the trigger is not an order.
    pub trigger_connector: Option<&'c str>,
}

/// The acts of the request, in order.
pub fn read<'c, 'a>(text: &Text, r: &Reading<'c, 'a>) -> Vec<Act<'c, 'a>> {
    let mentions = named::tools(text, r.catalog, r.app);
    let mut acts: Vec<(usize, Act<'c, 'a>)> = Vec::new();
    for clause in clauses(text, r.event, &r.when) {
        let named: Vec<Mention<'c>> =
            mentions.iter().filter(|m| m.start >= clause.start && m.end <= clause.end).copied().collect();
        acts.extend(in_clause(&clause, &named, r));
    }
    acts.sort_by_key(|(at, _)| *at);
    let mut out: Vec<Act<'c, 'a>> = Vec::new();
    for (_, act) in acts {
        let same = |o: &Act<'c, 'a>| match (o, &act) {
            (Act::Call { connector: a, op: x, .. }, Act::Call { connector: b, op: y, .. }) => {
                a.id == b.id && x.id == y.id
            }
            (Act::Save { entity: a, .. }, Act::Save { entity: b, .. }) => a.name == b.name,
            _ => false,
        };
        if !out.iter().any(same) {
            out.push(act);
        }
    }
    out
}

/// The request cut into clauses, without the spans that say when.
pub fn clauses(text: &Text, event: Option<(usize, usize)>, when: &[(usize, usize)]) -> Vec<Clause> {
    let lower = &text.lower;
    let mut cuts: Vec<usize> = vec![0, lower.len()];
    for (i, c) in lower.char_indices() {
        let next = lower.get(i + c.len_utf8()..).and_then(|r| r.chars().next());
        if matches!(c, ',' | ';' | '!' | '?' | '\n') || (c == '.' && next.is_none_or(char::is_whitespace)) {
            cuts.push(i);
        }
    }
    for m in JOINER.find_iter(lower) {
        cuts.push(m.start());
    }
    // The event's clause is a clause of its own; schedule words inside an order ("send a
    // daily summary") are blanked, so that the order stays whole.
    if let Some((s, e)) = event {
        cuts.push(s);
        cuts.push(e);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let blanked = blank(&text.original, when);
    cuts.windows(2)
        .filter(|w| !event.is_some_and(|(s, e)| s <= w[0] && w[1] <= e))
        .filter_map(|w| {
            let (start, end) = (w[0], w[1]);
            let raw = blanked.get(start..end)?;
            let original = raw.trim_matches(|c: char| c == ',' || c == ';' || c == '.' || c.is_whitespace());
            let lead = raw.len()
                - raw.trim_start_matches(|c: char| c == ',' || c == ';' || c == '.' || c.is_whitespace()).len();
            (original.chars().any(char::is_alphanumeric)).then(|| Clause {
                start: start + lead,
                end,
                original: original.split_whitespace().collect::<Vec<_>>().join(" "),
                lower: crate::intent::text::fold(&original.split_whitespace().collect::<Vec<_>>().join(" ")),
            })
        })
        .collect()
}

/// The text with the spans replaced by spaces of the same length.
fn blank(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = text.to_owned();
    for (s, e) in spans {
        if let Some(part) = out.get(*s..*e) {
            let spaces = " ".repeat(part.len());
            out.replace_range(*s..*e, &spaces);
        }
    }
    out
}

fn in_clause<'c, 'a>(clause: &Clause, named: &[Mention<'c>], r: &Reading<'c, 'a>) -> Vec<(usize, Act<'c, 'a>)> {
    let mut out = Vec::new();
    let words: HashSet<String> = words_of(&clause.lower).iter().map(|w| singular(w)).collect();
    let mut kinds: Vec<Kind> = kinds_of(&clause.lower, &data::words_for_app(r.app));
    let others: Vec<Mention<'c>> = named
        .iter()
        .filter(|m| Some(m.connector.id.as_str()) != r.trigger_connector)
        .map(|m| Mention { connector: variant(m.connector, r), ..*m })
        .collect();
    // A named tool does the work it is named for; a kind of work it cannot do goes to a
    // tool that can ("email me a summary of our Google Analytics traffic").
    for m in &others {
        let served: Vec<Capability> = kinds.iter().map(|k| k.capability).filter(|k| m.connector.serves(*k)).collect();
        if let Some(op) = best_op(m.connector, served.first().copied(), &words, &clause.lower) {
            // A named tool that delivers takes the clause's unnamed ways of delivering:
            // "notify me on WhatsApp" is one WhatsApp message, not also an email.
            let delivers = DELIVERED.contains(&op.capability) || op.capability == Capability::Social;
            let taken = |k: &Kind| delivers && !k.medium && DELIVERED.contains(&k.capability);
            kinds.retain(|k| !(served.contains(&k.capability) || taken(k)));
            let reads = is_read(op);
            out.push((m.start, Act::Call { connector: m.connector, op, clause: clause.clone(), reads }));
        }
    }
    if others.is_empty()
        && let Some(tool) = outside_tool(clause, r)
    {
        let capability = kinds.first().map(|k| k.capability);
        return vec![(clause.start, Act::Outside { tool, capability, clause: clause.clone() })];
    }
    if others.is_empty()
        && let Some((at, entity, update)) = save_in(clause, r.app)
    {
        return vec![(clause.start + at, Act::Save { entity, clause: clause.clone(), update })];
    }
    for kind in kinds {
        let Some((connector, capability)) = provider(&kind, r) else { continue };
        if let Some(op) = best_op(connector, Some(capability), &words, &clause.lower) {
            out.push((clause.start + kind.at, Act::Call { connector, op, clause: clause.clone(), reads: is_read(op) }));
        }
    }
    // "label it Customer" after a Gmail trigger: an action of a tool already in play.
    if out.is_empty() {
        let in_play = r
            .trigger_connector
            .and_then(|id| r.catalog.get(id))
            .into_iter()
            .chain(r.route.selected.iter().filter_map(|s| r.catalog.get(&s.connector)));
        for c in in_play {
            let fitting = c.actions.iter().filter(|op| verb_fits(op, &clause.lower));
            if let Some(op) = fitting.max_by_key(|op| overlap(op, &words)) {
                return vec![(
                    clause.start,
                    Act::Call { connector: c, op, clause: clause.clone(), reads: is_read(op) },
                )];
            }
        }
    }
    out
}

/// The router's pick when it chose a variant of the named tool ("a bot message" in Slack
/// is Slack's bot).
fn variant<'c>(named: &'c Connector, r: &Reading<'c, '_>) -> &'c Connector {
    let prefix = format!("{}_", named.id);
    r.route
        .selected
        .iter()
        .find(|s| s.connector.starts_with(&prefix))
        .and_then(|s| r.catalog.get(&s.connector))
        .unwrap_or(named)
}

/// A kind of work a clause asks for, where it is said, and the kinds that would also do
/// ("tell my team" is chat, or email when that is what the app has).
struct Kind {
    at: usize,
    capability: Capability,
    also: Vec<Capability>,
    /// The words name the medium ("email", "text", "#sales"), not only a verb ("notify").
    medium: bool,
}

/// The kinds of work a clause asks for, with where each is said: the router's needs (not
/// those that are the app's own data, as the router leaves them), and orders it leaves
/// to the flow ("email bakers@…", "send me the list", "text the owner").
fn kinds_of(lower: &str, app_words: &rustc_hash::FxHashSet<String>) -> Vec<Kind> {
    let medium = |text: &str| MEDIUM_WORDS.iter().any(|w| text.contains(w));
    let lexicon = Lexicon::global();
    let mut kinds: Vec<Kind> = needs::find(&Text::new(lower), lexicon, lexicon.english(), &mut Vec::new())
        .into_iter()
        .filter(|n| !n.is_app_data(app_words))
        .map(|n| Kind { at: n.start, capability: n.capability, also: n.also_covered_by, medium: medium(&n.text) })
        .collect();
    for (pattern, kind) in ORDERS.iter() {
        if let Some(m) = pattern.find(lower) {
            kinds.push(Kind { at: m.start(), capability: *kind, also: Vec::new(), medium: medium(m.as_str()) });
        }
    }
    if let Some(at) = lower.match_indices('#').map(|(i, _)| i).find(|i| {
        let name: String =
            lower[i + 1..].chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
        needs::is_channel_name(&name)
    }) {
        kinds.push(Kind { at, capability: Capability::Chat, also: Vec::new(), medium: true });
    }
    if kinds.is_empty()
        && let Some(m) = SEND_ME.find(lower)
    {
        kinds.push(Kind { at: m.start(), capability: Capability::Email, also: Vec::new(), medium: false });
    }
    kinds.sort_by_key(|k| k.at);
    // A kind another one said also covers goes: "email the summary to my team" is email.
    let said: Vec<Capability> = kinds.iter().map(|k| k.capability).collect();
    let mut seen = HashSet::new();
    kinds.retain(|k| !k.also.iter().any(|alt| said.contains(alt)) && seen.insert(k.capability));
    kinds
}

/// The tool that does a kind of work no tool is named for: the one the router chose, one
/// the app has connected (for the kind, else for a kind that also does), else the
/// catalog's most used tool made for it.
fn provider<'c>(kind: &Kind, r: &Reading<'c, '_>) -> Option<(&'c Connector, Capability)> {
    let serves = |k: Capability| move |c: &&Connector| c.actions.iter().any(|a| a.capability == k);
    let chosen = |k: Capability| r.route.selected.iter().filter_map(|s| r.catalog.get(&s.connector)).find(serves(k));
    let connected = |k: Capability| r.app.connected.iter().filter_map(|id| r.catalog.get(id)).find(serves(k));
    let own = |k: Capability| chosen(k).or_else(|| connected(k)).map(|c| (c, k));
    own(kind.capability).or_else(|| kind.also.iter().find_map(|k| own(*k))).or_else(|| {
        // Only work people do not name a tool for gets one picked ("email me"); a weak
        // hint of code or analytics does not conjure a GitHub or Google Analytics step.
        if !DELIVERED.contains(&kind.capability) {
            return None;
        }
        let k = kind.capability;
        r.catalog
            .iter()
            .filter(serves(k))
            .max_by_key(|c| (Some(c.category) == k.home(), c.popularity, std::cmp::Reverse(c.id.to_string())))
            .map(|c| (c, k))
    })
}

/// The connector's action that fits the clause best: of the kind asked, sharing most
/// words with the clause; a write unless the clause asks to read; a direct message when
/// the clause says so or names a person and no channel.
fn best_op<'c>(
    c: &'c Connector,
    kind: Option<Capability>,
    words: &HashSet<String>,
    lower: &str,
) -> Option<&'c Operation> {
    // "list the open tickets" reads; "email the attendee list" does not.
    let first = lower.split_whitespace().find(|w| !["please", "then", "and", "also", "to"].contains(w)).unwrap_or("");
    let wants_read = READ_VERBS.contains(&first);
    let direct = DIRECT.is_match(lower);
    let channel = lower.contains('#') || lower.contains("channel");
    let score = |op: &Operation| -> i32 {
        let mut s = 2 * overlap(op, words) as i32;
        if kind.is_some_and(|k| op.capability == k) {
            s += 6;
        }
        if is_read(op) != wants_read {
            s -= 4;
        }
        let to_person = op.inputs.iter().any(|i| i.required && i.kind == InputKind::User);
        if op.capability == Capability::Chat && to_person {
            s += if direct && !channel { 5 } else { -2 };
        }
        s
    };
    let best = c
        .actions
        .iter()
        .max_by_key(|op| (score(op), std::cmp::Reverse(c.actions.iter().position(|x| x.id == op.id))))?;
    (kind.is_some() || score(best) > 0).then_some(best)
}

/// How many words of the operation's name and phrases the clause uses.
fn overlap(op: &Operation, words: &HashSet<String>) -> usize {
    let own: HashSet<String> = op
        .phrases
        .iter()
        .chain([&op.name])
        .flat_map(|p| words_of(p))
        .map(|w| singular(&w))
        .filter(|w| w.len() > 2 && !FILLER.contains(&w.as_str()))
        .collect();
    own.iter().filter(|w| words.contains(*w)).count()
}

/// True when the clause's first word is the verb of one of the operation's phrases
/// ("label it …" and "label the email").
fn verb_fits(op: &Operation, lower: &str) -> bool {
    let first = lower.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && op.phrases.iter().chain([&op.name]).any(|p| p.to_lowercase().split_whitespace().next() == Some(first))
}

pub fn is_read(op: &Operation) -> bool {
    READ_PREFIXES.iter().any(|p| op.id.starts_with(p))
}

/// "store it as a Payment", "set the ticket to resolved", "update the Account here":
/// the app entity the clause writes to, where, and whether it updates one record.
fn save_in<'a>(clause: &Clause, app: &'a AppStructure) -> Option<(usize, &'a Entity, bool)> {
    let verb = SAVE_VERB.captures(&clause.lower)?;
    let v = verb.get(1)?;
    let rest = clause.lower.get(v.end()..)?;
    let entity =
        words_of(rest).iter().take(6).find_map(|w| data::resolve_entity(w, app)).and_then(|e| app.entity(&e))?;
    let update = UPDATE_VERBS.contains(&v.as_str());
    Some((v.start(), entity, update))
}

/// A capitalised name after "on/to/in/via our …" that is no catalog tool, no day, and
/// none of the app's own words ("on our Mastodon account"), or a well-known tool patchbay
/// has no connector for.
fn outside_tool(clause: &Clause, r: &Reading<'_, '_>) -> Option<String> {
    let app = r.app;
    for kind in [Capability::Email, Capability::Chat, Capability::Sms, Capability::Payment, Capability::Crm] {
        if let Some(name) = Lexicon::global().outside_tool(&clause.lower, kind) {
            return Some(name.to_owned());
        }
    }
    let text = Text::new(&clause.original);
    let own = data::words_for_app(app);
    let toks = &text.tokens;
    let tools = named::tools(&text, r.catalog, app);
    for (i, t) in toks.iter().enumerate() {
        let after_place = i > 0 && PLACE_WORDS.contains(&toks[i - 1].lower.as_str())
            || i > 1
                && PLACE_WORDS.contains(&toks[i - 2].lower.as_str())
                && ["our", "my", "the"].contains(&toks[i - 1].lower.as_str());
        let capital = t.is_capitalized() && !t.sentence_start && !t.is_number();
        let last = i + 1 == toks.len() || ACCOUNT_WORDS.contains(&toks[i + 1].lower.as_str());
        let known = NOT_TOOLS.contains(&t.lower.as_str())
            || crate::intent::schedule::is_calendar_word(&t.lower)
            || own.contains(&singular(&t.lower))
            || app.pages.iter().any(|p| p.eq_ignore_ascii_case(&t.raw))
            || tools.iter().any(|m| m.start <= t.start && t.end <= m.end);
        if after_place && capital && last && !known {
            return Some(t.raw.clone());
        }
    }
    None
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
