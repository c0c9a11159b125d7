//! Schedules in plain words: "daily", "every Monday at 9", "each morning", "hourly",
//! "at 5pm", "every 15 minutes", "on the 1st of each month", "weekends", "quarterly",
//! "twice a day", "noon", "the first Monday of the month", "9am Paris time". The result
//! carries a cron expression (minute hour day-of-month month day-of-week) that another
//! runtime can use, the zone the request names, and the byte spans it was read from, so
//! that "Monday" in "every Monday" is not taken for monday.com. A schedule cron cannot
//! hold ("every other Monday", "the last Friday of the month") is kept with the reason,
//! never approximated, so that the wiring asks about it.

use super::zone;
use regex::Captures;
use serde::{Deserialize, Serialize};

#[path = "schedule_times.rs"]
mod times;
#[path = "schedule_words.rs"]
mod words;
use words::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    EveryMinutes,
    Hourly,
    Daily,
    Weekdays,
    Weekly,
    Monthly,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub cadence: Cadence,
    /// "HH:MM", 24-hour; `None` for minute and hour cadences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Lowercase three-letter day names for weekly schedules.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub days: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_minutes: Option<u32>,
    /// True when the request gave no time and the default (08:00) applies.
    pub default_time: bool,
    pub cron: String,
    /// The words it was read from.
    pub text: String,
    /// The IANA zone the request names ("Paris time"), if it names one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time_zone: Option<String>,
    /// Why cron cannot hold what the request says ("every other Monday"): then `cron` is
    /// empty and the builder is asked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unsupported: Option<String>,
    /// A reading the request left open and the schedule chose ("twice a day" → 08:00 and
    /// 17:00), to say in words next to the flow.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assumed: Option<String>,
}

/// A schedule and the byte spans of the request it used.
#[derive(Clone, Debug)]
pub struct Found {
    pub schedule: Schedule,
    pub spans: Vec<(usize, usize)>,
}

/// True for the name of a weekday or a month, singular or plural ("monday", "fridays",
/// "march"): words that say when, never what or which tool.
pub fn is_calendar_word(word: &str) -> bool {
    let w = word.strip_suffix('s').unwrap_or(word);
    DAYS.iter().any(|(long, _, _)| *long == w || *long == word) || MONTHS.contains(&w)
}

/// Reads the request's schedule, if it has one. `lower` is the folded request.
pub fn find(lower: &str) -> Option<Found> {
    let mut spans = Vec::new();
    let mut parts = Vec::new();
    let mut take = |m: regex::Match<'_>, spans: &mut Vec<(usize, usize)>| {
        spans.push((m.start(), m.end()));
        parts.push(m.as_str().trim().to_owned());
    };
    let zone = zone::find(lower);
    if let Some(z) = &zone {
        spans.push((z.start, z.end));
    }
    if let Some(m) = UNSUPPORTED.find(lower).or_else(|| nth_last(lower)) {
        take(m, &mut spans);
        return Some(unsupported(m.as_str(), spans, zone));
    }
    if let Some(m) = RELATIVE.find(lower) {
        take(m, &mut spans);
        let mut found = unsupported(m.as_str(), spans, zone);
        found.schedule.unsupported =
            Some("it depends on each record's own date, which one schedule cannot follow".into());
        return Some(found);
    }
    let mut plan = Plan::default();
    if let Some(c) = EVERY_N.captures(lower) {
        let whole = c.get(0)?;
        take(whole, &mut spans);
        if let Err(why) = plan.every_n(&c) {
            return Some(unsupported(&why, spans, zone));
        }
    }
    if let Some(c) = NTH_WEEKDAY.captures(lower) {
        let whole = c.get(0)?;
        let ordinal = c.get(1).or(c.get(3)).map_or("", |m| m.as_str());
        let day = c.get(2).or(c.get(4)).map_or("", |m| m.as_str());
        match (ordinal_number(ordinal), DAYS.iter().find(|(long, _, _)| *long == day)) {
            (Some(n), Some((_, _, num))) => {
                take(whole, &mut spans);
                plan.cadence.get_or_insert(Cadence::Monthly);
                plan.nth = Some(format!("{num}#{n}"));
            }
            (Some(1), None) if day == "day" => {
                take(whole, &mut spans);
                plan.cadence.get_or_insert(Cadence::Monthly);
                plan.day_of_month = Some(1);
            }
            _ => {
                take(whole, &mut spans);
                return Some(unsupported(whole.as_str(), spans, zone));
            }
        }
    }
    for m in WEEKDAY_PHRASE.find_iter(lower) {
        if lower.get(m.end()..).is_some_and(|rest| rest.starts_with(".com")) || plan.nth.is_some() {
            continue;
        }
        take(m, &mut spans);
        plan.add_days(m.as_str());
    }
    if let Some(c) = CADENCE.captures(lower) {
        let whole = c.get(0)?;
        take(whole, &mut spans);
        plan.cadence_word(whole.as_str());
    }
    if plan.cadence == Some(Cadence::Monthly) && plan.day_of_month.is_none() && plan.nth.is_none() {
        plan.day_of_month = DAY_OF_MONTH
            .captures(lower)
            .and_then(|d| d.get(1).or(d.get(2)).or(d.get(3)))
            .and_then(|d| d.as_str().parse().ok())
            .filter(|d| (1..=31).contains(d));
    }
    let clock = times::read(lower);
    for span in &clock.spans {
        spans.push(*span);
        parts.push(lower.get(span.0..span.1).unwrap_or("").trim().to_owned());
    }
    if plan.cadence.is_none() && (!clock.hours.is_empty() || clock.part_of_day.is_some()) {
        plan.cadence = Some(Cadence::Daily);
        if clock.tonight {
            plan.assumed = Some("\"tonight\" is read as every night".into());
        }
    }
    let cadence = plan.cadence?;
    spans.sort();
    Some(Found { schedule: plan.build(cadence, clock, parts.join(" "), zone), spans })
}

/// "the last Friday of the month" spelled without "of the month" after a weekday ("every
/// last Friday"): cron cannot hold it either.
fn nth_last(lower: &str) -> Option<regex::Match<'_>> {
    NTH_WEEKDAY.captures(lower).filter(|c| c.get(1).or(c.get(3)).is_some_and(|o| o.as_str() == "last"))?.get(0)
}

fn unsupported(words: &str, spans: Vec<(usize, usize)>, zone: Option<zone::Zone>) -> Found {
    let text = words.trim().to_owned();
    Found {
        schedule: Schedule {
            cadence: Cadence::Daily,
            time: None,
            days: Vec::new(),
            day_of_month: None,
            every_minutes: None,
            default_time: false,
            cron: String::new(),
            unsupported: Some(format!("a schedule like \"{text}\" cannot be written as one cron expression")),
            text,
            time_zone: zone.map(|z| z.name),
            assumed: None,
        },
        spans,
    }
}

/// What the words said so far, before it becomes a cron expression.
#[derive(Default)]
struct Plan {
    cadence: Option<Cadence>,
    days: Vec<&'static str>,
    every_minutes: Option<u32>,
    day_of_month: Option<u8>,
    /// Day-of-week field for "the first Monday": `1#1`.
    nth: Option<String>,
    months: Option<&'static str>,
    twice: bool,
    assumed: Option<String>,
}

impl Plan {
    /// "every 15 minutes", "every 2 hours", "every 3 months"; an interval cron cannot keep
    /// steady ("every 45 minutes", "every 2 weeks") is refused with the reason.
    fn every_n(&mut self, c: &Captures<'_>) -> Result<(), String> {
        let n = number_word(&c[1]).unwrap_or(1).max(1);
        let unit = &c[2];
        let whole = c.get(0).map_or("", |m| m.as_str());
        let uneven = || Err(whole.to_owned());
        match unit.chars().next() {
            Some('m') if unit.starts_with("mo") => match n {
                1 => self.cadence = Some(Cadence::Monthly),
                2 | 3 | 4 | 6 => {
                    self.cadence = Some(Cadence::Monthly);
                    self.months = Some(match n {
                        2 => "*/2",
                        3 => "1,4,7,10",
                        4 => "1,5,9",
                        _ => "1,7",
                    });
                }
                _ => return uneven(),
            },
            Some('m') => match n {
                60 => self.cadence = Some(Cadence::Hourly),
                n if n < 60 && 60 % n == 0 => {
                    self.every_minutes = Some(n);
                    self.cadence = Some(Cadence::EveryMinutes);
                }
                n if n % 60 == 0 && 24 % (n / 60) == 0 => {
                    self.every_minutes = Some(n);
                    self.cadence = Some(Cadence::Hourly);
                }
                _ => return uneven(),
            },
            Some('h') => match n {
                n if 24 % n == 0 => {
                    self.every_minutes = Some(n * 60);
                    self.cadence = Some(Cadence::Hourly);
                }
                _ => return uneven(),
            },
            Some('d') if n == 1 => self.cadence = Some(Cadence::Daily),
            Some('w') if n == 1 => self.cadence = Some(Cadence::Weekly),
            _ => return uneven(),
        }
        Ok(())
    }

    fn add_days(&mut self, phrase: &str) {
        let named: Vec<usize> = DAY_NAME
            .find_iter(phrase)
            .filter_map(|d| DAYS.iter().position(|(long, _, _)| *long == d.as_str()))
            .collect();
        let range = named.len() == 2 && [" to ", "through", "thru", "-"].iter().any(|sep| phrase.contains(sep));
        let indices: Vec<usize> = if range { (named[0]..=named[1].max(named[0])).collect() } else { named };
        for i in indices {
            if !self.days.contains(&DAYS[i].1) {
                self.days.push(DAYS[i].1);
            }
        }
        if !self.days.is_empty() && self.cadence.is_none_or(|c| c == Cadence::Daily) {
            self.cadence = Some(Cadence::Weekly);
        }
    }

    fn cadence_word(&mut self, word: &str) {
        let found = if word.contains("hour") {
            Cadence::Hourly
        } else if word.contains("weekend") {
            for d in ["sat", "sun"] {
                if !self.days.contains(&d) {
                    self.days.push(d);
                }
            }
            Cadence::Weekly
        } else if word.contains("weekday") || word.contains("business") || word.contains("working") {
            Cadence::Weekdays
        } else if word.contains("week") {
            Cadence::Weekly
        } else if word.contains("quarter") {
            self.months = Some("1,4,7,10");
            Cadence::Monthly
        } else if word.contains("year") || word == "annually" {
            self.months = Some("1");
            Cadence::Monthly
        } else if word.contains("month") {
            if word.starts_with("first") || word.starts_with("1st") || word.contains("of the") {
                self.day_of_month = Some(1);
            }
            Cadence::Monthly
        } else {
            self.twice = word.starts_with("twice");
            Cadence::Daily
        };
        // A cadence word refines days already read ("every Monday, weekly") but never
        // widens minutes or hours into days.
        match self.cadence {
            None => self.cadence = Some(found),
            Some(Cadence::Weekly) if found == Cadence::Weekdays => self.cadence = Some(found),
            Some(Cadence::Daily) if found != Cadence::Hourly => self.cadence = Some(found),
            _ => {}
        }
    }

    fn build(mut self, cadence: Cadence, clock: times::Clock, text: String, zone: Option<zone::Zone>) -> Schedule {
        let default_time = clock.hours.is_empty()
            && clock.part_of_day.is_none()
            && !self.twice
            && matches!(cadence, Cadence::Daily | Cadence::Weekdays | Cadence::Weekly | Cadence::Monthly);
        let minute = clock.minute;
        let mut hours = clock.hours.clone();
        if hours.is_empty() {
            hours.push(clock.part_of_day.map_or(8, times::hour_of_part));
        }
        if self.twice && hours.len() < 2 {
            hours = vec![8, 17];
            self.assumed = Some("twice a day is read as 08:00 and 17:00".into());
        }
        let hour_list: Vec<String> = hours.iter().map(u32::to_string).collect();
        let hour_field = hour_list.join(",");
        if cadence == Cadence::Weekly && self.days.is_empty() {
            self.days.push("mon");
        }
        let day_nums = || -> String {
            let nums: Vec<String> = self
                .days
                .iter()
                .filter_map(|d| DAYS.iter().find(|(_, s, _)| s == d))
                .map(|(_, _, n)| n.to_string())
                .collect();
            nums.join(",")
        };
        let at = |h: &u32| format!("{h:02}:{minute:02}");
        let time_text = Some(hours.iter().map(at).collect::<Vec<_>>().join(", "));
        let (time, cron) = match cadence {
            Cadence::EveryMinutes => (None, format!("*/{} * * * *", self.every_minutes.unwrap_or(15))),
            Cadence::Hourly => match self.every_minutes {
                Some(m) if m > 60 => (None, format!("0 */{} * * *", m / 60)),
                _ => (None, "0 * * * *".to_owned()),
            },
            Cadence::Daily => (time_text, format!("{minute} {hour_field} * * *")),
            Cadence::Weekdays => (time_text, format!("{minute} {hour_field} * * 1-5")),
            Cadence::Weekly => (time_text, format!("{minute} {hour_field} * * {}", day_nums())),
            Cadence::Monthly => {
                let (dom, dow) = match &self.nth {
                    Some(nth) => ("*".to_owned(), nth.clone()),
                    None => (self.day_of_month.unwrap_or(1).to_string(), "*".to_owned()),
                };
                (time_text, format!("{minute} {hour_field} {dom} {} {dow}", self.months.unwrap_or("*")))
            }
        };
        let monthly = cadence == Cadence::Monthly && self.nth.is_none();
        Schedule {
            cadence,
            time,
            days: if cadence == Cadence::Weekly { self.days.iter().map(|d| (*d).to_owned()).collect() } else { vec![] },
            day_of_month: monthly.then_some(self.day_of_month.unwrap_or(1)),
            every_minutes: self.every_minutes.filter(|_| matches!(cadence, Cadence::EveryMinutes | Cadence::Hourly)),
            default_time,
            cron,
            text,
            time_zone: zone.map(|z| z.name),
            unsupported: None,
            assumed: self.assumed.or(clock.assumed),
        }
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
