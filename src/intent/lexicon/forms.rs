//! How people write tool names beyond the catalog's own aliases: short forms ("IG"), verb
//! forms ("retweeted"), longer phrases that mean another tool ("a Google Drive
//! spreadsheet" is a Sheets file), a brand's prefix ("gCalendar"), and common misspellings
//! of the words inside names ("google calander"). Each entry refers to a tool by a name
//! or alias the catalog gives it, so the catalog stays the only source of connector facts.

use serde::Deserialize;

/// `forms.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FormsFile {
    #[serde(default)]
    form: Vec<Phrase>,
    #[serde(default)]
    prefix: Vec<Prefix>,
    #[serde(default)]
    spelling: Vec<Spelling>,
}

/// Other ways to write one of the catalog's names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub id: String,
    #[serde(rename = "for")]
    pub purpose: String,
    /// What people type, lowercase.
    pub forms: Vec<String>,
    /// The name or alias, as the catalog writes it, that the forms stand for.
    pub name: String,
    /// An ordinary word as well: it counts only where the words around it say it is the tool.
    #[serde(default)]
    pub ambiguous: bool,
}

/// A brand's products written with a short prefix: "g" + "calendar" for Google Calendar.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefix {
    pub id: String,
    #[serde(rename = "for")]
    pub purpose: String,
    pub prefix: String,
    /// The first word of the catalog names it applies to ("google").
    pub brand: String,
}

/// Misspellings of a word that appears inside tool names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spelling {
    pub id: String,
    #[serde(rename = "for")]
    pub purpose: String,
    pub word: String,
    pub typos: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Forms {
    pub phrases: Vec<Phrase>,
    pub prefixes: Vec<Prefix>,
    pub spellings: Vec<Spelling>,
}

impl Forms {
    pub(super) fn add(&mut self, file: FormsFile) {
        self.phrases.extend(file.form);
        self.prefixes.extend(file.prefix);
        self.spellings.extend(file.spelling);
    }

    /// The extra ways to write one catalog name ("google calendar"), each with the id of
    /// the entry that made it: the brand-prefixed form and the misspelt forms of its words.
    pub fn variants_of(&self, name: &str) -> Vec<(String, &str)> {
        let words: Vec<&str> = name.split_whitespace().collect();
        let mut out = Vec::new();
        for p in &self.prefixes {
            if let [brand, rest @ ..] = words.as_slice()
                && *brand == p.brand
                && !rest.is_empty()
            {
                out.push((format!("{}{}", p.prefix, rest.concat()), p.id.as_str()));
            }
        }
        for s in &self.spellings {
            if words.len() > 1 && words.contains(&s.word.as_str()) {
                for typo in &s.typos {
                    let fixed: Vec<&str> =
                        words.iter().map(|w| if *w == s.word { typo.as_str() } else { *w }).collect();
                    out.push((fixed.join(" "), s.id.as_str()));
                }
            }
        }
        out
    }
}
