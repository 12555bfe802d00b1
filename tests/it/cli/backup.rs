//! `backup list|create|show|restore`: backups of the whole live project, listed with what made
//! them, and restored through the guards of `apply` (prune, blast radius, protected
//! environments, dry run, a new backup first); backups of another project or format refused.

use serde_json::{Value, json};

use super::export::{CANARY_KEY, assert_no_file_holds, seeded_world};
use super::support::Run;
use super::world::{World, parse};

/// The live project as the Management API shows it, lists sorted, without what the server sets
/// on create (ids of roles and permissions, creation times), which no restore can bring back.
fn live_state(world: &World) -> Value {
    fn without_server_stamps(mut items: Vec<Value>, key: &str) -> Vec<Value> {
        for item in &mut items {
            if let Some(fields) = item.as_object_mut() {
                fields.remove("createdTime");
                if key != "id" {
                    fields.remove("id");
                }
            }
        }
        items.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
        items
    }
    let list = |path: &str, field: &str| world.get(path)[field].as_array().cloned().unwrap();
    let flows: Vec<Value> = world.post("/v1/mgmt/flow/list", json!({}))["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| {
            let id = flow["id"].as_str().unwrap();
            world.post("/v2/mgmt/flow/export", json!({"flowId": id}))["flow"].clone()
        })
        .collect();
    json!({
        "tenants": without_server_stamps(list("/v1/mgmt/tenant/all", "tenants"), "id"),
        "roles": without_server_stamps(list("/v1/mgmt/role/all", "roles"), "name"),
        "permissions": without_server_stamps(list("/v1/mgmt/permission/all", "permissions"), "name"),
        "flows": flows,
        "theme": world.post("/v2/mgmt/theme/export", json!({}))["theme"],
    })
}

/// The ids `backup list --env dev` shows, oldest first.
fn backup_ids(world: &World) -> Vec<String> {
    let listed = world.run(&["backup", "list", "--env", "dev", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    parse(&listed.stdout)["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|backup| backup["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `backup restore ID --env dev` with `extra` flags.
fn restore(world: &World, id: &str, extra: &[&str]) -> Run {
    let mut args = vec!["backup", "restore", id, "--env", "dev"];
    args.extend_from_slice(extra);
    world.run(&args)
}

fn create_backup(world: &World) -> String {
    let created = world.run(&["backup", "create", "--env", "dev", "--format", "json"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    parse(&created.stdout)["id"].as_str().unwrap().to_owned()
}

/// Deletes a tenant, a role, a permission and the flow, and changes a tenant and a role.
const DESTRUCTIVE: &str = "permissions:\n  - name: reports.read\n    description: Read reports\nroles:\n  - name: viewer\n    description: Changed\n    permissions: [reports.read]\ntenants:\n  - id: acme-corp\n    name: Renamed\n    default_roles: [viewer]\n";

#[test]
fn backup_create_is_listed_with_its_kinds_counts_and_run_and_shown_by_id() {
    let world = seeded_world();
    let id = create_backup(&world);
    let listed = world.run(&["backup", "list", "--env", "dev", "--format", "json"]);
    let document = parse(&listed.stdout);
    let backup = document["backups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|backup| backup["id"] == id.as_str())
        .expect("the new backup is listed")
        .clone();
    assert_eq!(document["format_version"], 1);
    assert_eq!(backup["env"], "dev");
    assert_eq!(backup["project_id"], "P2local");
    assert_eq!(
        backup["kinds"],
        json!([
            "permission",
            "role",
            "tenant",
            "flow",
            "theme",
            "password_policy"
        ])
    );
    assert_eq!(backup["counts"]["tenant"], 2);
    assert_eq!(
        backup["counts"]["role"], 2,
        "built-in roles are not backed up"
    );
    assert_eq!(backup["counts"]["permission"], 2);
    assert_eq!(backup["counts"]["theme"], 1);
    assert!(backup["counts"]["flow"].as_u64().unwrap() >= 1);
    assert!(
        backup["run"]["command"]
            .as_str()
            .unwrap()
            .contains("backup create"),
        "{backup}"
    );
    assert!(backup["created_at"].as_str().unwrap().ends_with('Z'));

    let text = world.run(&["backup", "list", "--env", "dev"]);
    assert!(text.stdout.contains(&id), "{}", text.stdout);
    assert!(text.stdout.contains("tenant 2"), "{}", text.stdout);

    let shown = world.run(&["backup", "show", &id]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("tenant globex"), "{}", shown.stdout);
    let shown = world.run(&["backup", "show", &id, "--format", "json"]);
    let shown = parse(&shown.stdout);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(
        shown["backup"]["resources"].as_array().unwrap().len(),
        2 + 2 + 2 + 1 + backup["counts"]["flow"].as_u64().unwrap() as usize
    );

    let missing = world.run(&["backup", "show", "20000101T000000Z"]);
    assert_eq!(missing.code, 3, "{}", missing.stderr);
    assert!(missing.stderr.contains("backup list"), "{}", missing.stderr);
}

#[test]
fn restoring_the_backup_taken_before_a_destructive_apply_brings_back_every_field() {
    let world = seeded_world();
    let before = live_state(&world);
    world.write_config(DESTRUCTIVE);
    let destroyed = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_ne!(live_state(&world), before);
    let taken_by_apply = backup_ids(&world).pop().expect("apply made a backup");

    let backups = backup_ids(&world).len();

    let restored = restore(&world, &taken_by_apply, &[]);
    assert_eq!(restored.code, 0, "{}\n{}", restored.stdout, restored.stderr);
    assert_eq!(live_state(&world), before);
    assert_eq!(
        backup_ids(&world).len(),
        backups + 1,
        "the restore backed up what it overwrote first"
    );
}

#[test]
fn restore_deletes_what_was_created_since_only_with_prune_and_within_max_deletes() {
    let world = seeded_world();
    let id = create_backup(&world);
    world.create_tenant("initech", "Initech");
    world.create_tenant("hooli", "Hooli");

    let kept = restore(&world, &id, &[]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert!(world.tenant_ids().contains(&"initech".to_owned()));

    let refused = restore(&world, &id, &["--prune", "--max-deletes", "1"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(world.tenant_ids().contains(&"initech".to_owned()));

    let dry = world.writes();
    let dry_run = restore(&world, &id, &["--prune", "--dry-run"]);
    assert_eq!(dry_run.code, 0, "{}", dry_run.stderr);
    assert!(
        dry_run.stdout.contains("delete tenant initech"),
        "{}",
        dry_run.stdout
    );
    assert_eq!(world.writes(), dry, "a dry run wrote");

    let pruned = restore(&world, &id, &["--prune"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn restore_takes_the_project_lock_and_audits_every_change() {
    let world = seeded_world();
    let id = create_backup(&world);
    world.post("/v1/mgmt/tenant/delete", json!({"id": "globex"}));
    let audit = world.state_dir().join("audit/dev.jsonl");
    let audited = std::fs::read_to_string(&audit).unwrap().lines().count();

    let held = descope_mgmt_core::safety::ProjectLock::acquire(
        &world.lock_dir(),
        &descope_mgmt_core::safety::LockKey::new("P2local", world.url()),
        "elsewhere",
    )
    .unwrap();
    let writes = world.writes();
    let locked = restore(&world, &id, &[]);
    assert_eq!(locked.code, 4, "{}", locked.stderr);
    assert!(locked.stderr.contains("locked"), "{}", locked.stderr);
    assert_eq!(world.writes(), writes);
    drop(held);

    let restored = restore(&world, &id, &[]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    let lines: Vec<String> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .skip(audited)
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = parse(&lines[0]);
    assert_eq!(
        (
            line["kind"].as_str(),
            line["id"].as_str(),
            line["action"].as_str()
        ),
        (Some("tenant"), Some("globex"), Some("create"))
    );
}

#[test]
fn restoring_to_a_protected_environment_asks_like_apply() {
    let world = seeded_world();
    let id = create_backup(&world);
    world.create_tenant("initech", "Initech");
    world.post("/v1/mgmt/tenant/delete", json!({"id": "globex"}));
    let writes = world.writes();
    let refused = world.run(&["backup", "restore", &id, "--env", "prod"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(refused.stderr.contains("protected"), "{}", refused.stderr);
    assert_eq!(world.writes(), writes);
    let confirmed = world.run(&["backup", "restore", &id, "--env", "prod", "--yes"]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    assert!(world.tenant_ids().contains(&"globex".to_owned()));
}

#[test]
fn a_backup_of_another_project_or_format_is_refused_with_exit_3_before_any_write() {
    let world = seeded_world();
    let id = create_backup(&world);
    let path = world.state_dir().join(format!("backups/dev/{id}.json"));
    let mut document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let dir = world.state_dir().join("backups/dev");

    document["project_id"] = json!("P2someoneElse");
    std::fs::write(dir.join("other-project.json"), document.to_string()).unwrap();
    document["project_id"] = json!("P2local");
    document["format_version"] = json!(9);
    std::fs::write(dir.join("future.json"), document.to_string()).unwrap();

    world.create_tenant("initech", "Initech");
    let writes = world.writes();
    let other = restore(&world, "other-project", &["--prune"]);
    assert_eq!(other.code, 3, "{}", other.stderr);
    assert!(other.stderr.contains("P2someoneElse"), "{}", other.stderr);
    let future = restore(&world, "future", &["--prune"]);
    assert_eq!(future.code, 3, "{}", future.stderr);
    assert!(
        future.stderr.contains("format version 9"),
        "{}",
        future.stderr
    );
    assert_eq!(world.writes(), writes);

    let listed = world.run(&["backup", "list", "--env", "dev"]);
    assert_eq!(
        listed.code, 0,
        "one bad file does not hide the others: {}",
        listed.stderr
    );
    assert!(
        listed.stdout.contains(&id) && listed.stdout.contains("future"),
        "{}",
        listed.stdout
    );
}

#[test]
fn no_backup_holds_the_management_key() {
    let world = seeded_world();
    create_backup(&world);
    world.write_config(DESTRUCTIVE);
    assert_eq!(world.run(&["apply", "--env", "dev", "--prune"]).code, 0);
    assert_no_file_holds(&world.state_dir().join("backups"), CANARY_KEY, 3);
}
