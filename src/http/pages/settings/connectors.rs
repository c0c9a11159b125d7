//! Owners allow or block, per connector, shared and app-user connections (the Connectors
//! section of Settings). Saving re-checks the app's flows at once, so blocking pauses the
//! flows that use the connector and allowing it again brings them back as they were.

use super::SettingsPage;
use crate::catalog::Catalog;
use crate::connections::policy::{self, Policy, Rule};
use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::PageError;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// One connector's line: what is allowed now.
pub struct PolicyLine {
    pub id: String,
    pub name: String,
    /// Lower-case words the search box matches (name, id, category).
    pub search: String,
    pub shared: bool,
    pub app_user: bool,
}

impl PolicyLine {
    pub fn any_blocked(&self) -> bool {
        !(self.shared && self.app_user)
    }
}

/// The catalog's connectors under their category's heading, in the Browse page's order.
pub struct PolicyGroup {
    pub label: &'static str,
    pub lines: Vec<PolicyLine>,
}

impl PolicyGroup {
    /// Opened on the page, so that what is blocked shows without a click.
    pub fn any_blocked(&self) -> bool {
        self.lines.iter().any(PolicyLine::any_blocked)
    }
}

pub fn groups(catalog: &Catalog, policy: &Policy) -> Vec<PolicyGroup> {
    crate::catalog::Category::ALL
        .iter()
        .map(|category| {
            let mut lines: Vec<PolicyLine> = catalog
                .iter()
                .filter(|c| c.category == *category)
                .map(|c| {
                    let rule = policy.rule(c.id.as_str());
                    PolicyLine {
                        id: c.id.to_string(),
                        name: c.name.clone(),
                        search: format!("{} {} {}", c.name, c.id, category.label()).to_lowercase(),
                        shared: rule.shared,
                        app_user: rule.app_user,
                    }
                })
                .collect();
            lines.sort_by_key(|l| l.name.to_lowercase());
            PolicyGroup { label: category.label(), lines }
        })
        .filter(|g| !g.lines.is_empty())
        .collect()
}

/// Checkboxes: present when ticked, absent when not.
#[derive(Deserialize)]
pub struct PolicyForm {
    shared: Option<String>,
    app_user: Option<String>,
}

pub async fn save_connector_policy(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, connector)): Path<(i64, String)>,
    Form(form): Form<PolicyForm>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let connector = state.catalog.get(&connector).ok_or_else(PageError::not_found)?;
    let rule = Rule { shared: form.shared.is_some(), app_user: form.app_user.is_some() };
    let change = policy::set(&state.store, app_id, connector, rule, access.user.id).await?;
    if change.changed() {
        // Pauses the flows that use it, or brings them back (the runner's schedules too).
        crate::http::connect::recheck_flows(&state, app_id).await;
    }
    let notice = match (change.changed(), rule == Rule::ALLOW_ALL) {
        (false, _) => format!("Nothing changed for {}.", connector.name),
        (true, true) => {
            format!("{} is allowed again. Flows it paused start again by themselves, as they were.", connector.name)
        }
        (true, false) => format!(
            "{}: {}. Flows that use it are paused until it is allowed again.",
            connector.name,
            capitalised(&rule.describe())
        ),
    };
    SettingsPage::load(&state, &access).await?.with_notice(notice).render(StatusCode::OK)
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
