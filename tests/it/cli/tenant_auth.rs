//! Each tenant's authentication as code (issue 13): `session:`, `sso:`, tenant-scoped `roles:`
//! and `password_policy:` planned, applied and checked for drift against the emulator.

use serde_json::json;

use super::world::World;

const SESSION: &str = r#"
tenants:
  - id: acme
    name: Acme
    session:
      session_token_expiration: 15m
      refresh_token_expiration: 30d
      jit_provisioning: false
  - id: plain
    name: Plain
"#;

#[test]
fn session_settings_apply_in_full_and_plan_field_by_field() {
    let world = World::new(SESSION);
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);

    let settings = world.get("/v1/mgmt/tenant/settings?id=acme");
    assert_eq!(settings["sessionTokenExpiration"], json!(15));
    assert_eq!(settings["sessionTokenExpirationUnit"], json!("minutes"));
    assert_eq!(settings["refreshTokenExpiration"], json!(30));
    assert_eq!(settings["refreshTokenExpirationUnit"], json!("days"));
    assert_eq!(settings["JITDisabled"], json!(true));
    assert_eq!(settings["enabled"], json!(true));

    let again = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    // A change made behind the tool's back is one field of the plan, and apply keeps every
    // field it does not manage.
    let mut changed = settings.as_object().unwrap().clone();
    changed.insert("refreshTokenExpiration".into(), json!(7));
    changed.insert("inactivityTime".into(), json!(45));
    changed.insert("inactivityTimeUnit".into(), json!("minutes"));
    changed.insert("tenantId".into(), json!("acme"));
    world.post("/v1/mgmt/tenant/settings", changed.into());
    let drift = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    assert!(
        drift
            .stdout
            .contains("session.refresh_token_expiration: \"7 days\" → \"30 days\""),
        "{}",
        drift.stdout
    );
    assert!(!drift.stdout.contains("inactivity"), "{}", drift.stdout);
    let fixed = world.run(&["apply", "--env", "dev"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let settings = world.get("/v1/mgmt/tenant/settings?id=acme");
    assert_eq!(settings["refreshTokenExpiration"], json!(30));
    assert_eq!(
        settings["inactivityTime"],
        json!(45),
        "unmanaged field kept"
    );
}

#[test]
fn a_tenant_without_a_session_block_costs_no_settings_call() {
    let world = World::new(SESSION);
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let loads = || world.route("GET /v1/mgmt/tenant/settings");
    let before = loads();
    let planned = world.run(&["plan", "--env", "dev"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert_eq!(loads() - before, 1, "only acme declares `session:`");

    world.write_config(
        r#"
tenants:
  - id: acme
    name: Acme
  - id: plain
    name: Plain
"#,
    );
    let before = loads();
    let planned = world.run(&["plan", "--env", "dev"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert_eq!(loads(), before, "no tenant declares `session:`");
}

/// A distinctive secret: it must never appear anywhere but in the request that carries it.
const CANARY: &str = "canary-s3cr3t-7f4e9b";

const OIDC: &str = r#"
tenants:
  - id: acme
    name: Acme
    sso:
      type: oidc
      name: Acme Okta
      client_id: acme-client
      client_secret: ${ACME_SECRET}
      issuer: https://acme.okta.com
      auth_url: https://acme.okta.com/oauth2/v1/authorize
      token_url: https://acme.okta.com/oauth2/v1/token
      scope: [openid, email]
      domains: [acme.com]
"#;

/// The binary with `$ACME_SECRET` set to the canary.
fn run_with_secret(world: &World, args: &[&str]) -> super::support::Run {
    super::support::run(world.cli(args).env("ACME_SECRET", CANARY))
}

fn oidc_of(world: &World, tenant: &str) -> serde_json::Value {
    world.get(&format!("/v2/mgmt/sso/settings?tenantId={tenant}"))
}

#[test]
fn oidc_sso_applies_and_a_change_made_elsewhere_is_drift() {
    let world = World::new(OIDC);
    let applied = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let live = oidc_of(&world, "acme");
    assert_eq!(live["oidc"]["clientId"], json!("acme-client"));
    assert_eq!(live["oidc"]["issuer"], json!("https://acme.okta.com"));
    assert_eq!(live["tenant"]["domains"], json!(["acme.com"]));

    let again = run_with_secret(&world, &["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    let mut changed = live["oidc"].clone();
    changed["clientId"] = json!("someone-else");
    world.post(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "acme", "settings": changed, "domains": ["acme.com"]}),
    );
    let drift = run_with_secret(&world, &["drift", "--env", "dev"]);
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    assert!(
        drift
            .stdout
            .contains("sso.default.clientId: \"someone-else\" → \"acme-client\""),
        "{}",
        drift.stdout
    );
    let fixed = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert_eq!(
        oidc_of(&world, "acme")["oidc"]["clientId"],
        json!("acme-client")
    );
}

#[test]
fn a_secret_is_sent_again_only_with_rotate_secrets_and_shown_as_replaced() {
    let world = World::new(OIDC);
    let applied = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let configures = || world.route("POST /v1/mgmt/sso/oidc");
    assert_eq!(configures(), 1);

    let plain = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(configures(), 1, "nothing the API can show changed");

    let planned = run_with_secret(
        &world,
        &[
            "plan",
            "--env",
            "dev",
            "--rotate-secrets",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(planned.code, 2, "{}{}", planned.stdout, planned.stderr);
    assert!(
        planned.stdout.contains("secret replaced"),
        "{}",
        planned.stdout
    );
    assert!(!planned.stdout.contains(CANARY));
    let rotated = run_with_secret(&world, &["apply", "--env", "dev", "--rotate-secrets"]);
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    assert_eq!(configures(), 2);
}

#[test]
fn removing_the_sso_block_deletes_the_configuration_only_with_prune() {
    let world = World::new(OIDC);
    let applied = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    world.write_config(
        r#"
tenants:
  - id: acme
    name: Acme
"#,
    );
    let kept = world.run(&["apply", "--env", "dev"]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert_eq!(
        oidc_of(&world, "acme")["oidc"]["clientId"],
        json!("acme-client")
    );

    let planned = world.run(&["plan", "--env", "dev", "--prune"]);
    assert!(
        planned.stdout.contains("sso.default.type: \"oidc\""),
        "{}",
        planned.stdout
    );
    let pruned = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let all = world.get("/v2/mgmt/sso/settings/all?tenantId=acme");
    assert_eq!(all["SSOSettings"], json!([]));
}

#[test]
fn several_sso_configurations_of_one_tenant_saml_by_metadata_and_oidc() {
    let world = World::new(
        r#"
tenants:
  - id: acme
    name: Acme
    sso:
      - sso_id: okta
        type: oidc
        name: Acme Okta
        client_id: acme-client
        client_secret: ${ACME_SECRET}
        auth_url: https://acme.okta.com/oauth2/v1/authorize
        domains: [acme.com]
      - sso_id: adfs
        type: saml
        metadata_url: https://adfs.acme.com/metadata.xml
"#,
    );
    let applied = run_with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let okta = world.get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=okta");
    assert_eq!(okta["oidc"]["clientId"], json!("acme-client"));
    let adfs = world.get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=adfs");
    assert_eq!(
        adfs["saml"]["idpMetadataUrl"],
        json!("https://adfs.acme.com/metadata.xml")
    );
    let again = run_with_secret(&world, &["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
}

#[test]
fn the_client_secret_never_appears_in_output_plan_file_report_audit_or_backup() {
    let world = World::new(OIDC);
    let plan_file = world.path("plan.json");
    let planned = run_with_secret(
        &world,
        &[
            "-vvv",
            "plan",
            "--env",
            "dev",
            "--out",
            plan_file.to_str().unwrap(),
        ],
    );
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let applied = run_with_secret(
        &world,
        &[
            "-vvv",
            "apply",
            plan_file.to_str().unwrap(),
            "--report",
            "report.json",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let rotated = run_with_secret(
        &world,
        &[
            "-vvv",
            "--format",
            "json",
            "apply",
            "--env",
            "dev",
            "--rotate-secrets",
        ],
    );
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    assert_eq!(
        oidc_of(&world, "acme")["oidc"]["clientId"],
        json!("acme-client")
    );
    for run in [&planned, &applied, &rotated] {
        assert!(!run.stdout.contains(CANARY), "stdout: {}", run.stdout);
        assert!(!run.stderr.contains(CANARY), "stderr: {}", run.stderr);
    }
    let mut files = super::world::files_under(world.dir.path());
    files.retain(|file| !file.ends_with("descope.yaml"));
    assert!(files.iter().any(|file| file.ends_with("plan.json")));
    assert!(files.len() > 2, "backups and audit written: {files:?}");
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(CANARY),
            "{} holds the secret",
            file.display()
        );
    }
}

#[test]
fn config_show_and_explain_mask_a_client_secret_whole_not_by_prefix() {
    let world = World::new(OIDC);
    let prefix = &CANARY[..4];
    for args in [
        &["config", "show", "--env", "dev"][..],
        &["config", "show", "--env", "dev", "--format", "json"],
        &["config", "show", "--env", "dev", "--explain"],
        &[
            "config",
            "show",
            "--env",
            "dev",
            "--explain",
            "--format",
            "json",
        ],
    ] {
        let shown = run_with_secret(&world, args);
        assert_eq!(shown.code, 0, "{args:?}: {}", shown.stderr);
        assert!(
            shown.stdout.contains("client_secret"),
            "{args:?} shows the field: {}",
            shown.stdout
        );
        assert!(
            !shown.stdout.contains(prefix) && !shown.stderr.contains(prefix),
            "{args:?} shows part of the secret: {}",
            shown.stdout
        );
    }
}

#[test]
fn password_policies_of_the_project_and_of_one_tenant_apply_and_drift() {
    let world = World::new(
        r#"
password_policy:
  min_length: 12
  uppercase: true
tenants:
  - id: acme
    name: Acme
    password_policy:
      min_length: 16
      lock: true
      lock_attempts: 5
  - id: plain
    name: Plain
"#,
    );
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let project = world.get("/v1/mgmt/password/settings");
    assert_eq!(project["minLength"], json!(12));
    assert_eq!(project["uppercase"], json!(true));
    assert_eq!(project["enabled"], json!(true), "unmanaged field kept");
    let acme = world.get("/v1/mgmt/password/settings?tenantId=acme");
    assert_eq!(acme["minLength"], json!(16));
    assert_eq!(acme["lockAttempts"], json!(5));

    let again = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    let mut changed = acme.as_object().unwrap().clone();
    changed.insert("minLength".into(), json!(6));
    changed.insert("tenantId".into(), json!("acme"));
    world.post("/v1/mgmt/password/settings", changed.into());
    let drift = world.run(&["drift", "--env", "dev"]);
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    assert!(
        drift.stdout.contains("password_policy.minLength: 6 → 16"),
        "{}",
        drift.stdout
    );
}

fn scoped_roles(world: &World, tenant: &str) -> Vec<(String, String)> {
    let found = world.post("/v1/mgmt/role/search", json!({"tenantIds": [tenant]}));
    let mut roles: Vec<(String, String)> = found["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|role| role["tenantId"] == json!(tenant))
        .map(|role| {
            let name = role["name"].as_str().unwrap().to_owned();
            (
                name,
                role["description"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    roles.sort();
    roles
}

const SCOPED: &str = r#"
permissions:
  - name: audit.read
    description: Reads the audit trail
tenants:
  - id: acme
    name: Acme
    default_roles: [acme-auditor]
    roles:
      - name: acme-auditor
        description: Reads Acme's audit trail
        permissions: [audit.read]
  - id: globex
    name: Globex
"#;

#[test]
fn tenant_scoped_roles_are_created_with_the_tenant_and_pruned_only_inside_it() {
    let world = World::new(SCOPED);
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        scoped_roles(&world, "acme"),
        [(
            "acme-auditor".to_owned(),
            "Reads Acme's audit trail".to_owned()
        )]
    );
    let acme = world.get("/v1/mgmt/tenant?id=acme");
    assert_eq!(acme["defaultRoles"], json!(["acme-auditor"]));
    let again = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    // A role made elsewhere inside acme is kept without --prune and deleted with it; a role
    // of the same name in another tenant is never touched.
    for tenant in ["acme", "globex"] {
        world.post(
            "/v1/mgmt/role/create",
            json!({"name": "stray", "description": "", "tenantId": tenant}),
        );
    }
    let kept = world.run(&["apply", "--env", "dev"]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert_eq!(scoped_roles(&world, "acme").len(), 2);
    let planned = world.run(&["plan", "--env", "dev", "--prune"]);
    assert!(planned.stdout.contains("roles.stray"), "{}", planned.stdout);
    let pruned = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert_eq!(scoped_roles(&world, "acme").len(), 1);
    assert_eq!(scoped_roles(&world, "globex").len(), 1);
}
