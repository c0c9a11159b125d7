//! Test peers started by the tests themselves: panva's oidc-provider (a real OAuth 2.0
//! authorization server from npm, see tests/peers/oidc), and the driving of its login and
//! consent screens the way a person's browser would.

use reqwest::Client;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct OidcPeer {
    pub base: String,
    child: Child,
}

pub const CLIENT_ID: &str = "patchbay-test";
pub const CLIENT_SECRET: &str = "peer-client-secret";

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/oidc")
}

impl OidcPeer {
    /// Starts the server for one client with this redirect URI; `None` (with a notice) when
    /// its npm packages are not installed and CI is not set.
    pub fn start(redirect_uri: &str, scopes: &[&str], extra_env: &[(&str, String)]) -> Option<Self> {
        if !peer_dir().join("node_modules/oidc-provider").exists() {
            if std::env::var_os("CI").is_some() {
                panic!("tests/peers/oidc/node_modules is missing in CI: scripts/test installs it");
            }
            eprintln!("NOTICE: oidc-provider is not installed (run scripts/test): skipping the OAuth peer test");
            return None;
        }
        let clients =
            json!([{ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri] }]);
        let mut cmd = Command::new("node");
        cmd.arg("server.mjs")
            .current_dir(peer_dir())
            .env("PORT", "0")
            .env("CLIENTS", clients.to_string())
            .env("SCOPES", json!(scopes).to_string())
            .env("QUIET", "1")
            .env("EXIT_ON_STDIN_EOF", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("node starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("READY line");
        let base =
            line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("unexpected peer output: {line:?}")).to_owned();
        Some(Self { base, child })
    }

    /// The test-control channel; it accepts the peer's own test certificate.
    fn control_client() -> Client {
        Client::builder().tls_danger_accept_invalid_certs(true).build().unwrap()
    }

    pub async fn stats(&self) -> Value {
        Self::control_client().get(format!("{}/__stats", self.base)).send().await.unwrap().json().await.unwrap()
    }

    /// Makes the token endpoint fail ("error500", "invalid_grant") or stall (delay_ms).
    pub async fn control(&self, token_endpoint: Value) {
        let resp = Client::new()
            .post(format!("{}/__control", self.base))
            .json(&json!({ "token_endpoint": token_endpoint }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
    }
}

impl Drop for OidcPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port for a server that has to be named before it starts (the redirect URI the
/// authorization server registers).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn absolute(base: &reqwest::Url, location: &str) -> String {
    base.join(location).unwrap().to_string()
}

async fn follow(browser: &Client, url: &str) -> (reqwest::Url, String) {
    let resp = browser.get(url).send().await.unwrap();
    assert!(resp.status().is_redirection(), "{url} answered {}", resp.status());
    let here = resp.url().clone();
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    (here.clone(), absolute(&here, &to))
}

/// Logs in at the provider as `email`, grants consent, and returns the URL the provider
/// sends the browser back to (the patchbay callback with code and state).
pub async fn approve(browser: &Client, authorize_url: &str, email: &str) -> String {
    let (_, mut next) = follow(browser, authorize_url).await;
    for _ in 0..6 {
        if !next.contains("/interaction/") {
            return next;
        }
        let page = browser.get(&next).send().await.unwrap();
        let prompt =
            page.headers().get("x-interaction-prompt").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let form: Vec<(&str, &str)> = match prompt.as_str() {
            "login" | "select_account" => vec![("prompt", "login"), ("login", email)],
            _ => vec![("prompt", "consent")],
        };
        let resp = browser.post(&next).form(&form).send().await.unwrap();
        let here = resp.url().clone();
        let to = resp.headers()["location"].to_str().unwrap().to_owned();
        let (_, after) = follow(browser, &absolute(&here, &to)).await;
        next = after;
    }
    panic!("the provider kept asking: {next}");
}

/// Presses Cancel at the provider's login screen; returns the callback URL it sends back.
pub async fn deny(browser: &Client, authorize_url: &str) -> String {
    let (_, interaction) = follow(browser, authorize_url).await;
    let (_, resume) = follow(browser, &format!("{interaction}/abort")).await;
    let (_, back) = follow(browser, &resume).await;
    back
}
