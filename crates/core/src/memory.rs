//! An in-memory project implementing the ports, for pure tests of the planner and apply engine.
//! Not a mock of the HTTP client: end-to-end tests use the emulator over loopback instead.
//!
//! It counts write calls (so tests can assert "zero writes") and can be told to fail chosen
//! writes (so tests can check partial failure and convergence).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::port::{PermissionPort, PortError, PortErrorKind, PortResult, RolePort, TenantPort};
use crate::resource::{Permission, Role, Tenant};

/// Tenants, roles and permissions held in memory, with a count of write calls.
#[derive(Debug, Default)]
pub struct MemoryProject {
    tenants: Mutex<BTreeMap<String, Tenant>>,
    roles: Mutex<BTreeMap<String, Role>>,
    permissions: Mutex<BTreeMap<String, Permission>>,
    writes: Mutex<u64>,
    faults: Mutex<Faults>,
    concurrency: Mutex<WriteConcurrency>,
}

/// Lets tests observe how many writes overlap: with `yield_in_writes`, each write yields to the
/// executor once while counted as in flight, as a network call would.
#[derive(Debug, Default)]
struct WriteConcurrency {
    yield_in_writes: bool,
    in_flight: usize,
    max_in_flight: usize,
}

/// Injected failures. A failing write is still counted as a write call and changes nothing.
#[derive(Debug, Default)]
struct Faults {
    /// Every write naming this identity (tenant id, role or permission name) fails.
    identities: BTreeMap<String, PortErrorKind>,
    /// The write call with this 1-based number (counting every write since creation) fails.
    nth_write: BTreeMap<u64, PortErrorKind>,
}

impl MemoryProject {
    pub fn with_tenants(tenants: impl IntoIterator<Item = Tenant>) -> Self {
        let project = Self::default();
        {
            let mut map = lock(&project.tenants);
            for tenant in tenants {
                map.insert(tenant.id.clone(), tenant);
            }
        }
        project
    }

    pub fn with_roles(self, roles: impl IntoIterator<Item = Role>) -> Self {
        lock(&self.roles).extend(roles.into_iter().map(|role| (role.name.clone(), role)));
        self
    }

    pub fn with_permissions(self, permissions: impl IntoIterator<Item = Permission>) -> Self {
        lock(&self.permissions).extend(
            permissions
                .into_iter()
                .map(|permission| (permission.name.clone(), permission)),
        );
        self
    }

    pub fn tenants(&self) -> Vec<Tenant> {
        lock(&self.tenants).values().cloned().collect()
    }

    pub fn roles(&self) -> Vec<Role> {
        lock(&self.roles).values().cloned().collect()
    }

    pub fn permissions(&self) -> Vec<Permission> {
        lock(&self.permissions).values().cloned().collect()
    }

    pub fn write_count(&self) -> u64 {
        *lock(&self.writes)
    }

    /// Makes every later write to `identity` (of any kind) fail with `kind`.
    pub fn fail_writes_to(&self, identity: &str, kind: PortErrorKind) {
        lock(&self.faults)
            .identities
            .insert(identity.to_owned(), kind);
    }

    /// Stops failing writes to `identity`.
    pub fn heal(&self, identity: &str) {
        lock(&self.faults).identities.remove(identity);
    }

    /// Makes write call number `n` (1-based, counted since the project was created) fail.
    pub fn fail_nth_write(&self, n: u64, kind: PortErrorKind) {
        lock(&self.faults).nth_write.insert(n, kind);
    }

    /// Makes each write yield once mid-call, so concurrent writes overlap.
    pub fn yield_in_writes(self) -> Self {
        lock(&self.concurrency).yield_in_writes = true;
        self
    }

    /// The most writes that were in flight at once (meaningful with [`Self::yield_in_writes`]).
    pub fn max_in_flight_writes(&self) -> usize {
        lock(&self.concurrency).max_in_flight
    }

    async fn overlap_point(&self) {
        let should_yield = {
            let mut concurrency = lock(&self.concurrency);
            concurrency.in_flight += 1;
            concurrency.max_in_flight = concurrency.max_in_flight.max(concurrency.in_flight);
            concurrency.yield_in_writes
        };
        if should_yield {
            YieldOnce(false).await;
        }
        lock(&self.concurrency).in_flight -= 1;
    }

    /// Counts the call, then fails it if a fault was injected for it.
    async fn begin_write(&self, identity: &str) -> PortResult<()> {
        self.overlap_point().await;
        let number = {
            let mut writes = lock(&self.writes);
            *writes += 1;
            *writes
        };
        let faults = lock(&self.faults);
        let injected = faults
            .nth_write
            .get(&number)
            .or_else(|| faults.identities.get(identity));
        match injected {
            Some(kind) => Err(PortError::new(
                *kind,
                format!("injected failure on write {number} to {identity}"),
            )),
            None => Ok(()),
        }
    }
}

/// Returns `Pending` once (after waking itself), then `Ready`: a runtime-free `yield_now`.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        context.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

// A poisoned lock only means another test thread panicked; the map itself is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TenantPort for MemoryProject {
    async fn load(&self, id: &str) -> PortResult<Option<Tenant>> {
        Ok(lock(&self.tenants).get(id).cloned())
    }

    async fn list(&self) -> PortResult<Vec<Tenant>> {
        Ok(self.tenants())
    }

    async fn create(&self, tenant: &Tenant) -> PortResult<()> {
        self.begin_write(&tenant.id).await?;
        let mut map = lock(&self.tenants);
        if map.contains_key(&tenant.id) {
            return Err(PortError::new(
                PortErrorKind::AlreadyExists,
                format!("tenant {} already exists", tenant.id),
            ));
        }
        map.insert(tenant.id.clone(), tenant.clone());
        Ok(())
    }

    async fn update(&self, tenant: &Tenant) -> PortResult<()> {
        self.begin_write(&tenant.id).await?;
        let mut map = lock(&self.tenants);
        match map.get_mut(&tenant.id) {
            Some(existing) => {
                *existing = tenant.clone();
                Ok(())
            }
            None => Err(PortError::new(
                PortErrorKind::NotFound,
                format!("tenant {} not found", tenant.id),
            )),
        }
    }

    async fn delete(&self, id: &str) -> PortResult<()> {
        self.begin_write(id).await?;
        match lock(&self.tenants).remove(id) {
            Some(_) => Ok(()),
            None => Err(PortError::new(
                PortErrorKind::NotFound,
                format!("tenant {id} not found"),
            )),
        }
    }
}

/// Create, update and delete on one map keyed by name, shared by roles and permissions.
fn insert_new<T: Clone>(
    map: &Mutex<BTreeMap<String, T>>,
    what: &str,
    name: &str,
    value: &T,
) -> PortResult<()> {
    let mut map = lock(map);
    if map.contains_key(name) {
        return Err(PortError::new(
            PortErrorKind::AlreadyExists,
            format!("{what} {name} already exists"),
        ));
    }
    map.insert(name.to_owned(), value.clone());
    Ok(())
}

fn replace_existing<T: Clone>(
    map: &Mutex<BTreeMap<String, T>>,
    what: &str,
    name: &str,
    value: &T,
) -> PortResult<()> {
    match lock(map).get_mut(name) {
        Some(existing) => {
            *existing = value.clone();
            Ok(())
        }
        None => Err(PortError::new(
            PortErrorKind::NotFound,
            format!("{what} {name} not found"),
        )),
    }
}

fn remove_existing<T>(map: &Mutex<BTreeMap<String, T>>, what: &str, name: &str) -> PortResult<()> {
    match lock(map).remove(name) {
        Some(_) => Ok(()),
        None => Err(PortError::new(
            PortErrorKind::NotFound,
            format!("{what} {name} not found"),
        )),
    }
}

impl RolePort for MemoryProject {
    async fn list(&self) -> PortResult<Vec<Role>> {
        Ok(self.roles())
    }

    async fn create(&self, role: &Role) -> PortResult<()> {
        self.begin_write(&role.name).await?;
        insert_new(&self.roles, "role", &role.name, role)
    }

    async fn update(&self, role: &Role) -> PortResult<()> {
        self.begin_write(&role.name).await?;
        replace_existing(&self.roles, "role", &role.name, role)
    }

    async fn delete(&self, name: &str) -> PortResult<()> {
        self.begin_write(name).await?;
        remove_existing(&self.roles, "role", name)
    }
}

impl PermissionPort for MemoryProject {
    async fn list(&self) -> PortResult<Vec<Permission>> {
        Ok(self.permissions())
    }

    async fn create(&self, permission: &Permission) -> PortResult<()> {
        self.begin_write(&permission.name).await?;
        insert_new(
            &self.permissions,
            "permission",
            &permission.name,
            permission,
        )
    }

    async fn update(&self, permission: &Permission) -> PortResult<()> {
        self.begin_write(&permission.name).await?;
        replace_existing(
            &self.permissions,
            "permission",
            &permission.name,
            permission,
        )
    }

    async fn delete(&self, name: &str) -> PortResult<()> {
        self.begin_write(name).await?;
        remove_existing(&self.permissions, "permission", name)
    }
}
