//! Tenant SSO settings S1–S6.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, start};

#[tokio::test]
async fn oidc_and_saml_configure_load_and_delete() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    let fresh = h.ok_get("/v2/mgmt/sso/settings?tenantId=t").await;
    assert_eq!(fresh["saml"]["idpSSOUrl"], json!(""));
    assert_eq!(fresh["oidc"]["scope"], json!([]));
    assert_eq!(fresh["tenant"]["id"], json!("t"));
    h.ok(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "t", "settings": {"name": "okta", "clientId": "c", "clientSecret": "s"}, "domains": ["t.com"]}),
    )
    .await;
    let loaded = h.ok_get("/v2/mgmt/sso/settings?tenantId=t").await;
    assert_eq!(loaded["oidc"]["clientId"], json!("c"));
    assert_eq!(loaded["oidc"]["clientSecret"], json!(""));
    assert_eq!(loaded["tenant"]["authType"], json!("oidc"));
    assert_eq!(loaded["tenant"]["domains"], json!(["t.com"]));

    h.ok(
        "/v1/mgmt/sso/saml",
        json!({"tenantId": "t", "settings": {"idpUrl": "https://idp", "entityId": "e", "idpCert": "c",
            "roleMappings": [{"groups": ["g"], "roleName": "Tenant Admin"}], "defaultSSORoles": ["Tenant Admin"]}}),
    )
    .await;
    h.ok(
        "/v1/mgmt/sso/saml",
        json!({"tenantId": "t", "settings": {"idpUrl": "https://idp2", "entityId": "e", "idpCert": "c", "defaultSSORoles": null}}),
    )
    .await;
    let saml = h.ok_get("/v2/mgmt/sso/settings?tenantId=t").await["saml"].clone();
    assert_eq!(saml["idpSSOUrl"], json!("https://idp2"));
    assert_eq!(
        saml["defaultSSORoles"],
        json!(["Tenant Admin"]),
        "kept when omitted"
    );

    let all = h.ok_get("/v2/mgmt/sso/settings/all?tenantId=t").await;
    assert_eq!(all["SSOSettings"].as_array().map(Vec::len), Some(1));

    let (status, _) = h
        .call(Method::DELETE, "/v1/mgmt/sso/settings?tenantId=t", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = h.ok_get("/v2/mgmt/sso/settings?tenantId=t").await;
    assert_eq!(after["tenant"]["authType"], json!("none"));
    assert_eq!(after["saml"]["idpSSOUrl"], json!(""));
}

#[tokio::test]
async fn sso_for_missing_tenant_is_404_and_oidc_needs_client_id() {
    let h = start().await;
    let (status, body) = h.get("/v2/mgmt/sso/settings?tenantId=none").await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    let (status, body) = h
        .post(
            "/v1/mgmt/sso/oidc",
            json!({"tenantId": "t", "settings": {"name": "x"}}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn auth_type_and_admin_links() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok(
        "/v1/mgmt/sso/settings/authtype",
        json!({"tenantId": "t", "authType": "saml"}),
    )
    .await;
    assert_eq!(
        h.ok_get("/v1/mgmt/tenant?id=t").await["authType"],
        json!("saml")
    );
    let (status, body) = h
        .post(
            "/v1/mgmt/sso/settings/authtype",
            json!({"tenantId": "t", "authType": "kerberos"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let link = h
        .ok(
            "/v2/mgmt/tenant/adminlinks/sso/generate",
            json!({"tenantId": "t"}),
        )
        .await;
    assert!(
        link["adminSSOConfigurationLink"]
            .as_str()
            .expect("link")
            .starts_with("http")
    );
    h.ok(
        "/v1/mgmt/tenant/adminlinks/sso/revoke",
        json!({"tenantId": "t"}),
    )
    .await;
}

/// OIDC configure replaces the whole configuration (an omitted field is cleared) except
/// `usePkce`, which the SDKs send only when set; the client secret is write-only everywhere,
/// the emulator's own state dump included.
#[tokio::test]
async fn oidc_configure_overwrites_and_never_returns_the_secret() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "t", "settings": {"name": "okta", "clientId": "c", "clientSecret": "canary-secret-1",
               "authUrl": "https://idp/auth", "scope": ["openid"], "usePkce": true}}),
    )
    .await;
    h.ok(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "t", "settings": {"name": "okta", "clientId": "c2", "clientSecret": "canary-secret-2"}}),
    )
    .await;
    let oidc = h.ok_get("/v2/mgmt/sso/settings?tenantId=t").await["oidc"].clone();
    assert_eq!(oidc["clientId"], json!("c2"));
    assert_eq!(oidc["authUrl"], json!(""), "omitted field cleared");
    assert_eq!(oidc["scope"], json!([]));
    assert_eq!(oidc["usePkce"], json!(true), "usePkce kept when omitted");
    let all = h.ok_get("/v2/mgmt/sso/settings/all?tenantId=t").await;
    let state = h.control(Method::GET, "/emulator/state", None).await;
    for text in [all.to_string(), oidc.to_string(), state.to_string()] {
        assert!(!text.contains("canary-secret"), "{text}");
    }
}

/// Several configurations per tenant, addressed by `ssoId`; deleting one keeps the others.
#[tokio::test]
async fn several_sso_configurations_per_tenant_by_sso_id() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "t", "ssoId": "a", "settings": {"name": "okta", "clientId": "ca"}}),
    )
    .await;
    h.ok(
        "/v1/mgmt/sso/saml/metadata",
        json!({"tenantId": "t", "ssoId": "b", "settings": {"idpMetadataUrl": "https://idp/metadata"}}),
    )
    .await;
    let b = h.ok_get("/v2/mgmt/sso/settings?tenantId=t&ssoId=b").await;
    assert_eq!(b["ssoId"], json!("b"));
    assert_eq!(b["saml"]["idpMetadataUrl"], json!("https://idp/metadata"));
    let all = h.ok_get("/v2/mgmt/sso/settings/all?tenantId=t").await;
    let ids: Vec<&str> = all["SSOSettings"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["ssoId"].as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    let (status, _) = h
        .call(
            Method::DELETE,
            "/v1/mgmt/sso/settings?tenantId=t&ssoId=a",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let all = h.ok_get("/v2/mgmt/sso/settings/all?tenantId=t").await;
    assert_eq!(all["SSOSettings"].as_array().map(Vec::len), Some(1));
    let stats = h.control(Method::GET, "/emulator/stats", None).await;
    assert_eq!(stats["byRoute"]["GET /v2/mgmt/sso/settings/all"], json!(2));
}

/// An SSO domain routes sign-ins to one tenant, so two tenants cannot claim it.
#[tokio::test]
async fn an_sso_domain_belongs_to_one_tenant() {
    let h = start().await;
    for id in ["a", "b"] {
        h.ok("/v1/mgmt/tenant/create", json!({"id": id, "name": id}))
            .await;
    }
    h.ok(
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "a", "settings": {"name": "okta", "clientId": "c"}, "domains": ["Acme.com"]}),
    )
    .await;
    let (status, body) = h
        .post(
            "/v1/mgmt/sso/oidc",
            json!({"tenantId": "b", "settings": {"name": "okta", "clientId": "c"}, "domains": ["acme.com"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/settings",
            json!({"tenantId": "b", "selfProvisioningDomains": [], "domains": ["ACME.com"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    // The owner may reconfigure with its own domain.
    h.ok(
        "/v1/mgmt/sso/saml",
        json!({"tenantId": "a", "settings": {"idpUrl": "https://idp", "entityId": "e", "idpCert": "c"}, "domains": ["acme.com"]}),
    )
    .await;
}
