//! The apply engine over the real client against an emulator that answers 400 (not 409 or 404)
//! for a duplicate create and a missing object: Descope does not document which it sends, so the
//! engine re-reads the object after any client error other than an authorisation one.

use descope_emulator::EmulatorConfig;
use descope_mgmt_core::apply::{
    ApplyOptions, ApplyStatus, CancelToken, NoProgress, Outcome, apply,
};
use descope_mgmt_core::plan::{Action, Change, Plan, ResourceKind};
use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::{Resource, Tenant};
use serde_json::json;

use super::support::{KEY, client, emulator, quick_config, tenant};

#[tokio::test]
async fn creates_and_deletes_converge_when_conflicts_and_missing_objects_answer_400() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let answered = reqwest::Client::new()
        .post(format!("{}/emulator/faults", emulator.url()))
        .json(&json!({"conflictStatus": 400, "notFoundStatus": 400}))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success());
    let client = client(quick_config(&emulator.url(), KEY));
    ResourcePort::<Tenant>::create(&client, &tenant("acme", "Acme"))
        .await
        .unwrap();

    // A plan made before someone else created `acme` and deleted `gone`.
    let plan = Plan {
        prune: true,
        targets: None,
        changes: vec![
            Change {
                kind: ResourceKind::Tenant,
                id: "acme".into(),
                action: Action::Create,
                fields: Vec::new(),
                before: None,
                after: Some(tenant("acme", "Acme").into_any()),
            },
            Change {
                kind: ResourceKind::Tenant,
                id: "gone".into(),
                action: Action::Delete,
                fields: Vec::new(),
                before: Some(tenant("gone", "Gone").into_any()),
                after: None,
            },
        ],
        unmanaged: Vec::new(),
        layout_only: Vec::new(),
    };
    let report = apply(
        &plan,
        &client,
        &ApplyOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .await;
    assert_eq!(report.exit_status(), ApplyStatus::Success, "{report:?}");
    let notes: Vec<String> = report
        .results
        .iter()
        .map(|result| match &result.outcome {
            Outcome::Succeeded { note } => note.clone().unwrap_or_default(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        notes,
        ["already existed with the desired state", "already absent"]
    );
}
