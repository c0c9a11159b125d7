//! Suggested prompts: the catalog's example prompts, filled in with the app's own entities
//! ("Send me a daily email with my Task list using Gmail").

use crate::app::AppStructure;
use crate::catalog::Catalog;

/// Replaces `{entity}` with the app's first entity, or "record" when it has none.
pub fn fill(template: &str, app: &AppStructure) -> String {
    let entity = app.entities.first().map(|e| e.name.as_str()).unwrap_or("record");
    template.replace("{entity}", entity)
}

/// Up to `n` prompts from the most popular connectors, one per connector, preferring
/// prompts that mention the app's data when it has entities.
pub fn suggestions(catalog: &Catalog, app: &AppStructure, n: usize) -> Vec<String> {
    let mut connectors: Vec<_> = catalog.iter().collect();
    connectors.sort_by(|a, b| b.popularity.cmp(&a.popularity).then(a.id.cmp(&b.id)));
    let has_entities = !app.entities.is_empty();
    connectors
        .into_iter()
        .filter_map(|c| {
            let mut prompts = c.example_prompts.iter();
            let pick = if has_entities {
                prompts.find(|p| p.contains("{entity}"))
            } else {
                prompts.find(|p| !p.contains("{entity}"))
            };
            pick.or(c.example_prompts.first()).map(|p| fill(p, app))
        })
        .take(n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_use_the_apps_entities() {
        let catalog = Catalog::embedded().unwrap();
        let todo = crate::app::demo::todo_structure();
        let s = suggestions(&catalog, &todo, 4);
        assert_eq!(s.len(), 4);
        assert!(s.iter().all(|p| !p.contains("{entity}")));
        assert!(s.iter().any(|p| p.contains("Task")), "{s:?}");
    }
}
