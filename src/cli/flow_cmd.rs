//! `patchbay flow show | validate`.

use super::FlowCommand;
use crate::config::Settings;
use std::process::ExitCode;

pub fn run(_settings: Settings, _cmd: FlowCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("flow is being built")
}
