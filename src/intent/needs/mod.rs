//! What outside work a request asks for when it names no tool: "email me", "post to
//! #sales", "send an SMS", "add it to my calendar", "charge a deposit". The rules are the
//! lexicon's need entries (`lexicon/<language>/needs.toml`): each reads a verb and its
//! object, never a bare noun that could be the app's own data ("validate emails", "the
//! email field", "a calendar view" need nothing).
//!
//! Strong needs are verb-driven and hold even when other tools are named ("…from Google
//! Analytics and email it to me"); weak ones are nouns that point at a kind of tool
//! ("a spreadsheet", "our repo") and count only when the request names no tool of the kind.

use super::lexicon::{Fired, Language, Lexicon, List};
use super::text::{Text, singular};
use crate::catalog::Capability;
use serde::Serialize;

pub use super::lexicon::{NeedRole, Strength};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Need {
    pub capability: Capability,
    #[serde(skip)]
    pub strength: Strength,
    pub verb: String,
    pub object: String,
    /// A named tool of any of these kinds also does the job ("notify the team" is done by
    /// a chat tool, or by email if the request names an email tool).
    #[serde(skip)]
    pub also_covered_by: Vec<Capability>,
    pub text: String,
    /// A tool outside the catalog that the request names for this work ("via SMTP",
    /// "with PayPal"): then no catalog connector is chosen for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside: Option<String>,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    /// The lexicon entry that found it (`patchbay route --explain` shows it).
    #[serde(skip)]
    pub rule: String,
    /// Set when the tool is read from ("from starred emails"), not written to.
    #[serde(skip)]
    pub role: Option<NeedRole>,
}

impl Need {
    /// A noun need whose object is one of the app's own entities or pages ("new leads"
    /// in an app that keeps its leads): the app's own data, not another tool's. Verb
    /// needs ("email me") hold whatever the app keeps.
    pub fn is_app_data(&self, app_words: &rustc_hash::FxHashSet<String>) -> bool {
        self.strength != Strength::Strong
            && (app_words.contains(&singular(&self.object))
                || self.text.split(|c: char| !c.is_alphanumeric()).any(|w| app_words.contains(&singular(w))))
    }
}

/// Every need the request's wording shows, in the order they appear, one per capability:
/// English rules always, and the rules of the request's own language when it has one.
/// Matches a guard cancelled are noted in `fired`.
pub fn find(text: &Text, lexicon: &Lexicon, lang: &Language, fired: &mut Vec<Fired>) -> Vec<Need> {
    let lower = text.lower.as_str();
    let mut needs: Vec<Need> = Vec::new();
    let english = lexicon.english();
    let mut langs = vec![english];
    if lang.code != english.code {
        langs.push(lang);
    }
    for l in langs {
        // Each rule on its own, and only the rules whose first and last words are there.
        // One regex set over many rules (tried before) needed more lazy-DFA states than a
        // server's mix of requests lets it keep, and fell back to a slow NFA search.
        let possible = l.rules().possible(lower);
        for (i, rule) in l.needs.iter().enumerate().filter(|(i, _)| possible[*i]) {
            // The first match no guard cancels; the cancelled ones say which guard did.
            let found =
                l.rules().get(i).find_iter(lower).find(|m| match cancelled_by(l, lang, i, lower, m.start(), m.end()) {
                    None => true,
                    Some(entry) => {
                        fired.push(Fired { entry, text: m.as_str().to_owned(), effect: "cancelled a need".into() });
                        false
                    }
                });
            let Some(m) = found else { continue };
            let need = Need {
                capability: rule.capability,
                strength: rule.strength,
                verb: rule.verb.clone(),
                object: rule.object.clone(),
                also_covered_by: rule.also.clone(),
                text: m.as_str().to_owned(),
                outside: lexicon.outside_tool(lower, rule.capability).map(str::to_owned),
                start: m.start(),
                end: m.end(),
                rule: format!("{}/needs.{}", l.code, rule.id),
                role: rule.role,
            };
            add(&mut needs, need);
        }
    }
    channel_by_sigil(text, lexicon, lang, &mut needs);
    needs.sort_by_key(|n| n.start);
    needs
}

/// The entry that refuses this match of rule `i`, if any: a negation word before it, a
/// guard of `unless` that holds, or a guard of `only_if` that does not.
fn cancelled_by(l: &Language, lang: &Language, i: usize, lower: &str, start: usize, end: usize) -> Option<String> {
    let rule = &l.needs[i];
    // Only within the clause: "without Slack, by email" still wants the email.
    let clause = lower.get(..start).and_then(|head| head.rfind([',', ';', '.', ':', '!', '?'])).map_or(0, |i| i + 1);
    let negation = lower.get(clause..).map_or(Vec::new(), |tail| super::lexicon::words_before(tail, start - clause, 3));
    if negation.iter().any(|w| lang.has(List::Negation, w)) {
        return Some(format!("{}/words.negation", lang.code));
    }
    let guard = |g: &usize| format!("{}/guards.{}", l.code, l.guards[*g].id);
    if let Some(g) = rule.unless.iter().find(|g| l.guards[**g].holds(lower, start, end)) {
        return Some(guard(g));
    }
    rule.only_if.iter().find(|g| !l.guards[**g].holds(lower, start, end)).map(guard)
}

/// One need per capability: a strong reading wins over a weaker one.
fn add(needs: &mut Vec<Need>, need: Need) {
    match needs.iter_mut().find(|n| n.capability == need.capability) {
        Some(existing) if rank(existing.strength) < rank(need.strength) => *existing = need,
        Some(_) => {}
        None => needs.push(need),
    }
}

fn rank(s: Strength) -> u8 {
    match s {
        Strength::Hint => 0,
        Strength::Weak => 1,
        Strength::Strong => 2,
    }
}

/// A "#channel" is a chat destination even without a verb near it ("post to #sales",
/// "tell #ops"), but a hashtag is not ("tasks tagged #android", "tweets with #launch").
fn channel_by_sigil(text: &Text, lexicon: &Lexicon, lang: &Language, needs: &mut Vec<Need>) {
    if needs.iter().any(|n| n.capability == Capability::Chat) {
        return;
    }
    let toks = &text.tokens;
    let channel = toks.iter().enumerate().find(|(i, t)| {
        // The word lists are read only for a '#' word: most requests have none.
        if t.sigil != Some('#') || !is_channel_name(&t.lower) {
            return false;
        }
        let addressed = i.checked_sub(1).is_some_and(|j| lang.has(List::ChannelPointers, &toks[j].lower))
            || toks.get(i + 1).is_some_and(|n| lang.has(List::ChannelWords, &n.lower));
        addressed && !sentence_of(text, *i).iter().any(|w| lang.has(List::HashtagWords, &w.lower))
    });
    if let Some((_, t)) = channel {
        needs.push(Need {
            capability: Capability::Chat,
            strength: Strength::Strong,
            verb: "post".into(),
            object: "message".into(),
            also_covered_by: Vec::new(),
            text: format!("#{}", t.lower),
            outside: lexicon.outside_tool(&text.lower, Capability::Chat).map(str::to_owned),
            start: t.start.saturating_sub(1),
            end: t.end,
            rule: format!("{}/words.channel_pointers", lang.code),
            role: None,
        });
    }
}

/// The tokens of the sentence that holds token `i`.
fn sentence_of(text: &Text, i: usize) -> &[super::text::Token] {
    let toks = &text.tokens;
    let start = toks[..=i].iter().rposition(|t| t.sentence_start).unwrap_or(0);
    let end = toks[i + 1..].iter().position(|t| t.sentence_start).map_or(toks.len(), |k| i + 1 + k);
    &toks[start..end]
}

/// The channel names a request addresses: "#growth", not "#1" or a colour like "#ff0000".
pub fn is_channel_name(word: &str) -> bool {
    let hex = matches!(word.len(), 3 | 6 | 8) && word.chars().all(|c| c.is_ascii_hexdigit());
    !word.is_empty() && !word.chars().all(|c| c.is_ascii_digit()) && !hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability as C;

    fn needs(text: &str) -> Vec<Need> {
        let lexicon = Lexicon::global();
        let text = Text::new(text);
        find(&text, lexicon, lexicon.detect(&text), &mut Vec::new())
    }

    /// The needs that can select a tool on their own (hints only ever add to a flow).
    fn caps(text: &str) -> Vec<Capability> {
        needs(text).iter().filter(|n| n.strength != Strength::Hint).map(|n| n.capability).collect()
    }

    fn hints(text: &str) -> Vec<Capability> {
        needs(text).iter().filter(|n| n.strength == Strength::Hint).map(|n| n.capability).collect()
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
        let found = needs("send the daily weather email via smtp");
        assert_eq!((found[0].capability, found[0].outside.as_deref()), (C::Email, Some("smtp")));
        assert_eq!(needs("process payments with paypal")[0].outside.as_deref(), Some("paypal"));
        assert_eq!(needs("email me when stock is low")[0].outside, None);
        assert_eq!(needs("email me about my paypal payouts")[0].outside, None, "PayPal is not an email tool");
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
    fn mail_that_arrives_or_starts_the_flow_is_a_need() {
        for text in [
            "turn every starred email into a task",
            "when an email arrives, save it to the drive",
            "create a card from each new email",
            "forward emails to the board",
            "get a mail when the build fails",
        ] {
            assert!(caps(text).contains(&C::Email), "{text}: {:?}", caps(text));
        }
        let found = needs("turn every starred email into a task");
        assert_eq!(found[0].role, Some(NeedRole::Trigger), "the mail starts the flow");
        assert!(caps("add an email field to the signup form").is_empty());
    }

    #[test]
    fn texts_to_a_phone_are_sms() {
        assert_eq!(caps("get a text when the parcel ships"), [C::Sms]);
        assert_eq!(caps("shoot me a text when the parcel ships"), [C::Sms]);
        assert!(caps("add a text box for comments").is_empty());
    }

    #[test]
    fn nouns_that_may_mean_a_tool_are_hints_only() {
        assert_eq!(hints("notify me of new leads"), [C::Crm]);
        assert_eq!(hints("thank each new follower"), [C::Social]);
        assert!(caps("notify me of new leads").is_empty(), "a hint selects nothing on its own");
        assert!(hints("this change leads to fewer errors").is_empty(), "a verb, not a sales lead");
        assert!(hints("sell tickets for the concert").iter().all(|c| *c != C::Support), "event tickets");
    }

    #[test]
    fn a_negation_reaches_only_as_far_as_its_clause() {
        assert!(caps("do not send an email").is_empty());
        assert_eq!(caps("no slack, send an email instead"), [C::Email]);
    }

    #[test]
    fn a_hashtag_is_not_a_channel_but_an_addressed_one_is() {
        assert_eq!(caps("post the release notes to #launch"), [C::Chat]);
        assert!(caps("tasks tagged #android go to the mobile board").iter().all(|c| *c != C::Chat));
        assert!(caps("#ops: the build is broken").is_empty(), "nothing addresses it");
    }

    #[test]
    fn needs_in_other_languages_are_found() {
        assert_eq!(caps("envoie-moi un e-mail chaque lundi"), [C::Email]);
        assert_eq!(caps("schick mir eine E-Mail bei jeder Bestellung"), [C::Email]);
        assert_eq!(caps("avísame por SMS cuando llegue un pedido"), [C::Sms]);
        assert_eq!(caps("adicione cada pedido em uma planilha"), [C::Spreadsheet]);
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
