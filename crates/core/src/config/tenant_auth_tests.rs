//! The sign-in blocks (`session:`, `sso:`, tenant `roles:`, `password_policy:`) as loaded from
//! YAML: what they decode to, every rule with its position, and that no secret reaches a message.

use std::path::Path;

use serde_json::{Map, Value as Json, json};

use super::interpolate::Variables;
use super::load::{Loaded, load_with};
use super::tenant_auth::{DurationUnit, SettingDuration, SsoKind, SsoWrite};

const CANARY: &str = "CANARYsecret0123456789";

/// A test certificate, indented for a block scalar at 8 spaces (base64 of arbitrary bytes: the
/// loader checks PEM form, not X.509 content).
const CERT: &str = "-----BEGIN CERTIFICATE-----\n        MIIBszCCAVmgAwIBAgIUTestCertificateBodyOnly0123456789abcdefg\n        -----END CERTIFICATE-----";

fn load_text(tenant_yaml: &str, extra_top: &str, variables: &[(&str, &str)]) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "environments:\n  local:\n    emulator: state.json\nroles:\n  - name: engineer\n{extra_top}tenants:\n{tenant_yaml}"
    );
    let path = dir.path().join("descope.yaml");
    std::fs::write(&path, text).unwrap();
    let vars = Variables::from_map(
        variables
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string())),
    );
    load_with(&path, None, &vars)
}

/// Each diagnostic as `line:col: severity: path: message (hint)`, without the file.
fn lines(loaded: &Loaded) -> Vec<String> {
    loaded
        .diagnostics
        .iter()
        .map(|d| {
            let text = d.to_string();
            let file = d.file.display().to_string();
            text.strip_prefix(&file)
                .map_or(text.clone(), |rest| rest.trim_start_matches(':').to_owned())
        })
        .collect()
}

const ENTERPRISE: &str = r#"  - id: acme
    name: Acme
    roles:
      - name: acme-auditor
        description: Reads Acme's audit trail
        permissions: [User Admin]
    default_roles: [acme-auditor]
    session:
      session_token_expiration: 15m
      refresh_token_expiration: 30d
      inactivity_timeout: 2 hours
      jit_provisioning: false
      sso_setup_suite: true
    sso:
      type: oidc
      name: Okta
      client_id: acme-client
      client_secret: ${ACME_OIDC_SECRET}
      issuer: https://acme.okta.com
      auth_url: https://acme.okta.com/oauth2/v1/authorize
      scope: [openid, email]
      prompt: [login]
      grant_type: authorization_code
      domains: [acme.com]
      attribute_mapping: { email: email, given_name: given_name, login_id: sub }
      role_mappings:
        - groups: [Engineering]
          role: engineer
        - groups: [Audit]
          role: acme-auditor
      default_roles: [Tenant Admin]
    password_policy:
      min_length: 12
      lock: true
      lock_attempts: 5
"#;

#[test]
fn an_enterprise_tenant_decodes_into_typed_settings() {
    let loaded = load_text(
        ENTERPRISE,
        "password_policy: { min_length: 10, uppercase: true }\n",
        &[("ACME_OIDC_SECRET", CANARY)],
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", lines(&loaded));
    let config = loaded.config.unwrap();
    assert_eq!(
        config.password_policy().unwrap().fields,
        [("minLength", json!(10)), ("uppercase", json!(true))].into()
    );
    let tenant = &config.tenants()[0];
    assert_eq!(tenant.roles()[0].name(), "acme-auditor");
    assert_eq!(tenant.roles()[0].permissions(), ["User Admin"]);

    let session = tenant.session().unwrap();
    assert_eq!(
        session.refresh_token_expiration,
        Some(SettingDuration::new(30, DurationUnit::Days))
    );
    assert_eq!(
        session.inactivity_timeout,
        Some(SettingDuration::new(2, DurationUnit::Hours))
    );
    assert_eq!(session.jit_provisioning, Some(false));

    let [sso] = tenant.sso() else {
        panic!("one SSO configuration expected")
    };
    assert_eq!(sso.kind, SsoKind::Oidc);
    assert_eq!(sso.domains.as_deref(), Some(&["acme.com".to_owned()][..]));
    let body = sso.configure_body("acme", true);
    assert_eq!(body["tenantId"], "acme");
    assert_eq!(body["settings"]["clientSecret"], CANARY);
    assert_eq!(body["settings"]["JWKsUrl"], Json::Null);
    assert_eq!(body["settings"]["issuer"], "https://acme.okta.com");
    assert_eq!(
        body["settings"]["userAttrMapping"],
        json!({"email": "email", "givenName": "given_name", "loginId": "sub"})
    );
    assert_eq!(
        body["settings"]["roleMappings"],
        json!([{"groups": ["Engineering"], "roleName": "engineer"},
               {"groups": ["Audit"], "roleName": "acme-auditor"}])
    );
    assert_eq!(body["settings"]["defaultSSORoles"], json!(["Tenant Admin"]));
    assert_eq!(body["domains"], json!(["acme.com"]));

    let policy = tenant.password_policy().unwrap();
    assert_eq!(policy.fields["lockAttempts"], json!(5));
}

#[test]
fn secrets_leave_the_model_only_in_a_body_that_asks_for_them() {
    let loaded = load_text(ENTERPRISE, "", &[("ACME_OIDC_SECRET", CANARY)]);
    let config = loaded.config.unwrap();
    let sso = &config.tenants()[0].sso()[0];
    let without = sso.configure_body("acme", false).to_string();
    assert!(!without.contains(CANARY), "{without}");
    assert!(without.contains("acme-client"), "{without}");
    assert!(!sso.public_settings().contains_key("clientSecret"));
    let debug = format!("{config:?}");
    assert!(!debug.contains(CANARY), "Debug leaked the secret");
    assert!(debug.contains("acme-client"));
}

#[test]
fn a_literal_secret_is_an_error_that_does_not_repeat_it() {
    let tenant = format!(
        "  - id: acme\n    name: Acme\n    sso:\n      type: oidc\n      name: Okta\n      client_id: c\n      client_secret: {CANARY}\n"
    );
    let loaded = load_text(&tenant, "", &[]);
    assert_eq!(
        lines(&loaded),
        [
            "13:22: error: tenants[0].sso.client_secret: a secret must not be written in the file; it must come from a ${VAR} reference (hint: write `client_secret: ${VARIABLE}` and set VARIABLE in the environment or .env)"
        ]
    );
    let mixed = format!(
        "  - id: acme\n    name: Acme\n    sso:\n      type: oidc\n      name: Okta\n      client_id: c\n      client_secret: {CANARY}${{X}}\n"
    );
    let loaded = load_text(&mixed, "", &[("X", "y")]);
    assert!(loaded.has_errors());
    assert!(!lines(&loaded).join("\n").contains(CANARY));
}

#[test]
fn a_secret_from_a_variable_with_a_placeholder_default_validates() {
    let tenant = "  - id: acme\n    name: Acme\n    sso:\n      type: oidc\n      name: Okta\n      client_id: c\n      client_secret: ${UNSET_SECRET:-placeholder}\n";
    let loaded = load_text(tenant, "", &[]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", lines(&loaded));
    let empty = "  - id: acme\n    name: Acme\n    sso:\n      type: oidc\n      name: Okta\n      client_id: c\n      client_secret: ${UNSET_SECRET:-}\n";
    assert_eq!(
        lines(&load_text(empty, "", &[])),
        [
            "13:22: error: tenants[0].sso.client_secret: the secret's variable is empty (hint: set the variable, or give a placeholder default: ${VAR:-placeholder})"
        ]
    );
}

#[test]
fn durations_are_positive_have_units_and_stay_within_descopes_limits() {
    let tenant = r#"  - id: acme
    name: Acme
    session:
      session_token_expiration: 0m
      refresh_token_expiration: 30
      stepup_token_expiration: 5 fortnights
      inactivity_timeout: 53w
"#;
    assert_eq!(
        lines(&load_text(tenant, "", &[])),
        [
            "10:33: error: tenants[0].session.session_token_expiration: \"0m\": must be positive",
            "11:33: error: tenants[0].session.refresh_token_expiration: a duration needs a unit (hint: write e.g. 30d, 12h, 15m or 2w)",
            "12:32: error: tenants[0].session.stepup_token_expiration: \"5 fortnights\": unknown unit \"fortnights\"; use m (minutes), h (hours), d (days) or w (weeks)",
            "13:27: error: tenants[0].session.inactivity_timeout: \"53w\": 53 weeks is out of range; it must be 10 minutes to 52 weeks",
        ]
    );
    let too_long = "  - id: acme\n    name: Acme\n    session:\n      session_token_expiration: 2d\n      refresh_token_expiration: 1d\n";
    assert_eq!(
        lines(&load_text(too_long, "", &[])),
        [
            "10:33: error: tenants[0].session.session_token_expiration: 2 days is longer than refresh_token_expiration (1 days) (hint: a session token cannot outlive the refresh token)"
        ]
    );
}

#[test]
fn urls_are_absolute_https_except_for_localhost() {
    let tenant = r#"  - id: acme
    name: Acme
    sso:
      type: oidc
      name: Okta
      client_id: c
      issuer: http://idp.example.com
      auth_url: /oauth/authorize
      token_url: http://localhost:8080/token
      jwks_url: https://127.0.0.1/keys
"#;
    assert_eq!(
        lines(&load_text(tenant, "", &[])),
        [
            "13:15: error: tenants[0].sso.issuer: \"http://idp.example.com\" is not https (plain http is accepted for localhost only) (hint: write an absolute https:// URL (http:// only for localhost))",
            "14:17: error: tenants[0].sso.auth_url: \"/oauth/authorize\" is not an absolute URL (hint: write an absolute https:// URL (http:// only for localhost))",
        ]
    );
}

#[test]
fn saml_is_manual_or_by_metadata_and_certificates_parse_as_pem() {
    let manual = format!(
        "  - id: acme\n    name: Acme\n    sso:\n      type: saml\n      idp_url: https://idp.example.com/sso\n      idp_entity_id: urn:idp\n      idp_certificate: |\n        {CERT}\n      disable_sign_request: true\n"
    );
    let loaded = load_text(&manual, "", &[]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", lines(&loaded));
    let config = loaded.config.unwrap();
    let sso = &config.tenants()[0].sso()[0];
    assert_eq!(sso.kind, SsoKind::SamlManual);
    assert_eq!(sso.kind.configure_path(), "/v1/mgmt/sso/saml");
    assert!(sso.settings["idpCert"].as_str().unwrap().ends_with("-----"));

    let metadata = "  - id: acme\n    name: Acme\n    sso: { type: saml, metadata_url: https://idp.example.com/metadata }\n";
    let loaded = load_text(metadata, "", &[]);
    assert_eq!(
        loaded.config.unwrap().tenants()[0].sso()[0].kind,
        SsoKind::SamlMetadata
    );

    let wrong = r#"  - id: acme
    name: Acme
    sso:
      type: saml
      idp_url: https://idp.example.com/sso
      idp_certificate: not a certificate
      client_id: c
      idp_additional_certificates:
        - "-----BEGIN PRIVATE KEY-----\nCANARYkey\n-----END PRIVATE KEY-----"
"#;
    let found = lines(&load_text(wrong, "", &[]));
    assert_eq!(
        found,
        [
            "10:7: error: tenants[0].sso.idp_entity_id: missing required field (hint: a SAML configuration gives either metadata_url, or idp_url, idp_entity_id and idp_certificate)",
            "12:24: error: tenants[0].sso.idp_certificate: is not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
            "13:7: error: tenants[0].sso.client_id: client_id is a field of type: oidc, not saml",
            "15:11: error: tenants[0].sso.idp_additional_certificates[0]: holds a private key; only the IdP's public certificate belongs here",
        ]
    );
    assert!(!found.join("\n").contains("CANARYkey"));
}

#[test]
fn mapped_and_default_roles_must_exist_in_the_project_or_the_tenant() {
    let tenant = r#"  - id: acme
    name: Acme
    roles:
      - name: acme-only
        permissions: [nonexistent.permission]
    default_roles: [acme-only, ghost]
    sso:
      type: oidc
      name: Okta
      client_id: c
      role_mappings:
        - { groups: [Eng], role: engineer }
        - { groups: [Ops], role: phantom }
      default_roles: [acme-only]
  - id: other
    name: Other
    default_roles: [acme-only]
"#;
    assert_eq!(
        lines(&load_text(tenant, "", &[])),
        [
            "11:23: error: tenants[0].roles[0].permissions[0]: \"nonexistent.permission\" is not a defined permission (hint: define it under `permissions`)",
            "12:32: error: tenants[0].default_roles[1]: \"ghost\" is not a defined role (hint: define it under `roles` or the tenant's `roles`, or use a built-in one: Tenant Admin)",
            "19:34: error: tenants[0].sso.role_mappings[1].role: \"phantom\" is not a defined role (hint: define it under `roles` or the tenant's `roles`, or use a built-in one: Tenant Admin)",
            "23:21: error: tenants[1].default_roles[0]: \"acme-only\" is not a defined role (hint: define it under `roles` or the tenant's `roles`, or use a built-in one: Tenant Admin)",
        ]
    );
}

#[test]
fn several_sso_configurations_need_their_own_id_and_domains() {
    let tenant = r#"  - id: acme
    name: Acme
    sso:
      - { type: saml, sso_id: staff, metadata_url: "https://idp.example.com/m", domains: [acme.com] }
      - { type: oidc, name: Google, client_id: g, domains: [acme.com, acme.io] }
"#;
    assert_eq!(
        lines(&load_text(tenant, "", &[])),
        [
            "11:9: error: tenants[0].sso[1].sso_id: missing required field (hint: each of several SSO configurations needs its own sso_id)",
            "11:60: error: tenants[0].sso[1].domains: SSO domain \"acme.com\" is already routed to tenants[0].sso[0] (hint: a domain can sign in through one configuration only)",
        ]
    );
}

#[test]
fn a_tenants_roles_are_unique_within_it() {
    let tenant = "  - id: acme\n    name: Acme\n    roles:\n      - name: r\n      - name: r\n        environments: [local]\n";
    assert_eq!(
        lines(&load_text(tenant, "", &[])),
        [
            "11:15: error: tenants[0].roles[1].name: duplicate role name \"r\" in this tenant (first at tenants[0].roles[0])",
            "12:9: error: tenants[0].roles[1].environments: unknown field (hint: expected one of: name, description, permissions)",
        ]
    );
}

#[test]
fn password_policy_numbers_are_range_checked() {
    let loaded = load_text(
        "  - id: acme\n    name: Acme\n    password_policy: { min_length: 2, lock_attempts: x }\n",
        "password_policy:\n  expiration_weeks: 53\n",
        &[],
    );
    assert_eq!(
        lines(&loaded),
        [
            "7:21: error: password_policy.expiration_weeks: 53 is out of range; it must be 1 to 52",
            "11:36: error: tenants[0].password_policy.min_length: 2 is out of range; it must be 4 to 64",
            "11:54: error: tenants[0].password_policy.lock_attempts: expected a whole number, found a string",
        ]
    );
}

#[test]
fn session_writes_change_only_managed_fields_of_the_live_object() {
    let loaded = load_text(ENTERPRISE, "", &[("ACME_OIDC_SECRET", CANARY)]);
    let config = loaded.config.unwrap();
    let session = config.tenants()[0].session().unwrap();
    let mut live: Map<String, Json> = serde_json::from_value(json!({
        "domains": ["acme.com"],
        "selfProvisioningDomains": ["acme.com"],
        "authType": "oidc",
        "enabled": false,
        "refreshTokenExpiration": 4,
        "refreshTokenExpirationUnit": "weeks",
        "stepupTokenExpiration": 10,
        "stepupTokenExpirationUnit": "minutes",
        "JITDisabled": false,
        "ssoSetupSuiteSettings": {"enabled": false, "styleId": "kept"}
    }))
    .unwrap();
    session.apply_to(&mut live);
    assert_eq!(
        Json::Object(live),
        json!({
            "domains": ["acme.com"],
            "selfProvisioningDomains": ["acme.com"],
            "authType": "oidc",
            "enabled": true,
            "sessionTokenExpiration": 15,
            "sessionTokenExpirationUnit": "minutes",
            "refreshTokenExpiration": 30,
            "refreshTokenExpirationUnit": "days",
            "stepupTokenExpiration": 10,
            "stepupTokenExpirationUnit": "minutes",
            "enableInactivity": true,
            "inactivityTime": 2,
            "inactivityTimeUnit": "hours",
            "JITDisabled": true,
            "ssoSetupSuiteSettings": {"enabled": true, "styleId": "kept"}
        })
    );
}

#[test]
fn password_policy_writes_change_only_managed_fields() {
    let loaded = load_text(ENTERPRISE, "", &[("ACME_OIDC_SECRET", CANARY)]);
    let config = loaded.config.unwrap();
    let mut live: Map<String, Json> =
        serde_json::from_value(json!({"minLength": 8, "uppercase": true, "lock": false})).unwrap();
    config.tenants()[0]
        .password_policy()
        .unwrap()
        .apply_to(&mut live);
    assert_eq!(
        Json::Object(live),
        json!({"minLength": 12, "uppercase": true, "lock": true, "lockAttempts": 5})
    );
}

#[test]
fn the_example_configuration_has_an_enterprise_tenant_with_oidc_and_session_settings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/descope.yaml");
    let loaded = load_with(&path, None, &Variables::from_map([]));
    assert!(!loaded.has_errors(), "{:?}", lines(&loaded));
    let config = loaded.config.unwrap();
    let enterprise = config
        .tenants()
        .iter()
        .find(|tenant| !tenant.sso().is_empty())
        .expect("a tenant with SSO");
    assert_eq!(enterprise.sso()[0].kind, SsoKind::Oidc);
    assert!(enterprise.session().is_some());
    assert!(!enterprise.sso()[0].secrets.is_empty());
}

/// The load answer of a configuration that matches [`ENTERPRISE`]'s `sso:` block.
fn live_enterprise_sso() -> Json {
    json!({
        "tenant": {"id": "acme", "domains": ["ACME.com"]},
        "ssoId": "",
        "saml": {},
        "oidc": {
            "name": "Okta", "clientId": "acme-client", "clientSecret": "",
            "issuer": "https://acme.okta.com",
            "authUrl": "https://acme.okta.com/oauth2/v1/authorize",
            "scope": ["email", "openid"], "prompt": ["login"], "grantType": "authorization_code",
            "userAttrMapping": {"email": "email", "givenName": "given_name", "loginId": "sub",
                                "picture": ""},
            "groupsMapping": [
                {"role": {"id": "R2", "name": "acme-auditor"}, "groups": ["Audit"]},
                {"role": {"id": "R1", "name": "engineer"}, "groups": ["Engineering"]}
            ],
            "defaultSSORoles": ["Tenant Admin"]
        }
    })
}

#[test]
fn secrets_are_sent_on_create_on_a_change_and_on_rotation_only() {
    let loaded = load_text(ENTERPRISE, "", &[("ACME_OIDC_SECRET", CANARY)]);
    let config = loaded.config.unwrap();
    let sso = &config.tenants()[0].sso()[0];
    let live = live_enterprise_sso();

    assert_eq!(sso.write_for(None, false), SsoWrite::Create);
    assert_eq!(sso.write_for(Some(&live), false), SsoWrite::Unchanged);
    assert!(!SsoWrite::Unchanged.sends_secrets());
    assert_eq!(sso.write_for(Some(&live), true), SsoWrite::ReplaceSecrets);
    assert!(SsoWrite::ReplaceSecrets.sends_secrets());

    let mut drifted = live.clone();
    drifted["oidc"]["issuer"] = json!("https://other.okta.com");
    drifted["oidc"]["groupsMapping"][0]["groups"] = json!(["Audit", "Extra"]);
    drifted["tenant"]["domains"] = json!([]);
    let write = sso.write_for(Some(&drifted), false);
    assert_eq!(
        write,
        SsoWrite::Update {
            changed: vec!["domains".into(), "issuer".into(), "roleMappings".into()]
        }
    );
    assert!(write.sends_secrets());
}

#[test]
fn saml_compares_under_the_load_answers_names_and_sends_the_redirect_beside_settings() {
    let tenant = format!(
        "  - id: acme\n    name: Acme\n    sso:\n      type: saml\n      idp_url: https://idp.example.com/sso\n      idp_entity_id: urn:idp\n      redirect_url: https://app.example.com/done\n      idp_certificate: |\n        {CERT}\n"
    );
    let config = load_text(&tenant, "", &[]).config.unwrap();
    let sso = &config.tenants()[0].sso()[0];
    let body = sso.configure_body("acme", false);
    assert_eq!(body["redirectUrl"], "https://app.example.com/done");
    assert_eq!(body["settings"]["redirectUrl"], Json::Null);
    let certificate = sso.settings["idpCert"].clone();
    let live = json!({"tenant": {"id": "acme"}, "oidc": {}, "saml": {
        "idpSSOUrl": "https://idp.example.com/sso", "idpEntityId": "urn:idp",
        "idpCertificate": certificate, "redirectUrl": "https://app.example.com/done"}});
    assert_eq!(sso.write_for(Some(&live), false), SsoWrite::Unchanged);
    let mut moved = live.clone();
    moved["saml"]["idpEntityId"] = json!("urn:other");
    assert_eq!(
        sso.write_for(Some(&moved), false),
        SsoWrite::Update {
            changed: vec!["entityId".into()]
        }
    );
}
