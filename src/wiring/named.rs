//! What a request names by name: the tools ("in Google Sheets", "our Discord", "a Square
//! refund") and the values it gives an input next to the input's own word ("the Mobile
//! project", "the Sales channel", "the 'Spring Promo' Trello board", "with the label
//! Invoices"), so that a flow uses them instead of asking again.

use crate::app::AppStructure;
use crate::catalog::{Catalog, Connector};
use crate::intent::text::{Text, words_of};
use crate::intent::words_for_app;

/// A tool named in the request, with the byte span of its name.
#[derive(Clone, Copy, Debug)]
pub struct Mention<'c> {
    pub connector: &'c Connector,
    pub start: usize,
    pub end: usize,
}

/// Every catalog tool the text names, in order. A name that is also an everyday word
/// ("Square", "Teams", "Linear") counts only when written with a capital, and not when it
/// is the app's own word ("the Tasks page" in an app with tasks).
pub fn tools<'c>(text: &Text, catalog: &'c Catalog, app: &AppStructure) -> Vec<Mention<'c>> {
    let own = words_for_app(app);
    let mut found: Vec<Mention<'c>> = Vec::new();
    for c in catalog.iter() {
        let plain = std::iter::once(&c.name).chain(c.aliases.iter()).map(|n| (n, false));
        let careful = c.ambiguous_aliases.iter().chain(c.case_sensitive_aliases.iter()).map(|n| (n, true));
        for (name, needs_capital) in plain.chain(careful) {
            let words = words_of(name);
            if words.is_empty() {
                continue;
            }
            let ambiguous = c.ambiguous_aliases.iter().any(|a| a.eq_ignore_ascii_case(name));
            let capital_required = needs_capital || (words.len() == 1 && ambiguous);
            for (i, window) in text.tokens.windows(words.len()).enumerate() {
                if !window.iter().zip(&words).all(|(t, w)| token_is(&t.lower, w)) {
                    continue;
                }
                let first = &text.tokens[i];
                if capital_required && (!first.is_capitalized() || (first.sentence_start && text.title_case)) {
                    continue;
                }
                if capital_required && words.iter().all(|w| own.contains(&crate::intent::text::singular(w))) {
                    continue;
                }
                let (start, end) = (first.start, window.last().map_or(first.end, |t| t.end));
                let overlaps = found.iter().any(|m| m.start < end && start < m.end && m.end - m.start >= end - start);
                if !overlaps {
                    found.retain(|m| !(start <= m.start && m.end <= end));
                    found.push(Mention { connector: c, start, end });
                }
            }
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

/// "sheets" matches "sheets", and a token with a dot matches its joined form.
fn token_is(token: &str, word: &str) -> bool {
    token == word || token.replace(['.', '-'], "") == word
}

/// The value the text gives next to one of `words` (an input's name and its synonyms):
/// `"Spring Promo" board`, `the Mobile project`, `the Sales channel`, `label Invoices`,
/// `the folder called Receipts`. `skip` are words that are not values here (tool names).
pub fn value_near(original: &str, words: &[&str], skip: &[String]) -> Option<String> {
    let text = Text::new(original);
    let toks = &text.tokens;
    for (i, t) in toks.iter().enumerate() {
        let forms = |w: &&str| [w.to_string(), format!("{w}s"), format!("{w}ed"), format!("{w}led"), format!("{w}ged")];
        if !words.iter().any(|w| forms(w).contains(&t.lower)) {
            continue;
        }
        // A quoted value anywhere shortly before: "'Spring Promo' Trello board".
        let window_start = toks.get(i.saturating_sub(4)).map_or(0, |x| x.start);
        if let Some(q) = original.get(window_start..t.start).and_then(last_quoted) {
            return Some(q);
        }
        // Capitalised words right before, after an article: "the Mobile project".
        let mut j = i;
        let mut run = Vec::new();
        while j > 0 {
            let prev = &toks[j - 1];
            if !(prev.is_capitalized() || prev.is_acronym() || prev.is_number()) || prev.sentence_start {
                break;
            }
            if skip.iter().any(|s| words_of(s).contains(&prev.lower)) {
                if run.is_empty() {
                    j -= 1;
                    continue;
                }
                break;
            }
            run.insert(0, prev.raw.clone());
            j -= 1;
        }
        // "the Mobile project", "my Dropbox Invoices folder": after an article or a tool's name.
        let after_article = j > 0
            && (["the", "our", "my", "a", "an", "their", "your"].contains(&toks[j - 1].lower.as_str())
                || skip.iter().any(|s| words_of(s).last() == Some(&toks[j - 1].lower)));
        if !run.is_empty() && (after_article || j == 0 || toks[j - 1].lower == "in" || toks[j - 1].lower == "to") {
            return Some(run.join(" "));
        }
        // After the word: "label Invoices", "folder called Receipts", "project \"Apollo\"".
        let mut k = i + 1;
        // "label it Customer", "the folder called Receipts".
        while toks.get(k).is_some_and(|x| BETWEEN.contains(&x.lower.as_str())) {
            k += 1;
        }
        if let Some(q) = toks.get(k).and_then(|x| original.get(t.end..x.end)).and_then(last_quoted) {
            return Some(q);
        }
        let run: Vec<&str> = toks[k.min(toks.len())..]
            .iter()
            .take_while(|x| {
                (x.is_capitalized() || x.is_acronym()) && !skip.iter().any(|s| words_of(s).contains(&x.lower))
            })
            .take(3)
            .map(|x| x.raw.as_str())
            .collect();
        if !run.is_empty() {
            return Some(run.join(" "));
        }
    }
    None
}

/// Words between an input's word and the value it names.
const BETWEEN: [&str; 9] = ["called", "named", "titled", "labelled", "labeled", "it", "them", "as", "with"];

/// The last quoted phrase in the text ('…', "…", “…”).
fn last_quoted(s: &str) -> Option<String> {
    let pairs = [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’')];
    let mut best: Option<(usize, String)> = None;
    for (open, close) in pairs {
        let Some(end) = s.rfind(close) else { continue };
        let Some(start) = s.get(..end).and_then(|before| before.rfind(open)) else { continue };
        let inner = s.get(start + open.len_utf8()..end).unwrap_or("").trim();
        // An apostrophe inside a word ("lead's") is not a quote.
        let word_before = s.get(..start).and_then(|b| b.chars().next_back()).is_some_and(char::is_alphanumeric);
        if inner.is_empty() || word_before || inner.len() > 60 {
            continue;
        }
        if best.as_ref().is_none_or(|(at, _)| start > *at) {
            best = Some((start, inner.to_owned()));
        }
    }
    best.map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Catalog {
        Catalog::embedded().expect("catalog")
    }

    fn ids(text: &str) -> Vec<String> {
        let app = AppStructure::from_value(&json!({"entities": ["Task", "Project"]})).unwrap();
        tools(&Text::new(text), &catalog(), &app).iter().map(|m| m.connector.id.to_string()).collect()
    }

    #[test]
    fn tools_are_found_by_name_and_everyday_words_need_a_capital() {
        assert_eq!(ids("append the totals to the Budget tab in Google Sheets"), ["google_sheets"]);
        assert_eq!(ids("After a Square refund, ping us on Teams"), ["square", "microsoft_teams"]);
        assert_eq!(ids("a square table for the teams"), Vec::<String>::new());
        assert_eq!(ids("show my tasks"), Vec::<String>::new());
    }

    #[test]
    fn values_are_read_next_to_the_word_they_fill() {
        let skip = vec!["Asana".to_owned(), "Jira".to_owned()];
        assert_eq!(
            value_near("on the 'Spring Promo' Asana project", &["project"], &skip).as_deref(),
            Some("Spring Promo")
        );
        assert_eq!(
            value_near("File a Jira ticket in the Mobile project", &["project"], &skip).as_deref(),
            Some("Mobile")
        );
        assert_eq!(value_near("with the label Invoices", &["label"], &skip).as_deref(), Some("Invoices"));
        assert_eq!(value_near("into the folder called Receipts", &["folder"], &skip).as_deref(), Some("Receipts"));
        assert_eq!(value_near("post in the lead's channel", &["channel"], &skip), None);
        assert_eq!(value_near("in a project", &["project"], &skip), None);
    }
}
