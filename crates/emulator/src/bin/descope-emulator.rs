//! Command-line entry point of the emulator: parses flags, serves, and compacts the state file on
//! Ctrl-C / SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use descope_emulator::{Emulator, EmulatorConfig, ProjectCredentials, RateLimit};

/// A local Descope Management API for tests and offline CI.
#[derive(Debug, Parser)]
#[command(name = "descope-emulator", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4480")]
    listen: SocketAddr,
    /// Emulated project as PROJECT_ID:MANAGEMENT_KEY (repeatable). Default: P2local:K2local.
    #[arg(long = "project", value_parser = parse_project)]
    projects: Vec<ProjectCredentials>,
    /// State file, loaded at start; changes are journaled to FILE.journal.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Allow at most N management calls per SECONDS window (N/SECONDS).
    #[arg(long, value_parser = parse_rate_limit)]
    rate_limit: Option<RateLimit>,
    /// Added latency per management call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Probability (0.0–1.0) that a management call fails with 503.
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Seed for the 503 draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn parse_project(s: &str) -> Result<ProjectCredentials, String> {
    match s.split_once(':') {
        Some((id, key)) if !id.is_empty() && !key.is_empty() => {
            Ok(ProjectCredentials::new(id, key))
        }
        _ => Err("expected PROJECT_ID:MANAGEMENT_KEY".into()),
    }
}

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let (n, secs) = s
        .split_once('/')
        .ok_or_else(|| "expected N/SECONDS, e.g. 100/60".to_string())?;
    let requests: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("bad request count {n:?}"))?;
    let secs: u64 = secs
        .trim()
        .parse()
        .map_err(|_| format!("bad window {secs:?}"))?;
    if requests == 0 || secs == 0 {
        return Err("both N and SECONDS must be positive".into());
    }
    Ok(RateLimit {
        requests,
        per: Duration::from_secs(secs),
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // stdout is reserved for the `listening on` line that scripts parse.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let config = EmulatorConfig {
        listen: args.listen,
        projects: args.projects,
        state_file: args.state,
        rate_limit: args.rate_limit,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        seed: args.seed,
    };
    let running = match Emulator::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("descope-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", running.url());
    let _ = stdout.flush();
    shutdown_signal().await;
    match running.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("descope-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
