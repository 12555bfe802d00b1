//! An in-memory project implementing the ports, for pure tests of the planner and apply engine.
//! Not a mock of the HTTP client: end-to-end tests use the emulator over loopback instead.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::port::{PortError, PortErrorKind, PortResult, TenantPort};
use crate::resource::Tenant;

/// Tenants held in memory, with a count of write calls so tests can assert "zero writes".
#[derive(Debug, Default)]
pub struct MemoryProject {
    tenants: Mutex<BTreeMap<String, Tenant>>,
    writes: Mutex<u64>,
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

    pub fn tenants(&self) -> Vec<Tenant> {
        lock(&self.tenants).values().cloned().collect()
    }

    pub fn write_count(&self) -> u64 {
        *lock(&self.writes)
    }

    fn count_write(&self) {
        *lock(&self.writes) += 1;
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
        self.count_write();
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
        self.count_write();
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
        self.count_write();
        match lock(&self.tenants).remove(id) {
            Some(_) => Ok(()),
            None => Err(PortError::new(
                PortErrorKind::NotFound,
                format!("tenant {id} not found"),
            )),
        }
    }
}
