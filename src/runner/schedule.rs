//! When a schedule fires: the cron read in the flow's time zone (the `croner` crate, with
//! `chrono-tz`), so "0 8 * * *" in Europe/Paris is 08:00 Paris time in winter and summer.
//! A local time skipped by a daylight-saving change fires at the next matching time; one
//! that happens twice fires once.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("the schedule '{0}' is not a cron expression patchbay can read")]
    Cron(String),
    #[error("'{0}' is not a time zone")]
    Zone(String),
}

#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    zone: Tz,
}

impl Schedule {
    pub fn parse(cron: &str, time_zone: &str) -> Result<Self, ScheduleError> {
        let zone = time_zone.parse::<Tz>().map_err(|_| ScheduleError::Zone(time_zone.to_owned()))?;
        let cron = Cron::from_str(cron).map_err(|_| ScheduleError::Cron(cron.to_owned()))?;
        Ok(Self { cron, zone })
    }

    /// The first occurrence strictly after `after` (Unix seconds).
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let from = DateTime::<Utc>::from_timestamp(after, 0)?.with_timezone(&self.zone);
        self.cron.find_next_occurrence(&from, false).ok().map(|t| t.timestamp())
    }

    /// The occurrence as the flow's people read it: "Mon 2 Mar, 08:00 CET".
    pub fn local(&self, at: i64) -> String {
        DateTime::<Utc>::from_timestamp(at, 0)
            .map(|t| t.with_timezone(&self.zone).format("%a %-d %b, %H:%M %Z").to_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().timestamp()
    }

    #[test]
    fn eight_in_paris_is_eight_in_paris_in_winter_and_in_summer() {
        let s = Schedule::parse("0 8 * * *", "Europe/Paris").unwrap();
        assert_eq!(s.next_after(utc(2026, 1, 10, 12, 0)), Some(utc(2026, 1, 11, 7, 0)), "CET is UTC+1");
        assert_eq!(s.next_after(utc(2026, 7, 10, 12, 0)), Some(utc(2026, 7, 11, 6, 0)), "CEST is UTC+2");
        assert_eq!(s.local(utc(2026, 7, 11, 6, 0)), "Sat 11 Jul, 08:00 CEST");
    }

    #[test]
    fn the_night_the_clocks_change_a_daily_run_still_happens_once() {
        // 29 March 2026: Paris skips from 02:00 to 03:00. A 02:30 run happens that day,
        // after the change, and the next day at 02:30 again.
        let s = Schedule::parse("30 2 * * *", "Europe/Paris").unwrap();
        let first = s.next_after(utc(2026, 3, 28, 12, 0)).unwrap();
        assert!(first >= utc(2026, 3, 29, 0, 0) && first <= utc(2026, 3, 29, 2, 0), "{first}");
        let second = s.next_after(first).unwrap();
        assert_eq!(second, utc(2026, 3, 30, 0, 30));
        // 25 October 2026: 02:30 happens twice; it runs once.
        let autumn = s.next_after(utc(2026, 10, 24, 12, 0)).unwrap();
        assert_eq!(s.next_after(autumn), Some(utc(2026, 10, 26, 1, 30)));
    }

    #[test]
    fn weekdays_and_bad_input() {
        let s = Schedule::parse("0 9 * * 1-5", "UTC").unwrap();
        // Friday 2026-01-09 10:00 → Monday 09:00.
        assert_eq!(s.next_after(utc(2026, 1, 9, 10, 0)), Some(utc(2026, 1, 12, 9, 0)));
        assert!(matches!(Schedule::parse("0 8 * *", "UTC"), Err(ScheduleError::Cron(_))));
        assert!(matches!(Schedule::parse("0 8 * * *", "Mars/Base"), Err(ScheduleError::Zone(_))));
    }
}
