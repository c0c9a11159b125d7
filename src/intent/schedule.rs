//! Schedules in plain words: "daily", "every Monday at 9", "each morning", "hourly",
//! "at 5pm", "every 15 minutes", "on the 1st of each month". The result carries a cron
//! expression (minute hour day-of-month month day-of-week) that another runtime can use,
//! and the byte span it was read from, so that "Monday" in "every Monday" is not taken for
//! monday.com.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    EveryMinutes,
    Hourly,
    Daily,
    Weekdays,
    Weekly,
    Monthly,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub cadence: Cadence,
    /// "HH:MM", 24-hour; `None` for minute and hour cadences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Lowercase three-letter day names for weekly schedules.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub days: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_minutes: Option<u32>,
    /// True when the request gave no time and the default (08:00) applies.
    pub default_time: bool,
    pub cron: String,
    /// The words it was read from.
    pub text: String,
}

/// A schedule and the byte spans of the request it used.
#[derive(Clone, Debug)]
pub struct Found {
    pub schedule: Schedule,
    pub spans: Vec<(usize, usize)>,
}

const DAYS: [(&str, &str, u8); 7] = [
    ("monday", "mon", 1),
    ("tuesday", "tue", 2),
    ("wednesday", "wed", 3),
    ("thursday", "thu", 4),
    ("friday", "fri", 5),
    ("saturday", "sat", 6),
    ("sunday", "sun", 0),
];

const DAY: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";

/// A weekday that means a day, not monday.com: after "every/on/next…", in a range
/// ("Monday to Friday"), plural ("Mondays"), or followed by a time of day.
static WEEKDAY_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:every|each|on|next|this|last|by|until|till|before)\s+{DAY}s?\b(?:\s*(?:,|and|&|or)\s*{DAY}s?\b)*|\b(?:from\s+)?{DAY}\s*(?:to|through|thru|-)\s*{DAY}\b|\b{DAY}s\b|\b{DAY}\s+(?:at\s+\d|morning|afternoon|evening|night|noon|midday)"
    ))
    .expect("weekday regex")
});
static DAY_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\b{DAY}")).expect("day regex"));
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:at|by|around|before|after)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h)?\b|\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b|\b(?:at\s+)?(noon|midday|midnight)\b")
        .expect("time regex")
});
static PART_OF_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|in the|this|tomorrow)\s+(morning|afternoon|evening|night)\b|\b(nightly|overnight|end of (?:the )?day|eod|start of (?:the )?day|night before)\b")
        .expect("part of day regex")
});
static EVERY_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bevery\s+(\d{1,3}|few|couple of)\s*(minutes?|mins?|hours?|hrs?)\b").expect("every n regex")
});
static CADENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(hourly|every\s+hour|each\s+hour|daily|every\s*day|each\s+day|every\s+single\s+day|once\s+a\s+day|per\s+day|a\s+day|weekdays?|every\s+weekday|each\s+weekday|business\s+days?|working\s+days?|weekly|every\s+week|each\s+week|once\s+a\s+week|biweekly|every\s+other\s+week|monthly|every\s+month|each\s+month|once\s+a\s+month|first\s+of\s+(?:the|each|every)\s+month|end\s+of\s+(?:the|each|every)\s+month|nightly|every\s+night|each\s+night|every\s+morning|each\s+morning|every\s+evening|each\s+evening|quarterly)\b")
        .expect("cadence regex")
});
static DAY_OF_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b").expect("day of month regex"));

/// Reads the request's schedule, if it has one.
pub fn find(lower: &str) -> Option<Found> {
    let mut spans = Vec::new();
    let mut cadence = None;
    let mut text_parts = Vec::new();

    let mut every_minutes = None;
    if let Some(m) = EVERY_N.captures(lower) {
        let n: u32 = match &m[1] {
            "few" => 5,
            "couple of" => 2,
            digits => digits.parse().unwrap_or(1).max(1),
        };
        let minutes = if m[2].starts_with('h') { n * 60 } else { n };
        let whole = m.get(0).expect("group 0");
        spans.push((whole.start(), whole.end()));
        text_parts.push(whole.as_str().to_owned());
        if minutes % 60 == 0 && minutes >= 60 {
            every_minutes = Some(minutes);
            cadence = Some(Cadence::Hourly);
        } else {
            every_minutes = Some(minutes);
            cadence = Some(Cadence::EveryMinutes);
        }
    }

    let mut days = Vec::new();
    for m in WEEKDAY_PHRASE.find_iter(lower) {
        if lower[m.end()..].starts_with(".com") {
            continue;
        }
        spans.push((m.start(), m.end()));
        text_parts.push(m.as_str().to_owned());
        let named: Vec<usize> = DAY_NAME
            .find_iter(m.as_str())
            .filter_map(|d| DAYS.iter().position(|(long, _, _)| *long == d.as_str()))
            .collect();
        let is_range = named.len() == 2 && [" to ", "through", "thru", "-"].iter().any(|sep| m.as_str().contains(sep));
        let indices: Vec<usize> = if is_range { (named[0]..=named[1].max(named[0])).collect() } else { named };
        for i in indices {
            let short = DAYS[i].1.to_string();
            if !days.contains(&short) {
                days.push(short);
            }
        }
    }

    let mut part_of_day = None;
    if let Some(c) = CADENCE.captures(lower) {
        let whole = c.get(0).expect("group 0");
        spans.push((whole.start(), whole.end()));
        text_parts.push(whole.as_str().to_owned());
        let word = whole.as_str();
        let found = if word.contains("hour") {
            Cadence::Hourly
        } else if word.contains("weekday") || word.contains("business") || word.contains("working") {
            Cadence::Weekdays
        } else if word.contains("week") {
            Cadence::Weekly
        } else if word.contains("month") || word == "quarterly" {
            Cadence::Monthly
        } else {
            if word.contains("night") {
                part_of_day = Some("night");
            } else if word.contains("morning") {
                part_of_day = Some("morning");
            } else if word.contains("evening") {
                part_of_day = Some("evening");
            }
            Cadence::Daily
        };
        if cadence.is_none() {
            cadence = Some(found);
        }
        if word.starts_with("end of") {
            return Some(monthly_end(spans, text_parts));
        }
    }
    if !days.is_empty() && cadence.is_none_or(|c| c == Cadence::Daily) {
        cadence = Some(Cadence::Weekly);
    }

    let mut time = None;
    if let Some(t) = TIME.captures(lower) {
        let whole = t.get(0).expect("group 0");
        time = parse_time(&t);
        if time.is_some() {
            spans.push((whole.start(), whole.end()));
            text_parts.push(whole.as_str().to_owned());
        }
    }
    if let Some(p) = PART_OF_DAY.captures(lower) {
        let whole = p.get(0).expect("group 0");
        spans.push((whole.start(), whole.end()));
        if cadence.is_none() {
            cadence = Some(Cadence::Daily);
            text_parts.push(whole.as_str().to_owned());
        }
        part_of_day = Some(p.get(1).or(p.get(2)).map(|m| m.as_str()).unwrap_or("morning"));
    }
    // "at 5pm" alone means every day at 5pm.
    if cadence.is_none() && time.is_some() && !spans.is_empty() {
        cadence = Some(Cadence::Daily);
    }
    let cadence = cadence?;

    let mut day_of_month = None;
    if cadence == Cadence::Monthly {
        day_of_month = Some(1);
        if let Some(d) = DAY_OF_MONTH.captures(lower) {
            day_of_month = d[1].parse().ok().filter(|d| (1..=31).contains(d));
        }
    }
    let default_time = time.is_none()
        && part_of_day.is_none()
        && matches!(cadence, Cadence::Daily | Cadence::Weekdays | Cadence::Weekly | Cadence::Monthly);
    let (hour, minute) = time.unwrap_or(match part_of_day {
        Some("night" | "nightly" | "overnight") => (2, 0),
        Some("night before") | Some("evening") => (18, 0),
        Some("afternoon") => (14, 0),
        Some(p) if p.starts_with("end of") || p == "eod" => (17, 0),
        _ => (8, 0),
    });
    if cadence == Cadence::Weekly && days.is_empty() {
        days.push("mon".into());
    }
    let (time_text, cron) = match cadence {
        Cadence::EveryMinutes => (None, format!("*/{} * * * *", every_minutes.unwrap_or(15))),
        Cadence::Hourly => match every_minutes {
            Some(m) if m > 60 => (None, format!("0 */{} * * *", m / 60)),
            _ => (None, "0 * * * *".to_owned()),
        },
        Cadence::Daily => (Some(hhmm(hour, minute)), format!("{minute} {hour} * * *")),
        Cadence::Weekdays => (Some(hhmm(hour, minute)), format!("{minute} {hour} * * 1-5")),
        Cadence::Weekly => {
            let nums: Vec<String> = days
                .iter()
                .filter_map(|d| DAYS.iter().find(|(_, s, _)| s == d))
                .map(|(_, _, n)| n.to_string())
                .collect();
            (Some(hhmm(hour, minute)), format!("{minute} {hour} * * {}", nums.join(",")))
        }
        Cadence::Monthly => (Some(hhmm(hour, minute)), format!("{minute} {hour} {} * *", day_of_month.unwrap_or(1))),
    };
    spans.sort();
    Some(Found {
        schedule: Schedule {
            cadence,
            time: time_text,
            days: if cadence == Cadence::Weekly { days } else { Vec::new() },
            day_of_month,
            every_minutes: every_minutes.filter(|_| matches!(cadence, Cadence::EveryMinutes | Cadence::Hourly)),
            default_time,
            cron,
            text: text_parts.join(" "),
        },
        spans,
    })
}

fn monthly_end(spans: Vec<(usize, usize)>, text_parts: Vec<String>) -> Found {
    Found {
        schedule: Schedule {
            cadence: Cadence::Monthly,
            time: Some("17:00".into()),
            days: Vec::new(),
            day_of_month: Some(28),
            every_minutes: None,
            default_time: false,
            cron: "0 17 28 * *".into(),
            text: text_parts.join(" "),
        },
        spans,
    }
}

fn hhmm(hour: u32, minute: u32) -> String {
    format!("{hour:02}:{minute:02}")
}

/// "5pm" → 17:00; "9" → 09:00; a bare 1–6 means afternoon ("at 5" is 17:00).
fn parse_time(c: &regex::Captures<'_>) -> Option<(u32, u32)> {
    if let Some(word) = c.get(10) {
        return Some(if word.as_str() == "midnight" { (0, 0) } else { (12, 0) });
    }
    let (h, m, suffix) = if let Some(h) = c.get(1) {
        (h.as_str(), c.get(2), c.get(3))
    } else if let Some(h) = c.get(4) {
        (h.as_str(), c.get(5), c.get(6))
    } else {
        (c.get(7)?.as_str(), c.get(8), None)
    };
    let mut hour: u32 = h.parse().ok()?;
    let minute: u32 = m.map(|m| m.as_str().parse().unwrap_or(0)).unwrap_or(0);
    if hour > 23 || minute > 59 {
        return None;
    }
    match suffix.map(|s| s.as_str().replace('.', "")) {
        Some(s) if s == "pm" && hour < 12 => hour += 12,
        Some(s) if s == "am" && hour == 12 => hour = 0,
        None if c.get(7).is_none() && (1..=6).contains(&hour) => hour += 12,
        _ => {}
    }
    Some((hour, minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(text: &str) -> String {
        find(&text.to_lowercase()).map(|f| f.schedule.cron).unwrap_or_default()
    }

    #[test]
    fn daily_means_eight_in_the_morning_unless_told() {
        assert_eq!(cron("Send me a daily email with my tasks"), "0 8 * * *");
        let s = find("send a daily summary").unwrap().schedule;
        assert!(s.default_time);
        assert_eq!(s.time.as_deref(), Some("08:00"));
    }

    #[test]
    fn common_schedules() {
        assert_eq!(cron("every Monday at 9"), "0 9 * * 1");
        assert_eq!(cron("each morning"), "0 8 * * *");
        assert_eq!(cron("hourly sync"), "0 * * * *");
        assert_eq!(cron("a summary at 5pm"), "0 17 * * *");
        assert_eq!(cron("Send a daily bot summary to #team-updates at 5pm."), "0 17 * * *");
        assert_eq!(cron("every 15 minutes"), "*/15 * * * *");
        assert_eq!(cron("every 2 hours"), "0 */2 * * *");
        assert_eq!(cron("weekly digest"), "0 8 * * 1");
        assert_eq!(cron("post to #random on slack every friday"), "0 8 * * 5");
        assert_eq!(cron("monthly report on the 15th"), "0 8 15 * *");
        assert_eq!(cron("on weekdays at 7:30am"), "30 7 * * 1-5");
        assert_eq!(cron("every Tuesday and Thursday at 16:45"), "45 16 * * 2,4");
        assert_eq!(cron("Nightly Discord channel cleanup"), "0 2 * * *");
    }

    #[test]
    fn monday_the_tool_is_not_a_weekday() {
        assert!(find("contact support from monday and airtable").is_none());
        assert!(find("send errors to a monday.com board").is_none());
        assert_eq!(cron("from monday to friday at 9am"), "0 9 * * 1,2,3,4,5");
    }

    #[test]
    fn no_schedule_in_an_event_request() {
        assert!(find("when a deal moves to closed won, email me").is_none());
        assert!(find("make the header blue").is_none());
    }

    #[test]
    fn the_weekday_words_are_part_of_the_span() {
        let text = "every monday at 9 send a digest";
        let found = find(text).unwrap();
        assert!(found.spans.iter().any(|(s, e)| text[*s..*e].contains("monday")));
    }
}
