//! `tenant list | get | create | update | delete` against an emulator: output formats, input
//! checked before anything is sent, and the protected-environment guard on deletes.

use serde_json::{Value, json};

use super::support::Run;
use super::world::World;

/// `descope-mgmt tenant ARGS`.
fn tenant(world: &World, args: &[&str]) -> Run {
    world.run(&[&["tenant"][..], args].concat())
}

fn json_of(result: &Run) -> Value {
    assert_eq!(result.code, 0, "stderr: {}", result.stderr);
    serde_json::from_str(&result.stdout).unwrap_or_else(|e| panic!("{e}: {}", result.stdout))
}

fn create_acme(world: &World) {
    let created = tenant(
        world,
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

/// A fresh world with acme-corp created through the binary.
fn world_with_acme() -> World {
    let world = World::new("");
    create_acme(&world);
    world
}

#[test]
fn created_tenant_is_listed_as_a_table_and_as_json() {
    let world = world_with_acme();

    let table = tenant(&world, &["list", "--env", "dev"]);
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
        &world,
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
    let world = world_with_acme();
    let listing = tenant(&world, &["list", "--env", "dev", "--format", "yaml"]);
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
    let world = world_with_acme();

    let found = json_of(&tenant(
        &world,
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(found["tenant"]["name"], "Acme Corporation");
    assert_eq!(found["tenant"]["domains"], json!(["acme.com"]));

    let missing = tenant(&world, &["get", "ghost", "--env", "dev"]);
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
    let world = World::new("");
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
        let result = tenant(&world, &[&["create", "--env", "dev"][..], flags].concat());
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
        &world,
        &["update", "acme", "--env", "dev", "--domain=-bad.com"],
    );
    assert_eq!(updated.code, 3, "{}", updated.stderr);
    let stats = world.stats();
    assert_eq!(stats["writes"], 0, "{stats}");
    assert_eq!(stats["requests"], 0, "{stats}");
}

#[test]
fn update_loads_modifies_and_writes_back() {
    let world = world_with_acme();

    let updated = tenant(
        &world,
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
        &world,
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
        &world,
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
        &world,
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["self_provisioning"], false);
    assert_eq!(got["tenant"]["domains"], json!([]));

    let missing = tenant(&world, &["update", "ghost", "--env", "dev", "--name", "X"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("tenant ghost not found in env dev"),
        "{}",
        missing.stderr
    );
}

#[test]
fn delete_on_an_unprotected_env_needs_no_confirmation() {
    let world = world_with_acme();
    let deleted = tenant(&world, &["delete", "acme-corp", "--env", "dev"]);
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert!(
        deleted
            .stdout
            .contains("deleted tenant acme-corp from env dev")
    );
    let gone = tenant(&world, &["get", "acme-corp", "--env", "dev"]);
    assert_eq!(gone.code, 1, "{}", gone.stderr);

    let again = tenant(&world, &["delete", "acme-corp", "--env", "dev"]);
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
    let world = world_with_acme();
    let writes_before = world.writes();

    let refused = tenant(&world, &["delete", "acme-corp", "--env", "prod"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(refused.stderr.contains("protected"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(world.writes(), writes_before);
    let still_there = tenant(&world, &["get", "acme-corp", "--env", "prod"]);
    assert_eq!(still_there.code, 0, "{}", still_there.stderr);

    let confirmed = tenant(&world, &["delete", "acme-corp", "--env", "prod", "--yes"]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    let gone = tenant(&world, &["get", "acme-corp", "--env", "prod"]);
    assert_eq!(gone.code, 1, "{}", gone.stderr);
}

#[test]
fn writes_to_a_protected_env_need_yes_too() {
    let world = World::new("");
    let refused = tenant(
        &world,
        &["create", "--env", "prod", "--id", "acme", "--name", "Acme"],
    );
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert_eq!(world.writes(), 0);
    let created = tenant(
        &world,
        &[
            "create", "--env", "prod", "--id", "acme", "--name", "Acme", "--yes",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let renamed = tenant(
        &world,
        &["update", "acme", "--env", "prod", "--name", "Acme 2"],
    );
    assert_eq!(renamed.code, 4, "{}", renamed.stderr);
}

#[test]
fn roles_and_permissions_are_listed() {
    let world = World::new("");
    let roles = json_of(&world.run(&["role", "list", "--env", "dev", "--format", "json"]));
    assert_eq!(roles["format_version"], 1);
    let admin = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Tenant Admin")
        .expect("the built-in role");
    assert_eq!(admin["tenant_id"], Value::Null);

    let permissions =
        json_of(&world.run(&["permission", "list", "--env", "dev", "--format", "json"]));
    let names: Vec<&str> = permissions["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Impersonate", "SSO Admin", "User Admin"]);

    let table = world.run(&["permission", "list", "--env", "dev"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("User Admin"));
}

#[test]
fn update_that_changes_nothing_writes_nothing() {
    let world = world_with_acme();
    let writes_before = world.writes();
    let same = tenant(
        &world,
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
    assert_eq!(world.writes(), writes_before);
}

#[test]
fn creating_an_existing_tenant_fails_with_the_api_error() {
    let world = world_with_acme();
    let again = tenant(
        &world,
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
        &world,
        &["get", "acme-corp", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["name"], "Acme Corporation");
}

#[test]
fn unknown_default_role_is_refused_before_any_write() {
    let world = World::new("");
    let refused = tenant(
        &world,
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
    assert_eq!(world.writes(), 0);

    create_acme(&world);
    let writes_before = world.writes();
    let update = tenant(
        &world,
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
    assert_eq!(world.writes(), writes_before);
}

#[test]
fn on_a_terminal_the_protected_env_name_must_be_typed() {
    let world = world_with_acme();

    let declined =
        world.run_on_a_terminal(&["tenant", "delete", "acme-corp", "--env", "prod"], "dev\n");
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
        tenant(&world, &["get", "acme-corp", "--env", "prod"]).code,
        0
    );

    let confirmed = world.run_on_a_terminal(
        &["tenant", "delete", "acme-corp", "--env", "prod"],
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
        tenant(&world, &["get", "acme-corp", "--env", "prod"]).code,
        1
    );
}

#[test]
fn domains_without_self_provisioning_are_dropped_with_a_warning() {
    let world = World::new("");
    let created = tenant(
        &world,
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
        &world,
        &["get", "beta-co", "--env", "dev", "--format", "json"],
    ));
    assert_eq!(got["tenant"]["domains"], json!([]));
    assert_eq!(got["tenant"]["self_provisioning"], false);
}
