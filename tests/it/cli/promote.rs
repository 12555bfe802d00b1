//! `diff --from ENV --to ENV` and `promote --from ENV --to ENV` between two projects of one
//! emulator (`dev` on P2local, `stage` on P2stage): every kind compared by identity, copies that
//! go through the target's plan and guards, and connector references re-linked by name.

use descope_mgmt::report::{ApplyReport, EnvDiffReport};
use serde_json::{Value, json};

use super::flows::corpus;
use super::support::Run;
use super::world::{RESOURCES, STAGE_PROJECT_ID, World, files_under, parse};

const FLOW_V33: &str = "zero-to-auth/2004018/sign-up-or-in flow.json";
const FLOW_V36: &str = "zero-to-auth/5dcc781/sign-up-or-in flow.json";
const CONNECTOR_FLOW: &str = "terraform-provider-descope/connectorflow.json";
/// Not the emulator's default theme (which is `basicstyle.json`), so dev's differs from stage's.
const THEME: &str = "jamescrowley321-terraform-provider-descope/roundtrip-styles-v2.json";

/// What `RESOURCES` configures, as `diff` lists it when only the `--from` side has it.
const CONFIGURED: [&str; 4] = [
    "only_in_from permission:reports.read",
    "only_in_from role:viewer",
    "only_in_from tenant:acme-corp",
    "only_in_from tenant:globex",
];

fn two_projects() -> World {
    World::builder().stage().resources(RESOURCES).build()
}

fn read(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(corpus(name)).unwrap()).unwrap()
}

/// Imports a v1 corpus export as `flow_id` into `project`, as the Python SDK does.
fn import_v1(world: &World, project: &str, flow_id: &str, name: &str) {
    let export = read(name);
    world.post_in(
        project,
        "/v1/mgmt/flow/import",
        json!({"flowId": flow_id, "flow": export["flow"], "screens": export["screens"]}),
    );
}

/// dev holds the configured tenants, role and permission, a corpus flow and a theme.
fn seed_dev(world: &World) {
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    import_v1(world, "P2local", "sign-up-or-in", FLOW_V33);
    world.post_in(
        "P2local",
        "/v2/mgmt/theme/import",
        json!({"theme": read(THEME)}),
    );
}

/// `diff --from dev --to stage` with `extra` arguments.
fn diff_dev_stage(world: &World, extra: &[&str]) -> Run {
    world.run(&[&["diff", "--from", "dev", "--to", "stage"][..], extra].concat())
}

/// `promote --from dev --to stage` with `extra` arguments.
fn promote_dev_stage(world: &World, extra: &[&str]) -> Run {
    world.run(&[&["promote", "--from", "dev", "--to", "stage"][..], extra].concat())
}

fn diff_json(world: &World, from: &str, to: &str) -> (i32, EnvDiffReport) {
    let run = world.run(&["diff", "--from", from, "--to", to, "--format", "json"]);
    assert!(matches!(run.code, 0 | 2), "{}", run.stderr);
    (
        run.code,
        serde_json::from_value(parse(&run.stdout)).expect("an EnvDiffReport"),
    )
}

fn differing(report: &EnvDiffReport) -> Vec<String> {
    report
        .differences
        .iter()
        .map(|entry| format!("{} {}:{}", entry.status, entry.kind, entry.id))
        .collect()
}

#[test]
fn equal_environments_exit_0_and_differing_ones_exit_2_naming_each_resource() {
    let world = two_projects();
    let equal = diff_dev_stage(&world, &[]);
    assert_eq!(equal.code, 0, "{}{}", equal.stdout, equal.stderr);
    assert!(equal.stdout.contains("no differences"), "{}", equal.stdout);

    seed_dev(&world);
    import_v1(&world, STAGE_PROJECT_ID, "sign-up-or-in", FLOW_V36);
    let writes = world.writes();
    let state_files = files_under(&world.state_dir());
    let (code, report) = diff_json(&world, "dev", "stage");
    assert_eq!(code, 2);
    assert_eq!(
        differing(&report),
        [
            &CONFIGURED[..],
            &["different flow:sign-up-or-in", "different theme:theme"],
        ]
        .concat()
    );
    let flow = &report.differences[4];
    assert!(
        flow.fields
            .iter()
            .any(|field| field.field.starts_with("tasks.")),
        "the flow is compared by task: {flow:?}"
    );
    assert_eq!(report.summary.only_in_from, 4);
    assert_eq!(report.summary.different, 2);

    let text = diff_dev_stage(&world, &[]);
    assert_eq!(text.code, 2);
    for line in [
        "- tenant acme-corp",
        "- role viewer",
        "~ flow sign-up-or-in",
    ] {
        assert!(text.stdout.contains(line), "{line}: {}", text.stdout);
    }
    let markdown = diff_dev_stage(&world, &["--format", "markdown"]);
    assert_eq!(markdown.code, 2);
    assert!(
        markdown
            .stdout
            .contains("| tenant | acme-corp | only in dev |"),
        "{}",
        markdown.stdout
    );
    assert_eq!(world.writes(), writes, "diff never writes");
    assert_eq!(
        files_under(&world.state_dir()),
        state_files,
        "nor writes a local file"
    );
}

#[test]
fn target_and_selector_narrow_the_diff_as_on_plan() {
    let world = two_projects();
    seed_dev(&world);
    let (code, report) = {
        let run = diff_dev_stage(&world, &["--target", "tenant:globex", "--format", "json"]);
        (
            run.code,
            serde_json::from_value::<EnvDiffReport>(parse(&run.stdout)).unwrap(),
        )
    };
    assert_eq!(code, 2);
    assert_eq!(differing(&report), ["only_in_from tenant:globex"]);
    let selected = diff_dev_stage(&world, &["--selector", "id=acme-*", "--format", "json"]);
    assert_eq!(selected.code, 2, "{}", selected.stderr);
    let report: EnvDiffReport = serde_json::from_value(parse(&selected.stdout)).unwrap();
    assert_eq!(differing(&report), ["only_in_from tenant:acme-corp"]);
}

#[test]
fn a_config_side_compares_the_configuration_with_a_live_project() {
    let world = two_projects();
    let (code, report) = diff_json(&world, "config:dev", "stage");
    assert_eq!(code, 2);
    assert_eq!(differing(&report), CONFIGURED);
    let applied = world.run(&["apply", "--env", "stage"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let (code, report) = diff_json(&world, "config:stage", "stage");
    assert_eq!((code, differing(&report)), (0, Vec::<String>::new()));
    let (code, _) = diff_json(&world, "stage", "config:dev");
    assert_eq!(
        code, 0,
        "fields the configuration leaves alone are not differences"
    );
}

#[test]
fn promote_copies_every_kind_and_a_diff_afterwards_exits_0() {
    let world = two_projects();
    seed_dev(&world);
    let promoted = promote_dev_stage(&world, &[]);
    assert_eq!(promoted.code, 0, "{}{}", promoted.stdout, promoted.stderr);
    assert!(
        promoted.stdout.contains("+ create tenant acme-corp"),
        "{}",
        promoted.stdout
    );
    assert_eq!(
        world.backups("stage").len(),
        1,
        "the target is backed up first"
    );
    let diff = diff_dev_stage(&world, &[]);
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
    let again = promote_dev_stage(&world, &["--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let report: ApplyReport = serde_json::from_value(parse(&again.stdout)).unwrap();
    assert_eq!(report.summary.create + report.summary.update, 0);
}

#[test]
fn promote_of_named_resources_copies_only_those() {
    let world = two_projects();
    seed_dev(&world);
    let promoted = promote_dev_stage(&world, &["tenant:globex"]);
    assert_eq!(promoted.code, 0, "{}{}", promoted.stdout, promoted.stderr);
    let (_, report) = diff_json(&world, "dev", "stage");
    assert!(!differing(&report).contains(&"only_in_from tenant:globex".to_owned()));
    assert!(differing(&report).contains(&"only_in_from tenant:acme-corp".to_owned()));
    let unknown = promote_dev_stage(&world, &["tenant:nope"]);
    assert_eq!(unknown.code, 64, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("tenant:nope"), "{}", unknown.stderr);
}

#[test]
fn a_named_resource_brings_along_what_it_references_that_the_target_lacks() {
    let world = two_projects();
    seed_dev(&world);
    let promoted = promote_dev_stage(&world, &["tenant:acme-corp"]);
    assert_eq!(promoted.code, 0, "{}{}", promoted.stdout, promoted.stderr);
    let (_, report) = diff_json(&world, "dev", "stage");
    let left = differing(&report);
    for copied in [
        "only_in_from tenant:acme-corp",
        "only_in_from role:viewer",
        "only_in_from permission:reports.read",
    ] {
        assert!(
            !left.contains(&copied.to_owned()),
            "{copied} not copied: {left:?}"
        );
    }
    assert!(left.contains(&"only_in_from tenant:globex".to_owned()));
}

#[test]
fn promote_dry_run_shows_the_plan_and_writes_nothing() {
    let world = two_projects();
    seed_dev(&world);
    let writes = world.writes();
    let dry = promote_dev_stage(&world, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("+ create tenant globex"),
        "{}",
        dry.stdout
    );
    assert_eq!(world.writes(), writes);
    assert!(world.backups("stage").is_empty());
}

#[test]
fn promote_to_a_protected_environment_asks_for_its_name() {
    let world = two_projects();
    world.post_in(
        STAGE_PROJECT_ID,
        "/v1/mgmt/tenant/create",
        json!({"id": "initech", "name": "Initech"}),
    );
    let refused = world.run(&["promote", "--from", "stage", "--to", "prod"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    let declined =
        world.run_on_a_terminal(&["promote", "--from", "stage", "--to", "prod"], "dev\n");
    assert_eq!(declined.code, 4, "{}", declined.stdout);
    assert!(!world.tenant_ids().contains(&"initech".to_owned()));
    let confirmed =
        world.run_on_a_terminal(&["promote", "--from", "stage", "--to", "prod"], "prod\n");
    assert_eq!(confirmed.code, 0, "{}", confirmed.stdout);
    assert!(world.tenant_ids().contains(&"initech".to_owned()));
}

#[test]
fn a_connector_the_target_lacks_is_a_plan_error_and_one_it_has_is_relinked_by_name() {
    let world = two_projects();
    let flow = read(CONNECTOR_FLOW);
    world.post_in("P2local", "/v2/mgmt/flow/import", json!({"flow": flow}));
    let writes = world.writes();
    let missing = promote_dev_stage(&world, &["flow:references-flow"]);
    assert_eq!(missing.code, 3, "{}{}", missing.stdout, missing.stderr);
    assert!(
        missing.stderr.contains(
            "flow references-flow references connector `My HTTP Connector`, which the target project does not have"
        ),
        "{}",
        missing.stderr
    );
    assert_eq!(world.writes(), writes, "nothing was sent");

    world.post_in(
        STAGE_PROJECT_ID,
        "/v1/mgmt/project/snapshot/import",
        json!({"files": {"connectors/connectors.json": {"connectors": [
            {"id": "CIstageHttp", "name": "My HTTP Connector", "type": "http"}
        ]}}}),
    );
    let promoted = promote_dev_stage(&world, &["flow:references-flow"]);
    assert_eq!(promoted.code, 0, "{}{}", promoted.stdout, promoted.stderr);
    let exported = world.post_in(
        STAGE_PROJECT_ID,
        "/v2/mgmt/flow/export",
        json!({"flowId": "references-flow"}),
    );
    assert_eq!(
        exported["flow"]["references"]["connectors"],
        json!({"My HTTP Connector": "CIstageHttp"})
    );
    let diff = diff_dev_stage(&world, &["--target", "flow:references-flow"]);
    assert_eq!(
        diff.code, 0,
        "connector ids are mapped, not reported: {}",
        diff.stdout
    );
}

#[test]
fn the_source_project_id_is_mapped_to_the_targets_not_reported() {
    let world = two_projects();
    world.post_in(
        "P2local",
        "/v1/mgmt/tenant/create",
        json!({"id": "initech", "name": "Initech",
               "customAttributes": {"callback": "https://auth.example.com/P2local/done"}}),
    );
    let promoted = promote_dev_stage(&world, &["tenant:initech"]);
    assert_eq!(promoted.code, 0, "{}{}", promoted.stdout, promoted.stderr);
    let copied = world.get_in(STAGE_PROJECT_ID, "/v1/mgmt/tenant/all");
    let copied = copied["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tenant| tenant["id"] == "initech")
        .cloned()
        .unwrap();
    assert_eq!(
        copied["customAttributes"]["callback"],
        "https://auth.example.com/P2stage/done"
    );
    let diff = diff_dev_stage(&world, &["--target", "tenant:initech"]);
    assert_eq!(diff.code, 0, "{}", diff.stdout);
}

#[test]
fn promote_refuses_a_configuration_side_and_one_environment_twice() {
    let world = two_projects();
    for args in [
        ["promote", "--from", "config:dev", "--to", "stage"],
        ["promote", "--from", "dev", "--to", "dev"],
    ] {
        let refused = world.run(&args);
        assert_eq!(refused.code, 64, "{args:?}: {}", refused.stderr);
    }
    assert_eq!(world.writes(), 0);
}

#[test]
fn a_configuration_warning_is_shown_once_though_both_sides_read_the_file() {
    let world = two_projects();
    let yaml = std::fs::read_to_string(world.path("descope.yaml")).unwrap();
    let literal_key = yaml.replacen("management_key: ${KEY}", "management_key: K2local", 1);
    world.write_file("descope.yaml", &literal_key);
    let diff = diff_dev_stage(&world, &[]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_eq!(
        diff.stderr
            .matches("management key is written literally")
            .count(),
        1,
        "{}",
        diff.stderr
    );
}
