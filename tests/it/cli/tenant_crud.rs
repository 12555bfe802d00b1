//! `tenant list | get | create | update | delete` against an emulator: output formats, input
//! checked before anything is sent, and the protected-environment guard on deletes.

use serde_json::{Value, json};

use super::live::{KEY, LiveEmulator, cli, config_for};
use super::support::{Run, run};

fn tenant(dir: &std::path::Path, args: &[&str]) -> Run {
    run(cli(dir, KEY).arg("tenant").args(args))
}

fn json_of(result: &Run) -> Value {
    assert_eq!(result.code, 0, "stderr: {}", result.stderr);
    serde_json::from_str(&result.stdout).unwrap_or_else(|e| panic!("{e}: {}", result.stdout))
}

fn create_acme(dir: &std::path::Path) {
    let created = tenant(
        dir,
        &[
            "create",
            "--env",
            "dev",
            "--id",
            "acme-corp",
            "--name",
            "Acme Corporation",
            "--domain",
            "acme.com",
            "--self-provisioning",
            "--attr",
            "type=portfolio",
            "--attr",
            "seats:=12",
            "--default-role",
            "Tenant Admin",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created
            .stdout
            .contains("created tenant acme-corp in env dev")
    );
}

/// A fresh emulator, a config on it, and acme-corp created through the binary.
fn emulator_with_acme() -> (LiveEmulator, tempfile::TempDir) {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    create_acme(dir.path());
    (emulator, dir)
}

#[test]
fn created_tenant_is_listed_as_a_table_and_as_json() {
    let (_emulator, dir) = emulator_with_acme();

    let table = tenant(dir.path(), &["list", "--env", "dev"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    for header in [
        "ID",
        "NAME",
        "DOMAINS",
        "SELF-PROVISIONING",
        "DISABLED",
        "ENFORCE SSO",
        "DEFAULT ROLES",
    ] {
        assert!(table.stdout.contains(header), "{header}: {}", table.stdout);
    }
    let row = table
        .stdout
        .lines()
        .find(|line| line.contains("acme-corp"))
        .expect("a row for acme-corp");
    for cell in ["Acme Corporation", "acme.com", "yes", "Tenant Admin"] {
        assert!(row.contains(cell), "{cell}: {row}");
    }

    let listing = json_of(&tenant(
        dir.path(),
        &["list", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(listing["format_version"], 1);
    assert_eq!(listing["env"], "dev");
    assert_eq!(
        listing["tenants"],
        json!([{
            "id": "acme-corp",
            "name": "Acme Corporation",
            "domains": ["acme.com"],
            "self_provisioning": true,
            "custom_attributes": {"seats": 12, "type": "portfolio"},
            "enforce_sso": false,
            "disabled": false,
            "default_roles": ["Tenant Admin"],
        }])
    );
}

#[test]
fn yaml_listing_carries_the_format_version() {
    let (_emulator, dir) = emulator_with_acme();
    let listing = tenant(dir.path(), &["list", "--env", "dev", "--format", "yaml"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    assert!(
        listing
            .stdout
            .starts_with("\"format_version\": 1\n\"env\": \"dev\"\n\"tenants\":\n"),
        "{}",
        listing.stdout
    );
    assert!(listing.stdout.contains("\"id\": \"acme-corp\""));
}

#[test]
fn get_shows_one_tenant_or_says_it_is_not_there() {
    let (_emulator, dir) = emulator_with_acme();

    let found = json_of(&tenant(
        dir.path(),
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(found["tenant"]["name"], "Acme Corporation");
    assert_eq!(found["tenant"]["domains"], json!(["acme.com"]));

    let missing = tenant(dir.path(), &["get", "ghost", "--env", "dev"]);
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("tenant ghost not found in env dev"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());
}

#[test]
fn invalid_input_exits_3_and_sends_nothing() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    for (flags, expected) in [
        (
            &["--id", "Bad_ID", "--name", "Acme"][..],
            "must match ^[a-z0-9-]+$",
        ),
        (&["--id", "ab", "--name", "Acme"][..], "it must be 3 to 50"),
        (
            &["--id", "acme", "--name", "   "][..],
            "name: must not be empty",
        ),
        (
            &["--id", "acme", "--name", "Acme", "--domain", "not a domain"][..],
            "is not a valid domain",
        ),
    ] {
        let result = tenant(
            dir.path(),
            &[&["create", "--env", "dev"][..], flags].concat(),
        );
        assert_eq!(result.code, 3, "{flags:?}: {}", result.stderr);
        assert!(
            result.stderr.contains(expected),
            "{flags:?}: {}",
            result.stderr
        );
        assert!(
            result.stderr.contains("nothing was sent"),
            "{}",
            result.stderr
        );
    }
    let updated = tenant(
        dir.path(),
        &["update", "acme", "--env", "dev", "--domain=-bad.com"],
    );
    assert_eq!(updated.code, 3, "{}", updated.stderr);
    let stats = emulator.stats();
    assert_eq!(stats["writes"], 0, "{stats}");
    assert_eq!(stats["requests"], 0, "{stats}");
}

#[test]
fn update_loads_modifies_and_writes_back() {
    let (_emulator, dir) = emulator_with_acme();

    let updated = tenant(
        dir.path(),
        &[
            "update",
            "acme-corp",
            "--env",
            "dev",
            "--name",
            "Acme Inc",
            "--disabled",
            "true",
            "--attr",
            "tier=gold",
            "--remove-attr",
            "seats",
        ],
    );
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert!(
        updated
            .stdout
            .contains("updated tenant acme-corp in env dev")
    );

    let got = json_of(&tenant(
        dir.path(),
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    let got = &got["tenant"];
    assert_eq!(got["name"], "Acme Inc");
    assert_eq!(got["disabled"], true);
    // Untouched fields survive the full overwrite.
    assert_eq!(got["domains"], json!(["acme.com"]));
    assert_eq!(got["default_roles"], json!(["Tenant Admin"]));
    assert_eq!(
        got["custom_attributes"],
        json!({"tier": "gold", "type": "portfolio"})
    );

    let off = tenant(
        dir.path(),
        &[
            "update",
            "acme-corp",
            "--env",
            "dev",
            "--self-provisioning",
            "false",
        ],
    );
    assert_eq!(off.code, 0, "{}", off.stderr);
    let got = json_of(&tenant(
        dir.path(),
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["self_provisioning"], false);
    assert_eq!(got["tenant"]["domains"], json!([]));

    let missing = tenant(
        dir.path(),
        &["update", "ghost", "--env", "dev", "--name", "X"],
    );
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("tenant ghost not found in env dev"),
        "{}",
        missing.stderr
    );
}

#[test]
fn delete_on_an_unprotected_env_needs_no_confirmation() {
    let (_emulator, dir) = emulator_with_acme();
    let deleted = tenant(dir.path(), &["delete", "acme-corp", "--env", "dev"]);
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert!(
        deleted
            .stdout
            .contains("deleted tenant acme-corp from env dev")
    );
    let gone = tenant(dir.path(), &["get", "acme-corp", "--env", "dev"]);
    assert_eq!(gone.code, 1, "{}", gone.stderr);

    let again = tenant(dir.path(), &["delete", "acme-corp", "--env", "dev"]);
    assert_eq!(again.code, 1);
    assert!(
        again
            .stderr
            .contains("tenant acme-corp not found in env dev"),
        "{}",
        again.stderr
    );
}

#[test]
fn delete_on_a_protected_env_without_a_terminal_needs_yes() {
    let (emulator, dir) = emulator_with_acme();
    let writes_before = emulator.writes();

    let refused = tenant(dir.path(), &["delete", "acme-corp", "--env", "prod"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(refused.stderr.contains("protected"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(emulator.writes(), writes_before);
    let still_there = tenant(dir.path(), &["get", "acme-corp", "--env", "prod"]);
    assert_eq!(still_there.code, 0, "{}", still_there.stderr);

    let confirmed = tenant(
        dir.path(),
        &["delete", "acme-corp", "--env", "prod", "--yes"],
    );
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    let gone = tenant(dir.path(), &["get", "acme-corp", "--env", "prod"]);
    assert_eq!(gone.code, 1, "{}", gone.stderr);
}

#[test]
fn writes_to_a_protected_env_need_yes_too() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let refused = tenant(
        dir.path(),
        &["create", "--env", "prod", "--id", "acme", "--name", "Acme"],
    );
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert_eq!(emulator.writes(), 0);
    let created = tenant(
        dir.path(),
        &[
            "create", "--env", "prod", "--id", "acme", "--name", "Acme", "--yes",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let renamed = tenant(
        dir.path(),
        &["update", "acme", "--env", "prod", "--name", "Acme 2"],
    );
    assert_eq!(renamed.code, 4, "{}", renamed.stderr);
}

#[test]
fn roles_and_permissions_are_listed() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let roles = json_of(&run(
        cli(dir.path(), KEY).args(["role", "list", "--env", "dev", "--format", "json"])
    ));
    assert_eq!(roles["format_version"], 1);
    let admin = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Tenant Admin")
        .expect("the built-in role");
    assert_eq!(admin["tenant_id"], Value::Null);

    let permissions = json_of(&run(cli(dir.path(), KEY).args([
        "permission",
        "list",
        "--env",
        "dev",
        "--format",
        "json",
    ])));
    let names: Vec<&str> = permissions["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Impersonate", "SSO Admin", "User Admin"]);

    let table = run(cli(dir.path(), KEY).args(["permission", "list", "--env", "dev"]));
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("User Admin"));
}

#[test]
fn update_that_changes_nothing_writes_nothing() {
    let (emulator, dir) = emulator_with_acme();
    let writes_before = emulator.writes();
    let same = tenant(
        dir.path(),
        &[
            "update",
            "acme-corp",
            "--env",
            "dev",
            "--name",
            "Acme Corporation",
            "--format",
            "json",
        ],
    );
    let document = json_of(&same);
    assert_eq!(document["updated"], false);
    assert_eq!(emulator.writes(), writes_before);
}

#[test]
fn creating_an_existing_tenant_fails_with_the_api_error() {
    let (_emulator, dir) = emulator_with_acme();
    let again = tenant(
        dir.path(),
        &[
            "create",
            "--env",
            "dev",
            "--id",
            "acme-corp",
            "--name",
            "Other",
        ],
    );
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("env dev: tenant.create"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("HTTP 4"), "{}", again.stderr);
    let got = json_of(&tenant(
        dir.path(),
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["name"], "Acme Corporation");
}

#[test]
fn unknown_default_role_is_refused_before_any_write() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let refused = tenant(
        dir.path(),
        &[
            "create",
            "--env",
            "dev",
            "--id",
            "beta-co",
            "--name",
            "Beta",
            "--default-role",
            "no-such-role",
        ],
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("role no-such-role not found in env dev"),
        "{}",
        refused.stderr
    );
    assert_eq!(emulator.writes(), 0);

    create_acme(dir.path());
    let writes_before = emulator.writes();
    let update = tenant(
        dir.path(),
        &[
            "update",
            "acme-corp",
            "--env",
            "dev",
            "--default-role",
            "ghost",
        ],
    );
    assert_eq!(update.code, 1, "{}", update.stderr);
    assert_eq!(emulator.writes(), writes_before);
}

/// Runs `tenant ARGS` on a pseudo-terminal (util-linux `script`), typing `typed` into it.
fn tenant_on_a_terminal(dir: &std::path::Path, args: &[&str], typed: &str) -> Run {
    use std::io::Write;
    let binary = env!("CARGO_BIN_EXE_descope-mgmt");
    let command_line = std::iter::once(binary)
        .chain(["-c", "descope.yaml", "tenant"])
        .chain(args.iter().copied())
        .map(|word| format!("'{word}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .current_dir(dir)
        .env("KEY", KEY)
        .env("NO_COLOR", "1")
        .env_remove("DESCOPE_MGMT_CONFIG")
        .env_remove("DESCOPE_BASE_URL")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs (it provides the terminal)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn on_a_terminal_the_protected_env_name_must_be_typed() {
    let (_emulator, dir) = emulator_with_acme();

    let declined = tenant_on_a_terminal(
        dir.path(),
        &["delete", "acme-corp", "--env", "prod"],
        "dev\n",
    );
    assert_eq!(declined.code, 4, "{}{}", declined.stdout, declined.stderr);
    assert!(
        declined.stdout.contains("Type its name to continue"),
        "{}",
        declined.stdout
    );
    assert!(
        declined.stdout.contains("confirmation declined"),
        "{}",
        declined.stdout
    );
    assert_eq!(
        tenant(dir.path(), &["get", "acme-corp", "--env", "prod"]).code,
        0
    );

    let confirmed = tenant_on_a_terminal(
        dir.path(),
        &["delete", "acme-corp", "--env", "prod"],
        "prod\n",
    );
    assert_eq!(
        confirmed.code, 0,
        "{}{}",
        confirmed.stdout, confirmed.stderr
    );
    assert!(
        confirmed
            .stdout
            .contains("deleted tenant acme-corp from env prod"),
        "{}",
        confirmed.stdout
    );
    assert_eq!(
        tenant(dir.path(), &["get", "acme-corp", "--env", "prod"]).code,
        1
    );
}

#[test]
fn domains_without_self_provisioning_are_dropped_with_a_warning() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let created = tenant(
        dir.path(),
        &[
            "create", "--env", "dev", "--id", "beta-co", "--name", "Beta", "--domain", "beta.com",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created
            .stderr
            .contains("domains have no effect without self-provisioning"),
        "{}",
        created.stderr
    );
    let got = json_of(&tenant(
        dir.path(),
        &["get", "beta-co", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["domains"], json!([]));
    assert_eq!(got["tenant"]["self_provisioning"], false);
}
