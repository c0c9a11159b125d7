//! Why a request cannot be wired into a flow, said to the builder in the chat. A request
//! that names data the app lacks gets this explanation rather than a flow wired to the
//! wrong records.

/// What stands between the request and a flow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unbuildable {
    #[error("This request needs no outside tool, so there is no flow to wire.")]
    NoTool,
    /// The request names records the app does not have ("email me my invoices" in a Todo app).
    #[error("{}", missing_data(.mention, .entities, *.sends))]
    MissingData {
        /// As the request says it, plural ("invoices").
        mention: String,
        entities: Vec<String>,
        /// True when the flow would send the data somewhere (email, chat…).
        sends: bool,
    },
    #[error("Say which data the flow should use: {}.", have(.entities))]
    WhichData { entities: Vec<String> },
    #[error(
        "Say when this should run: on a schedule (\"every morning at 8\") or when something happens in the app \
         (\"when a task is completed\")."
    )]
    NoTrigger,
    /// Reading a tool's data to show on a page needs a connection, not a flow.
    #[error(
        "This reads {connectors} data to show in the app, which needs the connection but no flow. Say when \
         something should happen (\"every Monday at 9\", \"when a deal closes\") to make one."
    )]
    NotAFlow { connectors: String },
    #[error(
        "I could not tell what to check in \"{text}\": name the field and the limit (for example \"when stock \
         is below 10\")."
    )]
    UnclearCondition { text: String },
    #[error("The flow would start from {connector}, but it does nothing after that: say what should happen.")]
    NothingToDo { connector: String },
    /// A field the request names that the entity lacks ("a book's condition").
    #[error("{entity} has no {} field: add it to {entity}, or tell me which field to use.", .field.replace('_', " "))]
    MissingField { entity: String, field: String },
    /// "every other Monday": cron cannot hold it, and approximating it would be wrong.
    #[error(
        "I cannot run a flow on {text:?}: {reason}. Choose a schedule I can keep, such as every week, or on set days of the month."
    )]
    UnsupportedSchedule { text: String, reason: String },
    /// A tool the catalog has no connector for ("our Mastodon account").
    #[error("patchbay has no connector for {tool}{}", options_line(.options))]
    OutsideTool { tool: String, options: Vec<String> },
    /// The tool named as the start has no trigger for what the request is about ("a
    /// GitHub pull request" when GitHub only starts flows on issues and releases).
    #[error("{connector} cannot start a flow when a {subject} comes in: it can start on {}.", or_list(.options))]
    NoSuchTrigger { connector: String, subject: String, options: Vec<String> },
    /// Sending each person their own message on a schedule needs a run per person.
    #[error(
        "A scheduled flow sends one message, so it cannot send each {who} their own list yet. Should it send the whole \
         list to you instead, or run once for each new record?"
    )]
    PerPerson { who: String },
    /// A request in a language the rules do not read.
    #[error(
        "I read requests in English, French, German, Spanish and Portuguese. In this one I understood only {}: say \
         it in one of those languages, or configure an LLM.",
        understood(.tools)
    )]
    Language { tools: Vec<String> },
    /// A list to send that never says when ("email me my overdue tasks").
    #[error("When should this run? Say a schedule (\"every morning at 8\") or an event (\"when a task is added\").")]
    WhenToRun { options: Vec<String> },
    /// "email me when something happens": which event, or which schedule, is meant.
    #[error("What should start the {what}?")]
    Vague { what: String, options: Vec<String> },
}

fn understood(tools: &[String]) -> String {
    match tools {
        [] => "no tool names".into(),
        _ => format!("the tools it names ({})", tools.join(", ")),
    }
}

fn options_line(options: &[String]) -> String {
    match options {
        [] => ".".into(),
        _ => format!(": should it use {} instead?", or_list(options)),
    }
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn have(entities: &[String]) -> String {
    match entities {
        [] => "this app has no data yet".into(),
        [one] => format!("this app has {one}"),
        [init @ .., last] => format!("this app has {} and {last}", init.join(", ")),
    }
}

fn missing_data(mention: &str, entities: &[String], sends: bool) -> String {
    let entity = super::fields::entity_name_for(mention);
    let article = article(&entity);
    let what = if sends { "which data to send" } else { "which data to use" };
    let has = match entities {
        [] => "it has no data yet".to_owned(),
        _ => have(entities).replacen("this app has", "it has", 1),
    };
    format!("This app has no {mention}: {has}. Add {article} {entity} entity or tell me {what}.")
}

/// "an Invoice", "a User", "an Umbrella": by sound, as far as spelling shows it.
fn article(word: &str) -> &'static str {
    let lower = word.to_lowercase();
    let vowel = lower.starts_with(['a', 'e', 'i', 'o'])
        || (lower.starts_with('u')
            && !lower.starts_with("uni")
            && !lower.starts_with("use")
            && !lower.starts_with("usu"));
    if vowel { "an" } else { "a" }
}

/// "deal" → "deals", "category" → "categories", "to-do list" stays as typed.
pub fn plural(word: &str) -> String {
    let w = word.trim();
    if w.ends_with('s') || w.contains(' ') {
        w.to_owned()
    } else if let Some(stem) = w.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else if w.ends_with("ch") || w.ends_with("sh") || w.ends_with('x') {
        format!("{w}es")
    } else {
        format!("{w}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_data_says_what_the_app_has_and_what_to_do() {
        let e = Unbuildable::MissingData { mention: "invoices".into(), entities: vec!["Task".into()], sends: true };
        assert_eq!(
            e.to_string(),
            "This app has no invoices: it has Task. Add an Invoice entity or tell me which data to send."
        );
        let e = Unbuildable::MissingData {
            mention: "deals".into(),
            entities: vec!["Task".into(), "User".into(), "Note".into()],
            sends: false,
        };
        assert_eq!(
            e.to_string(),
            "This app has no deals: it has Task, User and Note. Add a Deal entity or tell me which data to use."
        );
    }

    #[test]
    fn articles_follow_the_sound() {
        assert_eq!(article("Invoice"), "an");
        assert_eq!(article("User"), "a");
        assert_eq!(article("Update"), "an");
        assert_eq!(article("Deal"), "a");
    }

    #[test]
    fn plurals_of_subjects() {
        assert_eq!(plural("deal"), "deals");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("signups"), "signups");
    }
}
