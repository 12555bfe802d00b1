//! `config validate`: the example configuration is clean, and every broken fixture exits 3 with
//! exactly the diagnostic lines in its `expected.txt`.

use super::support::{descope_mgmt, repo_root, run};

#[test]
fn example_configuration_validates_clean() {
    let result =
        run(descope_mgmt(&repo_root()).args(["config", "validate", "-c", "config/descope.yaml"]));
    assert_eq!(result.code, 0, "stderr: {}", result.stderr);
    assert_eq!(result.stderr, "", "no warnings expected");
    assert!(
        result.stdout.starts_with("config/descope.yaml: valid ("),
        "{}",
        result.stdout
    );
}

#[test]
fn every_environment_view_of_the_example_validates() {
    for env in ["local", "dev", "qa", "staging", "uat", "prod", "all"] {
        let result = run(descope_mgmt(&repo_root()).args(["config", "validate", "--env", env]));
        assert_eq!(result.code, 0, "{env}: {}", result.stderr);
    }
}

#[test]
fn broken_fixtures_report_exactly_their_expected_lines() {
    let fixtures = repo_root().join("tests/fixtures/broken");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 100, "only {} broken fixtures", cases.len());
    // Every case is checked before failing, so one run shows all that differ.
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check_case(case).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Runs `config validate` in one fixture directory and compares with its `expected.txt`.
fn check_case(case: &std::path::Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let expected = std::fs::read_to_string(case.join("expected.txt"))
        .map_err(|error| format!("{name}: expected.txt: {error}"))?;
    let expected: Vec<&str> = expected.lines().collect();
    if expected.is_empty() {
        return Err(format!("{name}: expected.txt is empty"));
    }
    let result = run(descope_mgmt(case).args(["config", "validate", "-c", "descope.yaml"]));
    if result.code != 3 {
        return Err(format!(
            "{name}: exit {} (not 3); stderr:\n{}",
            result.code, result.stderr
        ));
    }
    let diagnostics: Vec<&str> = result
        .stderr
        .lines()
        .filter(|line| is_diagnostic(line))
        .collect();
    if diagnostics != expected {
        return Err(format!(
            "{name}: diagnostics differ\n  expected:\n    {}\n  actual:\n    {}",
            expected.join("\n    "),
            diagnostics.join("\n    ")
        ));
    }
    let last = result.stderr.lines().last().unwrap_or_default();
    if !last.starts_with("error: descope.yaml is invalid") {
        return Err(format!("{name}: last line is {last:?}"));
    }
    if result.stderr.contains("K2literalCanary") || result.stdout.contains("K2literalCanary") {
        return Err(format!("{name}: a key leaked"));
    }
    Ok(())
}

/// `FILE:LINE:COLUMN: severity: …`, from any file of the fixture (base, overlay, `.env`).
fn is_diagnostic(line: &str) -> bool {
    let Some((location, rest)) = line.split_once(": ") else {
        return false;
    };
    let mut parts = location.rsplitn(3, ':');
    let numeric = |part: Option<&str>| part.is_some_and(|p| p.parse::<u32>().is_ok());
    numeric(parts.next())
        && numeric(parts.next())
        && parts.next().is_some()
        && (rest.starts_with("error: ") || rest.starts_with("warning: "))
}

#[test]
fn json_report_lists_every_diagnostic_with_its_position() {
    let case = repo_root().join("tests/fixtures/broken/wrong-type");
    let result = run(descope_mgmt(&case).args([
        "config",
        "validate",
        "-c",
        "descope.yaml",
        "--format",
        "json",
    ]));
    assert_eq!(result.code, 3);
    let report: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"], 2);
    let first = &report["diagnostics"][0];
    assert_eq!(first["line"], 9);
    assert_eq!(first["column"], 24);
    assert_eq!(first["path"], "tenants[0].self_provisioning");
    assert_eq!(first["severity"], "error");
}

#[test]
fn warnings_do_not_fail_validation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "environments:\n  dev:\n    project_id: P2dev\n    management_key: K2literalCanaryKey\ntenants:\n  - {id: acme, name: Acme, domains: [acme.com]}\n",
    )
    .unwrap();
    let result = run(descope_mgmt(dir.path()).args(["config", "validate", "-c", "descope.yaml"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stderr.lines().count(), 2, "{}", result.stderr);
    assert!(
        result
            .stderr
            .contains("descope.yaml:4:21: warning: environments.dev.management_key")
    );
    assert!(
        result
            .stderr
            .contains("descope.yaml:6:37: warning: tenants[0].domains")
    );
    assert!(!result.stderr.contains("K2literalCanaryKey"));
    assert!(
        result.stdout.contains(
            "valid (1 environment, 0 permissions, 0 roles, 1 tenant, 0 flows; 2 warnings)"
        ),
        "{}",
        result.stdout
    );
}

#[test]
fn variables_come_from_dotenv_and_the_process_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "environments:\n  dev:\n    project_id: ${FIXTURE_PROJECT}\n    management_key: ${FIXTURE_KEY}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "FIXTURE_PROJECT=P2fromDotenv\nFIXTURE_KEY=K2fromDotenvSecret\n",
    )
    .unwrap();
    let result = run(descope_mgmt(dir.path())
        .args(["env", "list", "-c", "descope.yaml", "--format", "json"])
        .env("FIXTURE_PROJECT", "P2fromProcess"));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let listing: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    assert_eq!(listing["environments"][0]["project_id"], "P2fromProcess");
    assert_eq!(listing["environments"][0]["management_key"], "K2fr…");
}

#[test]
fn overlay_errors_point_at_the_overlay_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "environments:\n  prod: {emulator: state.json}\ntenants:\n  - {id: acme, name: Acme}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/prod.yaml"),
        "tenants:\n  - id: acme\n    name: \"\"\n",
    )
    .unwrap();
    // Without --env, overlays are validated too.
    for args in [
        vec!["config", "validate"],
        vec!["config", "validate", "--env", "prod"],
    ] {
        let result = run(descope_mgmt(dir.path())
            .args(&args)
            .args(["-c", "descope.yaml"]));
        assert_eq!(result.code, 3, "{args:?}: {}", result.stderr);
        assert!(
            result
                .stderr
                .contains("environments/prod.yaml:3:11: error: tenants[0].name: must not be empty"),
            "{}",
            result.stderr
        );
    }
}
