//! Finds connectors named in a request: outright ("Gmail", "google sheets", "HubSpot's"),
//! in another form ("gsheet", "tweet", "MS Teams", "Hub Spot"), misspelt ("gmial",
//! "slak"), or by a name that is also an ordinary word ("Notion", "box", "Monday") when the
//! words around it say it is the tool.

mod fuzzy;

use crate::catalog::Catalog;
use crate::intent::text::{Text, Token, singular, words_of};
use fuzzy::{deletes, max_distance};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AliasKind {
    Strong,
    /// An ordinary word; a Google or Microsoft sub-product ("Sheets", "Drive") needs a
    /// capital or one of its nouns, a brand word ("notion") may also follow a pointer
    /// word ("to notion").
    Ambiguous {
        sub_product: bool,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    connector: usize,
    kind: AliasKind,
}

/// How a connector was found in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    Named,
    Misspelt { typed: String },
    InContext,
}

#[derive(Clone, Debug)]
pub struct Mention {
    pub connector: usize,
    pub how: How,
    /// Token range [first, last).
    pub first: usize,
    pub last: usize,
    /// Byte range in the request.
    pub start: usize,
    pub end: usize,
    /// The words as typed.
    pub typed: String,
}

/// Words before an ambiguous name that point at a tool: "to notion", "my box".
const POINTERS: &[&str] = &[
    "to", "into", "in", "from", "via", "using", "with", "on", "my", "our", "your", "their", "through", "onto",
    "connect", "and", "or",
];
/// Words after such a name that end the phrase, so the name is the object: "to notion when…".
const FOLLOWERS: &[&str] = &[
    "",
    "and",
    "or",
    "when",
    "whenever",
    "every",
    "each",
    "daily",
    "weekly",
    "with",
    "for",
    "if",
    "after",
    "before",
    "so",
    "then",
    "as",
    "automatically",
    "too",
    "also",
    "account",
    "workspace",
    "app",
    "integration",
    "api",
    "webhook",
    "webhooks",
    "s",
];
/// Verbs that take a tool as indirect object: "send notion a copy".
const SEND_VERBS: &[&str] = &["send", "post", "push", "sync", "give", "forward", "copy"];
const DETERMINERS: &[&str] = &["a", "an", "the", "my", "our", "every", "each", "all", "new", "any"];
/// Nouns that mark any brand word as a tool: "zoom link", "notion account".
const TOOL_NOUNS: &[&str] =
    &["account", "integration", "api", "app", "workspace", "webhook", "link", "links", "bot", "connector"];
/// Parts of an app's own screens: "the Tasks list" names the app's page, not Google Tasks.
const UI_NOUNS: &[&str] =
    &["list", "page", "tab", "view", "section", "table", "screen", "button", "menu", "panel", "widget", "component"];
/// Words that make a name part of the app's own data model: "the Slack Channel field".
const FIELD_WORDS: &[&str] = &["field", "column", "property", "attribute"];
/// Words before a name that say it is a comparison, not the tool: "like Slack".
const REFERENCE: &[&str] = &["like", "than", "resembles", "resembling", "mimic", "clone", "inspired"];
const NEGATION: &[&str] = &["without", "not", "never", "except", "instead"];

pub struct NameIndex {
    phrases: HashMap<String, Vec<Entry>>,
    compact: HashMap<String, Vec<Entry>>,
    case_sensitive: HashMap<String, usize>,
    /// SymSpell-style deletion index over strong one-word aliases: a misspelling shares a
    /// deletion with its alias, so lookups stay fast for any catalog size.
    deletions: HashMap<String, Vec<(usize, u32)>>,
    fuzzy_aliases: Vec<(String, usize)>,
    /// Second words of two-word names ("sheets"): only before one is a joined slip tried.
    second_words: HashSet<String>,
    nouns: Vec<HashSet<String>>,
    popularity: Vec<u8>,
    /// "google", "microsoft", or the connector's own id: tools sold together.
    families: Vec<String>,
    /// First words of the names longer than one word: only there is a longer match tried.
    starts: HashSet<String>,
    max_words: usize,
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl NameIndex {
    pub fn build(catalog: &Catalog) -> Self {
        let mut index = NameIndex {
            phrases: HashMap::new(),
            compact: HashMap::new(),
            case_sensitive: HashMap::new(),
            deletions: HashMap::new(),
            fuzzy_aliases: Vec::new(),
            second_words: HashSet::new(),
            nouns: Vec::new(),
            popularity: Vec::new(),
            families: Vec::new(),
            starts: HashSet::new(),
            max_words: 1,
        };
        for (i, c) in catalog.iter().enumerate() {
            let brand_prefix =
                ["google ", "microsoft "].iter().find(|p| c.name.to_lowercase().starts_with(*p)).map(|p| p.len());
            let sub_product_word = brand_prefix.map(|n| compact(&c.name[n..]));
            // A name that is also an ordinary word ("Stripe", "Square") is listed among the
            // ambiguous aliases and counts only in context.
            let ambiguous: HashSet<String> = c.ambiguous_aliases.iter().map(|a| compact(a)).collect();
            let name = Some(&c.name).filter(|n| !ambiguous.contains(&compact(n)));
            let strong = name.into_iter().chain(&c.aliases);
            for alias in strong {
                index.add(alias, Entry { connector: i, kind: AliasKind::Strong });
            }
            for alias in &c.ambiguous_aliases {
                let sub_product =
                    sub_product_word.as_deref() == Some(compact(alias).as_str()) || brand_prefix.is_some();
                index.add(alias, Entry { connector: i, kind: AliasKind::Ambiguous { sub_product } });
            }
            for alias in &c.case_sensitive_aliases {
                index.case_sensitive.insert(alias.clone(), i);
            }
            let mut nouns = HashSet::new();
            for op in c.operations() {
                for w in words_of(&op.name).into_iter().chain(words_of(&op.id)) {
                    if w.len() > 2 && !is_verb_or_stopword(&w) {
                        nouns.insert(singular(&w));
                    }
                }
            }
            index.nouns.push(nouns);
            index.popularity.push(c.popularity);
            index.families.push(family(c.id.as_str()).to_owned());
        }
        index
    }

    fn add(&mut self, alias: &str, entry: Entry) {
        let words = words_of_alias(alias);
        if words.is_empty() {
            return;
        }
        self.max_words = self.max_words.max(words.len());
        if words.len() > 1 {
            self.starts.insert(words[0].clone());
        }
        self.phrases.entry(words.join(" ")).or_default().push(entry);
        let c = compact(alias);
        self.compact.entry(c.clone()).or_default().push(entry);
        // Names of one or two words: "gmial", and "googel sheets" typed as two.
        if entry.kind == AliasKind::Strong
            && words.len() <= 2
            && c.chars().count() >= 4
            && c.chars().all(char::is_alphabetic)
        {
            // A two-word name is indexed for one slip only ("googel sheets" is one
            // transposition): two would multiply its deletions for little gain.
            let depth = if let [_, second] = words.as_slice() {
                self.second_words.insert(second.clone());
                1
            } else {
                max_distance(c.chars().count())
            };
            let id = self.fuzzy_aliases.len();
            self.fuzzy_aliases.push((c.clone(), entry.connector));
            let mut variants = HashSet::new();
            deletes(&c, depth, &mut variants);
            variants.insert(c);
            for v in variants {
                self.deletions.entry(v).or_default().push((id, 0));
            }
        }
    }

    /// Every connector named in the text, left to right; the longest name wins where
    /// names overlap. `skip` holds spans that are not names (time expressions).
    pub fn find(&self, text: &Text, skip: &[(usize, usize)], app_words: &HashSet<String>) -> Vec<Mention> {
        let toks = &text.tokens;
        // Each token's words and compact form, computed once for every n-gram tried.
        let parts: Vec<(String, String)> =
            toks.iter().map(|t| (words_of(&t.lower).join(" "), compact(&t.lower))).collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if skip.iter().any(|(s, e)| toks[i].start >= *s && toks[i].end <= *e) {
                i += 1;
                continue;
            }
            match self.match_at(text, &parts, i, app_words) {
                Some(m) => {
                    i = m.last;
                    found.push(m);
                }
                None => i += 1,
            }
        }
        found
    }

    fn match_at(
        &self,
        text: &Text,
        parts: &[(String, String)],
        i: usize,
        app_words: &HashSet<String>,
    ) -> Option<Mention> {
        let toks = &text.tokens;
        let multi = self.starts.contains(&parts[i].0);
        // Names written apart ("Hub Spot", "Mail Chimp") join up to three words.
        let longest = self.max_words.min(toks.len() - i).max(1);
        for len in (1..=longest).rev() {
            if len > 3 && !multi {
                continue;
            }
            let slice = &parts[i..i + len];
            let entries = if len == 1 {
                self.phrases.get(&slice[0].0).or_else(|| self.compact.get(&slice[0].1))
            } else {
                let by_words = if multi {
                    self.phrases.get(&slice.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join(" "))
                } else {
                    None
                };
                by_words.or_else(|| self.compact.get(&slice.iter().map(|p| p.1.as_str()).collect::<String>()))
            };
            if let Some(entries) = entries
                && let Some(e) = entries.iter().find(|e| self.accept(e, text, i, i + len, app_words))
            {
                return Some(self.mention(
                    text,
                    e.connector,
                    i,
                    i + len,
                    if e.kind == AliasKind::Strong { How::Named } else { How::InContext },
                ));
            }
        }
        let t = &toks[i];
        if let Some(&c) = self.case_sensitive.get(&t.raw) {
            let number_near = |j: Option<&Token>| j.is_some_and(|t| t.is_number());
            if !number_near(i.checked_sub(1).map(|j| &toks[j])) && !number_near(toks.get(i + 1)) {
                return Some(self.mention(text, c, i, i + 1, How::Named));
            }
        }
        self.fuzzy(text, i, app_words)
    }

    fn accept(&self, e: &Entry, text: &Text, first: usize, last: usize, app_words: &HashSet<String>) -> bool {
        let sub_product = match e.kind {
            AliasKind::Strong => return true,
            AliasKind::Ambiguous { sub_product } => sub_product,
        };
        let tok = &text.tokens[first];
        if app_words.contains(&singular(&tok.lower)) {
            return false; // "add a field to tasks" in an app with a Task entity
        }
        let prev = text.word(first as isize - 1);
        let next = text.word(last as isize);
        let next_singular = singular(next);
        let own_noun = self.nouns[e.connector].contains(&next_singular);
        let capital = tok.is_capitalized()
            && !text.title_case
            && (!tok.sentence_start || text.original[tok.end..].starts_with(':'));
        if sub_product && self.follows_other_brand(text, first, e.connector) {
            return false; // "Facebook Lead Ads" is Facebook's, not Google Ads
        }
        if sub_product && UI_NOUNS.contains(&next) {
            return false; // "the Tasks list", "the Forms page": a part of the app
        }
        if capital || own_noun {
            return true;
        }
        if sub_product {
            // "Save attachments To Drive" in a Title Case title: capitalised, and the
            // object of "to"/"in"/"from" at the end of its phrase.
            return tok.is_capitalized()
                && ((POINTERS.contains(&prev) && FOLLOWERS.contains(&next))
                    || self.joined_to_named_tool(text, first, last));
        }
        let tool_noun = TOOL_NOUNS.contains(&next);
        let pointed = POINTERS.contains(&prev) && FOLLOWERS.contains(&next);
        let indirect_object = SEND_VERBS.contains(&prev) && DETERMINERS.contains(&next);
        // A capital that says nothing on its own (first word, Title Case) still names the
        // tool when the request talks about that tool's things: "Stripe failed payments…".
        let capital_with_context =
            tok.is_capitalized() && text.tokens.iter().any(|t| self.nouns[e.connector].contains(&singular(&t.lower)));
        tool_noun
            || pointed
            || indirect_object
            || capital_with_context
            || (tok.is_capitalized() && self.joined_to_named_tool(text, first, last))
    }

    /// "Snowflake to Google Sheets", "Slack & Box": a brand word joined to a tool named
    /// outright is a tool too, even where its capital says nothing (a title's first word).
    fn joined_to_named_tool(&self, text: &Text, first: usize, last: usize) -> bool {
        let toks = &text.tokens;
        let gap = |a: usize, b: usize| text.original[toks[a].end..toks[b].start].trim().to_owned();
        let joins = |s: &str| matches!(s, "&" | "+" | "," | "→" | "->" | "/");
        let after = match text.word(last as isize) {
            "to" | "and" | "into" | "with" => Some(last + 1),
            _ if last < toks.len() && joins(&gap(last - 1, last)) => Some(last),
            _ => None,
        };
        let before = match text.word(first as isize - 1) {
            "to" | "and" | "into" | "with" | "from" if first >= 2 => Some(first - 2),
            _ if first >= 1 && joins(&gap(first - 1, first)) => Some(first - 1),
            _ => None,
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
    fn follows_other_brand(&self, text: &Text, first: usize, connector: usize) -> bool {
        (1..=2).filter_map(|k| first.checked_sub(k)).any(|j| {
            let between = &text.original[text.tokens[j].end..text.tokens[first].start];
            let joined = !between.contains([',', '&', '+', '/', '|', ';'])
                && (j + 1..first).all(|m| {
                    !matches!(
                        text.tokens[m].lower.as_str(),
                        "and" | "or" | "with" | "to" | "from" | "in" | "into" | "via" | "using"
                    )
                });
            joined
                && self.phrases.get(&text.tokens[j].lower).is_some_and(|entries| {
                    entries
                        .iter()
                        .any(|e| e.kind == AliasKind::Strong && self.families[e.connector] != self.families[connector])
                })
        })
    }

    fn mention(&self, text: &Text, connector: usize, first: usize, last: usize, how: How) -> Mention {
        let start = text.tokens[first].start;
        let end = text.tokens[last - 1].end;
        Mention { connector, how, first, last, start, end, typed: text.original[start..end].to_owned() }
    }
}

impl Mention {
    /// "like Slack", "a HubSpot clone": a comparison, not a request for the tool.
    pub fn is_reference(&self, text: &Text) -> bool {
        let prev = text.word(self.first as isize - 1);
        let prev2 = text.word(self.first as isize - 2);
        let next = text.word(self.last as isize);
        REFERENCE.contains(&prev)
            || (prev == "to" && prev2 == "similar")
            || matches!(next, "clone" | "style" | "-style" | "lookalike")
    }

    /// "a field for their Instagram handle", "a Twitter icon in the footer": the tool's name
    /// describes the app's own data or looks, so nothing is connected.
    pub fn is_data_detail(&self, text: &Text) -> bool {
        let next = singular(text.word(self.last as isize));
        let field_follows =
            (0..2).any(|k| FIELD_WORDS.contains(&singular(text.word((self.last + k) as isize)).as_str()));
        let detail = matches!(next.as_str(), "handle" | "username" | "url" | "icon" | "logo");
        let on_a_form = || {
            text.tokens.iter().any(|t| {
                let w = singular(&t.lower);
                FIELD_WORDS.contains(&w.as_str())
                    || matches!(w.as_str(), "input" | "footer" | "header" | "button" | "form")
            })
        };
        field_follows || (detail && on_a_form())
    }

    /// Named but not asked for: negated, a comparison, or a detail of the app's own data.
    pub fn is_not_asked_for(&self, text: &Text) -> bool {
        self.is_negated(text) || self.is_reference(text) || self.is_data_detail(text)
    }

    /// "without Slack", "instead of Gmail".
    pub fn is_negated(&self, text: &Text) -> bool {
        let before: Vec<&str> = (1..=3).map(|k| text.word(self.first as isize - k)).collect();
        let no = before[0] == "no" && !is_portuguese(text);
        before.iter().any(|w| NEGATION.contains(w)) || (before[0] == "use" && before[1] == "don't") || no
    }
}

/// Portuguese "no" is "in the" ("publicar no Slack"), not a refusal.
fn is_portuguese(text: &Text) -> bool {
    const WORDS: &[&str] =
        &["quando", "um", "uma", "com", "em", "não", "novo", "nova", "ao", "você", "mensagem", "cada"];
    text.tokens.iter().filter(|t| WORDS.contains(&t.lower.as_str())).count() >= 2
}

/// The words of tokens [from, to), lowercase, as the phrase index keys them.
fn phrase(text: &Text, from: usize, to: usize) -> String {
    text.tokens[from..to].iter().map(|t| words_of(&t.lower).join(" ")).collect::<Vec<_>>().join(" ")
}

/// Google's and Microsoft's tools belong together; every other connector stands alone.
pub(super) fn family(id: &str) -> &str {
    match id {
        "gmail" | "youtube" => "google",
        "outlook" | "onedrive" | "sharepoint" => "microsoft",
        _ if id.starts_with("google_") => "google",
        _ if id.starts_with("microsoft_") => "microsoft",
        _ => id,
    }
}

/// Alias words as the tokenizer would produce them ("monday.com" stays one word).
fn words_of_alias(alias: &str) -> Vec<String> {
    Text::new(alias).tokens.into_iter().flat_map(|t| words_of(&t.lower)).collect()
}

fn is_verb_or_stopword(w: &str) -> bool {
    matches!(
        w,
        "create"
            | "send"
            | "add"
            | "update"
            | "get"
            | "list"
            | "post"
            | "new"
            | "find"
            | "search"
            | "read"
            | "upload"
            | "delete"
            | "run"
            | "make"
            | "set"
            | "the"
            | "and"
            | "for"
            | "from"
            | "into"
            | "with"
            | "your"
            | "its"
            | "all"
            | "one"
            | "publish"
            | "share"
            | "start"
            | "schedule"
            | "insert"
            | "append"
            | "move"
            | "assign"
            | "complete"
            | "completed"
            | "changed"
            | "change"
            | "receive"
            | "received"
            | "track"
            | "fetch"
            | "sync"
            | "submit"
            | "submitted"
            | "invite"
            | "reply"
            | "log"
            | "record"
            | "open"
            | "close"
            | "mark"
    )
}
