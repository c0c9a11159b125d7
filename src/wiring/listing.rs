//! The "read the app's records and write them up" part of scheduled flows: which records
//! (open or completed ones, those of the last period for a summary, those whose deadline
//! is near for "when deadlines are approaching"), in which order, and as which text.

use super::definition::{Condition, Op, QueryStep, Sort, SortOrder, TransformOp, TransformStep};
use super::fields;
use crate::app::Entity;

/// Words that make a scheduled list a report of the last period.
const PERIOD_WORDS: [&str; 8] = ["summary", "digest", "recap", "report", "new", "today", "today's", "activity"];

/// What a condition checks on a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// A date is near: "deadlines are approaching", "expiring".
    DueSoon,
    /// A date has passed: "overdue", "late".
    Overdue,
    /// A number is under a limit the builder sets: "stock is low", "drops below".
    Below,
    Above,
}

impl Check {
    /// Reads the condition's wording ("when deadlines are approaching").
    pub fn read(text: &str) -> Option<Self> {
        let t = text.to_lowercase();
        let has = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
        if has(&["approaching", "due soon", "upcoming", "expiring", "coming up", "is due", "are due"]) {
            Some(Self::DueSoon)
        } else if has(&["overdue", "late", "expired", "past due"]) {
            Some(Self::Overdue)
        } else if has(&["below", "under", "low", "drops", "falls", "less than"]) {
            Some(Self::Below)
        } else if has(&["above", "over", "exceeds", "high", "rises", "more than"]) {
            Some(Self::Above)
        } else {
            None
        }
    }
}

/// A query and the transform that writes its items up.
pub struct Listing {
    pub query: QueryStep,
    pub render: TransformStep,
    pub heading: String,
    /// A setting the filter reads (`threshold`), to declare on the flow.
    pub threshold: bool,
}

impl Listing {
    /// The reference to the written-up list.
    pub fn text_ref(&self) -> String {
        format!("{{{{steps.{}.text}}}}", self.render.id)
    }
}

/// Lower-case plural of an entity name, as a step id: "Task" → "tasks".
pub fn plural_id(entity: &str) -> String {
    let mut snake = String::new();
    for (i, c) in entity.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            snake.push('_');
        }
        if c.is_alphanumeric() {
            snake.extend(c.to_lowercase());
        } else {
            snake.push('_');
        }
    }
    super::explain::plural(&snake)
}

/// Builds the listing. `words` are the request's lowercase words; `period` the ISO 8601
/// duration between runs (a summary covers it); `check` the condition, if the flow
/// watches one; `subject` the word the condition is about ("deadline"); `conditions` what
/// the request's words ask of the records ("overdue", "over $500").
pub fn build(
    entity: &Entity,
    words: &[String],
    period: &str,
    check: Option<Check>,
    subject: Option<&str>,
    conditions: Vec<Condition>,
) -> Listing {
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let plural = plural_id(&entity.name);
    let label = plural.replace('_', " ");
    let mut filter = Vec::new();
    let mut threshold = false;
    let (mut id, mut heading) = (plural.clone(), capitalise(&label));
    let done = fields::done_flag(entity);
    match check {
        Some(c @ (Check::DueSoon | Check::Overdue)) => {
            let date = subject
                .and_then(|s| fields::named(entity, s))
                .filter(|f| fields::is_date(entity, f))
                .or_else(|| fields::named(entity, "deadline"))
                .or_else(|| fields::dates(entity).first().copied());
            if let Some(date) = date {
                if c == Check::DueSoon {
                    filter.push(Condition::new(date, Op::WithinNext, "P1D"));
                    (id, heading) =
                        (format!("{plural}_due_soon"), format!("{} due in the next day", capitalise(&label)));
                } else {
                    filter.push(Condition::new(date, Op::Lt, "{{trigger.fired_at}}"));
                    (id, heading) = (format!("overdue_{plural}"), format!("Overdue {label}"));
                }
            }
            if let Some(done) = done {
                filter.push(Condition::new(done, Op::Eq, false));
            }
        }
        Some(c @ (Check::Below | Check::Above)) => {
            let number =
                subject.and_then(|s| fields::named(entity, s)).or_else(|| fields::numbers(entity).first().copied());
            if let Some(number) = number {
                let op = if c == Check::Below { Op::Lt } else { Op::Gt };
                filter.push(Condition::new(number, op, "{{settings.threshold}}"));
                threshold = true;
                let side = if c == Check::Below { "below" } else { "above" };
                heading = format!("{} with {number} {side} the limit", capitalise(&label));
            }
        }
        None => {
            let overdue = conditions
                .iter()
                .any(|c| c.op == Op::Lt && c.value.as_ref().is_some_and(|v| v == "{{trigger.fired_at}}"));
            let flag = done
                .and_then(|d| conditions.iter().find(|c| c.field == d && c.op == Op::Eq))
                .and_then(|c| c.value.clone());
            (id, heading) = match (overdue, flag) {
                (true, _) => (format!("overdue_{plural}"), format!("Overdue {label}")),
                (false, Some(serde_json::Value::Bool(true))) => {
                    (format!("completed_{plural}"), format!("Completed {label}"))
                }
                (false, Some(serde_json::Value::Bool(false))) => (format!("open_{plural}"), format!("Open {label}")),
                _ => (id, heading),
            };
            let narrowed = !conditions.is_empty();
            filter.extend(conditions);
            if has(&PERIOD_WORDS) && !filter.iter().any(|c| matches!(c.op, Op::WithinLast | Op::WithinNext)) {
                let field = if has(&["new", "signups", "signup"]) { "created_at" } else { "updated_at" };
                filter.push(Condition::new(field, Op::WithinLast, period));
                if !narrowed {
                    id = format!("recent_{plural}");
                }
                heading = format!("{heading} ({})", period_words(period, field));
            }
        }
    }
    let sort = fields::dates(entity).first().map(|f| Sort { field: (*f).to_owned(), order: SortOrder::Asc });
    let empty = format!("No {}.", lower_first(&heading));
    let render = TransformStep {
        id: format!("{id}_list"),
        op: TransformOp::RenderList,
        from: format!("{{{{steps.{id}.items}}}}"),
        fields: fields::shown(entity),
        heading: Some(heading.clone()),
        empty: Some(empty),
    };
    let query = QueryStep { id, entity: entity.name.clone(), filter, sort, limit: Some(100) };
    Listing { query, render, heading, threshold }
}

/// The ISO 8601 period between runs of a five-field cron: a day unless it runs every few
/// minutes or hours, weekly, or monthly.
pub fn period_of(cron: &str) -> String {
    let p: Vec<&str> = cron.split_whitespace().collect();
    let every = |f: &str| f.strip_prefix("*/").and_then(|n| n.parse::<u32>().ok());
    match p.as_slice() {
        [m, "*", ..] => format!("PT{}M", every(m).unwrap_or(60)).replace("PT60M", "PT1H"),
        [_, h, ..] if h.contains('*') => format!("PT{}H", every(h).unwrap_or(1)),
        [_, _, dom, months, _] if *dom != "*" && *months != "*" && !months.contains('/') => {
            format!("P{}M", 12 / months.split(',').count().clamp(1, 12))
        }
        [_, _, dom, _, _] if *dom != "*" => "P1M".into(),
        [_, _, _, _, dow] if dow.contains('#') => "P1M".into(),
        [_, _, _, _, dow] if *dow != "*" && *dow != "1-5" => "P7D".into(),
        _ => "P1D".into(),
    }
}

fn period_words(period: &str, field: &str) -> String {
    let span = match period {
        p if p.ends_with('M') && p.starts_with("PT") => "the last few minutes",
        "PT1H" => "the last hour",
        p if p.starts_with("PT") => "the last few hours",
        "P7D" => "the last week",
        "P1M" => "the last month",
        "P3M" => "the last quarter",
        _ => "the last day",
    };
    let verb = if field == "created_at" { "added" } else { "updated" };
    format!("{verb} in {span}")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::demo::todo_structure;
    use serde_json::json;

    fn words(text: &str) -> Vec<String> {
        crate::intent::text::Text::new(text).tokens.into_iter().map(|t| t.lower).collect()
    }

    #[test]
    fn a_to_do_list_is_the_open_tasks_by_due_date() {
        let app = todo_structure();
        let task = app.entity("Task").unwrap();
        let text = "email me my to-do list";
        let found = crate::wiring::conditions::read(text, task, "me");
        let l = build(task, &words(text), "P1D", None, None, found.conditions);
        assert_eq!(l.query.id, "open_tasks");
        assert_eq!(l.query.filter, [Condition::new("completed", Op::Eq, false)]);
        assert_eq!(l.query.sort.as_ref().map(|s| s.field.as_str()), Some("due_date"));
        assert_eq!(l.render.from, "{{steps.open_tasks.items}}");
        assert_eq!(l.render.fields, ["title", "due_date"]);
        assert_eq!(l.text_ref(), "{{steps.open_tasks_list.text}}");
    }

    #[test]
    fn a_summary_covers_the_period_between_runs() {
        let app = todo_structure();
        let task = app.entity("Task").unwrap();
        let text = "a daily summary of completed tasks";
        let found = crate::wiring::conditions::read(text, task, "me");
        let l = build(task, &words(text), "P1D", None, None, found.conditions);
        assert_eq!(
            l.query.filter,
            [Condition::new("completed", Op::Eq, true), Condition::new("updated_at", Op::WithinLast, "P1D")]
        );
        assert_eq!(l.heading, "Completed tasks (updated in the last day)");
    }

    #[test]
    fn approaching_deadlines_are_open_tasks_due_within_a_day() {
        let app = todo_structure();
        let check = Check::read("when deadlines are approaching");
        let l = build(app.entity("Task").unwrap(), &[], "P1D", check, Some("deadline"), Vec::new());
        assert_eq!(
            l.query.filter,
            [Condition::new("due_date", Op::WithinNext, "P1D"), Condition::new("completed", Op::Eq, json!(false))]
        );
        assert_eq!(l.query.id, "tasks_due_soon");
    }

    #[test]
    fn periods_follow_the_cron() {
        assert_eq!(period_of("0 8 * * *"), "P1D");
        assert_eq!(period_of("0 8 * * 1"), "P7D");
        assert_eq!(period_of("0 8 * * 1-5"), "P1D");
        assert_eq!(period_of("0 8 1 * *"), "P1M");
        assert_eq!(period_of("0 * * * *"), "PT1H");
        assert_eq!(period_of("*/15 * * * *"), "PT15M");
        assert_eq!(period_of("0 */2 * * *"), "PT2H");
        assert_eq!(period_of("0 10 * * 1#1"), "P1M");
        assert_eq!(period_of("0 8 1 1,4,7,10 *"), "P3M");
        assert_eq!(plural_id("CrashReport"), "crash_reports");
    }
}
