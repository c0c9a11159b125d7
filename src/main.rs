use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    patchbay::cli::run(patchbay::cli::Cli::parse())
}
