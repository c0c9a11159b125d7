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
    for task in sample_tasks() {
        store.add_record(todo.id, "Task", &task.to_string()).await?;
    }
    Ok(Some(todo.id))
}

/// The Todo app's tasks to start with: one overdue, one due soon, one done, one undated,
/// so "my open tasks" and "overdue tasks" both have something to show.
fn sample_tasks() -> Vec<serde_json::Value> {
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    vec![
        json!({"title": "Pay the electricity bill", "due_date": day(-1), "completed": false, "assignee": OWNER_EMAIL}),
        json!({"title": "Book train tickets for the offsite", "due_date": day(3), "completed": false, "assignee": OWNER_EMAIL}),
        json!({"title": "Renew the domain name", "due_date": day(-5), "completed": true, "assignee": EDITOR_EMAIL}),
        json!({"title": "Water the office plants", "completed": false, "assignee": APP_USER_EMAIL}),
    ]
}
