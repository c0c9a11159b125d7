//! One step of a binding made into an HTTP request: templates rendered with the inputs,
//! the connection's configuration and earlier answers; the path encoded segment by
//! segment; the body in the shape the step names. The result is plain data, so that the
//! same request can be sent again with a renewed token.

use super::target::{Target, TargetError};
use crate::catalog::binding::{Method, Step};
use crate::catalog::filters::file_bytes;
use crate::catalog::template::{Placeholder, RenderError, Resolve, Source, Template, render_json, text_of};
use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};
use url::Url;

/// Everything but what RFC 3986 calls unreserved is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Render(String),
    #[error(transparent)]
    Target(#[from] TargetError),
}

impl From<RenderError> for BuildError {
    fn from(e: RenderError) -> Self {
        Self::Render(e.0)
    }
}

/// A request ready to send, without its credential.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Bytes)>,
}

/// The values a request's templates may use.
pub struct Scope<'a> {
    pub inputs: &'a Map<String, Value>,
    pub config: &'a Map<String, Value>,
    /// Answers of the steps so far (`None` for a step that did not run).
    pub answers: &'a [Option<Value>],
    /// `{=mime}`, built once before the first step when the binding uses it.
    pub mime: Option<String>,
    /// `{=uid}`: one id per run, so that the requests of a batch can refer to each other.
    pub uid: &'a str,
    /// `{=item_id}`: the item a trigger poll reads in full.
    pub item_id: Option<&'a str>,
}

impl Resolve for Scope<'_> {
    fn resolve(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Input(n) => self.inputs.get(n).cloned(),
            Source::Config(n) => self.config.get(n).cloned(),
            Source::Step(i, pointer) => self.answers.get(i - 1)?.as_ref()?.pointer(pointer).cloned(),
            Source::Computed(n) => match n.as_str() {
                "mime" => self.mime.clone().map(Value::String),
                "uid" => Some(Value::String(self.uid.to_owned())),
                "item_id" => self.item_id.map(|id| Value::String(id.to_owned())),
                "form_question" => Some(super::shapes::form_question(self.inputs)),
                "now" => Some(Value::String(crate::catalog::filters::rfc3339(chrono::Utc::now()))),
                _ => None,
            },
            Source::Body(_) | Source::Query(_) => None,
        }
    }
}

/// True when the step's `when`/`unless` let it run: `when` needs each input given and not
/// `false`, `unless` none of them.
pub fn runs(step: &Step, inputs: &Map<String, Value>) -> bool {
    let on = |n: &String| inputs.get(n).is_some_and(|v| v != &Value::Bool(false));
    step.when.iter().all(on) && !step.unless.iter().any(on)
}

pub fn prepare(step: &Step, target: &Target, scope: &Scope<'_>) -> Result<Prepared, BuildError> {
    let url = match (&step.path, &step.url) {
        (Some(path), _) => {
            let path = Template::parse(path)
                .map_err(|e| BuildError::Render(e.to_string()))?
                .render_text(scope, &encode_path)?
                .ok_or_else(|| BuildError::Render("the path needs an input that was not given".into()))?;
            // Empty segments only at the end: some APIs' paths end in '/' (TikTok's).
            let inner: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
            if inner.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
                return Err(BuildError::Render(format!("the path {path} has an empty or dot segment")));
            }
            target.join(&path, None)?
        }
        (None, Some(url)) => {
            // A URL an answer gave is taken whole; placeholders after a literal host are
            // path segments like any other.
            let whole: &dyn Fn(&Placeholder, &str) -> Result<String, RenderError> = &|_, v| Ok(v.to_owned());
            let encode: &dyn Fn(&Placeholder, &str) -> Result<String, RenderError> =
                if url.starts_with('{') { whole } else { &encode_path };
            let url = Template::parse(url)
                .map_err(|e| BuildError::Render(e.to_string()))?
                .render_text(scope, encode)?
                .ok_or_else(|| BuildError::Render("an earlier answer gave no URL to continue with".into()))?;
            target.absolute(&url)?
        }
        (None, None) => return Err(BuildError::Render("the step has no path".into())),
    };
    let mut url = url;
    let query = rendered_pairs(&step.query, scope)?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let mut headers = Vec::new();
    for (name, t) in &step.headers {
        let value = Template::parse(t).map_err(|e| BuildError::Render(e.to_string()))?.render_text(scope, &one_line)?;
        headers.extend(value.map(|v| (name.clone(), v)));
    }
    Ok(Prepared { method: step.method, url, headers, body: body(step, scope)? })
}

fn body(step: &Step, scope: &Scope<'_>) -> Result<Option<(String, Bytes)>, BuildError> {
    if let Some(json) = &step.json {
        let value = render_json(json, scope)?.unwrap_or(Value::Object(Map::new()));
        return Ok(Some(("application/json".into(), Bytes::from(value.to_string()))));
    }
    if let Some(form) = &step.form {
        let pairs = rendered_pairs(form, scope)?;
        let text = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        return Ok(Some(("application/x-www-form-urlencoded".into(), Bytes::from(text))));
    }
    if let Some(parts) = &step.multipart {
        return multipart(parts, scope).map(Some);
    }
    if let Some(raw) = &step.raw {
        let file = Template::parse(raw)
            .map_err(|e| BuildError::Render(e.to_string()))?
            .render_value(scope)?
            .ok_or_else(|| BuildError::Render("the file to send was not given".into()))?;
        let bytes = file_bytes(&file).map_err(BuildError::Render)?;
        return Ok(Some((mime_type(&file), Bytes::from(bytes))));
    }
    Ok(None)
}

/// Query parameters or form fields; an absent value leaves its pair out.
fn rendered_pairs(
    templates: &std::collections::BTreeMap<String, String>,
    scope: &Scope<'_>,
) -> Result<Vec<(String, String)>, BuildError> {
    let mut out = Vec::new();
    for (name, t) in templates {
        let t = Template::parse(t).map_err(|e| BuildError::Render(e.to_string()))?;
        if let Some(v) = t.render_value(scope)? {
            out.push((name.clone(), text_of(&v)));
        }
    }
    Ok(out)
}

/// multipart/form-data: a file input becomes a file part, anything else a text part.
fn multipart(
    parts: &std::collections::BTreeMap<String, String>,
    scope: &Scope<'_>,
) -> Result<(String, Bytes), BuildError> {
    let boundary = format!("patchbay-{}", &crate::digest::random_token()[..32]);
    let mut out: Vec<u8> = Vec::new();
    for (name, t) in parts {
        let t = Template::parse(t).map_err(|e| BuildError::Render(e.to_string()))?;
        let Some(value) = t.render_value(scope)? else { continue };
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let is_file =
            value.get("name").is_some() && (value.get("content").is_some() || value.get("content_base64").is_some());
        if is_file {
            let file_name = value.get("name").and_then(Value::as_str).unwrap_or("file").replace('"', "");
            let head = format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {}\r\n\r\n",
                mime_type(&value)
            );
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(&file_bytes(&value).map_err(BuildError::Render)?);
        } else {
            out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
            out.extend_from_slice(text_of(&value).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), Bytes::from(out)))
}

fn mime_type(file: &Value) -> String {
    file.get("mime_type").and_then(Value::as_str).unwrap_or("application/octet-stream").to_owned()
}

/// A value inside a path: one encoded segment, or with `|segments` several, none of them
/// empty or a dot segment.
fn encode_path(p: &Placeholder, value: &str) -> Result<String, RenderError> {
    if p.filters.iter().any(|f| f == "segments") {
        let parts: Vec<&str> = value.trim_matches('/').split('/').collect();
        if parts.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
            return Err(RenderError(format!("'{value}' is not a path of names")));
        }
        return Ok(parts.iter().map(|s| utf8_percent_encode(s, SEGMENT).to_string()).collect::<Vec<_>>().join("/"));
    }
    if value == "." || value == ".." {
        return Err(RenderError(format!("'{value}' cannot be part of a path")));
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

fn one_line(_: &Placeholder, value: &str) -> Result<String, RenderError> {
    if value.contains(['\r', '\n']) {
        return Err(RenderError("a header value cannot contain a line break".into()));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::template::Template;

    #[test]
    fn values_in_a_path_cannot_add_segments_or_climb_out() {
        let p = Template::parse("{x}").unwrap();
        let slot = p.whole().unwrap();
        assert_eq!(encode_path(slot, "../../admin").unwrap(), "..%2F..%2Fadmin");
        assert_eq!(encode_path(slot, "a b@c").unwrap(), "a%20b%40c");
        assert!(encode_path(slot, "..").is_err());
        assert_eq!(encode_path(slot, "").unwrap(), "", "text around it may still make a segment");
        let seg = Template::parse("{x|segments}").unwrap();
        assert_eq!(encode_path(seg.whole().unwrap(), "octo/hello world").unwrap(), "octo/hello%20world");
        assert!(encode_path(seg.whole().unwrap(), "octo/../x").is_err());
        assert!(encode_path(seg.whole().unwrap(), "octo//x").is_err());
    }
}
