//! Tests of the configuration model: the tenant field rules (id pattern and length, trimmed
//! names, domains) and a complete configuration built from parts, each with the inputs that sit
//! on either side of a rule.

use std::collections::BTreeMap;

use serde_json::json;

use super::model::{DescopeConfig, EnvironmentConfig, FlowConfig, TenantConfig};
use crate::secret::ManagementKey;

#[test]
fn test_valid_tenant_config() {
    let config = TenantConfig::builder("acme-corp", "Acme Corporation")
        .domains(["acme.com"])
        .self_provisioning(true)
        .custom_attributes(BTreeMap::from([("type".to_owned(), json!("portfolio"))]))
        .build()
        .unwrap();

    assert_eq!(config.id(), "acme-corp");
    assert_eq!(config.name(), "Acme Corporation");
    assert_eq!(config.domains(), ["acme.com"]);
}

#[test]
fn test_tenant_id_lowercase_required() {
    let error = TenantConfig::builder("Acme-Corp", "Acme")
        .build()
        .unwrap_err();

    assert!(error.to_string().contains("pattern"), "{error}");
}

#[test]
fn test_tenant_id_no_special_chars() {
    let error = TenantConfig::builder("acme_corp!", "Acme")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("pattern"), "{error}");
}

#[test]
fn test_tenant_id_min_length() {
    let error = TenantConfig::builder("ab", "Acme").build().unwrap_err();
    assert!(error.to_string().contains("3 to 50"), "{error}");
}

#[test]
fn test_tenant_id_max_length() {
    let error = TenantConfig::builder("a".repeat(51), "Acme")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("3 to 50"), "{error}");
    // The bounds themselves are allowed.
    assert!(
        TenantConfig::builder("a".repeat(50), "Acme")
            .build()
            .is_ok()
    );
    assert!(TenantConfig::builder("abc", "Acme").build().is_ok());
}

#[test]
fn test_invalid_domain_format() {
    assert!(
        TenantConfig::builder("acme-corp", "Acme")
            .domains(["not a domain"])
            .build()
            .is_err()
    );
}

#[test]
fn test_defaults() {
    let config = TenantConfig::builder("test", "Test").build().unwrap();

    assert!(config.domains().is_empty());
    assert!(!config.self_provisioning());
    assert!(config.custom_attributes().is_empty());
}

/// The plan's `FlowConfig(name="mfa-login", template="mfa-login", enabled=True,
/// config={...})`: name → id, template → file, config → the document in that file.
#[test]
fn test_flow_config_valid() {
    let config = FlowConfig::new("mfa-login", "flows/mfa-login.json")
        .unwrap()
        .with_enabled(true);

    assert_eq!(config.id(), "mfa-login");
    assert!(config.enabled());
}

#[test]
fn test_descope_config_complete() {
    let config = DescopeConfig::new(
        "1.0",
        BTreeMap::from([(
            "dev".to_owned(),
            EnvironmentConfig::project("P2dev123", ManagementKey::new("K2dev456")),
        )]),
        vec![TenantConfig::builder("test", "Test").build().unwrap()],
        vec![],
    );

    assert_eq!(config.version(), "1.0");
    assert!(config.environments().contains_key("dev"));
    assert_eq!(config.tenants().len(), 1);
}

#[test]
fn tenant_to_resource_sends_domains_only_with_self_provisioning() {
    let with = TenantConfig::builder("acme-corp", "Acme")
        .domains(["B.com", "a.com"])
        .self_provisioning(true)
        .build()
        .unwrap();
    assert_eq!(
        with.to_resource().self_provisioning_domains,
        ["a.com", "b.com"]
    );
    let without = TenantConfig::builder("acme-corp", "Acme")
        .domains(["a.com"])
        .build()
        .unwrap();
    assert!(without.to_resource().self_provisioning_domains.is_empty());
}

#[test]
fn debug_of_an_environment_hides_the_key() {
    let env = EnvironmentConfig::project("P2dev123", ManagementKey::new("K2canarySECRET"));
    assert!(!format!("{env:?}").contains("canary"));
}

#[test]
fn base_url_prefers_config_then_variables_then_region() {
    let key = || ManagementKey::new("K2xxxxxxxxxxxx");
    let unset = |_: &str| None;
    let uri =
        |name: &str| (name == "DESCOPE_BASE_URI").then(|| "http://127.0.0.1:4480/".to_owned());
    let short = EnvironmentConfig::project("P2dev123", key());
    assert_eq!(
        short.resolved_base_url(unset).unwrap(),
        "https://api.descope.com"
    );
    assert_eq!(
        short.resolved_base_url(uri).unwrap(),
        "http://127.0.0.1:4480"
    );
    let regional = EnvironmentConfig::project("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z", key());
    assert_eq!(
        regional.resolved_base_url(unset).unwrap(),
        "https://api.use1.descope.com"
    );
    let explicit = regional.with_base_url(Some("https://custom.example.com".into()));
    assert_eq!(
        explicit.resolved_base_url(uri).unwrap(),
        "https://custom.example.com"
    );
    assert_eq!(
        EnvironmentConfig::emulator("x.json").resolved_base_url(uri),
        None
    );
}
