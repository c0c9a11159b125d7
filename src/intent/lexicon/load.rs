//! Reading lexicon files, embedded or from a directory, and compiling them: patterns with
//! their fragments filled in, guards resolved by name, lists resolved against English. A
//! mistake in a file (an unknown list, a guard that does not exist, a pattern that does not
//! compile) is an error naming the file and the entry, never a silently dead rule.

use super::forms::FormsFile;
use super::guard::{CondSpec, Guard};
use super::{Language, Lexicon, List, NeedRole, NeedRule, Outside, Questions, RulePatterns, Strength, cap_name};
use crate::catalog::Capability;
use regex::Regex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error("lexicon/{file}: {message}")]
pub struct LexiconError {
    file: String,
    message: String,
}

fn error(file: &str, message: impl Into<String>) -> LexiconError {
    LexiconError { file: file.to_owned(), message: message.into() }
}

/// Files are listed here, one line each; the languages, English first.
macro_rules! embed {
    ($($lang:literal: [$($file:literal),*]),* $(,)?) => {
        &[$($(($lang, $file, include_str!(concat!("../../../lexicon/", $lang, "/", $file)))),*),*]
    };
}

const EMBEDDED: &[(&str, &str, &str)] = embed! {
    "en": ["words.toml", "needs.toml", "forms.toml", "outside.toml", "asks.toml", "english_words.txt"],
    "de": ["words.toml", "needs.toml"],
    "es": ["words.toml", "needs.toml"],
    "fr": ["words.toml", "needs.toml"],
    "pt": ["words.toml", "needs.toml"],
};

const FILES: [&str; 6] = ["words.toml", "needs.toml", "forms.toml", "outside.toml", "asks.toml", "english_words.txt"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListSpec {
    #[serde(rename = "for")]
    purpose: String,
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FragmentSpec {
    #[serde(rename = "for")]
    purpose: String,
    regex: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardSpec {
    #[serde(rename = "for")]
    purpose: String,
    when: Vec<CondSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedSpec {
    id: String,
    #[serde(rename = "for")]
    purpose: String,
    capability: Capability,
    strength: Strength,
    action: String,
    patterns: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    only_if: Vec<String>,
    #[serde(default)]
    also: Vec<Capability>,
    role: Option<NeedRole>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NeedsFile {
    #[serde(default)]
    fragments: BTreeMap<String, FragmentSpec>,
    #[serde(default)]
    guards: BTreeMap<String, GuardSpec>,
    #[serde(default)]
    need: Vec<NeedSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutsideSpec {
    capability: Capability,
    #[serde(rename = "for")]
    purpose: String,
    names: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OutsideFile {
    #[serde(default)]
    outside: Vec<OutsideSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AsksFile {
    default: String,
    #[serde(default)]
    question: BTreeMap<Capability, String>,
}

/// One language's files, as read.
#[derive(Default)]
struct Files {
    code: String,
    words: BTreeMap<String, ListSpec>,
    needs: NeedsFile,
}

pub(super) fn embedded() -> Result<Lexicon, LexiconError> {
    let mut by_lang: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (lang, file, text) in EMBEDDED {
        match by_lang.iter_mut().find(|(l, _)| l == lang) {
            Some((_, files)) => files.push((file.to_string(), text.to_string())),
            None => by_lang.push((lang.to_string(), vec![(file.to_string(), text.to_string())])),
        }
    }
    build(by_lang)
}

pub(super) fn from_dir(dir: &Path) -> Result<Lexicon, LexiconError> {
    let read_err = |e: std::io::Error| error(&dir.display().to_string(), e.to_string());
    let mut langs: Vec<String> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    langs.sort_by_key(|l| (l != "en", l.clone()));
    let mut by_lang = Vec::new();
    for lang in langs {
        let mut files = Vec::new();
        for file in FILES {
            let path = dir.join(&lang).join(file);
            if path.exists() {
                files.push((file.to_owned(), std::fs::read_to_string(&path).map_err(read_err)?));
            }
        }
        by_lang.push((lang, files));
    }
    build(by_lang)
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, LexiconError> {
    toml::from_str(text).map_err(|e| error(name, e.to_string()))
}

fn build(by_lang: Vec<(String, Vec<(String, String)>)>) -> Result<Lexicon, LexiconError> {
    let mut read = Vec::new();
    let mut outside = Vec::new();
    let mut forms = super::Forms::default();
    let mut dictionary = HashSet::default();
    let mut asks: Option<AsksFile> = None;
    let mut purposes: HashMap<String, String> = HashMap::default();
    for (lang, files) in by_lang {
        let mut f = Files { code: lang.clone(), ..Files::default() };
        for (file, text) in files {
            let name = format!("{lang}/{file}");
            match file.as_str() {
                "words.toml" => f.words = parse(&name, &text)?,
                "needs.toml" => f.needs = parse(&name, &text)?,
                "forms.toml" => forms.add(parse::<FormsFile>(&name, &text)?),
                "asks.toml" => asks = Some(parse(&name, &text)?),
                "outside.toml" => {
                    let o: OutsideFile = parse(&name, &text)?;
                    for spec in o.outside {
                        purposes.insert(format!("outside.{}", cap_name(spec.capability)), spec.purpose);
                        outside.push(Outside { capability: spec.capability, names: spec.names });
                    }
                }
                "english_words.txt" => dictionary.extend(
                    text.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()).map(str::to_owned),
                ),
                _ => {}
            }
        }
        read.push(f);
    }
    if read.first().is_none_or(|f| f.code != "en") {
        return Err(error("en", "English is the fallback language and must be there"));
    }
    let english_lists = lists_of(&read[0], None)?;
    let english_fragments: HashMap<String, String> =
        read[0].needs.fragments.iter().map(|(k, v)| (k.clone(), v.regex.clone())).collect();
    let mut languages = Vec::new();
    for f in &read {
        let lists = if f.code == "en" { english_lists.clone() } else { lists_of(f, Some(&english_lists))? };
        languages.push(language(f, lists, &english_fragments)?);
        let code = &f.code;
        purposes.extend(f.words.iter().map(|(k, v)| (format!("{code}/words.{k}"), v.purpose.clone())));
        purposes.extend(f.needs.fragments.iter().map(|(k, v)| (format!("{code}/fragments.{k}"), v.purpose.clone())));
        purposes.extend(f.needs.guards.iter().map(|(k, v)| (format!("{code}/guards.{k}"), v.purpose.clone())));
        purposes.extend(f.needs.need.iter().map(|n| (format!("{code}/needs.{}", n.id), n.purpose.clone())));
    }
    for p in &forms.phrases {
        purposes.insert(format!("forms.{}", p.id), p.purpose.clone());
    }
    for p in &forms.prefixes {
        purposes.insert(format!("forms.{}", p.id), p.purpose.clone());
    }
    for p in &forms.spellings {
        purposes.insert(format!("forms.{}", p.id), p.purpose.clone());
    }
    let asks = asks.ok_or_else(|| error("en/asks.toml", "the questions file is missing"))?;
    let questions = Questions { default: asks.default, by_work: asks.question.into_iter().collect() };
    Ok(Lexicon { languages, outside, forms, dictionary, questions, purposes })
}

/// Every list the code reads, from this language or else from English.
fn lists_of(f: &Files, english: Option<&Vec<HashSet<String>>>) -> Result<Vec<HashSet<String>>, LexiconError> {
    let file = format!("{}/words.toml", f.code);
    if let Some(unknown) = f.words.keys().find(|k| !List::ALL.iter().any(|l| l.name() == k.as_str())) {
        return Err(error(&file, format!("unknown list '{unknown}'")));
    }
    List::ALL
        .iter()
        .map(|l| match (f.words.get(l.name()), english) {
            (Some(spec), _) => Ok(spec.words.iter().cloned().collect()),
            (None, Some(en)) => Ok(en[*l as usize].clone()),
            (None, None) => Err(error(&file, format!("the list '{}' is missing", l.name()))),
        })
        .collect()
}

fn language(
    f: &Files,
    lists: Vec<HashSet<String>>,
    en_fragments: &HashMap<String, String>,
) -> Result<Language, LexiconError> {
    let file = format!("{}/needs.toml", f.code);
    let mut guards = Vec::new();
    let mut guard_index = HashMap::default();
    for (id, spec) in &f.needs.guards {
        let when = spec.when.clone();
        let g = Guard::compile(id.clone(), spec.purpose.clone(), when)
            .map_err(|m| error(&file, format!("guard '{id}': {m}")))?;
        guard_index.insert(id.clone(), guards.len());
        guards.push(g);
    }
    let mut fragments = en_fragments.clone();
    fragments.extend(f.needs.fragments.iter().map(|(k, v)| (k.clone(), v.regex.clone())));
    let mut needs = Vec::new();
    let mut patterns = Vec::new();
    let mut ids = HashSet::default();
    for n in &f.needs.need {
        let at = |m: String| error(&file, format!("need '{}': {m}", n.id));
        if !ids.insert(n.id.clone()) {
            return Err(at("the id is used twice".into()));
        }
        let resolve = |names: &[String]| -> Result<Vec<usize>, LexiconError> {
            names.iter().map(|g| guard_index.get(g).copied().ok_or_else(|| at(format!("no guard '{g}'")))).collect()
        };
        let (verb, object) = n.action.split_once(' ').ok_or_else(|| at("action is \"verb object\"".into()))?;
        if n.patterns.is_empty() {
            return Err(at("no patterns".into()));
        }
        let joined = n
            .patterns
            .iter()
            .map(|p| fill(p, &fragments).map(|p| format!("(?:{p})")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(at)?;
        patterns.push(Regex::new(&joined.join("|")).map_err(|e| at(e.to_string()))?);
        needs.push(NeedRule {
            id: n.id.clone(),
            purpose: n.purpose.clone(),
            capability: n.capability,
            strength: n.strength,
            verb: verb.to_owned(),
            object: object.to_owned(),
            also: n.also.clone(),
            role: n.role,
            unless: resolve(&n.unless)?,
            only_if: resolve(&n.only_if)?,
        });
    }
    Ok(Language { code: f.code.clone(), lists, needs, guards, rules: RulePatterns::new(patterns) })
}

/// Fills `{name}` with the fragment of that name; `{2,5}` and other counts stay as written.
fn fill(pattern: &str, fragments: &HashMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len =
            after.find('}').filter(|&n| n > 0 && after[..n].chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        match name_len {
            Some(n) => {
                let name = &after[..n];
                out.push_str(fragments.get(name).ok_or_else(|| format!("no fragment '{name}'"))?);
                rest = &after[n + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}
