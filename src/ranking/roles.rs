//! A selected tool's role in the flow: the trigger it starts from, a source it reads, or an
//! action it takes. The words that say so ("from Gmail", "Gmail to Sheets", "show",
//! "send") come from the request's lexicon language.

use super::names::Mention;
use super::request::Role;
use crate::catalog::Connector;
use crate::intent::lexicon::List;
use crate::intent::{Analysis, NeedRole, Strength};

/// `mention` is where the request names the tool, if it does; `source_need` is true when a
/// need that reads from it chose it ("website traffic").
pub(super) fn role_of(a: &Analysis, mention: Option<&Mention>, source_need: bool, conn: &Connector) -> Role {
    let Some(m) = mention else {
        return if source_need && !writes(a) { Role::Source } else { Role::Action };
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
    if from || (!writes(a) && reads(a)) {
        return Role::Source;
    }
    Role::Action
}

fn reads(a: &Analysis) -> bool {
    a.text.tokens.iter().any(|t| a.lang.has(List::ReadVerbs, &t.lower))
}

/// A verb need that writes ("email me"), or a writing verb anywhere.
pub(super) fn writes(a: &Analysis) -> bool {
    a.needs.iter().any(|n| n.strength == Strength::Strong && n.role != Some(NeedRole::Source))
        || a.text.tokens.iter().any(|t| a.lang.has(List::WriteVerbs, &t.lower))
}
