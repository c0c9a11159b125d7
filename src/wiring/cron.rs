//! Five-field cron expressions (minute hour day-of-month month day-of-week): checked, so
//! that a stored flow never carries a schedule a runtime would refuse, and put into words
//! for the Flows page ("every day at 08:00").

/// Field names, ranges and the names a field may use instead of numbers.
const FIELDS: [(&str, u32, u32); 5] =
    [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7)];
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_WORDS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Checks the expression; the error says which field is wrong and why.
pub fn check(cron: &str) -> Result<(), String> {
    let parts: Vec<&str> = cron.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!(
            "it has {} fields; cron needs 5 (minute hour day-of-month month day-of-week)",
            parts.len()
        ));
    }
    for (part, (name, lo, hi)) in parts.iter().zip(FIELDS) {
        for item in part.split(',') {
            check_item(item, name, lo, hi)?;
        }
    }
    Ok(())
}

fn check_item(item: &str, name: &str, lo: u32, hi: u32) -> Result<(), String> {
    // "1#1": the first Monday of the month (a day of week, then which one of the month).
    if name == "day of week"
        && let Some((day, nth)) = item.split_once('#')
    {
        return match (value(day, name), nth.parse::<u32>()) {
            (Some(d), Ok(1..=5)) if d <= 7 => Ok(()),
            _ => Err(format!("the day of week '{item}' should be a day, '#', then 1–5 (1#1 is the first Monday)")),
        };
    }
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (item, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(n) if n >= 1 => {}
            _ => return Err(format!("the {name} step '{step}' should be a whole number from 1")),
        }
    }
    if range == "*" {
        return Ok(());
    }
    let bounds: Vec<&str> = range.split('-').collect();
    if bounds.len() > 2 || bounds.iter().any(|b| b.is_empty()) {
        return Err(format!("the {name} '{item}' is not a number, a range or *"));
    }
    let mut values = Vec::new();
    for b in &bounds {
        let v = value(b, name).ok_or_else(|| format!("the {name} '{b}' is not a number"))?;
        if v < lo || v > hi {
            return Err(format!("the {name} {v} is outside {lo}–{hi}"));
        }
        values.push(v);
    }
    if values.len() == 2 && values[0] > values[1] {
        return Err(format!("the {name} range '{range}' runs backwards"));
    }
    Ok(())
}

fn value(text: &str, field: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let lower = text.to_lowercase();
    let names: &[&str] = match field {
        "month" => &MONTHS,
        "day of week" => &DAYS,
        _ => return None,
    };
    let i = names.iter().position(|n| *n == lower)? as u32;
    Some(if field == "month" { i + 1 } else { i })
}

/// The schedule in words; the cron itself for forms it does not know.
pub fn describe(cron: &str) -> String {
    let p: Vec<&str> = cron.split_whitespace().collect();
    if check(cron).is_err() {
        return format!("on the schedule '{cron}'");
    }
    let at = |m: &str, h: &str| -> Option<String> {
        let m: u32 = m.parse().ok()?;
        let hours: Option<Vec<String>> =
            h.split(',').map(|h| h.parse::<u32>().ok().map(|h| format!("{h:02}:{m:02}"))).collect();
        Some(words_list(&hours?))
    };
    match (p[0], p[1], p[2], p[3], p[4]) {
        (m, "*", "*", "*", "*") if m.starts_with("*/") => format!("every {} minutes", &m[2..]),
        ("*", "*", "*", "*", "*") => "every minute".into(),
        ("0", "*", "*", "*", "*") => "every hour".into(),
        ("0", h, "*", "*", "*") if h.starts_with("*/") => format!("every {} hours", &h[2..]),
        (m, h, "*", "*", "*") => match at(m, h) {
            Some(t) => format!("every day at {t}"),
            None => format!("on the schedule '{cron}'"),
        },
        (m, h, "*", "*", "1-5") => match at(m, h) {
            Some(t) => format!("every weekday at {t}"),
            None => format!("on the schedule '{cron}'"),
        },
        (m, h, "*", "*", nth) if nth.contains('#') => match (at(m, h), nth_day(nth)) {
            (Some(t), Some(d)) => format!("on the {d} of every month at {t}"),
            _ => format!("on the schedule '{cron}'"),
        },
        (m, h, "*", "*", days) => match (at(m, h), day_names(days)) {
            (Some(t), Some(d)) => format!("every {d} at {t}"),
            _ => format!("on the schedule '{cron}'"),
        },
        (m, h, dom, "*", "*") => match (at(m, h), dom.parse::<u32>()) {
            (Some(t), Ok(d)) => format!("on day {d} of every month at {t}"),
            _ => format!("on the schedule '{cron}'"),
        },
        (m, h, dom, months, "*") => match (at(m, h), dom.parse::<u32>(), month_names(months)) {
            (Some(t), Ok(d), Some(names)) => format!("on day {d} of {names} at {t}"),
            _ => format!("on the schedule '{cron}'"),
        },
        _ => format!("on the schedule '{cron}'"),
    }
}

/// "1#1" → "first Monday".
fn nth_day(item: &str) -> Option<String> {
    let (day, nth) = item.split_once('#')?;
    let day = DAY_WORDS.get((value(day, "day of week")? % 7) as usize)?;
    let nth = ["first", "second", "third", "fourth", "fifth"].get(nth.parse::<usize>().ok()?.checked_sub(1)?)?;
    Some(format!("{nth} {day}"))
}

fn month_names(months: &str) -> Option<String> {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let names: Option<Vec<String>> = months
        .split(',')
        .map(|m| value(m, "month").and_then(|i| NAMES.get(i.checked_sub(1)? as usize)).map(|n| (*n).to_owned()))
        .collect();
    Some(words_list(&names?))
}

/// "a", "a and b", "a, b and c".
fn words_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn day_names(days: &str) -> Option<String> {
    let names: Option<Vec<&str>> = days
        .split(',')
        .map(|d| value(d, "day of week").and_then(|i| DAY_WORDS.get((i % 7) as usize).copied()))
        .collect();
    let names = names?;
    Some(match names.as_slice() {
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_expressions_pass_and_bad_ones_say_why() {
        for good in ["0 8 * * *", "*/15 * * * *", "30 7 * * 1-5", "0 9 * * mon,thu", "0 8 1 * *", "0 */2 * * *"] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        assert!(check("0 8 * *").unwrap_err().contains("4 fields"));
        assert!(check("0 25 * * *").unwrap_err().contains("hour 25 is outside 0–23"));
        assert!(check("x 8 * * *").unwrap_err().contains("minute 'x'"));
        assert!(check("0 8 * * 5-1").unwrap_err().contains("backwards"));
    }

    #[test]
    fn schedules_read_in_words() {
        assert_eq!(describe("0 8 * * *"), "every day at 08:00");
        assert_eq!(describe("0 17 * * *"), "every day at 17:00");
        assert_eq!(describe("30 7 * * 1-5"), "every weekday at 07:30");
        assert_eq!(describe("0 9 * * 1"), "every Monday at 09:00");
        assert_eq!(describe("45 16 * * 2,4"), "every Tuesday and Thursday at 16:45");
        assert_eq!(describe("0 8 15 * *"), "on day 15 of every month at 08:00");
        assert_eq!(describe("*/15 * * * *"), "every 15 minutes");
        assert_eq!(describe("0 * * * *"), "every hour");
        assert_eq!(describe("5 4 * 2 *"), "on the schedule '5 4 * 2 *'");
        assert_eq!(describe("0 10 * * 1#1"), "on the first Monday of every month at 10:00");
        assert_eq!(describe("0 8,17 * * *"), "every day at 08:00 and 17:00");
        assert_eq!(describe("0 8 1 1,4,7,10 *"), "on day 1 of January, April, July and October at 08:00");
        assert!(check("0 10 * * 1#1").is_ok() && check("0 10 * * 1#9").is_err());
    }
}
