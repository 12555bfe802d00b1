//! Project locks (issue 17 item 8): one write run per project at a time, whichever checkout or
//! configuration it starts from, taken by every write command; a lock left by a dead run is
//! taken over with a note.

use std::process::Stdio;

use descope_mgmt_core::safety::{LockKey, ProjectLock};
use serde_json::json;

use super::flows::corpus;
use super::support::{descope_mgmt, run};
use super::world::{World, numbered_tenants, wait_while_running};

fn project_key(world: &World) -> LockKey {
    LockKey::new("P2local", world.url())
}

#[test]
fn two_applies_from_two_checkouts_on_one_project_take_turns_the_second_exits_4() {
    let world = World::new(&numbered_tenants(12));
    // A second checkout: its own directory, configuration copy and state directory, the same
    // user and project.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        world.path("descope.yaml"),
        other.path().join("descope.yaml"),
    )
    .unwrap();
    let second = |args: &[&str]| {
        run(descope_mgmt(other.path())
            .args(["-c", "descope.yaml"])
            .args(args)
            .env("KEY", super::world::KEY)
            .env("XDG_STATE_HOME", world.user_state_home())
            .stdin(Stdio::null()))
    };

    let mut first = world
        .cli(&[
            "apply",
            "--env",
            "dev",
            "--no-progress",
            "--concurrency",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock_file = world.lock_dir().join(project_key(&world).file_name());
    wait_while_running(&mut first, "the first apply takes the lock", || {
        lock_file.exists()
    });
    // From here each of its 12 writes takes 1.5 s, far longer than the second run's reads.
    world.post("/emulator/faults", json!({"latencyMs": 1500}));
    let refused = second(&["apply", "--env", "dev"]);
    world.post("/emulator/faults", json!({"latencyMs": 0}));
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!(
            "project P2local at {} is locked by another run (pid {}",
            world.url(),
            first.id()
        )),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("env dev"), "{}", refused.stderr);

    assert!(first.wait().unwrap().success());
    assert_eq!(world.tenant_ids().len(), 12);
    assert!(!lock_file.exists(), "a finished run removes its lock file");
    let after = second(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "{}", after.stderr);
}

#[test]
fn every_write_command_takes_the_project_lock() {
    let world = World::new("roles:\n  - name: viewer\npermissions:\n  - name: read\n");
    world.create_tenant("acme", "Acme");
    let flow = corpus("jamescrowley321-terraform-provider-descope/flow.json");
    let flow = flow.to_str().unwrap();
    let _held = ProjectLock::acquire(&world.lock_dir(), &project_key(&world), "prod").unwrap();
    let seeded = world.writes();
    let writes: [&[&str]; 9] = [
        &["apply", "--env", "dev"],
        &[
            "tenant", "create", "--env", "dev", "--id", "new", "--name", "New",
        ],
        &[
            "tenant", "update", "--env", "dev", "acme", "--name", "Renamed",
        ],
        &["tenant", "delete", "--env", "dev", "acme", "--yes"],
        &["tenant", "sync", "--env", "dev", "--prune"],
        &["role", "sync", "--env", "dev"],
        &["permission", "sync", "--env", "dev"],
        &["flow", "import", "--env", "dev", "imported", flow],
        &["apply", "--env", "prod", "--yes"],
    ];
    for args in writes {
        let refused = world.run(args);
        assert_eq!(refused.code, 4, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("is locked by another run"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(world.writes(), seeded);
    assert_eq!(world.tenants(), [("acme".to_owned(), "Acme".to_owned())]);
}

#[test]
fn a_lock_left_by_a_killed_run_is_taken_over_with_a_note() {
    let world = World::new(&numbered_tenants(1));
    std::fs::create_dir_all(world.lock_dir()).unwrap();
    std::fs::write(
        world.lock_dir().join(project_key(&world).file_name()),
        "pid=999999\nsince=2026-11-30T10:00:00Z\nenv=dev\ncwd=/ci/checkout\n",
    )
    .unwrap();
    let applied = world.run(&["apply", "--env", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stderr.contains(
            "took over the lock of project P2local left by a run that is no longer running \
             (pid 999999, since 2026-11-30T10:00:00Z, env dev, from /ci/checkout)"
        ),
        "{}",
        applied.stderr
    );
    assert_eq!(world.tenant_ids(), ["t-0"]);
}

#[test]
fn a_lock_file_planted_as_a_symbolic_link_stops_the_run_before_any_write() {
    let world = World::new(&numbered_tenants(1));
    std::fs::create_dir_all(world.lock_dir()).unwrap();
    let victim = world.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(
        &victim,
        world.lock_dir().join(project_key(&world).file_name()),
    )
    .unwrap();
    let refused = world.run(&["apply", "--env", "dev"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("symbolic link"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.writes(), 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

#[test]
fn doctor_names_the_run_holding_the_project_lock_without_taking_it() {
    let world = World::new("");
    let free = world.run(&["doctor", "--env", "dev"]);
    assert_eq!(free.code, 0, "{}{}", free.stdout, free.stderr);
    assert!(!world.lock_dir().exists(), "doctor creates no lock file");

    let held = ProjectLock::acquire(&world.lock_dir(), &project_key(&world), "prod").unwrap();
    let locked = world.run(&["doctor", "--env", "dev"]);
    assert_eq!(locked.code, 1, "{}{}", locked.stdout, locked.stderr);
    let text = format!("{}{}", locked.stdout, locked.stderr);
    assert!(
        text.contains(&format!(
            "project P2local is locked by another run (pid {}",
            std::process::id()
        )),
        "{text}"
    );
    drop(held);
}
