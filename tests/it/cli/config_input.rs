//! Hostile and unusual configuration input through the binary: endless files, the size-limit
//! setting, and overlays that try to change where an environment connects. Each exits 3 with
//! the file and position, and nothing is sent.

use std::io::Write as _;
use std::process::Stdio;

use super::support::{descope_mgmt, run};

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_at_the_limit_not_read_to_exhaustion() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(descope_mgmt(dir.path()).args(["config", "validate", "-c", "/dev/zero"]));
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(
        result
            .stderr
            .contains("/dev/zero:1:1: error: file has more than 67108864 bytes"),
        "{}",
        result.stderr
    );
}

#[cfg(unix)]
#[test]
fn an_endless_pipe_is_read_only_up_to_the_configured_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = descope_mgmt(dir.path())
        .args(["config", "validate", "-c", "/dev/stdin"])
        .env("DESCOPE_MGMT_MAX_CONFIG_BYTES", "65536")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Writes until the reader stops reading and closes the pipe.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'#'; 8192];
        while stdin.write_all(&chunk).is_ok() {}
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("file has more than 65536 bytes; at most 65536 bytes are accepted"),
        "{stderr}"
    );
}

#[test]
fn the_size_limit_setting_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "environments:\n  local:\n    emulator: local.json\n",
    )
    .unwrap();
    let validate = |limit: &str| {
        run(descope_mgmt(dir.path())
            .args(["config", "validate", "-c", "descope.yaml"])
            .env("DESCOPE_MGMT_MAX_CONFIG_BYTES", limit))
    };
    assert_eq!(validate("4096").code, 0);
    let small = validate("16");
    assert_eq!(small.code, 3, "{}", small.stderr);
    assert!(
        small.stderr.contains("at most 16 bytes"),
        "{}",
        small.stderr
    );
    let bad = validate("lots");
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("DESCOPE_MGMT_MAX_CONFIG_BYTES=\"lots\" is not a positive number of bytes"),
        "{}",
        bad.stderr
    );
}

#[test]
fn an_overlay_that_redirects_an_environment_fails_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "environments:\n  test:\n    project_id: P2test\n    management_key: ${KEY:-}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/test.yaml"),
        "environments:\n  test:\n    base_url: https://attacker.example.com\n",
    )
    .unwrap();
    for args in [
        &["config", "validate", "-c", "descope.yaml"][..],
        &["plan", "-c", "descope.yaml", "--env", "test"],
    ] {
        let result = run(descope_mgmt(dir.path()).args(args));
        assert_eq!(result.code, 3, "{args:?}: {}", result.stderr);
        assert!(
            result.stderr.contains(
                "environments/test.yaml:3:5: error: environments.test.base_url: connection settings cannot be changed in an overlay"
            ),
            "{args:?}: {}",
            result.stderr
        );
    }
}
