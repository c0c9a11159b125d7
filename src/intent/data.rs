//! The app's own data a request refers to: "my to-do list" → Task, "new signups" → User,
//! "the customer's email field" → Order.customer_email, resolved against the app
//! structure with plural and simple synonym forms. A noun that looks like data but that
//! the app lacks stays unresolved, so that later steps can say so instead of guessing.

use super::text::{Text, singular, words_of};
use crate::app::AppStructure;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRef {
    /// The words of the request ("to-do list", "signups").
    pub mention: String,
    /// The app entity it resolved to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fields: Vec<String>,
    /// A page it resolved to ("dashboard" → Dashboard).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// Words that mean the same record kind in builders' requests.
const SYNONYMS: &[&[&str]] = &[
    &["task", "todo", "to-do", "chore", "todos", "to-dos"],
    &["user", "signup", "sign-up", "member", "account", "registration", "subscriber"],
    &["customer", "client", "buyer", "shopper", "contact"],
    &["order", "purchase", "checkout", "sale"],
    &["lead", "prospect", "inquiry", "enquiry"],
    &["deal", "opportunity"],
    &["ticket", "request", "case", "issue", "incident", "bug"],
    &["booking", "appointment", "reservation"],
    &["invoice", "bill"],
    &["product", "item", "listing", "sku"],
    &["review", "feedback", "rating", "testimonial"],
    &["post", "article", "blog"],
    &["event", "meeting", "session"],
    &["employee", "staff", "teammate", "hire", "recruit", "starter", "worker"],
    &["expense", "cost", "spending"],
    &["application", "applicant", "candidate", "resume"],
    &["message", "comment", "note"],
    &["file", "document", "attachment", "upload"],
];

/// Nouns that describe what a connector sends or does, never the app's records.
const NOT_DATA: &[&str] = &[
    "email",
    "message",
    "channel",
    "calendar",
    "summary",
    "digest",
    "report",
    "update",
    "notification",
    "alert",
    "time",
    "day",
    "week",
    "month",
    "morning",
    "team",
    "inbox",
    "sms",
    "text",
    "link",
    "copy",
    "reminder",
    "list",
    "row",
    "spreadsheet",
    "sheet",
    "page",
    "dashboard",
    "app",
    "bot",
    "thread",
    "receipt",
    "confirmation",
    "announcement",
    "status",
    "account",
    "workspace",
    "folder",
    "board",
    "project",
    "repository",
    "repo",
    "agent",
    "workflow",
    "flow",
    "automation",
    "data",
    "record",
    "way",
    "thing",
];

const DATA_DETERMINERS: &[&str] = &[
    "my",
    "our",
    "all",
    "new",
    "each",
    "every",
    "open",
    "recent",
    "latest",
    "upcoming",
    "pending",
    "overdue",
    "completed",
    "today's",
    "incomplete",
    "unpaid",
    "active",
    "confirmed",
    "approved",
    "the",
];

/// Words before "list" that do not name records ("the full list", "a mailing list").
const NOT_LIST_NOUNS: &[&str] = &[
    "full",
    "whole",
    "complete",
    "entire",
    "same",
    "this",
    "that",
    "a",
    "an",
    "daily",
    "weekly",
    "monthly",
    "updated",
    "current",
    "final",
    "short",
    "long",
    "mailing",
    "distribution",
    "drop",
    "dropdown",
    "check",
    "bulleted",
    "numbered",
    "nice",
    "clean",
    "simple",
    "sorted",
    "filtered",
    "to",
    "of",
    "in",
    "on",
];

fn group_of(word: &str) -> Option<&'static [&'static str]> {
    SYNONYMS.iter().copied().find(|g| g.contains(&word))
}

/// Splits an entity name into its words: "CrashReport" → ["crash", "report"].
fn entity_words(name: &str) -> Vec<String> {
    let mut spaced = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    words_of(&spaced).into_iter().map(|w| singular(&w)).collect()
}

/// True when `word` (singular, lowercase) names `entity` directly or through a synonym.
pub fn names_entity(word: &str, entity: &str) -> bool {
    names_words(word, &entity_words(entity))
}

/// `names_entity` with the entity's words already split.
fn names_words(word: &str, words: &[String]) -> bool {
    if words.iter().any(|w| w == word) {
        return true;
    }
    let head = words.last().map(String::as_str).unwrap_or("");
    group_of(word).is_some_and(|g| g.contains(&head) || words.iter().any(|w| g.contains(&w.as_str())))
}

/// The app's own words (entity and page names, singular, lowercase): a tool name that is
/// also one of these ("tasks" in a Todo app) means the app's data, not the tool.
pub fn words_for_app(app: &AppStructure) -> rustc_hash::FxHashSet<String> {
    app.entities
        .iter()
        .flat_map(|e| entity_words(&e.name))
        .chain(app.pages.iter().flat_map(|p| words_of(p)).map(|w| singular(&w)))
        .collect()
}

/// Resolves a noun (as written) to one of the app's entities.
pub fn resolve_entity(word: &str, app: &AppStructure) -> Option<String> {
    Entities::of(app).resolve(word).map(str::to_owned)
}

/// The app's entities with their words, split once for a whole request rather than once
/// per word of it.
struct Entities<'a>(Vec<(&'a str, Vec<String>)>);

impl<'a> Entities<'a> {
    fn of(app: &'a AppStructure) -> Self {
        Self(app.entities.iter().map(|e| (e.name.as_str(), entity_words(&e.name))).collect())
    }

    fn resolve(&self, word: &str) -> Option<&'a str> {
        let w = singular(&word.to_lowercase());
        let found = self.0.iter().find(|(_, words)| words.contains(&w));
        found.or_else(|| self.0.iter().find(|(_, words)| names_words(&w, words))).map(|(name, _)| *name)
    }
}

/// Every data reference the request makes.
pub fn find(text: &Text, app: &AppStructure, skip: &[(usize, usize)]) -> Vec<DataRef> {
    let mut refs: Vec<DataRef> = Vec::new();
    let in_skip = |i: usize| skip.iter().any(|(s, e)| text.tokens[i].start >= *s && text.tokens[i].end <= *e);
    let entities = Entities::of(app);
    let pages: Vec<(&String, String)> = app.pages.iter().map(|p| (p, singular(&p.to_lowercase()))).collect();
    for (i, token) in text.tokens.iter().enumerate() {
        if in_skip(i) {
            continue;
        }
        let word = singular(&token.lower);
        if let Some(entity) = entities.resolve(&word) {
            let mention = mention_at(text, i);
            push(
                &mut refs,
                DataRef {
                    mention,
                    entity: Some(entity.to_owned()),
                    fields: fields_near(text, i, app, entity),
                    page: None,
                },
            );
            continue;
        }
        if let Some((page, _)) = pages.iter().find(|(_, one)| *one == word && word.len() > 2) {
            push(
                &mut refs,
                DataRef { mention: token.raw.clone(), entity: None, fields: Vec::new(), page: Some((*page).clone()) },
            );
            continue;
        }
        // "the grocery list" in an app without groceries: data the app lacks, named.
        if let Some(next) = text.tokens.get(i + 1)
            && matches!(next.lower.as_str(), "list" | "lists")
            && token.lower.chars().all(char::is_alphabetic)
            && !NOT_LIST_NOUNS.contains(&token.lower.as_str())
            && !DATA_DETERMINERS.contains(&token.lower.as_str())
            && !NOT_DATA.contains(&word.as_str())
            && !app.entities.is_empty()
        {
            push(
                &mut refs,
                DataRef {
                    mention: format!("{} {}", token.raw, next.raw),
                    entity: None,
                    fields: Vec::new(),
                    page: None,
                },
            );
            continue;
        }
        // A noun after "my", "new", "all"… that the app does not have: remember it, so that
        // "email me my invoices" in a Todo app is explained, not wired to tasks.
        let determiner = i > 0 && DATA_DETERMINERS.contains(&text.tokens[i - 1].lower.as_str());
        let plural = token.lower.ends_with('s') && token.lower.len() > 3;
        let data_like = determiner && plural && group_of(&word).is_some() && !NOT_DATA.contains(&word.as_str());
        if data_like && !app.entities.is_empty() {
            push(&mut refs, DataRef { mention: token.raw.clone(), entity: None, fields: Vec::new(), page: None });
        }
    }
    refs
}

fn push(refs: &mut Vec<DataRef>, r: DataRef) {
    if !refs.iter().any(|x| {
        x.entity == r.entity && x.page == r.page && (r.entity.is_some() || r.page.is_some() || x.mention == r.mention)
    }) {
        refs.push(r);
    }
}

/// "to-do list" rather than "to-do" when the next word is "list".
fn mention_at(text: &Text, i: usize) -> String {
    match text.tokens.get(i + 1) {
        Some(next) if matches!(next.lower.as_str(), "list" | "lists" | "items" | "records" | "entries") => {
            format!("{} {}", text.tokens[i].raw, next.raw)
        }
        _ => text.tokens[i].raw.clone(),
    }
}

/// Fields of the entity named within a few words ("the customer's email field").
fn fields_near(text: &Text, i: usize, app: &AppStructure, entity: &str) -> Vec<String> {
    let Some(e) = app.entity(entity) else { return Vec::new() };
    let window = i.saturating_sub(4)..(i + 5).min(text.len());
    let mut found = Vec::new();
    for j in window {
        let w = &text.tokens[j].lower;
        for f in &e.fields {
            let fw = words_of(&f.name);
            if (fw.iter().any(|x| x == w) && w.len() > 3) && !found.contains(&f.name) {
                found.push(f.name.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn todo() -> AppStructure {
        AppStructure::from_value(&json!({"pages": ["Tasks", "Dashboard"], "entities": [{"name": "Task", "fields": ["title", "due_date", "completed"]}]})).unwrap()
    }

    #[test]
    fn a_to_do_list_is_the_task_entity() {
        let refs = find(&Text::new("Send me a daily email with my to-do list"), &todo(), &[]);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].entity.as_deref(), Some("Task"));
        assert_eq!(refs[0].mention, "to-do list");
    }

    #[test]
    fn plurals_synonyms_and_camel_case_resolve() {
        let app = AppStructure::from_value(
            &json!({"entities": ["User", "CrashReport", {"name": "Order", "fields": ["customer_email"]}]}),
        )
        .unwrap();
        assert_eq!(resolve_entity("signups", &app).as_deref(), Some("User"));
        assert_eq!(resolve_entity("crash", &app).as_deref(), Some("CrashReport"));
        assert_eq!(resolve_entity("purchases", &app).as_deref(), Some("Order"));
        let refs = find(&Text::new("email the customer's email on each order"), &app, &[]);
        assert_eq!(refs[0].fields, ["customer_email"]);
    }

    #[test]
    fn data_the_app_lacks_stays_unresolved() {
        let refs = find(&Text::new("email me my invoices"), &todo(), &[]);
        assert_eq!(refs.len(), 1);
        assert_eq!((refs[0].mention.as_str(), refs[0].entity.as_deref()), ("invoices", None));
    }

    #[test]
    fn pages_are_recognised() {
        let refs = find(&Text::new("show traffic on the dashboard"), &todo(), &[]);
        assert_eq!(refs[0].page.as_deref(), Some("Dashboard"));
    }
}
