//! The read step for the sign-in parts of tenants (session settings, SSO): they are not in the
//! tenant list and each takes a call per tenant, so they are read only for tenants whose
//! configuration declares the block — a portfolio of 10,000 tenants where a few declare
//! `session:` costs a few reads, not 10,000. [`TenantAuthPort`] is what the step needs from a
//! project; `descope-mgmt-api` implements it on its client.
//!
//! SSO configurations the configuration does not name are kept as they are unless `--prune`:
//! without it they are copied to both sides (so the write keeps them and the plan shows
//! nothing); with it they are live only, and the plan deletes them.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value as Json};

use crate::port::{PortError, PortResult};
use crate::resource::{ResourceSet, TenantSession, TenantSso, sso_key};

/// How many tenants' parts are read at once.
const READ_CONCURRENCY: usize = 8;

/// The per-tenant sign-in reads.
pub trait TenantAuthPort: Send + Sync {
    /// The tenant's settings object as the server sends it (every field).
    fn tenant_settings(
        &self,
        tenant_id: &str,
    ) -> impl Future<Output = PortResult<Map<String, Json>>> + Send;

    /// Every SSO configuration of the tenant, as the load-all call answers them
    /// (`{tenant, saml, oidc, ssoId}` each).
    fn tenant_sso(&self, tenant_id: &str) -> impl Future<Output = PortResult<Vec<Json>>> + Send;
}

/// What one tenant's read found.
struct Read {
    index: usize,
    session: Option<TenantSession>,
    sso: Option<Vec<Json>>,
}

/// Fills the live side of each sign-in part that a desired tenant declares, for the tenants that
/// exist live; every other tenant is left as listed (its parts `None`, not read). With `prune`, a
/// tenant whose configuration has no `sso:` but whose live tenant has SSO is read too, and its
/// desired SSO becomes "none".
pub async fn read_tenant_auth<P: TenantAuthPort>(
    port: &P,
    desired: &mut ResourceSet,
    actual: &mut ResourceSet,
    prune: bool,
) -> PortResult<()> {
    let wanted: BTreeMap<&str, (bool, bool)> = desired
        .tenants
        .iter()
        .map(|tenant| {
            (
                tenant.id.as_str(),
                (tenant.session.is_some(), tenant.sso.is_some()),
            )
        })
        .filter(|(_, (session, sso))| *session || *sso || prune)
        .collect();
    let jobs: Vec<(usize, String, bool, bool)> = actual
        .tenants
        .iter()
        .enumerate()
        .filter_map(|(index, live)| {
            let (session, sso) = *wanted.get(live.id.as_str())?;
            let sso = sso || (prune && live.has_sso);
            (session || sso).then(|| (index, live.id.clone(), session, sso))
        })
        .collect();
    let reads: Vec<Read> = futures::stream::iter(jobs)
        .map(|(index, id, session, sso)| async move {
            let session = match session {
                true => Some(TenantSession::from_wire(&port.tenant_settings(&id).await?)),
                false => None,
            };
            let sso = match sso {
                true => Some(port.tenant_sso(&id).await?),
                false => None,
            };
            Ok::<_, PortError>(Read {
                index,
                session,
                sso,
            })
        })
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    let by_id: BTreeMap<String, usize> = desired
        .tenants
        .iter()
        .enumerate()
        .map(|(index, tenant)| (tenant.id.clone(), index))
        .collect();
    for read in reads {
        let live = &mut actual.tenants[read.index];
        live.session = read.session.map(Box::new);
        let (Some(configs), Some(&at)) = (read.sso, by_id.get(&live.id)) else {
            continue;
        };
        let wanted = desired.tenants[at].sso.get_or_insert_with(BTreeMap::new);
        let mut seen = BTreeMap::new();
        let declared: BTreeSet<String> = wanted.keys().cloned().collect();
        for config in &configs {
            let key = sso_key(config["ssoId"].as_str().unwrap_or_default());
            let view = match wanted.get(&key) {
                Some(desired) => desired.live_view(config),
                None => TenantSso::unmanaged_view(config),
            };
            if !declared.contains(&key) && !prune {
                wanted.insert(key.clone(), view.clone());
            }
            seen.insert(key, view);
        }
        live.sso = Some(seen);
    }
    Ok(())
}
