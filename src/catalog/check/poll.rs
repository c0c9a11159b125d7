//! The rules of trigger poll bindings (`[triggers.poll]`): the request names only the
//! trigger's inputs, the list and id pointers are pointers, the record fills only declared
//! outputs, and the sandbox has an answer to play.

use super::{Locator, Seg};
use crate::catalog::binding::placeholders_of;
use crate::catalog::filters;
use crate::catalog::model::{Connector, Operation};
use crate::catalog::poll::Poll;
use crate::catalog::template::{Source, Template};
use std::collections::HashSet;

pub(super) fn check_polls(c: &Connector, at: &mut Locator<'_>) {
    for (i, t) in c.triggers.iter().enumerate() {
        let Some(poll) = &t.poll else { continue };
        let here = [Seg::Key("triggers"), Seg::Idx(i), Seg::Key("poll")];
        let name = format!("{}.{}", c.id, t.id);
        let mut problem = |m: String| at.report(&here, format!("{name} poll: {m}"));
        if c.api.is_none() {
            problem("the connector has no [api] table to call".into());
        }
        for m in problems_of(t, poll) {
            problem(m);
        }
    }
}

/// What is wrong with one poll binding, in words.
pub(super) fn problems_of(t: &Operation, poll: &Poll) -> Vec<String> {
    let mut out = Vec::new();
    let inputs: HashSet<&str> = t.inputs.iter().map(|x| x.name.as_str()).collect();
    let mut used = HashSet::new();
    for (path, label) in
        [(Some(poll.path.as_str()), "path"), (poll.fetch.as_ref().map(|f| f.path.as_str()), "fetch.path")]
    {
        if let Some(p) = path.filter(|p| !p.starts_with('/')) {
            out.push(format!("{label} '{p}' must start with '/'"));
        }
    }
    for (field, pointer) in [("items", &poll.items), ("id", &poll.id)] {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            out.push(format!("{field} '{pointer}' is not a JSON pointer (start it with '/')"));
        }
    }
    if poll.id.is_empty() {
        out.push("id must point at each item's id (e.g. \"/id\")".into());
    }
    if poll.skip_if.as_deref().is_some_and(|p| !p.starts_with('/')) {
        out.push("skip_if is not a JSON pointer".into());
    }
    let fetch_item_id = poll.fetch_templates().into_iter().map(|(w, t)| (w, t, true));
    let list = poll.request_templates().into_iter().map(|(w, t)| (w, t, false));
    for (where_, text, in_fetch) in list.chain(fetch_item_id) {
        let found = match placeholders_of([(where_.clone(), text)]) {
            Ok(found) => found,
            Err((w, e)) => {
                out.push(format!("{w}: {e}"));
                continue;
            }
        };
        for (_, p) in found {
            match &p.source {
                Source::Input(n) if inputs.contains(n.as_str()) => {
                    used.insert(n.clone());
                }
                Source::Computed(n) if in_fetch && n == "item_id" => {}
                _ => out.push(format!(
                    "{where_}: {{{p}}} is not an input of the trigger{}",
                    if in_fetch { " nor {=item_id}" } else { "" }
                )),
            }
            for f in p.filters.iter().filter(|f| !filters::is_known(f)) {
                out.push(format!("{where_}: there is no filter '{f}'"));
            }
        }
    }
    if let Some(f) = &poll.fetch
        && !f.path.contains("{=item_id}")
    {
        out.push("fetch.path must name the item with {=item_id}".into());
    }
    for input in &t.inputs {
        if !used.contains(&input.name) {
            out.push(format!("input '{}' is never sent", input.name));
        }
    }
    let outputs: HashSet<&str> = t.outputs.iter().map(String::as_str).collect();
    for (field, text) in &poll.record {
        if !outputs.contains(field.as_str()) {
            out.push(format!("record.{field} is not one of the trigger's outputs"));
        }
        match Template::parse(text) {
            Err(e) => out.push(format!("record.{field}: {e}")),
            Ok(t) => {
                for p in t.placeholders() {
                    let known = match &p.source {
                        Source::Body(_) => true,
                        Source::Input(n) => inputs.contains(n.as_str()),
                        _ => false,
                    };
                    if !known {
                        out.push(format!(
                            "record.{field}: {{{p}}} is neither a field of the item ({{/pointer}}) nor an input"
                        ));
                    }
                    for f in p.filters.iter().filter(|f| !filters::is_known(f)) {
                        out.push(format!("record.{field}: there is no filter '{f}'"));
                    }
                }
            }
        }
    }
    if poll.record.is_empty() {
        out.push("record must fill at least one output".into());
    }
    if poll.example.is_none() && !poll.items.is_empty() {
        out.push("the sandbox needs an example answer around the items (example)".into());
    }
    if poll.fetch.is_some() && poll.listed.is_none() {
        out.push("with fetch, the sandbox needs the shape of a listed item (listed)".into());
    }
    match &poll.sandbox_items {
        Some(serde_json::Value::Array(items)) => {
            for (n, entry) in items.iter().enumerate() {
                let item = entry.get("item");
                if item.is_none_or(|i| poll.id_of(i).is_none()) {
                    out.push(format!("sandbox_items[{n}] needs an item with an id at '{}'", poll.id));
                }
            }
        }
        Some(_) => out.push("sandbox_items is a list of {\"item\", \"where\"}".into()),
        None => out.push("the sandbox needs a few items to list (sandbox_items)".into()),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(poll: &str) -> (Operation, Poll) {
        let op: Operation = toml::from_str(
            r#"
            id = "new_thing"
            name = "New thing"
            description = "d"
            capability = "issue"
            phrases = ["when"]
            inputs = [{ name = "repository", type = "string", required = true }]
            outputs = ["title"]
            "#,
        )
        .unwrap();
        (op, toml::from_str(poll).unwrap())
    }

    const GOOD: &str = r#"
        path = "/repos/{repository|segments}/issues"
        query = { state = "open" }
        items = ""
        id = "/id"
        record = { title = "{/title}" }
        sandbox_items = '[{"item": {"id": 1, "title": "t"}, "where": {"repository": "*"}}]'
    "#;

    #[test]
    fn a_sound_poll_binding_passes() {
        let (op, poll) = trigger(GOOD);
        assert_eq!(problems_of(&op, &poll), Vec::<String>::new());
    }

    #[test]
    fn a_poll_binding_that_names_what_is_not_there_is_refused() {
        let (op, poll) = trigger(&GOOD.replace("{repository|segments}", "{repo}").replace("{/title}", "{title}"));
        let found = problems_of(&op, &poll).join("\n");
        assert!(found.contains("{repo} is not an input of the trigger"), "{found}");
        assert!(found.contains("input 'repository' is never sent"), "{found}");
        assert!(found.contains("record.title: {title} is neither a field of the item"), "{found}");
        let (op, poll) =
            trigger(&GOOD.replace("id = \"/id\"", "id = \"\"").replace("record = { title", "record = { name"));
        let found = problems_of(&op, &poll).join("\n");
        assert!(found.contains("id must point at each item's id"), "{found}");
        assert!(found.contains("record.name is not one of the trigger's outputs"), "{found}");
        assert!(found.contains("sandbox_items[0] needs an item with an id"), "{found}");
        let (op, poll) = trigger(&format!("{GOOD}\nfetch = {{ path = \"/x/{{id}}\" }}\n"));
        let found = problems_of(&op, &poll).join("\n");
        assert!(found.contains("fetch.path must name the item with {=item_id}"), "{found}");
        assert!(found.contains("the shape of a listed item"), "{found}");
    }
}
