//! Spawns the real server, as `main` builds it, on 127.0.0.1:0 with a fresh data directory
//! (so a fresh SQLite database, seeded with the demo people). Kept small and separate so
//! that it can grow into the shared `TestApp`.

use patchbay::config::Settings;
use patchbay::startup::Application;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct TestServer {
    /// Where to send requests: `http://127.0.0.1:<port>`.
    pub url: String,
    /// The data directory; pass it to [`TestServer::spawn_in`] for a second instance on
    /// the same database.
    pub dir: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// A server with the default (development) settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server whose settings `configure` may change first.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_in(Arc::new(tempfile::tempdir().expect("a temp dir")), configure).await
    }

    /// A server on the data directory `dir`, which another instance may be using too.
    pub async fn spawn_in(dir: Arc<TempDir>, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        configure(&mut settings);
        let app = Application::build(settings).await.expect("the server builds");
        let url = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self { url, dir, stop: Some(stop) }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A client that, like the tests' assertions need, never follows a redirect.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a reqwest client")
}

/// Signs in through the development login as the user with `user_id` (1 is the seeded
/// owner, ada@example.com) and returns the `Cookie` header value to send after.
pub async fn sign_in(http: &reqwest::Client, server: &TestServer, user_id: i64) -> String {
    let response = http.post(server.at("/login")).form(&[("user_id", user_id.to_string())]).send().await.unwrap();
    assert_eq!(response.status(), 303, "sign-in redirects");
    let set_cookie = response.headers().get("set-cookie").expect("a session cookie").to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}
