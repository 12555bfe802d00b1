//! Tenant SSO settings (S1–S6): OIDC and SAML configurations per tenant (and per `ssoId`), and
//! the load shapes that differ from the configure requests.

use serde_json::{Map, Value, json};

use super::{BY_SSO_DOMAIN, BY_TENANT, ROLES, Req, SSO, TENANTS};
use crate::store::Tx;
use crate::wire::{ApiError, ApiResult, Body, empty, stored_str, stored_strings, strings_value};

fn key(tenant_id: &str, sso_id: &str) -> String {
    format!("{tenant_id}/{sso_id}")
}

fn empty_saml() -> Value {
    json!({
        "idpEntityId": "", "idpSSOUrl": "", "idpCertificate": "", "idpAdditionalCertificates": [],
        "idpMetadataUrl": "", "spEntityId": "", "spACSUrl": "", "spCertificate": "",
        "spSignCertificate": "", "subjectNameIdFormat": "",
        "attributeMapping": {"name": "", "email": "", "username": "", "phoneNumber": "", "group": "",
            "givenName": "", "middleName": "", "familyName": "", "picture": "", "customAttributes": {}},
        "groupsMapping": [], "defaultSSORoles": [], "groupsPriority": [], "fgaMappings": {},
        "redirectUrl": "", "providerID": "", "scimProviderID": "", "lastSuccessTestTime": 0,
    })
}

fn empty_oidc() -> Value {
    json!({
        "name": "", "clientId": "", "clientSecret": "", "redirectUrl": "", "authUrl": "",
        "tokenUrl": "", "userDataUrl": "", "scope": [], "JWKsUrl": "",
        "userAttrMapping": {"loginId": "", "username": "", "name": "", "email": "", "phoneNumber": "",
            "verifiedEmail": "", "verifiedPhone": "", "picture": "", "givenName": "", "middleName": "",
            "familyName": ""},
        "manageProviderTokens": false, "callbackDomain": "", "prompt": [], "grantType": "", "usePkce": false,
        "issuer": "", "groupsPriority": [], "fgaMappings": {}, "groupsMapping": [],
        "lastSuccessTestTime": 0,
    })
}

fn merge(base: &mut Value, patch: &Map<String, Value>) {
    if let Some(obj) = base.as_object_mut() {
        for (k, v) in patch {
            if v.is_null() {
                continue;
            }
            match (obj.get_mut(k), v) {
                (Some(existing @ Value::Object(_)), Value::Object(inner)) => merge(existing, inner),
                _ => {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

fn view(tx: &Tx, tenant: &Value, stored: Option<&Value>, sso_id: &str) -> Value {
    let mut saml = empty_saml();
    let mut oidc = empty_oidc();
    if let Some(s) = stored {
        if let Some(m) = s.get("saml").and_then(Value::as_object) {
            merge(&mut saml, m);
        }
        if let Some(m) = s.get("oidc").and_then(Value::as_object) {
            merge(&mut oidc, m);
        }
    }
    // Secrets are write-only.
    oidc["clientSecret"] = json!("");
    let _ = tx;
    json!({"tenant": tenant, "saml": saml, "oidc": oidc, "ssoId": sso_id})
}

fn tenant_of(tx: &Tx, tenant_id: &str) -> ApiResult<Value> {
    tx.get(TENANTS, tenant_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Tenant", tenant_id))
}

pub(crate) fn load(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tenant_id = req.query_required("tenantId")?;
    let sso_id = req.query_opt("ssoId").unwrap_or("").to_owned();
    let tenant = tenant_of(tx, &tenant_id)?;
    Ok(view(
        tx,
        &tenant,
        tx.get(SSO, &key(&tenant_id, &sso_id)),
        &sso_id,
    ))
}

pub(crate) fn load_all(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tenant_id = req.query_required("tenantId")?;
    let tenant = tenant_of(tx, &tenant_id)?;
    let all: Vec<Value> = tx
        .find(SSO, BY_TENANT, &tenant_id)
        .iter()
        .map(|(_, s)| view(tx, &tenant, Some(s), stored_str(s, "ssoId")))
        .collect();
    Ok(json!({"SSOSettings": all}))
}

/// An SSO domain routes sign-ins to one tenant, so no other tenant may hold it (compared without
/// case, as domains are).
pub(crate) fn check_domains_free(tx: &Tx, tenant_id: &str, domains: &[String]) -> ApiResult<()> {
    for domain in domains {
        let holder = tx
            .find_keys(TENANTS, BY_SSO_DOMAIN, &domain.to_lowercase())
            .into_iter()
            .find(|holder| holder != tenant_id);
        if let Some(holder) = holder {
            let taken = tx
                .get(TENANTS, &holder)
                .map(|t| stored_strings(t, "domains"))
                .unwrap_or_default()
                .into_iter()
                .find(|d| d.to_lowercase() == domain.to_lowercase())
                .unwrap_or_else(|| domain.clone());
            return Err(ApiError::duplicate(
                &format!("SSO domain of tenant {holder}"),
                &taken,
            ));
        }
    }
    Ok(())
}

/// Stores one side of the configuration and points the tenant's `authType`/`domains` at it.
fn configure(
    tx: &mut Tx,
    req: &Req,
    kind: &str,
    saml: Option<Value>,
    oidc: Option<Value>,
) -> ApiResult<Value> {
    let b = &req.body;
    let tenant_id = b.required_str("tenantId")?;
    let sso_id = b.str_or_empty("ssoId")?;
    let domains = b.strings("domains")?;
    let mut tenant = tenant_of(tx, &tenant_id)?;
    check_domains_free(tx, &tenant_id, domains.as_deref().unwrap_or_default())?;
    let k = key(&tenant_id, &sso_id);
    let mut stored = tx
        .get(SSO, &k)
        .cloned()
        .unwrap_or_else(|| json!({"tenantId": tenant_id, "ssoId": sso_id, "saml": {}, "oidc": {}}));
    if let Some(s) = saml {
        stored["saml"] = s;
    }
    if let Some(o) = oidc {
        stored["oidc"] = o;
    }
    tx.put(SSO, &k, stored);
    if let Some(obj) = tenant.as_object_mut() {
        obj.insert("authType".into(), json!(kind));
        obj.insert(
            "domains".into(),
            strings_value(&domains.unwrap_or_default()),
        );
    }
    tx.put(TENANTS, &tenant_id, tenant);
    Ok(empty())
}

fn settings(b: &Body) -> ApiResult<Body> {
    Ok(Body(
        b.object("settings")?
            .ok_or_else(|| ApiError::missing("settings"))?,
    ))
}

/// Replaces the OIDC side whole, except `usePkce`, which the SDKs send only when set (an omitted
/// one keeps the stored value). The client secret is never stored: nothing reads it back, and a
/// state file must not hold it.
pub(crate) fn configure_oidc(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let s = settings(&req.body)?;
    s.required_str("name")?;
    s.required_str("clientId")?;
    let mut oidc = Map::new();
    for (k, v) in &s.0 {
        if !v.is_null() && k != "clientSecret" {
            oidc.insert(k.clone(), v.clone());
        }
    }
    if !oidc.contains_key("usePkce") {
        let tenant_id = req.body.required_str("tenantId")?;
        let sso_id = req.body.str_or_empty("ssoId")?;
        if let Some(kept) = tx
            .get(SSO, &key(&tenant_id, &sso_id))
            .and_then(|stored| stored["oidc"].get("usePkce"))
        {
            oidc.insert("usePkce".into(), kept.clone());
        }
    }
    configure(tx, req, "oidc", None, Some(Value::Object(oidc)))
}

/// The SAML request names differ from the load names; roles are referenced by name in requests
/// and by `{id, name}` in loads.
fn saml_from_request(tx: &Tx, b: &Body, previous: Option<&Value>) -> ApiResult<Value> {
    let s = settings(b)?;
    let mut out = Map::new();
    for (from, to) in [
        ("idpUrl", "idpSSOUrl"),
        ("entityId", "idpEntityId"),
        ("idpCert", "idpCertificate"),
        ("idpAdditionalCerts", "idpAdditionalCertificates"),
        ("idpMetadataUrl", "idpMetadataUrl"),
        ("spACSUrl", "spACSUrl"),
        ("spEntityId", "spEntityId"),
        ("attributeMapping", "attributeMapping"),
        ("groupsPriority", "groupsPriority"),
        ("fgaMappings", "fgaMappings"),
        (
            "configFGATenantIDResourcePrefix",
            "configFGATenantIDResourcePrefix",
        ),
        (
            "configFGATenantIDResourceSuffix",
            "configFGATenantIDResourceSuffix",
        ),
        ("disableSignRequest", "disableSignRequest"),
    ] {
        if let Some(v) = s.get(from) {
            out.insert(to.into(), v.clone());
        }
    }
    let tenant_id = b.required_str("tenantId")?;
    if let Some(mappings) = s.objects("roleMappings")? {
        let mut groups = Vec::new();
        for m in mappings {
            let role_name = m.required_str("roleName")?;
            let role = tx
                .values(ROLES)
                .find(|r| {
                    stored_str(r, "name") == role_name
                        && (stored_str(r, "tenantId").is_empty()
                            || stored_str(r, "tenantId") == tenant_id)
                })
                .ok_or_else(|| ApiError::invalid(format!("role not found: {role_name}")))?;
            groups.push(json!({
                "role": {"id": role["id"], "name": role_name},
                "groups": m.strings_or_empty("groups")?,
            }));
        }
        out.insert("groupsMapping".into(), Value::Array(groups));
    }
    let roles = s.strings_or_empty("defaultSSORoles")?;
    let replace = s.bool_or_false("replaceDefaultSSORoles")?;
    let kept = previous
        .and_then(|p| p.get("saml"))
        .and_then(|p| p.get("defaultSSORoles"))
        .cloned();
    match kept {
        Some(old) if roles.is_empty() && !replace => {
            out.insert("defaultSSORoles".into(), old);
        }
        _ => {
            out.insert("defaultSSORoles".into(), strings_value(&roles));
        }
    }
    if let Some(url) = b.str("redirectUrl")? {
        out.insert("redirectUrl".into(), json!(url));
    }
    Ok(Value::Object(out))
}

fn configure_saml_any(tx: &mut Tx, req: &Req, metadata: bool) -> ApiResult<Value> {
    let b = &req.body;
    let s = settings(b)?;
    if metadata {
        s.required_str("idpMetadataUrl")?;
    }
    let tenant_id = b.required_str("tenantId")?;
    let sso_id = b.str_or_empty("ssoId")?;
    let previous = tx.get(SSO, &key(&tenant_id, &sso_id)).cloned();
    let saml = saml_from_request(tx, b, previous.as_ref())?;
    configure(tx, req, "saml", Some(saml), None)
}

pub(crate) fn configure_saml(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    configure_saml_any(tx, req, false)
}

pub(crate) fn configure_saml_metadata(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    configure_saml_any(tx, req, true)
}

pub(crate) fn delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tenant_id = req.query_required("tenantId")?;
    let sso_id = req.query_opt("ssoId").unwrap_or("").to_owned();
    let mut tenant = tenant_of(tx, &tenant_id)?;
    tx.delete(SSO, &key(&tenant_id, &sso_id));
    let remaining = !tx.find_keys(SSO, BY_TENANT, &tenant_id).is_empty();
    if !remaining && let Some(obj) = tenant.as_object_mut() {
        obj.insert("authType".into(), json!("none"));
        obj.insert("domains".into(), json!([]));
        tx.put(TENANTS, &tenant_id, tenant);
    }
    Ok(empty())
}

pub(crate) fn configure_auth_type(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let tenant_id = b.required_str("tenantId")?;
    let auth_type = b.required_str("authType")?;
    if !["none", "saml", "oidc"].contains(&auth_type.as_str()) {
        return Err(ApiError::invalid("authType must be none, saml or oidc"));
    }
    let mut tenant = tenant_of(tx, &tenant_id)?;
    if let Some(obj) = tenant.as_object_mut() {
        obj.insert("authType".into(), json!(auth_type));
    }
    tx.put(TENANTS, &tenant_id, tenant);
    Ok(empty())
}
