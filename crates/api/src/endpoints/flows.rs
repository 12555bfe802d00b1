//! Flows: F1 list, F2 delete, F5/F6 v2 export/import, with F3/F4 (v1) as the fallback when a
//! server answers 404 to the v2 paths. Flow documents stay JSON (v2 `ExportedFlow`). Also core's
//! flow port ([`ResourcePort<Flow>`]) on the client.

use serde_json::{Value, json};

use crate::client::{Call, DescopeClient, Repeat};
use descope_mgmt_core::flow::{FlowSource, ListedFlow, v1_to_v2, v2_to_v1};
use descope_mgmt_core::port::{PortResult, ResourcePort};
use descope_mgmt_core::resource::Flow;
use futures::{StreamExt, TryStreamExt, stream};

use crate::dto::flow::FlowMeta;
use crate::error::ApiError;

/// Flow endpoints of one project.
#[derive(Debug, Clone)]
pub struct FlowApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn flows(&self) -> FlowApi {
        FlowApi {
            client: self.clone(),
        }
    }
}

impl FlowApi {
    /// F1.
    pub async fn list(&self) -> Result<Vec<FlowMeta>, ApiError> {
        let body = json!({});
        let answer = self
            .client
            .send(Call::post(
                "flow.list",
                "/v1/mgmt/flow/list",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(FlowMeta::list_from_response(&answer))
    }

    /// F2. Deleting is idempotent by id.
    pub async fn delete(&self, ids: &[String]) -> Result<(), ApiError> {
        if ids.is_empty() {
            return Ok(());
        }
        let body = json!({"ids": ids});
        self.client
            .post_ignoring_answer("flow.delete", "/v1/mgmt/flow/delete", &body, Repeat::Delete)
            .await
    }

    /// F5, or F3 converted to the v2 shape when v2 is not served.
    pub async fn export(&self, flow_id: &str) -> Result<Value, ApiError> {
        let body = json!({"flowId": flow_id});
        let v2 = self
            .client
            .send(Call::post(
                "flow.export",
                "/v2/mgmt/flow/export",
                &body,
                Repeat::Safe,
            ))
            .await;
        match v2 {
            Ok(answer) => Ok(crate::dto::unwrap_object(&answer, "flow").clone()),
            Err(error) if error.status == Some(404) => {
                let v1 = self
                    .client
                    .send(Call::post(
                        "flow.export_v1",
                        "/v1/mgmt/flow/export",
                        &body,
                        Repeat::Safe,
                    ))
                    .await?;
                Ok(v1_to_v2(&v1))
            }
            Err(error) => Err(error),
        }
    }

    /// F6 (creates or replaces the flow), or F4 with the document converted to v1 when v2 is
    /// not served. The flow id given here wins over the one inside the document.
    pub async fn import(&self, flow_id: &str, flow: &Value) -> Result<(), ApiError> {
        let mut document = flow.clone();
        if let Some(object) = document.as_object_mut() {
            object.insert("flowId".into(), json!(flow_id));
        }
        let body = json!({"flow": document});
        let v2 = self
            .client
            .send(Call::post(
                "flow.import",
                "/v2/mgmt/flow/import",
                &body,
                Repeat::Safe,
            ))
            .await;
        match v2 {
            Ok(_) => Ok(()),
            Err(error) if error.status == Some(404) => {
                let body = v2_to_v1(flow_id, &document);
                self.client
                    .post_ignoring_answer(
                        "flow.import_v1",
                        "/v1/mgmt/flow/import",
                        &body,
                        Repeat::Safe,
                    )
                    .await
            }
            Err(error) => Err(error),
        }
    }
}

/// Live flows for the domain's reader (`read_live_flows`): F1, then F5 per flow.
impl FlowSource for FlowApi {
    type Error = ApiError;

    async fn list(&self) -> Result<Vec<ListedFlow>, ApiError> {
        Ok(FlowApi::list(self)
            .await?
            .into_iter()
            .map(|meta| ListedFlow {
                id: meta.id,
                name: meta.name,
                disabled: meta.disabled,
                revision: meta.revision,
            })
            .collect())
    }

    async fn export(&self, flow_id: &str) -> Result<Value, ApiError> {
        FlowApi::export(self, flow_id).await
    }
}

/// How many flow exports run at once when the live state is read; the client's rate limiter
/// still paces them.
pub const EXPORT_CONCURRENCY: usize = 4;

/// Flows as a kind of plan, apply and drift: listing is F1 then one export per flow; create and
/// update are both an import (F6, F4 as the fallback), which replaces the whole flow.
impl ResourcePort<Flow> for DescopeClient {
    async fn list(&self) -> PortResult<Vec<Flow>> {
        // Owned ids and api handles per export keep the future `Send` (the port requires it;
        // the domain reader `read_live_flows` borrows and is not).
        let api = self.flows();
        let ids: Vec<String> = api.list().await?.into_iter().map(|meta| meta.id).collect();
        let flows: Vec<Flow> = stream::iter(ids)
            .map(|id| {
                let api = api.clone();
                async move {
                    let document = api.export(&id).await?;
                    Ok::<_, ApiError>(Flow { id, document })
                }
            })
            .buffer_unordered(EXPORT_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(flows)
    }

    /// F5 alone when the flow exists: no list call.
    async fn load(&self, id: &str) -> PortResult<Option<Flow>> {
        match self.flows().export(id).await {
            Ok(document) => Ok(Some(Flow {
                id: id.to_owned(),
                document,
            })),
            Err(error) if error.status == Some(404) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn create(&self, flow: &Flow) -> PortResult<()> {
        Ok(self.flows().import(&flow.id, &flow.document).await?)
    }

    async fn update(&self, flow: &Flow) -> PortResult<()> {
        Ok(self.flows().import(&flow.id, &flow.document).await?)
    }

    async fn delete(&self, id: &str) -> PortResult<()> {
        Ok(self.flows().delete(&[id.to_owned()]).await?)
    }
}
