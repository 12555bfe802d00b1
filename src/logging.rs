//! Logging: `tracing` to stderr, never stdout (stdout carries data). `-v`/`-vv`/`-vvv` raise the
//! level, `-q` lowers it, `RUST_LOG` overrides both; `--log-format json` writes one JSON object
//! per line. The level and colors come from the resolved settings.

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;
use crate::settings::Settings;

pub fn init(settings: &Settings) {
    let log = settings.log;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second init (tests calling run twice) is harmless: the first subscriber stays.
    let _ = match log.format {
        LogFormat::Text => builder.with_ansi(log.color).try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}
