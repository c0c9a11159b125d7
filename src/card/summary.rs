//! Plain words for what a request will do: the card's **Action required** line ("Send you
//! an email every day at 08:00 with your to-do list") and the assistant's answer.

use crate::catalog::{Catalog, Connector};
use crate::intent::{Cadence, Change, Intent, Schedule, Target, Trigger};
use crate::ranking::{Role, RouteResult, Selected};

/// "every day at 08:00", "every Monday at 09:00", "every 15 minutes".
pub fn when_schedule(s: &Schedule) -> String {
    let at = s.time.as_deref().map(|t| format!(" at {t}")).unwrap_or_default();
    match s.cadence {
        Cadence::EveryMinutes => format!("every {} minutes", s.every_minutes.unwrap_or(15)),
        Cadence::Hourly => match s.every_minutes {
            Some(m) if m > 60 => format!("every {} hours", m / 60),
            _ => "every hour".into(),
        },
        Cadence::Daily => format!("every day{at}"),
        Cadence::Weekdays => format!("every weekday{at}"),
        Cadence::Weekly => format!("every {}{at}", day_list(&s.days)),
        Cadence::Monthly => format!("on day {} of every month{at}", s.day_of_month.unwrap_or(1)),
    }
}

fn day_list(days: &[String]) -> String {
    let names: Vec<&str> = days
        .iter()
        .map(|d| match d.as_str() {
            "mon" => "Monday",
            "tue" => "Tuesday",
            "wed" => "Wednesday",
            "thu" => "Thursday",
            "fri" => "Friday",
            "sat" => "Saturday",
            _ => "Sunday",
        })
        .collect();
    match names.as_slice() {
        [] => "week".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "when a deal moves to the Closed Won stage", or the schedule.
pub fn when(intent: &Intent) -> Option<String> {
    match intent.trigger.as_ref()? {
        Trigger::Schedule(s) => Some(when_schedule(s)),
        Trigger::Event { event, .. } if event.change == Change::Clicked => {
            Some(format!("when someone clicks \"{}\"", event.value.as_deref().unwrap_or("the button")))
        }
        Trigger::Event { event, .. } => {
            let text = event.text.trim().trim_end_matches(['.', '!']);
            let lower = text.to_lowercase();
            Some(
                if lower.starts_with("when")
                    || lower.starts_with("if")
                    || lower.starts_with("after")
                    || lower.starts_with("once")
                {
                    lower_first(text)
                } else {
                    format!("when {}", lower_first(text))
                },
            )
        }
    }
}

/// The Action required line for one selected connector.
pub fn action_required(intent: &Intent, selected: &Selected, connector: &Connector) -> String {
    let when = when(intent).map(|w| format!(" {w}")).unwrap_or_default();
    let op = selected.actions.first().and_then(|id| connector.operations().find(|o| o.id == local(id)));
    let data = data_phrase(intent);
    let line = match selected.role {
        Role::Trigger => {
            let what = op.map(|o| lower_first(&o.name)).unwrap_or_else(|| "watch for changes".into());
            format!("Watch {} for “{what}” and start the flow{when}.", connector.name)
        }
        Role::Source => {
            let what = op.map(|o| lower_first(&o.name)).unwrap_or_else(|| "read data".into());
            format!("Read from {} ({what}) to use it in this app{when}.", connector.name)
        }
        Role::Action => {
            let mut verb = op.map(|o| lower_first(&o.name)).unwrap_or_else(|| format!("use {}", connector.name));
            if intent.targets.contains(&Target::Me) {
                verb = to_you(&verb);
            }
            if let Some(channel) = intent.targets.iter().find_map(|t| match t {
                Target::Channel { name } => Some(name.clone()),
                _ => None,
            }) && !verb.contains('#')
                && connector.operations().any(|o| o.inputs.iter().any(|i| i.name == "channel"))
            {
                verb = format!("{verb} to {channel}");
            }
            format!("{}{when}{data}.", upper_first(&verb))
        }
    };
    match connector.accounts_for(selected.actions.iter().map(|id| local(id))).note() {
        Some(note) => format!("{line} {note}"),
        None => line,
    }
}

/// `gmail.send_email` → `send_email`.
fn local(id: &str) -> &str {
    id.split_once('.').map_or(id, |(_, l)| l)
}

/// "Send an email" → "send you an email", "Send a message" → "send you a message".
fn to_you(verb: &str) -> String {
    for (from, to) in [("send an ", "send you an "), ("send a ", "send you a "), ("email ", "email you ")] {
        if let Some(rest) = verb.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    verb.to_owned()
}

fn data_phrase(intent: &Intent) -> String {
    match intent.data.iter().find(|d| d.entity.is_some()) {
        Some(d) => format!(" with your {}", d.mention.to_lowercase()),
        None => String::new(),
    }
}

/// The assistant's answer: what it understood, and which tools that needs.
pub fn understood(route: &RouteResult, catalog: &Catalog) -> String {
    // A question below the answer means the rules were unsure, not that nothing is needed.
    let asking = !route.asks.is_empty();
    if route.selected.is_empty() {
        return if asking {
            "This may need an outside tool, and I am not sure which. Pick one below, or No if it needs none.".into()
        } else {
            "That is a change to the app itself: no outside tool is needed, so there is nothing to connect.".into()
        };
    }
    let lines: Vec<String> = route
        .selected
        .iter()
        .filter_map(|s| catalog.get(&s.connector).map(|c| action_required(&route.intent, s, c)))
        .collect();
    let names: Vec<&str> =
        route.selected.iter().filter_map(|s| catalog.get(&s.connector)).map(|c| c.name.as_str()).collect();
    let tools = match names.as_slice() {
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    let more = if asking { " One more question below." } else { "" };
    format!("Here is what I understood: {} This needs {tools}.{more}", lines.join(" "))
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => f.to_lowercase().chain(c).collect(),
        _ => s.to_owned(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranking::{RouteRequest, Router};
    use std::sync::Arc;

    fn route(prompt: &str) -> (RouteResult, Arc<Catalog>) {
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let router = Router::build(catalog.clone(), 4000).unwrap();
        let request = RouteRequest { prompt: prompt.into(), app: crate::app::demo::todo_structure(), chips: vec![] };
        (router.route(&request).unwrap(), catalog)
    }

    #[test]
    fn the_daily_email_reads_as_a_person_would_say_it() {
        let (r, catalog) = route("Send me a daily email with my to-do list using Gmail");
        let line = action_required(&r.intent, &r.selected[0], catalog.get("gmail").unwrap());
        assert_eq!(line, "Send you an email every day at 08:00 with your to-do list.");
    }

    #[test]
    fn events_and_channels_appear_in_the_line() {
        let (r, catalog) = route("Post a message to #support in Slack when a new task is created");
        let line = action_required(&r.intent, &r.selected[0], catalog.get("slack").unwrap());
        assert!(line.contains("#support") && line.contains("when a new task is created"), "{line}");
    }

    #[test]
    fn a_tool_or_operation_that_refuses_personal_accounts_says_so_on_the_card() {
        let catalog = Catalog::embedded().unwrap();
        let line = |connector: &str, action: &str| {
            let selected = Selected {
                connector: connector.into(),
                role: Role::Action,
                score: 0.9,
                actions: vec![format!("{connector}.{action}")],
            };
            action_required(&Intent::default(), &selected, catalog.get(connector).unwrap())
        };
        let personal = "personal accounts are refused";
        assert!(line("microsoft_teams", "post_message").contains(personal));
        assert!(line("outlook", "find_free_time").contains(personal));
        assert!(!line("outlook", "send_email").contains(personal), "Outlook mail works with any account");
    }

    #[test]
    fn nothing_to_connect_is_said_plainly() {
        let (r, catalog) = route("make the header sticky");
        assert!(understood(&r, &catalog).contains("no outside tool"));
    }
}
