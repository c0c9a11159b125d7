//! The chat's conversation as last drawn, kept while the app's revision stands.
//!
//! Drawing a page of the conversation reads the messages, the card decisions, the
//! connections, the policies and each flow with its runs, then builds and renders every
//! card: most of the chat page's time. The app's revision, read with the session in the
//! query every app page makes anyway, moves whenever any of that may have changed:
//! database triggers move it (migration 0018), so it moves for every writer and on every
//! server that shares the database. While it stands, the drawing is still true.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which drawing: the app, the page of the conversation (the messages before `before`,
/// or the latest), and the viewer's form token, which every card's form carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DrawingKey {
    pub app_id: i64,
    pub before: Option<i64>,
    pub csrf: String,
}

/// One page of the conversation, rendered.
#[derive(Clone, Debug)]
pub struct Drawing {
    /// The app's revision read before the rows were: a later write moves it past this.
    pub revision: i64,
    pub html: Arc<str>,
    /// The first message shown, when older ones exist.
    pub older_than: Option<i64>,
    /// No messages on this page.
    pub empty: bool,
}

/// Bounded by the bytes it holds: a page of 40 messages is tens of kilobytes, so this
/// holds a few hundred viewers' pages before it starts over.
const MAX_BYTES: usize = 8 << 20;

#[derive(Default)]
pub struct ChatCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    drawings: HashMap<DrawingKey, Drawing>,
    bytes: usize,
}

impl ChatCache {
    /// The drawing made at exactly this revision, if there is one.
    pub fn get(&self, key: &DrawingKey, revision: i64) -> Option<Drawing> {
        let entries = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        entries.drawings.get(key).filter(|d| d.revision == revision).cloned()
    }

    /// Keeps a drawing in place of the key's older one. When full, it starts over rather
    /// than track which drawing was used last: a miss costs one drawing.
    pub fn put(&self, key: DrawingKey, drawing: Drawing) {
        let mut entries = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let size = drawing.html.len();
        if let Some(old) = entries.drawings.remove(&key) {
            entries.bytes -= old.html.len();
        }
        if entries.bytes + size > MAX_BYTES {
            entries.drawings.clear();
            entries.bytes = 0;
        }
        if size <= MAX_BYTES {
            entries.bytes += size;
            entries.drawings.insert(key, drawing);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(app_id: i64) -> DrawingKey {
        DrawingKey { app_id, before: None, csrf: "token".into() }
    }

    fn drawing(revision: i64, bytes: usize) -> Drawing {
        Drawing { revision, html: "x".repeat(bytes).into(), older_than: None, empty: false }
    }

    #[test]
    fn a_drawing_is_shown_again_only_at_its_own_revision() {
        let cache = ChatCache::default();
        cache.put(key(1), drawing(7, 10));
        assert!(cache.get(&key(1), 7).is_some());
        assert!(cache.get(&key(1), 8).is_none(), "the app changed since");
        assert!(cache.get(&key(2), 7).is_none(), "another app");
        let other_viewer = DrawingKey { csrf: "someone else".into(), ..key(1) };
        assert!(cache.get(&other_viewer, 7).is_none(), "another viewer's forms carry another token");
    }

    #[test]
    fn the_cache_holds_a_bounded_number_of_bytes() {
        let cache = ChatCache::default();
        let page = MAX_BYTES / 4;
        for app in 0..10 {
            cache.put(key(app), drawing(1, page));
        }
        let entries = cache.inner.lock().unwrap();
        assert!(entries.bytes <= MAX_BYTES);
        assert_eq!(entries.bytes, entries.drawings.values().map(|d| d.html.len()).sum::<usize>());
        assert!(entries.drawings.contains_key(&key(9)), "the newest drawing is kept");
    }
}
