//! The router's knowledge of language, kept as data in `lexicon/<language>/*.toml` and
//! read here: need patterns and the guards around them, word lists, short and verb forms
//! of tool names, tools outside the catalog. Every entry says what it is for, so a new
//! pattern or a new language is a data change that the eval measures, and
//! `patchbay route --explain` can name the entries that fired.
//!
//! The catalog stays the only source of connector facts; the lexicon says how people
//! write about tools, and refers to them by the names the catalog gives them.

mod forms;
mod guard;
mod load;
mod rules;

pub use forms::{Forms, Phrase};
pub use guard::{Guard, words_before};
pub use load::LexiconError;
pub use rules::RulePatterns;

use super::text::Text;
use crate::catalog::Capability;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;
use std::sync::OnceLock;

macro_rules! lists {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// The word lists the code reads (`lexicon/en/words.toml` defines each one).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum List { $($variant),* }

        impl List {
            pub const ALL: &'static [List] = &[$(List::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(List::$variant => $name),* }
            }
        }
    };
}

lists! {
    Markers = "markers",
    Negation = "negation",
    NameNegation = "name_negation",
    NameNegationNext = "name_negation_next",
    NameNegationPairs = "name_negation_pairs",
    Reference = "reference",
    ReferencePairs = "reference_pairs",
    ReferenceAfter = "reference_after",
    ReferenceLists = "reference_lists",
    WishWords = "wish_words",
    DeliverVerbs = "deliver_verbs",
    Holders = "holders",
    Recipients = "recipients",
    Pointers = "pointers",
    Followers = "followers",
    SendVerbs = "send_verbs",
    Determiners = "determiners",
    ToolNouns = "tool_nouns",
    UiNouns = "ui_nouns",
    FieldWords = "field_words",
    DetailNouns = "detail_nouns",
    FormWords = "form_words",
    PairWords = "pair_words",
    PairWordsBefore = "pair_words_before",
    Joiners = "joiners",
    ListWords = "list_words",
    OperationStopwords = "operation_stopwords",
    FuzzyStop = "fuzzy_stop",
    SearchStopwords = "search_stopwords",
    BotWords = "bot_words",
    ReadVerbs = "read_verbs",
    WriteVerbs = "write_verbs",
    DictionarySuffixes = "dictionary_suffixes",
    ExampleMarkers = "example_markers",
    ExampleEnds = "example_ends",
    ChannelPointers = "channel_pointers",
    ChannelWords = "channel_words",
    HashtagWords = "hashtag_words",
    QualifierBreaks = "qualifier_breaks",
    SourceBefore = "source_before",
    SourceAfter = "source_after",
    ToolAfter = "tool_after",
    BrandPointers = "brand_pointers",
    SyncVerbs = "sync_verbs",
    SyncPointers = "sync_pointers",
}

/// Whether a need holds beside named tools, only alone, or is worth a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// A verb and its object ("email me"): holds even when other tools are named.
    Strong,
    /// A noun for a kind of tool ("a spreadsheet"): counts when no tool of its kind is named.
    Weak,
    /// A noun that often means a tool but may not ("leads", "my tasks"): asked about.
    Hint,
}

/// Whether the tool a need points at is written to or read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedRole {
    /// Data is read from it ("website traffic").
    Source,
    /// The flow starts from what arrives in it ("from starred emails").
    Trigger,
    /// Numbers about an account are read from it ("website traffic"); beside a named
    /// tool outside its suite, they are that tool's own ("my Wix site's analytics").
    Report,
}

/// A lexicon entry that changed how a request was read (`patchbay route --explain`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fired {
    /// The entry's id: "en/needs.email-verb", "en/guards.calendar-ui", "forms.ig".
    pub entry: String,
    /// The words it fired on.
    pub text: String,
    /// What it did: "found a need", "cancelled a need", "named a tool".
    pub effect: String,
}

/// One need rule, compiled.
#[derive(Debug)]
pub struct NeedRule {
    pub id: String,
    pub purpose: String,
    pub capability: Capability,
    pub strength: Strength,
    pub verb: String,
    pub object: String,
    pub also: Vec<Capability>,
    pub role: Option<NeedRole>,
    /// Guards (indexes into the language's guards) that cancel a match.
    pub unless: Vec<usize>,
    /// Guards that must all hold.
    pub only_if: Vec<usize>,
}

/// One language's entries, with lists it leaves out taken from English.
#[derive(Debug)]
pub struct Language {
    pub code: String,
    lists: Vec<HashSet<String>>,
    pub needs: Vec<NeedRule>,
    pub guards: Vec<Guard>,
    /// The need rules' patterns, in the order of `needs`.
    rules: RulePatterns,
}

/// A tool outside the catalog, named for one kind of work.
#[derive(Debug)]
pub struct Outside {
    pub capability: Capability,
    pub names: Vec<String>,
}

#[derive(Debug)]
pub struct Lexicon {
    /// English first: it is the fallback for lists and always runs beside another language.
    languages: Vec<Language>,
    outside: Vec<Outside>,
    forms: Forms,
    /// Ordinary words: a typed word found here is never taken for a misspelt tool name.
    dictionary: HashSet<String>,
    questions: Questions,
    /// What each entry is for, by its id ("en/needs.email-verb", "forms.ig").
    purposes: HashMap<String, String>,
}

/// The questions asked when the router is unsure about a kind of work.
#[derive(Debug, Default)]
struct Questions {
    default: String,
    by_work: HashMap<Capability, String>,
}

/// A capability's name as the catalog and the route output write it ("email", "crm").
pub fn cap_name(cap: Capability) -> String {
    serde_json::to_value(cap).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

static GLOBAL: OnceLock<Lexicon> = OnceLock::new();

impl Lexicon {
    /// The lexicon compiled into the binary (`lexicon/` at build time).
    pub fn embedded() -> Result<Self, LexiconError> {
        load::embedded()
    }

    /// A lexicon read from a directory laid out as `lexicon/` is: to try a change, or to
    /// measure what removing one entry does, without a rebuild.
    pub fn from_dir(dir: &Path) -> Result<Self, LexiconError> {
        load::from_dir(dir)
    }

    /// The lexicon every request reads: one installed at start, else the embedded one.
    pub fn global() -> &'static Lexicon {
        GLOBAL.get_or_init(|| match Self::embedded() {
            Ok(lexicon) => lexicon,
            Err(e) => {
                // The embedded files are checked by the tests; this is a broken build.
                tracing::error!(error = %e, "the embedded lexicon does not load; routing without it");
                Self::empty()
            }
        })
    }

    /// Uses `lexicon` for every later request; false when one was already in use.
    pub fn install(lexicon: Lexicon) -> bool {
        GLOBAL.set(lexicon).is_ok()
    }

    fn empty() -> Self {
        let english = Language {
            code: "en".into(),
            lists: vec![HashSet::default(); List::ALL.len()],
            needs: Vec::new(),
            guards: Vec::new(),
            rules: RulePatterns::default(),
        };
        Self {
            languages: vec![english],
            outside: Vec::new(),
            forms: Forms::default(),
            dictionary: HashSet::default(),
            questions: Questions::default(),
            purposes: HashMap::default(),
        }
    }

    pub fn english(&self) -> &Language {
        &self.languages[0]
    }

    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The language a request is written in: the one with the most of its marker words,
    /// two at least; English otherwise.
    pub fn detect(&self, text: &Text) -> &Language {
        let count = |l: &Language| text.tokens.iter().filter(|t| l.has(List::Markers, &t.lower)).count();
        self.languages[1..]
            .iter()
            .map(|l| (count(l), l))
            .filter(|(n, _)| *n >= 2)
            .max_by_key(|(n, _)| *n)
            .map_or(self.english(), |(_, l)| l)
    }

    /// The tool outside the catalog the request names for this kind of work, if any.
    pub fn outside_tool(&self, lower: &str, capability: Capability) -> Option<&str> {
        let o = self.outside.iter().find(|o| o.capability == capability)?;
        o.names.iter().map(String::as_str).find(|name| {
            lower.match_indices(name).any(|(at, _)| {
                let before = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let after = lower[at + name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                before && after
            })
        })
    }

    pub fn forms(&self) -> &Forms {
        &self.forms
    }

    pub fn is_dictionary_word(&self, word: &str) -> bool {
        self.dictionary.contains(word)
    }

    /// The question to ask about a kind of work.
    pub fn question(&self, cap: Capability) -> String {
        match self.questions.by_work.get(&cap) {
            Some(q) => q.clone(),
            None => self.questions.default.replace("{work}", &cap_name(cap)),
        }
    }

    /// What an entry is for, by its id as `--explain` names it.
    pub fn purpose(&self, entry: &str) -> Option<&str> {
        self.purposes.get(entry).map(String::as_str)
    }
}

impl Language {
    pub fn has(&self, list: List, word: &str) -> bool {
        self.lists[list as usize].contains(word)
    }

    pub fn list(&self, list: List) -> &HashSet<String> {
        &self.lists[list as usize]
    }

    pub fn rules(&self) -> &RulePatterns {
        &self.rules
    }
}

#[cfg(test)]
mod tests;
