//! The words of schedules: day names, ordinals, numbers, cadences, and the phrasings cron
//! cannot hold. Kept apart from the reading so that a new way of saying "every" is a
//! change to a pattern, not to the logic.

use regex::Regex;
use std::sync::LazyLock;

pub const DAYS: [(&str, &str, u8); 7] = [
    ("monday", "mon", 1),
    ("tuesday", "tue", 2),
    ("wednesday", "wed", 3),
    ("thursday", "thu", 4),
    ("friday", "fri", 5),
    ("saturday", "sat", 6),
    ("sunday", "sun", 0),
];

pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub const DAY: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
pub const ORDINAL: &str = r"(first|1st|second|2nd|third|3rd|fourth|4th|last)";

/// A weekday that means a day, not monday.com: after "every/on/this…", in a range
/// ("Monday to Friday"), plural ("Mondays"), or followed by a time of day.
pub static WEEKDAY_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:every|each|on|this|by|until|till|before)\s+{DAY}s?\b(?:\s*(?:,|and|&|or)\s*{DAY}s?\b)*|\b(?:from\s+)?{DAY}\s*(?:to|through|thru|-)\s*{DAY}\b|\b{DAY}s\b(?:\s*(?:,|and|&|or)\s*{DAY}s?\b)*|\b{DAY}\s+(?:at\s+\d|morning|afternoon|evening|night|noon|midday)"
    ))
    .expect("weekday regex")
});
pub static DAY_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\b{DAY}")).expect("day regex"));
pub static NTH_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(?:every\s+|each\s+|on\s+)?(?:the\s+)?{ORDINAL}\s+({DAY}|weekday|business\s+day|working\s+day|day)s?\s+(?:of|in)\s+(?:the|each|every|a)\s+month\b|\b(?:every|each|on\s+the)\s+{ORDINAL}\s+({DAY})\b"))
        .expect("nth weekday regex")
});
pub static EVERY_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bevery\s+(\d{1,3}|few|couple of|two|three|four|five|six|ten|twelve|fifteen|twenty|thirty)\s*(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\b")
        .expect("every n regex")
});
/// Words for schedules cron cannot hold.
pub static UNSUPPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(?:every\s+other\s+(?:{DAY}|week|day|weekday|month)|bi-?weekly|fortnightly|every\s+fortnight|(?:on\s+)?(?:the\s+)?last\s+(?:day|{DAY}|weekday|business\s+day|working\s+day)\s+of\s+(?:the|each|every|a)\s+month|end\s+of\s+(?:the|each|every)\s+month|tomorrow\s+(?:at|morning|afternoon|evening|night)|(?:on|at|by|until)\s+tomorrow|next\s+{DAY}|next\s+week)\b"))
        .expect("unsupported regex")
});
/// Times that depend on each record's own date ("a day before the appointment", "on
/// their birthday"): no single cron holds them.
pub static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:\d+|an?|one|two|three|few|couple\s+of)\s+(?:minutes?|hours?|days?|weeks?|months?)\s+(?:before|after|prior\s+to|ahead\s+of|ahead)\b|\bthe\s+(?:day|night|morning|week)\s+(?:before|after)\s+(?:the|their|his|her|its|each|every|an?)\b|\bon\s+(?:their|his|her|its|the)\s+(?:[a-z]+'s\s+)?(?:birthday|anniversary|due\s+date|renewal\s+date|start\s+date|expiry\s+date|expiration\s+date|deadline)\b")
        .expect("relative regex")
});
pub static CADENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(hourly|every\s+hour|each\s+hour|once\s+an\s+hour|daily|every\s*day|each\s+day|every\s+single\s+day|once\s+a\s+day|per\s+day|a\s+day|weekdays?|every\s+weekday|each\s+weekday|business\s+days?|working\s+days?|weekends?|every\s+weekend|weekly|every\s+week|each\s+week|once\s+a\s+week|monthly|every\s+month|each\s+month|once\s+a\s+month|first\s+(?:day\s+)?of\s+(?:the|each|every)\s+month|1st\s+of\s+(?:the|each|every)\s+month|beginning\s+of\s+(?:the|each|every)\s+month|start\s+of\s+(?:the|each|every)\s+month|nightly|every\s+night|each\s+night|every\s+morning|each\s+morning|every\s+evening|each\s+evening|every\s+afternoon|quarterly|every\s+quarter|each\s+quarter|yearly|annually|every\s+year|once\s+a\s+year|twice\s+(?:a|per|each)\s+day|twice\s+daily)\b")
        .expect("cadence regex")
});
pub static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b|\bon\s+the\s+(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)\s+of\s+(?:the|each|every)\s+month\b").expect("day of month regex")
});

pub fn ordinal_number(word: &str) -> Option<u8> {
    match word {
        "first" | "1st" => Some(1),
        "second" | "2nd" => Some(2),
        "third" | "3rd" => Some(3),
        "fourth" | "4th" => Some(4),
        _ => None,
    }
}

pub fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "few" => 5,
        "couple of" | "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "ten" => 10,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        digits => digits.parse().ok()?,
    })
}
