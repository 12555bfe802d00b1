//! `flow` and `theme` commands against the emulator: every corpus document round-trips with an
//! empty diff, a flow changed behind the tool's back is reported by task and repaired by import,
//! and a broken flow file exits 3 with its JSON path before any request.

use std::path::{Path, PathBuf};

use descope_mgmt::report::{ApplyReport, FlowDiffReport, FlowListReport, ThemeDiffReport};
use serde_json::{Value, json};

use super::world::{World, audit_entries, audit_lines, parse, read_json};

pub(super) fn corpus(name: &str) -> PathBuf {
    let dir = std::env::var("DESCOPE_EXPORTS_DIR").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|dir| dir.join("shared/data/descope-exports"))
                .chain([PathBuf::from("/work/shared/data/descope-exports")])
                .find(|dir| dir.is_dir())
                .expect("the export corpus: set DESCOPE_EXPORTS_DIR")
        },
        PathBuf::from,
    );
    dir.join(name)
}

const FLOWS: [&str; 10] = [
    "zero-to-auth/2004018/sign-up-or-in flow.json",
    "zero-to-auth/5dcc781/sign-up-or-in flow.json",
    "aws-cognito-oidc-sample/3499642/oidc-flow.json",
    "aws-cognito-oidc-sample/56f40bb/oidc-flow.json",
    "firebase-oidc-sample/oidc-flow.json",
    "auth0-passkey-implementation/oidc-flow.json",
    "jamescrowley321-terraform-provider-descope/flow.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow-signin.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow.json",
    "terraform-provider-descope/connectorflow.json",
];

const THEMES: [&str; 2] = [
    "jamescrowley321-terraform-provider-descope/roundtrip-styles-v2.json",
    "terraform-provider-descope/basicstyle.json",
];

/// The id a corpus file names (v2 `flowId`, v1 `flow.id`), or a made-up one when it has none.
fn document_id(path: &Path) -> String {
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    json["flowId"]
        .as_str()
        .or_else(|| json["flow"]["id"].as_str())
        .unwrap_or("corpus-flow")
        .to_owned()
}

/// The `flows:` (and optional `themes:`) YAML for `World::new`: each `(id, file)` an entry.
fn flow_entries(flows: &[(&str, &Path)], theme: Option<&Path>) -> String {
    let mut yaml = String::new();
    if !flows.is_empty() {
        yaml.push_str("flows:\n");
    }
    for (id, file) in flows {
        yaml.push_str(&format!(
            "  - id: {id}\n    file: {:?}\n",
            file.display().to_string()
        ));
    }
    if let Some(theme) = theme {
        yaml.push_str(&format!(
            "themes:\n  file: {:?}\n",
            theme.display().to_string()
        ));
    }
    yaml
}

/// A world whose configuration declares flow `id` from `file` and, optionally, a theme.
fn with_flow(id: &str, file: &Path, theme: Option<&Path>) -> World {
    World::new(&flow_entries(&[(id, file)], theme))
}

/// The ids the project lists, as an SDK sees them.
fn listed_flows(world: &World) -> Vec<String> {
    world.post("/v1/mgmt/flow/list", json!({}))["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs `args`, expecting success, and returns the one backup it wrote for `dev`.
fn backup_written_by(world: &World, args: &[&str]) -> Value {
    let earlier = world.backups("dev");
    let result = world.run(args);
    assert_eq!(
        result.code, 0,
        "{args:?}: {}{}",
        result.stdout, result.stderr
    );
    let new: Vec<_> = world
        .backups("dev")
        .into_iter()
        .filter(|path| !earlier.contains(path))
        .collect();
    assert_eq!(new.len(), 1, "{args:?} wrote one backup: {new:?}");
    read_json(&new[0])
}

/// The v1 import the Python SDK sends (`flow.import_flow`) of a v1 corpus export, as `flow_id`.
fn import_as_the_sdk_does(world: &World, flow_id: &str, v1_export: &Path) {
    let export: Value = serde_json::from_slice(&std::fs::read(v1_export).unwrap()).unwrap();
    world.post(
        "/v1/mgmt/flow/import",
        json!({"flowId": flow_id, "flow": export["flow"], "screens": export["screens"]}),
    );
}

#[test]
fn every_corpus_flow_imports_and_exports_back_with_an_empty_diff() {
    for name in FLOWS {
        let file = corpus(name);
        let id = document_id(&file);
        let world = with_flow(&id, &file, None);
        let imported = world.run(&[
            "flow",
            "import",
            "-e",
            "dev",
            &id,
            &file.display().to_string(),
        ]);
        assert_eq!(imported.code, 0, "{name}: {}", imported.stderr);
        let diff = world.run(&[
            "flow",
            "diff",
            "-e",
            "dev",
            "--detailed-exitcode",
            "--strict-layout",
            "--format",
            "json",
        ]);
        assert_eq!(diff.code, 0, "{name}: {}{}", diff.stdout, diff.stderr);
        let report = parse(&diff.stdout);
        assert_eq!(
            report["flows"],
            json!([{"id": id, "status": "unchanged"}]),
            "{name}"
        );
        let plan = world.run(&[
            "plan",
            "-e",
            "dev",
            "--detailed-exitcode",
            "--strict-layout",
        ]);
        assert_eq!(plan.code, 0, "{name}: {}{}", plan.stdout, plan.stderr);
    }
}

#[test]
fn every_corpus_theme_imports_and_exports_back_with_an_empty_diff() {
    for name in THEMES {
        let file = corpus(name);
        let theme: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let world = World::new(&flow_entries(&[], Some(&file)));
        world.post("/v2/mgmt/theme/import", json!({"theme": theme}));
        let plan = world.run(&["plan", "-e", "dev", "--detailed-exitcode"]);
        assert_eq!(plan.code, 0, "{name}: {}{}", plan.stdout, plan.stderr);
        let diff = world.run(&["theme", "diff", "-e", "dev", "--detailed-exitcode"]);
        assert_eq!(diff.code, 0, "{name}: {}{}", diff.stdout, diff.stderr);
        assert!(
            diff.stdout.contains("no differences"),
            "{name}: {}",
            diff.stdout
        );
        let exported = world.run(&["theme", "export", "-e", "dev", "--out", "theme.json"]);
        assert_eq!(exported.code, 0, "{name}: {}", exported.stderr);
        let written = read_json(&world.path("theme.json"));
        assert_eq!(written["styles"], theme["styles"], "{name}");
    }
}

#[test]
fn a_flow_changed_behind_the_tool_s_back_is_named_by_task_and_repaired_by_import() {
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &v7, None);
    let imported = world.run(&[
        "flow",
        "import",
        "-e",
        "dev",
        "oidc-flow",
        &v7.display().to_string(),
    ]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);

    // The next version of the pair, imported as the Python SDK does.
    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    import_as_the_sdk_does(&world, "oidc-flow", &v8);
    let drift = world.run(&["flow", "diff", "-e", "dev", "--detailed-exitcode"]);
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    for line in [
        "~ flow oidc-flow",
        "~ 4 \"Add Email and EmailVerified Attributes\" (automated)",
        "next: [\"success → 8\"] → [\"success → 0\"]",
        "- 8 \"End\" (automated)",
    ] {
        assert!(drift.stdout.contains(line), "{line:?} in\n{}", drift.stdout);
    }

    let writes = world.writes();
    let dry = world.run(&["flow", "sync", "-e", "dev", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("- 8 \"End\" (automated)"),
        "{}",
        dry.stdout
    );
    assert_eq!(world.writes(), writes, "a dry run sends no write");

    let backup = backup_written_by(&world, &["flow", "sync", "-e", "dev"]);
    let backup = &backup["resources"][0];
    assert_eq!(
        (&backup["kind"], &backup["id"]),
        (&json!("flow"), &json!("oidc-flow"))
    );
    assert!(
        backup["state"]["document"]["contents"]["tasks"]["8"].is_object(),
        "the backup holds the live (v8) document it overwrote: {backup}"
    );
    let clean = world.run(&["flow", "diff", "-e", "dev", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
}

#[test]
fn a_flow_changed_behind_the_tool_s_back_is_drift_that_apply_repairs() {
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &v7, None);
    let created = world.run(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    let settled = world.run(&["drift", "--env", "dev"]);
    assert_eq!(settled.code, 0, "{}{}", settled.stdout, settled.stderr);

    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    import_as_the_sdk_does(&world, "oidc-flow", &v8);
    let drift = world.run(&["drift", "--env", "dev"]);
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    for named in [
        "oidc-flow",
        "tasks.4 (Add Email and EmailVerified Attributes, automated)",
        "tasks.8 (End, automated)",
    ] {
        assert!(
            drift.stdout.contains(named),
            "{named:?} in\n{}",
            drift.stdout
        );
    }

    let backup = backup_written_by(&world, &["apply", "--env", "dev", "--yes"]);
    assert!(
        backup.to_string().contains("\"8\":{"),
        "the backup before the write holds the live (v8) document: {backup}"
    );
    let clean = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
}

#[test]
fn unmanaged_flows_are_pruned_only_when_asked_and_default_flows_never() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &file, None);
    import_as_the_sdk_does(&world, "stray-flow", &file);

    let kept = world.run(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(kept.code, 0, "{}{}", kept.stdout, kept.stderr);
    assert!(
        kept.stdout.contains("stray-flow"),
        "reported as unmanaged:\n{}",
        kept.stdout
    );
    assert!(listed_flows(&world).contains(&"stray-flow".to_owned()));

    let pruned = world.run(&["apply", "--env", "dev", "--yes", "--prune"]);
    assert_eq!(pruned.code, 0, "{}{}", pruned.stdout, pruned.stderr);
    let left = listed_flows(&world);
    assert!(!left.contains(&"stray-flow".to_owned()), "{left:?}");
    for default in ["sign-up-or-in", "sign-in", "step-up", "oidc-flow"] {
        assert!(
            left.contains(&default.to_owned()),
            "{default} kept: {left:?}"
        );
    }
}

#[test]
fn a_broken_flow_file_exits_3_with_the_json_path_and_sends_nothing() {
    let world = World::new("");
    let mut broken: Value =
        serde_json::from_slice(&std::fs::read(corpus(FLOWS[9])).unwrap()).unwrap();
    broken["contents"]["tasks"]["1"]["next"]["rules"][0]["taskId"] = json!("nowhere");
    world.write_file("broken.json", &broken.to_string());
    let before = world.requests();
    let result = world.run(&[
        "flow",
        "import",
        "-e",
        "dev",
        "references-flow",
        "broken.json",
    ]);
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(
        result.stderr.contains(
            "$.contents.tasks[\"1\"].next.rules[0].taskId: \"nowhere\" is not a task of this flow"
        ),
        "{}",
        result.stderr
    );
    let wrong_id = world.run(&[
        "flow",
        "import",
        "-e",
        "dev",
        "other-id",
        &corpus(FLOWS[9]).display().to_string(),
    ]);
    assert_eq!(wrong_id.code, 3, "{}", wrong_id.stderr);
    assert!(wrong_id.stderr.contains("$.flowId"), "{}", wrong_id.stderr);
    assert_eq!(world.requests(), before, "nothing sent");
}

#[test]
fn flow_and_theme_json_outputs_are_their_report_types() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let theme = corpus(THEMES[0]);
    let world = with_flow("oidc-flow", &file, Some(&theme));
    let json = |args: &[&str], code: i32| {
        let result = world.run(&[args, &["-e", "dev", "--format", "json"][..]].concat());
        assert_eq!(result.code, code, "{args:?}: {}", result.stderr);
        result.stdout
    };
    let list: FlowListReport = serde_json::from_str(&json(&["flow", "list"], 0)).unwrap();
    assert!(list.flows.iter().any(|flow| flow.id == "sign-up-or-in"));
    let lists_before = world.route("POST /v1/mgmt/flow/list");
    let diff: FlowDiffReport =
        serde_json::from_str(&json(&["flow", "diff", "--detailed-exitcode"], 2)).unwrap();
    assert_eq!(diff.flows[0].status, "missing");
    assert_eq!(
        world.route("POST /v1/mgmt/flow/list"),
        lists_before + 1,
        "one list call"
    );
    assert_eq!(
        world.route("POST /v2/mgmt/flow/export"),
        0,
        "a missing flow needs no export"
    );
    let themed: ThemeDiffReport = serde_json::from_str(&json(&["theme", "diff"], 0)).unwrap();
    assert!(
        !themed.changes.is_empty(),
        "the seeded theme differs from an empty one"
    );
}

#[test]
fn theme_sync_imports_the_file_after_backing_up_the_live_theme() {
    let file = corpus(THEMES[0]);
    let world = with_flow("sign-in", &corpus(FLOWS[6]), Some(&file));
    let dry = world.run(&["theme", "sync", "-e", "dev", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("~ theme"), "{}", dry.stdout);
    assert!(world.backups("dev").is_empty());
    let synced = world.run(&["theme", "sync", "-e", "dev"]);
    assert_eq!(synced.code, 0, "{}", synced.stderr);
    assert_eq!(world.backups("dev").len(), 1);
    let diff = world.run(&["theme", "diff", "-e", "dev", "--detailed-exitcode"]);
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
}

/// A world declaring `count` copies of a corpus flow (`flow-00`, …), each in its own file, all
/// applied (which also makes the state directory the flow cache lives in).
fn applied_flows(count: usize) -> World {
    let template: Value =
        serde_json::from_slice(&std::fs::read(corpus(FLOWS[9])).unwrap()).unwrap();
    let mut entries = String::from("flows:\n");
    let mut files = Vec::new();
    for index in 0..count {
        let id = format!("flow-{index:02}");
        let mut flow = template.clone();
        flow["flowId"] = json!(id);
        files.push((format!("{id}.json"), flow.to_string()));
        entries.push_str(&format!("  - id: {id}\n    file: {id}.json\n"));
    }
    let world = World::new(&entries);
    for (name, text) in files {
        world.write_file(&name, &text);
    }
    let created = world.run(&["apply", "-e", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    world
}

/// Flow list and export calls served so far.
fn flow_calls(world: &World) -> (u64, u64) {
    (
        world.route("POST /v1/mgmt/flow/list"),
        world.route("POST /v2/mgmt/flow/export"),
    )
}

/// Runs `args`, expecting `code`, and returns the flow (list, export) calls it made.
fn flow_calls_of(world: &World, args: &[&str], code: i32) -> (u64, u64) {
    let (lists, exports) = flow_calls(world);
    let result = world.run(args);
    assert_eq!(
        result.code, code,
        "{args:?}: {}{}",
        result.stdout, result.stderr
    );
    let (lists_after, exports_after) = flow_calls(world);
    (lists_after - lists, exports_after - exports)
}

#[test]
fn a_repeated_diff_of_50_unchanged_flows_with_a_warm_cache_costs_one_flow_call() {
    let world = applied_flows(50);
    let diff = ["flow", "diff", "-e", "dev", "--detailed-exitcode"];
    one_list_once_the_cache_is_warm(&world, &diff);
    let result = world.run(&diff);
    assert!(
        result
            .stdout
            .starts_with("50 flows compared in env dev: 50 unchanged"),
        "unchanged flows are not listed as changes: {}",
        result.stdout
    );
    assert!(
        result.stdout.contains("(0 flow exports"),
        "{}",
        result.stdout
    );
}

/// Runs `args` twice on 50 unchanged flows: a list and 50 exports, then the list alone.
fn one_list_once_the_cache_is_warm(world: &World, args: &[&str]) {
    assert_eq!(
        flow_calls_of(world, args, 0),
        (1, 50),
        "one list and 50 exports on a cold cache: {args:?}"
    );
    assert_eq!(
        flow_calls_of(world, args, 0),
        (1, 0),
        "only the list call with a warm cache: {args:?}"
    );
}

#[test]
fn a_repeated_plan_of_50_unchanged_flows_with_a_warm_cache_costs_one_flow_call() {
    let world = applied_flows(50);
    one_list_once_the_cache_is_warm(&world, &["plan", "-e", "dev", "--detailed-exitcode"]);
    assert_eq!(
        flow_calls_of(&world, &["drift", "-e", "dev"], 0),
        (1, 0),
        "drift reads through the same cache"
    );
    assert_eq!(
        flow_calls_of(&world, &["apply", "-e", "dev", "--yes"], 0),
        (1, 0),
        "apply reads through the same cache"
    );
}

#[test]
fn plan_exports_only_the_flows_the_configuration_or_target_names() {
    let world = applied_flows(3);
    let stray = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    import_as_the_sdk_does(&world, "stray-flow", &stray);

    assert_eq!(
        flow_calls_of(
            &world,
            &["plan", "-e", "dev", "--target", "flow:flow-01"],
            0
        ),
        (1, 1),
        "--target flow:x exports x alone"
    );
    assert_eq!(
        flow_calls_of(
            &world,
            &["plan", "-e", "dev", "--target", "tenant:none"],
            64
        ),
        (0, 0),
        "a target of another kind reads no flow"
    );
    let plan = world.run(&["plan", "-e", "dev", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(
        parse(&plan.stdout)["plan"]["unmanaged"],
        json!([{"kind": "flow", "id": "stray-flow"}]),
        "an unread flow is still listed as not in the configuration"
    );
    let (_, drift_exports) = flow_calls_of(&world, &["drift", "-e", "dev"], 2);
    assert_eq!(
        drift_exports, 0,
        "drift names the stray flow from the list alone"
    );
    let (_, prune_exports) = flow_calls_of(
        &world,
        &["plan", "-e", "dev", "--prune", "--detailed-exitcode"],
        2,
    );
    assert_eq!(
        prune_exports, 1,
        "--prune reads the flow it would delete, not the project's default flows"
    );
}

#[test]
fn a_canvas_move_counts_in_plan_apply_and_drift_only_with_strict_layout() {
    let file = corpus(FLOWS[9]);
    let world = with_flow("references-flow", &file, None);
    let created = world.run(&["apply", "-e", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    // A task dragged on the console's canvas.
    let mut moved = read_json(&file);
    moved["contents"]["tasks"]["0"]["view"]["x"] = json!(999);
    world.post("/v2/mgmt/flow/import", json!({"flow": moved}));

    let code = |args: &[&str]| {
        let result = world.run(args);
        (result.code, result.stdout)
    };
    let plan = ["plan", "-e", "dev", "--detailed-exitcode"];
    let (lenient, text) = code(&plan);
    assert_eq!(lenient, 0, "a canvas move is no change by default: {text}");
    assert!(
        text.contains(
            "layout only (canvas positions, not a change unless --strict-layout): \
             flow references-flow\n"
        ),
        "listed apart: {text}"
    );
    let json = parse(&code(&["plan", "-e", "dev", "--format", "json"]).1);
    assert_eq!(
        json["plan"]["layout_only"],
        json!([{"kind": "flow", "id": "references-flow"}])
    );
    let (strict, text) = code(&[&plan[..], &["--strict-layout"]].concat());
    assert_eq!(strict, 2, "{text}");
    assert!(
        text.contains("~ update flow references-flow")
            && text.contains("tasks.0.view (layout only)"),
        "{text}"
    );
    assert_eq!(code(&["drift", "-e", "dev"]).0, 0);
    assert_eq!(code(&["drift", "-e", "dev", "--strict-layout"]).0, 2);

    let writes = world.writes();
    assert_eq!(code(&["apply", "-e", "dev", "--yes"]).0, 0);
    assert_eq!(world.writes(), writes, "apply leaves a canvas move alone");
    assert_eq!(
        code(&["apply", "-e", "dev", "--yes", "--strict-layout"]).0,
        0
    );
    assert_eq!(world.writes(), writes + 1, "one import puts the task back");
    assert_eq!(code(&["drift", "-e", "dev", "--strict-layout"]).0, 0);
}

/// `(kind, id, action, outcome status)` of the last audit line of `dev`.
fn last_audit(world: &World) -> (String, String, String, String) {
    audit_entries(&audit_lines(world, "dev")).pop().unwrap()
}

fn audited(kind: &str, id: &str, action: &str) -> (String, String, String, String) {
    (kind.into(), id.into(), action.into(), "succeeded".into())
}

#[test]
fn flow_and_theme_writes_are_guarded_backed_up_and_audited() {
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let v7_arg = v7.display().to_string();
    let world = with_flow("oidc-flow", &v7, Some(&corpus(THEMES[0])));
    let writes = world.writes();
    for args in [
        &["flow", "import", "oidc-flow", &v7_arg][..],
        &["flow", "sync"],
        &["theme", "sync"],
    ] {
        let refused = world.run(&[args, &["--env", "prod"]].concat());
        assert_eq!(refused.code, 4, "{args:?}: {}", refused.stderr);
        let dry = world.run(&[args, &["--env", "dev", "--dry-run"]].concat());
        assert_eq!(dry.code, 0, "{args:?}: {}", dry.stderr);
    }
    assert_eq!(world.writes(), writes, "refused and dry runs send no write");

    let imported = world.run(&["flow", "import", "oidc-flow", &v7_arg, "--env", "dev"]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    assert_eq!(last_audit(&world), audited("flow", "oidc-flow", "create"));

    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    import_as_the_sdk_does(&world, "oidc-flow", &v8);
    let backup = backup_written_by(&world, &["flow", "sync", "--env", "dev"]);
    assert_eq!(last_audit(&world), audited("flow", "oidc-flow", "update"));
    assert!(
        backup["resources"][0]["state"]["document"]["contents"]["tasks"]["8"].is_object(),
        "the backup holds the live (v8) flow"
    );

    let themed = world.run(&["theme", "sync", "--env", "dev"]);
    assert_eq!(themed.code, 0, "{}", themed.stderr);
    assert_eq!(last_audit(&world), audited("theme", "theme", "update"));
    let audit = world.state_dir().join("audit/dev.jsonl");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(audit).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn flow_get_list_and_export_show_the_live_documents() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &file, None);
    let created = world.run(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let run = |args: &[&str]| {
        let result = world.run(&[args, &["--env", "dev"]].concat());
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        result.stdout
    };
    let summary = run(&["flow", "get", "oidc-flow"]);
    assert!(summary.starts_with("flow oidc-flow: "), "{summary}");
    assert!(
        summary.contains(" tasks, ") && summary.contains("enabled"),
        "{summary}"
    );
    let document = parse(&run(&["flow", "get", "oidc-flow", "--format", "json"]));
    assert_eq!(document["flowId"], "oidc-flow");

    assert_eq!(
        run(&["flow", "export", "oidc-flow"]),
        run(&["flow", "export", "oidc-flow", "--format", "json"])
    );
    let exported = parse(&run(&["flow", "export", "oidc-flow"]));
    assert_eq!(exported, document, "export prints the document get shows");
    run(&["flow", "export", "oidc-flow", "--out", "one.json"]);
    assert_eq!(read_json(&world.path("one.json")), document);

    run(&["flow", "export", "--all", "--out", "all"]);
    let mut names: Vec<String> = std::fs::read_dir(world.path("all"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = listed_flows(&world)
        .into_iter()
        .map(|id| format!("{id}.json"))
        .collect();
    expected.sort();
    assert_eq!(names, expected, "one file per live flow");
    assert_eq!(read_json(&world.path("all/oidc-flow.json")), document);

    let yaml = run(&["flow", "list", "--format", "yaml"]);
    assert!(yaml.contains("\"id\": \"oidc-flow\"\n"), "{yaml}");
    let table = run(&["flow", "list"]);
    assert!(
        table
            .lines()
            .any(|line| line.contains("│ oidc-flow ") && line.contains("Passkey OIDC Flow")),
        "{table}"
    );
}

#[test]
fn a_broken_configured_flow_stops_plan_with_exit_3_and_its_json_path() {
    let mut broken = read_json(&corpus(FLOWS[7]));
    broken["contents"]["tasks"]["6"]["screenId"] = json!("SCgone");
    let world = World::new("flows:\n  - id: sign-in\n    file: broken.json\n");
    world.write_file("broken.json", &broken.to_string());
    for args in [
        &["plan", "--env", "dev"][..],
        &["apply", "--env", "dev", "--yes"],
        &["drift", "--env", "dev"],
        &["flow", "sync", "--env", "dev"],
    ] {
        let requests = world.requests();
        let result = world.run(args);
        assert_eq!(result.code, 3, "{args:?}: {}", result.stderr);
        assert!(
            result.stderr.contains(
                "descope.yaml:19:11: error: flows[0].file: \"broken.json\": \
                 $.contents.tasks[\"6\"].screenId: screen \"SCgone\" is not in `screens`"
            ),
            "{args:?}: {}",
            result.stderr
        );
        assert_eq!(world.requests(), requests, "{args:?} sent nothing");
    }
    let mut renamed = read_json(&corpus(FLOWS[7]));
    renamed["flowId"] = json!("other");
    world.write_file("broken.json", &renamed.to_string());
    let result = world.run(&["plan", "--env", "dev"]);
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(result.stderr.contains("$.flowId"), "{}", result.stderr);
}

#[test]
fn reading_flows_leaves_no_state_directory_behind() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &file, Some(&corpus(THEMES[0])));
    import_as_the_sdk_does(&world, "oidc-flow", &file);
    import_as_the_sdk_does(&world, "stray-flow", &file);
    let writes = world.writes();
    for (args, code) in [
        (
            &["plan", "--env", "dev", "--prune", "--detailed-exitcode"][..],
            2,
        ),
        (&["drift", "--env", "dev"], 2),
        (&["flow", "diff", "--env", "dev", "--detailed-exitcode"], 0),
        (&["theme", "diff", "--env", "dev", "--detailed-exitcode"], 2),
    ] {
        let exports = world.route("POST /v2/mgmt/flow/export");
        let result = world.run(args);
        assert_eq!(
            result.code, code,
            "{args:?}: {}{}",
            result.stdout, result.stderr
        );
        assert!(
            args[0] == "theme" || world.route("POST /v2/mgmt/flow/export") > exports,
            "{args:?} read a flow document"
        );
        assert!(
            !world.state_dir().exists(),
            "{args:?} created the state directory (for the flow cache)"
        );
    }
    assert_eq!(world.writes(), writes, "nothing written to the project");
}

#[test]
fn a_saved_plan_of_a_flow_applies_and_goes_stale_when_the_flow_changes() {
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    let world = with_flow("oidc-flow", &v7, None);
    let created = world.run(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}", created.stderr);

    import_as_the_sdk_does(&world, "oidc-flow", &v8);
    let planned = world.run(&["plan", "--env", "dev", "--out", "fresh.json"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let exports = world.route("POST /v2/mgmt/flow/export");
    let applied = world.run(&["apply", "fresh.json", "--yes"]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert_eq!(
        world.route("POST /v2/mgmt/flow/export"),
        exports,
        "the freshness check reads the flow from the cache at its listed revision"
    );
    let clean = world.run(&["drift", "--env", "dev"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);

    import_as_the_sdk_does(&world, "oidc-flow", &v8);
    let planned = world.run(&["plan", "--env", "dev", "--out", "stale.json"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    import_as_the_sdk_does(&world, "oidc-flow", &v7);
    let writes = world.writes();
    let stale = world.run(&["apply", "stale.json", "--yes"]);
    assert_eq!(stale.code, 4, "{}{}", stale.stdout, stale.stderr);
    assert!(stale.stderr.contains("flow:oidc-flow"), "{}", stale.stderr);
    assert_eq!(world.writes(), writes, "a stale plan writes nothing");
}

#[test]
fn doctor_checks_flows_with_the_list_call_alone() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &file, None);
    import_as_the_sdk_does(&world, "oidc-flow", &file);
    let doctor = world.run(&["doctor", "--env", "dev"]);
    assert_eq!(doctor.code, 0, "{}{}", doctor.stdout, doctor.stderr);
    assert!(doctor.stdout.contains("read flow"), "{}", doctor.stdout);
    assert_eq!(
        flow_calls(&world),
        (1, 0),
        "one list call per kind, as the doctor promises: no flow export"
    );
}

#[test]
fn flow_and_theme_sync_speak_json_like_apply() {
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let world = with_flow("oidc-flow", &file, Some(&corpus(THEMES[0])));
    let json = |args: &[&str]| {
        let result = world.run(&[args, &["--env", "dev", "--format", "json"]].concat());
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        let report: ApplyReport = serde_json::from_str(&result.stdout)
            .unwrap_or_else(|error| panic!("{args:?}: {error}: {}", result.stdout));
        report
    };
    let changes = |report: &ApplyReport| -> Vec<(String, String, String)> {
        report
            .plan
            .changes
            .iter()
            .map(|c| {
                let action = serde_json::to_value(c.action).unwrap();
                (
                    c.kind.clone(),
                    c.id.clone(),
                    action.as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let planned = json(&["flow", "sync", "--dry-run"]);
    assert!(planned.dry_run && planned.result.is_none());
    let create = (
        "flow".to_owned(),
        "oidc-flow".to_owned(),
        "create".to_owned(),
    );
    assert_eq!(changes(&planned), std::slice::from_ref(&create));
    let synced = json(&["flow", "sync"]);
    assert_eq!(changes(&synced), [create]);
    assert!(synced.result.is_some());
    let themed = json(&["theme", "sync"]);
    assert_eq!(
        changes(&themed),
        [("theme".to_owned(), "theme".to_owned(), "update".to_owned())]
    );
    assert!(changes(&json(&["flow", "sync"])).is_empty(), "nothing left");
}
