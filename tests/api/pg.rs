//! The PostgreSQL leg: `scripts/test` starts a throwaway cluster and exports its URL in
//! PB_TEST_POSTGRES_URL; each test gets a fresh database in it.

use patchbay::store::Store;

/// A fresh, migrated PostgreSQL database, or `None` (with a printed notice) when no
/// cluster runs and CI is not set. In CI a missing cluster fails the test.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(admin_url) = std::env::var("PB_TEST_POSTGRES_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!("PB_TEST_POSTGRES_URL is not set in CI: the PostgreSQL leg must run (use scripts/test)");
        }
        eprintln!("NOTICE: PB_TEST_POSTGRES_URL is not set: skipping the PostgreSQL leg (run scripts/test)");
        return None;
    };
    let name = format!("pb_{}", rand_suffix());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url).await.expect("connect to the test cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).expect("URL has a database");
    Some(format!("{base}/{name}"))
}

/// A fresh, migrated SQLite database in a temporary directory (kept alive by the guard).
pub async fn fresh_sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&Store::sqlite_url(dir.path())).await.expect("open sqlite");
    (store, dir)
}

pub async fn fresh_postgres() -> Option<Store> {
    let url = fresh_postgres_url().await?;
    Some(Store::connect(&url).await.expect("connect and migrate the test database"))
}

pub fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{}_{}", std::process::id(), nanos)
}
