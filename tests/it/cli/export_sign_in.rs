//! `export` of the sign-in side (issue 12 item 1 with issue 13): the project's password policy
//! and each tenant's scoped roles, session settings, SSO configurations and password policy are
//! exported so that the export plans empty; SSO secrets become variable references; a tenant
//! without SSO costs no SSO read; `--kinds tenant` alone still gives a valid file.

use super::export::assert_no_file_holds;
use super::support::{Run, descope_mgmt, run};
use super::world::{KEY, World};

/// Never returned by the API, so never exported.
const SECRET: &str = "canary-export-s3cr3t";

/// The variable an export names for the `okta` configuration of tenant `acme-corp` in `dev`.
const SECRET_VARIABLE: &str = "DESCOPE_DEV_SSO_ACME_CORP_OKTA_CLIENT_SECRET";

const SIGN_IN: &str = r#"
permissions:
  - name: reports.read
roles:
  - name: viewer
    permissions: [reports.read]
password_policy:
  min_length: 10
  uppercase: true
tenants:
  - id: acme-corp
    name: Acme
    default_roles: [viewer]
    roles:
      - name: acme-auditor
        description: Audits Acme
        permissions: [reports.read]
    session:
      session_token_expiration: 15m
      refresh_token_expiration: 30d
      jit_provisioning: false
    password_policy:
      min_length: 14
    sso:
      - sso_id: okta
        type: oidc
        name: Acme Okta
        client_id: acme-client
        client_secret: ${ACME_SECRET}
        issuer: https://acme.okta.com
        auth_url: https://acme.okta.com/oauth2/v1/authorize
        scope: [openid, email]
        domains: [acme.com]
        role_mappings:
          - groups: [auditors]
            role: acme-auditor
        default_roles: [viewer]
      - sso_id: adfs
        type: saml
        metadata_url: https://adfs.acme.com/metadata.xml
  - id: plain
    name: Plain
"#;

fn applied_world() -> World {
    let world = World::new(SIGN_IN);
    let applied = with_secret(&world, &["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    world
}

/// The binary on the world's configuration, whose SSO secret variable is set.
fn with_secret(world: &World, args: &[&str]) -> Run {
    run(world.cli(args).env("ACME_SECRET", SECRET))
}

/// The binary on the exported configuration, the exported secret variable set or not.
fn on_export(world: &World, out: &str, secret: Option<&str>, args: &[&str]) -> Run {
    let mut command = descope_mgmt(world.dir.path());
    command
        .arg("-c")
        .arg(world.path(&format!("{out}/descope.yaml")))
        .args(args)
        .env("DESCOPE_MGMT_STATE_DIR", world.state_dir())
        .env("DESCOPE_DEV_MANAGEMENT_KEY", KEY);
    if let Some(secret) = secret {
        command.env(SECRET_VARIABLE, secret);
    }
    run(&mut command)
}

/// `plan --detailed-exitcode` of the export in `out` exits 0, the secret variable set to any
/// value (a secret alone is never a change).
fn assert_plans_empty(world: &World, out: &str) {
    let plan = on_export(
        world,
        out,
        Some("another-value"),
        &["plan", "--env", "dev", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
}

#[test]
fn every_sign_in_block_is_exported_and_the_export_plans_empty() {
    let world = applied_world();
    let exported = with_secret(&world, &["export", "--env", "dev", "--out", "exported"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let yaml = std::fs::read_to_string(world.path("exported/descope.yaml")).unwrap();
    for expected in [
        "password_policy:",
        "min_length: 10",
        "min_length: 14",
        "name: \"acme-auditor\"",
        "session:",
        "session_token_expiration: \"15 minutes\"",
        "jit_provisioning: false",
        "sso_id: \"okta\"",
        "client_id: \"acme-client\"",
        &format!("client_secret: \"${{{SECRET_VARIABLE}}}\""),
        "role: \"acme-auditor\"",
        "sso_id: \"adfs\"",
        "metadata_url: \"https://adfs.acme.com/metadata.xml\"",
    ] {
        assert!(yaml.contains(expected), "no {expected} in:\n{yaml}");
    }
    assert_no_file_holds(&world.path("exported"), SECRET, 3);
    let again = with_secret(&world, &["export", "--env", "dev", "--out", "again"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let second = std::fs::read_to_string(world.path("again/descope.yaml")).unwrap();
    assert_eq!(second, yaml, "exporting twice gives the same bytes");
    let plain = &yaml[yaml.find("id: \"plain\"").unwrap()..];
    assert!(
        !plain.contains("session:") && !plain.contains("sso:"),
        "a tenant with nothing of its own gets no block:\n{yaml}"
    );

    assert_plans_empty(&world, "exported");

    // Without the variable the file names what is missing instead of sending a placeholder.
    let unset = on_export(&world, "exported", None, &["plan", "--env", "dev"]);
    assert_ne!(unset.code, 0, "{}", unset.stdout);
    assert!(unset.stderr.contains(SECRET_VARIABLE), "{}", unset.stderr);
}

#[test]
fn a_tenant_without_sso_costs_no_sso_read() {
    let world = applied_world();
    let loads = || world.route("GET /v2/mgmt/sso/settings/all");
    let before = loads();
    let exported = with_secret(&world, &["export", "--env", "dev", "--out", "exported"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert_eq!(loads() - before, 1, "only acme-corp has SSO");
}

#[test]
fn exporting_tenants_alone_brings_the_roles_and_permissions_they_name() {
    let world = applied_world();
    let exported = with_secret(
        &world,
        &[
            "export", "--env", "dev", "--out", "tenants", "--kinds", "tenant",
        ],
    );
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let yaml = std::fs::read_to_string(world.path("tenants/descope.yaml")).unwrap();
    assert!(yaml.contains("name: \"viewer\""), "{yaml}");
    assert!(yaml.contains("name: \"reports.read\""), "{yaml}");
    assert_plans_empty(&world, "tenants");
}
