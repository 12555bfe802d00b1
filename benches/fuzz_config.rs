//! Fuzzing the configuration loader (issue 17): mutates valid configurations (the example
//! `config/descope.yaml` with its overlays and flow files, and every bad-input fixture) and loads
//! each mutant for a fixed time, for every environment view, counting panics. Not part of CI: it
//! runs for as long as asked.
//!
//! `cargo bench --bench fuzz_config` (60 s), or `FUZZ_SECONDS=600 cargo bench --bench
//! fuzz_config`; add `--profile dev` to reuse the test build instead of an optimised one. Mutants come from proptest strategies driven by a seeded runner
//! (`FUZZ_SEED`, default 0), so a run is repeatable; a mutant that panics is written to
//! `target/fuzz-config/panic-N/descope.yaml` and the run exits 1.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use descope_mgmt_core::config::interpolate::Variables;
use descope_mgmt_core::config::load_with;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Fragments that tend to reach the loader's corners: YAML syntax, interpolation, odd scalars.
const TOKENS: &[&str] = &[
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!int ",
    "!!str ",
    "!!map ",
    "---\n",
    "...\n",
    "\t",
    "\0",
    "\u{feff}",
    "${",
    "}",
    "${X:-",
    "${X:-${Y}}",
    "$$",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "1e400",
    "-0",
    ".nan",
    "999999999999999999999999999999",
    "\n",
    "\n  ",
    "\n    - ",
    "?",
    "|\n",
    ">-\n",
    "environments",
    "tenants",
    "roles",
    "permissions",
    "flows",
    "themes",
    "templates",
    "policies",
    "id: ",
    "name: ",
    "emulator: ",
    "base_url: ",
    "http://",
    "http://[::1",
    "../",
    "/dev/zero",
    "é",
    "𝔘",
    "\\u0000",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Indent { line: usize, spaces: usize },
    FlipByte { at: usize, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        (any::<usize>(), 0usize..9).prop_map(|(line, spaces)| Mutation::Indent { line, spaces }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::FlipByte { at, byte }),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let pick = |n: usize, len: usize| if len == 0 { 0 } else { n % len };
    match *mutation {
        Mutation::Delete { at, len } => {
            let at = pick(at, bytes.len());
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Insert { at, token } => {
            let at = pick(at, bytes.len() + 1);
            bytes.splice(at..at, TOKENS[token].bytes());
        }
        Mutation::FlipByte { at, byte } if !bytes.is_empty() => {
            let at = pick(at, bytes.len());
            bytes[at] = byte;
        }
        Mutation::DuplicateLine { line } if !lines.is_empty() => {
            let line = pick(line, lines.len());
            lines.insert(line, lines[line].clone());
            return lines.join("\n") + "\n";
        }
        Mutation::SwapLines { a, b } if !lines.is_empty() => {
            let (a, b) = (pick(a, lines.len()), pick(b, lines.len()));
            lines.swap(a, b);
            return lines.join("\n") + "\n";
        }
        Mutation::Indent { line, spaces } if !lines.is_empty() => {
            let line = pick(line, lines.len());
            let trimmed = lines[line].trim_start().to_owned();
            lines[line] = " ".repeat(spaces) + &trimmed;
            return lines.join("\n") + "\n";
        }
        _ => {}
    }
    // Mutations may split a UTF-8 sequence: the loader must cope with what a file can hold.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Seed configurations: each a directory whose `descope.yaml` (and the files beside it) load.
fn seeds(root: &Path) -> Vec<PathBuf> {
    let mut seeds = vec![root.join("config")];
    if let Ok(entries) = std::fs::read_dir(root.join("tests/fixtures/broken")) {
        let mut cases: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        cases.sort();
        seeds.extend(
            cases
                .into_iter()
                .filter(|case| case.join("descope.yaml").is_file()),
        );
    }
    seeds
}

/// Copies `from` (one level plus its subdirectories) so a mutant keeps its overlays and files.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            let _ = std::fs::copy(entry.path(), &target);
        }
    }
}

fn main() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/fuzz-config");
    let _ = std::fs::remove_dir_all(&out);
    let seeds = seeds(root);
    let work = out.join("work");
    let variables = Variables::from_map(
        [
            ("DESCOPE_DEV_PROJECT_ID", "P2dev"),
            ("DESCOPE_DEV_MANAGEMENT_KEY", "K2fuzz"),
            ("X", "x"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..6));
    // The loader's own diagnostics are expected; only a panic counts, and its default message
    // would flood the output for every mutant.
    std::panic::set_hook(Box::new(|_| {}));

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let (mut cases, mut loads, mut panics, mut clean) = (0u64, 0u64, 0u64, 0u64);
    while Instant::now() < deadline {
        let (seed_index, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let dir = work.join(format!("case-{}", cases % 4));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&seeds[seed_index], &dir);
        let original = std::fs::read_to_string(dir.join("descope.yaml")).unwrap_or_default();
        let mutant = mutations.iter().fold(original, |text, m| apply(&text, m));
        std::fs::write(dir.join("descope.yaml"), &mutant).unwrap();
        cases += 1;
        for env in [None, Some("dev"), Some("prod"), Some("local")] {
            loads += 1;
            let path = dir.join("descope.yaml");
            match catch_unwind(AssertUnwindSafe(|| load_with(&path, env, &variables))) {
                Ok(loaded) => clean += u64::from(!loaded.has_errors()),
                Err(_) => {
                    panics += 1;
                    let kept = out.join(format!("panic-{panics}"));
                    copy_dir(&dir, &kept);
                    println!(
                        "PANIC: env {env:?}, seed {}, mutations {mutations:?}: {}",
                        seeds[seed_index].display(),
                        kept.display()
                    );
                }
            }
        }
    }
    println!(
        "fuzz_config: {cases} mutants, {loads} loads ({clean} without errors) in {:.0} s from {} seeds (FUZZ_SEED={seed}): {panics} panics",
        started.elapsed().as_secs_f64(),
        seeds.len()
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
