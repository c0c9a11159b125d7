//! Requests in French, German, Spanish and Portuguese, put into the English the wiring
//! reads. The language knowledge is data (`lexicon/<lang>.toml`: one entry per meaning,
//! the ways people write it, and its English), read by this one small interpreter, so a
//! new phrase or a new language is a data change. Matching ignores case and accents and
//! keeps whole words; the longest phrase wins; a word that names the app's own data
//! ("Commande" in an app that has a Commande entity) stays as typed.

use crate::app::AppStructure;
use crate::intent::text::{singular, words_of};
use crate::intent::{data, words_for_app};
use serde::Deserialize;
use std::sync::LazyLock;

/// One language's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lexicon {
    /// Short words that mark the language (articles, pronouns), to recognise it.
    markers: Vec<String>,
    /// Words that mean "at" before a time of day.
    clock: Vec<String>,
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    to: String,
    from: Vec<String>,
}

/// A language the lexicon knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    French,
    German,
    Spanish,
    Portuguese,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Self::French => "French",
            Self::German => "German",
            Self::Spanish => "Spanish",
            Self::Portuguese => "Portuguese",
        }
    }
}

/// A phrase ready to match: its words without accents, and its English.
struct Phrase {
    words: Vec<String>,
    to: String,
}

struct Loaded {
    language: Language,
    markers: Vec<String>,
    clock: Vec<Vec<String>>,
    /// Longest first.
    phrases: Vec<Phrase>,
}

static LEXICONS: LazyLock<Vec<Loaded>> = LazyLock::new(|| {
    [
        (Language::French, include_str!("lexicon/fr.toml")),
        (Language::German, include_str!("lexicon/de.toml")),
        (Language::Spanish, include_str!("lexicon/es.toml")),
        (Language::Portuguese, include_str!("lexicon/pt.toml")),
    ]
    .into_iter()
    .filter_map(|(language, text)| {
        // The files are built in and tested; a broken one is skipped, never a panic.
        let lexicon: Lexicon = toml::from_str(text).ok()?;
        let mut phrases: Vec<Phrase> = lexicon
            .entry
            .iter()
            .flat_map(|e| e.from.iter().map(|f| Phrase { words: plain_words(f), to: e.to.clone() }))
            .filter(|p| !p.words.is_empty())
            .collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        Some(Loaded {
            language,
            markers: lexicon.markers.iter().map(|m| plain(m)).collect(),
            clock: lexicon.clock.iter().map(|c| plain_words(c)).collect(),
            phrases,
        })
    })
    .collect()
});

/// English function words, to tell an English request from the others.
const ENGLISH: [&str; 24] = [
    "the", "a", "an", "and", "is", "every", "each", "when", "my", "me", "to", "send", "with", "for", "new", "in", "on",
    "of", "at", "from", "post", "email", "it", "them",
];

/// What reading the request's language gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    English,
    /// Put into English.
    Translated {
        language: Language,
        english: String,
    },
    /// A language the lexicon does not know.
    Unknown,
}

/// Reads the request's language and, for one the lexicon knows, puts it into English.
pub fn read(request: &str, app: &AppStructure) -> Reading {
    let words = words_with_places(request);
    let plain: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
    let english = plain.iter().filter(|w| ENGLISH.contains(w)).count();
    let best = LEXICONS
        .iter()
        .map(|l| (l, plain.iter().filter(|w| l.markers.iter().any(|m| m == *w)).count()))
        .max_by_key(|(_, n)| *n);
    match best {
        Some((l, n)) if n >= 2 && n > english => {
            Reading::Translated { language: l.language, english: translate(request, &words, l, app) }
        }
        _ if english == 0 && plain.len() >= 4 && plain.iter().all(|w| !w.chars().all(|c| c.is_ascii_digit())) => {
            Reading::Unknown
        }
        _ => Reading::English,
    }
}

fn translate(request: &str, words: &[(String, usize, usize)], l: &Loaded, app: &AppStructure) -> String {
    let own = words_for_app(app);
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < words.len() {
        let (word, start, _) = &words[i];
        // "à 8h", "um 9 Uhr": the clock word before a number is "at".
        let clock = l.clock.iter().find(|c| {
            matches(words, i, c)
                && words.get(i + c.len()).is_some_and(|w| w.0.starts_with(|ch: char| ch.is_ascii_digit()))
        });
        let phrase = l.phrases.iter().find(|p| matches(words, i, &p.words));
        let one = singular(word);
        let keep = own.contains(&one) || data::resolve_entity(word, app).is_some_and(|e| words_of(&e).contains(&one));
        let (len, to) = match (clock, phrase) {
            (Some(c), _) => (c.len(), "at".to_owned()),
            (None, Some(p)) if !keep => (p.words.len(), p.to.clone()),
            _ => {
                i += 1;
                continue;
            }
        };
        let end = words[i + len - 1].2;
        out.push_str(request.get(copied..*start).unwrap_or(""));
        out.push_str(&to);
        copied = end;
        i += len;
    }
    out.push_str(request.get(copied..).unwrap_or(""));
    out
}

fn matches(words: &[(String, usize, usize)], at: usize, phrase: &[String]) -> bool {
    phrase.iter().enumerate().all(|(k, p)| words.get(at + k).is_some_and(|w| &w.0 == p))
}

/// The words of the text without accents, lowercase, with their byte spans. A hyphen or
/// an apostrophe inside a word joins it ("envoie-moi", "rendez-vous").
fn words_with_places(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize, usize)> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, (i, c)) in chars.iter().enumerate() {
        let joins = matches!(c, '-' | '\'' | '’')
            && current.is_some()
            && chars.get(k + 1).is_some_and(|(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || joins {
            let piece = if joins { "-".to_owned() } else { plain(&c.to_string()) };
            match current.as_mut() {
                Some(w) => {
                    w.0.push_str(&piece);
                    w.2 = i + c.len_utf8();
                }
                None => current = Some((piece, *i, i + c.len_utf8())),
            }
        } else if let Some(w) = current.take() {
            out.push(w);
        }
    }
    out.extend(current);
    out
}

fn plain_words(phrase: &str) -> Vec<String> {
    words_with_places(phrase).into_iter().map(|w| w.0).collect()
}

/// Lowercase without accents: "Créée" → "creee", "Straße" → "strasse".
fn plain(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a".to_owned(),
            'ç' => "c".to_owned(),
            'è' | 'é' | 'ê' | 'ë' => "e".to_owned(),
            'ì' | 'í' | 'î' | 'ï' => "i".to_owned(),
            'ñ' => "n".to_owned(),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o".to_owned(),
            'ù' | 'ú' | 'û' | 'ü' => "u".to_owned(),
            'ý' | 'ÿ' => "y".to_owned(),
            'ß' => "ss".to_owned(),
            'œ' => "oe".to_owned(),
            'æ' => "ae".to_owned(),
            '’' => "'".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
#[path = "lexicon_tests.rs"]
mod tests;
