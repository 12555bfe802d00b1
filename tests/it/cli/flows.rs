//! `flow` and `theme` commands against the emulator: every corpus document round-trips with an
//! empty diff, a flow changed behind the tool's back is reported by task and repaired by import,
//! and a broken flow file exits 3 with its JSON path before any request.

use std::path::{Path, PathBuf};

use descope_mgmt::report::{FlowDiffReport, FlowListReport, ThemeDiffReport};
use serde_json::{Value, json};

use super::live::{KEY, LiveEmulator, cli, config_for};
use super::support::run;

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

/// `config_for` plus a `flows:` entry and, optionally, a theme.
fn with_flow(
    emulator: &LiveEmulator,
    id: &str,
    file: &Path,
    theme: Option<&Path>,
) -> tempfile::TempDir {
    let dir = config_for(emulator);
    let config = dir.path().join("descope.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "flows:\n  - id: {id}\n    file: {:?}\n",
        file.display().to_string()
    ));
    if let Some(theme) = theme {
        text.push_str(&format!(
            "themes:\n  file: {:?}\n",
            theme.display().to_string()
        ));
    }
    std::fs::write(config, text).unwrap();
    dir
}

/// A management call straight to the emulator, as an SDK would make it.
fn post(emulator: &LiveEmulator, path: &str, body: &Value) -> Value {
    let url = format!("{}{path}", emulator.url());
    emulator.block_on(async {
        let answer = reqwest::Client::new()
            .post(url)
            .bearer_auth(format!("P2local:{KEY}"))
            .json(body)
            .send()
            .await
            .expect("emulator reachable");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.unwrap_or(Value::Null)
    })
}

#[test]
fn every_corpus_flow_imports_and_exports_back_with_an_empty_diff() {
    for name in FLOWS {
        let emulator = LiveEmulator::start();
        let file = corpus(name);
        let id = document_id(&file);
        let dir = with_flow(&emulator, &id, &file, None);
        let imported = run(cli(dir.path(), KEY)
            .args(["flow", "import", "-e", "dev", &id])
            .arg(&file));
        assert_eq!(imported.code, 0, "{name}: {}", imported.stderr);
        let diff = run(cli(dir.path(), KEY).args([
            "flow",
            "diff",
            "-e",
            "dev",
            "--detailed-exitcode",
            "--strict-layout",
            "--format",
            "json",
        ]));
        assert_eq!(diff.code, 0, "{name}: {}{}", diff.stdout, diff.stderr);
        let report: Value = serde_json::from_str(&diff.stdout).unwrap();
        assert_eq!(
            report["flows"],
            json!([{"id": id, "status": "unchanged"}]),
            "{name}"
        );
    }
}

#[test]
fn every_corpus_theme_imports_and_exports_back_with_an_empty_diff() {
    for name in THEMES {
        let emulator = LiveEmulator::start();
        let file = corpus(name);
        let theme: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        post(&emulator, "/v2/mgmt/theme/import", &json!({"theme": theme}));
        let dir = with_flow(&emulator, "sign-in", &corpus(FLOWS[6]), Some(&file));
        let diff =
            run(cli(dir.path(), KEY).args(["theme", "diff", "-e", "dev", "--detailed-exitcode"]));
        assert_eq!(diff.code, 0, "{name}: {}{}", diff.stdout, diff.stderr);
        assert!(
            diff.stdout.contains("no differences"),
            "{name}: {}",
            diff.stdout
        );
    }
}

#[test]
fn a_flow_changed_behind_the_tool_s_back_is_named_by_task_and_repaired_by_import() {
    let emulator = LiveEmulator::start();
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let dir = with_flow(&emulator, "oidc-flow", &v7, None);
    let imported = run(cli(dir.path(), KEY)
        .args(["flow", "import", "-e", "dev", "oidc-flow"])
        .arg(&v7));
    assert_eq!(imported.code, 0, "{}", imported.stderr);

    // The next version of the pair, imported as the Python SDK does.
    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    import_as_the_sdk_does(&emulator, "oidc-flow", &v8);
    let drift =
        run(cli(dir.path(), KEY).args(["flow", "diff", "-e", "dev", "--detailed-exitcode"]));
    assert_eq!(drift.code, 2, "{}{}", drift.stdout, drift.stderr);
    for line in [
        "~ flow oidc-flow",
        "~ 4 \"Add Email and EmailVerified Attributes\" (automated)",
        "next: [\"success → 8\"] → [\"success → 0\"]",
        "- 8 \"End\" (automated)",
    ] {
        assert!(drift.stdout.contains(line), "{line:?} in\n{}", drift.stdout);
    }

    let writes = emulator.writes();
    let dry = run(cli(dir.path(), KEY).args(["flow", "sync", "-e", "dev", "--dry-run"]));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("- 8 \"End\" (automated)"),
        "{}",
        dry.stdout
    );
    assert_eq!(emulator.writes(), writes, "a dry run sends no write");

    let state = tempfile::tempdir().unwrap();
    let repaired = run(cli(dir.path(), KEY)
        .env("DESCOPE_MGMT_STATE_DIR", state.path())
        .args(["flow", "sync", "-e", "dev"]));
    assert_eq!(repaired.code, 0, "{}", repaired.stderr);
    let backups: Vec<_> = std::fs::read_dir(state.path().join("backups/dev"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let backup: Value = serde_json::from_slice(&std::fs::read(&backups[0]).unwrap()).unwrap();
    assert!(
        backup["flows"]["oidc-flow"]["contents"]["tasks"]["8"].is_object(),
        "the backup holds the live (v8) document it overwrote"
    );
    let clean =
        run(cli(dir.path(), KEY).args(["flow", "diff", "-e", "dev", "--detailed-exitcode"]));
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
}

/// The CLI in `dir` with its state folder (backups, cache) at `state`.
fn in_state(dir: &Path, state: &Path, args: &[&str]) -> super::support::Run {
    run(cli(dir, KEY)
        .env("DESCOPE_MGMT_STATE_DIR", state)
        .args(args))
}

/// The v1 import the Python SDK sends (`flow.import_flow`) of a v1 corpus export, as `flow_id`.
fn import_as_the_sdk_does(emulator: &LiveEmulator, flow_id: &str, v1_export: &Path) {
    let export: Value = serde_json::from_slice(&std::fs::read(v1_export).unwrap()).unwrap();
    post(
        emulator,
        "/v1/mgmt/flow/import",
        &json!({"flowId": flow_id, "flow": export["flow"], "screens": export["screens"]}),
    );
}

#[test]
fn a_flow_changed_behind_the_tool_s_back_is_drift_that_apply_repairs() {
    let emulator = LiveEmulator::start();
    let v7 = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let dir = with_flow(&emulator, "oidc-flow", &v7, None);
    let state = tempfile::tempdir().unwrap();
    let tool = |args: &[&str]| in_state(dir.path(), state.path(), args);
    let created = tool(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    let settled = tool(&["drift", "--env", "dev"]);
    assert_eq!(settled.code, 0, "{}{}", settled.stdout, settled.stderr);

    let v8 = corpus("aws-cognito-oidc-sample/56f40bb/oidc-flow.json");
    import_as_the_sdk_does(&emulator, "oidc-flow", &v8);
    let drift = tool(&["drift", "--env", "dev"]);
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

    let repaired = tool(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(repaired.code, 0, "{}{}", repaired.stdout, repaired.stderr);
    let clean = tool(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
}

#[test]
fn unmanaged_flows_are_pruned_only_when_asked_and_default_flows_never() {
    let emulator = LiveEmulator::start();
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let dir = with_flow(&emulator, "oidc-flow", &file, None);
    let state = tempfile::tempdir().unwrap();
    let tool = |args: &[&str]| in_state(dir.path(), state.path(), args);
    import_as_the_sdk_does(&emulator, "stray-flow", &file);

    let kept = tool(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(kept.code, 0, "{}{}", kept.stdout, kept.stderr);
    assert!(
        kept.stdout.contains("stray-flow"),
        "reported as unmanaged:\n{}",
        kept.stdout
    );
    let listed = |emulator: &LiveEmulator| -> Vec<String> {
        post(emulator, "/v1/mgmt/flow/list", &json!({}))["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|flow| flow["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(listed(&emulator).contains(&"stray-flow".to_owned()));

    let pruned = tool(&["apply", "--env", "dev", "--yes", "--prune"]);
    assert_eq!(pruned.code, 0, "{}{}", pruned.stdout, pruned.stderr);
    let left = listed(&emulator);
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
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let mut broken: Value =
        serde_json::from_slice(&std::fs::read(corpus(FLOWS[9])).unwrap()).unwrap();
    broken["contents"]["tasks"]["1"]["next"]["rules"][0]["taskId"] = json!("nowhere");
    let file = dir.path().join("broken.json");
    std::fs::write(&file, broken.to_string()).unwrap();
    let before = emulator.stats()["requests"].clone();
    let result = run(cli(dir.path(), KEY)
        .args(["flow", "import", "-e", "dev", "references-flow"])
        .arg(&file));
    assert_eq!(result.code, 3, "{}", result.stderr);
    assert!(
        result.stderr.contains(
            "$.contents.tasks[\"1\"].next.rules[0].taskId: \"nowhere\" is not a task of this flow"
        ),
        "{}",
        result.stderr
    );
    let wrong_id = run(cli(dir.path(), KEY)
        .args(["flow", "import", "-e", "dev", "other-id"])
        .arg(corpus(FLOWS[9])));
    assert_eq!(wrong_id.code, 3, "{}", wrong_id.stderr);
    assert!(wrong_id.stderr.contains("$.flowId"), "{}", wrong_id.stderr);
    assert_eq!(emulator.stats()["requests"], before, "nothing sent");
}

#[test]
fn flow_and_theme_json_outputs_are_their_report_types() {
    let emulator = LiveEmulator::start();
    let file = corpus("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let theme = corpus(THEMES[0]);
    let dir = with_flow(&emulator, "oidc-flow", &file, Some(&theme));
    let json = |args: &[&str], code: i32| {
        let result = run(cli(dir.path(), KEY)
            .args(args)
            .args(["-e", "dev", "--format", "json"]));
        assert_eq!(result.code, code, "{args:?}: {}", result.stderr);
        result.stdout
    };
    let list: FlowListReport = serde_json::from_str(&json(&["flow", "list"], 0)).unwrap();
    assert!(list.flows.iter().any(|flow| flow.id == "sign-up-or-in"));
    let lists = || emulator.stats()["byRoute"]["POST /v1/mgmt/flow/list"].as_u64();
    let lists_before = lists();
    let diff: FlowDiffReport =
        serde_json::from_str(&json(&["flow", "diff", "--detailed-exitcode"], 2)).unwrap();
    assert_eq!(diff.flows[0].status, "missing");
    assert_eq!(lists(), lists_before.map(|n| n + 1), "one list call");
    let routes = &emulator.stats()["byRoute"];
    assert!(
        routes.get("POST /v2/mgmt/flow/export").is_none(),
        "a missing flow needs no export: {routes}"
    );
    let themed: ThemeDiffReport = serde_json::from_str(&json(&["theme", "diff"], 0)).unwrap();
    assert!(
        !themed.changes.is_empty(),
        "the seeded theme differs from an empty one"
    );
}

#[test]
fn theme_sync_imports_the_file_after_backing_up_the_live_theme() {
    let emulator = LiveEmulator::start();
    let file = corpus(THEMES[0]);
    let dir = with_flow(&emulator, "sign-in", &corpus(FLOWS[6]), Some(&file));
    let state = tempfile::tempdir().unwrap();
    let sync = |extra: &[&str]| {
        run(cli(dir.path(), KEY)
            .env("DESCOPE_MGMT_STATE_DIR", state.path())
            .args(["theme", "sync", "-e", "dev"])
            .args(extra))
    };
    let dry = sync(&["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("~ theme"), "{}", dry.stdout);
    assert!(!state.path().join("backups").exists());
    let synced = sync(&[]);
    assert_eq!(synced.code, 0, "{}", synced.stderr);
    assert!(
        state
            .path()
            .join("backups/dev")
            .read_dir()
            .unwrap()
            .next()
            .is_some()
    );
    let diff =
        run(cli(dir.path(), KEY).args(["theme", "diff", "-e", "dev", "--detailed-exitcode"]));
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
}

#[test]
fn a_repeated_diff_of_50_unchanged_flows_with_a_warm_cache_costs_one_flow_call() {
    let emulator = LiveEmulator::start();
    let dir = config_for(&emulator);
    let template: Value =
        serde_json::from_slice(&std::fs::read(corpus(FLOWS[9])).unwrap()).unwrap();
    let mut entries = String::from("flows:\n");
    for index in 0..50 {
        let id = format!("flow-{index:02}");
        let mut flow = template.clone();
        flow["flowId"] = json!(id);
        std::fs::write(dir.path().join(format!("{id}.json")), flow.to_string()).unwrap();
        entries.push_str(&format!("  - id: {id}\n    file: {id}.json\n"));
        post(&emulator, "/v2/mgmt/flow/import", &json!({"flow": flow}));
    }
    let config = dir.path().join("descope.yaml");
    let text = std::fs::read_to_string(&config).unwrap() + &entries;
    std::fs::write(config, text).unwrap();
    let state = tempfile::tempdir().unwrap();
    let flow_calls = || {
        let routes = emulator.stats()["byRoute"].clone();
        let count = |route: &str| routes[route].as_u64().unwrap_or(0);
        count("POST /v1/mgmt/flow/list") + count("POST /v2/mgmt/flow/export")
    };
    let diff = || {
        let before = flow_calls();
        let result = run(cli(dir.path(), KEY)
            .env("DESCOPE_MGMT_STATE_DIR", state.path())
            .args(["flow", "diff", "-e", "dev", "--detailed-exitcode"]));
        assert_eq!(result.code, 0, "{}{}", result.stdout, result.stderr);
        (flow_calls() - before, result.stdout)
    };
    let (cold, _) = diff();
    assert_eq!(cold, 51, "one list and 50 exports on a cold cache");
    let (warm, text) = diff();
    assert_eq!(warm, 1, "only the list call with a warm cache");
    assert!(
        text.contains("50 flows compared in env dev: 50 unchanged"),
        "{text}"
    );
    assert!(text.contains("(0 flow exports"), "{text}");
}
