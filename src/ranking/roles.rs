//! A selected tool's role in the flow: the trigger it starts from, a source it reads, or an
//! action it takes. The words that say so ("from Gmail", "Gmail to Sheets", "show",
//! "send") come from the request's lexicon language.

use super::names::Mention;
use super::request::Role;
use crate::catalog::Connector;
use crate::intent::lexicon::List;
use crate::intent::{Analysis, NeedRole, Strength};

/// `mention` is where the request names the tool, if it does; `need_role` is the role of
/// the need that chose it, when the lexicon gives one ("website traffic" reads a source,
/// "from starred emails" starts the flow).
pub(super) fn role_of(a: &Analysis, mention: Option<&Mention>, need_role: Option<NeedRole>, conn: &Connector) -> Role {
    let Some(m) = mention else {
        return match need_role {
            Some(NeedRole::Trigger) if !conn.triggers.is_empty() && a.schedule.is_none() => Role::Trigger,
            Some(NeedRole::Trigger) => Role::Source,
            Some(NeedRole::Source | NeedRole::Report) if !writes(a) || delivered_by_another(a, conn) => Role::Source,
            _ => Role::Action,
        };
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
    let from = a.lang.has(List::SourceBefore, prev) || (m.first == 0 && a.lang.has(List::SourceAfter, next));
    if from && !conn.triggers.is_empty() && a.event.is_some() {
        return Role::Trigger;
    }
    if from || (!writes(a) && reads(a)) || is_delivered(a, m) {
        return Role::Source;
    }
    Role::Action
}

fn reads(a: &Analysis) -> bool {
    a.text.tokens.iter().any(|t| a.lang.has(List::ReadVerbs, &t.lower))
}

/// A verb need that writes ("email me") asks for work this tool does not do: the writing
/// is another tool's, and this one is read ("email me the open issues").
fn delivered_by_another(a: &Analysis, conn: &Connector) -> bool {
    a.needs.iter().any(|n| n.strength == Strength::Strong && n.role.is_none() && !conn.serves(n.capability))
}

/// A verb need that writes ("email me"), or a writing verb anywhere.
pub(super) fn writes(a: &Analysis) -> bool {
    a.needs.iter().any(|n| n.strength == Strength::Strong && n.role.is_none())
        || a.text.tokens.iter().any(|t| a.lang.has(List::WriteVerbs, &t.lower))
}

/// "Email me the open GitHub issues", "post our Stripe payouts": the tool's records are
/// what another tool delivers, so it is read. The tool follows a holder word (at most one
/// describing word between), the holder follows a delivering verb (and whom it goes to),
/// and a plural noun follows the tool's name or ends the mention ("GitHub issues").
fn is_delivered(a: &Analysis, m: &Mention) -> bool {
    let word = |i: isize| a.text.word(i);
    let plural = |w: &str| w.len() >= 4 && w.ends_with('s');
    let last_of_mention = (m.last > m.first + 1).then(|| word(m.last as isize - 1));
    if !plural(word(m.last as isize)) && !last_of_mention.is_some_and(plural) {
        return false;
    }
    let mut i = m.first as isize - 1;
    if !a.lang.has(List::Holders, word(i)) {
        i -= 1;
    }
    if !a.lang.has(List::Holders, word(i)) {
        return false;
    }
    i -= 1;
    if a.lang.has(List::Recipients, word(i)) {
        i -= 1;
    }
    a.lang.has(List::DeliverVerbs, word(i))
}
