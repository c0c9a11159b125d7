//! axe-core (from npm, tests/peers/axe) in headless Chromium on every page state a
//! newcomer's journey reaches, wide and at 390 px: no serious or critical violation;
//! moderate ones are printed.

use crate::browser::{Driver, open_gmail_consent, sign_in};
use crate::helpers::TestApp;
use fantoccini::Locator;

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))
}))));
"#;

fn axe_source() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) if std::env::var_os("CI").is_some() => panic!("axe-core is missing in CI: scripts/test installs it"),
        Err(_) => {
            eprintln!("NOTICE: axe-core is not installed (run scripts/test): skipping the accessibility check");
            None
        }
    }
}

/// The serious and critical violations of the page as it is now ("state: rule (targets)").
async fn check(d: &Driver, source: &str, state: &str, found: &mut Vec<String>) {
    d.client.execute(source, vec![]).await.unwrap();
    let violations = d.client.execute_async(RUN_AXE, vec![]).await.unwrap();
    for v in violations.as_array().cloned().unwrap_or_default() {
        let impact = v["impact"].as_str().unwrap_or("");
        let line = format!("{state}: {} [{impact}] {} {}", v["id"].as_str().unwrap_or(""), v["help"], v["targets"]);
        if matches!(impact, "serious" | "critical") {
            found.push(line);
        } else {
            eprintln!("axe (moderate): {line}");
        }
    }
}

/// Checks the page as it is now, wide and then at 390 px.
async fn both_widths(d: &Driver, source: &str, state: &str, found: &mut Vec<String>) {
    check(d, source, state, found).await;
    d.client.set_window_size(390, 844).await.unwrap();
    check(d, source, &format!("{state} (390 px)"), found).await;
    d.client.set_window_size(1280, 1000).await.unwrap();
}

#[tokio::test]
async fn every_page_state_of_a_newcomers_journey_passes_axe() {
    let Some(source) = axe_source() else { return };
    let app = TestApp::spawn_with(|s| s.runner.tick_ms = 200).await;
    let Some(d) = Driver::start().await else { return };
    let mut found = Vec::new();
    let goto = |path: &str| app.url(path);

    d.client.goto(&goto("/login")).await.unwrap();
    both_widths(&d, &source, "sign-in", &mut found).await;
    sign_in(&d, &app, "Ada Owner").await;
    d.client.find(Locator::Css("details.plus > summary")).await.unwrap().click().await.unwrap();
    both_widths(&d, &source, "home with the connector menu open", &mut found).await;

    open_gmail_consent(&d, &app).await;
    both_widths(&d, &source, "the consent screen", &mut found).await;
    d.client.back().await.unwrap();
    d.wait_for(Locator::Css("section.card[id$='-gmail']")).await;
    both_widths(&d, &source, "chat with a card", &mut found).await;
    d.client.forward().await.unwrap();
    d.press("Allow").await;
    d.wait_for(Locator::Css("section.card-connected")).await;
    both_widths(&d, &source, "chat with a flow", &mut found).await;

    d.client.goto(&goto("/apps/1/integrations")).await.unwrap();
    d.client.find(Locator::Css("details.view-access > summary")).await.unwrap().click().await.unwrap();
    both_widths(&d, &source, "My integrations with View access", &mut found).await;
    d.client.goto(&goto("/apps/1/integrations/browse")).await.unwrap();
    both_widths(&d, &source, "Browse", &mut found).await;
    d.client.goto(&goto("/apps/1/flows")).await.unwrap();
    both_widths(&d, &source, "Flows", &mut found).await;
    d.press("Run now (test)").await;
    d.wait_for(Locator::Css(".run-steps")).await;
    both_widths(&d, &source, "a run's detail", &mut found).await;
    d.client.goto(&goto("/apps/1/settings")).await.unwrap();
    both_widths(&d, &source, "Settings", &mut found).await;
    d.client.goto(&goto("/apps/1/data")).await.unwrap();
    both_widths(&d, &source, "Data", &mut found).await;
    d.client.goto(&goto("/apps/1/no-such-page")).await.unwrap();
    both_widths(&d, &source, "an error page", &mut found).await;

    assert!(found.is_empty(), "serious or critical accessibility violations:\n{}", found.join("\n"));
}
