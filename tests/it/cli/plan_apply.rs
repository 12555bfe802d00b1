//! `plan`, `apply` and `drift` end to end against an emulator served by the test process,
//! asserting on the emulator's state and its write counters.

use std::os::unix::fs::PermissionsExt;

use super::world::{KEY, RESOURCES, TENANTS, World, parse, read_json};

#[test]
fn apply_creates_everything_then_a_second_apply_writes_nothing() {
    let world = World::new(RESOURCES);
    let first = world.run(&["apply", "--env", "dev"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("+ create tenant acme-corp"),
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("Plan: 4 to create, 0 to update, 0 to delete, 0 unchanged."),
        "{}",
        first.stdout
    );
    assert!(first.stderr.contains("4 created"), "{}", first.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
    assert!(world.role_names().contains(&"viewer".to_owned()));

    let writes = world.writes();
    let second = world.run(&["apply", "--env", "dev"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(world.writes(), writes, "a converged apply must not write");
    assert!(
        second
            .stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged."),
        "{}",
        second.stdout
    );
}

#[test]
fn each_kind_is_listed_with_one_call_only() {
    let world = World::new(RESOURCES);
    for n in 1..=3 {
        world.create_tenant(&format!("other-{n}"), &format!("Other {n}"));
    }
    world.post(
        "/v1/mgmt/role/create",
        serde_json::json!({"name": "other-role", "description": ""}),
    );
    world.post(
        "/v1/mgmt/permission/create",
        serde_json::json!({"name": "other.permission", "description": ""}),
    );
    let before = world.stats()["byRoute"].clone();
    let result = world.run(&["plan", "--env", "dev"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let after = world.stats()["byRoute"].clone();
    let called: std::collections::BTreeMap<&str, u64> = after
        .as_object()
        .unwrap()
        .iter()
        .map(|(route, count)| {
            (
                route.as_str(),
                count.as_u64().unwrap() - before[route].as_u64().unwrap_or(0),
            )
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    assert_eq!(
        called,
        std::collections::BTreeMap::from([
            ("GET /v1/mgmt/license", 1),
            ("GET /v1/mgmt/password/settings", 1),
            ("GET /v1/mgmt/permission/all", 1),
            ("GET /v1/mgmt/role/all", 1),
            ("GET /v1/mgmt/tenant/all", 1),
            ("POST /v1/mgmt/flow/list", 1),
            // Flows list as a summary; only configured flows are exported (none here: the
            // project's seeded flows are Descope's own, never planned unless declared).
            ("POST /v2/mgmt/theme/export", 1),
        ]),
        "one list per kind (and the license handshake), no export of an unconfigured flow, no other loads"
    );
}

#[test]
fn dry_run_sends_no_write_and_changes_nothing() {
    let world = World::new(RESOURCES);
    world.create_tenant("globex", "Old Name");
    let writes = world.writes();
    let before = world.tenants();
    let result = world.run(&["apply", "--env", "dev", "--dry-run", "--prune"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(world.writes(), writes);
    assert_eq!(world.tenants(), before);
    assert!(
        result.stdout.contains("+ create tenant acme-corp"),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("~ update tenant globex"),
        "{}",
        result.stdout
    );
    assert!(
        result
            .stdout
            .contains("    name: \"Old Name\" → \"Globex\""),
        "{}",
        result.stdout
    );
    assert!(world.backups("dev").is_empty(), "a dry run takes no backup");
}

#[test]
fn update_path_changes_the_name_and_backs_up_the_old_state_privately() {
    let world = World::new(TENANTS);
    world.create_tenant("globex", "Old Name");
    let result = world.run(&["apply", "--env", "dev"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        world
            .tenants()
            .contains(&("globex".into(), "Globex".into()))
    );

    let backups = world.backups("dev");
    assert_eq!(backups.len(), 1, "{}", result.stderr);
    assert!(result.stderr.contains("backup: "), "{}", result.stderr);
    let mode = std::fs::metadata(&backups[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&backups[0]).unwrap();
    assert!(!text.contains(KEY), "the backup holds the key");
    assert!(text.contains("Old Name"), "{text}");

    let audit = std::fs::read_to_string(world.state_dir().join("audit/dev.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 2, "{audit}");
}

#[test]
fn unmanaged_tenants_are_listed_and_only_pruned_with_prune() {
    let world = World::new(TENANTS);
    world.create_tenant("stray", "Stray");
    let without = world.run(&["apply", "--env", "dev"]);
    assert_eq!(without.code, 0, "{}", without.stderr);
    assert!(
        without
            .stdout
            .contains("tenant stray: not in config (use --prune to delete)"),
        "{}",
        without.stdout
    );
    assert!(world.tenant_ids().contains(&"stray".to_owned()));

    let with = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert!(
        with.stdout.contains("- delete tenant stray"),
        "{}",
        with.stdout
    );
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn built_in_roles_and_permissions_are_never_pruned() {
    let world = World::new(TENANTS);
    let result = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(world.role_names().contains(&"Tenant Admin".to_owned()));
    assert_eq!(world.route("POST /v1/mgmt/permission/delete"), 0);
}

#[test]
fn deletes_beyond_max_deletes_are_refused() {
    let world = World::new(TENANTS);
    for n in 1..=3 {
        world.create_tenant(&format!("stray-{n}"), &format!("Stray {n}"));
    }
    let writes = world.writes();
    let result = world.run(&["apply", "--env", "dev", "--prune", "--max-deletes", "2"]);
    assert_eq!(result.code, 4, "{}", result.stderr);
    assert!(
        result.stderr.contains("--max-deletes 3"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), writes);
}

#[test]
fn protected_env_refuses_deletes_without_allow_delete() {
    let world = World::new(TENANTS);
    world.create_tenant("stray", "Stray");
    let writes = world.writes();
    let result = world.run(&["apply", "--env", "prod", "--prune", "--yes"]);
    assert_eq!(result.code, 4, "{}", result.stderr);
    assert!(
        result.stderr.contains("--allow-delete"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), writes);

    let allowed = world.run(&[
        "apply",
        "--env",
        "prod",
        "--prune",
        "--yes",
        "--allow-delete",
    ]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(!world.tenant_ids().contains(&"stray".to_owned()));
}

#[test]
fn protected_env_without_terminal_or_yes_is_refused() {
    let world = World::new(TENANTS);
    let result = world.run(&["apply", "--env", "prod"]);
    assert_eq!(result.code, 4, "{}", result.stderr);
    assert!(result.stderr.contains("--yes"), "{}", result.stderr);
    assert_eq!(world.writes(), 0);
    assert!(world.tenant_ids().is_empty());
}

#[test]
fn a_failed_change_exits_5_and_a_rerun_converges_without_duplicates() {
    // `--target` leaves the role out, so setting it as acme-corp's default role is rejected.
    let world = World::new(RESOURCES);
    let report = world.path("report.json");
    let result = world.run(&[
        "apply",
        "--env",
        "dev",
        "--target",
        "tenant:acme-corp",
        "--target",
        "tenant:globex",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(result.code, 5, "{}\n{}", result.stdout, result.stderr);
    assert!(
        result
            .stderr
            .contains("created, work left: tenant acme-corp")
            && !result.stderr.contains("failed: create tenant acme-corp"),
        "{}",
        result.stderr
    );
    // The tenant exists: the report says so and names what is left, not a bare failed create.
    assert!(
        result
            .stderr
            .contains("tenant acme-corp was created, but setting its default roles failed")
            && result.stderr.contains("left to do: default roles"),
        "{}",
        result.stderr
    );
    let document = read_json(&report);
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["status"], "partial");
    assert_eq!(document["failed"], 1);
    assert_eq!(document["created"], 1);

    let rerun = world.run(&["apply", "--env", "dev"]);
    assert_eq!(rerun.code, 0, "{}\n{}", rerun.stdout, rerun.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
    let again = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn plan_json_is_the_versioned_document() {
    let world = World::new(TENANTS);
    world.create_tenant("globex", "Old");
    let result = world.run(&["plan", "--env", "dev", "--format", "json"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let document = parse(&result.stdout);
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["env"], "dev");
    assert_eq!(document["summary"]["create"], 1);
    assert_eq!(document["summary"]["update"], 1);
    let changes = document["plan"]["changes"].as_array().unwrap();
    let update = changes.iter().find(|c| c["id"] == "globex").unwrap();
    assert_eq!(update["action"], "update");
    assert_eq!(update["fields"][0]["field"], "name");
    assert_eq!(update["fields"][0]["before"], "Old");
}

#[test]
fn detailed_exitcode_is_2_while_pending_then_0() {
    let world = World::new(TENANTS);
    let before = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(before.code, 2, "{}", before.stderr);
    assert_eq!(world.run(&["apply", "--env", "dev"]).code, 0);
    let after = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "{}", after.stderr);
}

#[test]
fn saved_plan_applies_and_a_stale_one_is_refused() {
    let world = World::new(TENANTS);
    let planfile = world.path("plan.json");
    let planfile = planfile.to_str().unwrap();
    let plan = world.run(&["plan", "--env", "dev", "--out", planfile]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let applied = world.run(&["apply", planfile]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);

    world.write_config(&format!("{TENANTS}  - id: initech\n    name: Initech\n"));
    let plan = world.run(&["plan", "--env", "dev", "--out", planfile]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    world.create_tenant("initech", "Created behind the plan's back");
    let writes = world.writes();
    let stale = world.run(&["apply", planfile]);
    assert_eq!(stale.code, 4, "{}", stale.stderr);
    assert!(
        stale.stderr.contains("the plan is stale"),
        "{}",
        stale.stderr
    );
    assert_eq!(
        stale.stderr.matches("stale").count(),
        1,
        "said twice: {}",
        stale.stderr
    );
    assert_eq!(world.writes(), writes);
}

#[test]
fn a_saved_plan_is_refused_after_its_configuration_or_the_file_changed() {
    let world = World::new(TENANTS);
    let planfile = world.path("plan.json");
    let planfile = planfile.to_str().unwrap();
    let plan = world.run(&["plan", "--env", "dev", "--out", planfile]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let writes = world.writes();

    // The configuration changed since the plan was made.
    world.write_config(&TENANTS.replace("Globex", "Globex Renamed"));
    let changed = world.run(&["apply", planfile]);
    assert_eq!(changed.code, 4, "{}", changed.stderr);
    assert!(
        changed
            .stderr
            .contains("the configuration changed since the plan was saved"),
        "{}",
        changed.stderr
    );
    assert_eq!(world.writes(), writes);

    // The plan file was edited by hand.
    world.write_config(TENANTS);
    let text = std::fs::read_to_string(planfile).unwrap();
    assert!(text.contains("Globex"), "{text}");
    std::fs::write(planfile, text.replace("Globex", "Edited")).unwrap();
    let edited = world.run(&["apply", planfile]);
    assert_eq!(edited.code, 4, "{}", edited.stderr);
    assert!(
        edited
            .stderr
            .contains("the plan file was changed after it was saved"),
        "{}",
        edited.stderr
    );
    assert_eq!(world.writes(), writes);
}

#[test]
fn drift_is_2_with_unmanaged_or_changed_resources_and_0_when_converged() {
    let world = World::new(TENANTS);
    assert_eq!(world.run(&["apply", "--env", "dev"]).code, 0);
    let clean = world.run(&["drift", "--env", "dev"]);
    assert_eq!(clean.code, 0, "{}\n{}", clean.stdout, clean.stderr);
    world.create_tenant("stray", "Stray");
    let drifted = world.run(&["drift", "--env", "dev"]);
    assert_eq!(drifted.code, 2, "{}", drifted.stderr);
    assert!(
        drifted.stdout.contains("tenant stray"),
        "{}",
        drifted.stdout
    );
}

#[test]
fn invalid_config_exits_3_without_calling_the_api() {
    let world = World::new("tenants:\n  - id: Not Valid!\n    name: X\n");
    let result = world.run(&["apply", "--env", "dev"]);
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert_eq!(world.requests(), 0);
}

#[test]
fn env_all_prints_one_matrix_and_skips_envs_without_credentials() {
    let world = World::new(TENANTS);
    let result = world.run(&["plan", "--env", "all", "--format", "json"]);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    let document = parse(&result.stdout);
    let envs = document["environments"].as_array().unwrap();
    let by_name = |name: &str| envs.iter().find(|e| e["env"] == name).unwrap().clone();
    assert_eq!(by_name("dev")["summary"]["create"], 2);
    assert_eq!(by_name("prod")["summary"]["create"], 2);
    assert_eq!(by_name("qa")["status"], "skipped");
    // Each planned environment states its cost: two tenant creates.
    assert_eq!(by_name("dev")["calls"]["apply"], 2);
    assert_eq!(by_name("qa")["calls"], serde_json::Value::Null);

    let table = world.run(&["plan", "--env", "all", "--detailed-exitcode"]);
    assert_eq!(table.code, 2, "{}", table.stderr);
    assert!(
        table.stdout.contains("skipped: management_key is empty"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_held_environment_lock_refuses_the_apply() {
    use descope_mgmt_core::safety::{LockKey, ProjectLock};
    let world = World::new(TENANTS);
    let _held = ProjectLock::acquire(
        &world.lock_dir(),
        &LockKey::new("P2local", world.url()),
        "elsewhere",
    )
    .unwrap();
    let result = world.run(&["apply", "--env", "dev"]);
    assert_eq!(result.code, 4, "{}", result.stderr);
    assert!(result.stderr.contains("locked"), "{}", result.stderr);
    assert_eq!(world.writes(), 0);
}

#[test]
fn apply_json_output_carries_the_plan_and_the_result() {
    let world = World::new(TENANTS);
    let result = world.run(&["apply", "--env", "dev", "--format", "json"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let document = parse(&result.stdout);
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["summary"]["create"], 2);
    assert_eq!(document["result"]["status"], "success");
    assert_eq!(document["result"]["created"], 2);
    assert_eq!(document["result"]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn drift_env_all_is_2_when_any_environment_drifted() {
    let world = World::new(TENANTS);
    assert_eq!(world.run(&["apply", "--env", "dev"]).code, 0);
    let clean = world.run(&["drift", "--env", "all"]);
    assert_eq!(clean.code, 0, "{}\n{}", clean.stdout, clean.stderr);
    world.create_tenant("stray", "Stray");
    let drifted = world.run(&["drift", "--env", "all", "--format", "yaml"]);
    assert_eq!(drifted.code, 2, "{}", drifted.stderr);
    assert!(
        drifted.stdout.contains("\"format_version\": 1"),
        "{}",
        drifted.stdout
    );
    assert!(
        drifted.stdout.contains("\"unmanaged\": 1"),
        "{}",
        drifted.stdout
    );
}

#[test]
fn a_tenant_name_swap_is_refused_with_a_hint_before_any_write() {
    let world =
        World::new("tenants:\n  - id: alpha\n    name: Alpha\n  - id: bravo\n    name: Bravo\n");
    world.create_tenant("alpha", "Bravo");
    world.create_tenant("bravo", "Alpha");
    let writes = world.writes();
    plan_and_apply_fail(
        &world,
        &[],
        4,
        &["tenants alpha and bravo swap names", "temporary name"],
    );
    assert_eq!(world.writes(), writes, "a refused swap wrote something");
}

/// Runs `plan` and `apply` on `dev` with `extra` flags; each must exit `code` saying every one
/// of `says`.
fn plan_and_apply_fail(world: &World, extra: &[&str], code: i32, says: &[&str]) {
    for command in ["plan", "apply"] {
        let args: Vec<&str> = [command, "--env", "dev"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let result = world.run(&args);
        assert_eq!(result.code, code, "{command}: {}", result.stderr);
        for said in says {
            assert!(result.stderr.contains(said), "{command}: {}", result.stderr);
        }
    }
}

#[test]
fn a_target_that_names_no_resource_is_an_error() {
    let world = World::new(TENANTS);
    world.create_tenant("stray", "Stray");
    let writes = world.writes();
    plan_and_apply_fail(
        &world,
        &["--target", "tenant:NOPE"],
        64,
        &["no such resource: tenant:NOPE"],
    );
    // A live resource the configuration does not name is still a valid target (to prune it).
    let stray = world.run(&[
        "plan",
        "--env",
        "dev",
        "--prune",
        "--target",
        "tenant:stray",
    ]);
    assert_eq!(stray.code, 0, "{}", stray.stderr);
    assert_eq!(world.writes(), writes);
}

#[test]
fn an_unwritable_report_path_is_refused_before_any_write() {
    let world = World::new(TENANTS);
    let apply_reporting_to = |name: &str| {
        let report = world.path(name);
        world.run(&[
            "apply",
            "--env",
            "dev",
            "--report",
            report.to_str().unwrap(),
        ])
    };
    let writes = world.writes();
    let result = apply_reporting_to("no-such-dir/report.json");
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result.stderr.contains("cannot write the report")
            && result.stderr.contains("nothing was sent"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), writes, "the run wrote before finding out");
    assert!(world.tenant_ids().is_empty());

    let result = apply_reporting_to("report.json");
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(read_json(&world.path("report.json")).is_object());
}
