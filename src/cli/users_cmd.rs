//! `patchbay users add`: a person with a password, from the command line. The first owner
//! of a server made without the pages; the password comes on stdin so that it never
//! shows in a process list or shell history.

use super::{UsersCommand, with_store};
use crate::app::Role;
use crate::config::Settings;
use crate::identity::{Email, Password, setup, sign_in};
use anyhow::{Context, bail};
use std::io::BufRead;
use std::process::ExitCode;

pub fn run(settings: Settings, cmd: UsersCommand) -> anyhow::Result<ExitCode> {
    let UsersCommand::Add { email, name, password_stdin: _, owner_of, data } = cmd;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("could not read the password from stdin")?;
    let password = Password::new(line.trim_end_matches(['\r', '\n'])).map_err(|e| anyhow::anyhow!("{e}"))?;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = setup::person_name(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
    with_store(settings, &data, async |_, store| {
        if let Some(app) = owner_of
            && store.app(app).await?.is_none()
        {
            bail!("there is no app {app}");
        }
        let hash = sign_in::hash(password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = store.create_user_with_password(email.as_str(), &name, &hash).await?;
        if let Some(app) = owner_of {
            store.set_member(app, user.id, Role::Owner).await?;
            store.audit(Some(app), None, "member.added_by_cli", None, Some(email.as_str()), Some("Owner")).await?;
        }
        println!(
            "created {} ({}){}",
            user.email,
            user.name,
            owner_of.map(|a| format!(", owner of app {a}")).unwrap_or_default()
        );
        Ok(ExitCode::SUCCESS)
    })
}
