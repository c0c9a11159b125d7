//! `patchbay keys rotate | rewrap`: a new key that seals from now on, then every token
//! re-sealed under it, after which the old key can be dropped.

use super::{KeysCommand, with_store};
use crate::config::Settings;
use crate::connections::{TokenCipher, append_key, generate_key, keys};
use secrecy::SecretString;
use std::process::ExitCode;

pub fn run(settings: Settings, cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeysCommand::Rotate(data) => with_store(settings, &data, async |settings, store| {
            let new_key = generate_key();
            let fingerprint = TokenCipher::from_base64(&SecretString::from(new_key.clone()))?.fingerprint().to_owned();
            keys::register(store, &fingerprint).await?;
            if settings.token_key.is_some() {
                println!("{new_key}");
                eprintln!(
                    "A new token key is printed above and registered with the database.\n\
                     On every server: set PATCHBAY_TOKEN_KEY to it, add the current key first in\n\
                     PATCHBAY_PREVIOUS_TOKEN_KEYS, restart, then run `patchbay keys rewrap`."
                );
            } else {
                append_key(&settings.data_dir, &new_key)?;
                eprintln!(
                    "Added a new token key to {} (the old one still opens what it sealed).\n\
                     Restart the server, then run `patchbay keys rewrap`.",
                    crate::connections::key_file(&settings.data_dir).display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        KeysCommand::Rewrap(data) => with_store(settings, &data, async |settings, store| {
            let cipher = TokenCipher::load_or_create(
                settings.token_key.as_ref(),
                &settings.previous_token_keys,
                &settings.data_dir,
            )?;
            keys::agree_with_database(store, &cipher).await?;
            let done = keys::rewrap(store, &cipher).await?;
            println!("re-sealed {} connection(s); {} already used the newest key", done.resealed, done.already_current);
            if !done.unreadable.is_empty() {
                eprintln!(
                    "{} connection(s) could not be opened with these keys and were left alone: {:?}",
                    done.unreadable.len(),
                    done.unreadable
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
