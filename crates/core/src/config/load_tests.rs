//! Loader tests on small files in a temporary directory.

use std::path::{Path, PathBuf};

use super::interpolate::Variables;
use super::load::{DEFAULT_MAX_CONFIG_BYTES, Loaded, Settings, load_with, load_with_settings};
use super::model::Connection;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn vars(pairs: &[(&str, &str)]) -> Variables {
    Variables::from_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn rendered(loaded: &Loaded) -> Vec<String> {
    loaded
        .diagnostics
        .iter()
        .map(|d| {
            let text = d.to_string();
            // Paths differ per temp dir; keep the part after the file name.
            text.split_once(".yaml:")
                .map_or(text.clone(), |(_, rest)| rest.to_owned())
        })
        .collect()
}

const DESIGN_EXAMPLE: &str = r#"version: "1.0"
environments:
  local:
    emulator: .descope-mgmt/local.json
  dev:
    project_id: ${DESCOPE_DEV_PROJECT_ID}
    management_key: ${DESCOPE_DEV_MANAGEMENT_KEY}
  staging:
    project_id: P2staging
    management_key: ${STAGING_KEY:-}
  prod:
    project_id: ${DESCOPE_PROD_PROJECT_ID}
    management_key: ${DESCOPE_PROD_MANAGEMENT_KEY}
    base_url: https://api.descope.com
    protected: true
    rate_limit: { requests: 100, per_seconds: 30 }
permissions:
  - name: billing.read
    description: Read invoices
roles:
  - name: billing-admin
    description: Manages billing
    permissions: [billing.read, User Admin]
tenants:
  - id: acme-corp
    name: Acme Corporation
    domains: [acme.com]
    self_provisioning: true
    custom_attributes: { type: portfolio, seats: 12 }
    default_roles: [billing-admin, Tenant Admin]
    environments: [staging, prod]
  - id: globex
    name: "  Globex  "
flows:
  - id: sign-up-or-in
    file: flows/sign-up-or-in.json
    enabled: true
themes:
  file: themes/default.json
"#;

fn design_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "descope.yaml", DESIGN_EXAMPLE);
    write(
        dir.path(),
        "flows/sign-up-or-in.json",
        r#"{"contents": {"startTask": "0", "tasks": {"0": {"id": "0"}}}}"#,
    );
    write(dir.path(), "themes/default.json", r#"{"styles": {}}"#);
    dir
}

fn design_vars() -> Variables {
    vars(&[
        ("DESCOPE_DEV_PROJECT_ID", "P2dev"),
        ("DESCOPE_DEV_MANAGEMENT_KEY", "K2devSECRETcanary"),
        ("DESCOPE_PROD_PROJECT_ID", "P2prod"),
        ("DESCOPE_PROD_MANAGEMENT_KEY", "K2prodSECRETcanary"),
    ])
}

#[test]
fn design_example_loads_with_defaults_and_resolved_paths() {
    let dir = design_dir();
    let loaded = load_with(&dir.path().join("descope.yaml"), None, &design_vars());
    assert!(loaded.diagnostics.is_empty(), "{:?}", rendered(&loaded));
    let config = loaded.config.unwrap();
    assert_eq!(config.tenants().len(), 2);
    assert_eq!(config.tenants()[1].name(), "Globex");
    assert_eq!(config.tenants()[0].custom_attributes()["seats"], 12);
    let prod = config.environment("prod").unwrap();
    assert!(prod.protected());
    assert_eq!(prod.rate_limit().requests, 100);
    assert_eq!(prod.project_id(), Some("P2prod"));
    assert_eq!(
        prod.management_key().unwrap().expose(),
        "K2prodSECRETcanary"
    );
    let dev = config.environment("dev").unwrap();
    assert_eq!(dev.rate_limit().requests, 200);
    assert_eq!(dev.rate_limit().per_seconds, 60);
    let Connection::Emulator { state_file } = config.environment("local").unwrap().connection()
    else {
        panic!("local should be an emulator environment")
    };
    assert_eq!(state_file, &dir.path().join(".descope-mgmt/local.json"));
    assert_eq!(
        config.flows()[0].file(),
        dir.path().join("flows/sign-up-or-in.json")
    );
    assert!(config.flows()[0].enabled());
    assert_eq!(
        config.theme().unwrap().file(),
        dir.path().join("themes/default.json")
    );
}

#[test]
fn environment_view_keeps_only_its_resources() {
    let dir = design_dir();
    let path = dir.path().join("descope.yaml");
    let dev = load_with(&path, Some("dev"), &design_vars())
        .config
        .unwrap();
    assert_eq!(dev.tenants().len(), 1);
    assert_eq!(dev.tenants()[0].id(), "globex");
    let prod = load_with(&path, Some("prod"), &design_vars())
        .config
        .unwrap();
    assert_eq!(prod.tenants().len(), 2);
    let unknown = load_with(&path, Some("nope"), &design_vars());
    assert!(rendered(&unknown)[0].contains("environment \"nope\" is not defined"));
}

#[test]
fn overlay_merges_by_identity_for_its_environment_only() {
    let dir = design_dir();
    write(
        dir.path(),
        "environments/prod.yaml",
        "tenants:\n  - id: globex\n    name: Globex Production\n  - id: initech\n    name: Initech\n    default_roles: [ghost-role]\n",
    );
    let path = dir.path().join("descope.yaml");
    let prod = load_with(&path, Some("prod"), &design_vars());
    // The overlay's unknown role is reported in the overlay file at its line.
    assert_eq!(prod.diagnostics.len(), 1, "{:?}", rendered(&prod));
    let diagnostic = &prod.diagnostics[0];
    assert!(diagnostic.file.ends_with("environments/prod.yaml"));
    assert_eq!(diagnostic.position.line, 6);
    assert_eq!(diagnostic.path, "tenants[2].default_roles[0]");

    write(
        dir.path(),
        "environments/prod.yaml",
        "tenants:\n  - id: globex\n    name: Globex Production\n  - id: initech\n    name: Initech\n",
    );
    let prod = load_with(&path, Some("prod"), &design_vars())
        .config
        .unwrap();
    let names: Vec<&str> = prod.tenants().iter().map(|t| t.name()).collect();
    assert_eq!(names, ["Acme Corporation", "Globex Production", "Initech"]);
    let staging = load_with(&path, Some("staging"), &design_vars())
        .config
        .unwrap();
    assert_eq!(staging.tenants().len(), 2);
    assert_eq!(staging.tenants()[1].name(), "Globex");
}

#[test]
fn every_problem_is_reported_at_once_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        r#"version: "1.0"
environments:
  dev:
    project_id: P2dev
    management_key: K2literalSECRETcanary
roles:
  - name: viewer
    permissions: [reports.read]
tenants:
  - id: Acme
    name: Acme
    colour: red
  - id: beta
    name: Beta
    domains: [beta.com, "not a domain"]
  - id: beta
    name: ${UNDEFINED_VARIABLE}
    self_provisioning: "yes"
    default_roles: [admin]
"#,
    );
    let loaded = load_with(&path, None, &vars(&[]));
    assert!(loaded.has_errors());
    assert!(loaded.config.is_none());
    let lines = rendered(&loaded);
    let expected = [
        "5:21: warning: environments.dev.management_key: management key is written literally in the file (hint: write `${DESCOPE_DEV_MANAGEMENT_KEY}` and set DESCOPE_DEV_MANAGEMENT_KEY in the environment or in .env)",
        "8:19: error: roles[0].permissions[0]: \"reports.read\" is not a defined permission (hint: define it under `permissions`, or use a built-in one: User Admin, SSO Admin, Impersonate)",
        "10:9: error: tenants[0].id: \"Acme\" must match ^[a-z0-9-]+$ (hint: the id pattern allows lowercase letters, digits and hyphens only)",
        "12:5: error: tenants[0].colour: unknown field (hint: expected one of: id, name, domains, self_provisioning, custom_attributes, default_roles, enforce_sso, disabled, enforce_sso_exclusions, federated_app_ids, role_inheritance, parent, environments, roles, session, sso, password_policy, template, templates)",
        "15:14: warning: tenants[1].domains: domains have no effect without self_provisioning: true (hint: set `self_provisioning: true` or remove the domains)",
        "15:25: error: tenants[1].domains[1]: \"not a domain\" is not a valid domain (hint: use an RFC 1035 host name such as example.com)",
        "16:9: error: tenants[2].id: duplicate tenant id \"beta\" (first at tenants[1], line 13) (hint: each tenant id must be unique)",
        "17:11: error: tenants[2].name: undefined variable UNDEFINED_VARIABLE (hint: set UNDEFINED_VARIABLE in the environment or in .env beside the configuration, or give a default: ${UNDEFINED_VARIABLE:-value})",
        "18:24: error: tenants[2].self_provisioning: expected true or false, found a string",
        "19:21: error: tenants[2].default_roles[0]: \"admin\" is not a defined role (hint: define it under `roles` or the tenant's `roles`, or use a built-in one: Tenant Admin)",
    ];
    assert_eq!(lines, expected);
    let all = lines.join("\n");
    assert!(!all.contains("canary"), "a secret leaked: {all}");
}

#[test]
fn schema_errors_name_the_expected_type_and_missing_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "environments:\n  dev: {project_id: P1}\n  qa: {emulator: a.json, project_id: P2, management_key: K}\ntenants:\n  - name: 12\n  - nope\nflows:\n  - id: f\n    file: flows/missing.json\n",
    );
    let lines = rendered(&load_with(&path, None, &vars(&[])));
    assert_eq!(
        lines,
        [
            "2:8: error: environments.dev.management_key: missing required field (hint: an environment needs `project_id` and `management_key`, or `emulator: FILE`)",
            "3:7: error: environments.qa: has both `emulator` and project credentials (hint: use `emulator: FILE` for the local emulator, or `project_id` and `management_key` for a Descope project)",
            "5:5: error: tenants[0].id: missing required field (hint: add `id: …`)",
            "5:11: error: tenants[0].name: expected a string, found an integer (hint: quote it: \"12\")",
            "6:5: error: tenants[1]: expected a mapping, found a string",
            &format!(
                "9:11: error: flows[0].file: \"flows/missing.json\" does not exist (hint: paths resolve from the configuration's directory ({}))",
                dir.path().display()
            ),
        ]
    );
}

#[test]
fn duplicate_names_in_disjoint_environments_do_not_clash() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "environments:\n  dev: {emulator: d.json}\n  prod: {emulator: p.json}\ntenants:\n  - {id: acme, name: Acme, environments: [dev]}\n  - {id: acme, name: Acme, environments: [prod]}\n  - {id: acme, name: Acme, environments: [prod, qa]}\n",
    );
    let lines = rendered(&load_with(&path, None, &vars(&[])));
    assert_eq!(lines.len(), 3, "{lines:?}");
    let all = lines.join("\n");
    assert!(all.contains("tenants[2].environments[1]: \"qa\" is not a defined environment"));
    assert!(all.contains("tenants[2].id: duplicate tenant id \"acme\" (first at tenants[1]"));
    assert!(all.contains("tenants[2].name: duplicate tenant name \"Acme\""));
}

#[test]
fn every_repeat_of_an_id_points_at_its_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "environments:\n  dev: {emulator: d.json}\ntenants:\n  - {id: a, name: A}\n  - {id: b, name: B}\n  - {id: a, name: A2}\n  - {id: a, name: A3}\n",
    );
    let lines = rendered(&load_with(&path, None, &vars(&[])));
    let clashes: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("duplicate tenant id"))
        .collect();
    assert_eq!(clashes.len(), 2, "{lines:?}");
    assert!(clashes[0].contains("tenants[2].id") && clashes[0].contains("first at tenants[0]"));
    assert!(clashes[1].contains("tenants[3].id") && clashes[1].contains("first at tenants[0]"));
}

#[test]
fn missing_and_empty_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = load_with(&dir.path().join("descope.yaml"), None, &vars(&[]));
    assert!(rendered(&missing)[0].contains("cannot read the file"));
    let path = write(dir.path(), "descope.yaml", "\n# nothing\n");
    assert!(rendered(&load_with(&path, None, &vars(&[])))[0].contains("the file is empty"));
}

#[test]
fn oversized_files_are_refused_at_the_default_limit_of_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("descope.yaml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(DEFAULT_MAX_CONFIG_BYTES + 1).unwrap();
    let lines = rendered(&load_with(&path, None, &vars(&[])));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("at most 67108864 bytes"), "{lines:?}");
    assert!(
        lines[0].contains("DESCOPE_MGMT_MAX_CONFIG_BYTES"),
        "{lines:?}"
    );
}

#[test]
fn the_size_limit_is_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "descope.yaml", DESIGN_EXAMPLE);
    let small = Settings {
        max_config_bytes: 100,
    };
    let lines = rendered(&load_with_settings(&path, None, &design_vars(), &small));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("at most 100 bytes"), "{lines:?}");
    assert_eq!(
        Settings::from_value(Some("1048576"))
            .unwrap()
            .max_config_bytes,
        1_048_576
    );
    assert_eq!(
        Settings::from_value(None).unwrap().max_config_bytes,
        DEFAULT_MAX_CONFIG_BYTES
    );
    let bad = Settings::from_value(Some("64MB")).unwrap_err();
    assert!(bad.contains("DESCOPE_MGMT_MAX_CONFIG_BYTES"), "{bad}");
    assert!(Settings::from_value(Some("0")).is_err());
}

#[cfg(unix)]
#[test]
fn endless_files_are_read_only_up_to_the_limit() {
    // A character device that never ends: reading it whole would exhaust memory.
    let settings = Settings {
        max_config_bytes: 4096,
    };
    let lines = rendered(&load_with_settings(
        Path::new("/dev/zero"),
        None,
        &vars(&[]),
        &settings,
    ));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("more than 4096 bytes"), "{lines:?}");
}

#[test]
fn referenced_json_files_share_the_size_limit() {
    let dir = design_dir();
    let path = dir.path().join("descope.yaml");
    let size = std::fs::metadata(&path).unwrap().len();
    write(
        dir.path(),
        "flows/sign-up-or-in.json",
        &format!("[{}0]", "0,".repeat(size as usize)),
    );
    let settings = Settings {
        max_config_bytes: size + 10,
    };
    let lines = rendered(&load_with_settings(&path, None, &design_vars(), &settings));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("flows/sign-up-or-in.json\" is larger than"),
        "{lines:?}"
    );
}

#[test]
fn overlays_cannot_change_where_an_environment_connects() {
    let dir = design_dir();
    write(
        dir.path(),
        "environments/prod.yaml",
        "environments:\n  prod:\n    protected: false\n    base_url: https://evil.example.com\n    project_id: P2other\n    management_key: ${OTHER}\n    emulator: x.json\n",
    );
    let path = dir.path().join("descope.yaml");
    let loaded = load_with(&path, Some("prod"), &design_vars());
    assert!(loaded.config.is_none());
    let lines = rendered(&loaded);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with("4:5: error: environments.prod.base_url: connection settings cannot be changed in an overlay"), "{lines:?}");
    assert!(
        lines[1].starts_with("5:5: error: environments.prod.project_id:"),
        "{lines:?}"
    );
    assert!(
        lines[3].starts_with("7:5: error: environments.prod.emulator:"),
        "{lines:?}"
    );
    assert!(
        loaded.diagnostics[0]
            .file
            .ends_with("environments/prod.yaml")
    );

    // Other environment settings may differ per environment.
    write(
        dir.path(),
        "environments/prod.yaml",
        "environments:\n  prod:\n    protected: false\n",
    );
    let prod = load_with(&path, Some("prod"), &design_vars())
        .config
        .unwrap();
    assert!(!prod.environment("prod").unwrap().protected());
}

#[test]
fn the_fingerprint_follows_every_input_but_the_management_key() {
    let dir = design_dir();
    let path = dir.path().join("descope.yaml");
    let fingerprint = |variables: &Variables| {
        let loaded = load_with(&path, Some("prod"), variables);
        assert!(!loaded.has_errors(), "{:?}", rendered(&loaded));
        loaded.fingerprint
    };
    let first = fingerprint(&design_vars());
    assert!(first.starts_with("sha256:"), "{first}");
    assert_eq!(fingerprint(&design_vars()), first, "deterministic");

    let rotated = vars(&[
        ("DESCOPE_DEV_PROJECT_ID", "P2dev"),
        ("DESCOPE_DEV_MANAGEMENT_KEY", "K2devSECRETcanary"),
        ("DESCOPE_PROD_PROJECT_ID", "P2prod"),
        ("DESCOPE_PROD_MANAGEMENT_KEY", "K2rotatedSECRETcanary"),
    ]);
    assert_eq!(
        fingerprint(&rotated),
        first,
        "a rotated key keeps the plan valid"
    );
    assert!(!first.contains("SECRET"));

    let other_project = vars(&[
        ("DESCOPE_DEV_PROJECT_ID", "P2dev"),
        ("DESCOPE_DEV_MANAGEMENT_KEY", "K2devSECRETcanary"),
        ("DESCOPE_PROD_PROJECT_ID", "P2prodOther"),
        ("DESCOPE_PROD_MANAGEMENT_KEY", "K2prodSECRETcanary"),
    ]);
    assert_ne!(fingerprint(&other_project), first, "a variable's value");

    write(
        dir.path(),
        "flows/sign-up-or-in.json",
        r#"{"contents": {"startTask": "1", "tasks": {"1": {"id": "1"}}}}"#,
    );
    let flow_changed = fingerprint(&design_vars());
    assert_ne!(flow_changed, first, "a referenced flow document");

    write(
        dir.path(),
        "environments/prod.yaml",
        "tenants:\n  - id: globex\n    name: Globex Prod\n",
    );
    let overlay_added = fingerprint(&design_vars());
    assert_ne!(overlay_added, flow_changed, "an overlay");

    write(
        dir.path(),
        "descope.yaml",
        &DESIGN_EXAMPLE.replace("Acme Corporation", "Acme Corp"),
    );
    assert_ne!(fingerprint(&design_vars()), overlay_added, "the base file");
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    /// Fragments that make YAML tricky; random sequences of them exercise the loader's
    /// error paths (types, anchors, flows, interpolation) without ever panicking.
    const FRAGMENTS: &[&str] = &[
        "version: ",
        "environments:\n",
        "  dev:\n",
        "    project_id: ",
        "    management_key: ",
        "tenants:\n",
        "  - id: ",
        "    name: ",
        "    domains: [",
        "]",
        "{",
        "}",
        "[",
        ",",
        "&a ",
        "*a",
        "${X}",
        "${Y:-d}",
        "$${",
        "\"",
        "'",
        ": ",
        "\n",
        "  ",
        "- ",
        "acme",
        "Acme",
        "1.5",
        "true",
        "null",
        "~",
        "!!str ",
        "#",
        "---\n",
        "?",
        "|\n  x\n",
        "\t",
        "roles:\n",
        "    permissions: [",
        "flows:\n",
        "    file: ",
        "themes:\n",
        "  file: ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn arbitrary_documents_give_diagnostics_not_panics(
            picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)
        ) {
            let text: String = picks.iter().map(|&i| FRAGMENTS[i]).collect();
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "descope.yaml", &text);
            let loaded = load_with(&path, Some("dev"), &vars(&[("X", "x")]));
            // Either a configuration or at least one error, never both.
            prop_assert_eq!(loaded.config.is_some(), !loaded.has_errors());
        }
    }
}

#[test]
fn timeout_concurrency_and_pacing_are_read_per_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: local.json\n  paced-local:\n    emulator: paced.json\n    rate_limit: { requests: 50, per_seconds: 10 }\n  prod:\n    project_id: P2prod\n    management_key: ${KEY}\n    timeout_seconds: 90\n    concurrency: 4\n  dev:\n    project_id: P2dev\n    management_key: ${KEY}\n",
    );
    let loaded = load_with(&path, None, &vars(&[("KEY", "K2x")]));
    assert!(loaded.diagnostics.is_empty(), "{:?}", rendered(&loaded));
    let config = loaded.config.unwrap();
    let env = |name: &str| config.environment(name).unwrap();
    assert_eq!(
        env("local").pacing(),
        None,
        "the embedded emulator is not paced"
    );
    assert_eq!(env("local").concurrency(), 32);
    assert_eq!(env("paced-local").pacing().unwrap().requests, 50);
    assert_eq!(
        env("paced-local").concurrency(),
        5,
        "50 per 10 s feeds 5 a second"
    );
    assert_eq!(env("prod").timeout_seconds(), Some(90));
    assert_eq!(env("prod").concurrency(), 4);
    assert_eq!(env("dev").timeout_seconds(), None);
    assert_eq!(env("dev").pacing().unwrap().requests, 200);
    assert_eq!(env("dev").concurrency(), 4, "200 per 60 s feeds 4 a second");

    let bad = write(
        dir.path(),
        "bad.yaml",
        "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2dev\n    management_key: ${KEY}\n    timeout_seconds: 0\n    concurrency: many\n",
    );
    let loaded = load_with(&bad, None, &vars(&[("KEY", "K2x")]));
    let errors = rendered(&loaded);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("6:22:") && e.contains("environments.dev.timeout_seconds")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("7:18:") && e.contains("environments.dev.concurrency")),
        "{errors:?}"
    );
}

#[test]
fn flows_dir_takes_every_json_document_with_the_id_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "environments:\n  dev: {project_id: P1, management_key: \"${K}\"}\nflows_dir: flows\nflows:\n  - id: listed\n    file: listed.json\n",
    );
    let flow = |id: &str| {
        format!(
            r#"{{"flowId": "{id}", "contents": {{"startTask": "0", "tasks": {{"0": {{"id": "0"}}}}}}}}"#
        )
    };
    write(dir.path(), "listed.json", &flow("listed"));
    write(dir.path(), "flows/b.json", &flow("beta"));
    write(dir.path(), "flows/a.json", &flow("alpha"));
    write(dir.path(), "flows/notes.txt", "not a flow");
    let loaded = load_with(&path, None, &vars(&[("K", "k")]));
    assert_eq!(rendered(&loaded), Vec::<String>::new());
    let config = loaded.config.unwrap();
    let ids: Vec<&str> = config.flows().iter().map(|f| f.id()).collect();
    assert_eq!(ids, ["listed", "alpha", "beta"]);
    assert!(config.flows()[1].file().ends_with("flows/a.json"));
}

#[test]
fn a_flows_dir_document_without_an_id_is_an_error_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "descope.yaml",
        "environments:\n  dev: {project_id: P1, management_key: \"${K}\"}\nflows_dir: flows\n",
    );
    write(
        dir.path(),
        "flows/nameless.json",
        r#"{"contents": {"startTask": "0", "tasks": {"0": {"id": "0"}}}}"#,
    );
    let lines = rendered(&load_with(&path, None, &vars(&[("K", "k")])));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("3:12: error: flows_dir: "),
        "{lines:?}"
    );
    assert!(lines[0].contains("nameless.json"), "{lines:?}");
}

#[test]
fn a_long_list_decodes_on_two_threads_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("environments:\n  dev: {emulator: d.json}\ntenants:\n");
    for i in 0..6_000 {
        let name = match i {
            // Interpolated values reach the fingerprint in list order, from both halves.
            10 | 5_990 => format!("\"${{REGION}} tenant {i}\""),
            _ => format!("Tenant {i}"),
        };
        let domain = match i {
            // An error in each half.
            20 | 5_000 => "not a domain!".to_owned(),
            _ => format!("t{i}.example.com"),
        };
        // An id repeated across the halves.
        let id = if i == 4_500 {
            "t-7".to_owned()
        } else {
            format!("t-{i}")
        };
        text.push_str(&format!(
            "  - id: {id}\n    name: {name}\n    domains: [{domain}]\n    self_provisioning: true\n"
        ));
    }
    let path = write(dir.path(), "descope.yaml", &text);
    let variables = vars(&[("REGION", "eu")]);
    let two = load_with(&path, None, &variables);
    let one = super::load::load_on_one_thread(&path, None, &variables);
    assert_eq!(two.diagnostics, one.diagnostics);
    assert_eq!(two.fingerprint, one.fingerprint);
    let lines = rendered(&two);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("tenants[20].domains[0]"))
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("tenants[5000].domains[0]"))
    );
    assert!(lines.iter().any(|line| {
        line.contains("tenants[4500].id: duplicate tenant id \"t-7\" (first at tenants[7]")
    }));
    let region_elsewhere = vars(&[("REGION", "us")]);
    assert_ne!(
        load_with(&path, None, &region_elsewhere).fingerprint,
        two.fingerprint
    );

    let valid = text.replace("not a domain!", "fixed.example.com").replace(
        "id: t-7\n    name: Tenant 4500",
        "id: t-4500\n    name: Tenant 4500",
    );
    let path = write(dir.path(), "descope.yaml", &valid);
    let two = load_with(&path, None, &variables);
    let one = super::load::load_on_one_thread(&path, None, &variables);
    assert!(two.diagnostics.is_empty(), "{:?}", rendered(&two));
    assert_eq!(two.config, one.config);
    assert_eq!(two.fingerprint, one.fingerprint);
    let config = two.config.unwrap();
    assert_eq!(config.tenants()[10].name, "eu tenant 10");
    assert_eq!(config.tenants()[5_990].name, "eu tenant 5990");
    assert_eq!(config.tenants()[5_999].id, "t-5999");
}
