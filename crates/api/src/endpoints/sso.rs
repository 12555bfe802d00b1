//! Tenant SSO settings: S1 load, S2 load all, S3 OIDC, S4 SAML, S5 SAML by metadata URL,
//! S6 delete. Settings documents stay JSON (their field set is large and evolving).

use reqwest::Method;
use serde_json::{Value, json};

use descope_mgmt_core::config::tenant_auth::{SsoConfig, SsoKind};

use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::items;
use crate::error::ApiError;

/// SSO endpoints of one project.
#[derive(Debug, Clone)]
pub struct SsoApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn sso(&self) -> SsoApi {
        SsoApi {
            client: self.clone(),
        }
    }
}

/// Which configuration of a tenant (multi-SSO); `None` is the tenant's default one.
pub type SsoId<'a> = Option<&'a str>;

impl SsoApi {
    /// S1: `{tenant, saml, oidc, ssoId}`.
    pub async fn load(&self, tenant_id: &str, sso_id: SsoId<'_>) -> Result<Value, ApiError> {
        let mut query = vec![("tenantId", tenant_id)];
        query.extend(sso_id.map(|id| ("ssoId", id)));
        self.client
            .send(Call::get("sso.load", "/v2/mgmt/sso/settings", &query))
            .await
    }

    /// S2: every configuration of a tenant (`SSOSettings`, capitalised on the wire).
    pub async fn load_all(&self, tenant_id: &str) -> Result<Vec<Value>, ApiError> {
        let query = [("tenantId", tenant_id)];
        let answer = self
            .client
            .send(Call::get(
                "sso.load_all",
                "/v2/mgmt/sso/settings/all",
                &query,
            ))
            .await?;
        Ok(items(&answer, "SSOSettings").to_vec())
    }

    /// S3: replaces the OIDC settings; `domains` `None` sends `null` (resets).
    pub async fn configure_oidc(
        &self,
        tenant_id: &str,
        settings: &Value,
        domains: Option<&[String]>,
        sso_id: SsoId<'_>,
    ) -> Result<(), ApiError> {
        let body = json!({"tenantId": tenant_id, "settings": settings, "domains": domains, "ssoId": sso_id});
        self.client
            .post_ignoring_answer("sso.oidc", "/v1/mgmt/sso/oidc", &body, Repeat::Safe)
            .await
    }

    /// S4: replaces the SAML settings (the whole `settings` object).
    pub async fn configure_saml(
        &self,
        tenant_id: &str,
        settings: &Value,
        redirect_url: Option<&str>,
        domains: Option<&[String]>,
        sso_id: SsoId<'_>,
    ) -> Result<(), ApiError> {
        let body = saml_body(tenant_id, settings, redirect_url, domains, sso_id);
        self.client
            .post_ignoring_answer("sso.saml", "/v1/mgmt/sso/saml", &body, Repeat::Safe)
            .await
    }

    /// S5: like S4 with `settings.idpMetadataUrl`.
    pub async fn configure_saml_by_metadata(
        &self,
        tenant_id: &str,
        settings: &Value,
        redirect_url: Option<&str>,
        domains: Option<&[String]>,
        sso_id: SsoId<'_>,
    ) -> Result<(), ApiError> {
        let body = saml_body(tenant_id, settings, redirect_url, domains, sso_id);
        self.client
            .post_ignoring_answer(
                "sso.saml_metadata",
                "/v1/mgmt/sso/saml/metadata",
                &body,
                Repeat::Safe,
            )
            .await
    }

    /// S3, S4 or S5, by the configuration's kind: replaces that configuration whole. The secrets
    /// are in the body only `with_secrets` (the secret rule, [`SsoConfig::configure_body`]).
    pub async fn configure(
        &self,
        tenant_id: &str,
        config: &SsoConfig,
        with_secrets: bool,
    ) -> Result<(), ApiError> {
        let operation = match config.kind {
            SsoKind::Oidc => "sso.oidc",
            SsoKind::SamlManual => "sso.saml",
            SsoKind::SamlMetadata => "sso.saml_metadata",
        };
        let body = config.configure_body(tenant_id, with_secrets);
        self.client
            .post_ignoring_answer(operation, config.kind.configure_path(), &body, Repeat::Safe)
            .await
    }

    /// S6 (`DELETE` with query parameters).
    pub async fn delete(&self, tenant_id: &str, sso_id: SsoId<'_>) -> Result<(), ApiError> {
        let mut query = vec![("tenantId", tenant_id)];
        query.extend(sso_id.map(|id| ("ssoId", id)));
        let call = Call {
            method: Method::DELETE,
            repeat: Repeat::Delete,
            ..Call::get("sso.delete", "/v1/mgmt/sso/settings", &query)
        };
        self.client.send(call).await.map(drop)
    }
}

/// S4 and S5 take the same body; only the `settings` fields they read differ.
fn saml_body(
    tenant_id: &str,
    settings: &Value,
    redirect_url: Option<&str>,
    domains: Option<&[String]>,
    sso_id: SsoId<'_>,
) -> Value {
    json!({"tenantId": tenant_id, "settings": settings, "redirectUrl": redirect_url,
           "domains": domains, "ssoId": sso_id})
}
