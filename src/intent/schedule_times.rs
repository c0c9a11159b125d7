//! Times of day in a request: "at 6:45am", "9pm", "17:00", "at 9 and 5", "noon",
//! "midnight", "7 in the morning", "8h30", and parts of the day ("every morning",
//! "tonight", "end of day"). A bare "at 5" is 17:00: nobody schedules a report for 5am
//! without saying so.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// What the request says about the time of day.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Hours (0–23) it runs at, in the order written; empty when none was given.
    pub hours: Vec<u32>,
    pub minute: u32,
    pub part_of_day: Option<&'static str>,
    pub tonight: bool,
    pub assumed: Option<String>,
    pub spans: Vec<(usize, usize)>,
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b(?:at|around|and)|&|@)\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h|o'?clock)?(?:\s+in\s+the\s+(morning|afternoon|evening))?(?:\s+(?:at\s+)?(night))?\b|\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})h(\d{2})?\b|\b(\d{1,2})\s+in\s+the\s+(morning|afternoon|evening)\b|\b(noon|midday|midnight|lunchtime|lunch\s+time)\b")
        .expect("time regex")
});
static PART_OF_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|in\s+the|this|tomorrow|at)\s+(morning|afternoon|evening|night)s?\b|\b(nightly|overnight|tonight|end\s+of\s+(?:the\s+|each\s+|every\s+)?(?:work\s*|business\s+)?day|eod|close\s+of\s+business|cob|start\s+of\s+(?:the\s+)?day|night\s+before|mornings|evenings)\b")
        .expect("part of day regex")
});

/// The hour a part of the day stands for.
pub fn hour_of_part(part: &str) -> u32 {
    match part {
        "nightly" | "overnight" => 2,
        "night" | "tonight" | "night before" => 20,
        "evening" | "evenings" => 18,
        "afternoon" => 14,
        p if p.starts_with("end of") || p == "eod" || p == "close of business" || p == "cob" => 17,
        _ => 8,
    }
}

/// Reads every time of day in the (folded) request.
pub fn read(lower: &str) -> Clock {
    let mut clock = Clock::default();
    if let Some(p) = PART_OF_DAY.captures(lower) {
        if let Some(whole) = p.get(0) {
            clock.spans.push((whole.start(), whole.end()));
        }
        let part = p.get(1).or(p.get(2)).map_or("morning", |m| m.as_str());
        let part = ["morning", "afternoon", "evening", "night", "nightly", "overnight", "tonight", "night before"]
            .into_iter()
            .find(|k| *k == part)
            .unwrap_or(if part.starts_with("end") || part == "eod" || part.starts_with("close") || part == "cob" {
                "end of day"
            } else if part == "mornings" || part.starts_with("start") {
                "morning"
            } else {
                "evening"
            });
        clock.part_of_day = Some(part);
        clock.tonight = part == "tonight";
    }
    let evening = clock.part_of_day.is_some_and(|p| matches!(p, "evening" | "night" | "tonight" | "afternoon"));
    let mut minute = None;
    for c in TIME.captures_iter(lower) {
        let Some((hour, m)) = parse(&c, evening) else { continue };
        // Only a list at the same minute fits one cron ("at 9 and 5"; not "9:15 and 5").
        if minute.is_some_and(|first| first != m) {
            continue;
        }
        let Some(whole) = c.get(0) else { continue };
        // "and 5" alone is a time only after a first one ("at 9 and 5").
        let joiner = whole.as_str().starts_with("and") || whole.as_str().starts_with('&');
        if joiner && clock.hours.is_empty() {
            continue;
        }
        minute = Some(m);
        if !clock.hours.contains(&hour) {
            clock.hours.push(hour);
        }
        clock.spans.push((whole.start(), whole.end()));
    }
    clock.minute = minute.unwrap_or(0);
    clock
}

/// One match as (hour, minute), or `None` when it is not a time of day.
fn parse(c: &Captures<'_>, evening: bool) -> Option<(u32, u32)> {
    if let Some(word) = c.get(15) {
        return Some(if word.as_str() == "midnight" { (0, 0) } else { (12, 0) });
    }
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (hour, minute, suffix, later, explicit_clock) = if let Some(h) = num(1) {
        let later = c.get(4).map(|m| m.as_str() != "morning").or(c.get(5).map(|_| true));
        (h, num(2), c.get(3).map(|m| m.as_str()), later, c.get(2).is_some())
    } else if let Some(h) = num(6) {
        (h, num(7), c.get(8).map(|m| m.as_str()), None, false)
    } else if let Some(h) = num(9) {
        (h, num(10), None, None, true)
    } else if let Some(h) = num(11) {
        (h, num(12), Some("h"), None, true)
    } else {
        let later = c.get(14).map(|m| m.as_str() != "morning");
        (num(13)?, None, None, later, false)
    };
    let minute = minute.unwrap_or(0);
    if hour > 23 || minute > 59 {
        return None;
    }
    let hour = match suffix.map(|s| s.replace('.', "")) {
        Some(s) if s == "pm" && hour < 12 => hour + 12,
        Some(s) if s == "am" && hour == 12 => 0,
        Some(s) if s == "am" || s == "pm" || s == "h" => hour,
        _ if later == Some(true) && hour < 12 => hour + 12,
        _ if later == Some(false) => hour,
        _ if evening && hour < 12 => hour + 12,
        // "at 5" is 17:00; "at 05:00" and "17:00" are as written.
        _ if !explicit_clock && (1..=6).contains(&hour) => hour + 12,
        _ => hour,
    };
    Some((hour, minute))
}
