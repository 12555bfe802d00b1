//! Reaching an environment: `--env` resolution, base URL fallbacks, the embedded emulator with
//! persisted state, and API errors that never reveal the management key.

use std::time::Duration;

use super::support::run;
use super::world::{World, interrupt, wait_while_running};
use crate::net::refusing_address;

/// A `dev` environment without `base_url`: the URL comes from the process environment.
const NO_BASE_URL: &str = "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${KEY}\n";

const CANARY: &str = "K2canaryQQQsecretManagementKey0123456789";

#[test]
fn env_is_required_and_all_is_refused() {
    let world = World::new("");
    let missing = world.run(&["tenant", "list"]);
    assert_eq!(missing.code, 64, "{}", missing.stderr);
    assert!(missing.stderr.contains("--env"), "{}", missing.stderr);

    let all = world.run(&["tenant", "list", "--env", "all"]);
    assert_eq!(all.code, 64, "{}", all.stderr);
    assert!(all.stderr.contains("--env all"), "{}", all.stderr);
    assert_eq!(world.requests(), 0);
}

#[test]
fn unknown_env_exits_3_naming_the_known_ones() {
    let world = World::new("");
    let result = world.run(&["tenant", "list", "--env", "staging"]);
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(
        result.stderr.contains("\"staging\" is not defined"),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains("defined environments: dev, prod, qa"),
        "{}",
        result.stderr
    );
}

#[test]
fn base_url_falls_back_to_the_environment_variables() {
    let world = World::new("");
    world.write_file("descope.yaml", NO_BASE_URL);
    for variable in ["DESCOPE_BASE_URL", "DESCOPE_BASE_URI"] {
        let before = world.requests();
        let result = run(world
            .cli(&["tenant", "list", "--env", "dev", "--format", "json"])
            .env(variable, world.url()));
        assert_eq!(result.code, 0, "{variable}: {}", result.stderr);
        // The license handshake, then the list.
        assert_eq!(world.requests(), before + 2, "{variable}");
    }
}

#[test]
fn env_list_shows_exactly_the_url_the_client_calls() {
    let world = World::new("");
    world.write_file("descope.yaml", NO_BASE_URL);
    // Only the Python SDK's variable is set: `env list` once ignored it while the client used it.
    let listed = run(world
        .cli(&["env", "list", "--format", "json"])
        .env("DESCOPE_BASE_URI", format!("{}/", world.url())));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listing: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let shown = listing["environments"][0]["base_url"].as_str().unwrap();
    assert_eq!(shown, world.url());

    let before = world.requests();
    let called = run(world
        .cli(&["tenant", "list", "--env", "dev", "-vv"])
        .env("DESCOPE_BASE_URI", format!("{}/", world.url())));
    assert_eq!(called.code, 0, "{}", called.stderr);
    assert!(world.requests() > before);
    assert!(
        called.stderr.contains(&format!("base_url={shown}")) || called.stderr.contains(shown),
        "{}",
        called.stderr
    );
}

#[test]
fn emulator_env_keeps_its_state_between_runs() {
    let world = World::new("");
    world.write_file(
        "descope.yaml",
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: .descope-mgmt/state/local.json\n",
    );
    let created = world.run(&[
        "tenant",
        "create",
        "--env",
        "local",
        "--id",
        "acme-corp",
        "--name",
        "Acme",
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let state = world.path(".descope-mgmt/state/local.json");
    let saved = std::fs::read_to_string(&state).expect("state file written");
    assert!(
        saved.contains("acme-corp"),
        "compacted on shutdown: {saved}"
    );

    let listed = world.run(&["tenant", "list", "--env", "local", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listing: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let ids: Vec<&str> = listing["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme-corp"]);
}

#[test]
fn wrong_key_exits_1_with_a_hint_and_never_shows_the_key() {
    let world = World::new("");
    for args in [
        &["tenant", "list", "--env", "dev", "-vvv"][..],
        &[
            "tenant", "get", "acme", "--env", "dev", "-vvv", "--format", "json",
        ][..],
        &[
            "tenant",
            "create",
            "--env",
            "dev",
            "--id",
            "acme",
            "--name",
            "A",
            "-vvv",
            "--log-format",
            "json",
        ][..],
        &["tenant", "delete", "acme", "--env", "prod", "--yes", "-vvv"][..],
        &["role", "list", "--env", "dev", "-vvv"][..],
        &["permission", "list", "--env", "dev", "-vvv"][..],
    ] {
        let result = run(world.cli(args).env("KEY", CANARY));
        assert_eq!(result.code, 1, "{args:?}: {}", result.stderr);
        for stream in [&result.stdout, &result.stderr] {
            assert!(!stream.contains(CANARY), "{args:?}: the key leaked");
            assert!(
                !stream.contains("canaryQQQ"),
                "{args:?}: part of the key leaked"
            );
        }
        assert!(result.stderr.contains("401"), "{args:?}: {}", result.stderr);
        assert!(
            result.stderr.contains("E011401"),
            "{args:?}: {}",
            result.stderr
        );
        assert!(
            result.stderr.contains("management key of environment"),
            "{args:?}: {}",
            result.stderr
        );
    }
}

#[test]
fn unreachable_api_exits_1_naming_the_url() {
    let (_bound, address) = refusing_address();
    let port = address.port();
    let world = World::new("");
    world.write_file(
        "descope.yaml",
        &format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: http://127.0.0.1:{port}\n"
        ),
    );
    let result = world.run(&["tenant", "list", "--env", "dev"]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result.stderr.contains("connection error"),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains(&format!("no answer from http://127.0.0.1:{port}")),
        "{}",
        result.stderr
    );
}

#[test]
fn a_second_run_on_the_same_emulator_state_is_refused() {
    let world = World::new("");
    world.write_file(
        "descope.yaml",
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: emulated/local.json\n",
    );
    std::fs::create_dir_all(world.path("emulated")).unwrap();
    // Stands in for another run holding the state file.
    let held = std::fs::File::create(world.path("emulated/local.json.lock")).unwrap();
    held.lock().unwrap();
    let refused = world.run(&["tenant", "list", "--env", "local"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("in use by another descope-mgmt run"),
        "{}",
        refused.stderr
    );

    held.unlock().unwrap();
    let listed = world.run(&["tenant", "list", "--env", "local"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
}

/// Issue 17 item 5: a read-only command must not replace a file the emulator did not write.
#[test]
fn an_emulator_path_that_is_not_a_state_file_is_refused_untouched() {
    let world = World::new("");
    world.write_file(
        "descope.yaml",
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: package.json\n",
    );
    let original = "{\"name\": \"my-app\"}\n";
    world.write_file("package.json", original);
    let refused = world.run(&["tenant", "list", "--env", "local"]);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not a descope-emulator state file"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(world.path("package.json")).unwrap(),
        original
    );
    assert!(!world.path("package.json.journal").exists());
}

#[test]
fn ctrl_c_stops_the_command_with_exit_130() {
    let world = World::builder().latency(Duration::from_secs(5)).build();
    let mut child = world
        .cli(&["tenant", "list", "--env", "dev"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the call has reached the server, the command is waiting on it (handler installed),
    // for 5 s: far longer than a loaded machine takes to deliver the signal.
    wait_while_running(&mut child, "the API call", || world.requests() != 0);
    let (code, stderr) = interrupt(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted (env dev)"), "{stderr}");
}

#[test]
fn an_empty_management_key_is_a_config_error_before_any_request() {
    let world = World::new("");
    world.write_file(
        "descope.yaml",
        &format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    \
             management_key: ${{UNSET_DEV_KEY:-}}\n    base_url: {}\n",
            world.url()
        ),
    );
    for args in [
        &["tenant", "list", "--env", "dev"][..],
        &["tenant", "sync", "--env", "dev", "--dry-run"][..],
        &["plan", "--env", "dev"][..],
    ] {
        let result = world.run(args);
        assert_eq!(result.code, 3, "{args:?}: {}", result.stderr);
        assert!(
            result.stderr.contains("management_key is empty"),
            "{args:?}: {}",
            result.stderr
        );
    }
    assert_eq!(world.requests(), 0);
}
