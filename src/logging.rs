//! Logging: `tracing` to stderr, never stdout (stdout carries data). `-v`/`-vv`/`-vvv` raise the
//! level, `-q` lowers it, `RUST_LOG` overrides both; `--log-format json` writes one JSON object
//! per line.

use tracing_subscriber::EnvFilter;

use crate::cli::{ColorChoice, GlobalArgs, LogFormat};

pub fn init(global: &GlobalArgs) {
    let level = if global.quiet {
        "error"
    } else {
        match global.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second init (tests calling run twice) is harmless: the first subscriber stays.
    let _ = match global.log_format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}
