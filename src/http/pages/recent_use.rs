//! Each connection's recent use, as My integrations says it: calls made with it in the
//! last week (actions and proxied calls), how many failed, and the last error in the
//! provider's own words.

use super::integrations::when;
use crate::http::AppState;
use crate::store::{RecentUse, StoreError, now};
use std::collections::HashMap;

const WINDOW_DAYS: i64 = 7;

/// One connection's line, and whether it should draw the eye.
pub struct RecentLine {
    pub text: String,
    pub warn: bool,
}

/// The line of every connection of the app that was used in the window.
pub async fn lines(state: &AppState, app_id: i64) -> Result<HashMap<i64, RecentLine>, StoreError> {
    let since = now() - WINDOW_DAYS * 86_400;
    Ok(state.store.recent_use(app_id, since).await?.into_iter().map(|(id, u)| (id, line(&u))).collect())
}

/// For a connection with no calls in the window.
pub fn unused() -> RecentLine {
    RecentLine { text: format!("No calls in the last {WINDOW_DAYS} days."), warn: false }
}

fn line(u: &RecentUse) -> RecentLine {
    let calls = if u.calls == 1 { "1 call".to_owned() } else { format!("{} calls", u.calls) };
    let failed = match u.errors {
        0 => "none failed".to_owned(),
        1 => "1 failed".to_owned(),
        n => format!("{n} failed"),
    };
    let mut text = format!("{calls} in the last {WINDOW_DAYS} days, {failed}.");
    if let Some((error, at)) = u.last_error.as_ref().filter(|_| u.errors > 0) {
        text.push_str(&format!(" Last error ({}): {error}", when(Some(*at))));
    }
    RecentLine { text, warn: u.errors > 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_calls_and_quotes_the_last_error() {
        let quiet = line(&RecentUse { calls: 1, errors: 0, last_error: None });
        assert_eq!((quiet.text.as_str(), quiet.warn), ("1 call in the last 7 days, none failed.", false));
        let failing = line(&RecentUse { calls: 3, errors: 1, last_error: Some(("channel_not_found".into(), 0)) });
        assert_eq!(
            failing.text,
            "3 calls in the last 7 days, 1 failed. Last error (1970-01-01 00:00 UTC): channel_not_found"
        );
        assert!(failing.warn);
    }
}
