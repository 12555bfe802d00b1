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
