//! Tenant templates: a templated portfolio resolves to exactly the configuration written out in
//! full, and template problems are reported where the template is written.

use std::fmt::Write as _;
use std::path::Path;

use super::interpolate::Variables;
use super::load::{Loaded, load_with};

const ENVIRONMENTS: &str = "version: \"1.0\"\nenvironments:\n  dev:\n    emulator: dev.json\n  staging:\n    emulator: staging.json\n  prod:\n    emulator: prod.json\n";
const TENANTS: usize = 500;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load(dir: &Path, env: &str) -> Loaded {
    load_with(
        &dir.join("descope.yaml"),
        Some(env),
        &Variables::from_map([]),
    )
}

fn rendered(loaded: &Loaded) -> Vec<String> {
    loaded.diagnostics.iter().map(ToString::to_string).collect()
}

/// The templated portfolio: three templates, tenants using one or two of them with some fields
/// of their own, and overlays that change a template (prod, staging) and a tenant (prod).
fn templated(dir: &Path) {
    let mut text = ENVIRONMENTS.to_owned();
    text.push_str(
        "templates:\n  enterprise:\n    enforce_sso: true\n    default_roles: [Tenant Admin]\n    custom_attributes: {tier: enterprise, seats: 100}\n  growth:\n    self_provisioning: true\n    domains: [growth.example.com]\n    custom_attributes: {tier: growth, seats: 10}\n  eu:\n    custom_attributes: {region: eu}\ntenants:\n",
    );
    for i in 0..TENANTS {
        let _ = write!(text, "  - id: t{i:04}\n    name: Tenant {i}\n");
        match i % 3 {
            0 => text.push_str("    template: enterprise\n"),
            1 => text.push_str("    templates: [growth, eu]\n"),
            _ => text
                .push_str("    templates: [enterprise, eu]\n    custom_attributes: {seats: 5}\n"),
        }
        if i % 7 == 0 {
            text.push_str("    disabled: true\n    default_roles: []\n");
        }
    }
    write(dir, "descope.yaml", &text);
    write(
        dir,
        "environments/prod.yaml",
        "templates:\n  enterprise:\n    custom_attributes: {tier: enterprise, seats: 500}\ntenants:\n  - id: t0001\n    name: Tenant 1 Prod\n",
    );
    write(
        dir,
        "environments/staging.yaml",
        "templates:\n  eu:\n    custom_attributes: {region: eu-staging}\n",
    );
}

/// The same portfolio for `env`, every tenant written out in full, without templates.
fn written_out(dir: &Path, env: &str) {
    let seats_enterprise = if env == "prod" { 500 } else { 100 };
    let region = if env == "staging" { "eu-staging" } else { "eu" };
    let mut text = ENVIRONMENTS.to_owned();
    text.push_str("tenants:\n");
    for i in 0..TENANTS {
        let name = if env == "prod" && i == 1 {
            "Tenant 1 Prod".to_owned()
        } else {
            format!("Tenant {i}")
        };
        let _ = write!(text, "  - id: t{i:04}\n    name: {name}\n");
        let roles = if i % 7 == 0 { "[]" } else { "[Tenant Admin]" };
        match i % 3 {
            0 => {
                let _ = write!(
                    text,
                    "    enforce_sso: true\n    default_roles: {roles}\n    custom_attributes: {{tier: enterprise, seats: {seats_enterprise}}}\n"
                );
            }
            1 => {
                let roles = if i % 7 == 0 {
                    "    default_roles: []\n"
                } else {
                    ""
                };
                let _ = write!(
                    text,
                    "    self_provisioning: true\n    domains: [growth.example.com]\n    custom_attributes: {{tier: growth, seats: 10, region: {region}}}\n{roles}"
                );
            }
            _ => {
                let _ = write!(
                    text,
                    "    enforce_sso: true\n    default_roles: {roles}\n    custom_attributes: {{tier: enterprise, seats: 5, region: {region}}}\n"
                );
            }
        }
        if i % 7 == 0 {
            text.push_str("    disabled: true\n");
        }
    }
    write(dir, "descope.yaml", &text);
}

#[test]
fn a_templated_portfolio_resolves_to_the_same_tenants_as_written_out() {
    let templated_dir = tempfile::tempdir().unwrap();
    templated(templated_dir.path());
    for env in ["dev", "staging", "prod"] {
        let from_templates = load(templated_dir.path(), env);
        assert!(
            from_templates.diagnostics.is_empty(),
            "{env}: {:?}",
            rendered(&from_templates)
        );
        let full_dir = tempfile::tempdir().unwrap();
        written_out(full_dir.path(), env);
        let full = load(full_dir.path(), env);
        assert!(full.diagnostics.is_empty(), "{env}: {:?}", rendered(&full));
        let (from_templates, full) = (from_templates.config.unwrap(), full.config.unwrap());
        assert_eq!(from_templates.tenants().len(), TENANTS);
        assert_eq!(from_templates.tenants(), full.tenants(), "{env}");
        assert_eq!(from_templates.templates_of("t0002"), ["enterprise", "eu"]);
        assert!(full.templates_of("t0002").is_empty());
    }
}

#[test]
fn template_problems_are_reported_where_the_template_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = ENVIRONMENTS.to_owned();
    text.push_str(
        "templates:\n  strict:\n    enforce_sso: maybe\n    colour: blue\n  a:\n    template: b\n  b:\n    templates: [a]\ntenants:\n  - id: acme-corp\n    name: Acme\n    template: strict\n  - id: globex\n    name: Globex\n    templates: [nope]\n  - id: initech\n    name: Initech\n    template: a\n    templates: [strict]\n",
    );
    write(dir.path(), "descope.yaml", &text);
    let loaded = load(dir.path(), "dev");
    assert!(loaded.config.is_none());
    let lines: Vec<String> = rendered(&loaded)
        .iter()
        .map(|line| {
            line.split_once("descope.yaml:")
                .map_or(line.clone(), |(_, rest)| rest.to_owned())
        })
        .collect();
    let expected = [
        "11:18: error: tenants[0].enforce_sso: expected true or false, found a string",
        "12:5: error: templates.strict.colour: unknown field",
        "16:17: error: templates.b.template: template cycle: a → b → a",
        "23:17: error: tenants[1].template: \"nope\" is not a defined template",
        "27:16: error: tenants[2].templates: use either `template` or `templates`, not both",
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, expected) in lines.iter().zip(expected) {
        assert!(line.starts_with(expected), "{line:?} is not {expected:?}");
    }
}

#[test]
fn an_overlay_template_value_is_reported_in_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = ENVIRONMENTS.to_owned();
    text.push_str("templates:\n  basic:\n    disabled: false\ntenants:\n  - id: acme-corp\n    name: Acme\n    template: basic\n");
    write(dir.path(), "descope.yaml", &text);
    write(
        dir.path(),
        "environments/prod.yaml",
        "templates:\n  basic:\n    disabled: sometimes\n",
    );
    let loaded = load(dir.path(), "prod");
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", rendered(&loaded));
    let diagnostic = &loaded.diagnostics[0];
    assert!(diagnostic.file.ends_with("environments/prod.yaml"));
    assert_eq!(
        (diagnostic.position.line, diagnostic.position.column),
        (3, 15)
    );
    assert_eq!(diagnostic.path, "tenants[0].disabled");
    assert!(load(dir.path(), "dev").diagnostics.is_empty());
}

#[test]
fn selectors_see_the_templates_a_tenant_was_built_from() {
    use super::selector::Selector;
    let dir = tempfile::tempdir().unwrap();
    templated(dir.path());
    let config = load(dir.path(), "prod").config.unwrap();
    let growth = Selector::parse("template=growth").unwrap().select(&config);
    assert_eq!(growth.len(), (0..TENANTS).filter(|i| i % 3 == 1).count());
    let big = Selector::parse("tier=enterprise, seats=500, !disabled")
        .unwrap()
        .select(&config);
    let expected: Vec<String> = (0..TENANTS)
        .filter(|i| i % 3 == 0 && i % 7 != 0)
        .map(|i| format!("t{i:04}"))
        .collect();
    let ids: Vec<&str> = big.iter().map(|tenant| tenant.id()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn a_template_carries_every_tenant_field_including_the_sign_in_blocks() {
    let block = "    enforce_sso_exclusions: [U2breakglass]\n    federated_app_ids: [app-1]\n    role_inheritance: userOnly\n    session:\n      refresh_token_expiration: 30d\n      inactivity_timeout: 2h\n    roles:\n      - name: auditor\n        description: Reads the audit trail\n";
    let templated_dir = tempfile::tempdir().unwrap();
    write(
        templated_dir.path(),
        "descope.yaml",
        &format!(
            "{ENVIRONMENTS}templates:\n  enterprise:\n{block}tenants:\n  - id: acme-corp\n    name: Acme\n    template: enterprise\n"
        ),
    );
    let full_dir = tempfile::tempdir().unwrap();
    write(
        full_dir.path(),
        "descope.yaml",
        &format!("{ENVIRONMENTS}tenants:\n  - id: acme-corp\n    name: Acme\n{block}"),
    );
    let (from_template, full) = (
        load(templated_dir.path(), "dev"),
        load(full_dir.path(), "dev"),
    );
    assert!(
        from_template.diagnostics.is_empty(),
        "{:?}",
        rendered(&from_template)
    );
    assert!(full.diagnostics.is_empty(), "{:?}", rendered(&full));
    let (from_template, full) = (from_template.config.unwrap(), full.config.unwrap());
    assert_eq!(from_template.tenants(), full.tenants());
    assert!(from_template.tenants()[0].session().is_some());
}
