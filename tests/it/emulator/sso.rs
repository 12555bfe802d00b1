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
