//! The words around a name: whether an ordinary word ("notion", "box", "Sheets") is the
//! tool here, and whether a tool named outright is asked for at all ("without Slack", "a
//! board like Trello", "the Slack Channel field"). Every word list comes from the
//! request's lexicon language.

use super::{AliasKind, Entry, Mention, NameIndex, Reading, phrase};
use crate::intent::lexicon::{Language, List};
use crate::intent::text::{Text, singular};

impl NameIndex {
    /// `None` when the words are not the tool here; otherwise the lexicon list that made
    /// an ordinary word the tool, if one did.
    pub(super) fn accept(&self, e: &Entry, r: &Reading, first: usize, last: usize) -> Option<Option<String>> {
        let sub_product = match e.kind {
            AliasKind::Strong => return Some(None),
            AliasKind::Ambiguous { sub_product } => sub_product,
        };
        let (text, lang) = (r.text, r.lang);
        let tok = &text.tokens[first];
        if r.app_words.contains(&singular(&tok.lower)) {
            return None; // "add a field to tasks" in an app with a Task entity
        }
        let prev = text.word(first as isize - 1);
        // A sign between the name and the next word ends the name's phrase ("in stripe, …").
        let stop = last < text.tokens.len()
            && text.original[text.tokens[last - 1].end..text.tokens[last].start]
                .contains([',', ';', '.', ':', '!', '?', ')']);
        let next = if stop { "" } else { text.word(last as isize) };
        let own_noun = self.nouns[e.connector].contains(&singular(next));
        let capital = tok.is_capitalized()
            && !text.title_case
            && (!tok.sentence_start || text.original[tok.end..].starts_with(':'));
        if sub_product && self.follows_other_brand(r, first, e.connector) {
            return None; // "Facebook Lead Ads" is Facebook's, not Google Ads
        }
        if sub_product && lang.has(List::UiNouns, next) {
            return None; // "the Tasks list", "the Forms page": a part of the app
        }
        if capital || own_noun {
            return Some(None);
        }
        let pointed = lang.has(List::Pointers, prev) && lang.has(List::Followers, next);
        let because = |list: List| Some(Some(format!("words.{}", list.name())));
        if sub_product {
            // "Save attachments To Drive" in a Title Case title: capitalised, and the
            // object of "to"/"in"/"from" at the end of its phrase.
            if !tok.is_capitalized() {
                return None;
            }
            if pointed {
                return because(List::Pointers);
            }
            return self.joined_to_named_tool(r, first, last).then_some(None);
        }
        if lang.has(List::ToolNouns, next) {
            return because(List::ToolNouns);
        }
        if pointed {
            return because(List::Pointers);
        }
        if lang.has(List::SendVerbs, prev) && lang.has(List::Determiners, next) {
            return because(List::SendVerbs);
        }
        // A capital that says nothing on its own (first word, Title Case) still names the
        // tool when the request talks about that tool's things: "Stripe failed payments…".
        let capital_with_context =
            tok.is_capitalized() && text.tokens.iter().any(|t| self.nouns[e.connector].contains(&singular(&t.lower)));
        (capital_with_context || (tok.is_capitalized() && self.joined_to_named_tool(r, first, last))).then_some(None)
    }

    /// "Snowflake to Google Sheets", "Slack & Box": a brand word joined to a tool named
    /// outright is a tool too, even where its capital says nothing (a title's first word).
    fn joined_to_named_tool(&self, r: &Reading, first: usize, last: usize) -> bool {
        let (text, lang) = (r.text, r.lang);
        let toks = &text.tokens;
        let gap = |a: usize, b: usize| text.original[toks[a].end..toks[b].start].trim().to_owned();
        let joins = |s: &str| lang.has(List::Joiners, s);
        let after = if lang.has(List::PairWords, text.word(last as isize)) {
            Some(last + 1)
        } else if last < toks.len() && joins(&gap(last - 1, last)) {
            Some(last)
        } else {
            None
        };
        let before = if first >= 2 && lang.has(List::PairWordsBefore, text.word(first as isize - 1)) {
            Some(first - 2)
        } else if first >= 1 && joins(&gap(first - 1, first)) {
            Some(first - 1)
        } else {
            None
        };
        after.is_some_and(|i| self.strong_name_starts(text, i))
            || before.is_some_and(|i| self.strong_name_ends(text, i))
    }

    fn is_strong(&self, phrase: &str) -> bool {
        self.phrases.get(phrase).is_some_and(|es| es.iter().any(|e| e.kind == AliasKind::Strong))
    }

    fn strong_name_starts(&self, text: &Text, i: usize) -> bool {
        (1..=3).any(|len| i + len <= text.tokens.len() && self.is_strong(&phrase(text, i, i + len)))
    }

    fn strong_name_ends(&self, text: &Text, last: usize) -> bool {
        (1..=3).any(|len| last + 1 >= len && self.is_strong(&phrase(text, last + 1 - len, last + 1)))
    }

    /// True when the name is the tail of another family's product name: "Facebook Lead
    /// Ads" (a brand, at most one word between, no list separator) — not "Outlook and Sheets".
    fn follows_other_brand(&self, r: &Reading, first: usize, connector: usize) -> bool {
        let text = r.text;
        (1..=2).filter_map(|k| first.checked_sub(k)).any(|j| {
            let between = &text.original[text.tokens[j].end..text.tokens[first].start];
            let joined = !between.contains([',', '&', '+', '/', '|', ';'])
                && (j + 1..first).all(|m| !r.lang.has(List::ListWords, &text.tokens[m].lower));
            joined
                && self.phrases.get(&text.tokens[j].lower).is_some_and(|entries| {
                    entries
                        .iter()
                        .any(|e| e.kind == AliasKind::Strong && self.families[e.connector] != self.families[connector])
                })
        })
    }
}

impl Mention {
    /// "like Slack", "a HubSpot clone": a comparison, not a request for the tool; "tools
    /// like Trello and Asana": every tool of the comparison's list. "I'd like Slack to…" is
    /// a wish, not a comparison.
    pub fn is_reference(&self, text: &Text, lang: &Language) -> bool {
        let first = self.first as isize;
        let compares =
            |at: isize| lang.has(List::Reference, text.word(at)) && !lang.has(List::WishWords, text.word(at - 1));
        compares(first - 1)
            || self.after_phrase(text, lang, List::ReferencePairs)
            || lang.has(List::ReferenceAfter, text.word(self.last as isize))
            || (self.follows_list_word(text, lang) && (2..=4).any(|k| compares(first - k)))
    }

    /// Right after "and", "or", a comma or an ampersand: a later item of a list.
    fn follows_list_word(&self, text: &Text, lang: &Language) -> bool {
        let Some(prev) = self.first.checked_sub(1) else {
            return false;
        };
        let gap = text.original.get(text.tokens[prev].end..text.tokens[self.first].start).unwrap_or("");
        lang.has(List::ReferenceLists, &text.tokens[prev].lower) || gap.contains([',', '&'])
    }

    /// "a field for their Instagram handle", "a Twitter icon in the footer": the tool's name
    /// describes the app's own data or looks, so nothing is connected.
    pub fn is_data_detail(&self, text: &Text, lang: &Language) -> bool {
        let next = singular(text.word(self.last as isize));
        let field_follows = (0..2).any(|k| lang.has(List::FieldWords, &singular(text.word((self.last + k) as isize))));
        let on_a_form = || {
            text.tokens.iter().any(|t| {
                let w = singular(&t.lower);
                lang.has(List::FieldWords, &w) || lang.has(List::FormWords, &w)
            })
        };
        field_follows || (lang.has(List::DetailNouns, &next) && on_a_form())
    }

    /// Named but not asked for: refused, or a detail of the app's own data.
    pub fn is_not_asked_for(&self, text: &Text, lang: &Language) -> bool {
        self.is_refused(text, lang) || self.is_data_detail(text, lang)
    }

    /// Negated, a comparison or an example: the request does not want this tool.
    pub fn is_refused(&self, text: &Text, lang: &Language) -> bool {
        self.is_negated(text, lang) || self.is_reference(text, lang) || self.is_example(text, lang)
    }

    /// "status alerts from services such as Stripe or GitHub": a tool given as an example
    /// of a kind, within a few words after the marker and in the same clause.
    pub fn is_example(&self, text: &Text, lang: &Language) -> bool {
        let head = text.lower.get(..self.start).unwrap_or("");
        lang.list(List::ExampleMarkers).iter().any(|marker| {
            head.rmatch_indices(marker.as_str()).next().is_some_and(|(at, _)| {
                let starts_word = head[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let between = &head[at + marker.len()..];
                let ends_word = between.chars().next().is_none_or(|c| !c.is_alphanumeric());
                starts_word
                    && ends_word
                    && !between.contains(['.', ';', ':', '!', '?', '(', ')'])
                    && between.split_whitespace().count() <= 6
                    && !between.split_whitespace().any(|w| lang.has(List::ExampleEnds, w))
            })
        })
    }

    /// "without Slack", "instead of Gmail", "don't use Slack", "no Slack".
    pub fn is_negated(&self, text: &Text, lang: &Language) -> bool {
        (1..=3).any(|k| lang.has(List::NameNegation, text.word(self.first as isize - k)))
            || lang.has(List::NameNegationNext, text.word(self.first as isize - 1))
            || self.after_phrase(text, lang, List::NameNegationPairs)
    }

    /// True when the words right before the name are one of the list's phrases ("similar to").
    fn after_phrase(&self, text: &Text, lang: &Language, list: List) -> bool {
        let head = text.lower.get(..self.start).unwrap_or("").trim_end();
        lang.list(list).iter().any(|p| {
            head.strip_suffix(p.as_str())
                .is_some_and(|rest| rest.chars().next_back().is_none_or(|c| !c.is_alphanumeric()))
        })
    }
}
