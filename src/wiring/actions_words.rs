//! The words of orders: what joins two of them, the verbs that send something somewhere,
//! and the ones that write into the app's own records.

use crate::catalog::Capability;
use regex::Regex;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("action pattern")
}

/// "and" or "then" before a new order starts a new clause.
pub static JOINER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:and\s+then|then|and\s+also|and)\s+(?:also\s+)?(?:post|send|e-?mail|text|sms|notify|tell|ping|create|add|save|store|put|mark|update|log|share|announce|dm|message|open|file|sync|alert|remind|invite|schedule|book|assign|move|label|archive|forward|copy|upload|attach|reply|call|set|make|start|record|slack|tweet|publish|invoice|charge|bill|block)\b",
    )
});

/// Orders the router's needs leave to the flow, and the kind of work each asks.
pub static ORDERS: LazyLock<Vec<(Regex, Capability)>> = LazyLock::new(|| {
    vec![
        (re(r"\b(?:e-?mail(?:s|ed)?|mail(?:s|ed)?)\b|\b(?:mail|in)box\b|\bnewsletter\b"), Capability::Email),
        (
            re(
                r"\btext(?:s|ed)?\s+(?:me|us|them|him|her|the|each|every|a|an|my|our|their|it)\b|\bsms\b|\bsend\s+(?:[a-z]+\s+){0,2}texts?\b|\bby\s+text\b",
            ),
            Capability::Sms,
        ),
        (
            re(
                r"\b(?:post|announce|ping|dm|slack|broadcast)\b|\bdirect\s+message\b|\bmessage\s+(?:me|us|the|them)\b|\bshare\s+(?:it|them|this)\s+(?:in|on|to|with)\b|\btell\s+(?:me|us|the|them|everyone)\b",
            ),
            Capability::Chat,
        ),
        (re(r"\bcall\s+(?:me|us|them|him|her|the)\b"), Capability::Call),
        (re(r"\bcalendar\b|\bblock\s+(?:off\s+)?time\b"), Capability::Calendar),
        (
            re(r"\b(?:add|create|schedule|set\s+up|start|book)\s+(?:a|an|the)?\s*(?:[a-z]+\s+)?meeting\b"),
            Capability::Meeting,
        ),
        (
            re(r"\b(?:add|append|insert|write|log|put)\b[^.;]{0,40}\b(?:rows?|spreadsheet|sheet)\b"),
            Capability::Spreadsheet,
        ),
    ]
});
/// "send me the list", "send the summary to my team": delivered by email when nothing
/// else is said.
pub static SEND_ME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:send|give|forward|deliver|notify|remind|alert)\s+(?:me|us|myself|them|him|her|the\s+team)\b|\b(?:send|share|forward|deliver)\b[^.;]{0,60}?\bto\s+(?:me|us|my|our|the|each|every|all)\b",
    )
});
/// "DM me", "message me directly", "privately".
pub static DIRECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bdms?\b|\bdirect(?:ly)?\s*messages?\b|\bprivate(?:ly)?\b|\bdirectly\b|\b(?:message|notify|ping|alert|tell|remind|send)\s+(?:me|him|her)\b|\bme\s+(?:on|in|via)\s+[a-z]+\b|\b(?:i|we)\s+(?:want|would\s+like|'d\s+like|need|wish)\s+to\s+(?:be\s+)?(?:notified|told|alerted|pinged|messaged|reminded)\b|\blet\s+me\s+know\b",
    )
});
/// Kinds of work people ask for without naming a tool; others need a named tool.
pub const DELIVERED: [Capability; 7] = [
    Capability::Email,
    Capability::Chat,
    Capability::Sms,
    Capability::Call,
    Capability::Calendar,
    Capability::Meeting,
    Capability::Spreadsheet,
];
/// Words that name how a message travels, not only that it is sent.
pub const MEDIUM_WORDS: [&str; 13] = [
    "mail",
    "inbox",
    "text",
    "sms",
    "#",
    "calendar",
    "sheet",
    "row",
    "meeting",
    "call",
    "channel",
    "slack",
    "newsletter",
];
pub const READ_VERBS: [&str; 13] =
    ["list", "find", "search", "read", "fetch", "pull", "look", "check", "show", "display", "see", "view", "get"];
pub const READ_PREFIXES: [&str; 7] = ["list_", "get_", "search_", "read_", "query_", "run_", "find_"];
/// Words too common in catalog phrases to say which operation is meant.
pub const FILLER: [&str; 8] = ["the", "and", "for", "new", "with", "from", "into", "this"];
/// A verb that writes into the app's records: group 1.
pub static SAVE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(save|store|record|log|keep|add|create|insert|put|mark|update|set|flag|move|close|copy|turn|make|file)\b")
});
pub const UPDATE_VERBS: [&str; 6] = ["mark", "update", "set", "flag", "move", "close"];
/// Words before a tool's name ("on our Mastodon account").
pub const PLACE_WORDS: [&str; 8] = ["on", "to", "in", "via", "using", "through", "with", "into"];
/// Words after a tool's name that say it is one ("account", "workspace").
pub const ACCOUNT_WORDS: [&str; 9] =
    ["account", "app", "workspace", "server", "profile", "feed", "handle", "page", "community"];
/// Capitalised words after "on" that are no tool (days and months aside).
pub const NOT_TOOLS: [&str; 6] = ["i", "me", "us", "it", "time", "here"];
