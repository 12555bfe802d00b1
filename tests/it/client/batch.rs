//! Role and permission batch endpoints (R6–R8, P5–P7): one call per batch, atomic, and one call
//! per item when the server refuses the batch.

use descope_emulator::EmulatorConfig;
use descope_mgmt_core::port::PortErrorKind;
use descope_mgmt_core::resource::{Permission, Role};

use super::support::{KEY, client, emulator, emulator_stats, quick_config, route_count};

fn role(name: &str, description: &str) -> Role {
    Role {
        name: name.into(),
        description: description.into(),
        ..Role::default()
    }
}

fn permission(name: &str, description: &str) -> Permission {
    Permission {
        name: name.into(),
        description: description.into(),
        ..Permission::default()
    }
}

fn names(of: &[&str]) -> Vec<String> {
    of.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test]
async fn role_batches_create_update_and_delete_in_one_call_each() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let roles = client.roles();
    let created = roles
        .create_batch(&[role("b-one", "1"), role("b-two", "2")])
        .await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    let updated = roles
        .update_batch(&[role("b-one", "first"), role("b-two", "second")])
        .await;
    assert!(updated.iter().all(Result::is_ok), "{updated:?}");
    let live = roles.load_all().await.unwrap();
    let description = |name: &str| {
        live.iter()
            .find(|r| r.name == name)
            .map(|r| r.description.clone())
    };
    assert_eq!(description("b-one").as_deref(), Some("first"));
    assert_eq!(description("b-two").as_deref(), Some("second"));

    let deleted = roles.delete_batch(&names(&["b-one", "b-two"])).await;
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");
    let live = roles.load_all().await.unwrap();
    assert!(live.iter().all(|r| !r.name.starts_with("b-")));
    assert!(!live.is_empty(), "only the named roles were deleted");

    let stats = emulator_stats(&emulator).await;
    for route in ["create", "update", "delete"] {
        assert_eq!(
            route_count(&stats, &format!("POST /v1/mgmt/role/{route}/batch")),
            1,
            "{stats}"
        );
        assert_eq!(
            route_count(&stats, &format!("POST /v1/mgmt/role/{route}")),
            0,
            "{stats}"
        );
    }
}

#[tokio::test]
async fn permission_batches_create_update_and_delete_in_one_call_each() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let permissions = client.permissions();
    let created = permissions
        .create_batch(&[permission("p.one", "1"), permission("p.two", "2")])
        .await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    let updated = permissions
        .update_batch(&[permission("p.one", "first")])
        .await;
    assert!(updated.iter().all(Result::is_ok), "{updated:?}");
    let live = permissions.load_all().await.unwrap();
    assert!(
        live.iter()
            .any(|p| p.name == "p.one" && p.description == "first")
    );
    let deleted = permissions.delete_batch(&names(&["p.one", "p.two"])).await;
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");
    let live = permissions.load_all().await.unwrap();
    assert!(live.iter().all(|p| !p.name.starts_with("p.")));
    let stats = emulator_stats(&emulator).await;
    for route in ["create", "update", "delete"] {
        assert_eq!(
            route_count(&stats, &format!("POST /v1/mgmt/permission/{route}/batch")),
            1,
            "{stats}"
        );
    }
}

#[tokio::test]
async fn a_refused_batch_falls_back_to_one_call_per_item_each_with_its_outcome() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let roles = client.roles();
    roles.create(&role("taken", "")).await.unwrap();
    // The atomic batch fails on the duplicate and creates nothing; one call each then creates
    // the others and reports the duplicate alone.
    let outcomes = roles
        .create_batch(&[role("fresh-a", ""), role("taken", ""), role("fresh-b", "")])
        .await;
    assert!(outcomes[0].is_ok(), "{outcomes:?}");
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().port_kind(),
        PortErrorKind::AlreadyExists
    );
    assert!(outcomes[2].is_ok(), "{outcomes:?}");
    let live = roles.load_all().await.unwrap();
    for name in ["fresh-a", "fresh-b", "taken"] {
        assert_eq!(live.iter().filter(|r| r.name == name).count(), 1, "{name}");
    }
    let stats = emulator_stats(&emulator).await;
    assert_eq!(route_count(&stats, "POST /v1/mgmt/role/create/batch"), 1);
    assert_eq!(route_count(&stats, "POST /v1/mgmt/role/create"), 1 + 3);
}

#[tokio::test]
async fn an_empty_batch_sends_nothing() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), KEY));
    let roles_before = client.roles().load_all().await.unwrap().len();
    assert!(client.roles().delete_batch(&[]).await.is_empty());
    assert!(client.permissions().delete_batch(&[]).await.is_empty());
    assert!(client.roles().create_batch(&[]).await.is_empty());
    assert_eq!(client.roles().load_all().await.unwrap().len(), roles_before);
    assert_eq!(client.stats().requests, 2, "only the two listings");
}
