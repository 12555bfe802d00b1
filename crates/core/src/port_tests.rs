//! The port contract: any small struct can stand in for a project's tenants (so domain code is
//! testable without HTTP), the default `load` finds a resource in the list, and the in-memory
//! project round-trips load/list/create/update/delete with the error kinds the engine reacts to.

use std::collections::BTreeMap;

use crate::memory::MemoryProject;
use crate::port::{PortErrorKind, PortResult, ResourcePort};
use crate::resource::Tenant;

/// The smallest thing that is a tenant port: a fixed list, relying on the default `load`.
struct FixedTenants(Vec<Tenant>);

impl ResourcePort<Tenant> for FixedTenants {
    async fn list(&self) -> PortResult<Vec<Tenant>> {
        Ok(self.0.clone())
    }
    async fn create(&self, _: &Tenant) -> PortResult<()> {
        Ok(())
    }
    async fn update(&self, _: &Tenant) -> PortResult<()> {
        Ok(())
    }
    async fn delete(&self, _: &str) -> PortResult<()> {
        Ok(())
    }
}

fn tenant(id: &str, name: &str) -> Tenant {
    Tenant {
        id: id.to_owned(),
        name: name.to_owned(),
        self_provisioning_domains: Vec::new(),
        custom_attributes: BTreeMap::new(),
        ..Tenant::default()
    }
}

async fn names_via_port(port: &impl ResourcePort<Tenant>) -> Vec<String> {
    port.list()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

#[tokio::test]
async fn a_simple_struct_implements_the_tenant_port() {
    let port = FixedTenants(vec![tenant("test", "Test")]);
    assert_eq!(names_via_port(&port).await, ["Test"]);
    assert_eq!(port.load("test").await.unwrap().unwrap().id, "test");
    assert!(port.load("other").await.unwrap().is_none());
}

#[tokio::test]
async fn memory_project_round_trips_through_the_port() {
    let project = MemoryProject::default();
    let acme = tenant("acme-corp", "Acme Corporation");
    project.create(&acme).await.unwrap();
    assert_eq!(
        ResourcePort::<Tenant>::load(&project, "acme-corp")
            .await
            .unwrap(),
        Some(acme.clone())
    );
    assert_eq!(
        ResourcePort::<Tenant>::list(&project).await.unwrap(),
        vec![acme.clone()]
    );

    let duplicate = project.create(&acme).await.unwrap_err();
    assert_eq!(duplicate.kind, PortErrorKind::AlreadyExists);

    let renamed = tenant("acme-corp", "Acme Corp");
    project.update(&renamed).await.unwrap();
    assert_eq!(
        ResourcePort::<Tenant>::load(&project, "acme-corp")
            .await
            .unwrap()
            .unwrap()
            .name,
        "Acme Corp"
    );

    ResourcePort::<Tenant>::delete(&project, "acme-corp")
        .await
        .unwrap();
    assert!(
        ResourcePort::<Tenant>::load(&project, "acme-corp")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        ResourcePort::<Tenant>::delete(&project, "acme-corp")
            .await
            .unwrap_err()
            .kind,
        PortErrorKind::NotFound
    );
    assert_eq!(project.write_count(), 5);
}
