//! The read step for the parts of tenants outside the tenant list (session settings, SSO,
//! password policy, scoped roles): each takes a call per tenant, so they are read only for
//! tenants whose configuration declares the block — a portfolio of 10,000 tenants where a few declare
//! `session:` costs a few reads, not 10,000. [`TenantAuthPort`] is what the step needs from a
//! project; `descope-mgmt-api` implements it on its client.
//!
//! SSO configurations and scoped roles the configuration does not name are kept unless
//! `--prune`: without it they are copied to both sides (so the write keeps them and the plan shows
//! nothing); with it they are live only, and the plan deletes them.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value as Json};

use crate::port::{PortError, PortResult};
use crate::resource::{ResourceSet, TenantRole, TenantSession, TenantSso, sso_key};

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

    /// The roles that exist only inside the tenant, by name.
    fn tenant_roles(
        &self,
        tenant_id: &str,
    ) -> impl Future<Output = PortResult<BTreeMap<String, TenantRole>>> + Send;

    /// The tenant's password policy (the project's when it has none of its own), every field.
    fn tenant_password_policy(
        &self,
        tenant_id: &str,
    ) -> impl Future<Output = PortResult<Map<String, Json>>> + Send;
}

/// What one tenant's read found.
struct Read {
    index: usize,
    session: Option<TenantSession>,
    sso: Option<Vec<Json>>,
    password_policy: Option<Map<String, Json>>,
    roles: Option<BTreeMap<String, TenantRole>>,
}

/// Which parts of one tenant are read.
#[derive(Clone, Copy)]
struct Parts {
    session: bool,
    sso: bool,
    password_policy: bool,
    roles: bool,
}

impl Parts {
    fn any(self) -> bool {
        self.session || self.sso || self.password_policy || self.roles
    }
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
    let wanted: BTreeMap<&str, Parts> = desired
        .tenants
        .iter()
        .map(|tenant| {
            let parts = Parts {
                session: tenant.session.is_some(),
                sso: tenant.sso.is_some(),
                password_policy: tenant.password_policy.is_some(),
                roles: tenant.roles.is_some(),
            };
            (tenant.id.as_str(), parts)
        })
        .filter(|(_, parts)| parts.any() || prune)
        .collect();
    let jobs: Vec<(usize, String, Parts)> = actual
        .tenants
        .iter()
        .enumerate()
        .filter_map(|(index, live)| {
            let mut parts = *wanted.get(live.id.as_str())?;
            parts.sso |= prune && live.has_sso;
            parts.any().then(|| (index, live.id.clone(), parts))
        })
        .collect();
    let reads: Vec<Read> = futures::stream::iter(jobs)
        .map(|(index, id, parts)| async move {
            let session = match parts.session {
                true => Some(TenantSession::from_wire(&port.tenant_settings(&id).await?)),
                false => None,
            };
            let sso = match parts.sso {
                true => Some(port.tenant_sso(&id).await?),
                false => None,
            };
            let password_policy = match parts.password_policy {
                true => Some(port.tenant_password_policy(&id).await?),
                false => None,
            };
            let roles = match parts.roles {
                true => Some(port.tenant_roles(&id).await?),
                false => None,
            };
            Ok::<_, PortError>(Read {
                index,
                session,
                sso,
                password_policy,
                roles,
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
        live.password_policy = read
            .password_policy
            .map(|policy| policy.into_iter().collect());
        let Some(&at) = by_id.get(&live.id) else {
            continue;
        };
        if let (Some(live_roles), Some(wanted)) = (read.roles, desired.tenants[at].roles.as_mut()) {
            // Without --prune a role made elsewhere inside the tenant is kept: both sides.
            if !prune {
                for (name, role) in &live_roles {
                    wanted.entry(name.clone()).or_insert_with(|| role.clone());
                }
            }
            live.roles = Some(live_roles);
        }
        let Some(configs) = read.sso else {
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;
    use crate::resource::Tenant;

    /// One tenant `acme` with an SSO configuration `okta` and a scoped role `stray`; counts
    /// calls.
    #[derive(Default)]
    struct Port {
        calls: AtomicUsize,
    }

    impl TenantAuthPort for Port {
        async fn tenant_settings(&self, _: &str) -> PortResult<Map<String, Json>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(Map::new())
        }

        async fn tenant_sso(&self, _: &str) -> PortResult<Vec<Json>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(vec![
                json!({"ssoId": "okta", "oidc": {"clientId": "c1"}, "saml": {}}),
            ])
        }

        async fn tenant_roles(&self, _: &str) -> PortResult<BTreeMap<String, TenantRole>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(BTreeMap::from([(
                "stray".to_owned(),
                TenantRole::default(),
            )]))
        }

        async fn tenant_password_policy(&self, _: &str) -> PortResult<Map<String, Json>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(Map::new())
        }
    }

    fn sets(desired: Tenant) -> (ResourceSet, ResourceSet) {
        let live = Tenant {
            id: "acme".into(),
            has_sso: true,
            ..Tenant::default()
        };
        let desired = ResourceSet {
            tenants: vec![desired],
            ..ResourceSet::default()
        };
        let actual = ResourceSet {
            tenants: vec![live],
            ..ResourceSet::default()
        };
        (desired, actual)
    }

    fn declaring_roles_and_sso() -> Tenant {
        Tenant {
            id: "acme".into(),
            roles: Some(BTreeMap::new()),
            sso: Some(BTreeMap::new()),
            ..Tenant::default()
        }
    }

    #[tokio::test]
    async fn a_tenant_declaring_nothing_is_not_read_even_with_sso_live() {
        let port = Port::default();
        let (mut desired, mut actual) = sets(Tenant {
            id: "acme".into(),
            ..Tenant::default()
        });
        read_tenant_auth(&port, &mut desired, &mut actual, false)
            .await
            .unwrap();
        assert_eq!(port.calls.load(Ordering::SeqCst), 0);
        assert_eq!(actual.tenants[0].sso, None);
    }

    #[tokio::test]
    async fn without_prune_live_parts_the_configuration_does_not_name_are_kept_on_both_sides() {
        let port = Port::default();
        let (mut desired, mut actual) = sets(declaring_roles_and_sso());
        read_tenant_auth(&port, &mut desired, &mut actual, false)
            .await
            .unwrap();
        assert_eq!(port.calls.load(Ordering::SeqCst), 2);
        assert_eq!(desired.tenants[0].roles, actual.tenants[0].roles);
        assert_eq!(desired.tenants[0].sso, actual.tenants[0].sso);
        assert!(actual.tenants[0].sso.as_ref().unwrap().contains_key("okta"));
    }

    #[tokio::test]
    async fn with_prune_they_are_live_only_and_sso_of_a_tenant_without_the_block_is_read() {
        let port = Port::default();
        let (mut desired, mut actual) = sets(declaring_roles_and_sso());
        read_tenant_auth(&port, &mut desired, &mut actual, true)
            .await
            .unwrap();
        assert_eq!(desired.tenants[0].roles, Some(BTreeMap::new()));
        assert_eq!(desired.tenants[0].sso, Some(BTreeMap::new()));
        assert_eq!(actual.tenants[0].roles.as_ref().unwrap().len(), 1);

        let (mut desired, mut actual) = sets(Tenant {
            id: "acme".into(),
            ..Tenant::default()
        });
        read_tenant_auth(&port, &mut desired, &mut actual, true)
            .await
            .unwrap();
        assert_eq!(desired.tenants[0].sso, Some(BTreeMap::new()));
        assert_eq!(
            actual.tenants[0].sso.as_ref().unwrap()["okta"].protocol,
            "oidc"
        );
    }
}
