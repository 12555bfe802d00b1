//! `export --env E --out DIR`: a live project written as a configuration that plans empty,
//! byte-stable, without built-ins, server-set fields or any key; a non-empty folder refused
//! before anything is sent.

use std::path::Path;
use std::process::Command;

use descope_mgmt::report::ExportReport;
use serde_json::json;

use super::flows::corpus;
use super::support::{Run, descope_mgmt, run};
use super::world::{World, files_under};

/// A distinctive management key: any file that contains it leaked it.
pub(super) const CANARY_KEY: &str = "K2canaryZXQ9d41f7cafe";

pub(super) const SEED: &str = "permissions:\n  - name: reports.read\n    description: Read reports\n  - name: billing.write\n    description: \"Change ${PLAN} plans\"\nroles:\n  - name: viewer\n    description: Reads reports\n    permissions: [reports.read, User Admin]\n  - name: biller\n    permissions: [billing.write]\ntenants:\n  - id: acme-corp\n    name: Acme Corporation\n    domains: [acme.com]\n    self_provisioning: true\n    default_roles: [viewer]\n    custom_attributes: {tier: enterprise, seats: 40, contact: {team: ops, pager: true}}\n  - id: globex\n    name: Globex\n    enforce_sso: true\n    disabled: true\nflows:\n  - id: references-flow\n    file: FLOW_FILE\nthemes:\n  file: THEME_FILE\n";

/// A world whose project holds permissions, roles, tenants, a corpus flow and a theme, and
/// lossless fields set behind the configuration's back (as in the console).
pub(super) fn seeded_world() -> World {
    let flow = corpus("terraform-provider-descope/connectorflow.json");
    let theme = corpus("terraform-provider-descope/basicstyle.json");
    let resources = SEED
        .replace("${PLAN}", "$${PLAN}")
        .replace("FLOW_FILE", &format!("{:?}", flow.display().to_string()))
        .replace("THEME_FILE", &format!("{:?}", theme.display().to_string()));
    let world = World::builder()
        .key(CANARY_KEY)
        .resources(&resources)
        .build();
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    world.post(
        "/v1/mgmt/role/update",
        json!({"name": "biller", "newName": "biller", "description": "", "permissionNames": ["billing.write"], "default": true, "private": true}),
    );
    world.post(
        "/v1/mgmt/tenant/update",
        json!({"id": "globex", "name": "Globex", "enforceSSO": true, "disabled": true, "enforceSSOExclusions": ["U2break-glass"], "federatedAppIds": ["app-1"], "roleInheritance": "userOnly"}),
    );
    world
}

/// The binary in the world's folder with another configuration file and the key in the
/// variable an export names.
fn with_config(world: &World, config: &Path, args: &[&str]) -> Run {
    let mut command: Command = descope_mgmt(world.dir.path());
    command
        .arg("-c")
        .arg(config)
        .args(args)
        .env("DESCOPE_DEV_MANAGEMENT_KEY", CANARY_KEY)
        .env("DESCOPE_MGMT_STATE_DIR", world.state_dir());
    run(&mut command)
}

/// Fails when any file under `dir` contains `secret`; `at_least` files must be there, so an
/// empty folder cannot pass.
pub(super) fn assert_no_file_holds(dir: &Path, secret: &str, at_least: usize) {
    let files = files_under(dir);
    assert!(files.len() >= at_least, "{files:?}");
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(secret), "{} holds the key", file.display());
    }
}

fn export(world: &World, out: &str, extra: &[&str]) -> Run {
    let mut args = vec!["export", "--env", "dev", "--out", out];
    args.extend_from_slice(extra);
    world.run(&args)
}

#[test]
fn an_exported_project_plans_empty_against_itself() {
    let world = seeded_world();
    let exported = export(&world, "exported", &[]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);

    let config = world.path("exported/descope.yaml");
    let plan = with_config(
        &world,
        &config,
        &["plan", "--env", "dev", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let drift = with_config(&world, &config, &["drift", "--env", "dev"]);
    assert_eq!(drift.code, 0, "nothing live is left out: {}", drift.stdout);

    let yaml = std::fs::read_to_string(&config).unwrap();
    for expected in [
        "enforce_sso_exclusions:",
        "federated_app_ids:",
        "role_inheritance: \"userOnly\"",
        "default: true",
        "private: true",
        "management_key: \"${DESCOPE_DEV_MANAGEMENT_KEY}\"",
        "$${PLAN}",
    ] {
        assert!(yaml.contains(expected), "no {expected} in:\n{yaml}");
    }
    for left_out in [
        "Tenant Admin",
        "name: \"User Admin\"",
        "system_default",
        "createdTime",
    ] {
        assert!(!yaml.contains(left_out), "{left_out} exported:\n{yaml}");
    }
    assert!(world.path("exported/flows/references-flow.json").is_file());
    assert!(world.path("exported/themes/default.json").is_file());
}

#[test]
fn exporting_twice_gives_byte_identical_files() {
    let world = seeded_world();
    assert_eq!(export(&world, "first", &[]).code, 0);
    assert_eq!(export(&world, "second", &[]).code, 0);
    let first = files_under(&world.path("first"));
    let second = files_under(&world.path("second"));
    assert_eq!(first.len(), second.len());
    assert!(first.len() >= 3, "{first:?}");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            a.strip_prefix(world.path("first")).unwrap(),
            b.strip_prefix(world.path("second")).unwrap()
        );
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{a:?}"
        );
    }
}

#[test]
fn a_non_empty_folder_is_refused_before_anything_is_sent_unless_forced() {
    let world = seeded_world();
    world.write_file("kept.txt", "mine");
    std::fs::create_dir(world.path("busy")).unwrap();
    world.write_file("busy/notes.md", "mine");
    let requests = world.requests();
    let refused = export(&world, "busy", &[]);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(refused.stderr.contains("busy"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(world.requests(), requests, "a refused export sent requests");
    assert!(!world.path("busy/descope.yaml").exists());

    let forced = export(&world, "busy", &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(world.path("busy/descope.yaml").is_file());
    assert!(world.path("busy/flows/references-flow.json").is_file());

    // A flow deleted from the project leaves the folder on the next forced export; files the
    // export does not own stay.
    world.post("/v1/mgmt/flow/delete", json!({"ids": ["references-flow"]}));
    assert_eq!(export(&world, "busy", &["--force"]).code, 0);
    assert!(!world.path("busy/flows/references-flow.json").exists());
    assert!(world.path("busy/notes.md").is_file());
}

#[test]
fn the_json_report_lists_the_files_and_counts_per_kind() {
    let world = seeded_world();
    let exported = export(&world, "exported", &["--format", "json"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let report: ExportReport = serde_json::from_str(&exported.stdout).unwrap();
    assert_eq!(report.format_version, 1);
    assert_eq!(report.env, "dev");
    assert_eq!(report.files[0], "descope.yaml");
    assert!(
        report
            .files
            .contains(&"flows/references-flow.json".to_owned())
    );
    assert_eq!(report.files.last().unwrap(), "themes/default.json");
    assert_eq!(report.counts["tenant"], 2);
    assert_eq!(report.counts["role"], 2);
    assert_eq!(report.counts["permission"], 2);
    assert_eq!(report.counts["theme"], 1);
    assert_eq!(report.counts["flow"], report.files.len() - 2);
}

#[test]
fn kinds_limits_what_is_exported() {
    let world = seeded_world();
    let exported = export(&world, "some", &["--kinds", "permission,role"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let yaml = std::fs::read_to_string(world.path("some/descope.yaml")).unwrap();
    assert!(
        yaml.contains("roles:") && yaml.contains("permissions:"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("tenants:") && !yaml.contains("flows:"),
        "{yaml}"
    );
    assert!(!world.path("some/flows").exists());
    let plan = with_config(
        &world,
        &world.path("some/descope.yaml"),
        &["plan", "--env", "dev", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);

    let unknown = export(&world, "other", &["--kinds", "tenant,widget"]);
    assert_eq!(unknown.code, 64, "{}", unknown.stderr);
}

#[test]
fn no_exported_file_holds_the_management_key() {
    let world = seeded_world();
    assert_eq!(export(&world, "exported", &[]).code, 0);
    assert_no_file_holds(&world.path("exported"), CANARY_KEY, 3);
}
