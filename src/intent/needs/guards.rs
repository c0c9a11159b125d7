//! The checks that tell a verb from a noun around a need's words: "email me" but not
//! "their email address", "my calendar" but not "a calendar view", "our CRM" but not "a
//! CRM table". Each takes the lowercase request and the span the rule matched.

pub(super) fn words_before(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let mut words: Vec<&str> =
        lower[..at].split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    let keep = words.len().saturating_sub(n);
    words.drain(..keep);
    words
}

pub(super) fn word_after(lower: &str, at: usize) -> &str {
    lower[at..].split(|c: char| !c.is_alphanumeric() && c != '-').find(|w| !w.is_empty()).unwrap_or("")
}

pub(super) fn negated(lower: &str, at: usize) -> bool {
    words_before(lower, at, 3).iter().any(|w| matches!(*w, "without" | "don't" | "dont" | "never" | "not" | "no"))
}

/// "email" as a verb ("email me", "email the customer"), not a noun ("the email the user
/// typed", "their email address").
pub(super) fn email_is_a_verb(lower: &str, start: usize, _end: usize) -> bool {
    let before = words_before(lower, start, 1);
    let word = lower[start..].split_whitespace().next().unwrap_or("");
    // "an app that emails me": an inflected form after a relative pronoun is a verb.
    let inflected = word.ends_with('s') || word.ends_with("ed") || word.ends_with("ing");
    !before.iter().any(|w| {
        matches!(
            *w,
            "the"
                | "an"
                | "their"
                | "his"
                | "her"
                | "its"
                | "your"
                | "s"
                | "valid"
                | "work"
                | "customer's"
                | "user's"
                | "same"
                | "by"
                | "via"
        ) || (!inflected && matches!(*w, "that" | "this" | "which" | "whose"))
    })
}

/// Verification and password e-mails come with the app's own sign-in, not a connector.
pub(super) fn not_builtin_email(lower: &str, start: usize, end: usize) -> bool {
    let span = &lower[start..end];
    let before = words_before(lower, start, 3).join(" ");
    !["verification", "verify", "password", "reset", "magic link", "login link", "sign-in", "otp", "invite"]
        .iter()
        .any(|w| span.contains(w) || before.contains(w))
}

/// "my calendar", "calendar events", "add … to the calendar" — but not "a calendar view".
pub(super) fn calendar_is_a_tool(lower: &str, start: usize, end: usize) -> bool {
    let next = word_after(lower, end);
    if matches!(
        next,
        "view" | "views" | "page" | "component" | "widget" | "ui" | "layout" | "picker" | "grid" | "style" | "icon"
    ) {
        return false;
    }
    let before = words_before(lower, start, 2);
    let owner = before.last().is_some_and(|w| {
        matches!(
            *w,
            "my" | "our"
                | "your"
                | "their"
                | "team"
                | "shared"
                | "company"
                | "work"
                | "personal"
                | "google"
                | "outlook"
                | "his"
                | "her"
                | "office"
                | "family"
                | "gcal"
        ) || (w.ends_with("'s") && !matches!(*w, "app's" | "site's" | "website's" | "page's" | "dashboard's"))
    });
    let event_noun = matches!(
        next,
        "event"
            | "events"
            | "invite"
            | "invites"
            | "invitation"
            | "invitations"
            | "entry"
            | "entries"
            | "availability"
            | "slot"
            | "slots"
            | "appointment"
            | "appointments"
            | "hold"
            | "holds"
            | "block"
            | "blocks"
            | "sync"
    );
    let into =
        before.len() == 2 && matches!(before[0], "to" | "on" | "in" | "into" | "onto" | "with") && before[1] == "the";
    owner || event_noun || into
}

/// A spreadsheet as a place data goes ("put signups in a spreadsheet"), not a look
/// ("a spreadsheet-like table", "style sheet") or a file format ("export as a spreadsheet").
pub(super) fn spreadsheet_is_a_tool(lower: &str, start: usize, end: usize) -> bool {
    let rest = &lower[end..];
    let as_a_file = words_before(lower, start, 2).contains(&"as");
    !(as_a_file
        || rest.starts_with(" file")
        || rest.starts_with(" format")
        || rest.starts_with("-like")
        || rest.starts_with("-style")
        || rest.starts_with(" view")
        || rest.starts_with(" layout")
        || rest.starts_with(" ui"))
}

/// "our CRM", "sync to the CRM" — not "a CRM table in this app" or "build a CRM".
pub(super) fn crm_is_a_tool(lower: &str, start: usize, end: usize) -> bool {
    let next = word_after(lower, end);
    if matches!(
        next,
        "records"
            | "record"
            | "table"
            | "tables"
            | "entity"
            | "entities"
            | "data"
            | "page"
            | "app"
            | "view"
            | "dashboard"
            | "module"
            | "section"
            | "tab"
            | "for"
            | "like"
            | "system"
            | "template"
    ) {
        return false;
    }
    let before = words_before(lower, start, 2);
    before.last().is_some_and(|w| {
        matches!(*w, "our" | "my" | "your" | "their" | "to" | "into" | "existing" | "external" | "company's" | "sales")
    }) || (before.len() == 2 && matches!(before[0], "to" | "into" | "in" | "with" | "from") && before[1] == "the")
}

/// "add a newsletter signup form", "a welcome email template": a page element, not a tool.
pub(super) fn not_a_page_element(lower: &str, _start: usize, end: usize) -> bool {
    !matches!(
        word_after(lower, end),
        "signup"
            | "sign-up"
            | "form"
            | "section"
            | "banner"
            | "popup"
            | "page"
            | "block"
            | "archive"
            | "template"
            | "editor"
            | "preview"
            | "field"
            | "settings"
            | "icon"
            | "badge"
            | "button"
            | "tab"
            | "view"
    )
}

/// "build a simple ticketing system": the app is the tool, nothing to connect.
pub(super) fn not_built_here(lower: &str, start: usize, _end: usize) -> bool {
    !words_before(lower, start, 4).iter().any(|w| matches!(*w, "build" | "create" | "make" | "design" | "implement"))
}

/// Social media as a place the app publishes ("share new posts on our company page"), not
/// a part of the page ("social media icons in the footer").
pub(super) fn social_is_a_tool(lower: &str, start: usize, end: usize) -> bool {
    let element = matches!(
        word_after(lower, end),
        "links"
            | "link"
            | "icons"
            | "icon"
            | "buttons"
            | "button"
            | "handles"
            | "handle"
            | "share"
            | "sharing"
            | "section"
    );
    let publishes = sentence_words_before(lower, start, 12).iter().any(|w| {
        matches!(
            *w,
            "post"
                | "posts"
                | "share"
                | "shares"
                | "publish"
                | "publishes"
                | "announce"
                | "announces"
                | "promote"
                | "promotes"
                | "cross-post"
                | "schedule"
                | "schedules"
        )
    });
    !element && publishes
}

/// "a monthly summary email": a message the app sends, not a built-in sign-in mail or a
/// part of a page ("the summary email template").
pub(super) fn outgoing_message(lower: &str, start: usize, end: usize) -> bool {
    not_builtin_email(lower, start, end) && not_a_page_element(lower, start, end)
}

/// "notify me by text" — not "search tasks by text".
pub(super) fn after_a_notify_verb(lower: &str, start: usize, _end: usize) -> bool {
    sentence_words_before(lower, start, 8).iter().any(|w| {
        matches!(
            *w,
            "notify" | "alert" | "remind" | "tell" | "ping" | "message" | "contact" | "update" | "warn" | "reach"
        )
    })
}

/// Up to `n` words before `at`, from its own sentence only.
fn sentence_words_before(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let sentence_start = lower[..at].rfind(['.', ';', '!', '?']).map_or(0, |i| i + 1);
    words_before(&lower[sentence_start..], at - sentence_start, n)
}
