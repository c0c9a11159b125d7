//! axe-core (from npm, tests/peers/axe) in headless Chromium on every page state a
//! newcomer's journey reaches, wide and at 390 px: no serious or critical violation;
//! moderate ones are printed.

use crate::browser::{Driver, connect_gmail, open_gmail_consent, sign_in};
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
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/axe/node_modules/axe-core/axe.min.js");
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
    d.client.goto(&goto("/apps/1/integrations/connect?connector=slack&action=post_message")).await.unwrap();
    both_widths(&d, &source, "Connect for an agent", &mut found).await;
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

/// What `document.activeElement` is, as "tag#id".
async fn focused(d: &Driver) -> String {
    let v = d.client.execute("const e = document.activeElement; return e.tagName + '#' + e.id;", vec![]).await.unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn keyboard_users_land_on_the_card_after_oauth_and_escape_closes_the_menu() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    let summary = d.client.find(Locator::Css("details.plus > summary")).await.unwrap();
    summary.click().await.unwrap();
    d.client.find(Locator::Css("#picker-q")).await.unwrap().send_keys("gm").await.unwrap();
    d.client.find(Locator::Css("#picker-q")).await.unwrap().send_keys("\u{E00C}").await.unwrap(); // Escape
    let open = d.client.execute("return document.querySelector('details.plus').open;", vec![]).await.unwrap();
    assert_eq!(open, serde_json::json!(false), "Escape closes the + menu");
    assert_eq!(focused(&d).await, "SUMMARY#", "and focus returns to its button");

    open_gmail_consent(&d, &app).await;
    d.press("Allow").await;
    d.wait_for(Locator::Css("section.card-connected")).await;
    let at = focused(&d).await;
    assert!(
        at.starts_with("SECTION#card-") && at.ends_with("-gmail"),
        "focus is on the updated card, not the body: {at}"
    );
}

#[tokio::test]
async fn at_phone_width_the_navigation_is_one_row_and_scope_codes_do_not_break_mid_word() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    connect_gmail(&d, &app).await;
    d.client.set_window_size(390, 844).await.unwrap();
    d.client.goto(&app.url("/apps/1/integrations")).await.unwrap();
    d.client.find(Locator::Css("details.view-access > summary")).await.unwrap().click().await.unwrap();
    let heights = d
        .client
        .execute(
            "return { bar: document.querySelector('.topbar').getBoundingClientRect().height, \
             wide: document.documentElement.scrollWidth, \
             culprits: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391).slice(0, 6).map(e => e.tagName + '.' + e.className), codes: [...document.querySelectorAll('.scope-code span')].map(c => c.getClientRects().length) };",
            vec![],
        )
        .await
        .unwrap();
    let bar = heights["bar"].as_f64().unwrap();
    assert!(bar < 110.0, "the top bar is {bar} px tall at 390 px");
    assert!(heights["wide"].as_f64().unwrap() <= 390.0, "nothing pushes the page sideways: {heights}");
    let codes: Vec<u64> = heights["codes"].as_array().unwrap().iter().filter_map(|n| n.as_u64()).collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|&lines| lines == 1),
        "scope codes break only after a slash: {codes:?}"
    );
    d.screenshot("integrations-390.png").await;
}

#[tokio::test]
async fn an_app_users_connect_pages_and_the_app_user_connectors_section_pass_axe() {
    let Some(source) = axe_source() else { return };
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    let mut found = Vec::new();
    let set_up =
        patchbay::oauth::app_user::SetUp { app_id: 1, connector: "gmail", scopes: None, client: None, by: None };
    app.state.oauth.set_up_app_user_connector(set_up).await.unwrap();
    let link = app.state.oauth.new_connect_session(1, "user-5", "gmail", None).await.unwrap();

    d.client.goto(&link.url).await.unwrap();
    both_widths(&d, &source, "an app user's connect page", &mut found).await;
    d.press("Continue to Gmail").await;
    d.wait_for(Locator::XPath("//button[normalize-space()='Allow']")).await;
    d.press("Allow").await;
    d.wait_for(Locator::Css("p.notice")).await;
    both_widths(&d, &source, "an app user connected", &mut found).await;
    d.client.goto(&link.url).await.unwrap();
    both_widths(&d, &source, "a used link", &mut found).await;

    sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/integrations#app-users")).await.unwrap();
    for summary in d.client.find_all(Locator::Css("#app-users details > summary")).await.unwrap() {
        summary.click().await.unwrap();
    }
    both_widths(&d, &source, "App user connectors, opened", &mut found).await;
    assert!(found.is_empty(), "serious or critical accessibility violations:\n{}", found.join("\n"));
}

#[tokio::test]
async fn the_page_where_a_builder_lets_an_agent_in_and_the_signed_in_agents_pass_axe() {
    let Some(source) = axe_source() else { return };
    let app = TestApp::spawn().await;
    crate::actions::fixture::connect(&app, "gmail", &crate::actions::fixture::all_scopes(&app, "gmail")).await;
    let Some(d) = Driver::start().await else { return };
    let mut found = Vec::new();
    let redirect = "http://127.0.0.1:9/callback";
    app.store.insert_mcp_client("mcp_axe", "Desk agent", &format!("[\"{redirect}\"]")).await.unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", "mcp_axe"),
            ("redirect_uri", redirect),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
            ("resource", &app.url("/mcp/apps/1")),
        ])
        .finish();

    sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url(&format!("/mcp/oauth/authorize?{query}"))).await.unwrap();
    both_widths(&d, &source, "letting an agent in", &mut found).await;
    d.screenshot("agent-authorize.png").await;
    let ada = app.store.list_users().await.unwrap()[0].id;
    app.store.mcp_grant_for("mcp_axe", 1, ada).await.unwrap();
    d.client.goto(&app.url("/apps/1/settings#agents")).await.unwrap();
    both_widths(&d, &source, "Settings with a signed-in agent", &mut found).await;
    d.screenshot("settings-agents.png").await;
    assert!(found.is_empty(), "serious or critical accessibility violations:\n{}", found.join("\n"));
}
