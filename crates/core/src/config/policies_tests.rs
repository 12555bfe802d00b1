//! Policies: each example of the issue fires on a configuration that breaks it, at the position
//! of the value that broke it, and stays quiet once the configuration is fixed.

use std::path::Path;

use super::interpolate::Variables;
use super::load::{Loaded, load_with};

const BASE: &str = "version: \"1.0\"\nenvironments:\n  dev:\n    emulator: dev.json\n  prod:\n    emulator: prod.json\n";

const POLICIES: &str = "policies:
  - name: prod-enterprise-sso
    environments: [prod]
    selector: tier=enterprise
    require:
      enforce_sso: true
    message: enterprise tenants in prod must enforce SSO
  - name: owner
    require:
      custom_attributes.owner: {present: true}
    level: warn
    message: every tenant names its owner
  - name: no-impersonation-outside-dev
    kind: role
    environments: [prod]
    require:
      permissions: {not_contains: Impersonate}
    message: no role grants Impersonate outside dev
";

fn load(text: &str, env: Option<&str>) -> (Loaded, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("descope.yaml"), text).unwrap();
    let loaded = load_with(
        &dir.path().join("descope.yaml"),
        env,
        &Variables::from_map([]),
    );
    (loaded, dir)
}

fn lines(loaded: &Loaded, dir: &Path) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    loaded
        .diagnostics
        .iter()
        .map(|d| d.to_string().replace(&prefix, ""))
        .collect()
}

#[test]
fn each_example_policy_fires_on_a_violating_configuration() {
    let text = format!(
        "{BASE}{POLICIES}roles:
  - name: support
    permissions: [Impersonate]
tenants:
  - id: acme-corp
    name: Acme
    enforce_sso: false
    custom_attributes: {{tier: enterprise, owner: alice}}
  - id: globex
    name: Globex
    custom_attributes: {{tier: starter}}
"
    );
    let (prod, dir) = load(&text, Some("prod"));
    let found = lines(&prod, dir.path());
    assert_eq!(
        found,
        [
            "descope.yaml:27:18: error: roles[0].permissions: policy \"no-impersonation-outside-dev\": no role grants Impersonate outside dev (role \"support\" in prod) (hint: requires permissions: does not contain \"Impersonate\")",
            "descope.yaml:31:18: error: tenants[0].enforce_sso: policy \"prod-enterprise-sso\": enterprise tenants in prod must enforce SSO (tenant \"acme-corp\" in prod) (hint: requires enforce_sso: true)",
            "descope.yaml:35:24: warning: tenants[1].custom_attributes: policy \"owner\": every tenant names its owner (tenant \"globex\" in prod) (hint: requires custom_attributes.owner: present)",
        ],
        "{found:#?}"
    );
    assert!(prod.config.is_none(), "error-level policies block");

    // Scoped to prod: dev only gets the environment-wide warning.
    let (dev, dir) = load(&text, Some("dev"));
    let found = lines(&dev, dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("warning: tenants[1].custom_attributes: policy \"owner\""),
        "{found:#?}"
    );
    assert!(dev.config.is_some(), "warnings do not block");

    // The base view checks every environment a policy covers.
    let (base, _dir) = load(&text, None);
    assert_eq!(base.errors().count(), 2);
}

#[test]
fn the_fixed_configuration_passes_every_policy() {
    let text = format!(
        "{BASE}{POLICIES}roles:
  - name: support
    permissions: [User Admin]
  - name: debugger
    permissions: [Impersonate]
    environments: [dev]
tenants:
  - id: acme-corp
    name: Acme
    enforce_sso: true
    custom_attributes: {{tier: enterprise, owner: alice}}
  - id: globex
    name: Globex
    custom_attributes: {{tier: starter, owner: bob}}
"
    );
    for env in [Some("prod"), Some("dev"), None] {
        let (loaded, dir) = load(&text, env);
        assert!(
            loaded.diagnostics.is_empty(),
            "{env:?}: {:#?}",
            lines(&loaded, dir.path())
        );
    }
}

#[test]
fn a_policy_value_from_a_template_is_reported_in_the_template() {
    let text = format!(
        "{BASE}{POLICIES}templates:
  enterprise:
    enforce_sso: false
    custom_attributes: {{tier: enterprise, owner: ops}}
tenants:
  - id: acme-corp
    name: Acme
    template: enterprise
"
    );
    let (prod, dir) = load(&text, Some("prod"));
    let found = lines(&prod, dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "descope.yaml:27:18: error: tenants[0].enforce_sso: policy \"prod-enterprise-sso\""
        ),
        "{found:#?}"
    );
}

#[test]
fn malformed_policies_are_clear_errors() {
    let text = format!(
        "{BASE}policies:
  - name: bad
    kind: group
    selector: \"tier in (a\"
    level: fatal
    require:
      colour: blue
      custom_attributes.tier: {{in: enterprise}}
    environments: [qa]
"
    );
    let (loaded, dir) = load(&text, None);
    let found = lines(&loaded, dir.path());
    for expected in [
        "descope.yaml:9:11: error: policies[0].kind: \"group\" is not a policy kind",
        "descope.yaml:10:15: error: policies[0].selector: invalid selector at column 11: expected `)`",
        "descope.yaml:11:12: error: policies[0].level: \"fatal\" is not a policy level",
        "descope.yaml:13:7: error: policies[0].require.colour: not a field a policy can check",
        "descope.yaml:14:31: error: policies[0].require.custom_attributes.tier: `in` needs a list",
    ] {
        assert!(
            found.iter().any(|line| line.starts_with(expected)),
            "missing {expected:?} in {found:#?}"
        );
    }
}
