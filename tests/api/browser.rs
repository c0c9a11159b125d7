//! End to end in headless Chromium (Debian's chromium + chromium-driver, driven with
//! fantoccini): what a builder does with a mouse, on the real server.

use crate::helpers::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// ChromeDriver in its own process group, killed with everything it started.
pub struct Driver {
    child: Child,
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Driver {
    /// `None` (with a notice) when Chromium is not installed and CI is not set.
    pub async fn start() -> Option<Self> {
        if !std::path::Path::new("/usr/bin/chromedriver").exists()
            || !std::path::Path::new("/usr/bin/chromium").exists()
        {
            if std::env::var_os("CI").is_some() {
                panic!("chromium and chromium-driver are missing in CI: scripts/test installs them");
            }
            eprintln!("NOTICE: chromium is not installed (run scripts/test): skipping the browser test");
            return None;
        }
        let port = crate::peers::free_port();
        let mut cmd = Command::new("/usr/bin/chromedriver");
        cmd.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--window-size=1280,1000", format!("--user-data-dir={}", profile.path().display())
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::rustls()
                .expect("rustls")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Some(Self { child, client: client.expect("chromedriver answers"), _profile: profile })
    }

    /// Waits (up to 10 s) for an element to appear.
    pub async fn wait_for(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client.wait().at_most(Duration::from_secs(10)).for_element(locator).await.unwrap()
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.wait_for(Locator::Css(css)).await.text().await.unwrap()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().send_keys(text).await.unwrap();
    }

    /// Clicks the button with exactly this label.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        self.client.find(Locator::XPath(&xpath)).await.unwrap().click().await.unwrap();
    }

    /// Saves a screenshot under target/ (never committed).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: ChromeDriver and every Chromium process it started. A negative
        // pid on a `kill` command line is easy to get wrong, so call killpg directly.
        #[cfg(unix)]
        {
            use nix::sys::signal::{Signal, killpg};
            use nix::unistd::Pid;
            if let Ok(pid) = i32::try_from(self.child.id())
                && pid > 1
            {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn sign_in(d: &Driver, app: &TestApp, name: &str) {
    d.client.goto(&app.url("/login")).await.unwrap();
    d.client.find(Locator::XPath(&format!("//button[contains(., '{name}')]"))).await.unwrap().click().await.unwrap();
    d.wait_for(Locator::Css("textarea#prompt")).await;
}

#[tokio::test]
async fn a_builder_picks_gmail_creates_the_app_sees_the_card_and_skips_it() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;

    d.client.find(Locator::Css("details.plus > summary")).await.unwrap().click().await.unwrap();
    d.type_into("#picker-q", "gmail").await;
    d.client.find(Locator::Css("[data-add-chip='gmail']")).await.unwrap().click().await.unwrap();
    assert!(
        d.text_of("[data-chips] .chip[data-id='gmail']").await.contains("Gmail"),
        "the chip appears above the prompt"
    );

    d.type_into("textarea#prompt", "A to-do app that emails me my open tasks every morning").await;
    d.press("Create app").await;

    let card = d.wait_for(Locator::Css("section.card[id$='-gmail']")).await;
    // Rendered text: the stylesheet shows section headings in capitals.
    let text = card.text().await.unwrap().to_lowercase();
    for expected in
        ["gmail", "action required", "required permissions", "send email on your behalf", "connect to gmail"]
    {
        assert!(text.contains(expected), "the card shows {expected}: {text}");
    }
    let png = card.screenshot().await.unwrap();
    std::fs::write(d.screenshot("chat-with-card.png").await.with_file_name("approval-card.png"), png).unwrap();

    card.find(Locator::XPath(".//button[normalize-space()='Skip']")).await.unwrap().click().await.unwrap();
    let after = d.wait_for(Locator::Css("section.card-skipped")).await;
    assert!(after.text().await.unwrap().contains("Gmail was not added."));
    d.screenshot("card-skipped.png").await;
}

#[tokio::test]
async fn the_chat_answers_without_a_page_reload() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/chat")).await.unwrap();
    d.client.execute("window.__same_page = true;", vec![]).await.unwrap();
    d.type_into("textarea#message", "Post a message to #support in Slack when a new task is created").await;
    d.press("Send").await;
    let card = d.wait_for(Locator::Css("section.card[id$='-slack']")).await;
    assert!(card.text().await.unwrap().contains("#support"));
    let same = d.client.execute("return window.__same_page === true;", vec![]).await.unwrap();
    assert_eq!(same, serde_json::json!(true), "no reload happened");
    let input = d.client.find(Locator::Css("textarea#message")).await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().unwrap_or_default(), "", "the input is cleared for the next message");
}

/// Asks for Gmail in the chat and presses Connect on its card: the sandbox's consent
/// screen opens.
pub async fn open_gmail_consent(d: &Driver, app: &TestApp) {
    d.client.goto(&app.url("/apps/1/chat")).await.unwrap();
    d.type_into("textarea#message", "Send me a daily email with my to-do list using Gmail").await;
    d.press("Send").await;
    let card = d.wait_for(Locator::Css("section.card[id$='-gmail']")).await;
    card.find(Locator::XPath(".//button[normalize-space()='Connect to Gmail']")).await.unwrap().click().await.unwrap();
    d.wait_for(Locator::XPath("//button[normalize-space()='Allow']")).await;
}

/// Asks for Gmail in the chat and allows it on the sandbox's consent screen: the card
/// turns connected.
pub async fn connect_gmail(d: &Driver, app: &TestApp) {
    open_gmail_consent(d, app).await;
    d.press("Allow").await;
    d.wait_for(Locator::Css("section.card-connected")).await;
}

#[tokio::test]
async fn a_builder_connects_gmail_through_the_sandbox_consent_screen() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    open_gmail_consent(&d, &app).await;
    let consent = d.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(consent.contains("SANDBOX") && consent.contains("Send email on your behalf"), "{consent}");
    d.screenshot("sandbox-consent.png").await;
    d.press("Allow").await;

    let connected = d.wait_for(Locator::Css("section.card-connected")).await;
    assert!(connected.text().await.unwrap().contains("Connected as ada@example.com"));
    d.screenshot("connected.png").await;
}

#[tokio::test]
async fn a_new_owner_sets_up_patchbay_then_signs_out_and_back_in_with_the_password() {
    let app = TestApp::spawn_with(|s| s.seed_demo = false).await;
    let code = app.setup_code.clone().expect("a setup code");
    let Some(d) = Driver::start().await else { return };
    d.client.goto(&app.url("/login")).await.unwrap();
    d.client.find(Locator::LinkText("Set up the first owner")).await.unwrap().click().await.unwrap();
    d.wait_for(Locator::Css("input[name=code]")).await;
    d.type_into("input[name=code]", &code).await;
    d.type_into("input[name=name]", "Olive Owner").await;
    d.type_into("input[name=email]", "olive@example.org").await;
    d.type_into("input[name=password]", "a long enough passphrase").await;
    d.press("Create the owner account").await;
    d.wait_for(Locator::Css("textarea#prompt")).await;
    assert!(d.text_of(".whoami").await.contains("Olive Owner"));

    d.press("Sign out").await;
    d.wait_for(Locator::Css("input[name=password]")).await;
    d.type_into("input[name=email]", "olive@example.org").await;
    d.type_into("input[name=password]", "not the passphrase").await;
    d.press("Sign in").await;
    assert!(d.text_of("[role=alert]").await.contains("do not match"));
    d.type_into("input[name=password]", "a long enough passphrase").await;
    d.press("Sign in").await;
    d.wait_for(Locator::Css("textarea#prompt")).await;
    d.screenshot("signed-in-home.png").await;
}

#[tokio::test]
async fn a_new_app_from_the_homepage_gets_its_data_in_one_click_and_then_its_flow() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    d.client.find(Locator::Css("details.plus > summary")).await.unwrap().click().await.unwrap();
    for (query, id) in [("slack", "slack"), ("sheets", "google_sheets")] {
        d.wait_for(Locator::Css("#picker-q")).await.clear().await.unwrap();
        d.type_into("#picker-q", query).await;
        d.wait_for(Locator::Css(&format!("[data-add-chip='{id}']"))).await.click().await.unwrap();
        d.wait_for(Locator::Css(&format!("[data-chips] .chip[data-id='{id}']"))).await;
    }
    d.type_into("textarea#prompt", "A sales tracker: when a deal is won, post it in #sales and append it to a sheet")
        .await;
    d.press("Create app").await;

    for name in ["Slack", "Google Sheets"] {
        let label = format!("Connect to {name}");
        d.wait_for(Locator::XPath(&format!("//button[normalize-space()='{label}']"))).await;
        d.press(&label).await;
        d.wait_for(Locator::XPath("//button[normalize-space()='Allow']")).await;
        d.press("Allow").await;
    }
    let offer = d.wait_for(Locator::Css("form.offer button")).await;
    let label = offer.text().await.unwrap();
    assert!(label.starts_with("Add a Deal entity"), "the answer offers the missing data: {label}");
    let body = d.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(body.contains("This app has no deals"), "and says what is missing");
    d.screenshot("offer-to-add-data.png").await;

    offer.click().await.unwrap();
    d.wait_for(Locator::XPath("//*[contains(., 'I wired a flow for this')]")).await;
    let users = app.store.list_users().await.unwrap();
    let ada = users.iter().find(|u| u.email == crate::helpers::OWNER).unwrap();
    let apps = app.store.apps_of_user(ada.id).await.unwrap();
    let (new_app, _) = apps.iter().max_by_key(|(a, _)| a.id).unwrap();
    assert!(new_app.structure.contains("\"Deal\""), "the structure has the new entity");
    assert_eq!(app.store.flows_of_app(new_app.id).await.unwrap().len(), 1, "and the flow is wired");
    d.screenshot("flow-after-offer.png").await;
}
