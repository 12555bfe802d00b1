//! The README's safety model and exit-code table, promise by promise, against an emulator served
//! by the test process (`tests/README.md` maps each promise to its test).

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use super::world::{
    RESOURCES, TENANTS, World, audit_entries, audit_lines, files_under, interrupt, read_json,
    wait_while_running,
};

/// A key no other test uses, so that finding any part of it in a file can only be a leak.
const CANARY_KEY: &str = "K2canaryZX81secretManagementKeyQ7w3";
/// Fragments of the canary: a truncated or partly masked key still leaks.
const CANARY_FRAGMENTS: [&str; 3] = ["canaryZX81", "secretManagement", "KeyQ7w3"];

fn entry(kind: &str, id: &str, action: &str, status: &str) -> (String, String, String, String) {
    (kind.into(), id.into(), action.into(), status.into())
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `n` tenants `tenant-01…` as configuration YAML.
fn many_tenants(n: usize) -> String {
    let tenants: String = (1..=n)
        .map(|n| format!("  - id: tenant-{n:02}\n    name: Tenant {n}\n"))
        .collect();
    format!("tenants:\n{tenants}")
}

/// Issue 17 item 13: a write run must not go ahead without its audit trail.
#[test]
fn an_audit_log_that_cannot_be_written_stops_the_apply_before_any_write() {
    let world = World::new(RESOURCES);
    world.create_tenant("globex", "Old Name");
    let writes = world.writes();
    // A directory where the audit log should be: it cannot be appended to, even by root.
    std::fs::create_dir_all(world.state_dir().join("audit/dev.jsonl")).unwrap();

    let result = world.run(&["apply", "--env", "dev"]);
    assert_eq!(result.code, 1, "{}\n{}", result.stdout, result.stderr);
    assert!(
        result
            .stderr
            .contains("cannot write the audit log, nothing written"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("audit/dev.jsonl"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), writes, "a write went out without its audit");
    assert_eq!(
        world.tenants(),
        [("globex".to_owned(), "Old Name".to_owned())]
    );
}

#[test]
fn a_backup_that_cannot_be_written_stops_the_apply_before_any_write() {
    let world = World::new(RESOURCES);
    world.create_tenant("globex", "Old Name");
    let writes = world.writes();
    // A file where the backup directory should be: the backup cannot be created.
    std::fs::create_dir_all(world.state_dir()).unwrap();
    std::fs::write(world.state_dir().join("backups"), "not a directory").unwrap();

    let result = world.run(&["apply", "--env", "dev"]);
    assert_eq!(result.code, 1, "{}\n{}", result.stdout, result.stderr);
    assert!(
        result.stderr.contains("backup failed, nothing written"),
        "{}",
        result.stderr
    );
    assert_eq!(world.writes(), writes, "a write went out without a backup");
    assert_eq!(
        world.tenants(),
        [("globex".to_owned(), "Old Name".to_owned())]
    );
    assert!(
        !world.state_dir().join("audit").exists(),
        "nothing applied, so nothing audited"
    );
}

#[test]
fn read_only_commands_never_write_nor_create_a_state_directory() {
    // Every kind differs from the configuration: missing, changed and unmanaged resources, so
    // each command has something it could (wrongly) write.
    let world = World::new(RESOURCES);
    world.create_tenant("globex", "Old Name");
    world.create_tenant("stray", "Stray");
    world.post(
        "/v1/mgmt/permission/create",
        json!({"name": "stray.permission", "description": ""}),
    );
    world.post(
        "/v1/mgmt/role/create",
        json!({"name": "stray-role", "description": ""}),
    );
    let cases: [(&[&str], i32); 12] = [
        (&["plan", "--env", "dev"], 0),
        (&["plan", "--env", "dev", "--detailed-exitcode"], 2),
        (&["plan", "--env", "all"], 0),
        (&["drift", "--env", "dev"], 2),
        (&["drift", "--env", "all"], 2),
        (
            &["tenant", "diff", "--env", "dev", "--detailed-exitcode"],
            2,
        ),
        (&["role", "diff", "--env", "dev", "--detailed-exitcode"], 2),
        (
            &["permission", "diff", "--env", "dev", "--detailed-exitcode"],
            2,
        ),
        (&["apply", "--env", "dev", "--dry-run", "--prune"], 0),
        (
            &["tenant", "sync", "--env", "dev", "--dry-run", "--prune"],
            0,
        ),
        (&["role", "sync", "--env", "dev", "--dry-run", "--prune"], 0),
        (
            &["permission", "sync", "--env", "dev", "--dry-run", "--prune"],
            0,
        ),
    ];
    let writes = world.writes();
    for (args, code) in cases {
        let requests = world.requests();
        let result = world.run(args);
        assert_eq!(
            result.code, code,
            "{args:?}: {}\n{}",
            result.stdout, result.stderr
        );
        assert!(
            world.requests() > requests,
            "{args:?} never read the project"
        );
        assert_eq!(world.writes(), writes, "{args:?} wrote");
        assert!(
            !world.state_dir().exists(),
            "{args:?} created the state directory"
        );
    }
}

#[test]
fn the_audit_log_records_every_change_with_its_outcome_privately() {
    let world = World::new(RESOURCES);
    world.create_tenant("globex", "Old Name");
    world.create_tenant("stray", "Stray");
    let result = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);

    let path = world.state_dir().join("audit/dev.jsonl");
    assert_eq!(mode(&path), 0o600);
    let lines = audit_lines(&world, "dev");
    let mut entries = audit_entries(&lines);
    entries.sort();
    assert_eq!(
        entries,
        [
            entry("permission", "reports.read", "create", "succeeded"),
            entry("role", "viewer", "create", "succeeded"),
            entry("tenant", "acme-corp", "create", "succeeded"),
            entry("tenant", "globex", "update", "succeeded"),
            entry("tenant", "stray", "delete", "succeeded"),
        ]
    );
    let update = lines.iter().find(|line| line["id"] == "globex").unwrap();
    assert_eq!(update["fields"], json!(["name"]), "{update}");
    for line in &lines {
        assert!(
            line["at"].as_str().is_some_and(|at| at.ends_with('Z')),
            "{line}"
        );
        assert!(
            line["user"].as_str().is_some_and(|user| !user.is_empty()),
            "{line}"
        );
    }
}

#[test]
fn the_audit_log_records_a_failed_change_of_an_exit_5_run() {
    // `--target` leaves the role out, so setting it as acme-corp's default role is rejected.
    let world = World::new(RESOURCES);
    let result = world.run(&[
        "apply",
        "--env",
        "dev",
        "--target",
        "tenant:acme-corp",
        "--target",
        "tenant:globex",
    ]);
    assert_eq!(result.code, 5, "{}\n{}", result.stdout, result.stderr);
    let lines = audit_lines(&world, "dev");
    let mut entries = audit_entries(&lines);
    entries.sort();
    assert_eq!(
        entries,
        [
            entry("tenant", "acme-corp", "create", "failed"),
            entry("tenant", "globex", "create", "succeeded"),
        ]
    );
    let failed = lines.iter().find(|line| line["id"] == "acme-corp").unwrap();
    assert!(
        failed["outcome"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("viewer")),
        "the failure names the missing role: {failed}"
    );
}

#[test]
fn each_sync_command_appends_its_changes_to_the_audit_log() {
    let world = World::new(RESOURCES);
    let mut expected = Vec::new();
    for (kind, id) in [
        ("permission", "reports.read"),
        ("role", "viewer"),
        ("tenant", "acme-corp"),
    ] {
        let result = world.run(&[kind, "sync", "--env", "dev"]);
        assert_eq!(
            result.code, 0,
            "{kind}: {}\n{}",
            result.stdout, result.stderr
        );
        expected.push(entry(kind, id, "create", "succeeded"));
        if kind == "tenant" {
            expected.push(entry("tenant", "globex", "create", "succeeded"));
        }
        let mut entries = audit_entries(&audit_lines(&world, "dev"));
        entries.sort();
        let mut sorted = expected.clone();
        sorted.sort();
        assert_eq!(entries, sorted, "after {kind} sync");
    }
    assert_eq!(mode(&world.state_dir().join("audit/dev.jsonl")), 0o600);
}

#[test]
fn no_written_file_and_no_verbose_output_holds_the_management_key() {
    let world = World::builder()
        .resources(RESOURCES)
        .key(CANARY_KEY)
        .build();
    world.create_tenant("globex", "Old Name");
    let plan_file = world.path("plan.json");
    let report = world.path("report.json");

    let plan = world.run(&[
        "plan",
        "--env",
        "dev",
        "--out",
        plan_file.to_str().unwrap(),
        "-vvv",
    ]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let apply = world.run(&[
        "apply",
        plan_file.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "-vvv",
    ]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);

    // The scan must look at real content: every artefact exists and says what it is about.
    let mut files = files_under(&world.state_dir());
    files.extend([plan_file, report]);
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            (
                path.display().to_string(),
                std::fs::read_to_string(path).unwrap(),
            )
        })
        .chain([
            ("plan -vvv stderr".to_owned(), plan.stderr),
            ("apply -vvv stdout".to_owned(), apply.stdout),
            ("apply -vvv stderr".to_owned(), apply.stderr),
        ])
        .collect();
    for wanted in [
        "plan.json",
        "report.json",
        "audit/dev.jsonl",
        "backups/dev/",
        "-vvv",
    ] {
        let written: Vec<_> = texts
            .iter()
            .filter(|(name, _)| name.contains(wanted))
            .collect();
        assert!(!written.is_empty(), "{wanted} was not written: {files:?}");
        for (name, text) in written {
            assert!(
                text.contains("globex") || text.contains("/v1/mgmt/"),
                "{name} says nothing about the run: {text}"
            );
        }
    }
    for (name, text) in &texts {
        for fragment in [CANARY_KEY].iter().chain(&CANARY_FRAGMENTS) {
            assert!(
                !text.contains(fragment),
                "{name} holds the key ({fragment})"
            );
        }
    }
}

#[test]
fn apply_on_a_protected_env_asks_for_its_name_on_a_terminal() {
    let world = World::new(TENANTS);

    let declined = world.run_on_a_terminal(&["apply", "--env", "prod"], "dev\n");
    assert_eq!(declined.code, 4, "{}{}", declined.stdout, declined.stderr);
    assert!(
        declined
            .stdout
            .contains("environment \"prod\" is protected. Type its name to continue:"),
        "{}",
        declined.stdout
    );
    assert!(
        declined
            .stdout
            .contains("confirmation declined for environment \"prod\""),
        "{}",
        declined.stdout
    );
    assert_eq!(world.writes(), 0);

    let confirmed = world.run_on_a_terminal(&["apply", "--env", "prod"], "prod\n");
    assert_eq!(
        confirmed.code, 0,
        "{}{}",
        confirmed.stdout, confirmed.stderr
    );
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn ctrl_c_during_apply_exits_130_with_the_report_written() {
    // 40 creates at 300 ms each, 8 at a time: at least 1.5 s of work, so a signal sent late
    // by a loaded machine still lands mid-apply.
    let world = World::builder()
        .resources(&many_tenants(40))
        .latency(Duration::from_millis(300))
        .build();
    let report = world.path("report.json");
    let mut child = world
        .cli(&[
            "apply",
            "--env",
            "dev",
            "--report",
            report.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The backup is written after the interrupt handler is installed and before the first write.
    wait_while_running(&mut child, "the backup", || {
        !world.backups("dev").is_empty()
    });
    let (code, stderr) = interrupt(child);
    assert_eq!(code, Some(130), "{stderr}");

    let document = read_json(&report);
    assert_eq!(document["status"], "interrupted", "{document}");
    let created = document["created"].as_u64().unwrap();
    let skipped = document["skipped"].as_u64().unwrap();
    assert!(skipped > 0, "the interrupt stopped nothing: {document}");
    assert_eq!(created + skipped, 40, "{document}");
    assert_eq!(
        world.tenant_ids().len() as u64,
        created,
        "nothing half-written"
    );
}

#[test]
fn role_and_permission_diff_exit_2_while_pending_then_0() {
    let world = World::new(RESOURCES);
    for kind in ["permission", "role"] {
        let pending = world.run(&[kind, "diff", "--env", "dev", "--detailed-exitcode"]);
        assert_eq!(
            pending.code, 2,
            "{kind}: {}\n{}",
            pending.stdout, pending.stderr
        );
        let plain = world.run(&[kind, "diff", "--env", "dev"]);
        assert_eq!(plain.code, 0, "{kind}: {}", plain.stderr);
        let synced = world.run(&[kind, "sync", "--env", "dev"]);
        assert_eq!(synced.code, 0, "{kind}: {}", synced.stderr);
        let clean = world.run(&[kind, "diff", "--env", "dev", "--detailed-exitcode"]);
        assert_eq!(clean.code, 0, "{kind}: {}\n{}", clean.stdout, clean.stderr);
    }
}

#[test]
fn more_than_10_deletions_are_refused_by_default_and_10_go_through() {
    let world = World::new(TENANTS);
    assert_eq!(world.run(&["apply", "--env", "dev"]).code, 0);
    for n in 1..=11 {
        world.create_tenant(&format!("stray-{n:02}"), &format!("Stray {n}"));
    }
    let writes = world.writes();
    let refused = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(refused.code, 4, "{}\n{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("--max-deletes 11"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.writes(), writes);
    assert_eq!(world.tenant_ids().len(), 13);

    world.post("/v1/mgmt/tenant/delete", json!({"id": "stray-11"}));
    let allowed = world.run(&["apply", "--env", "dev", "--prune"]);
    assert_eq!(allowed.code, 0, "{}\n{}", allowed.stdout, allowed.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn env_all_is_refused_by_commands_that_act_on_one_environment() {
    let world = World::new(TENANTS);
    let planfile = world.path("plan.json");
    let plan = world.run(&["plan", "--env", "dev", "--out", planfile.to_str().unwrap()]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let requests = world.requests();
    for args in [
        &["apply", "--env", "all", "--yes"][..],
        &["tenant", "sync", "--env", "all", "--yes"],
        &["role", "sync", "--env", "all", "--yes"],
        &["permission", "sync", "--env", "all", "--yes"],
        &["tenant", "list", "--env", "all"],
        &["tenant", "get", "acme-corp", "--env", "all"],
        &[
            "tenant", "create", "--env", "all", "--id", "initech", "--name", "Initech",
        ],
        &[
            "tenant",
            "update",
            "acme-corp",
            "--env",
            "all",
            "--name",
            "Acme",
        ],
        &["tenant", "delete", "acme-corp", "--env", "all", "--yes"],
        &["role", "list", "--env", "all"],
        &["permission", "list", "--env", "all"],
    ] {
        let result = world.run(args);
        assert_eq!(
            result.code, 64,
            "{args:?}: {}\n{}",
            result.stdout, result.stderr
        );
        assert!(
            result
                .stderr
                .contains("--env all is not supported by this command; name one environment"),
            "{args:?}: {}",
            result.stderr
        );
    }
    // A saved plan belongs to one environment; `--env all` does not name it.
    let saved = world.run(&["apply", planfile.to_str().unwrap(), "--env", "all"]);
    assert_eq!(saved.code, 64, "{}", saved.stderr);
    assert!(
        saved
            .stderr
            .contains("--env all cannot apply a saved plan, which is for one environment"),
        "{}",
        saved.stderr
    );
    assert_eq!(
        world.requests(),
        requests,
        "a refused command called the API"
    );
    assert!(!world.state_dir().exists());
}

/// The test names in the last column of `tests/README.md`'s promise tables: `cli::…` under
/// `tests/it`, or a crate name, a space and a module path in that crate.
fn promise_table_tests() -> Vec<(std::path::PathBuf, String)> {
    let root = super::support::repo_root();
    let text = std::fs::read_to_string(root.join("tests/README.md")).unwrap();
    let rows = text
        .lines()
        .filter(|line| line.starts_with("| ") && line.contains("::"));
    let mut named = Vec::new();
    for row in rows {
        let tests = row.trim_end_matches(" |").rsplit(" | ").next().unwrap();
        for quoted in tests.split('`').skip(1).step_by(2) {
            let (base, path) = match quoted.split_once(' ') {
                Some(("descope-mgmt-core", path)) => (root.join("crates/core/src"), path),
                Some(("descope-emulator", path)) => (root.join("crates/emulator/src"), path),
                Some(("descope-mgmt-api", path)) => (root.join("crates/api/src"), path),
                Some(("descope-mgmt", path)) => (root.join("src"), path),
                Some((krate, _)) => panic!("unknown crate {krate} in {row}"),
                None => (root.join("tests/it"), quoted),
            };
            let Some((module, test)) = path.rsplit_once("::") else {
                continue;
            };
            let mut file = base.join(format!("{}.rs", module.replace("::", "/")));
            // An inline `mod tests` lives in its parent module's file.
            if let Some(parent) = module.strip_suffix("::tests")
                && !file.exists()
            {
                file = base.join(format!("{}.rs", parent.replace("::", "/")));
            }
            named.push((file, test.to_owned()));
        }
    }
    named
}

#[test]
fn the_promise_table_names_only_existing_tests() {
    let named = promise_table_tests();
    assert!(named.len() > 40, "the table went missing: {named:?}");
    for (file, test) in &named {
        let source = std::fs::read_to_string(file)
            .unwrap_or_else(|error| panic!("{test}: {}: {error}", file.display()));
        assert!(
            source.contains(&format!("fn {test}()")),
            "{} has no test {test}",
            file.display()
        );
    }
    // Each test of this module proves a promise, so each is in the table.
    let this = std::fs::read_to_string(super::support::repo_root().join(file!())).unwrap();
    for test in this
        .split("#[test]\nfn ")
        .skip(1)
        .filter_map(|rest| rest.split_once("()").map(|(name, _)| name))
        .filter(|name| *name != "the_promise_table_names_only_existing_tests")
    {
        assert!(
            named.iter().any(|(_, named)| named == test),
            "{test} is not in tests/README.md"
        );
    }
}
