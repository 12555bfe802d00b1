//! `--help` of every command (snapshotted, so a change to the help is a reviewed diff), the
//! examples in it (every command has some, every one parses), shell completions and man pages.
//! The command tree is walked from the real clap definition, so a new command gets a snapshot
//! and an examples check without editing this file.

use std::collections::BTreeSet;

use super::support::{descope_mgmt, repo_root, run, shell_words};

/// Every command path below the top level (`["config", "validate"]`, …), the top level first.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in command.get_subcommands() {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            walk(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&descope_mgmt::command(), &[], &mut out);
    out
}

fn snapshot_name(path: &[String]) -> String {
    std::iter::once("descope-mgmt")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn help_of_every_command_matches_its_snapshot() {
    let paths = command_paths();
    assert!(paths.len() > 5, "the tree walk found only {paths:?}");
    for path in &paths {
        let result = run(descope_mgmt(&repo_root())
            .args(path)
            .arg("--help")
            .env("COLUMNS", "100"));
        assert_eq!(result.code, 0, "{path:?} --help: {}", result.stderr);
        assert_eq!(result.stderr, "", "{path:?} --help");
        insta::assert_snapshot!(snapshot_name(path), result.stdout);
    }
}

#[test]
fn every_snapshot_belongs_to_a_command() {
    let expected: BTreeSet<String> = command_paths()
        .iter()
        .map(|path| format!("it__cli__help__{}.snap", snapshot_name(path)))
        .collect();
    let dir = repo_root().join("tests/it/cli/snapshots");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .expect("snapshots are committed")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("it__cli__help__") && name.ends_with(".snap"))
        .filter(|name| !expected.contains(name))
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots of commands that no longer exist: {stale:?}"
    );
}

#[test]
fn every_command_has_examples_in_its_help() {
    let missing: Vec<String> = command_paths()
        .iter()
        .map(|path| path.join(" "))
        .filter(|path| descope_mgmt::help::examples(path).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "add examples for these commands to src/help.rs: {missing:?}"
    );
    let help = run(descope_mgmt(&repo_root()).args(["plan", "--help"]));
    assert!(
        help.stdout
            .contains("Examples:\n  descope-mgmt plan --env dev\n"),
        "{}",
        help.stdout
    );
}

#[test]
fn every_example_is_a_valid_invocation() {
    let known: BTreeSet<String> = command_paths().iter().map(|path| path.join(" ")).collect();
    for (path, examples) in descope_mgmt::help::EXAMPLES {
        assert!(
            known.contains(*path),
            "examples for unknown command `{path}`"
        );
        for example in *examples {
            let mut args = vec!["descope-mgmt".to_owned()];
            args.extend(shell_words(example));
            let parsed = descope_mgmt::command().try_get_matches_from(&args);
            assert!(
                parsed.is_ok(),
                "`{example}` does not parse: {:?}",
                parsed.err()
            );
            let words = shell_words(example);
            assert!(
                path.is_empty() || words.join(" ").starts_with(path),
                "example `{example}` listed under `{path}`"
            );
        }
    }
}

#[test]
fn shell_words_stop_at_shell_syntax() {
    assert_eq!(
        shell_words("completions zsh > \"${fpath[1]}/_descope-mgmt\""),
        ["completions", "zsh"]
    );
    assert_eq!(shell_words("man | man -l -"), ["man"]);
    assert_eq!(
        shell_words("plan --target 'tenant:a b'"),
        ["plan", "--target", "tenant:a b"]
    );
}

#[test]
fn top_level_help_lists_every_exit_code() {
    let help = run(descope_mgmt(&repo_root()).arg("--help"));
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "64 ", "130 "] {
        assert!(
            help.stdout
                .lines()
                .any(|line| line.trim_start().starts_with(code)),
            "exit code {code} missing from --help:\n{}",
            help.stdout
        );
    }
}

#[test]
fn bash_completion_knows_commands_and_global_flags() {
    let result = run(descope_mgmt(&repo_root()).args(["completions", "bash"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    for word in ["tenant", "--env", "plan", "apply", "drift"] {
        assert!(result.stdout.contains(word), "bash completion lacks {word}");
    }
}

#[test]
fn completions_for_every_supported_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let result = run(descope_mgmt(&repo_root()).args(["completions", shell]));
        assert_eq!(result.code, 0, "{shell}: {}", result.stderr);
        assert!(result.stdout.contains("descope-mgmt"), "{shell}");
        assert!(result.stdout.contains("--env"), "{shell}");
    }
    let unknown = run(descope_mgmt(&repo_root()).args(["completions", "tcsh"]));
    assert_eq!(unknown.code, 64);
    assert_eq!(unknown.stdout, "");
}

#[test]
fn man_page_is_roff_on_stdout() {
    let result = run(descope_mgmt(&repo_root()).arg("man"));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stdout.starts_with(".TH descope-mgmt 1 "),
        "{}",
        &result.stdout[..80]
    );
    assert!(result.stdout.contains("Exit codes:"));
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man");
    let result = run(descope_mgmt(&repo_root()).args(["man", "--out"]).arg(&out));
    assert_eq!(result.code, 0, "{}", result.stderr);
    for page in [
        "descope-mgmt.1",
        "descope-mgmt-plan.1",
        "descope-mgmt-config-validate.1",
    ] {
        let text = std::fs::read_to_string(out.join(page)).expect(page);
        assert!(text.starts_with(".TH "), "{page}");
    }
    assert!(
        !out.join("descope-mgmt-man.1").exists(),
        "man itself is hidden"
    );
}
