//! The rules of action bindings (`[api]`, `[[actions.call]]`): every placeholder names
//! something that exists when the step runs, every input is used, every host is allowed,
//! and the sandbox has an answer for every step it must play.

use super::{Locator, Seg, https_url};
use crate::catalog::binding::{Api, Step, placeholders_of};
use crate::catalog::filters;
use crate::catalog::model::{Connector, Operation};
use crate::catalog::template::{Source, Template};
use std::collections::HashSet;

/// Values computed for a request (`{=mime}`), and for a sandbox answer (`{=id}`).
pub const REQUEST_COMPUTED: [&str; 4] = ["mime", "uid", "now", "form_question"];
pub const SANDBOX_COMPUTED: [&str; 8] = ["id", "ts", "now", "account", "base", "uid", "status", "message"];

/// The inputs an RFC 2822 message (`{=mime}`) is built from.
pub const MIME_INPUTS: [&str; 5] = ["to", "cc", "bcc", "subject", "body"];

/// The inputs a Google Forms question (`{=form_question}`) is built from.
pub const FORM_QUESTION_INPUTS: [&str; 3] = ["question_type", "options", "required"];

pub(super) fn check_bindings(c: &Connector, at: &mut Locator<'_>) {
    use Seg::{Idx, Key};
    let typed: Vec<&str> = c.config_credentials().map(|t| t.name.as_str()).collect();
    if let Some(api) = &c.api {
        check_api(api, &typed, at);
    }
    for (i, t) in c.triggers.iter().enumerate() {
        if t.is_bound() || !t.returns.is_empty() || t.unbound.is_some() {
            at.report(
                &[Key("triggers"), Idx(i)],
                format!("{}.{}: triggers take no call, returns or unbound", c.id, t.id),
            );
        }
    }
    for (i, action) in c.actions.iter().enumerate() {
        let here = [Key("actions"), Idx(i)];
        if action.is_bound() && action.unbound.is_some() {
            at.report(&here, format!("{}.{} has steps and says it is unbound", c.id, action.id));
        }
        if !action.is_bound() {
            continue;
        }
        let Some(api) = &c.api else {
            at.report(&here, format!("{}.{} has steps but the connector has no [api] table", c.id, action.id));
            continue;
        };
        check_action(c, api, action, i, at);
    }
}

fn check_api(api: &Api, typed: &[&str], at: &mut Locator<'_>) {
    use Seg::{Idx, Key};
    let declared: Vec<&str> = api.config.iter().map(|f| f.name.as_str()).chain(typed.iter().copied()).collect();
    let base = config_placeholders(&api.base_url, &declared)
        .and_then(|()| https_url(&without_placeholders(&api.base_url)).map_err(str::to_owned));
    if let Err(why) = base {
        at.report(&[Key("api"), Key("base_url")], format!("api.base_url '{}' {why}", api.base_url));
    }
    for (i, host) in api.allowed_hosts.iter().enumerate() {
        let plain = without_placeholders(host);
        let ok = config_placeholders(host, &declared).is_ok()
            && !plain.is_empty()
            && plain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !ok {
            at.report(&[Key("api"), Key("allowed_hosts"), Idx(i)], format!("'{host}' is not a host name"));
        }
    }
    for pointer in api.error_message.iter().chain(&api.success_flag) {
        if !pointer.starts_with('/') {
            at.report(&[Key("api")], format!("'{pointer}' is not a JSON pointer (start it with '/')"));
        }
    }
    let mut names = HashSet::new();
    for (i, field) in api.config.iter().enumerate() {
        let here = [Key("api"), Key("config"), Idx(i)];
        if !names.insert(field.name.as_str()) || !field.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            at.report(&here, format!("config name '{}' is repeated or not [a-z_]+", field.name));
        }
        if let Err(why) = https_url(&field.url) {
            at.report(&here, format!("lookup url '{}' {why}", field.url));
        }
        if !field.field.starts_with('/') {
            at.report(&here, format!("'{}' is not a JSON pointer", field.field));
        }
        if field.example.is_none() {
            at.report(&here, "the sandbox needs an example answer to the lookup".into());
        }
    }
}

fn check_action(c: &Connector, api: &Api, action: &Operation, i: usize, at: &mut Locator<'_>) {
    use Seg::{Idx, Key};
    let name = format!("{}.{}", c.id, action.id);
    let inputs: HashSet<&str> = action.inputs.iter().map(|x| x.name.as_str()).collect();
    let config: Vec<&str> =
        api.config.iter().map(|f| f.name.as_str()).chain(c.config_credentials().map(|t| t.name.as_str())).collect();
    let hosts = allowed_hosts(api);
    let mut used: HashSet<String> = HashSet::new();
    for (s, step) in action.call.iter().enumerate() {
        let here = [Key("actions"), Idx(i), Key("call"), Idx(s)];
        let mut problem = |message: String| at.report(&here, format!("{name} step {}: {message}", s + 1));
        match (&step.path, &step.url) {
            (Some(p), None) if p.starts_with('/') => {}
            (Some(p), None) => problem(format!("path '{p}' must start with '/'")),
            (None, Some(u)) => check_url(step, u, &hosts, &mut problem),
            _ => problem("give a path or a url, not both".into()),
        }
        if step.body_kinds().len() > 1 {
            problem(format!("one body only, not {}", step.body_kinds().join(" and ")));
        }
        if step.method == crate::catalog::binding::Method::Get && !step.body_kinds().is_empty() {
            problem("a GET sends no body".into());
        }
        if !step.has_example() {
            problem("the sandbox needs an example answer (a body, headers, or example_status = 202 or 204)".into());
        }
        for gate in step.when.iter().chain(&step.unless) {
            used.insert(gate.clone());
            if !inputs.contains(gate.as_str()) {
                problem(format!("when/unless names '{gate}', which is not an input"));
            }
        }
        match placeholders_of(step.request_templates()) {
            Err((where_, e)) => problem(format!("{where_}: {e}")),
            Ok(found) => {
                for (where_, p) in found {
                    if let Err(why) = request_placeholder(&p.source, s + 1, &inputs, &config) {
                        problem(format!("{where_}: {{{p}}} {why}"));
                    }
                    if let Source::Input(n) = &p.source {
                        used.insert(n.clone());
                    }
                    if p.source == Source::Computed("mime".into()) {
                        used.extend(MIME_INPUTS.iter().map(|n| (*n).to_owned()));
                    }
                    if p.source == Source::Computed("form_question".into()) {
                        used.extend(FORM_QUESTION_INPUTS.iter().map(|n| (*n).to_owned()));
                    }
                    for f in p.filters.iter().filter(|f| !filters::is_known(f)) {
                        problem(format!("{where_}: there is no filter '{f}'"));
                    }
                }
            }
        }
        match placeholders_of(step.sandbox_templates()) {
            Err((where_, e)) => problem(format!("{where_}: {e}")),
            Ok(found) => {
                for (where_, p) in found {
                    let bad = match &p.source {
                        Source::Computed(n) => !SANDBOX_COMPUTED.contains(&n.as_str()),
                        Source::Step(..) | Source::Config(_) => true,
                        _ => false,
                    };
                    if bad || p.filters.iter().any(|f| !filters::is_known(f)) {
                        problem(format!("{where_}: {{{p}}} is not something the sandbox knows"));
                    }
                }
            }
        }
    }
    for (name, why) in &action.not_sent {
        used.insert(name.clone());
        if !inputs.contains(name.as_str()) || why.trim().is_empty() {
            at.report(
                &[Key("actions"), Idx(i), Key("not_sent")],
                format!("{name}: not_sent names an input and says why"),
            );
        }
    }
    for input in &action.inputs {
        if !used.contains(&input.name) {
            at.report(
                &[Key("actions"), Idx(i), Key("inputs")],
                format!("{name}: input '{}' is never sent (send it, or say why under not_sent)", input.name),
            );
        }
    }
    for (field, pointer) in &action.returns {
        let steps = action.call.len();
        let ok = match pointer.strip_prefix('$') {
            Some(rest) => {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let n: usize = digits.parse().unwrap_or(0);
                (1..=steps).contains(&n) && (rest[digits.len()..].is_empty() || rest[digits.len()..].starts_with('/'))
            }
            None => pointer.starts_with('/') || pointer.is_empty(),
        };
        if !ok {
            at.report(
                &[Key("actions"), Idx(i), Key("returns")],
                format!("{name}: returns.{field} '{pointer}' is not a JSON pointer"),
            );
        }
    }
}

fn check_url(step: &Step, url: &str, hosts: &[String], problem: &mut dyn FnMut(String)) {
    if url.starts_with('{') {
        if step.sandbox_path.is_none() {
            problem(format!("url '{url}' comes from an answer: say where the sandbox serves it (sandbox_path)"));
        }
        return;
    }
    let plain = without_placeholders(url);
    let host = url::Url::parse(&plain).ok().and_then(|u| u.host_str().map(str::to_owned));
    match (https_url(&plain), host) {
        (Err(why), _) => problem(format!("url '{url}' {why}")),
        (Ok(()), Some(h)) if !hosts.iter().any(|a| a == &h) => {
            problem(format!("url '{url}': host '{h}' is not the API's host nor in api.allowed_hosts"))
        }
        _ => {}
    }
}

fn request_placeholder(source: &Source, step: usize, inputs: &HashSet<&str>, config: &[&str]) -> Result<(), String> {
    match source {
        Source::Input(n) if inputs.contains(n.as_str()) => Ok(()),
        Source::Input(_) => Err("is not an input of the action".into()),
        Source::Computed(n) if REQUEST_COMPUTED.contains(&n.as_str()) => Ok(()),
        Source::Computed(_) => Err(format!("is not one of the computed values {}", REQUEST_COMPUTED.join(", "))),
        Source::Config(n) if config.contains(&n.as_str()) => Ok(()),
        Source::Config(_) => Err("is not declared under [[api.config]]".into()),
        Source::Step(n, _) if *n < step => Ok(()),
        Source::Step(..) => Err("names a step that has not run yet".into()),
        Source::Body(_) | Source::Query(_) => Err("reads a request, which only the sandbox's answers may".into()),
    }
}

/// The hosts calls may reach, placeholders left in (they match per connection).
fn allowed_hosts(api: &Api) -> Vec<String> {
    let base = url::Url::parse(&without_placeholders(&api.base_url)).ok().and_then(|u| u.host_str().map(str::to_owned));
    base.into_iter().chain(api.allowed_hosts.iter().map(|h| without_placeholders(h))).collect()
}

/// `{config.x}` becomes `x`, so that a URL with placeholders can be parsed.
fn without_placeholders(text: &str) -> String {
    match Template::parse(text) {
        Ok(t) => t
            .render_text(&NameOnly, &|p, s| {
                Ok(if matches!(p.source, Source::Config(_)) { format!("{s}.config") } else { s.to_owned() })
            })
            .ok()
            .flatten()
            .unwrap_or_else(|| text.to_owned()),
        Err(_) => text.to_owned(),
    }
}

/// Stands a name in for every placeholder, so that a templated URL can be parsed.
struct NameOnly;
impl crate::catalog::template::Resolve for NameOnly {
    fn resolve(&self, _: &Source) -> Option<serde_json::Value> {
        Some(serde_json::Value::String("x".into()))
    }
}

fn config_placeholders(text: &str, declared: &[&str]) -> Result<(), String> {
    let t = Template::parse(text).map_err(|e| e.to_string())?;
    for p in t.placeholders() {
        match &p.source {
            Source::Config(n) if declared.contains(&n.as_str()) => {}
            _ => {
                return Err(format!(
                    "has {{{p}}}, which is not under [[api.config]] nor a typed auth.credentials value"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::catalog::{SourceFile, check};

    /// Gmail's entry with `from` replaced by `to`, and the problems of that file.
    fn problems_with(from: &str, to: &str) -> Vec<String> {
        let text = crate::catalog::embedded_sources().into_iter().find(|f| f.stem() == "gmail").unwrap().text;
        assert!(text.contains(from), "the reference entry has {from}");
        let file = SourceFile { path: "catalog/connectors/gmail.toml".into(), text: text.replacen(from, to, 1) };
        let (_, problems) = check(&[file]);
        problems.into_iter().filter(|p| p.file.ends_with("gmail.toml") && p.line.is_some()).map(|p| p.message).collect()
    }

    #[test]
    fn the_reference_bindings_pass() {
        assert_eq!(problems_with("", ""), Vec::<String>::new());
    }

    #[test]
    fn a_binding_that_names_nothing_is_refused() {
        let unknown = problems_with("{message_id}/modify", "{message}/modify");
        assert!(unknown.iter().any(|m| m.contains("{message} is not an input")), "{unknown:?}");
        let unsent = unknown.iter().any(|m| m.contains("input 'message_id' is never sent"));
        assert!(unsent, "{unknown:?}");
        let filter = problems_with("{query}", "{query|shout}");
        assert!(filter.iter().any(|m| m.contains("no filter 'shout'")), "{filter:?}");
        let later = problems_with("[\"{$1/id}\"]", "[\"{$2/id}\"]");
        assert!(later.iter().any(|m| m.contains("names a step that has not run yet")), "{later:?}");
    }

    #[test]
    fn a_binding_may_not_reach_another_host_or_send_a_body_with_a_get() {
        let host = problems_with(
            "path = \"/gmail/v1/users/me/labels\"\nselect",
            "url = \"https://evil.example/labels\"\nselect",
        );
        assert!(host.iter().any(|m| m.contains("host 'evil.example' is not the API's host")), "{host:?}");
        let get = problems_with(
            "method = \"GET\"\npath = \"/gmail/v1/users/me/messages\"",
            "method = \"GET\"\njson = {}\npath = \"/gmail/v1/users/me/messages\"",
        );
        assert!(get.iter().any(|m| m.contains("a GET sends no body")), "{get:?}");
    }
}
