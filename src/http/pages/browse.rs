//! Integrations → Browse: the catalog by category, with search. Each connector's **Use**
//! shows its example prompts; one click opens the chat with that prompt ready to edit.

use super::{Access, Layout, PageError, render};
use crate::catalog::Category;
use crate::chat::suggest;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::auth::current::urlencode;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub struct Group {
    pub label: String,
    pub slug: String,
    pub items: Vec<Item>,
}

pub struct Item {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub description: String,
    pub search_text: String,
    pub auth_note: Option<String>,
    /// Actions patchbay cannot run yet (no HTTP binding), by name.
    pub unbound: Vec<String>,
    pub examples: Vec<Example>,
}

pub struct Example {
    pub text: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "browse/index.html")]
struct BrowsePage {
    layout: Layout,
    groups: Vec<Group>,
    q: String,
    total: usize,
}

#[derive(Deserialize, Default)]
pub struct BrowseQuery {
    #[serde(default)]
    q: String,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Query(query): Query<BrowseQuery>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("browse and add integrations")?;
    let needle = query.q.trim().to_lowercase();
    let mut groups = Vec::new();
    let mut total = 0;
    for cat in Category::ALL {
        let items: Vec<Item> = state
            .catalog
            .iter()
            .filter(|c| c.category == cat)
            .map(|c| {
                let search_text =
                    format!("{} {} {} {}", c.name, c.aliases.join(" "), c.description, cat.label()).to_lowercase();
                let examples = c
                    .example_prompts
                    .iter()
                    .map(|p| {
                        let text = suggest::fill(p, access.structure());
                        let href = format!("/apps/{app_id}/chat?prompt={}#composer", urlencode(&text));
                        Example { text, href }
                    })
                    .collect();
                let auth_note = match c.auth.kind {
                    crate::catalog::AuthKind::Oauth2 | crate::catalog::AuthKind::Oauth1 => None,
                    kind => {
                        Some(format!("Connects with {}, tried with {} before it is saved", kind.describe(), c.name))
                    }
                };
                Item {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    initials: c.initials(),
                    description: c.description.clone(),
                    search_text,
                    auth_note,
                    unbound: c.unbound_actions().map(|a| a.name.clone()).collect(),
                    examples,
                }
            })
            .filter(|i| needle.is_empty() || i.search_text.contains(&needle))
            .collect();
        total += items.len();
        if !items.is_empty() {
            groups.push(Group { label: cat.label().into(), slug: cat.slug().into(), items });
        }
    }
    let layout = Layout::for_app(format!("{} · Browse integrations", access.app.name), &access, "browse");
    render(StatusCode::OK, &BrowsePage { layout, groups, q: query.q, total })
}
