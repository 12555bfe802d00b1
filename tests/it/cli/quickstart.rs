//! The README's quickstart and the `local` environment of `config/descope.yaml`, end to end with
//! the built binary: the walkthrough of `cargo run --example quickstart` (same steps, same
//! expected exit codes), and plan → apply → plan on a copy of the example configuration, with the
//! embedded emulator's state surviving between runs.

use std::path::Path;

use super::support::{Run, descope_mgmt, repo_root, run};

#[path = "../../../examples/quickstart/walkthrough.rs"]
mod walkthrough;

struct Binary;

impl walkthrough::Runner for Binary {
    fn run(&mut self, dir: &Path, args: &[&str]) -> i32 {
        let result = run(descope_mgmt(dir).args(args));
        print!("{}", result.stdout);
        eprint!("{}", result.stderr);
        result.code
    }
}

#[test]
fn quickstart_walkthrough_passes_with_the_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    walkthrough::walkthrough(dir.path(), &mut Binary).expect("every step exits as documented");
    assert!(dir.path().join(".descope-mgmt/local.json").is_file());
    let flow_in_sync = walkthrough::Runner::run(
        &mut Binary,
        dir.path(),
        &[
            "-c",
            walkthrough::CONFIG_FILE,
            "flow",
            "diff",
            "--env",
            "local",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(flow_in_sync, 0, "the walkthrough's apply imported its flow");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        // Local state of whoever ran the tool in the checkout is not part of the example.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy file");
        }
    }
}

fn local(dir: &Path, args: &[&str]) -> Run {
    let result = run(descope_mgmt(dir)
        .args(["-c", "config/descope.yaml"])
        .args(args)
        .env_remove("DESCOPE_MGMT_STATE_DIR"));
    eprintln!(
        "$ descope-mgmt {}\n{}{}",
        args.join(" "),
        result.stdout,
        result.stderr
    );
    result
}

#[test]
fn local_environment_plans_applies_and_keeps_its_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&repo_root().join("config"), &dir.path().join("config"));

    let first = local(
        dir.path(),
        &["plan", "--env", "local", "--detailed-exitcode"],
    );
    assert_eq!(first.code, 2, "a fresh local project needs every resource");
    let plan = local(dir.path(), &["plan", "--env", "local"]);
    assert_eq!(plan.code, 0);
    assert!(plan.stdout.contains("acme-corp"), "{}", plan.stdout);

    let apply = local(dir.path(), &["apply", "--env", "local", "--yes"]);
    assert_eq!(apply.code, 0);

    // A new process, a new emulator: the state comes back from the file.
    let state = dir.path().join(".descope-mgmt/local.json");
    assert!(
        state.is_file(),
        "the emulator state is saved beside config/"
    );
    let again = local(
        dir.path(),
        &["plan", "--env", "local", "--detailed-exitcode"],
    );
    assert_eq!(again.code, 0, "nothing left to do after apply");
    let drift = local(dir.path(), &["drift", "--env", "local"]);
    assert_eq!(drift.code, 0);
    let tenants = local(
        dir.path(),
        &["tenant", "list", "--env", "local", "--format", "json"],
    );
    assert_eq!(tenants.code, 0);
    assert!(
        tenants.stdout.contains("umbrella-health"),
        "{}",
        tenants.stdout
    );
}

#[test]
fn local_state_is_git_ignored() {
    let config = std::fs::read_to_string(repo_root().join("config/descope.yaml")).expect("read");
    assert!(
        config.contains("emulator: ../.descope-mgmt/local.json"),
        "the local environment keeps its state in the checkout's .descope-mgmt/"
    );
    let ignore = std::fs::read_to_string(repo_root().join(".gitignore")).expect("read");
    assert!(
        ignore.lines().any(|line| line.trim() == "/.descope-mgmt/"),
        ".descope-mgmt/ (emulator state, locks, backups, audit) must be git-ignored"
    );
}
