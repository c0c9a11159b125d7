//! The command line: `catalog check` on the real catalog and on broken copies (each check
//! fires, with file and line), `route` and `route --jsonl` on good and bad input, and a
//! fresh `serve` that creates its database and demo app.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn patchbay() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patchbay"));
    // Settings come from PATCHBAY_* variables: keep the developer's own out of the tests.
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PATCHBAY_")) {
        cmd.env_remove(k);
    }
    cmd
}

fn catalog_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("catalog/connectors");
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn check(dir: &Path) -> Output {
    patchbay().args(["catalog", "check", "--dir"]).arg(dir).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_real_catalog_passes_its_check() {
    let out = patchbay().args(["catalog", "check"]).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    let expected = format!("catalog ok: {} connectors", patchbay::catalog::KNOWN_IDS.len());
    assert!(stdout(&out).contains(&expected), "{}", stdout(&out));
}

/// Each kind of broken entry: exit 1, and the file and line named.
#[test]
fn every_kind_of_broken_entry_is_reported_with_file_and_line() {
    type Break = fn(&Path);
    let cases: [(&str, Break, &str); 8] = [
        ("toml syntax", |d| edit(d, "gmail.toml", "name = \"Gmail\"", "name = \"Gmail"), "gmail.toml:2:"),
        ("missing field", |d| edit(d, "slack.toml", "\ndescription = ", "\nnot_description = "), "slack.toml:"),
        (
            "id not the file name",
            |d| edit(d, "notion.toml", "id = \"notion\"", "id = \"notions\""),
            "notion.toml:1: id 'notions' does not match the file name",
        ),
        (
            "duplicate id",
            |d| std::fs::copy(d.join("gmail.toml"), d.join("gmail_copy.toml")).map(|_| ()).unwrap(),
            "duplicate id 'gmail'",
        ),
        (
            "undeclared scope",
            |d| {
                edit(
                    d,
                    "gmail.toml",
                    "scopes = [\"https://www.googleapis.com/auth/gmail.send\"]",
                    "scopes = [\"gmail.everything\"]",
                )
            },
            "needs scope 'gmail.everything', which is not declared",
        ),
        (
            "non-https URL",
            |d| {
                edit(
                    d,
                    "github.toml",
                    "https://github.com/login/oauth/access_token",
                    "http://github.com/login/oauth/access_token",
                )
            },
            "must use https",
        ),
        (
            "alias claimed twice",
            |d| edit(d, "outlook.toml", "aliases = [", "aliases = [\"gmail\", "),
            "alias 'gmail' is also claimed by",
        ),
        (
            "missing connector",
            |d| std::fs::remove_file(d.join("zoom.toml")).unwrap(),
            "missing: every connector id in DESIGN.md needs a file, and 'zoom' has none",
        ),
    ];
    for (what, breaks, expected) in cases {
        let dir = catalog_copy();
        breaks(dir.path());
        let out = check(dir.path());
        assert_eq!(out.status.code(), Some(1), "{what}: exit 1");
        let text = stdout(&out);
        assert!(text.contains(expected), "{what}: expected {expected:?} in\n{text}");
        let located = text.lines().filter(|l| l.contains(".toml:")).all(|l| {
            l.split(".toml:")
                .nth(1)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()) || rest.starts_with(' '))
        });
        assert!(located, "{what}: every problem names its file (and line where there is one)\n{text}");
    }
}

#[test]
fn route_prints_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.json");
    std::fs::write(
        &app,
        r#"{"name": "Todo", "entities": [{"name": "Task", "fields": ["title"]}], "connected": ["outlook"]}"#,
    )
    .unwrap();
    let out = patchbay()
        .args(["route", "--app"])
        .arg(&app)
        .args(["--chips", "slack", "email me my open tasks every morning"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["selected"][0]["connector"], "outlook", "the connected email tool");
    assert!(v["ranked"].as_array().unwrap().len() >= 10);
    assert_eq!(v["intent"]["trigger"]["kind"], "schedule");
}

#[test]
fn route_jsonl_answers_every_line_and_reports_bad_ones_on_their_own_line() {
    let long = "x".repeat(4001);
    let mut input: Vec<u8> = Vec::new();
    writeln!(input, "{}", serde_json::json!({"prompt": "Post to #sales in Slack when a deal closes"})).unwrap();
    writeln!(input, "{{not json").unwrap();
    input.extend_from_slice(b"{\"prompt\": \"caf\xe9\"}\n");
    writeln!(input, "{}", serde_json::json!({"prompt": ""})).unwrap();
    writeln!(input, "{}", serde_json::json!({"prompt": long})).unwrap();
    writeln!(input, "{}", serde_json::json!({"prompt": "email me", "chips": ["gmale"]})).unwrap();
    writeln!(input, "{}", serde_json::json!({"prompt": "email me", "app": {"entities": "Task"}})).unwrap();
    writeln!(input, "{}", serde_json::json!({"prompt": "make the header blue"})).unwrap();
    let mut child = patchbay()
        .args(["route", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 8, "one output line per input line");
    assert_eq!(lines[0]["selected"][0]["connector"], "slack");
    let errors: Vec<&str> = lines[1..7].iter().map(|l| l["error"].as_str().expect("an error line")).collect();
    assert!(errors[0].contains("not valid JSON"));
    assert!(errors[1].contains("UTF-8"));
    assert!(errors[2].contains("empty"));
    assert!(errors[3].contains("limit is 4000"));
    assert!(errors[4].contains("unknown connector 'gmale'"));
    assert!(errors[5].contains("app.entities"));
    assert_eq!(lines[7]["selected"], serde_json::json!([]), "the stream goes on");
}

#[test]
fn help_documents_commands_and_settings() {
    let out = patchbay().arg("--help").output().unwrap();
    let help = stdout(&out);
    for word in [
        "serve",
        "route",
        "catalog",
        "migrate",
        "flow",
        "PATCHBAY_DATABASE_URL",
        "PATCHBAY_CONNECTORS__GMAIL__CLIENT_ID",
        "PATCHBAY_LLM__BASE_URL",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
}

#[tokio::test]
async fn a_fresh_serve_creates_its_database_and_demo_app_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = patchbay()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let mut health = None;
    for _ in 0..100 {
        if let Ok(resp) = reqwest::get(&url).await {
            health = Some(resp.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(health.expect("healthz answers").contains("\"reachable\":true"));
    let key = dir.path().join("data/token.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "SIGTERM shuts down cleanly: {status:?}");
    }
    #[cfg(not(unix))]
    child.kill().unwrap();
    let store =
        patchbay::store::Store::connect(&patchbay::store::Store::sqlite_url(&dir.path().join("data"))).await.unwrap();
    let users = store.list_users().await.unwrap();
    assert_eq!(users.len(), 3, "owner, editor and app user");
    let todo = store.app(1).await.unwrap().expect("the demo app");
    assert_eq!(todo.name, "Todo");
    assert!(todo.structure.contains("due_date") && todo.structure.contains("Dashboard"));
}
