//! Time zones a request states: "9am Paris time", "at 5pm PST", "CET", "London time",
//! "in New York time", "UTC+2". A schedule runs in the zone the request names, else in the
//! app's own zone; this module only reads what the words say and never guesses one.

use chrono_tz::TZ_VARIANTS;
use regex::Regex;
use std::sync::LazyLock;

/// A zone the request names, as an IANA name, with the byte span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// Abbreviations and regions people write after a time. Summer and winter forms map to
/// the zone that switches between them, because people write "PST" all year.
const NAMED: &[(&str, &str)] = &[
    ("pst", "America/Los_Angeles"),
    ("pdt", "America/Los_Angeles"),
    ("pt", "America/Los_Angeles"),
    ("pacific", "America/Los_Angeles"),
    ("mst", "America/Denver"),
    ("mdt", "America/Denver"),
    ("mt", "America/Denver"),
    ("mountain", "America/Denver"),
    ("cst", "America/Chicago"),
    ("cdt", "America/Chicago"),
    ("ct", "America/Chicago"),
    ("central", "America/Chicago"),
    ("est", "America/New_York"),
    ("edt", "America/New_York"),
    ("et", "America/New_York"),
    ("eastern", "America/New_York"),
    ("akst", "America/Anchorage"),
    ("hst", "Pacific/Honolulu"),
    ("cet", "Europe/Paris"),
    ("cest", "Europe/Paris"),
    ("central european", "Europe/Paris"),
    ("met", "Europe/Paris"),
    ("mez", "Europe/Berlin"),
    ("wet", "Europe/Lisbon"),
    ("eet", "Europe/Athens"),
    ("eest", "Europe/Athens"),
    ("bst", "Europe/London"),
    ("uk", "Europe/London"),
    ("british", "Europe/London"),
    ("gmt", "UTC"),
    ("utc", "UTC"),
    ("zulu", "UTC"),
    ("ist", "Asia/Kolkata"),
    ("india", "Asia/Kolkata"),
    ("indian", "Asia/Kolkata"),
    ("jst", "Asia/Tokyo"),
    ("japan", "Asia/Tokyo"),
    ("kst", "Asia/Seoul"),
    ("korea", "Asia/Seoul"),
    ("sgt", "Asia/Singapore"),
    ("hkt", "Asia/Hong_Kong"),
    ("china", "Asia/Shanghai"),
    ("aest", "Australia/Sydney"),
    ("aedt", "Australia/Sydney"),
    ("acst", "Australia/Adelaide"),
    ("awst", "Australia/Perth"),
    ("nzst", "Pacific/Auckland"),
    ("nzdt", "Pacific/Auckland"),
    ("nz", "Pacific/Auckland"),
    ("brt", "America/Sao_Paulo"),
    ("brazil", "America/Sao_Paulo"),
    ("brasilia", "America/Sao_Paulo"),
    ("france", "Europe/Paris"),
    ("french", "Europe/Paris"),
    ("germany", "Europe/Berlin"),
    ("german", "Europe/Berlin"),
    ("spain", "Europe/Madrid"),
    ("spanish", "Europe/Madrid"),
    ("portugal", "Europe/Lisbon"),
    ("italy", "Europe/Rome"),
    ("netherlands", "Europe/Amsterdam"),
    ("dutch", "Europe/Amsterdam"),
    ("ireland", "Europe/Dublin"),
    ("irish", "Europe/Dublin"),
    ("mexico", "America/Mexico_City"),
    ("nyc", "America/New_York"),
    ("california", "America/Los_Angeles"),
    ("sf", "America/Los_Angeles"),
    ("san francisco", "America/Los_Angeles"),
    ("bay area", "America/Los_Angeles"),
    ("seattle", "America/Los_Angeles"),
    ("washington", "America/New_York"),
    ("boston", "America/New_York"),
    ("texas", "America/Chicago"),
    ("austin", "America/Chicago"),
    ("dallas", "America/Chicago"),
    ("hawaii", "Pacific/Honolulu"),
    ("beijing", "Asia/Shanghai"),
    ("mumbai", "Asia/Kolkata"),
    ("delhi", "Asia/Kolkata"),
    ("bangalore", "Asia/Kolkata"),
    ("montreal", "America/Toronto"),
    ("ottawa", "America/Toronto"),
    ("munich", "Europe/Berlin"),
    ("barcelona", "Europe/Madrid"),
    ("milan", "Europe/Rome"),
    ("geneva", "Europe/Zurich"),
    ("frankfurt", "Europe/Berlin"),
    ("cape town", "Africa/Johannesburg"),
    ("rio", "America/Sao_Paulo"),
];

/// Words that mark a zone: "<place> time", "(in|on) <zone> time", or a bare abbreviation
/// right after a time of day ("9am PST", "17:00 CET").
static PLACE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:[a-z]+[ -]){0,2}[a-z]+)\s+(?:standard\s+|daylight\s+)?time\b").expect("place time regex")
});
static AFTER_CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d\s*(?:am|pm|a\.m\.|p\.m\.|h)?|\d:\d\d|noon|midnight|midday)\s*\(?\s*([a-z]{2,5})\b")
        .expect("after clock regex")
});
static OFFSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?\b").expect("offset regex"));

/// Words that end a place name read backwards ("at 9 Paris time" is Paris, not "9 Paris").
const NOT_PLACE: [&str; 14] =
    ["at", "in", "on", "by", "the", "every", "each", "am", "pm", "local", "same", "what", "any", "real"];

/// Zone cities that are also everyday words ("around Easter time").
const NOT_CITIES: [&str; 7] = ["easter", "center", "wake", "troll", "casey", "palmer", "knox"];

/// The zone the (folded) request names, if any.
pub fn find(lower: &str) -> Option<Zone> {
    if let Some(c) = OFFSET.captures(lower) {
        let whole = c.get(0)?;
        let hours: i32 = c[2].parse().ok()?;
        // IANA's Etc zones count the other way: UTC+2 is Etc/GMT-2.
        let name = match (hours, &c[1]) {
            (0, _) => "UTC".to_owned(),
            (h, "+") if h <= 14 => format!("Etc/GMT-{h}"),
            (h, _) if h <= 12 => format!("Etc/GMT+{h}"),
            _ => return None,
        };
        return Some(Zone { name, start: whole.start(), end: whole.end() });
    }
    // Its captures run a slow engine over the whole text: only when the word is there.
    let place_times = lower.contains("time").then(|| PLACE_TIME.captures_iter(lower));
    for c in place_times.into_iter().flatten() {
        let (Some(whole), Some(words)) = (c.get(0), c.get(1)) else { continue };
        let list: Vec<&str> = words.as_str().split([' ', '-']).collect();
        // The longest run of words just before "time" that names a zone.
        for skip in 0..list.len() {
            let tail = &list[skip..];
            if tail.iter().any(|w| NOT_PLACE.contains(w)) {
                continue;
            }
            if let Some(name) = lookup(&tail.join(" ")) {
                let start = words.start() + list[..skip].iter().map(|w| w.len() + 1).sum::<usize>();
                return Some(Zone { name, start, end: whole.end() });
            }
        }
    }
    for c in AFTER_CLOCK.captures_iter(lower) {
        let Some(word) = c.get(1) else { continue };
        if let Some((_, zone)) = NAMED.iter().find(|(n, _)| *n == word.as_str() && n.len() >= 3) {
            return Some(Zone { name: (*zone).to_owned(), start: word.start(), end: word.end() });
        }
    }
    None
}

/// The IANA zone a place or abbreviation names: the table above, else a zone whose city
/// is that place ("singapore" → Asia/Singapore, "new york" → America/New_York).
pub fn lookup(place: &str) -> Option<String> {
    let place = place.trim().to_lowercase();
    if let Some((_, zone)) = NAMED.iter().find(|(n, _)| *n == place) {
        return Some((*zone).to_owned());
    }
    if place.len() < 3 || NOT_CITIES.contains(&place.as_str()) {
        return None;
    }
    TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.contains('/') && !name.starts_with("Etc/"))
        .find(|name| name.rsplit('/').next().is_some_and(|city| city.replace('_', " ").to_lowercase() == place))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(text: &str) -> Option<String> {
        find(&text.to_lowercase()).map(|z| z.name)
    }

    #[test]
    fn a_city_followed_by_time_names_its_zone() {
        assert_eq!(zone("every weekday at 7am Paris time").as_deref(), Some("Europe/Paris"));
        assert_eq!(zone("at noon New York time, post the list").as_deref(), Some("America/New_York"));
        assert_eq!(zone("9pm singapore time").as_deref(), Some("Asia/Singapore"));
        assert_eq!(zone("at 8 London time").as_deref(), Some("Europe/London"));
    }

    #[test]
    fn abbreviations_after_a_time_name_their_zone() {
        assert_eq!(zone("every Monday at 9am PST").as_deref(), Some("America/Los_Angeles"));
        assert_eq!(zone("daily at 17:00 CET").as_deref(), Some("Europe/Paris"));
        assert_eq!(zone("at 6pm eastern time").as_deref(), Some("America/New_York"));
        assert_eq!(zone("at 10 UTC+2").as_deref(), Some("Etc/GMT-2"));
    }

    #[test]
    fn ordinary_words_are_not_zones() {
        assert_eq!(zone("every day at 9am, send me the list"), None);
        assert_eq!(zone("in real time, post the orders"), None);
        assert_eq!(zone("at the same time each week"), None);
        assert_eq!(zone("at 9 et cetera"), None);
    }
}
