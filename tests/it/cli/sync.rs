//! `tenant|role|permission diff|sync` end to end against an emulator served by the test process.

use std::time::Duration;

use serde_json::Value;

use super::world::{RESOURCES, TENANTS, World, interrupt, parse, read_json, wait_while_running};

#[test]
fn tenant_sync_creates_then_converges_with_zero_writes() {
    let world = World::new(TENANTS);
    let first = world.run(&["tenant", "sync", "--env", "dev"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
    assert!(first.stderr.contains("2 created"), "{}", first.stderr);

    let writes = world.writes();
    let second = world.run(&["tenant", "sync", "--env", "dev"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(world.writes(), writes, "the second sync must not write");
}

#[test]
fn tenant_sync_manages_tenants_only() {
    let world = World::new(RESOURCES);
    world.post(
        "/v1/mgmt/role/create",
        serde_json::json!({"name": "stray-role", "description": ""}),
    );
    let result = world.run(&["tenant", "sync", "--env", "dev", "--prune", "--dry-run"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stdout.contains("+ create tenant acme-corp"),
        "{}",
        result.stdout
    );
    for role in ["role stray-role", "role viewer"] {
        assert!(!result.stdout.contains(role), "{role}: {}", result.stdout);
    }

    // Without the role, acme-corp's default role is rejected by the server: a partial sync.
    let partial = world.run(&["tenant", "sync", "--env", "dev", "--prune"]);
    assert_eq!(partial.code, 5, "{}", partial.stderr);
    assert!(world.role_names().contains(&"stray-role".to_owned()));
    assert!(
        partial
            .stderr
            .contains("created, work left: tenant acme-corp"),
        "{}",
        partial.stderr
    );
}

#[test]
fn tenant_diff_detailed_exitcode_and_json() {
    let world = World::new(TENANTS);
    world.create_tenant("globex", "Old");
    let pending = world.run(&[
        "tenant",
        "diff",
        "--env",
        "dev",
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    assert_eq!(pending.code, 2, "{}", pending.stderr);
    let document = parse(&pending.stdout);
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["summary"]["create"], 1);
    assert_eq!(document["summary"]["update"], 1);
    assert_eq!(
        world.writes(),
        1,
        "diff never writes (1 = the seeding create)"
    );

    assert_eq!(world.run(&["tenant", "sync", "--env", "dev"]).code, 0);
    let clean = world.run(&["tenant", "diff", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
}

#[test]
fn tenant_sync_target_limits_the_work() {
    let world = World::new(TENANTS);
    let result = world.run(&["tenant", "sync", "--env", "dev", "--target", "globex"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(world.tenant_ids(), ["globex"]);
}

#[test]
fn tenant_sync_dry_run_and_prune_guards() {
    let world = World::new(TENANTS);
    world.create_tenant("stray", "Stray");
    let writes = world.writes();
    let dry = world.run(&["tenant", "sync", "--env", "dev", "--dry-run", "--prune"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("- delete tenant stray"),
        "{}",
        dry.stdout
    );
    assert_eq!(world.writes(), writes);

    let dry_prod = world.run(&["tenant", "sync", "--env", "prod", "--dry-run", "--prune"]);
    assert_eq!(dry_prod.code, 0, "{}", dry_prod.stderr);
    assert!(
        dry_prod.stderr.contains("would be refused"),
        "{}",
        dry_prod.stderr
    );
    let refused = world.run(&["tenant", "sync", "--env", "prod", "--prune", "--yes"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    let no_terminal = world.run(&["tenant", "sync", "--env", "prod"]);
    assert_eq!(no_terminal.code, 4, "{}", no_terminal.stderr);
    assert_eq!(world.writes(), writes);
}

#[test]
fn role_and_permission_sync_then_tenant_sync_converges() {
    let world = World::new(RESOURCES);
    let report = world.path("report.json");
    let permissions = world.run(&[
        "permission",
        "sync",
        "--env",
        "dev",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(permissions.code, 0, "{}", permissions.stderr);
    let document = read_json(&report);
    assert_eq!(document["created"], 1);
    assert!(document["api"]["requests"].as_u64().unwrap() >= 2);

    let roles = world.run(&["role", "sync", "--env", "dev"]);
    assert_eq!(roles.code, 0, "{}", roles.stderr);
    assert!(world.role_names().contains(&"viewer".to_owned()));
    let tenants = world.run(&["tenant", "sync", "--env", "dev"]);
    assert_eq!(tenants.code, 0, "{}", tenants.stderr);
    let diff = world.run(&["role", "diff", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(diff.code, 0, "{}", diff.stdout);
}

#[test]
fn tenant_diff_env_all_shows_every_environment() {
    let world = World::new(TENANTS);
    let result = world.run(&["tenant", "diff", "--env", "all", "--format", "json"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let document = parse(&result.stdout);
    let envs: Vec<(&str, &Value)> = document["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|env| (env["env"].as_str().unwrap(), env))
        .collect();
    assert_eq!(
        envs.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        ["dev", "prod", "qa"]
    );
    for (name, env) in &envs[..2] {
        assert_eq!(env["summary"]["create"], 2, "{name}: {env}");
    }
    assert_eq!(envs[2].1["status"], "skipped", "{}", envs[2].1);

    let table = world.run(&["tenant", "diff", "--env", "all"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    for env in ["dev", "prod", "qa"] {
        assert!(
            table
                .stdout
                .lines()
                .any(|line| line.split_whitespace().any(|word| word == env)),
            "{env}: {}",
            table.stdout
        );
    }
}

#[test]
fn ctrl_c_stops_new_changes_exits_130_and_a_rerun_converges() {
    let tenants: String = (1..=40)
        .map(|n| format!("  - id: tenant-{n:02}\n    name: Tenant {n}\n"))
        .collect();
    // 40 creates at 300 ms each, 8 at a time: at least 1.5 s of work, so a signal sent late by
    // a loaded machine still lands mid-sync.
    let world = World::builder()
        .resources(&format!("tenants:\n{tenants}"))
        .latency(Duration::from_millis(300))
        .build();
    let mut child = world
        .cli(&["tenant", "sync", "--env", "dev"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The backup is written after the interrupt handler is installed and before the first write.
    wait_while_running(&mut child, "the backup", || {
        !world.backups("dev").is_empty()
    });
    let (code, stderr) = interrupt(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: letting in-flight calls finish"),
        "{stderr}"
    );
    assert!(stderr.contains("skipped: create tenant"), "{stderr}");
    let done = world.tenant_ids().len();
    assert!(done < 40, "the interrupt stopped nothing ({done} created)");

    world.post("/emulator/faults", serde_json::json!({"latencyMs": 0}));
    let rerun = world.run(&["tenant", "sync", "--env", "dev"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert!(
        rerun.stderr.contains(&format!("{} created", 40 - done)),
        "{}",
        rerun.stderr
    );
    assert_eq!(world.tenant_ids().len(), 40, "nothing duplicated or lost");
}

#[test]
fn sync_to_an_embedded_emulator_env_persists_and_converges() {
    let world = World::new(TENANTS);
    let config = std::fs::read_to_string(world.path("descope.yaml")).unwrap();
    let config = config.replace(
        "environments:\n",
        "environments:\n  local:\n    emulator: state/local.json\n",
    );
    std::fs::write(world.path("descope.yaml"), config).unwrap();
    let sync = world.run(&["tenant", "sync", "--env", "local"]);
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let diff = world.run(&["tenant", "diff", "--env", "local", "--detailed-exitcode"]);
    assert_eq!(diff.code, 0, "{}\n{}", diff.stdout, diff.stderr);
    assert!(
        world.tenant_ids().is_empty(),
        "the test's emulator is untouched"
    );
}
