//! No input makes patchbay panic: property tests over routing, intent parsing, flow
//! wiring, app structures, catalog files and flow definitions, with arbitrary Unicode
//! (including the letters whose lower case has another length: 'K', 'ẞ', 'Ⱥ', 'Ⱦ', 'İ').
//! Bounded to run in seconds; `cargo run --release --example fuzz` runs the same for as
//! long as you like.

use patchbay::app::AppStructure;
use patchbay::app::demo::todo_structure;
use patchbay::catalog::{Catalog, SourceFile};
use patchbay::ranking::{RouteRequest, Router};
use patchbay::wiring::{self, Context, FlowDefinition};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::{Arc, LazyLock};

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));

/// Words the router reacts to, mixed with letters that change length when lower-cased,
/// quotes, sigils and any Unicode at all.
fn request_text() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        3 => prop::sample::select(vec![
            "when", "whenever", "every", "each", "day", "at", "8am", "created", "moves to", "is", "marked as", "new",
            "send", "email", "post", "to", "Gmail", "slack", "#team", "@ana", "Google Sheets", "a", "task", "deal",
            "\"Won\"", "'x'", "→", "…", ",", ".", "?", "monday.com", "to-do", "every weekday", "chaque jour",
        ]).prop_map(str::to_owned),
        2 => prop::sample::select(vec!["\u{212A}", "ẞ", "Ⱥ", "Ⱦ", "İ", "ǅ", "ß", "ﬁ", "\u{0301}", "\u{200D}", "🙂", "\t", "\n"])
            .prop_map(str::to_owned),
        2 => "\\PC{1,8}",
    ];
    prop::collection::vec(atom, 0..14).prop_map(|words| words.join(" "))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["name", "fields", "type", "Task", "due_date", "date"])
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["name", "pages", "entities", "fields", "type", "flows", "connected", "x"])
                    .prop_map(str::to_owned),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `text` with `insert` placed at a character boundary chosen by `at`.
fn spliced(text: &str, at: usize, insert: &str) -> String {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let i = boundaries[at % boundaries.len()];
    format!("{}{insert}{}", &text[..i], &text[i..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn routing_and_wiring_never_panic(prompt in request_text()) {
        let app = todo_structure();
        let Ok(route) = ROUTER.route(&RouteRequest { prompt: prompt.clone(), app: app.clone(), chips: vec![] }) else {
            return Ok(());
        };
        let ctx = Context {
            catalog: ROUTER.catalog(),
            app: &app,
            time_zone: "Europe/Paris",
            requester: "ada@example.com",
            request: &prompt,
            message_id: None,
        };
        let _ = wiring::generate(&route, &ctx);
    }

    #[test]
    fn any_app_structure_is_parsed_or_refused_and_routes_with_it(value in json_value(), prompt in request_text()) {
        let app = AppStructure::from_value(&value).unwrap_or_default();
        let _ = ROUTER.route(&RouteRequest { prompt, app, chips: vec!["gmail".into(), "nope".into()] });
    }

    #[test]
    fn a_mangled_catalog_file_is_refused_not_a_crash(at in any::<usize>(), insert in "\\PC{0,6}|[\\[\\]\"=\\n]{1,3}") {
        let gmail = include_str!("../../catalog/connectors/gmail.toml");
        let file = SourceFile { path: "catalog/connectors/gmail.toml".into(), text: spliced(gmail, at, &insert) };
        let _ = Catalog::from_sources(&[file]);
    }

    #[test]
    fn a_mangled_flow_definition_is_refused_not_a_crash(at in any::<usize>(), insert in "\\PC{0,6}|[{}\\[\\]\":,]{1,3}", value in json_value()) {
        let flow = r#"{"version":1,"name":"Daily","trigger":{"kind":"schedule","cron":"0 8 * * *","time_zone":"UTC","description":"every day"},"steps":[]}"#;
        let _ = FlowDefinition::from_json(&spliced(flow, at, &insert));
        let _ = FlowDefinition::from_json(&value.to_string());
    }
}
