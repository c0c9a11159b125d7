//! Which documented request a call to the sandbox is: the catalog's binding steps (and
//! configuration lookups) of the connector, matched by method and path. Path templates
//! become patterns; their placeholders capture the values the sandbox's answer may quote.

use crate::catalog::binding::{ConfigField, Method, Step};
use crate::catalog::poll::{Poll, QueryValue};
use crate::catalog::template::{Source, Template};
use crate::catalog::{Connector, Operation};
use regex::Regex;
use serde_json::{Map, Value};

/// What the call is.
pub enum Endpoint<'c> {
    Step {
        action: &'c Operation,
        step: &'c Step,
    },
    Lookup(&'c ConfigField),
    /// A credential connector's test call (`[auth.check]`).
    Check(&'c Step),
    /// A trigger's list of new items, or one item read in full (`{=item_id}`).
    PollList {
        trigger: &'c Operation,
        poll: &'c Poll,
    },
    PollFetch {
        trigger: &'c Operation,
        poll: &'c Poll,
    },
}

pub struct Matched<'c> {
    pub endpoint: Endpoint<'c>,
    /// Path placeholders by name, percent-decoded.
    pub params: Map<String, Value>,
}

impl Matched<'_> {
    /// True for a trigger's list or item read, which the sandbox answers from its items.
    pub fn is_poll(&self) -> bool {
        matches!(self.endpoint, Endpoint::PollList { .. } | Endpoint::PollFetch { .. })
    }
}

/// The endpoint `method path` calls: the most specific pattern (the most literal text);
/// then a trigger's poll whose fixed query parameters the request carries (an action may
/// list at the same path: Gmail's search, GitHub's issues), or a poll's item read;
/// among steps with the same path, the one whose body template fits the body best (Notion
/// creates pages and database items at the same path); then a step that is its action's
/// only one.
pub fn find<'c>(
    connector: &'c Connector,
    method: Method,
    path: &str,
    query: &Map<String, Value>,
    body: &Value,
) -> Option<Matched<'c>> {
    let steps = connector
        .bound_actions()
        .flat_map(|a| a.call.iter().map(move |s| (Endpoint::Step { action: a, step: s }, s.method, s.served_path())));
    let lookups = connector.api.iter().flat_map(|api| &api.config).filter_map(|f| {
        let path = url::Url::parse(&f.url).ok().map(|u| u.path().to_owned());
        path.map(|p| (Endpoint::Lookup(f), Method::Get, Some(p)))
    });
    let polls = connector.triggers.iter().filter_map(|t| Some((t, t.poll.as_ref()?))).flat_map(|(trigger, poll)| {
        let list = (Endpoint::PollList { trigger, poll }, poll.method, Some(poll.path.clone()));
        let fetch =
            poll.fetch.as_ref().map(|f| (Endpoint::PollFetch { trigger, poll }, Method::Get, Some(f.path.clone())));
        std::iter::once(list).chain(fetch)
    });
    let check = connector.auth.check.iter().map(|s| (Endpoint::Check(s), s.method, s.served_path()));
    let sent = key_paths(body);
    let mut best: Option<((usize, bool, i64, bool), Matched<'c>)> = None;
    for (endpoint, m, template) in steps.chain(lookups).chain(polls).chain(check) {
        let Some(template) = template.filter(|_| m == method) else { continue };
        let Some((literal, params)) = matches(&template, path) else { continue };
        let (poll, fit, alone) = match &endpoint {
            Endpoint::Step { action, step } => (false, fit(step, &sent), action.call.len() == 1),
            Endpoint::Lookup(_) => (false, 0, true),
            Endpoint::Check(step) => (false, fit(step, &sent), true),
            Endpoint::PollList { poll, .. } => (carries_fixed_query(poll, query), 0, true),
            Endpoint::PollFetch { .. } => (true, 0, true),
        };
        let rank = (literal, poll, fit, alone);
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, Matched { endpoint, params }));
        }
    }
    best.map(|(_, m)| m)
}

/// True when the request has each query parameter the poll always sends, with its value.
fn carries_fixed_query(poll: &Poll, query: &Map<String, Value>) -> bool {
    poll.query.iter().all(|(name, value)| match value {
        QueryValue::One(t) if !t.contains('{') => query.get(name).and_then(Value::as_str) == Some(t.as_str()),
        _ => true,
    })
}

/// How well a body fits a step's body template: keys in both, less keys only the body has.
fn fit(step: &Step, sent: &[String]) -> i64 {
    let template = match (&step.json, &step.form, &step.multipart) {
        (Some(json), _, _) => key_paths(json),
        (_, Some(form), _) | (_, _, Some(form)) => form.keys().map(|k| format!("/{k}")).collect(),
        _ => Vec::new(),
    };
    let both = sent.iter().filter(|k| template.contains(k)).count() as i64;
    both - (sent.len() as i64 - both)
}

/// The JSON pointers of every object key in a value (a `?` ending a template key dropped).
fn key_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        if let Value::Object(map) = v {
            for (k, item) in map {
                let path = format!("{at}/{}", k.trim_end_matches('?'));
                walk(item, &path, out);
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

/// The captured placeholders and the amount of literal text, when `path` fits.
fn matches(template: &str, path: &str) -> Option<(usize, Map<String, Value>)> {
    let parsed = Template::parse(template).ok()?;
    let mut pattern = String::from("^");
    let mut names = Vec::new();
    let mut literal = 0;
    // Re-walk the text: literal runs between placeholders are escaped, each placeholder
    // captures one segment (or several with `|segments`).
    let mut rest = template;
    for p in parsed.placeholders() {
        let open = rest.find('{')?;
        let text = rest[..open].replace("{{", "{").replace("}}", "}");
        literal += text.len();
        pattern.push_str(&regex::escape(&text));
        let close = open + rest[open..].find('}')?;
        rest = &rest[close + 1..];
        let many = p.filters.iter().any(|f| f == "segments");
        // Possibly empty: a value may be one part of a segment (`{sheet|sheet_prefix}A1`).
        pattern.push_str(if many { "(.*?)" } else { "([^/]*)" });
        names.push(match &p.source {
            Source::Input(n) | Source::Config(n) => n.clone(),
            // `{=item_id}` of a poll's fetch: the item asked for.
            Source::Computed(n) if n == "item_id" => "=item_id".to_owned(),
            _ => String::new(),
        });
    }
    literal += rest.len();
    pattern.push_str(&regex::escape(&rest.replace("{{", "{").replace("}}", "}")));
    pattern.push_str("/?$");
    let re = Regex::new(&pattern).ok()?;
    let caps = re.captures(path)?;
    let mut params = Map::new();
    for (i, name) in names.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        if let Some(m) = caps.get(i + 1) {
            let decoded = percent_encoding::percent_decode_str(m.as_str()).decode_utf8_lossy().into_owned();
            params.insert(name.clone(), Value::String(decoded));
        }
    }
    Some((literal, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_capture_their_placeholders() {
        let (_, p) = matches("/repos/{repository|segments}/issues", "/repos/octo/hello%20world/issues").unwrap();
        assert_eq!(p["repository"], "octo/hello world");
        let (_, p) = matches(
            "/v4/spreadsheets/{spreadsheet}/values/{range}:append",
            "/v4/spreadsheets/S1/values/Sheet1!A1:append",
        )
        .unwrap();
        assert_eq!((p["spreadsheet"].as_str(), p["range"].as_str()), (Some("S1"), Some("Sheet1!A1")));
        assert!(matches("/a/{x}", "/a/b/c").is_none(), "one placeholder is one segment");
        let (_, p) = matches("/values/{sheet|sheet_prefix}A1:append", "/values/A1:append").unwrap();
        assert_eq!(p["sheet"], "", "an empty part of a segment");
        assert!(matches("/api/chat.postMessage", "/api/chatXpostMessage").is_none(), "dots are literal");
    }
}
