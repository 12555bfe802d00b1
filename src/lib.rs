//! The `descope-mgmt` CLI as a library: the binary, the examples and the tests all call [`run`],
//! so the quickstart and the help/CI-example tests exercise exactly what users run, in-process.
//! This crate is the CLI layer only (arguments, commands, rendering); the domain lives in
//! `descope-mgmt-core`.

pub mod cli;
mod commands;
mod confirm;
mod connect;
pub mod exit;
pub mod help;
mod logging;
mod output;
mod pipeline;
mod progress;
mod render;
mod signals;

pub use cli::Cli;
pub use commands::run;
pub use exit::Exit;
pub use help::command;
