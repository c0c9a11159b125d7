//! The demo data a newcomer finds on first start: an app "Todo" with one owner, one
//! editor and one app user, so every page has something to show.

use super::{AppStructure, Role};
use crate::store::{Store, StoreResult};
use serde_json::json;

pub const OWNER_EMAIL: &str = "ada@example.com";
pub const EDITOR_EMAIL: &str = "eddie@example.com";
pub const APP_USER_EMAIL: &str = "una@example.com";

/// The Todo app's structure: entity Task (title, due_date, completed, assignee), pages
/// Tasks and Dashboard.
pub fn todo_structure() -> AppStructure {
    AppStructure::from_value(&json!({
        "name": "Todo",
        "pages": ["Tasks", "Dashboard"],
        "entities": [{
            "name": "Task",
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "due_date", "type": "date"},
                {"name": "completed", "type": "boolean"},
                {"name": "assignee", "type": "email"}
            ]
        }]
    }))
    .expect("the demo structure is valid")
}

/// Seeds the demo when the database has no users yet; returns the Todo app's id when it
/// seeded. Running it again changes nothing.
pub async fn seed_if_empty(store: &Store) -> StoreResult<Option<i64>> {
    if !store.list_users().await?.is_empty() {
        return Ok(None);
    }
    let owner = store.create_user(OWNER_EMAIL, "Ada Owner").await?;
    let editor = store.create_user(EDITOR_EMAIL, "Eddie Editor").await?;
    let app_user = store.create_user(APP_USER_EMAIL, "Una User").await?;
    let todo = store.create_app("Todo", &todo_structure().to_json(), "UTC", owner.id).await?;
    store.set_member(todo.id, editor.id, Role::Editor).await?;
    store.set_member(todo.id, app_user.id, Role::AppUser).await?;
    Ok(Some(todo.id))
}
