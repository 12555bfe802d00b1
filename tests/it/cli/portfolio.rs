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
