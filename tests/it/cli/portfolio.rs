//! A templated portfolio end to end: `--selector` narrowing writes to the selected tenants,
//! `config show` printing the resolved configuration, and `--explain` provenance.

use super::world::{World, parse};

/// Two enterprise tenants, one growth tenant; roles so the selection is visibly tenant-only.
const PORTFOLIO: &str = "templates:\n  enterprise:\n    enforce_sso: true\n    custom_attributes: {tier: enterprise}\n  growth:\n    self_provisioning: true\n    domains: [growth.example.com]\n    custom_attributes: {tier: growth}\nroles:\n  - name: viewer\n    description: Reads\ntenants:\n  - id: big-one\n    name: Big One\n    template: enterprise\n  - id: big-two\n    name: Big Two\n    template: enterprise\n  - id: small-one\n    name: Small One\n    template: growth\n";

#[test]
fn a_selector_apply_changes_only_the_selected_tenants() {
    let world = World::new(PORTFOLIO);
    let before = world.writes();
    let result = world.run(&["apply", "--env", "dev", "--selector", "tier=enterprise"]);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    assert_eq!(world.writes() - before, 2, "one create per selected tenant");
    assert_eq!(world.tenant_ids(), ["big-one", "big-two"]);
    assert!(
        !world.role_names().contains(&"viewer".to_owned()),
        "a selector selects tenants only"
    );
}

#[test]
fn a_selector_combines_with_target() {
    let world = World::new(PORTFOLIO);
    let result = world.run(&[
        "tenant",
        "sync",
        "--env",
        "dev",
        "--selector",
        "template=enterprise",
        "--target",
        "big-two",
        "small-one",
    ]);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    assert_eq!(world.tenant_ids(), ["big-two"]);
}

#[test]
fn prune_with_a_selector_leaves_unselected_live_tenants_alone() {
    let world = World::new(PORTFOLIO);
    world.create_tenant("small-one", "Renamed Behind Our Back");
    world.create_tenant("stray", "Not In The Configuration");
    let result = world.run(&[
        "apply",
        "--env",
        "dev",
        "--prune",
        "--selector",
        "tier=enterprise",
    ]);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    let tenants = world.tenants();
    assert!(
        tenants.contains(&("small-one".to_owned(), "Renamed Behind Our Back".to_owned())),
        "an unselected tenant is not changed: {tenants:?}"
    );
    assert!(
        tenants.iter().any(|(id, _)| id == "stray"),
        "an unselected live tenant is not deleted: {tenants:?}"
    );
    assert_eq!(tenants.len(), 4, "{tenants:?}");
}

#[test]
fn plan_drift_and_diff_show_only_the_selected_tenants() {
    let world = World::new(PORTFOLIO);
    for args in [
        &[
            "plan",
            "--env",
            "dev",
            "--selector",
            "id=big-*,!enforce_sso",
        ][..],
        &["drift", "--env", "dev", "--selector", "tier in (growth)"][..],
        &[
            "tenant",
            "diff",
            "--env",
            "dev",
            "--selector",
            "tier=growth",
        ][..],
    ] {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let result = world.run(&args);
        assert!(
            result.code == 0 || result.code == 2,
            "{args:?}: {}",
            result.stderr
        );
        let plan = parse(&result.stdout);
        let ids: Vec<&str> = plan["plan"]["changes"]
            .as_array()
            .unwrap_or_else(|| panic!("{args:?}: {}", result.stdout))
            .iter()
            .filter(|change| change["action"] != "unchanged")
            .map(|change| change["id"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if args[0] == "plan" {
            &[]
        } else {
            &["small-one"]
        };
        assert_eq!(ids, expected, "{args:?}");
    }
}

#[test]
fn a_bad_selector_is_a_usage_error_naming_the_column() {
    let world = World::new(PORTFOLIO);
    let result = world.run(&["plan", "--env", "dev", "--selector", "tier in (eu"]);
    assert_eq!(result.code, 64, "{}", result.stderr);
    assert!(result.stderr.contains("column"), "{}", result.stderr);
    assert_eq!(world.requests(), 0, "nothing sent");
}

/// `(line, column)` of `needle` in `file` of the world, 1-based, for provenance assertions.
fn position_of(world: &World, file: &str, line_text: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(world.path(file)).unwrap();
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| *line == line_text)
        .unwrap_or_else(|| panic!("{line_text:?} not in {file}"));
    let column = line.find(needle).unwrap() + 1;
    (index as u64 + 1, column as u64)
}

fn dev_overlay_renames_big_one(world: &World) {
    std::fs::create_dir_all(world.path("environments")).unwrap();
    world.write_file(
        "environments/dev.yaml",
        "tenants:\n  - id: big-one\n    name: Big One Dev\n",
    );
}

fn field<'v>(fields: &'v serde_json::Value, path: &str) -> &'v serde_json::Value {
    fields
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["path"] == path)
        .unwrap_or_else(|| panic!("no {path} in {fields}"))
}

#[test]
fn config_show_prints_the_resolved_environment_with_keys_masked() {
    let world = World::new(PORTFOLIO);
    dev_overlay_renames_big_one(&world);
    let yaml = world.run(&["config", "show", "--env", "dev"]);
    assert_eq!(yaml.code, 0, "{}", yaml.stderr);
    assert!(
        yaml.stdout.contains(r#""name": "Big One Dev""#),
        "{}",
        yaml.stdout
    );
    assert!(!yaml.stdout.contains("K2local"), "{}", yaml.stdout);
    assert!(!yaml.stdout.contains("templates:"), "{}", yaml.stdout);

    let json = world.run(&["config", "show", "--env", "dev", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(!json.stdout.contains("K2local"), "{}", json.stdout);
    let shown = parse(&json.stdout);
    assert_eq!(shown["env"], "dev");
    let tenants = shown["config"]["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 3);
    assert_eq!(tenants[0]["name"], "Big One Dev");
    assert_eq!(tenants[0]["enforce_sso"], true, "template applied");
    assert_eq!(tenants[2]["domains"][0], "growth.example.com");
    assert_eq!(tenants[2]["enforce_sso"], false, "default filled in");
    assert!(shown["config"]["environments"]["prod"].is_null(), "{shown}");

    let one = world.run(&[
        "config",
        "show",
        "--env",
        "dev",
        "tenant:small-one",
        "--format",
        "json",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let shown = parse(&one.stdout);
    assert_eq!(shown["config"]["id"], "small-one", "{shown}");
    assert_eq!(shown["config"]["custom_attributes"]["tier"], "growth");

    let missing = world.run(&["config", "show", "--env", "dev", "tenant:nope"]);
    assert_eq!(missing.code, 64, "{}", missing.stderr);
}

#[test]
fn explain_names_the_file_and_line_of_base_overlay_and_template_values() {
    let world = World::new(PORTFOLIO);
    dev_overlay_renames_big_one(&world);
    let result = world.run(&[
        "config",
        "show",
        "--env",
        "dev",
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let fields = parse(&result.stdout)["fields"].clone();

    let base = field(&fields, "tenants.big-two.name");
    assert_eq!(base["origin"], "base");
    assert_eq!(base["value"], "Big Two");
    assert!(base["file"].as_str().unwrap().ends_with("descope.yaml"));
    let (line, column) = position_of(&world, "descope.yaml", "    name: Big Two", "Big");
    assert_eq!(
        (base["line"].as_u64(), base["column"].as_u64()),
        (Some(line), Some(column))
    );

    let overlay = field(&fields, "tenants.big-one.name");
    assert_eq!(overlay["origin"], "overlay");
    assert_eq!(overlay["value"], "Big One Dev");
    assert!(
        overlay["file"]
            .as_str()
            .unwrap()
            .ends_with("environments/dev.yaml")
    );
    assert_eq!(
        (overlay["line"].as_u64(), overlay["column"].as_u64()),
        (Some(3), Some(11))
    );

    let template = field(&fields, "tenants.big-one.enforce_sso");
    assert_eq!(template["origin"], "template");
    assert_eq!(template["template"], "enterprise");
    let (line, column) = position_of(&world, "descope.yaml", "    enforce_sso: true", "true");
    assert_eq!(
        (template["line"].as_u64(), template["column"].as_u64()),
        (Some(line), Some(column))
    );

    let key = field(&fields, "environments.dev.management_key");
    assert_eq!(key["origin"], "variable");
    assert_eq!(key["variables"][0], "KEY");
    assert!(!result.stdout.contains("K2local"), "{}", result.stdout);

    assert_eq!(
        field(&fields, "tenants.small-one.disabled")["origin"],
        "default"
    );

    let table = world.run(&["config", "show", "--env", "dev", "--explain"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("template enterprise"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("environments/dev.yaml:3:11"),
        "{}",
        table.stdout
    );
}

#[test]
fn plan_explain_shows_where_each_planned_value_came_from() {
    let world = World::new(PORTFOLIO);
    let result = world.run(&[
        "plan",
        "--env",
        "dev",
        "--selector",
        "id=small-one",
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let report = parse(&result.stdout);
    let fields = &report["explain"];
    let domains = field(fields, "tenants.small-one.domains");
    assert_eq!(domains["origin"], "template");
    assert_eq!(domains["template"], "growth");
    assert!(
        fields.as_array().unwrap().iter().all(|field| field["path"]
            .as_str()
            .unwrap()
            .starts_with("tenants.small-one.")),
        "only the planned resources: {fields}"
    );

    let table = world.run(&[
        "plan",
        "--env",
        "dev",
        "--selector",
        "id=small-one",
        "--explain",
    ]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("template growth"), "{}", table.stdout);
}

#[test]
fn role_commands_refuse_a_selector() {
    let world = World::new(PORTFOLIO);
    let result = world.run(&["role", "sync", "--env", "dev", "--selector", "tier=growth"]);
    assert_eq!(result.code, 64, "{}", result.stderr);
    assert!(
        result.stderr.contains("selects tenants"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), 0);
}
