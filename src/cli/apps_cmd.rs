//! `patchbay apps keys create | list | revoke`: keys for the host's backend. A new key is
//! printed once, on stdout alone, so it can be piped into a secret store.

use super::{AppKeysCommand, AppsCommand, with_store};
use crate::config::Settings;
use crate::identity::keys;
use anyhow::bail;
use std::process::ExitCode;

pub fn run(settings: Settings, cmd: AppsCommand) -> anyhow::Result<ExitCode> {
    let AppsCommand::Keys(cmd) = cmd;
    match cmd {
        AppKeysCommand::Create { app, name, data } => with_store(settings, &data, async |_, store| {
            let Some(name) = keys::key_name(&name) else { bail!("a key name has 1 to 60 characters") };
            if store.app(app).await?.is_none() {
                bail!("there is no app {app}");
            }
            let key = keys::create(store, app, &name, None).await?;
            store
                .audit(Some(app), None, "key.created", None, None, Some(&format!("{name} ({})", key.row.hint)))
                .await?;
            eprintln!("key \"{name}\" for app {app}: shown once, store it now");
            println!("{}", key.secret);
            Ok(ExitCode::SUCCESS)
        }),
        AppKeysCommand::List { app, data } => with_store(settings, &data, async |_, store| {
            for k in store.app_keys(app).await? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                let used = k
                    .last_used_at
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                    .map_or("never used".into(), |t| format!("last used {}", t.to_rfc3339()));
                println!("{}\t{}\t{}\t{state}\t{used}", k.id, k.name, k.hint);
            }
            Ok(ExitCode::SUCCESS)
        }),
        AppKeysCommand::Revoke { app, id, data } => with_store(settings, &data, async |_, store| {
            match store.revoke_app_key(app, id, crate::store::now()).await? {
                Some(k) => {
                    store
                        .audit(Some(app), None, "key.revoked", None, None, Some(&format!("{} ({})", k.name, k.hint)))
                        .await?;
                    println!("revoked \"{}\" ({})", k.name, k.hint);
                    Ok(ExitCode::SUCCESS)
                }
                None => bail!("app {app} has no active key {id}"),
            }
        }),
    }
}
