//! The port contract: any small struct can stand in for a project's tenants (so domain code is
//! testable without HTTP), the default `load` finds a resource in the list, and the in-memory
//! project round-trips load/list/create/update/delete with the error kinds the engine reacts to.

use crate::memory::MemoryProject;
use crate::port::{PortErrorKind, PortResult, ResourcePort};
use crate::resource::{Permission, Role, Tenant};
use crate::test_fixtures::tenant;

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

#[tokio::test]
async fn memory_project_refuses_names_of_missing_resources_as_the_emulator_does() {
    let project = MemoryProject::default();
    let with_viewer = Tenant {
        default_roles: vec!["viewer".to_owned()],
        ..tenant("acme-corp", "Acme Corporation")
    };
    let refused = project.create(&with_viewer).await.unwrap_err();
    assert_eq!(refused.kind, PortErrorKind::NotFound, "{refused}");
    assert!(refused.message.contains("role:viewer"), "{refused}");
    assert_eq!(project.all::<Tenant>(), []);

    let viewer = Role {
        name: "viewer".to_owned(),
        permission_names: vec!["reports.read".to_owned()],
        ..Role::default()
    };
    let refused = project.create(&viewer).await.unwrap_err();
    assert!(
        refused.message.contains("permission:reports.read"),
        "{refused}"
    );
    project
        .create(&Permission {
            name: "reports.read".to_owned(),
            ..Permission::default()
        })
        .await
        .unwrap();
    project.create(&viewer).await.unwrap();
    project.create(&with_viewer).await.unwrap();

    let with_ghost = Tenant {
        default_roles: vec!["ghost".to_owned()],
        ..with_viewer.clone()
    };
    let refused = project.update(&with_ghost).await.unwrap_err();
    assert!(refused.message.contains("role:ghost"), "{refused}");
    assert_eq!(project.all::<Tenant>(), [with_viewer]);
}
