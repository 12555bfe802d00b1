//! Themes: H1/H2 (v1) and H3/H4 (v2) export and import; documents stay JSON. Also core's theme
//! port ([`ResourcePort<Theme>`]) on the client.

use descope_mgmt_core::port::{PortError, PortErrorKind, PortResult, ResourcePort};
use descope_mgmt_core::resource::Theme;
use serde_json::{Value, json};

use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::theme::theme_from_export;
use crate::error::ApiError;

/// Theme endpoints of one project.
#[derive(Debug, Clone)]
pub struct ThemeApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn themes(&self) -> ThemeApi {
        ThemeApi {
            client: self.clone(),
        }
    }
}

impl ThemeApi {
    /// H3: `{styles, componentsVersion, references}`.
    pub async fn export(&self) -> Result<Value, ApiError> {
        let body = json!({});
        let answer = self
            .client
            .send(Call::post(
                "theme.export",
                "/v2/mgmt/theme/export",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(theme_from_export(&answer))
    }

    /// H4: replaces the whole theme.
    pub async fn import(&self, theme: &Value) -> Result<(), ApiError> {
        let body = json!({"theme": theme});
        self.client
            .post_ignoring_answer("theme.import", "/v2/mgmt/theme/import", &body, Repeat::Safe)
            .await
    }

    /// H1: `{id, cssTemplate, …}`, read wrapped or flat.
    pub async fn export_v1(&self) -> Result<Value, ApiError> {
        let body = json!({});
        let answer = self
            .client
            .send(Call::post(
                "theme.export_v1",
                "/v1/mgmt/theme/export",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(theme_from_export(&answer))
    }

    /// H2: returns the stored theme.
    pub async fn import_v1(&self, theme: &Value) -> Result<Value, ApiError> {
        let body = json!({"theme": theme});
        let answer = self
            .client
            .send(Call::post(
                "theme.import_v1",
                "/v1/mgmt/theme/import",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(theme_from_export(&answer))
    }
}

/// The project theme as a kind of plan, apply and drift: H3 to read, H4 to write. There is no
/// delete: a project always has a theme.
impl ResourcePort<Theme> for DescopeClient {
    async fn list(&self) -> PortResult<Vec<Theme>> {
        Ok(vec![Theme {
            document: self.themes().export().await?,
        }])
    }

    async fn create(&self, theme: &Theme) -> PortResult<()> {
        Ok(self.themes().import(&theme.document).await?)
    }

    async fn update(&self, theme: &Theme) -> PortResult<()> {
        Ok(self.themes().import(&theme.document).await?)
    }

    async fn delete(&self, _id: &str) -> PortResult<()> {
        Err(PortError::new(
            PortErrorKind::Invalid,
            "the project theme cannot be deleted; import another one instead",
        ))
    }
}
