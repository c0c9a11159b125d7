//! `patchbay serve`, `patchbay worker` and `patchbay migrate`.

use super::{DataArgs, ServeArgs, apply_data_dir, runtime};
use crate::config::Settings;
use crate::startup::{Application, open_store};
use std::process::ExitCode;

pub fn run(mut settings: Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    apply_data_dir(&mut settings, &args.data);
    crate::telemetry::init(&settings.log);
    runtime()?.block_on(async {
        let app = Application::build(settings).await?;
        app.run_until_stopped().await
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn migrate(mut settings: Settings, args: DataArgs) -> anyhow::Result<ExitCode> {
    apply_data_dir(&mut settings, &args);
    crate::telemetry::init(&settings.log);
    runtime()?.block_on(async {
        crate::startup::install_crypto_provider();
        let store = open_store(&settings).await?;
        println!("database is up to date ({})", store.backend().name());
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn worker(mut settings: Settings, args: DataArgs) -> anyhow::Result<ExitCode> {
    apply_data_dir(&mut settings, &args);
    crate::telemetry::init(&settings.log);
    runtime()?.block_on(crate::startup::run_worker(settings))?;
    Ok(ExitCode::SUCCESS)
}
