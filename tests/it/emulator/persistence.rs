//! State file + journal: changes survive graceful restart and crashes, including a torn last
//! journal line.

use std::io::Write;
use std::path::PathBuf;

use descope_emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::json;

use super::support::start_with;

fn config(state: PathBuf) -> EmulatorConfig {
    EmulatorConfig {
        state_file: Some(state),
        ..EmulatorConfig::default()
    }
}

fn journal(state: &std::path::Path) -> PathBuf {
    PathBuf::from(format!("{}.journal", state.display()))
}

#[tokio::test]
async fn graceful_restart_keeps_state_and_compacts_the_journal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let h = start_with(config(state.clone())).await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "kept", "name": "Kept"}),
    )
    .await;
    h.emulator.shutdown().await.expect("shutdown");
    assert_eq!(std::fs::read(journal(&state)).expect("journal").len(), 0);
    let h = start_with(config(state)).await;
    let t = h.ok_get("/v1/mgmt/tenant?id=kept").await;
    assert_eq!(t["name"], json!("Kept"));
    let roles = h.ok_get("/v1/mgmt/role/all").await;
    let admins = roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter(|r| r["name"] == "Tenant Admin")
        .count();
    assert_eq!(admins, 1, "seeded only once");
}

#[tokio::test]
async fn crash_without_shutdown_replays_the_journal_and_ignores_a_torn_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let h = start_with(config(state.clone())).await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "a", "name": "A"}))
        .await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "b", "name": "B"}))
        .await;
    h.ok("/v1/mgmt/tenant/delete", json!({"id": "a"})).await;
    // Simulated kill -9: the server is abandoned, never shut down, and a half-written record is
    // left at the end of the journal.
    let jpath = journal(&state);
    let acknowledged = std::fs::read(&jpath).expect("journal");
    assert!(!acknowledged.is_empty());
    std::fs::OpenOptions::new()
        .append(true)
        .open(&jpath)
        .expect("open journal")
        .write_all(b"{\"p\":\"P2local\",\"c\":\"tenants\",\"k\":\"torn\",\"v\":{\"id\":")
        .expect("torn write");
    h.emulator.kill();

    let h = start_with(config(state)).await;
    let (status, _) = h.get("/v1/mgmt/tenant?id=a").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let all = h.ok_get("/v1/mgmt/tenant/all").await;
    assert_eq!(all["tenants"].as_array().map(Vec::len), Some(1));
    assert_eq!(all["tenants"][0]["id"], json!("b"));
}

#[tokio::test]
async fn one_change_appends_one_small_journal_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let h = start_with(config(state.clone())).await;
    for i in 0..50 {
        h.ok("/v1/mgmt/tenant/create", json!({"name": format!("t{i}")}))
            .await;
    }
    let before = std::fs::metadata(journal(&state)).expect("journal").len();
    h.ok("/v1/mgmt/tenant/create", json!({"name": "one more"}))
        .await;
    let after = std::fs::metadata(journal(&state)).expect("journal").len();
    let record = after - before;
    assert!(record > 0 && record < 1024, "record of {record} bytes");
}

#[tokio::test]
async fn corrupt_state_file_is_a_clear_start_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    std::fs::write(&state, "not json").expect("write");
    let err = descope_emulator::Emulator::start(config(state))
        .await
        .expect_err("must refuse");
    assert!(err.to_string().contains("state"), "{err}");
}

fn entries_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `--state package.json` must never replace a user's file (issue 17 item 5).
#[tokio::test]
async fn a_file_that_is_not_a_state_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("package.json");
    let original = "{\"name\": \"my-app\", \"version\": \"1.0.0\"}\n";
    std::fs::write(&state, original).expect("write");
    let err = descope_emulator::Emulator::start(config(state.clone()))
        .await
        .expect_err("must refuse");
    assert!(
        matches!(err, descope_emulator::EmulatorError::NotAStateFile { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("package.json"), "{message}");
    assert!(
        message.contains("not a descope-emulator state file"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&state).expect("read"), original);
    assert_eq!(
        entries_in(dir.path()),
        ["package.json"],
        "nothing written beside it"
    );
}

#[tokio::test]
async fn a_journal_that_is_not_ours_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("notes");
    std::fs::write(journal(&state), "my own notes\n").expect("write");
    let err = descope_emulator::Emulator::start(config(state.clone()))
        .await
        .expect_err("must refuse");
    assert!(
        matches!(err, descope_emulator::EmulatorError::NotAStateFile { .. }),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read_to_string(journal(&state)).expect("read"),
        "my own notes\n"
    );
    assert!(!state.exists());
}

#[tokio::test]
async fn the_state_file_carries_a_format_marker_and_older_files_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let h = start_with(config(state.clone())).await;
    h.emulator.shutdown().await.expect("shutdown");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("json");
    assert_eq!(saved["format"], json!("descope-emulator-state"));

    let legacy = dir.path().join("legacy.json");
    std::fs::write(
        &legacy,
        r#"{"version":1,"projects":{"P2local":{"tenants":{"old":{"id":"old","name":"Old"}}}}}"#,
    )
    .expect("write");
    let h = start_with(config(legacy)).await;
    let t = h.ok_get("/v1/mgmt/tenant?id=old").await;
    assert_eq!(t["name"], json!("Old"));
}

/// The CLI's embedded emulator holds its state file; a second one on the same file is told so
/// with its own error, so the CLI can refuse (exit 4) instead of failing.
#[tokio::test]
async fn a_state_file_held_by_a_running_emulator_is_reported_as_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let first = start_with(config(state.clone())).await;
    let err = descope_emulator::Emulator::start(config(state.clone()))
        .await
        .expect_err("held");
    assert!(
        matches!(err, descope_emulator::EmulatorError::StateInUse { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("in use"), "{err}");
    first.emulator.shutdown().await.expect("shutdown");
    let second = start_with(config(state)).await;
    second.emulator.shutdown().await.expect("shutdown");
}
