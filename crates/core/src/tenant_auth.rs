//! The read step for the sign-in parts of tenants (session settings, SSO, password policy): they
//! are not in the tenant list, each takes a call per tenant, so they are read only for tenants
//! whose configuration declares the block — a portfolio of 10,000 tenants where a few declare
//! `session:` costs a few reads, not 10,000. [`TenantAuthPort`] is what the step needs from a
//! project; `descope-mgmt-api` implements it on its client.

use std::collections::BTreeSet;
use std::future::Future;

use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value as Json};

use crate::port::PortResult;
use crate::resource::{ResourceSet, TenantSession};

/// How many tenants' parts are read at once.
const READ_CONCURRENCY: usize = 8;

/// The per-tenant sign-in reads.
pub trait TenantAuthPort: Send + Sync {
    /// The tenant's settings object as the server sends it (every field).
    fn tenant_settings(
        &self,
        tenant_id: &str,
    ) -> impl Future<Output = PortResult<Map<String, Json>>> + Send;
}

/// Fills the live side of each sign-in part that a desired tenant declares, for the tenants that
/// exist live; every other tenant is left as listed (its parts `None`, not read).
pub async fn read_tenant_auth<P: TenantAuthPort>(
    port: &P,
    desired: &ResourceSet,
    actual: &mut ResourceSet,
) -> PortResult<()> {
    let declaring: BTreeSet<&str> = desired
        .tenants
        .iter()
        .filter(|tenant| tenant.session.is_some())
        .map(|tenant| tenant.id.as_str())
        .collect();
    let wanted: Vec<usize> = actual
        .tenants
        .iter()
        .enumerate()
        .filter(|(_, live)| declaring.contains(live.id.as_str()))
        .map(|(index, _)| index)
        .collect();
    let sessions: Vec<(usize, TenantSession)> = futures::stream::iter(wanted)
        .map(|index| {
            let id = actual.tenants[index].id.clone();
            async move {
                let settings = port.tenant_settings(&id).await?;
                Ok::<_, crate::port::PortError>((index, TenantSession::from_wire(&settings)))
            }
        })
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    for (index, session) in sessions {
        actual.tenants[index].session = Some(Box::new(session));
    }
    Ok(())
}
