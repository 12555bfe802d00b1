//! Benchmark of `descope-mgmt config validate` end to end on 10,000 tenants (design.md §10:
//! ≤ 300 ms and ≤ 100 MB peak memory). Runs the real (release) binary as a child process, so the
//! figures include process start, reading, parsing, interpolation and every check.
//!
//! `cargo bench --bench validate` — prints wall times and the child's peak RSS (via
//! `/usr/bin/time -f %M` when present). The generated configuration stays under
//! `target/bench-validate/` for manual runs.

#[path = "gen_config.rs"]
mod gen_config;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TENANTS: usize = 10_000;
const RUNS: usize = 15;
const TARGET_MS: u128 = 300;
const TARGET_MB: f64 = 100.0;

fn main() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_descope-mgmt"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-validate");
    let config = gen_config::write_config(&dir, TENANTS).expect("write the generated config");
    let size = std::fs::metadata(&config).map(|m| m.len()).unwrap_or(0);
    println!(
        "config: {} ({TENANTS} tenants, {:.1} MiB)",
        config.display(),
        size as f64 / 1_048_576.0
    );

    let validate = |binary: &Path| {
        let mut command = Command::new(binary);
        command
            .args(["config", "validate", "-c"])
            .arg(&config)
            .env_remove("DESCOPE_MGMT_CONFIG");
        command
    };

    // Warm the page cache once; its time is not counted.
    let status = validate(&binary).output().expect("run the binary");
    assert!(
        status.status.success(),
        "generated config must validate: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let output = validate(&binary).output().expect("run the binary");
            let elapsed = start.elapsed();
            assert!(output.status.success());
            elapsed
        })
        .collect();
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "config validate, {RUNS} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms (target ≤ {TARGET_MS} ms: {})",
        ms(times[0]),
        ms(median),
        ms(times[RUNS - 1]),
        verdict(median.as_millis() <= TARGET_MS)
    );

    // Issue 14: the same portfolio from 5 templates with 10 policies, measured in the same run
    // so the ratio compares like with like (target ≤ 1.5× and ≤ 300 ms).
    let templated_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-validate-templates");
    let templated = gen_config::write_templated_config(&templated_dir, TENANTS)
        .expect("write the templated config");
    let run_templated = || {
        let start = Instant::now();
        let output = Command::new(&binary)
            .args(["config", "validate", "-c"])
            .arg(&templated)
            .env_remove("DESCOPE_MGMT_CONFIG")
            .output()
            .expect("run the binary");
        assert!(
            output.status.success(),
            "templated config must validate: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        start.elapsed()
    };
    let _ = run_templated();
    let mut templated_times: Vec<Duration> = (0..RUNS).map(|_| run_templated()).collect();
    templated_times.sort();
    let templated_median = templated_times[RUNS / 2];
    let ratio = templated_median.as_secs_f64() / median.as_secs_f64();
    println!(
        "config validate with 5 templates and 10 policies: median {:.1} ms, {ratio:.2}× the plain config (target ≤ 1.5× and ≤ {TARGET_MS} ms: {})",
        ms(templated_median),
        verdict(ratio <= 1.5 && templated_median.as_millis() <= TARGET_MS)
    );

    match peak_rss_mb(&binary, &config) {
        Some(mb) => println!(
            "peak RSS: {mb:.1} MB (target ≤ {TARGET_MB} MB: {})",
            verdict(mb <= TARGET_MB)
        ),
        None => println!("peak RSS: not measured (/usr/bin/time is not installed)"),
    }
}

/// The child's maximum resident set size, as reported by GNU time (`%M`, in KiB).
fn peak_rss_mb(binary: &Path, config: &Path) -> Option<f64> {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(binary)
        .args(["config", "validate", "-c"])
        .arg(config)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kib: f64 = stderr.lines().last()?.trim().parse().ok()?;
    Some(kib * 1024.0 / 1_000_000.0)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "OVER TARGET" }
}
