//! `search_tools`: a task in plain words → the actions that do it. The router decides which
//! connectors (what it selected first, then its ranking: names, needs, the app's
//! connections, BM25 over the catalog); within a connector, the router's own choice of
//! operation comes first, then the actions whose name, phrases and description share most
//! words with the task. One action per connector, so the first few results are different
//! tools the agent can choose between; the connector's other fitting actions ride along.

use crate::catalog::{Catalog, Connector, Operation};
use crate::intent::text::{singular, words_of};
use crate::ranking::RouteResult;
use std::collections::HashSet;

pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 20;
/// How many of a connector's other fitting actions a result names.
const OTHERS: usize = 3;

/// One result: the best action of one connector for the task.
pub struct Found<'c> {
    pub connector: &'c Connector,
    pub action: &'c Operation,
    /// The connector's other actions that share words with the task, best first.
    pub others: Vec<&'c Operation>,
}

/// The best actions for `task`, given the router's answer for it, at most `limit`.
pub fn found<'c>(catalog: &'c Catalog, route: &RouteResult, task: &str, limit: usize) -> Vec<Found<'c>> {
    let words = task_words(task);
    let mut seen: Vec<&str> = Vec::new();
    let order =
        route.selected.iter().map(|s| s.connector.as_str()).chain(route.ranked.iter().map(|r| r.connector.as_str()));
    let mut out = Vec::new();
    for id in order {
        if out.len() >= limit {
            break;
        }
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(connector) = catalog.get(id) else { continue };
        let chosen: Vec<&str> = route
            .selected
            .iter()
            .filter(|s| s.connector == id)
            .flat_map(|s| s.actions.iter())
            .filter_map(|a| a.split_once('.').map(|(_, local)| local))
            .collect();
        let mut ranked = rank_actions(connector, &chosen, &words);
        if ranked.is_empty() {
            continue;
        }
        let action = ranked.remove(0);
        let others = ranked.into_iter().filter(|a| fit(a, &words) > 0).take(OTHERS).collect();
        out.push(Found { connector, action, others });
    }
    out
}

/// The connector's actions, best first: the router's choice, then word overlap, then the
/// ones patchbay can run, then catalog order (catalogs list the main action first).
fn rank_actions<'c>(connector: &'c Connector, chosen: &[&str], words: &HashSet<String>) -> Vec<&'c Operation> {
    let mut scored: Vec<(usize, &Operation)> = connector.actions.iter().enumerate().collect();
    scored
        .sort_by_key(|(i, a)| (!chosen.contains(&a.id.as_str()), std::cmp::Reverse(fit(a, words)), !a.is_bound(), *i));
    scored.into_iter().map(|(_, a)| a).collect()
}

fn task_words(task: &str) -> HashSet<String> {
    words_of(task).into_iter().map(|w| singular(&w)).filter(|w| w.len() > 2).collect()
}

/// How many of the task's words the action's name, phrases, description and id carry.
fn fit(action: &Operation, words: &HashSet<String>) -> usize {
    let own: HashSet<String> = action
        .phrases
        .iter()
        .chain([&action.name, &action.description, &action.id])
        .flat_map(|p| words_of(p))
        .map(|w| singular(&w))
        .filter(|w| w.len() > 2)
        .collect();
    own.intersection(words).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranking::{RouteRequest, Router};
    use std::sync::Arc;

    fn search(task: &str) -> Vec<String> {
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let router = Router::build(catalog.clone(), 2000).unwrap();
        let route = router.route(&RouteRequest::new(task)).unwrap();
        found(&catalog, &route, task, DEFAULT_LIMIT)
            .iter()
            .map(|f| format!("{}.{}", f.connector.id, f.action.id))
            .collect()
    }

    #[test]
    fn a_named_tool_and_its_fitting_action_come_first() {
        let hits = search("put a new row in my Google Sheets budget tracker");
        assert!(hits[0].starts_with("google_sheets."), "{hits:?}");
        assert!(hits[0].contains("row"), "{hits:?}");
    }

    #[test]
    fn each_result_is_a_different_tool() {
        let hits = search("tell the team on Slack when a deal closes in HubSpot");
        let connectors: HashSet<&str> = hits.iter().filter_map(|h| h.split_once('.')).map(|(c, _)| c).collect();
        assert_eq!(connectors.len(), hits.len(), "{hits:?}");
        assert!(hits.len() <= DEFAULT_LIMIT);
        assert!(hits.iter().take(3).any(|h| h.starts_with("slack")), "{hits:?}");
    }
}
