//! The small template language of action bindings (docs/actions.md). A binding says how
//! an action's inputs become a provider request, and the sandbox says how a request becomes
//! an answer, both with `{…}` placeholders in catalog data rather than code per provider:
//!
//! - `{to}` an input (in the sandbox: a path parameter, query parameter or body field);
//! - `{=mime}` a value computed for the call (an RFC 2822 message, a fresh id, the time);
//! - `{config.cloud_id}` a value of the connection's configuration;
//! - `{$1/channel/id}` a field of the answer to an earlier step;
//! - `{/raw/to}`, `{?q}` (sandbox only) a field of the request body, a query parameter;
//! - `|filter` after any of them reshapes the value (`{attendees|attendees}`).
//!
//! A string that is one placeholder and nothing else keeps the value's JSON type (a list
//! stays a list); text around placeholders makes a string. `{{` and `}}` are braces.

use serde_json::{Map, Value};
use std::fmt;

/// Where a placeholder's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Input(String),
    Computed(String),
    Config(String),
    /// A step's answer (1-based) and a JSON pointer into it.
    Step(usize, String),
    /// A JSON pointer into the request body (sandbox answers and summaries).
    Body(String),
    /// A query parameter of the request (sandbox answers and summaries).
    Query(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub source: Source,
    pub filters: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Placeholder),
}

/// A parsed template string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("'{0}': a '{{' is never closed")]
    Unclosed(String),
    #[error("'{0}': a '}}' has no '{{' (write '}}}}' for a brace)")]
    Stray(String),
    #[error("'{text}': '{{{inner}}}' is not a placeholder ({why})")]
    Bad { text: String, inner: String, why: &'static str },
}

/// Why a template could not be rendered: a filter refused its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// Gives placeholders their values; `None` means absent.
pub trait Resolve {
    fn resolve(&self, source: &Source) -> Option<Value>;
}

impl Template {
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if rest[i..].starts_with("{{") || rest[i..].starts_with("}}") {
                literal.push_str(&rest[i..i + 1]);
                rest = &after[1..];
                continue;
            }
            if rest[i..].starts_with('}') {
                return Err(TemplateError::Stray(text.to_owned()));
            }
            let end = after.find('}').ok_or_else(|| TemplateError::Unclosed(text.to_owned()))?;
            let inner = &after[..end];
            let slot = parse_placeholder(inner).map_err(|why| TemplateError::Bad {
                text: text.to_owned(),
                inner: inner.to_owned(),
                why,
            })?;
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Slot(slot));
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Self(pieces))
    }

    /// The placeholder when the template is exactly one and nothing else.
    pub fn whole(&self) -> Option<&Placeholder> {
        match self.0.as_slice() {
            [Piece::Slot(p)] => Some(p),
            _ => None,
        }
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.0.iter().filter_map(|p| match p {
            Piece::Slot(s) => Some(s),
            Piece::Text(_) => None,
        })
    }

    /// The text with each value made a string by `encode` (percent-encoding in a path, a
    /// check for line breaks in a header). `None` when a placeholder is absent.
    pub fn render_text(
        &self,
        r: &dyn Resolve,
        encode: &dyn Fn(&Placeholder, &str) -> Result<String, RenderError>,
    ) -> Result<Option<String>, RenderError> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(p) => match value_of(p, r)? {
                    Some(v) => out.push_str(&encode(p, &text_of(&v))?),
                    None => return Ok(None),
                },
            }
        }
        Ok(Some(out))
    }

    /// A JSON value: a lone placeholder keeps its type, anything else is a string.
    pub fn render_value(&self, r: &dyn Resolve) -> Result<Option<Value>, RenderError> {
        match self.whole() {
            Some(p) => value_of(p, r),
            None => Ok(self.render_text(r, &|_, s| Ok(s.to_owned()))?.map(Value::String)),
        }
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Input(n) => write!(f, "{n}"),
            Source::Computed(n) => write!(f, "={n}"),
            Source::Config(n) => write!(f, "config.{n}"),
            Source::Step(i, p) => write!(f, "${i}{p}"),
            Source::Body(p) => write!(f, "{p}"),
            Source::Query(n) => write!(f, "?{n}"),
        }?;
        self.filters.iter().try_for_each(|x| write!(f, "|{x}"))
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn parse_placeholder(inner: &str) -> Result<Placeholder, &'static str> {
    let mut parts = inner.split('|');
    let head = parts.next().unwrap_or_default().trim();
    let filters: Vec<String> = parts.map(|f| f.trim().to_owned()).collect();
    if filters.iter().any(|f| !is_name(f) && !f.starts_with("default:")) {
        return Err("a filter is a lowercase name, or default:<text>");
    }
    let source = if let Some(n) = head.strip_prefix('=') {
        is_name(n).then(|| Source::Computed(n.to_owned())).ok_or("a computed value is a lowercase name")?
    } else if let Some(n) = head.strip_prefix("config.") {
        // As the catalog spells a credential the builder types (BambooHR's companyDomain).
        let ok = !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        ok.then(|| Source::Config(n.to_owned())).ok_or("a config value is a name of letters, digits and _")?
    } else if let Some(rest) = head.strip_prefix('$') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let step: usize = rest[..digits].parse().map_err(|_| "a step answer is $ and the step's number")?;
        let pointer = &rest[digits..];
        if step == 0 || !(pointer.is_empty() || pointer.starts_with('/')) {
            return Err("a step answer is $N followed by a JSON pointer, steps counted from 1");
        }
        Source::Step(step, pointer.to_owned())
    } else if head.starts_with('/') {
        Source::Body(head.to_owned())
    } else if let Some(n) = head.strip_prefix('?') {
        Source::Query(n.to_owned())
    } else if is_name(head) {
        Source::Input(head.to_owned())
    } else {
        return Err("a name is lowercase letters, digits and _");
    };
    Ok(Placeholder { source, filters })
}

/// The value of one placeholder, filters applied. `|default:text` stands in for an
/// absent value; a filter that answers null makes the value absent (`google_meet` for
/// `false`).
fn value_of(p: &Placeholder, r: &dyn Resolve) -> Result<Option<Value>, RenderError> {
    let fallback = p.filters.iter().find_map(|f| f.strip_prefix("default:")).map(|d| Value::String(d.to_owned()));
    let Some(mut value) = r.resolve(&p.source).filter(|v| !v.is_null()).or(fallback) else { return Ok(None) };
    for filter in p.filters.iter().filter(|f| !f.starts_with("default:")) {
        value = super::filters::apply(filter, value).map_err(|why| RenderError(format!("{{{p}}}: {why}")))?;
    }
    Ok((!value.is_null()).then_some(value))
}

/// How a value reads inside text: strings as they are, lists joined with commas.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Renders a JSON template: every string in it is a template. A member whose value is
/// absent is left out; a member whose key ends in `?` is left out (and the `?` dropped)
/// when anything inside it is absent, so a nested shape is sent whole or not at all.
pub fn render_json(template: &Value, r: &dyn Resolve) -> Result<Option<Value>, RenderError> {
    Ok(render_json_tracking(template, r)?.0)
}

/// The rendered value and whether any placeholder inside was absent.
fn render_json_tracking(template: &Value, r: &dyn Resolve) -> Result<(Option<Value>, bool), RenderError> {
    match template {
        Value::String(s) => {
            let t = Template::parse(s).map_err(|e| RenderError(e.to_string()))?;
            let v = t.render_value(r)?;
            let absent = v.is_none();
            Ok((v, absent))
        }
        Value::Array(items) => {
            let (mut out, mut absent) = (Vec::new(), false);
            for item in items {
                let (v, a) = render_json_tracking(item, r)?;
                absent |= a;
                // An item emptied by absent values (`{"insertText?": …}`) is left out whole.
                let emptied = a && v.as_ref().is_some_and(|v| v.as_object().is_some_and(Map::is_empty));
                if !emptied {
                    out.extend(v);
                }
            }
            Ok((Some(Value::Array(out)), absent))
        }
        Value::Object(members) => {
            let (mut out, mut absent) = (Map::new(), false);
            for (key, item) in members {
                let (v, a) = render_json_tracking(item, r)?;
                absent |= a;
                match key.strip_suffix('?') {
                    Some(key) if !a => {
                        out.insert(key.to_owned(), v.unwrap_or(Value::Null));
                    }
                    Some(_) => {}
                    None => {
                        if let Some(v) = v {
                            out.insert(key.clone(), v);
                        }
                    }
                }
            }
            Ok((Some(Value::Object(out)), absent))
        }
        other => Ok((Some(other.clone()), false)),
    }
}

/// Every template string inside a JSON template, for checks.
pub fn strings_in(template: &Value) -> Vec<&str> {
    match template {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings_in).collect(),
        Value::Object(members) => members.values().flat_map(strings_in).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Inputs(Value);
    impl Resolve for Inputs {
        fn resolve(&self, source: &Source) -> Option<Value> {
            match source {
                Source::Input(n) => self.0.get(n).cloned(),
                Source::Step(1, p) => json!({"channel": {"id": "D1"}}).pointer(p).cloned(),
                _ => None,
            }
        }
    }

    #[test]
    fn a_lone_placeholder_keeps_its_type_and_text_around_one_makes_a_string() {
        let r = Inputs(json!({"values": ["a", 2], "n": 3}));
        let t = json!({"values": ["{values}"], "range": "Sheet1!A{n}", "brace": "{{x}}"});
        assert_eq!(
            render_json(&t, &r).unwrap().unwrap(),
            json!({"values": [["a", 2]], "range": "Sheet1!A3", "brace": "{x}"})
        );
    }

    #[test]
    fn absent_inputs_drop_their_member_and_a_question_mark_drops_the_whole_shape() {
        let r = Inputs(json!({"title": "T"}));
        let t = json!({"summary": "{title}", "cc": "{cc}", "description?": {"content": [{"text": "{body}"}]}});
        assert_eq!(render_json(&t, &r).unwrap().unwrap(), json!({"summary": "T"}));
        let r = Inputs(json!({"title": "T", "body": "B"}));
        assert_eq!(
            render_json(&t, &r).unwrap().unwrap(),
            json!({"summary": "T", "description": {"content": [{"text": "B"}]}})
        );
    }

    #[test]
    fn a_default_stands_in_for_an_absent_value_and_a_null_filter_result_is_absent() {
        let r = Inputs(json!({"meet": false}));
        let t = json!({"calendar": "{calendar|default:primary}", "conferenceData": "{meet|google_meet}", "x": ["{y}"]});
        assert_eq!(render_json(&t, &r).unwrap().unwrap(), json!({"calendar": "primary", "x": []}));
        let items = json!([{"a?": {"b": "{y}"}}, {"c": 1}]);
        assert_eq!(render_json(&items, &r).unwrap().unwrap(), json!([{"c": 1}]), "an emptied item is left out");
    }

    #[test]
    fn placeholders_name_inputs_steps_config_and_computed_values() {
        let t = Template::parse("{=mime}{config.cloud_id}{$2/channel/id}{to|list}{/raw/to}{?q}").unwrap();
        let sources: Vec<_> = t.placeholders().map(|p| p.source.clone()).collect();
        assert_eq!(
            sources,
            [
                Source::Computed("mime".into()),
                Source::Config("cloud_id".into()),
                Source::Step(2, "/channel/id".into()),
                Source::Input("to".into()),
                Source::Body("/raw/to".into()),
                Source::Query("q".into()),
            ]
        );
        assert_eq!(Inputs(json!({})).resolve(&Source::Step(1, "/channel/id".into())), Some(json!("D1")));
    }

    #[test]
    fn malformed_templates_are_refused_with_the_text() {
        for bad in ["{to", "to}", "{To}", "{$0/x}", "{$1x}", "{a|B}", "{}", "{a|fallback:x}"] {
            assert!(Template::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
