//! Guards: the checks on the words around a need's match that tell a verb from a noun
//! ("email me" but not "their email address", "my calendar" but not "a calendar view").
//! A guard is a list of conditions and holds when any of them does; each condition looks
//! at a window of words and makes one test on it (docs/router.md lists them).

use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;

/// A condition as a lexicon file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CondSpec {
    #[serde(default)]
    before: usize,
    #[serde(default)]
    after: usize,
    #[serde(default)]
    sentence: bool,
    #[serde(default)]
    in_match: bool,
    words: Option<Vec<String>>,
    ends: Option<Vec<String>>,
    #[serde(default)]
    except: Vec<String>,
    seq: Option<Vec<Vec<String>>>,
    has: Option<Vec<String>>,
    starts: Option<Vec<String>>,
}

#[derive(Debug)]
enum Test {
    /// A window word is one of these.
    Words(HashSet<String>),
    /// A window word ends with one of these, and is not an exception.
    Ends { suffixes: Vec<String>, except: HashSet<String> },
    /// The words right before the match are, in order, one of each set.
    Seq(Vec<HashSet<String>>),
    /// The window's words, joined by spaces (and the match itself), contain one of these.
    Has { needles: Vec<String>, in_match: bool },
    /// The text right after the match starts with one of these.
    Starts(Vec<String>),
}

#[derive(Debug)]
struct Cond {
    before: usize,
    after: usize,
    sentence: bool,
    test: Test,
}

#[derive(Debug)]
pub struct Guard {
    pub id: String,
    pub purpose: String,
    when: Vec<Cond>,
}

impl CondSpec {
    fn compile(self) -> Result<Cond, String> {
        let set = |v: Vec<String>| v.into_iter().collect::<HashSet<_>>();
        let window = self.before > 0 || self.after > 0;
        let mut tests = Vec::new();
        if let Some(w) = self.words {
            tests.push(Test::Words(set(w)));
        }
        if let Some(e) = self.ends {
            tests.push(Test::Ends { suffixes: e, except: set(self.except) });
        }
        if let Some(s) = self.seq {
            tests.push(Test::Seq(s.into_iter().map(set).collect()));
        }
        if let Some(h) = self.has {
            tests.push(Test::Has { needles: h, in_match: self.in_match });
        }
        if let Some(s) = self.starts {
            tests.push(Test::Starts(s));
        }
        let test = match (tests.pop(), tests.is_empty()) {
            (Some(t), true) => t,
            _ => return Err("a condition makes exactly one test (words, ends, seq, has or starts)".into()),
        };
        let needs_window =
            matches!(test, Test::Words(_) | Test::Ends { .. }) || matches!(test, Test::Has { in_match: false, .. });
        if needs_window && !window {
            return Err("this test needs a window: before = N or after = N".into());
        }
        Ok(Cond { before: self.before, after: self.after, sentence: self.sentence, test })
    }
}

impl Guard {
    pub(super) fn compile(id: String, purpose: String, when: Vec<CondSpec>) -> Result<Self, String> {
        let when = when.into_iter().map(CondSpec::compile).collect::<Result<Vec<_>, _>>()?;
        if when.is_empty() {
            return Err("a guard needs at least one condition in `when`".into());
        }
        Ok(Self { id, purpose, when })
    }

    /// True when any condition holds around the match `lower[start..end]`.
    pub fn holds(&self, lower: &str, start: usize, end: usize) -> bool {
        self.when.iter().any(|c| c.holds(lower, start, end))
    }
}

impl Cond {
    fn holds(&self, lower: &str, start: usize, end: usize) -> bool {
        let before = if self.sentence {
            sentence_words_before(lower, start, self.before)
        } else {
            words_before(lower, start, self.before)
        };
        let after = words_after(lower, end, self.after);
        let mut window = before.iter().chain(after.iter());
        match &self.test {
            Test::Words(words) => window.any(|w| words.contains(*w)),
            Test::Ends { suffixes, except } => {
                window.any(|w| !except.contains(*w) && suffixes.iter().any(|s| w.ends_with(s.as_str())))
            }
            Test::Seq(sets) => {
                let last = words_before(lower, start, sets.len());
                last.len() == sets.len() && last.iter().zip(sets).all(|(w, set)| set.contains(*w))
            }
            Test::Has { needles, in_match } => {
                let joined = before.join(" ") + " " + &after.join(" ");
                let span = lower.get(start..end).unwrap_or("");
                needles.iter().any(|n| joined.contains(n.as_str()) || (*in_match && span.contains(n.as_str())))
            }
            Test::Starts(prefixes) => {
                let rest = lower.get(end..).unwrap_or("");
                prefixes.iter().any(|p| rest.starts_with(p.as_str()))
            }
        }
    }
}

/// Up to `n` words before byte `at`; a word keeps its apostrophe ("customer's").
pub fn words_before(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let Some(head) = lower.get(..at) else { return Vec::new() };
    let mut words: Vec<&str> =
        head.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    let keep = words.len().saturating_sub(n);
    words.drain(..keep);
    words
}

/// Up to `n` words after byte `at`; a word keeps its hyphen ("sign-up").
fn words_after(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let Some(tail) = lower.get(at..) else { return Vec::new() };
    tail.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).take(n).collect()
}

/// Up to `n` words before `at`, from its own sentence only.
fn sentence_words_before(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let Some(head) = lower.get(..at) else { return Vec::new() };
    let sentence_start = head.rfind(['.', ';', '!', '?']).map_or(0, |i| i + 1);
    words_before(&lower[sentence_start..], at - sentence_start, n)
}
