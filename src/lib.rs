//! The `descope-mgmt` CLI as a library: the binary, the examples and the tests all call [`run`],
//! so the quickstart and the help/CI-example tests exercise exactly what users run, in-process.
//! This crate is the CLI layer only (arguments, commands, rendering); the domain lives in
//! `descope-mgmt-core`.
//!
//! Only `printer` writes to stdout and stderr; the lints below keep it that way.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
mod commands;
mod confirm;
mod connect;
pub mod env_vars;
pub mod exit;
pub mod help;
mod logging;
mod pipeline;
mod printer;
mod progress;
mod render;
pub mod report;
mod settings;
mod signals;

pub use cli::Cli;
pub use commands::run;
pub use exit::Exit;
pub use help::command;
