//! `patchbay route`.

use super::RouteArgs;
use crate::config::Settings;
use std::process::ExitCode;

pub fn run(_settings: Settings, _args: RouteArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("route is being built")
}
