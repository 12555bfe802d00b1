//! Nothing descope-mgmt does not manage is lost: fields set behind its back survive an `apply`
//! that changes something else (Descope's updates overwrite the whole object), and a role
//! Descope made itself survives `apply --prune` whatever its name.

use serde_json::{Value, json};

use super::world::{RESOURCES, World};

fn role(world: &World, name: &str) -> Value {
    world.get("/v1/mgmt/role/all")["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|role| role["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no role {name}"))
}

#[test]
fn fields_set_outside_the_configuration_survive_an_unrelated_apply() {
    let world = World::new(RESOURCES);
    let first = world.run(&["apply", "--env", "dev"]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    // An administrator sets what the configuration does not mention, as the console would.
    world.post(
        "/v1/mgmt/tenant/update",
        json!({"id": "acme-corp", "name": "Acme Corporation",
               "selfProvisioningDomains": ["acme.com"], "customAttributes": {},
               "enforceSSO": false, "disabled": false,
               "enforceSSOExclusions": ["U2exempt"], "federatedAppIds": ["app-1"],
               "roleInheritance": "userOnly"}),
    );
    world.post(
        "/v1/mgmt/role/update",
        json!({"name": "viewer", "newName": "viewer", "description": "Reads reports",
               "permissionNames": ["reports.read"], "default": true, "private": true}),
    );

    world.write_config(
        &RESOURCES
            .replace("name: Acme Corporation", "name: Acme Corp")
            .replace(
                "description: Reads reports",
                "description: Reads every report",
            ),
    );
    let second = world.run(&["apply", "--env", "dev"]);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("2 to update"),
        "only the two managed changes: {}",
        second.stdout
    );

    let tenant = world.get("/v1/mgmt/tenant?id=acme-corp");
    assert_eq!(tenant["name"], "Acme Corp");
    assert_eq!(tenant["enforceSSOExclusions"], json!(["U2exempt"]));
    assert_eq!(tenant["federatedAppIds"], json!(["app-1"]));
    assert_eq!(tenant["roleInheritance"], "userOnly");
    let viewer = role(&world, "viewer");
    assert_eq!(viewer["description"], "Reads every report");
    assert_eq!(viewer["default"], true);
    assert_eq!(viewer["private"], true);
}

#[test]
fn a_system_default_role_outside_every_list_survives_apply_prune() {
    let world = World::new(RESOURCES);
    world.post(
        "/emulator/system-roles",
        json!({"name": "SCIM Provisioner"}),
    );
    world.post(
        "/v1/mgmt/role/create",
        json!({"name": "stray", "description": ""}),
    );

    let drift = world.run(&["drift", "--env", "dev"]);
    assert!(
        !drift.stdout.contains("SCIM Provisioner"),
        "a built-in is not drift: {}",
        drift.stdout
    );
    assert!(drift.stdout.contains("stray"), "{}", drift.stdout);

    let applied = world.run(&["apply", "--env", "dev", "--prune", "--yes"]);
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    let names = world.role_names();
    assert!(names.contains(&"SCIM Provisioner".to_owned()), "{names:?}");
    assert!(!names.contains(&"stray".to_owned()), "{names:?}");
}

#[test]
fn a_different_parent_on_a_live_tenant_stops_the_plan() {
    let world = World::new(RESOURCES);
    world.create_tenant("holding", "Holding");
    let first = world.run(&["apply", "--env", "dev"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    world.write_config(&RESOURCES.replace(
        "  - id: globex\n    name: Globex\n",
        "  - id: globex\n    name: Globex\n    parent: holding\n",
    ));
    let writes = world.writes();
    let refused = world.run(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(refused.code, 4, "{}\n{}", refused.stdout, refused.stderr);
    assert!(
        refused
            .stderr
            .contains("tenant globex has no parent but the configuration wants parent `holding`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("deleted and recreated"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.writes(), writes, "nothing sent");
}
