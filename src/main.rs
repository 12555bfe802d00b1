//! The `descope-mgmt` binary: the CLI layer only (arguments, commands, rendering). The domain
//! lives in `descope-mgmt-core`; this crate parses flags, calls it and maps outcomes to the
//! documented exit codes.

mod cli;
mod commands;
mod confirm;
mod connect;
mod exit;
mod logging;
mod output;
mod pipeline;
mod progress;
mod render;

fn main() -> std::process::ExitCode {
    commands::run(std::env::args_os()).into()
}
