//! A language's need patterns, with one pass over a request that tells which of them can
//! match it at all.
//!
//! Running every pattern on every request cost most of the router's time: a pattern's own
//! literal prefilter finds its first words ("send", "post") in most requests and then runs
//! its automaton. A match starts with one of the pattern's first literals and ends with
//! one of its last ones (regex-syntax reads both sets out of the pattern), so a pattern
//! runs only when the request holds one of each; one Aho-Corasick automaton over every
//! pattern's literals finds them all at once. A pattern whose start or end is not a finite
//! set of literals always runs.

use aho_corasick::AhoCorasick;
use regex::Regex;
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Which end of a match a literal belongs to, as bits of a rule's `ends`.
const FIRST: u8 = 1;
const LAST: u8 = 2;

#[derive(Debug, Default)]
pub struct RulePatterns {
    regexes: Vec<Regex>,
    /// Every rule's first and last literals; none when there are none to look for.
    literals: Option<AhoCorasick>,
    /// For each literal: its rule and the end it belongs to.
    owners: Vec<(usize, u8)>,
    /// For each rule: the ends it has literals for; a match needs one of each.
    ends: Vec<u8>,
}

impl RulePatterns {
    pub fn new(regexes: Vec<Regex>) -> Self {
        let mut words = Vec::new();
        let mut owners = Vec::new();
        let mut ends = Vec::with_capacity(regexes.len());
        for (rule, regex) in regexes.iter().enumerate() {
            let mut has = 0;
            // The pattern compiled, so it parses; were it not to, the rule would always run.
            if let Ok(hir) = regex_syntax::parse(regex.as_str()) {
                for end in [FIRST, LAST] {
                    if let Some(found) = literals(&hir, end) {
                        has |= end;
                        owners.extend(found.iter().map(|_| (rule, end)));
                        words.extend(found);
                    }
                }
            }
            ends.push(has);
        }
        // Standard match semantics, so that an overlapping search reports every literal.
        // Should it not build, every rule runs.
        let literals = AhoCorasick::new(&words).ok();
        if literals.is_none() {
            ends.iter_mut().for_each(|e| *e = 0);
        }
        Self { regexes, literals, owners, ends }
    }

    pub fn get(&self, rule: usize) -> &Regex {
        &self.regexes[rule]
    }

    /// For each rule, whether its pattern can match `text`: false means it cannot.
    pub fn possible(&self, text: &str) -> Vec<bool> {
        let mut seen = vec![0u8; self.ends.len()];
        for m in self.literals.iter().flat_map(|l| l.find_overlapping_iter(text)) {
            let (rule, end) = self.owners[m.pattern().as_usize()];
            seen[rule] |= end;
        }
        seen.iter().zip(&self.ends).map(|(seen, ends)| seen & ends == *ends).collect()
    }
}

/// The literals every match starts (or ends) with, when they are a finite set of
/// non-empty strings.
fn literals(hir: &Hir, end: u8) -> Option<Vec<Vec<u8>>> {
    let mut extractor = Extractor::new();
    extractor.kind(if end == FIRST { ExtractKind::Prefix } else { ExtractKind::Suffix });
    let mut seq = extractor.extract(hir);
    // Shortens and drops literals another one already covers: fewer to search for, and
    // every match still starts (ends) with one that is left.
    if end == FIRST {
        seq.optimize_for_prefix_by_preference();
    } else {
        seq.optimize_for_suffix_by_preference();
    }
    let found = seq.literals()?;
    let usable = !found.is_empty() && found.iter().all(|l| !l.as_bytes().is_empty());
    usable.then(|| found.iter().map(|l| l.as_bytes().to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn patterns(sources: &[&str]) -> RulePatterns {
        RulePatterns::new(sources.iter().map(|s| Regex::new(s).expect("pattern compiles")).collect())
    }

    #[test]
    fn a_rule_runs_only_when_its_first_and_last_words_are_both_there() {
        let p = patterns(&[r"\b(?:send|email)\b[^.]{0,30}?\binvoices?\b", r"\bsms\b"]);
        assert_eq!(p.possible("send the invoice to the client"), vec![true, false]);
        assert_eq!(p.possible("send the report"), vec![false, false], "no invoice: the first rule cannot match");
        assert_eq!(p.possible("invoices arrive; reply by sms"), vec![false, true], "no verb before the invoice");
    }

    #[test]
    fn a_rule_without_fixed_words_always_runs() {
        let p = patterns(&[r"\w+@\w+", r"^\s*e-?mails?\b"]);
        assert_eq!(p.possible("nothing to see"), vec![true, false]);
        assert_eq!(p.possible(" emails first"), vec![true, true]);
    }

    /// The words a text is made of: every rule's first and last literals, and some others.
    fn vocabulary(rules: &RulePatterns) -> Vec<String> {
        let mut words: Vec<String> =
            ["the", "to", "me", "a", "new", "é", "when", "#sales", "and", "every", "."].map(str::to_owned).to_vec();
        for regex in &rules.regexes {
            let hir = regex_syntax::parse(regex.as_str()).expect("a compiled pattern parses");
            for end in [FIRST, LAST] {
                let found = literals(&hir, end).unwrap_or_default();
                words.extend(found.into_iter().map(|w| String::from_utf8_lossy(&w).trim().to_owned()));
            }
        }
        words
    }

    proptest! {
        /// Never skips a rule that matches: over every language's need patterns and texts
        /// made of their own words, a rule whose pattern matches was allowed to run.
        #[test]
        fn a_rule_that_matches_is_never_skipped(picks in proptest::collection::vec(0usize..100_000, 1..14)) {
            static WORDS: std::sync::LazyLock<Vec<Vec<String>>> = std::sync::LazyLock::new(|| {
                crate::intent::Lexicon::global().languages().iter().map(|l| vocabulary(l.rules())).collect()
            });
            for (lang, words) in crate::intent::Lexicon::global().languages().iter().zip(WORDS.iter()) {
                let rules = lang.rules();
                let text = picks.iter().map(|i| words[i % words.len()].as_str()).collect::<Vec<_>>().join(" ");
                let possible = rules.possible(&text);
                for (i, allowed) in possible.iter().enumerate() {
                    prop_assert!(*allowed || !rules.get(i).is_match(&text),
                        "{}: rule {} matches {:?} but was skipped", lang.code, lang.needs[i].id, text);
                }
            }
        }
    }
}
