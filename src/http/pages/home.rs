//! The homepage: describe a new app, pick connectors as chips with the "+" menu, create
//! the app and land in its chat. Chips live in the query string, so picking and removing
//! them works without JavaScript and never loses what was typed.

use super::{Layout, PageError, render};
use crate::chat::{self, ChatError};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    chips: String,
    add_chip: Option<String>,
    remove_chip: Option<String>,
    #[serde(default)]
    q: String,
    /// Keeps the "+" menu open after a pick.
    #[serde(default)]
    picker: String,
    /// What just happened elsewhere (an app was deleted).
    notice: Option<String>,
}

pub struct ChipView {
    pub id: String,
    pub name: String,
    pub initials: String,
}

pub struct PickerGroup {
    pub label: String,
    pub items: Vec<PickerItem>,
}

pub struct PickerItem {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub description: String,
    pub chosen: bool,
}

pub struct AppLink {
    pub id: i64,
    pub name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    layout: Layout,
    prompt: String,
    chips: Vec<ChipView>,
    chips_value: String,
    groups: Vec<PickerGroup>,
    q: String,
    picker_open: bool,
    apps: Vec<AppLink>,
    said: Option<Said>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let mut chips = parse_chips(&state, &q.chips);
    if let Some(add) = q.add_chip.as_deref().filter(|id| state.catalog.get(id).is_some())
        && !chips.iter().any(|c| c == add)
    {
        chips.push(add.to_owned());
    }
    if let Some(remove) = &q.remove_chip {
        chips.retain(|c| c != remove);
    }
    let open = q.add_chip.is_some() || !q.picker.is_empty() || !q.q.is_empty();
    let notice = match q.notice.as_deref() {
        Some("deleted") => Some("The app was deleted, and its connections were revoked."),
        Some("deleted_unconfirmed") => Some(
            "The app was deleted. Some providers did not confirm the revocation: remove patchbay's access in those accounts' settings.",
        ),
        _ => None,
    };
    home(&state, user, q.prompt, chips, q.q, open, notice.map(Said::Notice), StatusCode::OK).await
}

/// A line above the form: what went wrong with the last try, or what just happened.
pub enum Said {
    Error(String),
    Notice(&'static str),
}

#[allow(clippy::too_many_arguments)]
async fn home(
    state: &AppState,
    user: crate::store::UserRow,
    prompt: String,
    chips: Vec<String>,
    search: String,
    picker_open: bool,
    said: Option<Said>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let apps = state
        .store
        .apps_of_user(user.id)
        .await?
        .into_iter()
        .map(|(a, r)| AppLink { id: a.id, name: a.name, role: r.label().into() })
        .collect();
    let needle = search.trim().to_lowercase();
    let mut groups: Vec<PickerGroup> = Vec::new();
    for cat in crate::catalog::Category::ALL {
        let items: Vec<PickerItem> = state
            .catalog
            .iter()
            .filter(|c| c.category == cat)
            .filter(|c| {
                needle.is_empty()
                    || c.name.to_lowercase().contains(&needle)
                    || c.aliases.iter().any(|a| a.contains(&needle))
                    || cat.label().to_lowercase().contains(&needle)
            })
            .map(|c| PickerItem {
                id: c.id.to_string(),
                name: c.name.clone(),
                initials: c.initials(),
                description: c.description.clone(),
                chosen: chips.contains(&c.id.to_string()),
            })
            .collect();
        if !items.is_empty() {
            groups.push(PickerGroup { label: cat.label().into(), items });
        }
    }
    let chip_views = chips
        .iter()
        .filter_map(|id| state.catalog.get(id))
        .map(|c| ChipView { id: c.id.to_string(), name: c.name.clone(), initials: c.initials() })
        .collect();
    let page = HomePage {
        layout: Layout::new("New app", Some(user)),
        prompt,
        chips_value: chips.join(","),
        chips: chip_views,
        groups,
        q: search,
        picker_open,
        apps,
        said,
    };
    render(status, &page)
}

fn parse_chips(state: &AppState, raw: &str) -> Vec<String> {
    let mut chips: Vec<String> = Vec::new();
    for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if state.catalog.get(id).is_some() && !chips.iter().any(|c| c == id) {
            chips.push(id.to_owned());
        }
    }
    chips
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    chips: String,
}

/// Creates the app with the builder as owner, sends the prompt as the chat's first message
/// with the chips preselected, and opens the chat.
pub async fn create_app(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    let chips = parse_chips(&state, &form.chips);
    let prompt = form.prompt.trim();
    let limit = state.router.max_prompt_chars();
    let problem = if prompt.is_empty() {
        Some("Describe the app you want to build first.".to_owned())
    } else if prompt.contains('\0') {
        Some("Your description contains a NUL character, which cannot be saved. Remove it and try again.".to_owned())
    } else if prompt.chars().count() > limit {
        Some(format!("Your description is {} characters long; the limit is {limit}.", prompt.chars().count()))
    } else {
        None
    };
    if let Some(problem) = problem {
        return home(
            &state,
            user,
            form.prompt,
            chips,
            String::new(),
            false,
            Some(Said::Error(problem)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let name = app_name(prompt);
    let structure = crate::app::AppStructure { name: Some(name.clone()), ..Default::default() };
    let app = state.store.create_app(&name, &structure.to_json(), "UTC", user.id).await?;
    match chat::post_message(&state.store, &state.routing, &state.catalog, &app, &user, prompt, &chips).await {
        Ok(_) | Err(ChatError::Empty) => {}
        Err(e) => {
            // Nothing half-made stays behind: the app goes with the turn that failed.
            state.store.delete_app(app.id).await?;
            return Err(PageError::internal(e));
        }
    }
    Ok(Redirect::to(&format!("/apps/{}/chat", app.id)).into_response())
}

/// A short name from the description: "A todo app for my team" → "Todo app for my team".
fn app_name(prompt: &str) -> String {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let skip = words
        .iter()
        .take_while(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "a" | "an" | "the" | "build" | "create" | "make" | "me" | "i" | "want" | "need" | "please"
            )
        })
        .count();
    // Stop before a clause that says what the app does: "A to-do app that emails me…".
    let rest = &words[skip.min(words.len())..];
    let clause = rest
        .iter()
        .position(|w| matches!(w.to_lowercase().as_str(), "that" | "which" | "who" | "where" | "so" | "to" | "with"))
        .unwrap_or(rest.len());
    let mut name: String = rest[..clause.max(1).min(rest.len())].iter().take(6).copied().collect::<Vec<_>>().join(" ");
    name = name.trim_end_matches(['.', ',', '!', '?', ':', ';']).to_owned();
    if name.chars().count() > 48 {
        name = name.chars().take(48).collect::<String>() + "…";
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => "New app".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn app_names_come_from_the_description() {
        assert_eq!(super::app_name("a todo app for my team that emails me"), "Todo app for my team");
        assert_eq!(super::app_name("A to-do app that emails me my open tasks"), "To-do app");
        assert_eq!(super::app_name("Build me a CRM."), "CRM");
        assert_eq!(super::app_name("!!"), "New app");
    }
}
