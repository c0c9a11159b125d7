//! `TestApp`: the real server on 127.0.0.1:0 with a fresh SQLite database (or a fresh
//! PostgreSQL one), and HTTP clients signed in as the seeded people.

use patchbay::config::Settings;
use patchbay::startup::Application;
use patchbay::store::Store;
use reqwest::redirect::Policy;
use std::sync::Arc;

pub const OWNER: &str = "ada@example.com";
pub const EDITOR: &str = "eddie@example.com";
pub const APP_USER: &str = "una@example.com";
/// The seeded Todo app.
pub const TODO_APP: i64 = 1;

pub struct TestApp {
    pub base: String,
    pub state: patchbay::http::AppState,
    pub store: Store,
    /// The data directory; a second instance may share it (`spawn_in`).
    pub dir: Arc<tempfile::TempDir>,
    /// The code printed at start while nobody has an account.
    pub setup_code: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the server after `adjust` has changed the test settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_in(Arc::new(tempfile::tempdir().expect("temp dir")), adjust).await
    }

    /// A server on a fresh PostgreSQL database, after `adjust`; `None` when no cluster
    /// runs (`scripts/test` starts one, and CI requires it).
    pub async fn on_postgres(adjust: impl FnOnce(&mut Settings)) -> Option<Self> {
        let url = crate::pg::fresh_postgres_url().await?;
        Some(
            Self::spawn_with(|s| {
                s.database_url = Some(secrecy::SecretString::from(url));
                adjust(s);
            })
            .await,
        )
    }

    /// A server on the data directory `dir`, which another instance may be using too.
    pub async fn spawn_in(dir: Arc<tempfile::TempDir>, adjust: impl FnOnce(&mut Settings)) -> Self {
        let mut settings =
            Settings { bind: "127.0.0.1:0".parse().unwrap(), data_dir: dir.path().to_path_buf(), ..Default::default() };
        settings.log.level = "warn".into();
        adjust(&mut settings);
        Self::start(settings, dir).await
    }

    pub async fn start(settings: Settings, dir: Arc<tempfile::TempDir>) -> Self {
        let app = Application::build(settings).await.expect("the server builds");
        let state = app.state().clone();
        let setup_code = app.setup_code().map(str::to_owned);
        let base = format!("http://127.0.0.1:{}", app.port());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .expect("the server runs");
        });
        Self { base, store: state.store.clone(), state, dir, setup_code, stop: Some(tx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A bare client: its own cookies, redirects not followed (tests look at them), and no
    /// `Origin`, so its form posts are refused unless they carry the page's CSRF token.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
    }

    /// A browser on patchbay's pages: like `client`, and its posts carry patchbay's own
    /// `Origin`, as a browser's do.
    pub fn browser(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", self.base.parse().unwrap());
        reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).default_headers(headers).build().unwrap()
    }

    /// A browser signed in as the seeded person with this email (development sign-in).
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = self.browser();
        let users = self.store.list_users().await.unwrap();
        let user = users.iter().find(|u| u.email == email).unwrap_or_else(|| panic!("no seeded user {email}"));
        let resp = client.post(self.url("/login/dev")).form(&[("user_id", user.id.to_string())]).send().await.unwrap();
        assert_eq!(resp.status(), 303, "sign-in redirects");
        client
    }
}

/// The test settings unchanged, for checks that need nothing more (`on_both_servers!`).
pub fn defaults(_: &mut Settings) {}

/// Production settings as a deployment has them: an https public URL and an explicit
/// token key (the server refuses to start without both).
pub fn production(s: &mut Settings) {
    s.env = patchbay::config::Environment::Production;
    s.public_url = Some("https://patchbay.test".into());
    s.token_key = Some(secrecy::SecretString::from(patchbay::connections::generate_key()));
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Signs in as the user with this id and returns the `Cookie` header value to send, for
/// tests that drive cookies by hand.
pub async fn session_cookie(http: &reqwest::Client, app: &TestApp, user_id: i64) -> String {
    let response = http
        .post(app.url("/login/dev"))
        .header("origin", &app.base)
        .form(&[("user_id", user_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "sign-in redirects");
    let set_cookie = response.headers().get("set-cookie").expect("a session cookie").to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The body of a response as text, asserting its status first.
pub async fn text(resp: reqwest::Response, status: u16) -> String {
    let got = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert_eq!(got, status, "unexpected status; body: {}", &body[..body.len().min(1500)]);
    body
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}
