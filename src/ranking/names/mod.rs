//! Finds connectors named in a request: outright ("Gmail", "google sheets", "HubSpot's"),
//! in another form ("gsheet", "tweet", "MS Teams", "Hub Spot"), misspelt ("gmial",
//! "slak"), or by a name that is also an ordinary word ("Notion", "box", "Monday") when the
//! words around it say it is the tool.

mod context;
mod fuzzy;

use crate::catalog::Catalog;
use crate::intent::lexicon::{Language, Lexicon, List};
use crate::intent::text::{Text, Token, singular, words_of};
use fuzzy::{deletes, max_distance};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

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
    /// The lexicon entry that made these words a tool, when one did (`--explain`).
    pub because: Option<String>,
}

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
    /// Each connector's name, compacted, and whether each fuzzy alias is a slip of it: a
    /// slip listed as an alias ("jita") stands only for words near the name itself.
    compact_names: Vec<String>,
    slips: Vec<bool>,
    /// Tools sold together share a family: the sign-in host of a suite of three or more
    /// (Google's, Microsoft's), else the connector's own id.
    families: Vec<String>,
    suites: Vec<bool>,
    /// First words that name a suite's products ("google"), each with the suite's family.
    brands: Vec<(String, String)>,
    /// The lexicon entry behind each alias added beyond the catalog's, for `--explain`.
    form_of: HashMap<String, String>,
    /// First words of the names longer than one word: only there is a longer match tried.
    starts: HashSet<String>,
    max_words: usize,
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl NameIndex {
    pub fn build(catalog: &Catalog, lexicon: &Lexicon) -> Self {
        let english = lexicon.english();
        let (families, suites) = families(catalog);
        let brands = brands(catalog, &families, &suites);
        let mut index = NameIndex {
            phrases: HashMap::default(),
            compact: HashMap::default(),
            case_sensitive: HashMap::default(),
            deletions: HashMap::default(),
            fuzzy_aliases: Vec::new(),
            second_words: HashSet::default(),
            nouns: Vec::new(),
            popularity: Vec::new(),
            compact_names: Vec::new(),
            slips: Vec::new(),
            families,
            suites,
            brands: brands.clone(),
            form_of: HashMap::default(),
            starts: HashSet::default(),
            max_words: 1,
        };
        for (i, c) in catalog.iter().enumerate() {
            let lower_name = c.name.to_lowercase();
            let brand_prefix =
                brands.iter().find(|(b, _)| lower_name.starts_with(&format!("{b} "))).map(|(b, _)| b.len() + 1);
            let sub_product_word = brand_prefix.map(|n| compact(&lower_name[n..]));
            // A name that is also an ordinary word ("Stripe", "Square") is listed among the
            // ambiguous aliases and counts only in context.
            let ambiguous: HashSet<String> = c.ambiguous_aliases.iter().map(|a| compact(a)).collect();
            let name = Some(&c.name).filter(|n| !ambiguous.contains(&compact(n)));
            let strong: Vec<&String> = name.into_iter().chain(&c.aliases).collect();
            for alias in &strong {
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
            index.add_forms(lexicon, i, &strong, &c.ambiguous_aliases);
            let mut nouns = HashSet::default();
            for op in c.operations() {
                let phrases = op.phrases.iter().flat_map(|p| words_of(p));
                for w in words_of(&op.name).into_iter().chain(words_of(&op.id)).chain(phrases) {
                    if w.len() > 2 && !english.has(List::OperationStopwords, &w) {
                        nouns.insert(singular(&w));
                    }
                }
            }
            index.nouns.push(nouns);
            index.popularity.push(c.popularity);
            index.compact_names.push(compact(&c.name));
        }
        let slip = |(alias, c): &(String, usize)| {
            let name = &index.compact_names[*c];
            alias != name && strsim::osa_distance(alias, name) <= 2
        };
        index.slips = index.fuzzy_aliases.iter().map(slip).collect();
        index
    }

    /// The lexicon's other ways to write this connector's names: short forms, verb forms,
    /// a brand's prefix, misspelt words inside the name.
    fn add_forms(&mut self, lexicon: &Lexicon, i: usize, strong: &[&String], ambiguous: &[String]) {
        let names: Vec<String> = strong.iter().map(|a| a.to_lowercase()).collect();
        let is_ours = |name: &str| names.iter().chain(ambiguous.iter()).any(|n| compact(n) == compact(name));
        let forms = lexicon.forms();
        let mut extra: Vec<(String, AliasKind, String)> = Vec::new();
        for p in forms.phrases.iter().filter(|p| is_ours(&p.name)) {
            let kind = if p.ambiguous { AliasKind::Ambiguous { sub_product: false } } else { AliasKind::Strong };
            extra.extend(p.forms.iter().map(|f| (f.clone(), kind, p.id.clone())));
        }
        for name in &names {
            extra.extend(forms.variants_of(name).into_iter().map(|(f, id)| (f, AliasKind::Strong, id.to_owned())));
        }
        for (form, kind, id) in extra {
            self.form_of.insert(form.clone(), format!("forms.{id}"));
            self.add(&form, Entry { connector: i, kind });
        }
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
            let mut variants = HashSet::default();
            deletes(&c, depth, &mut variants);
            variants.insert(c);
            for v in variants {
                self.deletions.entry(v).or_default().push((id, 0));
            }
        }
    }

    /// Every connector named in the text, left to right; the longest name wins where
    /// names overlap. `skip` holds spans that are not names (time expressions).
    pub fn find(
        &self,
        text: &Text,
        lexicon: &Lexicon,
        lang: &Language,
        skip: &[(usize, usize)],
        app_words: &HashSet<String>,
    ) -> Vec<Mention> {
        let toks = &text.tokens;
        let r = Reading { text, lexicon, lang, app_words };
        // Each token's words and compact form, computed once for every n-gram tried.
        // A possessive's "s" says nothing inside a name: "Google's task list" names Google
        // Tasks as "Google task list" would.
        let parts: Vec<(Cow<'_, str>, Cow<'_, str>)> = toks
            .iter()
            .enumerate()
            .map(|(k, t)| match k.checked_sub(1).map(|p| &text.original[toks[p].end..t.start]) {
                Some("'" | "\u{2019}") if t.lower == "s" => (Cow::Borrowed(""), Cow::Borrowed("")),
                // Most words are plain lowercase ASCII: both forms are the word itself.
                _ if t.lower.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) => {
                    (Cow::Borrowed(t.lower.as_str()), Cow::Borrowed(t.lower.as_str()))
                }
                _ => (Cow::Owned(words_of(&t.lower).join(" ")), Cow::Owned(compact(&t.lower))),
            })
            .collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if skip.iter().any(|(s, e)| toks[i].start >= *s && toks[i].end <= *e) {
                i += 1;
                continue;
            }
            match self.match_at(&r, &parts, i) {
                Some(m) => {
                    i = m.last;
                    found.push(m);
                }
                None => i += 1,
            }
        }
        found
    }

    fn match_at(&self, r: &Reading, parts: &[(Cow<'_, str>, Cow<'_, str>)], i: usize) -> Option<Mention> {
        let toks = &r.text.tokens;
        let multi = self.starts.contains(parts[i].0.as_ref());
        // Names written apart ("Hub Spot", "Mail Chimp") join up to three words.
        let longest = self.max_words.min(toks.len() - i).max(1);
        let mut joined = String::new(); // the n-gram's compact form, one buffer for every length
        for len in (1..=longest).rev() {
            if len > 3 && !multi {
                continue;
            }
            let slice = &parts[i..i + len];
            // The words joined are built only when looked up: most n-grams name nothing.
            let words = || slice.iter().map(|p| p.0.as_ref()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
            let entries = if len == 1 {
                self.phrases.get(slice[0].0.as_ref()).or_else(|| self.compact.get(slice[0].1.as_ref()))
            } else {
                let by_words = if multi { self.phrases.get(&words()) } else { None };
                by_words.or_else(|| {
                    joined.clear();
                    slice.iter().for_each(|p| joined.push_str(&p.1));
                    self.compact.get(&joined)
                })
            };
            let Some(entries) = entries else { continue };
            for e in entries {
                if let Some(because) = self.accept(e, r, i, i + len) {
                    let how = if e.kind == AliasKind::Strong { How::Named } else { How::InContext };
                    let mut m = self.mention(r.text, e.connector, i, i + len, how);
                    m.because = because.or_else(|| self.form_of.get(&words()).cloned());
                    return Some(m);
                }
            }
        }
        if let Some(m) = self.name_before_hyphen(r, i) {
            return Some(m);
        }
        let t = &toks[i];
        if let Some(&c) = self.case_sensitive.get(&t.raw) {
            let number_near = |j: Option<&Token>| j.is_some_and(|t| t.is_number());
            if !number_near(i.checked_sub(1).map(|j| &toks[j])) && !number_near(toks.get(i + 1)) {
                return Some(self.mention(r.text, c, i, i + 1, How::Named));
            }
        }
        self.fuzzy(r, i)
    }

    /// A tool's name at the front of a hyphenated compound, as German and others write
    /// them ("Dropbox-Ordner", "Google-Sheets-Tabelle"): only a name that is the tool's
    /// wherever it stands, and not a comparison ("Slack-like", "Notion-style").
    fn name_before_hyphen(&self, r: &Reading, i: usize) -> Option<Mention> {
        let t = &r.text.tokens[i];
        if !t.raw.contains('-') {
            return None;
        }
        let pieces: Vec<&str> = t.raw.split('-').collect();
        // A name is at most `max_words` words, so only that many pieces are tried.
        for k in (1..pieces.len().min(self.max_words + 1)).rev() {
            let rest = pieces[k..].join("-").to_lowercase();
            if [List::Reference, List::ReferenceAfter].iter().any(|l| r.lang.has(*l, &rest)) {
                return None;
            }
            let head = pieces[..k].iter().flat_map(|p| words_of(p)).collect::<Vec<_>>();
            let Some(entries) = self.phrases.get(&head.join(" ")).or_else(|| self.compact.get(&head.concat())) else {
                continue;
            };
            if let Some(e) = entries.iter().find(|e| e.kind == AliasKind::Strong) {
                let mut m = self.mention(r.text, e.connector, i, i + 1, How::Named);
                m.end = m.start + pieces[..k].join("-").len();
                m.typed = r.text.original[m.start..m.end].to_owned();
                return Some(m);
            }
        }
        None
    }

    pub(super) fn mention(&self, text: &Text, connector: usize, first: usize, last: usize, how: How) -> Mention {
        let start = text.tokens[first].start;
        let end = text.tokens[last - 1].end;
        Mention { connector, how, first, last, start, end, typed: text.original[start..end].to_owned(), because: None }
    }

    /// A suite's brand written alone where the work goes ("my Asana tasks to Google", "sync
    /// the tasks with Google"): each such word's token and the suite's family. A capital
    /// word right after it names a product of the brand ("Google Scholar"), so the brand
    /// does not stand alone there.
    pub fn bare_brands(&self, text: &Text, lang: &Language, mentions: &[Mention]) -> Vec<(usize, &str)> {
        let syncs = text.tokens.iter().any(|t| lang.has(List::SyncVerbs, &t.lower));
        let toks = &text.tokens;
        let mut out = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            let Some((_, family)) = self.brands.iter().find(|(brand, _)| *brand == t.lower) else { continue };
            if mentions.iter().any(|m| m.first <= i && i < m.last) {
                continue;
            }
            let prev = text.word(i as isize - 1);
            let points = lang.has(List::BrandPointers, prev) || (syncs && lang.has(List::SyncPointers, prev));
            let product_after = toks.get(i + 1).is_some_and(|next| {
                next.is_capitalized() && !text.title_case && text.original[t.end..next.start].trim().is_empty()
            });
            if points && !product_after {
                out.push((i, family.as_str()));
            }
        }
        out
    }

    /// The family of tools sold together that this connector belongs to.
    pub fn family(&self, connector: usize) -> &str {
        &self.families[connector]
    }

    /// True for a family of three or more tools (Google's, Microsoft's): a need goes to
    /// the family of the tools named beside it.
    pub fn in_suite(&self, connector: usize) -> bool {
        self.suites[connector]
    }
}

/// What the name finder reads a request with.
struct Reading<'a> {
    text: &'a Text,
    lexicon: &'a Lexicon,
    lang: &'a Language,
    app_words: &'a HashSet<String>,
}

/// Families by sign-in host: connectors that share one with two others are a suite.
fn families(catalog: &Catalog) -> (Vec<String>, Vec<bool>) {
    let host = |c: &crate::catalog::Connector| {
        c.auth
            .authorization_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
    };
    let hosts: Vec<Option<String>> = catalog.iter().map(host).collect();
    let count = |h: &String| hosts.iter().filter(|x| x.as_ref() == Some(h)).count();
    catalog
        .iter()
        .zip(&hosts)
        .map(|(c, h)| match h {
            Some(h) if count(h) >= 3 => (h.clone(), true),
            _ => (c.id.to_string(), false),
        })
        .unzip()
}

/// First words that name a suite's products ("google", "microsoft"): shared by two names or
/// more in it; each with the suite's family.
fn brands(catalog: &Catalog, families: &[String], suites: &[bool]) -> Vec<(String, String)> {
    let firsts: Vec<Option<(String, &String)>> = catalog
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let words = words_of(&c.name);
            (suites[i] && words.len() > 1).then(|| (words[0].clone(), &families[i]))
        })
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (word, fam) in firsts.iter().flatten() {
        let shared = firsts.iter().flatten().filter(|(w, f)| w == word && f == fam).count() >= 2;
        if shared && !out.iter().any(|(w, _)| w == word) {
            out.push((word.clone(), (*fam).clone()));
        }
    }
    out
}

/// The words of tokens [from, to), lowercase, as the phrase index keys them.
fn phrase(text: &Text, from: usize, to: usize) -> String {
    text.tokens[from..to].iter().map(|t| words_of(&t.lower).join(" ")).collect::<Vec<_>>().join(" ")
}

/// Alias words as the tokenizer would produce them ("monday.com" stays one word).
fn words_of_alias(alias: &str) -> Vec<String> {
    Text::new(alias).tokens.into_iter().flat_map(|t| words_of(&t.lower)).collect()
}
