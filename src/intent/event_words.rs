//! The words of event clauses: what opens one, and the verbs that say a record was made,
//! changed, deleted or moved to a value. Kept apart from the reading so that a new way of
//! saying "when" is a change to a list, not to the logic.

use regex::Regex;
use std::sync::LazyLock;

pub static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:when(?:ever)?|once|as soon as|each time|every time|any ?time|if|after|upon|on|for (?:each|every|any)|every|each)\b[^,.;!?]*")
        .expect("clause regex")
});
pub static CLICK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:clicks?|presses|press|taps?|hits?|pushes)\b\s+(?:on\s+)?(?:the\s+|a\s+)?(?:"[^"]+"|'[^']+'|“[^”]+”|‘[^’]+’|[a-z ]{0,20}\bbutton)"#).expect("click regex")
});
/// "add a 'Close month' button", "put a Sync now button".
pub static BUTTON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:add|put|create|make|place|give\s+(?:me|us))\s+(?:a|an|one)\s+("[^"]+"|'[^']+'|“[^”]+”|‘[^’]+’|(?:[a-z0-9-]+\s+){0,4}?)\s*button\b"#)
        .expect("button regex")
});
/// A value a field moves to; group 1 is a field named before it ("changes stage to Negotiation").
pub static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:(?:changes?|changed|moves?|moved|updates?|updated|sets?|switch(?:es|ed)?|goes)\s+(?:its\s+|their\s+|the\s+)?(stage|status|state|priority|severity|column|phase|tier|level|category|type)\s+to\s+|marked\s+(?:as\s+)?|moves?\s+(?:in)?to\s+|moved\s+(?:in)?to\s+|changes?\s+to\s+|changed\s+to\s+|set\s+to\s+|becomes?\s+|reaches\s+|goes\s+to\s+|turns?\s+(?:to\s+|into\s+)?|is\s+now\s+|switch(?:es|ed)?\s+to\s+|flagged\s+(?:as\s+)?|updated\s+to\s+)(?:the\s+)?("[^"]+"|'[^']+'|“[^”]+”|[a-z0-9-]+(?:\s+[a-z0-9-]+){0,2})"#)
        .expect("value regex")
});
/// "gets a score of 1", "is given a score of 10", "is assigned to me": group 1 the
/// field, group 2 the value.
pub static FIELD_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:gets?|got|receives?|received|is\s+given|has|is\s+rated)\s+(?:a|an)\s+([a-z_]+)\s+of\s+([a-z0-9.-]+)\b|\b(?:is|gets?|was)\s+(assigned|allocated|reassigned)\s+to\s+(me|[a-z]+)\b")
        .expect("field of regex")
});
pub static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:drops?|falls?|goes|rises?|exceeds?|is)\s+(?:below|above|under|over|low|high|out)\b|\bthreshold\b|\b(?:is|are|gets?|runs?)\s+(?:low|overdue|late|expired|expiring|approaching|due)\b|\bdeadlines?\s+(?:are|is)\s+approaching\b")
        .expect("condition regex")
});
pub static CREATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnew\b|\bcreated\b|\badded\b|\bsigns?\s+up\b|\bsigned\s+up\b|\bsignups?\b|\bsubmit(?:s|ted)?\b|\barrives?\b|\bcomes?\s+in\b|\b(?:is|are|was|were|gets?)\s+placed\b|\bplaces?\b|\bbooks?\b|\b(?:is|are|was|were|gets?)\s+booked\b|\bregisters?\b|\bjoins?\b|\b(?:is|are|was|were|gets?)\s+reported\b|\breports?\b|\b(?:is|are|was|were|gets?)\s+filed\b|\blands?\b|\b(?:is|are|was|were|gets?)\s+received\b|\breceives?\b|\b(?:is|are|was|were|gets?)\s+uploaded\b|\b(?:is|are|was|were|gets?)\s+made\b|\b(?:is|are|was|were|gets?)\s+opened\b|\bcreation\b|\b(?:is|are|was|were|gets?)\s+posted\b|\bpublish(?:es|ed)?\b|\boccurs?\b|\bhappens?\b|\bcheckout\b|\bsucceeds?\b|\b(?:is|are|was|were|gets?)\s+sent\b|\bappl(?:y|ies|ied)\b|\benrol(?:l|ls|led|s)?\b|\bsubscribes?\b|\bdonates?\b|\bpays?\b|\bpaid\b|\bbuys?\b|\bpurchases?\b|\borders?\s+(?:something|a|an|the)\b|\brsvps?\b|\bcomments?\s+on\b|\brequests?\s+(?:a|an)\b|\bsends?\s+(?:us|in)\b|\bfills?\s+(?:in|out)\b|\bresponds?\b|\breplies\b|\bis\s+logged\b|\blogs?\s+(?:a|an)\b|\bschedules?\s+(?:a|an)\b|\b(?:is|are|was|were|gets?)\s+(?:scheduled|submitted|registered|uploaded|added|created|logged|raised|assigned|shared)\b|\b(?:posts|writes|uploads|shares|creates|adds|opens|starts|leaves|sends|makes|records)\b|\b(?:i|we|you)\s+(?:get|receive|have)\s+(?:a|an|new|any)\b")
        .expect("created regex")
});
pub static UPDATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bupdated?\b|\bchanges?\b|\bchanged\b|\bedited\b|\bedits?\b|\bmodified\b|\brenamed\b")
        .expect("updated regex")
});
pub static DELETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bdeleted\b|\bdeletes?\b|\bremoved\b|\bremoves?\b|\bcancel(?:l)?ed\b|\bcancels?\b|\barchived\b|\btrashed\b|\bdestroyed\b").expect("deleted regex")
});
/// A record reaching a state: group 1 after "is/gets…", group 2 a verb of its own.
pub static STATUS_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:is|are|was|were|gets?|got|been)\s+(approved|confirmed|completed|done|closed|paid|shipped|accepted|rejected|resolved|won|lost|published|released|enabled|disabled|signed|delivered|finished|escalated|urgent|checked\s+off|ticked\s+off|crossed\s+off|fulfilled|refunded|declined|verified|hired|returned|expired|cancell?ed|failed|overdue|ready|available|live|full|sold\s+out|out\s+of\s+stock|picked\s+up|collected|dispatched|fulfilled)\b|\b(closes|ships|completes|finishes|resolves|fails|checked\s+off|ticked\s+off|crossed\s+off)\b")
        .expect("status regex")
});
/// "for every completed task": a state said as an adjective, in a verbless clause.
pub static ADJ_STATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(completed|finished|closed|resolved|paid|approved|confirmed|cancell?ed|shipped|delivered|won|lost|done|archived|rejected|accepted|published)\s+[a-z]+").expect("adjective state regex")
});
/// "for each critical bug": a verbless clause about each record.
pub static FOR_EACH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:for\s+(?:each|every|any)|any)\s+[a-z]").expect("for each regex"));
/// The act in an event clause ("applies", "submits", "pays"), for the record it creates.
pub static ACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(appl(?:y|ies)|submits?|registers?|enrol(?:l|ls|s)?|subscribes?|donates?|pays?|buys?|purchases?|orders?|books?|rsvps?|comments?|reviews?|rates?|uploads?|signs?\s+up|joins?|requests?|reports?|responds?|replies|succeeds?|fails?|checks?\s+in|checks?\s+out|logs?|schedules?|invites?|refers?|votes?|completes?)\b")
        .expect("act regex")
});

/// Openers that mark an event clause more surely than "on", "each" or "if".
pub static STRONG_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:when(?:ever)?|as soon as|each time|every time)\b").expect("strong head regex"));
pub static FIELD_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(stage|status|state|priority|severity|level|category|type|tier|column|phase)\b")
        .expect("field word regex")
});

/// Words after "every"/"each" that make it a schedule ("every day"), not an event.
pub const TIME_WORDS: [&str; 21] = [
    "day",
    "days",
    "week",
    "weeks",
    "weekday",
    "weekend",
    "month",
    "months",
    "morning",
    "evening",
    "night",
    "afternoon",
    "hour",
    "hours",
    "minute",
    "minutes",
    "year",
    "quarter",
    "other",
    "few",
    "single",
];
/// Verbs that give an order when written plainly ("post it", "email me").
pub const ORDERS: [&str; 30] = [
    "post", "send", "email", "text", "notify", "tell", "ping", "create", "add", "save", "put", "mark", "log", "share",
    "announce", "dm", "message", "open", "file", "sync", "alert", "remind", "invite", "schedule", "call", "forward",
    "copy", "upload", "assign", "slack",
];
/// Words before a verb that make it a person's act, not an order ("when I post").
pub const DOERS: [&str; 14] =
    ["i", "we", "you", "they", "someone", "somebody", "anyone", "who", "to", "will", "can", "should", "he", "she"];
pub const WEAK_HEADS: [&str; 8] = ["every", "each", "on", "if", "after", "upon", "for", "any"];
/// Record words that say nothing of the kind of record ("an invoice record").
pub const GENERIC_HEADS: [&str; 6] = ["record", "entry", "item", "row", "one", "object"];
pub const NOT_QUALIFIERS: [&str; 12] =
    ["after", "before", "upon", "during", "until", "into", "about", "than", "while", "per", "via", "through"];
pub const ARTICLES: [&str; 12] =
    ["a", "an", "the", "new", "each", "every", "any", "some", "my", "our", "your", "their"];
pub const NOT_SUBJECTS: [&str; 24] = [
    "is", "are", "was", "gets", "get", "moves", "someone", "somebody", "anyone", "anybody", "user", "it", "they", "i",
    "we", "you", "there", "time", "day", "week", "month", "morning", "night", "thing",
];

pub fn is_verbish(w: &str) -> bool {
    matches!(
        w,
        "is" | "are"
            | "was"
            | "gets"
            | "get"
            | "got"
            | "moves"
            | "moved"
            | "changes"
            | "changed"
            | "comes"
            | "arrives"
            | "signs"
            | "drops"
            | "falls"
            | "becomes"
            | "reaches"
            | "closes"
            | "ships"
            | "lands"
            | "occurs"
            | "happens"
            | "fails"
            | "succeeds"
            | "in"
            | "to"
            | "from"
            | "on"
            | "at"
            | "of"
            | "for"
            | "with"
            | "and"
            | "or"
            | "by"
            | "up"
            | "creation"
            | "created"
            | "added"
            | "submitted"
            | "placed"
            | "booked"
            | "marked"
            | "submits"
            | "applies"
            | "pays"
            | "has"
            | "goes"
            | "turns"
            | "that"
            | "which"
            | "who"
            | "whose"
            | "where"
    )
}
