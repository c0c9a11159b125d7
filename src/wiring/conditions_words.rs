//! The words of conditions, as patterns over the folded request. Each pattern is one way
//! people pick records; the reading in `conditions.rs` maps them onto an entity's fields.

use regex::Regex;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("condition pattern")
}

/// A priority or severity: group 1 before "priority", 2 after it, 3 an urgency word
/// before the records' noun (group 4).
pub static PRIORITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(urgent|critical|blocker|high|highest|low|lowest|medium|normal|top|p[0-4])[- ](?:priority|prio|severity|importance)\b|\b(?:priority|severity)\s+(?:is\s+|of\s+|=\s*|set\s+to\s+)?(urgent|critical|high|highest|low|medium|p[0-4])\b|\b(urgent|critical|blocker|p0|p1)\s+([a-z]+)",
    )
});
/// A comparison with a number: group 1 the comparison, 2 a currency before, 3 the
/// number, 4 a k/m multiplier, 5 a currency word after.
pub static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(over|above|more\s+than|greater\s+than|exceeding|exceeds|higher\s+than|bigger\s+than|larger\s+than|at\s+least|no\s+less\s+than|under|below|less\s+than|lower\s+than|fewer\s+than|at\s+most|no\s+more\s+than|up\s+to|beneath|cheaper\s+than|>=|<=|>|<)\s*(\$|€|£|usd\s|eur\s)?\s?(\d[\d,]*(?:\.\d+)?)\s?(k|m)?\b(\s?(?:dollars|euros|pounds|usd|eur|gbp|bucks))?",
    )
});
/// Units after a number that make it a time span, not an amount ("more than 3 days").
pub const TIME_UNITS: [&str; 7] = ["day", "hour", "week", "minute", "month", "year", "%"];
/// "renewing in the next 30 days": group 1 the word before, 2 the count, 3 the unit.
pub static WITHIN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:([a-z]+)\s+)?(?:in|within|over|during)\s+(?:the\s+)?(?:next|coming|upcoming|following)\s+(\d+|two|three|four|five|six|seven|ten|fourteen|thirty)?\s*(days?|weeks?|hours?|months?)\b|\b([a-z]+)\s+within\s+(\d+|two|three|four|five|six|seven|ten|fourteen|thirty)\s+(days?|weeks?|hours?|months?)\b",
    )
});
/// "due this week", "starting today": group 1 the word, 2 when.
pub static WITHIN_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(due|closing|starting|expiring|ending|scheduled|happening|renewing)\s+(today|tomorrow|this\s+week|this\s+month|soon)\b",
    )
});
/// "joined in the last week", "signed up in the past 30 days": group 1 the word before,
/// 2 the count, 3 the unit.
pub static LAST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:([a-z]+)\s+)?(?:in|within|over|during|from)\s+the\s+(?:last|past|previous)\s+(\d+|two|three|four|five|six|seven|ten|fourteen|thirty)?\s*(days?|weeks?|hours?|months?)\b",
    )
});
/// "today's appointments": group 1 the records' noun.
/// "today's appointments", "tomorrow's bookings": group 1 or 2 the noun, 3 or 4 the day.
pub static TODAYS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(today|tomorrow)'?s\s+([a-z]+)|\b([a-z]+)\s+(?:for|scheduled\s+for|happening|booked\s+for|on)\s+(today|tomorrow)\b",
    )
});
/// An empty field: group 1 after "no/without/don't have", 2 before "is empty".
pub static EMPTY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:without|missing|lacking|with\s+no|(?:do|does|did)(?:n't|\s+not)\s+(?:yet\s+|even\s+)?have|(?:has|have)(?:n't|\s+not)\s+(?:got|been\s+given)|(?:has|have)\s+no|not\s+yet\s+(?:given|assigned))\s+(?:a\s+|an\s+|any\s+|the\s+)?([a-z_]+)\b|\b([a-z_]+)\s+(?:is|are)\s+(?:still\s+)?(?:empty|blank|missing|not\s+set|unset)\b",
    )
});
/// Words after "without"/"no" that are not fields.
pub const IGNORED_EMPTY: [&str; 16] = [
    "one",
    "delay",
    "time",
    "reason",
    "need",
    "more",
    "longer",
    "way",
    "problem",
    "doubt",
    "reply",
    "response",
    "changes",
    "action",
    "exception",
    "fail",
];
/// "ungraded", "unassigned", "unpaid": group 1 the word without "un".
pub static UN_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"\bun((?:[a-z]{3,}ed)|paid|read|sent|seen)\b"));
pub static ASSIGNED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:assigned|allocated|given|delegated)\s+to\s+(me|myself)\b|\bmy\s+assigned\b"));
/// "from a customer": group 1 the kind.
pub static FROM_KIND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:from|by|sent\s+by)\s+(?:a|an|our|the|any|existing|current|paying)?\s*(customer|client|vip|partner|vendor|supplier|member|subscriber|lead|student|parent|patient|employee|investor|donor|sponsor)s?\b",
    )
});
/// A state after the records' noun ("products that are out of stock"): group 1 "not",
/// 2 the state.
pub static STATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:that|which|who)\s+(?:are|is|were|was)\s+(?:still\s+|currently\s+|now\s+)?(not\s+|no\s+longer\s+)?(approved|confirmed|paid|shipped|delivered|cancelled|canceled|active|inactive|qualified|won|lost|draft|published|archived|rejected|accepted|scheduled|checked[- ]in|in\s+stock|out\s+of\s+stock|verified|flagged|featured|refunded|failed|expired|pending)\b",
    )
});
/// A yes/no field said not to hold ("haven't been submitted", "not yet approved"):
/// group 1 the field's word.
pub static NOT_FLAG: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\bnot|n't|\bnever)\s+(?:been\s+|yet\s+|yet\s+been\s+)?([a-z]+ed)\b"));
/// Fields that say what kind of person or source a record is.
pub const KIND_FIELDS: [&str; 9] =
    ["type", "kind", "role", "category", "segment", "source", "customer_type", "contact_type", "sender_type"];
/// A state before the records' noun: group 1 "not", 2 the state, 3 the noun.
pub static STATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(not\s+|non-)?(approved|confirmed|paid|shipped|delivered|cancelled|canceled|active|inactive|qualified|won|lost|draft|published|archived|rejected|accepted|scheduled|checked[- ]in|in\s+stock|out\s+of\s+stock|verified|flagged|featured|refunded|failed|expired|pending|vip)\s+([a-z]+)",
    )
});
pub static OVERDUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:overdue|past\s+(?:its\s+|their\s+|the\s+)?due(?:\s+date)?|behind\s+schedule|(?:is|are|running|were)\s+late|missed\s+(?:its|their|the)\s+(?:due\s+date|deadline))\b",
    )
});
pub static NOT_DONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\bnot|n't|\bnobody|\bno\s+one|\bnever|\byet\s+to\s+be|\bstill\s+to\s+be)(?:\s+[a-z']+){0,3}?\s+(?:done|completed|complete|finished|checked\s+off|ticked\s+off|closed|resolved)\b",
    )
});
pub static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:undone|incomplete|unfinished|uncompleted|outstanding|remaining|to-?do|todo|still\s+open|left\s+to\s+do|unresolved|open\s+(?:tasks?|items?|tickets?|requests?|issues?|chores?|orders?|jobs?|cases?|bugs?|deals?|invoices?|ones?)|my\s+(?:tasks|to-?dos|chores|errands))\b",
    )
});
/// Finished records: group 1 or 2 the word used.
pub static DONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(completed|done|finished|closed|resolved|checked\s+off|ticked\s+off)\s+(?:[a-z]+)\b|\b(?:that|which)\s+(?:are|were|got|have\s+been)\s+(completed|done|finished|closed|resolved)\b",
    )
});
/// Words before a number that are not fields ("in", "with").
pub const STOP: [&str; 12] =
    ["with", "that", "have", "has", "which", "from", "when", "where", "more", "than", "over", "into"];
pub const NUMBER_WORDS: [(&str, u32); 9] = [
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("ten", 10),
    ("fourteen", 14),
    ("thirty", 30),
];
