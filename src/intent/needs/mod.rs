//! What outside work a request asks for when it names no tool: "email me", "post to
//! #sales", "send an SMS", "add it to my calendar", "charge a deposit". Each rule reads a
//! verb and its object, never a bare noun that could be the app's own data ("validate
//! emails", "the email field", "after checkout", "a calendar view" need nothing).
//!
//! Strong needs are verb-driven and hold even when other tools are named ("…from Google
//! Analytics and email it to me"); weak ones are nouns that point at a kind of tool
//! ("a spreadsheet", "our repo") and count only when the request names no tool at all.

mod guards;

use crate::catalog::Capability;
use guards::{
    after_a_notify_verb, calendar_is_a_tool, crm_is_a_tool, email_is_a_verb, negated, not_a_page_element,
    not_built_here, not_builtin_email, outgoing_message, social_is_a_tool, spreadsheet_is_a_tool,
};
use regex::{Regex, RegexSet};
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    Strong,
    Weak,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Need {
    pub capability: Capability,
    #[serde(skip)]
    pub strength: Strength,
    pub verb: &'static str,
    pub object: &'static str,
    /// A named tool of any of these kinds also does the job ("notify the team" is done by
    /// a chat tool, or by email if the request names an email tool).
    #[serde(skip)]
    pub also_covered_by: &'static [Capability],
    pub text: String,
    /// A tool outside the catalog that the request names for this work ("via SMTP",
    /// "with PayPal"): then no catalog connector is chosen for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside: Option<&'static str>,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

/// Well-known tools patchbay has no connector for, by the kind of work they do.
const OUTSIDE_TOOLS: &[(Capability, &[&str])] = &[
    (
        Capability::Email,
        &[
            "smtp",
            "imap",
            "sendgrid",
            "mailgun",
            "postmark",
            "amazon ses",
            "aws ses",
            "brevo",
            "sendinblue",
            "resend",
            "mailjet",
            "sparkpost",
            "proton mail",
            "protonmail",
            "yahoo mail",
            "zoho mail",
        ],
    ),
    (
        Capability::Chat,
        &["mattermost", "rocket.chat", "rocketchat", "google chat", "webex", "matrix", "zulip", "line messaging"],
    ),
    (Capability::Sms, &["vonage", "nexmo", "messagebird", "plivo", "sinch", "textmagic", "aws sns", "amazon sns"]),
    (
        Capability::Payment,
        &[
            "paypal",
            "razorpay",
            "paddle",
            "lemon squeezy",
            "lemonsqueezy",
            "braintree",
            "mollie",
            "adyen",
            "chargebee",
            "gumroad",
        ],
    ),
    (Capability::Crm, &["close.com", "copper crm", "freshsales", "keap", "activecampaign", "attio", "folk crm"]),
    (Capability::Calendar, &["apple calendar", "icloud calendar", "cal.com", "caldav"]),
    (Capability::Spreadsheet, &["libreoffice calc", "apple numbers", "smartsheet"]),
    (Capability::Meeting, &["microsoft teams meeting", "webex meeting", "gotomeeting", "whereby", "jitsi"]),
];

/// The outside tool the request names for this kind of work, if any.
pub fn outside_tool(lower: &str, capability: Capability) -> Option<&'static str> {
    let names = OUTSIDE_TOOLS.iter().find(|(c, _)| *c == capability)?.1;
    names.iter().copied().find(|name| {
        lower.match_indices(name).any(|(at, _)| {
            let before = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = lower[at + name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            before && after
        })
    })
}

type Guard = fn(&str, usize, usize) -> bool;

struct Rule {
    capability: Capability,
    strength: Strength,
    verb: &'static str,
    object: &'static str,
    pattern: &'static str,
    also_covered_by: &'static [Capability],
    /// Extra check on the lowercase text and the match span.
    guard: Option<Guard>,
}

const fn rule(
    capability: Capability,
    strength: Strength,
    verb: &'static str,
    object: &'static str,
    pattern: &'static str,
) -> Rule {
    Rule { capability, strength, verb, object, pattern, also_covered_by: &[], guard: None }
}

const RECIPIENT: &str = r"(?:me|us|him|her|them|myself|ourselves|it|the|a|an|each|every|all|our|my|their|his|its|your|this|that|these|those|customers?|clients?|users?|members?|subscribers?|buyers?|guests?|students?|parents?|attendees?|employees?|staff|admins?|people|everyone|someone|anyone|leads?|contacts?|applicants?|candidates?|patients?|owners?|managers?|teachers?|vendors?|suppliers?|partners?|investors?|donors?|volunteers?|tenants?|participants?|new)";

use Capability as C;
use Strength::{Strong, Weak};

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // --- email ---------------------------------------------------------------
        Rule {
            guard: Some(email_is_a_verb),
            ..rule(
                C::Email,
                Strong,
                "send",
                "email",
                r"\b(?:e-?mail(?:s|ed|ing)?|mail(?:s|ed)?)\s+RECIPIENT\b|\be-?mail(?:ed|ing)\s+to\s+RECIPIENT\b",
            )
        },
        Rule {
            guard: Some(not_builtin_email),
            ..rule(C::Email, Strong, "send", "email", r"\bsend(?:s|ing)?\b[^.;!?]{0,50}?\be-?mails?\b")
        },
        Rule {
            guard: Some(not_builtin_email),
            ..rule(
                C::Email,
                Strong,
                "send",
                "email",
                r"\be-?mail\s+(?:alerts?|notifications?|digests?|summar(?:y|ies)|reports?|receipts?|reminders?|updates?|confirmations?|invites?|invitations?|replies|reply|follow-?ups?|blasts?|sequences?|briefings?|recaps?)\b",
            )
        },
        Rule {
            guard: Some(not_builtin_email),
            ..rule(C::Email, Strong, "send", "email", r"\b(?:via|by|over|through|per|with an?)\s+e-?mail\b")
        },
        Rule {
            // "drop them a welcome email": the kind of message says it goes out, whatever the verb.
            guard: Some(outgoing_message),
            ..rule(
                C::Email,
                Strong,
                "send",
                "email",
                r"\b(?:welcome|thank[- ]you|follow[- ]up|reminder|onboarding|birthday|renewal|win-?back|summary|digest|recap|report|alert|notification|status)\s+e-?mails?\b",
            )
        },
        Rule {
            guard: Some(not_a_page_element),
            ..rule(C::Email, Strong, "read", "inbox", r"\b(?:my|our|the|shared|support|team)\s+inbox(?:es)?\b")
        },
        rule(
            C::Email,
            Strong,
            "read",
            "email",
            r"\b(?:new|incoming|unread|received)\s+e-?mails?\b|\bforward(?:ed)?\s+e-?mails?\b|\breply\s+to\s+e-?mails?\b|\be-?mail\s+attachments?\b",
        ),
        // --- chat ----------------------------------------------------------------
        rule(
            C::Chat,
            Strong,
            "post",
            "message",
            r"\b(?:post|send|share|notify|alert|ping|message|tell|announce|drop|broadcast|update|publish|push)\b[^.;!?]{0,60}?\b(?:channels?|team\s+chat|group\s+chat|chat\s*rooms?|chat\s+group)\b",
        ),
        rule(
            C::Chat,
            Strong,
            "post",
            "message",
            r"\b(?:team|group|company|work|office)\s+chat\b|\bdirect\s+messages?\b|\bdms?\b",
        ),
        Rule {
            also_covered_by: &[C::Email, C::Sms],
            ..rule(
                C::Chat,
                Strong,
                "notify",
                "team",
                r"\b(?:ping|notify|alert|tell|message|update|warn)\s+(?:the|my|our)\s+(?:[a-z-]+\s+){0,2}(?:team|crew|squad|ops|on-?call|staff|channel|group)\b|\blet\s+(?:the|my|our)\s+(?:[a-z-]+\s+){0,2}team\s+know\b|\b(?:post|send|share|announce|broadcast)\s+(?:an?\s+|the\s+)?(?:message|note|update|alert|announcement|summary)s?\s+to\s+(?:the|my|our)\s+(?:[a-z-]+\s+){0,2}(?:team|crew|squad|staff|group)\b",
            )
        },
        // --- text messages and calls ---------------------------------------------
        rule(
            C::Sms,
            Strong,
            "send",
            "sms",
            r"\bsms(?:es)?\b|\bmms\b|\btext\s+messages?\b|\btexts?\s+(?:me|us|them|him|her|the|each|every|customers?|clients?|users?|patients?|guests?|drivers?|staff)\b|\bsend\s+(?:(?:them|him|her|me|us)\s+)?(?:a|an)\s+text\b|\btext\s+(?:alerts?|reminders?|notifications?)\b",
        ),
        Rule {
            guard: Some(after_a_notify_verb),
            ..rule(C::Sms, Strong, "send", "sms", r"\b(?:by|via|over|through)\s+text\b")
        },
        rule(C::Call, Strong, "call", "phone", r"\b(?:phone|voice|automated)\s+calls?\b|\bcall\s+me\b"),
        // --- calendar and meetings -----------------------------------------------
        Rule { guard: Some(calendar_is_a_tool), ..rule(C::Calendar, Strong, "create", "event", r"\bcalendars?\b") },
        rule(
            C::Calendar,
            Strong,
            "block",
            "time",
            r"\bblock\s+(?:off\s+)?(?:time|focus\s+time|slots?)\b|\b(?:my|our|their)\s+availability\b|\bcalendar\s+invites?\b|\bsend\s+(?:an?\s+)?invites?\b",
        ),
        rule(
            C::Meeting,
            Strong,
            "create",
            "meeting",
            r"\bvideo\s+(?:calls?|meetings?|conferences?|chats?|links?)\b|\b(?:meeting|conference|call|video)\s+links?\b|\bwebinars?\b|\bvideo\s*conferenc\w*",
        ),
        // --- spreadsheets, documents, presentations, files --------------------------
        Rule {
            guard: Some(spreadsheet_is_a_tool),
            also_covered_by: &[C::Database],
            ..rule(C::Spreadsheet, Strong, "add", "row", r"\bspread\s?sheets?\b|\b(?:a|the|my|our|google)\s+sheet\b")
        },
        rule(
            C::Presentation,
            Weak,
            "create",
            "presentation",
            r"\bslide\s*decks?\b|\bslideshows?\b|\bpresentations?\b|\bpitch\s+decks?\b|\bpowerpoints?\b|\bslides\b",
        ),
        rule(
            C::Files,
            Weak,
            "upload",
            "file",
            r"\bcloud\s+storage\b|\bback\s*(?:up|ups)\b[^.;!?]{0,30}\b(?:files?|documents?|attachments?|photos?)\b|\bshared\s+(?:drive|folder)s?\b",
        ),
        // --- code and issues -------------------------------------------------------
        rule(
            C::Code,
            Weak,
            "read",
            "repository",
            r"\b(?:repo|repos|repository|repositories|pull\s+requests?|merge\s+requests?|commits?|code\s+reviews?)\b|\bprs?\s+(?:(?:is|are|was|gets?)\s+)?(?:merged|opened|closed|approved|reviewed)\b|\b(?:merged|opened|open|new)\s+prs?\b",
        ),
        rule(C::Issue, Weak, "create", "issue", r"\b(?:bug|issue)\s+trackers?\b|\b(?:our|the|my)\s+tracker\b"),
        rule(
            C::Task,
            Weak,
            "create",
            "task",
            r"\b(?:project|task)\s+management\s+(?:tool|app|board|software|system)\b|\b(?:our|my|the\s+team's)\s+(?:project|task)\s+boards?\b",
        ),
        // --- customers, payments, books ------------------------------------------
        Rule { guard: Some(crm_is_a_tool), ..rule(C::Crm, Strong, "sync", "crm", r"\bcrm\b") },
        rule(
            C::Payment,
            Strong,
            "charge",
            "payment",
            r"\b(?:charge|bill)\s+(?:the\s+|a\s+|an\s+|their\s+|each\s+|every\s+|all\s+)?(?:customers?|clients?|users?|cards?|credit\s+cards?|deposits?|fees?|them|people|members?|buyers?|guests?|patients?|students?|subscribers?|monthly|weekly|annually|tenants?|\w+\s+fees?)\b",
        ),
        rule(
            C::Payment,
            Strong,
            "charge",
            "payment",
            r"\b(?:take|accept|collect|process|receive|handle|enable)\s+(?:online\s+|card\s+|credit\s+card\s+|recurring\s+|one-time\s+)?payments?\b|\bpay\s+(?:for|online|with\s+(?:a\s+)?card|by\s+card|a\s+deposit|the\s+invoice|invoices|their\s+\w+|now|upfront|in\s+advance)\b",
        ),
        rule(
            C::Payment,
            Strong,
            "charge",
            "payment",
            r"\b(?:payment|checkout)\s+links?\b|\bcard\s+checkout\b|\bsubscription\s+(?:billing|payments?)\b|\brecurring\s+(?:billing|payments?)\b|\brefund\s+(?:the|a|their|them|customers?|orders?|payments?)\b|\bsell\s+(?:subscriptions|memberships|tickets)\b",
        ),
        rule(
            C::Accounting,
            Strong,
            "create",
            "invoice",
            r"\baccounting\s+(?:software|system|tool|app|platform|books?)\b|\bbookkeeping\b|\bgeneral\s+ledger\b|\b(?:our|the|my)\s+books\b",
        ),
        Rule {
            guard: Some(not_a_page_element),
            ..rule(C::Accounting, Strong, "create", "invoice", r"\b(?:our|my|the\s+company's)\s+accounting\b")
        },
        rule(
            C::Accounting,
            Weak,
            "create",
            "invoice",
            r"\b(?:create|send|issue|generate|raise)\s+(?:an?\s+|the\s+)?invoices?\b",
        ),
        // --- data sources ----------------------------------------------------------
        rule(
            C::Analytics,
            Weak,
            "report",
            "traffic",
            r"\b(?:website|site|web|blog|landing\s+page)\s+(?:traffic|visitors|visits|sessions|analytics)\b|\bpage\s*views?\b|\bbounce\s+rates?\b|\btraffic\s+(?:sources?|by\s+source|trends?)\b|\bunique\s+visitors\b|\borganic\s+traffic\b",
        ),
        rule(
            C::Seo,
            Weak,
            "report",
            "search",
            r"\b(?:search|keyword)\s+(?:rankings?|impressions|queries|performance)\b|\b(?:clicks|impressions)\s+and\s+(?:clicks|impressions)\b",
        ),
        rule(
            C::Ads,
            Weak,
            "report",
            "ads",
            r"\b(?:ad|ads|advertising)\s+(?:spend|campaigns?|performance|budgets?)\b|\bcost\s+per\s+click\b|\bppc\b|\broas\b",
        ),
        rule(
            C::Warehouse,
            Weak,
            "query",
            "warehouse",
            r"\bdata\s+warehouses?\b|\bwarehouse\s+(?:tables?|queries|query|datasets?)\b",
        ),
        Rule {
            guard: Some(not_a_page_element),
            ..rule(
                C::Newsletter,
                Weak,
                "add",
                "subscriber",
                r"\bnewsletters?\b|\bmailing\s+lists?\b|\be-?mail\s+(?:lists?|marketing|campaigns?)\b|\bsubscriber\s+lists?\b",
            )
        },
        rule(C::Booking, Weak, "share", "booking link", r"\b(?:booking|scheduling)\s+(?:links?|pages?)\b"),
        Rule {
            guard: Some(not_built_here),
            ..rule(
                C::Support,
                Weak,
                "create",
                "ticket",
                r"\bhelp\s*desk\b|\bsupport\s+desk\b|\bticketing\s+(?:system|tool)\b",
            )
        },
        Rule {
            guard: Some(social_is_a_tool),
            ..rule(
                C::Social,
                Weak,
                "publish",
                "post",
                r"\bsocial\s+media\b|\bsocials\b|\bsocial\s+(?:accounts?|channels?|profiles?|networks?)\b|\b(?:our|my|the)\s+(?:company|business|brand)\s+page\b",
            )
        },
        rule(
            C::Support,
            Weak,
            "create",
            "ticket",
            r"\b(?:open|create|file|raise|log|submit|make)s?\s+(?:an?\s+|the\s+)?support\s+(?:tickets?|cases?)\b",
        ),
        rule(C::Hr, Weak, "read", "employee", r"\bhris\b|\bhr\s+(?:system|software|platform|tool)\b"),
    ]
});

static COMPILED: LazyLock<(RegexSet, Vec<Regex>)> = LazyLock::new(|| {
    let patterns: Vec<String> = RULES.iter().map(|r| r.pattern.replace("RECIPIENT", RECIPIENT)).collect();
    let set = RegexSet::new(&patterns).expect("need patterns compile");
    let each = patterns.iter().map(|p| Regex::new(p).expect("need pattern compiles")).collect();
    (set, each)
});

/// Every need the request's wording shows, in the order they appear, one per capability.
pub fn find(lower: &str) -> Vec<Need> {
    let (set, each) = &*COMPILED;
    let mut needs: Vec<Need> = Vec::new();
    for i in set.matches(lower).iter() {
        let rule = &RULES[i];
        for m in each[i].find_iter(lower) {
            if negated(lower, m.start()) || rule.guard.is_some_and(|g| !g(lower, m.start(), m.end())) {
                continue;
            }
            let need = Need {
                capability: rule.capability,
                strength: rule.strength,
                verb: rule.verb,
                object: rule.object,
                also_covered_by: rule.also_covered_by,
                text: m.as_str().to_owned(),
                outside: outside_tool(lower, rule.capability),
                start: m.start(),
                end: m.end(),
            };
            match needs.iter_mut().find(|n| n.capability == need.capability) {
                // One need per capability: a strong reading wins over a weak one.
                Some(existing) if existing.strength == Weak && need.strength == Strong => *existing = need,
                Some(_) => {}
                None => needs.push(need),
            }
            break;
        }
    }
    needs.sort_by_key(|n| n.start);
    needs
}

/// The channel names a request addresses: "#growth", not "#1" or a colour like "#ff0000".
pub fn is_channel_name(word: &str) -> bool {
    let hex = matches!(word.len(), 3 | 6 | 8) && word.chars().all(|c| c.is_ascii_hexdigit());
    !word.is_empty() && !word.chars().all(|c| c.is_ascii_digit()) && !hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Vec<Capability> {
        find(&text.to_lowercase()).iter().map(|n| n.capability).collect()
    }

    #[test]
    fn verbs_that_send_email_are_needs() {
        for text in [
            "Email me when stock is low",
            "a todo app that emails me my tasks every morning",
            "send each customer a receipt by email",
            "Send a confirmation email after booking",
            "weekly email digest of new posts",
            "notify the owner via email",
            "turn the tickets into a weekly report emailed to me",
        ] {
            assert_eq!(caps(text), [C::Email], "{text}");
        }
    }

    #[test]
    fn email_as_data_is_not_a_need() {
        for text in [
            "make the signup form validate emails",
            "add an email field to contacts",
            "show their email address",
            "send a password reset email",
            "let users invite teammates by email to their workspace",
            "show a notification badge on the inbox icon",
        ] {
            assert!(caps(text).is_empty(), "{text}: {:?}", caps(text));
        }
    }

    #[test]
    fn chat_needs_come_from_channels_and_teams() {
        assert_eq!(caps("post a message in the sales channel"), [C::Chat]);
        assert_eq!(caps("ping the team channel when a review comes in"), [C::Chat]);
        assert_eq!(caps("let the team know when a big order lands"), [C::Chat]);
        assert!(caps("notify me when a task is done").is_empty(), "in-app notifications need no tool");
    }

    #[test]
    fn calendars_in_the_ui_are_not_a_tool() {
        assert_eq!(caps("add confirmed bookings to my calendar"), [C::Calendar]);
        assert_eq!(caps("create a calendar event for each class"), [C::Calendar]);
        assert_eq!(caps("add the event to everyone's calendar"), [C::Calendar]);
        assert!(caps("show bookings in the app's calendar view").is_empty());
        assert!(caps("add a calendar view to the tasks page").is_empty());
    }

    #[test]
    fn payments_need_a_verb_not_a_noun() {
        assert_eq!(caps("charge a deposit when someone books"), [C::Payment]);
        assert_eq!(caps("take card payments on the pricing page"), [C::Payment]);
        assert!(caps("email each customer a receipt after checkout").iter().all(|c| *c != C::Payment));
        assert!(caps("make a ticket for each failed payment").is_empty());
    }

    #[test]
    fn a_crm_of_our_own_is_a_tool_but_a_crm_table_is_not() {
        assert_eq!(caps("Sync leads to our CRM"), [C::Crm]);
        assert!(caps("sync customer data into a CRM table in this app").is_empty());
        assert!(caps("build a simple CRM for my agency").is_empty());
    }

    #[test]
    fn requests_about_the_app_itself_need_nothing() {
        for text in [
            "Change the font to Inter",
            "Add a search bar to the products page",
            "make the header #1e40af",
            "Add a footer with our address and social links",
            "Show a welcome message with the user's name after login",
            "the dashboard loads slowly, can you speed it up?",
            "let users export their data as a spreadsheet file",
            "build a simple ticketing system for support requests",
        ] {
            assert!(caps(text).is_empty(), "{text}: {:?}", caps(text));
        }
    }

    #[test]
    fn a_named_outside_tool_is_noted_on_the_need() {
        let needs = find("send the daily weather email via smtp");
        assert_eq!((needs[0].capability, needs[0].outside), (C::Email, Some("smtp")));
        assert_eq!(find("process payments with paypal")[0].outside, Some("paypal"));
        assert_eq!(find("email me when stock is low")[0].outside, None);
        assert_eq!(find("email me about my paypal payouts")[0].outside, None, "PayPal is not an email tool");
    }

    #[test]
    fn wording_beyond_the_tool_word_shows_a_need() {
        assert_eq!(caps("whenever a lead signs up, drop them a welcome email"), [C::Email]);
        assert_eq!(caps("splitwise monthly summary email"), [C::Email]);
        assert!(caps("edit the summary email template").is_empty());
        assert!(caps("add a welcome email template editor").is_empty());
        assert_eq!(caps("notify me by text when inventory is low"), [C::Sms]);
        assert!(caps("let users search tasks by text").is_empty());
        assert_eq!(caps("when a PR is merged, mark the task done"), [C::Code]);
        assert!(caps("add a page for our PR team").is_empty());
        assert_eq!(caps("record each sale in our accounting"), [C::Accounting]);
        assert!(caps("build our accounting page").is_empty());
        assert_eq!(caps("open a support ticket when a user reports a problem"), [C::Support]);
    }

    #[test]
    fn social_media_is_a_need_only_when_the_app_publishes_there() {
        assert_eq!(caps("share new blog posts on our company page"), [C::Social]);
        assert_eq!(caps("post each new product to our social media"), [C::Social]);
        assert!(caps("add social media icons to the footer").is_empty());
        assert!(caps("show our company page address in the footer").is_empty());
    }

    #[test]
    fn channel_names_exclude_numbers_and_colours() {
        assert!(is_channel_name("growth"));
        assert!(is_channel_name("team-updates"));
        assert!(!is_channel_name("1"));
        assert!(!is_channel_name("fff"));
        assert!(!is_channel_name("1e40af"));
    }
}
