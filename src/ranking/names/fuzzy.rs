//! Misspelt names: "gmial", "slak", "hubspt". A SymSpell-style deletion index finds the
//! aliases within one or two edits of a word in time that does not grow with the catalog;
//! a word of ordinary English ("stack", "sortable") is never taken for a misspelling.

use super::{How, Mention, NameIndex, Reading, singular};
use crate::intent::lexicon::{Lexicon, List};
use crate::intent::text::Token;
use rustc_hash::FxHashSet as HashSet;

pub(super) fn deletes(word: &str, depth: u32, out: &mut HashSet<String>) {
    if depth == 0 {
        return;
    }
    let chars: Vec<char> = word.chars().collect();
    for i in 0..chars.len() {
        let shorter: String = chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect();
        if out.insert(shorter.clone()) {
            deletes(&shorter, depth - 1, out);
        }
    }
}

pub(super) fn max_distance(len: usize) -> u32 {
    if len >= 8 { 2 } else { 1 }
}

impl NameIndex {
    pub(super) fn fuzzy(&self, r: &Reading, i: usize) -> Option<Mention> {
        let text = r.text;
        let typo = |t: &Token| {
            let word = &t.lower;
            word.chars().count() >= 4
                && word.chars().all(char::is_alphabetic)
                && !r.lang.has(List::FuzzyStop, word)
                && !is_english(r.lexicon, word)
                && !r.app_words.contains(&singular(word))
        };
        let t = &text.tokens[i];
        if !typo(t) {
            return None;
        }
        // A two-word name with a slip in its first word: "googel sheets".
        if let Some(next) = text.tokens.get(i + 1).filter(|n| self.second_words.contains(&n.lower))
            && let Some(c) = self.closest(&format!("{}{}", t.lower, next.lower))
        {
            let typed = text.original[t.start..next.end].to_owned();
            return Some(self.mention(text, c, i, i + 2, How::Misspelt { typed }));
        }
        self.closest(&t.lower).map(|c| self.mention(text, c, i, i + 1, How::Misspelt { typed: t.raw.clone() }))
    }

    /// The connector whose name is within a slip or two of `word`, the more popular on a tie
    /// (then the one first in the catalog).
    fn closest(&self, word: &str) -> Option<usize> {
        let chars: Vec<char> = word.chars().collect();
        let len = chars.len();
        let mut best: Option<(usize, usize)> = None; // (distance, connector)
        let mut consider = |variant: &str| {
            for (id, _) in self.deletions.get(variant).into_iter().flatten() {
                let (alias, connector) = &self.fuzzy_aliases[*id];
                let distance = strsim::osa_distance(word, alias);
                let allowed = max_distance(len.max(alias.chars().count())) as usize;
                // Two slips in one word happen; a different first letter as well rarely does.
                if distance == 0 || distance > allowed || (distance == 2 && alias.chars().next() != word.chars().next())
                {
                    continue;
                }
                // A slip listed as an alias ("jita") reaches only words near the name itself:
                // "cita" is one slip from "jita" but two from Jira.
                let name = &self.compact_names[*connector];
                if self.slips[*id]
                    && strsim::osa_distance(word, name) > max_distance(len.max(name.chars().count())) as usize
                {
                    continue;
                }
                let rank = |(d, c): (usize, usize)| (d, std::cmp::Reverse(self.popularity[c]), c);
                if best.is_none_or(|b| rank((distance, *connector)) < rank(b)) {
                    best = Some((distance, *connector));
                }
            }
        };
        // The word and every form of it with one letter left out, or two for a long word:
        // the deletion index holds the aliases' forms the same way. Written into one buffer
        // rather than collected, as most of them find nothing.
        consider(word);
        let two = max_distance(len) >= 2;
        let mut variant = String::with_capacity(word.len());
        for i in 0..len {
            variant.clear();
            variant.extend(chars.iter().enumerate().filter(|(k, _)| *k != i).map(|(_, c)| c));
            consider(&variant);
            for j in (i + 1..len).filter(|_| two) {
                variant.clear();
                variant.extend(chars.iter().enumerate().filter(|(k, _)| *k != i && *k != j).map(|(_, c)| c));
                consider(&variant);
            }
        }
        best.map(|(_, c)| c)
    }
}

/// A word of the dictionary, or a regular form of one ("sortable", "stacked", "blacks").
fn is_english(lexicon: &Lexicon, word: &str) -> bool {
    let known = |w: &str| lexicon.is_dictionary_word(w);
    if known(word) {
        return true;
    }
    lexicon.english().list(List::DictionarySuffixes).iter().filter_map(|s| word.strip_suffix(s.as_str())).filter(|stem| stem.len() >= 3).any(|stem| {
        known(stem) || known(&format!("{stem}e")) || {
            // "stopped" → "stop": a doubled final consonant.
            let mut last = stem.char_indices().rev();
            stem.len() > 3
                && matches!((last.next(), last.next()), (Some((at, a)), Some((_, b))) if a == b && a.is_ascii() && known(&stem[..at]))
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_forms_are_recognised_and_odd_letters_do_not_break_the_check() {
        let lexicon = crate::intent::lexicon::Lexicon::global();
        assert!(super::is_english(lexicon, "stopped"));
        // The last two bytes are alike inside one four-byte character: not a double letter.
        assert!(!super::is_english(lexicon, "team\u{12447}\u{21082}s"));
    }
}
