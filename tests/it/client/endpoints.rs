//! Every endpoint the client uses, against a fault-free emulator.

use std::collections::BTreeMap;

use descope_emulator::EmulatorConfig;
use descope_mgmt_core::port::{PortErrorKind, ResourcePort};
use descope_mgmt_core::resource::{KindRules, Permission, Role, Tenant};
use serde_json::json;

use super::support::{KEY, client, emulator, quick_config};

fn acme() -> Tenant {
    Tenant {
        id: "acme".into(),
        name: "Acme".into(),
        self_provisioning_domains: vec!["acme.com".into()],
        custom_attributes: BTreeMap::new(),
        enforce_sso: true,
        disabled: false,
        default_roles: vec![],
        ..Tenant::default()
    }
}

#[tokio::test]
async fn tenants_round_trip_through_the_port() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let tenants = client.clone();

    ResourcePort::<Tenant>::create(&tenants, &acme())
        .await
        .unwrap();
    let loaded = ResourcePort::<Tenant>::load(&tenants, "acme")
        .await
        .unwrap()
        .unwrap();
    // The server returns every field, the unmanaged ones empty on a new tenant.
    let as_stored = Tenant {
        enforce_sso_exclusions: Some(vec![]),
        federated_app_ids: Some(vec![]),
        role_inheritance: Some(String::new()),
        parent: Some(String::new()),
        ..acme()
    };
    assert_eq!(loaded, as_stored);

    let duplicate = ResourcePort::<Tenant>::create(&tenants, &acme())
        .await
        .unwrap_err();
    assert_eq!(duplicate.kind, PortErrorKind::AlreadyExists);

    let generated = tenants
        .tenants()
        .create(&Tenant {
            name: "Generated".into(),
            ..Tenant::default()
        })
        .await
        .unwrap();
    assert!(!generated.is_empty());

    let mut changed = as_stored.clone();
    changed.name = "Acme Corp".into();
    changed.enforce_sso = false;
    changed.self_provisioning_domains = vec![];
    ResourcePort::<Tenant>::update(&tenants, &changed)
        .await
        .unwrap();
    let listed = ResourcePort::<Tenant>::list(&tenants).await.unwrap();
    assert!(listed.contains(&changed), "{listed:?}");
    assert!(
        listed
            .iter()
            .any(|t| t.id == generated && t.name == "Generated")
    );

    ResourcePort::<Tenant>::delete(&tenants, "acme")
        .await
        .unwrap();
    assert_eq!(
        ResourcePort::<Tenant>::load(&tenants, "acme")
            .await
            .unwrap(),
        None
    );
    let missing = ResourcePort::<Tenant>::delete(&tenants, "acme")
        .await
        .unwrap_err();
    assert_eq!(missing.kind, PortErrorKind::NotFound);
    let missing = ResourcePort::<Tenant>::update(&tenants, &acme())
        .await
        .unwrap_err();
    assert_eq!(missing.kind, PortErrorKind::NotFound);
    let invalid = ResourcePort::<Tenant>::create(&tenants, &Tenant::default())
        .await
        .unwrap_err();
    assert_eq!(invalid.kind, PortErrorKind::Invalid);
    assert!(
        invalid.message.contains("tenant.create"),
        "{}",
        invalid.message
    );
}

#[tokio::test]
async fn tenant_default_roles_and_settings() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let role = Role {
        name: "viewer".into(),
        description: "Reads".into(),
        permission_names: vec![],
        ..Role::default()
    };
    ResourcePort::<Role>::create(&client, &role).await.unwrap();
    let mut tenant = acme();
    tenant.default_roles = vec!["viewer".into()];
    ResourcePort::<Tenant>::create(&client, &tenant)
        .await
        .unwrap();
    let loaded = ResourcePort::<Tenant>::load(&client, "acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.default_roles, vec!["viewer"]);

    tenant.default_roles = vec![];
    ResourcePort::<Tenant>::update(&client, &tenant)
        .await
        .unwrap();
    let loaded = ResourcePort::<Tenant>::load(&client, "acme")
        .await
        .unwrap()
        .unwrap();
    assert!(loaded.default_roles.is_empty());

    let mut settings = client.tenants().load_settings("acme").await.unwrap();
    assert_eq!(settings["JITDisabled"], json!(false));
    settings.insert("JITDisabled".into(), json!(true));
    client
        .tenants()
        .update_settings("acme", &settings)
        .await
        .unwrap();
    let reloaded = client.tenants().load_settings("acme").await.unwrap();
    assert_eq!(reloaded["JITDisabled"], json!(true));
}

#[tokio::test]
async fn roles_and_permissions_round_trip_through_the_ports() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let permissions = client.clone();
    let roles = client.clone();

    let read = Permission {
        name: "Reports Read".into(),
        description: "Read reports".into(),
        ..Permission::default()
    };
    ResourcePort::<Permission>::create(&permissions, &read)
        .await
        .unwrap();
    let mut reworded = read.clone();
    reworded.description = "Reads every report".into();
    ResourcePort::<Permission>::update(&permissions, &reworded)
        .await
        .unwrap();
    let listed = ResourcePort::<Permission>::list(&permissions)
        .await
        .unwrap();
    assert!(
        listed.iter().any(
            |p| (&p.name, &p.description) == (&reworded.name, &reworded.description)
                && !p.is_system_default()
        ),
        "{listed:?}"
    );
    assert!(
        listed.iter().any(|p| p.name == "User Admin"),
        "seeded built-ins"
    );

    let role = Role {
        name: "Analyst".into(),
        description: "Looks at numbers".into(),
        permission_names: vec!["Reports Read".into()],
        ..Role::default()
    };
    ResourcePort::<Role>::create(&roles, &role).await.unwrap();
    let mut narrowed = role.clone();
    narrowed.permission_names = vec![];
    narrowed.description = "Looks".into();
    ResourcePort::<Role>::update(&roles, &narrowed)
        .await
        .unwrap();
    let listed = ResourcePort::<Role>::list(&roles).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|r| (&r.name, &r.description, &r.permission_names)
                == (
                    &narrowed.name,
                    &narrowed.description,
                    &narrowed.permission_names
                )),
        "{listed:?}"
    );
    let found = roles
        .roles()
        .search(&json!({"roleNames": ["Analyst"]}))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    ResourcePort::<Role>::delete(&roles, "Analyst")
        .await
        .unwrap();
    ResourcePort::<Permission>::delete(&permissions, "Reports Read")
        .await
        .unwrap();
    assert!(
        !ResourcePort::<Role>::list(&roles)
            .await
            .unwrap()
            .iter()
            .any(|r| r.name == "Analyst")
    );
    assert!(
        !ResourcePort::<Permission>::list(&permissions)
            .await
            .unwrap()
            .iter()
            .any(|p| p.name == "Reports Read")
    );
}

#[tokio::test]
async fn flows_list_export_import_delete() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let flows = client.flows();
    let listed = flows.list().await.unwrap();
    assert!(listed.iter().any(|f| f.id == "sign-up-or-in"), "{listed:?}");

    let exported = flows.export("sign-up-or-in").await.unwrap();
    assert_eq!(exported["flowId"], "sign-up-or-in");
    flows.import("copy-of-sign-in", &exported).await.unwrap();
    let copy = flows.export("copy-of-sign-in").await.unwrap();
    assert_eq!(copy["flowId"], "copy-of-sign-in");
    assert_eq!(copy["contents"], exported["contents"]);

    flows.delete(&["copy-of-sign-in".to_owned()]).await.unwrap();
    assert!(
        !flows
            .list()
            .await
            .unwrap()
            .iter()
            .any(|f| f.id == "copy-of-sign-in")
    );
    let missing = flows.export("copy-of-sign-in").await.unwrap_err();
    assert!(missing.status.is_some_and(|s| s >= 400), "{missing}");
}

#[tokio::test]
async fn themes_export_and_import_in_both_versions() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let themes = client.themes();
    let mut theme = themes.export().await.unwrap();
    assert!(theme.get("styles").is_some(), "{theme}");
    theme["styles"]["light"] = json!({"button": {"color": "red"}});
    themes.import(&theme).await.unwrap();
    assert_eq!(
        themes.export().await.unwrap()["styles"]["light"],
        theme["styles"]["light"]
    );

    let v1 = themes.export_v1().await.unwrap();
    assert!(!v1["id"].as_str().unwrap_or_default().is_empty(), "{v1}");
    let stored = themes.import_v1(&v1).await.unwrap();
    assert_eq!(stored["id"], v1["id"]);
}

#[tokio::test]
async fn sso_settings_configure_load_delete() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    ResourcePort::<Tenant>::create(&client, &acme())
        .await
        .unwrap();
    let sso = client.sso();

    let oidc =
        json!({"name": "Okta", "clientId": "client-1", "authUrl": "https://idp.example/auth"});
    sso.configure_oidc("acme", &oidc, Some(&["acme.com".to_owned()]), None)
        .await
        .unwrap();
    let loaded = sso.load("acme", None).await.unwrap();
    assert_eq!(loaded["oidc"]["clientId"], "client-1", "{loaded}");

    let saml = json!({"idpUrl": "https://idp.example/saml", "entityId": "idp", "idpCert": "CERT"});
    sso.configure_saml("acme", &saml, Some("https://app.example"), None, None)
        .await
        .unwrap();
    let metadata = json!({"idpMetadataUrl": "https://idp.example/metadata"});
    sso.configure_saml_by_metadata("acme", &metadata, None, None, None)
        .await
        .unwrap();
    let all = sso.load_all("acme").await.unwrap();
    assert!(!all.is_empty());

    sso.delete("acme", None).await.unwrap();
    let after = sso.load("acme", None).await.unwrap();
    assert_ne!(after["oidc"]["clientId"], "client-1", "{after}");
}

#[tokio::test]
async fn snapshot_export_validate_import_and_license() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let project = client.project();
    let files = project.export_snapshot(None).await.unwrap();
    assert!(!files.is_empty());
    let validation = project.validate_snapshot(&files, None).await.unwrap();
    assert!(validation.ok, "{validation:?}");
    project.import_snapshot(&files, None, &[]).await.unwrap();
    assert!(client.license().await.unwrap().starts_with("tier"));
}

#[tokio::test]
async fn the_license_handshake_happens_once_per_client() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY).with_license_handshake(true));
    let (tenant_api, role_api) = (client.tenants(), client.roles());
    let (tenants, roles) = tokio::join!(tenant_api.load_all(), role_api.load_all());
    tenants.unwrap();
    roles.unwrap();
    client.permissions().load_all().await.unwrap();
    let stats = super::support::emulator_stats(&emulator).await;
    assert_eq!(
        super::support::route_count(&stats, "GET /v1/mgmt/license"),
        1,
        "{stats}"
    );
    assert_eq!(client.stats().requests, 4);
}
