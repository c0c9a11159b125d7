use super::*;

fn cron(text: &str) -> String {
    find(&crate::intent::text::fold(text)).map(|f| f.schedule.cron).unwrap_or_default()
}

fn schedule(text: &str) -> Schedule {
    find(&crate::intent::text::fold(text)).unwrap_or_else(|| panic!("no schedule in {text:?}")).schedule
}

#[test]
fn daily_means_eight_in_the_morning_unless_told() {
    assert_eq!(cron("Send me a daily email with my tasks"), "0 8 * * *");
    let s = schedule("send a daily summary");
    assert!(s.default_time);
    assert_eq!(s.time.as_deref(), Some("08:00"));
}

#[test]
fn common_schedules() {
    assert_eq!(cron("every Monday at 9"), "0 9 * * 1");
    assert_eq!(cron("each morning"), "0 8 * * *");
    assert_eq!(cron("hourly sync"), "0 * * * *");
    assert_eq!(cron("a summary at 5pm"), "0 17 * * *");
    assert_eq!(cron("Post a daily bot digest to #eng-news at 5pm."), "0 17 * * *");
    assert_eq!(cron("every 15 minutes"), "*/15 * * * *");
    assert_eq!(cron("every 2 hours"), "0 */2 * * *");
    assert_eq!(cron("weekly digest"), "0 8 * * 1");
    assert_eq!(cron("post to #random on slack every friday"), "0 8 * * 5");
    assert_eq!(cron("monthly report on the 15th"), "0 8 15 * *");
    assert_eq!(cron("on weekdays at 7:30am"), "30 7 * * 1-5");
    assert_eq!(cron("every Tuesday and Thursday at 16:45"), "45 16 * * 2,4");
    assert_eq!(cron("Nightly cleanup of old Slack threads"), "0 2 * * *");
}

#[test]
fn weekends_quarters_and_twice_a_day() {
    assert_eq!(cron("on weekends at 10am post the specials"), "0 10 * * 6,0");
    assert_eq!(cron("on Saturdays and Sundays at 6"), "0 18 * * 6,0");
    assert_eq!(cron("a quarterly report to the board"), "0 8 1 1,4,7,10 *");
    assert_eq!(cron("twice a day check the stock"), "0 8,17 * * *");
    assert!(schedule("twice a day check the stock").assumed.is_some());
    assert_eq!(cron("every day at 9am and 5pm"), "0 9,17 * * *");
    assert_eq!(cron("every 30 minutes"), "*/30 * * * *");
    assert_eq!(cron("every three months"), "0 8 1 1,4,7,10 *");
}

#[test]
fn noon_tonight_and_the_first_monday() {
    assert_eq!(cron("every day at noon"), "0 12 * * *");
    assert_eq!(cron("remind everyone tonight"), "0 20 * * *");
    assert!(schedule("remind everyone tonight").assumed.unwrap().contains("tonight"));
    assert_eq!(cron("on the first Monday of the month at 10"), "0 10 * * 1#1");
    assert_eq!(cron("the second tuesday of each month"), "0 8 * * 2#2");
    assert_eq!(cron("on the 1st of every month at 7 in the morning"), "0 7 1 * *");
    assert_eq!(cron("at 10 in the evening"), "0 22 * * *");
}

#[test]
fn what_cron_cannot_hold_is_kept_with_its_reason() {
    for text in [
        "every other Monday",
        "every three weeks on Thursday",
        "biweekly sync",
        "on the last Friday of the month",
        "every 45 minutes",
        "every 3 days",
        "at the end of each month",
        "text them two days before the due date",
        "email each member on their birthday",
    ] {
        let s = schedule(text);
        assert!(s.unsupported.is_some() && s.cron.is_empty(), "{text}: {s:?}");
    }
}

#[test]
fn a_stated_zone_travels_with_the_schedule() {
    assert_eq!(schedule("Every weekday at 7am Paris time").time_zone.as_deref(), Some("Europe/Paris"));
    assert_eq!(cron("Every weekday at 7am Paris time"), "0 7 * * 1-5");
    assert_eq!(schedule("daily at 9am PST").time_zone.as_deref(), Some("America/Los_Angeles"));
    assert_eq!(schedule("daily at 9am").time_zone, None);
}

#[test]
fn monday_the_tool_is_not_a_weekday() {
    assert!(find("contact support from monday and airtable").is_none());
    assert!(find("send errors to a monday.com board").is_none());
    assert_eq!(cron("from monday to friday at 9am"), "0 9 * * 1,2,3,4,5");
}

#[test]
fn no_schedule_in_an_event_request() {
    assert!(find("when a deal moves to closed won, email me").is_none());
    assert!(find("make the header blue").is_none());
    assert!(find("after 3 failed logins, alert me").is_none());
}

#[test]
fn the_weekday_words_are_part_of_the_span() {
    let text = "every monday at 9 send a digest";
    let found = find(text).unwrap();
    assert!(found.spans.iter().any(|(s, e)| text[*s..*e].contains("monday")));
}

#[test]
fn any_text_reads_without_panicking() {
    for text in ["at 99:99", "every 0 minutes", "\u{212A} every \u{1E9E} at 5", "on the 45th", "every  minutes at"] {
        let _ = find(&crate::intent::text::fold(text));
    }
}
