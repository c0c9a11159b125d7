//! Remembers answers for identical inputs, so a chat that re-renders does not pay for
//! the model twice, and a request routed again is not analysed again. In memory and per process on purpose: an entry is only a
//! saving, never state another server instance needs. Bounded; the least recently used
//! entry goes first.

use super::request::{RouteRequest, RouteResult};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

pub type Key = [u8; 32];

pub struct DecisionCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, (u64, RouteResult)>,
    by_use: BTreeMap<u64, Key>,
    tick: u64,
}

impl DecisionCache {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    /// The key: everything the answer depends on — the request, the app's structure
    /// (with its connected tools), the chips, and which model and prompt answer.
    pub fn key(request: &RouteRequest, model: &str, prompt_version: &str) -> Key {
        let mut h = Sha256::new();
        for part in [model, prompt_version, request.prompt.trim()] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.update(serde_json::to_vec(&request.app).unwrap_or_default());
        h.update([0]);
        for chip in &request.chips {
            h.update(chip.trim().to_lowercase().as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    }

    pub fn get(&self, key: &Key) -> Option<RouteResult> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let (used, value) = inner.entries.get_mut(key)?;
        let old = std::mem::replace(used, tick);
        let value = value.clone();
        inner.by_use.remove(&old);
        inner.by_use.insert(tick, *key);
        Some(value)
    }

    pub fn insert(&self, key: Key, value: RouteResult) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((old, _)) = inner.entries.insert(key, (tick, value)) {
            inner.by_use.remove(&old);
        }
        inner.by_use.insert(tick, key);
        while inner.entries.len() > self.capacity {
            let Some((_, oldest)) = inner.by_use.pop_first() else { break };
            inner.entries.remove(&oldest);
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// A poisoned lock only means another request panicked mid-update of a cache: the
    /// map is still a valid map, so keep using it.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::Intent;
    use crate::ranking::DecidedBy;

    fn result(tag: &str) -> RouteResult {
        RouteResult {
            selected: Vec::new(),
            ranked: Vec::new(),
            intent: Intent::default(),
            decided_by: DecidedBy::Llm,
            fallback_reason: Some(tag.into()),
            prompt_version: None,
            llm: None,
            asks: Vec::new(),
            explain: None,
        }
    }

    #[test]
    fn the_key_changes_with_each_input_and_not_with_spacing() {
        let base = RouteRequest::new("email me the report");
        let key = DecisionCache::key(&base, "m", "v1");
        assert_eq!(key, DecisionCache::key(&RouteRequest::new("  email me the report "), "m", "v1"));
        let mut chips = base.clone();
        chips.chips = vec!["gmail".into()];
        let mut connected = base.clone();
        connected.app.connected = vec!["outlook".into()];
        for other in [
            DecisionCache::key(&chips, "m", "v1"),
            DecisionCache::key(&connected, "m", "v1"),
            DecisionCache::key(&base, "other-model", "v1"),
            DecisionCache::key(&base, "m", "v2"),
        ] {
            assert_ne!(key, other);
        }
    }

    #[test]
    fn it_stays_within_its_bound_dropping_the_least_recently_used() {
        let cache = DecisionCache::new(2);
        let k = |s: &str| DecisionCache::key(&RouteRequest::new(s), "m", "v");
        cache.insert(k("a"), result("a"));
        cache.insert(k("b"), result("b"));
        assert!(cache.get(&k("a")).is_some(), "a is now the most recent");
        cache.insert(k("c"), result("c"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&k("b")).is_none(), "b was the least recently used");
        assert_eq!(cache.get(&k("a")).unwrap().fallback_reason.as_deref(), Some("a"));
        assert!(cache.get(&k("c")).is_some());
    }

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = DecisionCache::new(0);
        cache.insert([0; 32], result("x"));
        assert_eq!(cache.len(), 0);
    }
}
