//! Whether a record meets a flow's conditions (`field op value`), as a query's filter or
//! an event trigger's. Values compare as numbers when both are numbers, as dates when both
//! read as dates, else as text (case-insensitive for equality).

use crate::wiring::{Condition, Op};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// All conditions hold (values already resolved). `now` anchors `within_*`.
pub fn all_hold(record: &Value, conditions: &[Condition], now: i64) -> bool {
    conditions.iter().all(|c| holds(record.get(&c.field), c.op, c.value.as_ref(), now))
}

fn holds(field: Option<&Value>, op: Op, value: Option<&Value>, now: i64) -> bool {
    let empty = field.is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
    match op {
        Op::IsEmpty => empty,
        Op::IsNotEmpty => !empty,
        _ if empty && !matches!(op, Op::Ne) => matches!((op, value), (Op::Eq, None | Some(Value::Null))),
        Op::Eq => compare(field, value) == Some(std::cmp::Ordering::Equal),
        Op::Ne => compare(field, value) != Some(std::cmp::Ordering::Equal),
        Op::Gt => compare(field, value) == Some(std::cmp::Ordering::Greater),
        Op::Gte => compare(field, value).is_some_and(|o| o != std::cmp::Ordering::Less),
        Op::Lt => compare(field, value) == Some(std::cmp::Ordering::Less),
        Op::Lte => compare(field, value).is_some_and(|o| o != std::cmp::Ordering::Greater),
        Op::Contains => text(field).to_lowercase().contains(&text(value).to_lowercase()),
        Op::WithinLast | Op::WithinNext => {
            let (Some(at), Some(span)) =
                (field.and_then(timestamp), value.and_then(|v| v.as_str()).and_then(duration_secs))
            else {
                return false;
            };
            if op == Op::WithinLast { at <= now && at >= now - span } else { at >= now - 86_399 && at <= now + span }
        }
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Option<std::cmp::Ordering> {
    let (a, b) = (a?, b?);
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x.partial_cmp(&y);
    }
    if let (Value::Bool(x), Some(y)) = (a, boolean(b)) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (timestamp(a), timestamp(b)) {
        return Some(x.cmp(&y));
    }
    Some(text(Some(a)).to_lowercase().cmp(&text(Some(b)).to_lowercase()))
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_start_matches('$').replace(',', "").parse().ok(),
        _ => None,
    }
}

fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A date ("2026-03-01") or date-time (RFC 3339) as Unix seconds (a date is its start).
pub fn timestamp(v: &Value) -> Option<i64> {
    let s = v.as_str()?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc().timestamp())
}

/// An ISO 8601 duration of days, weeks or hours ("P1D", "P2W", "PT6H") in seconds.
fn duration_secs(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut secs = 0;
    let mut num = String::new();
    for (part, is_time) in [(days, false), (time, true)] {
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let n: i64 = num.parse().ok()?;
            num.clear();
            secs += n * match (c, is_time) {
                ('D', false) => 86_400,
                ('W', false) => 7 * 86_400,
                ('H', true) => 3600,
                ('M', true) => 60,
                ('S', true) => 1,
                _ => return None,
            };
        }
    }
    num.is_empty().then_some(secs)
}

/// Today, as the start of the day in UTC (what "overdue" compares against).
pub fn today(now: i64) -> i64 {
    DateTime::<Utc>::from_timestamp(now, 0)
        .map_or(now, |t| t.date_naive().and_hms_opt(0, 0, 0).map_or(now, |d| d.and_utc().timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(field: &str, op: Op, value: Value) -> Condition {
        Condition { field: field.into(), op, value: Some(value) }
    }

    #[test]
    fn conditions_compare_numbers_dates_booleans_and_text() {
        let now = timestamp(&json!("2026-03-10T09:00:00Z")).unwrap();
        let task =
            json!({"title": "Pay rent", "completed": false, "due_date": "2026-03-08", "amount": "$600", "note": ""});
        assert!(all_hold(&task, &[c("completed", Op::Eq, json!(false))], now));
        assert!(all_hold(&task, &[c("amount", Op::Gt, json!(500))], now));
        assert!(all_hold(&task, &[c("due_date", Op::Lt, json!("2026-03-10T09:00:00Z"))], now), "overdue");
        assert!(all_hold(&task, &[c("title", Op::Eq, json!("pay RENT"))], now));
        assert!(all_hold(&task, &[c("due_date", Op::WithinLast, json!("P1W"))], now));
        assert!(!all_hold(&task, &[c("due_date", Op::WithinNext, json!("P3D"))], now));
        assert!(all_hold(&task, &[Condition { field: "note".into(), op: Op::IsEmpty, value: None }], now));
        assert!(!all_hold(&task, &[c("missing", Op::Gt, json!(1))], now));
    }

    #[test]
    fn durations_read_days_weeks_and_hours() {
        assert_eq!(duration_secs("P1D"), Some(86_400));
        assert_eq!(duration_secs("P2W"), Some(14 * 86_400));
        assert_eq!(duration_secs("PT6H"), Some(6 * 3600));
        assert_eq!(duration_secs("P1Y"), None);
    }
}
