use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::json;

use super::*;
use crate::apply::Outcome;
use crate::plan::{Action, Plan, PlanOptions, ResourceKind, ResourceSet, plan};
use crate::resource::Resource as _;
use crate::resource::Role;
use crate::test_fixtures::tenant;

fn tenants(ids: impl IntoIterator<Item = String>) -> ResourceSet {
    ResourceSet {
        tenants: ids.into_iter().map(|id| tenant(&id, "T")).collect(),
        ..ResourceSet::default()
    }
}

/// A plan deleting `count` tenants.
fn deleting(count: usize) -> Plan {
    let actual = tenants((0..count).map(|n| format!("t{n}")));
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    plan(&ResourceSet::default(), &actual, &options)
}

fn origin(env: &str) -> BackupOrigin {
    BackupOrigin {
        env: env.to_owned(),
        project_id: "P2test".to_owned(),
        run: BackupRun {
            command: "apply --env prod".to_owned(),
            user: "ops".to_owned(),
            git_commit: None,
        },
        kinds: vec![ResourceKind::Role, ResourceKind::Tenant],
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn timestamp() -> jiff::Timestamp {
    "2026-11-29T16:18:10Z".parse().unwrap()
}

#[test]
fn a_plan_without_deletes_always_passes() {
    let creates = plan(
        &tenants(["a".to_owned()]),
        &ResourceSet::default(),
        &PlanOptions::default(),
    );
    assert_eq!(check_deletes(&creates, 0, true, false), Ok(()));
}

#[test]
fn deletes_need_a_pruning_plan() {
    let mut edited = deleting(1);
    edited.prune = false;
    assert_eq!(
        check_deletes(&edited, DEFAULT_MAX_DELETES, false, true),
        Err(SafetyRefusal::DeletesWithoutPrune { count: 1 })
    );
}

#[test]
fn deletes_in_a_protected_environment_need_allow_delete() {
    let plan = deleting(2);
    let refusal = check_deletes(&plan, DEFAULT_MAX_DELETES, true, false).unwrap_err();
    assert_eq!(refusal, SafetyRefusal::ProtectedDeletes { count: 2 });
    assert!(refusal.to_string().contains("--allow-delete"), "{refusal}");
    assert_eq!(
        check_deletes(&plan, DEFAULT_MAX_DELETES, true, true),
        Ok(())
    );
    assert_eq!(
        check_deletes(&plan, DEFAULT_MAX_DELETES, false, false),
        Ok(())
    );
}

#[test]
fn more_deletes_than_the_limit_are_refused() {
    assert_eq!(DEFAULT_MAX_DELETES, 10);
    assert_eq!(
        check_deletes(&deleting(10), DEFAULT_MAX_DELETES, false, false),
        Ok(())
    );
    let refusal = check_deletes(&deleting(11), DEFAULT_MAX_DELETES, true, true).unwrap_err();
    assert_eq!(
        refusal,
        SafetyRefusal::TooManyDeletes { count: 11, max: 10 }
    );
    assert!(
        refusal.to_string().contains("--max-deletes 11"),
        "{refusal}"
    );
    assert_eq!(
        check_deletes(&deleting(1), 0, false, false).unwrap_err(),
        SafetyRefusal::TooManyDeletes { count: 1, max: 0 }
    );
}

#[test]
fn backup_is_private_complete_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let resources = vec![
        tenant("acme", "Acme").into_any(),
        Role {
            name: "viewer".into(),
            description: "Views".into(),
            permission_names: vec!["read".into()],
            ..Role::default()
        }
        .into_any(),
    ];
    let path = write_backup(dir.path(), &origin("prod"), &resources, timestamp()).unwrap();
    assert_eq!(path, dir.path().join("backups/prod/20261129T161810Z.json"));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("backups/prod")), 0o700);
    let names: Vec<_> = fs::read_dir(dir.path().join("backups/prod"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["20261129T161810Z.json"]);

    let document: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    // The exact shape: nothing but resource states, so no credential can ride along.
    assert_eq!(
        document,
        json!({
            "format_version": 2,
            "env": "prod",
            "project_id": "P2test",
            "created_at": "2026-11-29T16:18:10Z",
            "run": {"command": "apply --env prod", "user": "ops"},
            "kinds": ["role", "tenant"],
            "resources": [
                {"kind": "tenant", "id": "acme", "state": {
                    "id": "acme", "name": "Acme", "self_provisioning_domains": [],
                    "custom_attributes": {}, "enforce_sso": false, "disabled": false,
                    "default_roles": []}},
                {"kind": "role", "id": "viewer", "state": {
                    "name": "viewer", "description": "Views", "permission_names": ["read"]}}
            ]
        })
    );

    let back = read_backup(&path).unwrap();
    assert_eq!(back.env, "prod");
    assert_eq!(
        back.to_resource_set().unwrap(),
        resources.into_iter().collect()
    );
}

#[test]
fn a_backup_of_another_format_version_is_refused_by_its_version() {
    let dir = tempfile::tempdir().unwrap();
    for (version, says) in [(1, "cannot be restored"), (3, "newer descope-mgmt")] {
        let path = dir.path().join(format!("v{version}.json"));
        fs::write(
            &path,
            json!({"format_version": version, "surprise": true}).to_string(),
        )
        .unwrap();
        let error = read_backup(&path).unwrap_err();
        assert!(
            matches!(error, BackupError::UnknownVersion { found, .. } if found == version),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains(&format!("version {version}")), "{message}");
        assert!(message.contains(says), "{message}");
    }
    let path = dir.path().join("other.json");
    fs::write(&path, "{\"flows\": {}}").unwrap();
    assert!(matches!(
        read_backup(&path),
        Err(BackupError::NotABackup { .. })
    ));
}

#[test]
fn backups_are_listed_oldest_first_with_counts_per_kind_and_found_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let later = "2026-11-29T17:00:00Z".parse().unwrap();
    write_backup(
        dir.path(),
        &origin("dev"),
        &[tenant("acme", "Acme").into_any()],
        later,
    )
    .unwrap();
    write_backup(dir.path(), &origin("dev"), &[], timestamp()).unwrap();
    let listed = list_backups(dir.path(), "dev").unwrap();
    let ids: Vec<&str> = listed.iter().map(|backup| backup.id.as_str()).collect();
    assert_eq!(ids, ["20261129T161810Z", "20261129T170000Z"]);
    let newest = listed[1].document.as_ref().unwrap();
    assert_eq!(
        newest.counts().into_iter().collect::<Vec<_>>(),
        [(ResourceKind::Role, 0), (ResourceKind::Tenant, 1)]
    );
    assert_eq!(
        find_backup(dir.path(), "dev", "20261129T170000Z").unwrap(),
        Some(listed[1].path.clone())
    );
    for absent in ["20261129T170001Z", "../dev/20261129T170000Z", ".hidden", ""] {
        assert_eq!(
            find_backup(dir.path(), "dev", absent).unwrap(),
            None,
            "{absent}"
        );
    }
    assert_eq!(backup_envs(dir.path()), ["dev"]);
    assert!(list_backups(dir.path(), "qa").unwrap().is_empty());
}

#[test]
fn backups_in_the_same_second_do_not_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let first = write_backup(dir.path(), &origin("dev"), &[], timestamp()).unwrap();
    let second = write_backup(dir.path(), &origin("dev"), &[], timestamp()).unwrap();
    assert_ne!(first, second);
    assert!(second.ends_with("20261129T161810Z-2.json"));
    assert!(first.exists() && second.exists());
}

#[test]
fn a_backup_holds_what_the_plan_will_change_or_remove() {
    let actual = tenants(["keep".to_owned(), "change".to_owned(), "remove".to_owned()]);
    let mut desired = tenants(["keep".to_owned(), "change".to_owned(), "add".to_owned()]);
    desired.tenants[1].name = "Changed".into();
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let plan = plan(&desired, &actual, &options);
    let ids: Vec<String> = touched_live_state(&plan)
        .iter()
        .map(|r| r.identity().to_owned())
        .collect();
    assert_eq!(ids, ["change", "remove"]);
}

#[test]
fn environment_names_that_are_not_plain_are_refused_before_touching_disk() {
    let dir = tempfile::tempdir().unwrap();
    for env in ["../escape", "a/b", "", "prod.json", &"x".repeat(65)] {
        assert!(
            matches!(
                write_backup(dir.path(), &origin(env), &[], timestamp()),
                Err(StateFileError::InvalidEnvName(_))
            ),
            "{env}"
        );
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn key(project: &str, endpoint: &str) -> LockKey {
    LockKey::new(project, endpoint)
}

#[test]
fn a_second_lock_on_one_project_is_refused_and_names_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let prod = key("P2abc", "https://api.descope.com");
    let held = ProjectLock::acquire(dir.path(), &prod, "prod").unwrap();
    assert_eq!(held.path(), dir.path().join(prod.file_name()));
    assert!(
        prod.file_name().starts_with("P2abc-"),
        "{}",
        prod.file_name()
    );
    assert_eq!(mode(held.path()), 0o600);
    assert_eq!(held.taken_over(), None);
    let content = fs::read_to_string(held.path()).unwrap();
    assert!(
        content.starts_with(&format!("pid={}\n", std::process::id())),
        "{content}"
    );

    // Another configuration's name for the same project, and a trailing slash, change nothing.
    let error = ProjectLock::acquire(
        dir.path(),
        &key("P2abc", "https://api.descope.com/"),
        "live",
    )
    .unwrap_err();
    let LockError::Held {
        project, holder, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(project, "P2abc");
    assert_eq!(holder.pid, Some(std::process::id()));
    assert_eq!(holder.env.as_deref(), Some("prod"));
    assert!(holder.since.is_some());
    assert!(
        error
            .to_string()
            .contains(&format!("pid {}", std::process::id())),
        "{error}"
    );
    assert_eq!(
        ProjectLock::holder(dir.path(), &prod).unwrap().unwrap().pid,
        Some(std::process::id())
    );

    // Another project, or the same id on another endpoint, is independent.
    drop(
        ProjectLock::acquire(
            dir.path(),
            &key("P2other", "https://api.descope.com"),
            "dev",
        )
        .unwrap(),
    );
    drop(ProjectLock::acquire(dir.path(), &key("P2abc", "http://127.0.0.1:8080"), "dev").unwrap());

    drop(held);
    assert!(
        !dir.path().join(prod.file_name()).exists(),
        "a clean release removes the file"
    );
    assert_eq!(ProjectLock::holder(dir.path(), &prod).unwrap(), None);
    let again = ProjectLock::acquire(dir.path(), &prod, "prod").unwrap();
    assert_eq!(again.taken_over(), None);
}

#[test]
fn a_lock_left_by_a_dead_run_is_taken_over_and_says_whose_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let prod = key("P2abc", "https://api.descope.com");
    // What a run killed with SIGKILL leaves: its record, and no flock (the OS dropped it).
    fs::write(
        dir.path().join(prod.file_name()),
        "pid=999999\nsince=2026-11-30T10:00:00Z\nenv=prod\ncwd=/ci/checkout\n",
    )
    .unwrap();
    let lock = ProjectLock::acquire(dir.path(), &prod, "prod").unwrap();
    let left = lock.taken_over().unwrap();
    assert_eq!(left.pid, Some(999_999));
    assert_eq!(left.cwd.as_deref(), Some("/ci/checkout"));
    assert_eq!(
        left.to_string(),
        "pid 999999, since 2026-11-30T10:00:00Z, env prod, from /ci/checkout"
    );
    let content = fs::read_to_string(lock.path()).unwrap();
    assert!(
        content.starts_with(&format!("pid={}\n", std::process::id())),
        "{content}"
    );
}

#[test]
fn a_lock_file_that_is_a_symbolic_link_is_refused_and_its_target_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let prod = key("P2abc", "https://api.descope.com");
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let locks = dir.path().join("locks");
    fs::create_dir(&locks).unwrap();
    std::os::unix::fs::symlink(&victim, locks.join(prod.file_name())).unwrap();
    let error = ProjectLock::acquire(&locks, &prod, "prod").unwrap_err();
    assert!(
        matches!(&error, LockError::Symlink(path) if *path == locks.join(prod.file_name())),
        "{error:?}"
    );
    assert!(error.to_string().contains("symbolic link"), "{error}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(matches!(
        ProjectLock::holder(&locks, &prod),
        Err(LockError::Symlink(_))
    ));
}

#[test]
fn audit_lines_append_one_json_object_per_change() {
    let dir = tempfile::tempdir().unwrap();
    let actual = tenants(["acme".to_owned()]);
    let mut desired = actual.clone();
    desired.tenants[0].name = "Renamed".into();
    desired.tenants.push(tenant("new", "New"));
    let plan = plan(&desired, &actual, &PlanOptions::default());

    let mut path = None;
    for (change, commit) in plan.writes().zip([Some("abc123".to_owned()), None]) {
        let record = AuditRecord::new(change, &Outcome::succeeded(), commit, timestamp());
        path = Some(append_audit(dir.path(), "staging", &record).unwrap());
    }
    let path = path.unwrap();
    assert_eq!(path, dir.path().join("audit/staging.jsonl"));
    assert_eq!(mode(&path), 0o600);

    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({"at": "2026-11-29T16:18:10Z", "user": current_user(), "git_commit": "abc123",
                   "kind": "tenant", "id": "acme", "action": "update", "fields": ["name"],
                   "outcome": {"status": "succeeded"}}),
            json!({"at": "2026-11-29T16:18:10Z", "user": current_user(),
                   "kind": "tenant", "id": "new", "action": "create",
                   "outcome": {"status": "succeeded"}}),
        ]
    );
    let parsed: AuditRecord = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(parsed.action, Action::Update);
}

/// Set by [`a_lock_held_by_another_process_is_refused_and_names_its_pid`] for the child process
/// it spawns (this same test binary, running only [`lock_holder_child`]).
const LOCK_CHILD_DIR: &str = "DESCOPE_MGMT_TEST_LOCK_CHILD_DIR";

/// In the child: takes the lock, says so on stdout, and holds it until stdin closes.
/// In a normal test run (variable unset) it checks that a free lock can be taken.
#[test]
fn lock_holder_child() {
    use std::io::{Read, Write};
    let Some(dir) = std::env::var_os(LOCK_CHILD_DIR) else {
        let dir = tempfile::tempdir().unwrap();
        assert!(ProjectLock::acquire(dir.path(), &key("free", "http://x"), "free").is_ok());
        return;
    };
    let lock = ProjectLock::acquire(Path::new(&dir), &key("shared", "http://x"), "dev").unwrap();
    let mut stdout = std::io::stdout();
    // The harness has already printed `test … ... ` without a newline: start a fresh line.
    writeln!(stdout, "\nLOCKED").unwrap();
    stdout.flush().unwrap();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(lock);
}

#[test]
fn a_lock_held_by_another_process_is_refused_and_names_its_pid() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "safety::tests::lock_holder_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCK_CHILD_DIR, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Reads until the child says so or exits (end of stream), so this cannot hang on a child
    // that failed to take the lock.
    let locked = lines.any(|line| line.is_ok_and(|line| line.trim() == "LOCKED"));
    assert!(locked, "the child never took the lock");

    let error = ProjectLock::acquire(dir.path(), &key("shared", "http://x"), "qa").unwrap_err();
    assert!(
        matches!(&error, LockError::Held { holder, .. } if holder.pid == Some(child.id())),
        "{error:?}"
    );

    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    assert!(ProjectLock::acquire(dir.path(), &key("shared", "http://x"), "qa").is_ok());
}
