//! Reaching an environment: `--env` resolution, base URL fallbacks, the embedded emulator with
//! persisted state, and API errors that never reveal the management key.

use super::live::{KEY, LiveEmulator, cli, config_for, interrupt};
use super::support::run;
use super::sync_support::{refusing_address, wait_while_running};

const CANARY: &str = "K2canaryQQQsecretManagementKey0123456789";

#[test]
fn env_is_required_and_all_is_refused() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let missing = run(cli(dir.path(), KEY).args(["tenant", "list"]));
    assert_eq!(missing.code, 64, "{}", missing.stderr);
    assert!(missing.stderr.contains("--env"), "{}", missing.stderr);

    let all = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "all"]));
    assert_eq!(all.code, 64, "{}", all.stderr);
    assert!(all.stderr.contains("--env all"), "{}", all.stderr);
    assert_eq!(emulator.stats()["requests"], 0);
}

#[test]
fn unknown_env_exits_3_naming_the_known_ones() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let result = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "staging"]));
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(
        result.stderr.contains("\"staging\" is not defined"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("dev, prod"), "{}", result.stderr);
}

#[test]
fn base_url_falls_back_to_the_environment_variables() {
    let emulator = LiveEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${KEY}\n",
    )
    .unwrap();
    for variable in ["DESCOPE_BASE_URL", "DESCOPE_BASE_URI"] {
        let before = emulator.stats()["requests"].as_u64().unwrap();
        let result = run(cli(dir.path(), KEY)
            .env(variable, emulator.url())
            .args(["tenant", "list", "--env", "dev", "--format", "json"]));
        assert_eq!(result.code, 0, "{variable}: {}", result.stderr);
        // The license handshake, then the list.
        assert_eq!(
            emulator.stats()["requests"].as_u64().unwrap(),
            before + 2,
            "{variable}"
        );
    }
}

#[test]
fn env_list_shows_exactly_the_url_the_client_calls() {
    let emulator = LiveEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${KEY}\n",
    )
    .unwrap();
    // Only the Python SDK's variable is set: `env list` once ignored it while the client used it.
    let listed = run(cli(dir.path(), KEY)
        .env("DESCOPE_BASE_URI", format!("{}/", emulator.url()))
        .args(["env", "list", "--format", "json"]));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listing: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let shown = listing["environments"][0]["base_url"].as_str().unwrap();
    assert_eq!(shown, emulator.url());

    let before = emulator.stats()["requests"].as_u64().unwrap();
    let called = run(cli(dir.path(), KEY)
        .env("DESCOPE_BASE_URI", format!("{}/", emulator.url()))
        .args(["tenant", "list", "--env", "dev", "-vv"]));
    assert_eq!(called.code, 0, "{}", called.stderr);
    assert!(emulator.stats()["requests"].as_u64().unwrap() > before);
    assert!(
        called.stderr.contains(&format!("base_url={shown}")) || called.stderr.contains(shown),
        "{}",
        called.stderr
    );
}

#[test]
fn emulator_env_keeps_its_state_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: .descope-mgmt/state/local.json\n",
    )
    .unwrap();
    let created = run(cli(dir.path(), KEY).args([
        "tenant",
        "create",
        "--env",
        "local",
        "--id",
        "acme-corp",
        "--name",
        "Acme",
    ]));
    assert_eq!(created.code, 0, "{}", created.stderr);
    let state = dir.path().join(".descope-mgmt/state/local.json");
    let saved = std::fs::read_to_string(&state).expect("state file written");
    assert!(
        saved.contains("acme-corp"),
        "compacted on shutdown: {saved}"
    );

    let listed =
        run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "local", "--format", "json"]));
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
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
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
        let result = run(cli(dir.path(), CANARY).args(args));
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
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: http://127.0.0.1:{port}\n"
        ),
    )
    .unwrap();
    let result = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "dev"]));
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
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: state/local.json\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    // Stands in for another run holding the state file.
    let held = std::fs::File::create(dir.path().join("state/local.json.lock")).unwrap();
    held.lock().unwrap();
    let refused = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "local"]));
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("in use by another descope-mgmt run"),
        "{}",
        refused.stderr
    );

    held.unlock().unwrap();
    let listed = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "local"]));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
}

/// Issue 17 item 5: a read-only command must not replace a file the emulator did not write.
#[test]
fn an_emulator_path_that_is_not_a_state_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: package.json\n",
    )
    .unwrap();
    let original = "{\"name\": \"my-app\"}\n";
    std::fs::write(dir.path().join("package.json"), original).unwrap();
    let refused = run(cli(dir.path(), KEY).args(["tenant", "list", "--env", "local"]));
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not a descope-emulator state file"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("package.json")).unwrap(),
        original
    );
    assert!(!dir.path().join("package.json.journal").exists());
}

#[test]
fn ctrl_c_stops_the_command_with_exit_130() {
    let emulator = LiveEmulator::start_with(descope_emulator::EmulatorConfig {
        latency: std::time::Duration::from_secs(5),
        ..Default::default()
    });
    let dir = config_for(&emulator);
    let mut child = cli(dir.path(), KEY)
        .args(["tenant", "list", "--env", "dev"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the call has reached the server, the command is waiting on it (handler installed),
    // for 5 s: far longer than a loaded machine takes to deliver the signal.
    wait_while_running(&mut child, "the API call", || {
        emulator.stats()["requests"] != 0
    });
    let (code, stderr) = interrupt(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted (env dev)"), "{stderr}");
}

#[test]
fn an_empty_management_key_is_a_config_error_before_any_request() {
    let emulator = LiveEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    \
             management_key: ${{UNSET_DEV_KEY:-}}\n    base_url: {}\n",
            emulator.url()
        ),
    )
    .unwrap();
    for args in [
        &["tenant", "list", "--env", "dev"][..],
        &["tenant", "sync", "--env", "dev", "--dry-run"][..],
        &["plan", "--env", "dev"][..],
    ] {
        let result = run(cli(dir.path(), KEY).env_remove("UNSET_DEV_KEY").args(args));
        assert_eq!(result.code, 3, "{args:?}: {}", result.stderr);
        assert!(
            result.stderr.contains("management_key is empty"),
            "{args:?}: {}",
            result.stderr
        );
    }
    assert_eq!(emulator.stats()["requests"], 0);
}
