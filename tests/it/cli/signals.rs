//! Stop signals mid-apply: Ctrl-C does not wait out `Retry-After`; SIGTERM and SIGHUP stop an
//! apply like Ctrl-C (in-flight calls finish, the report is written; exit 143 and 130); a
//! second signal aborts at once. Waits are bounded; nothing asserts on elapsed time.

use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::world::{World, numbered_tenants, read_json};

/// The calls a `plan` makes, which an `apply` makes before its first write.
fn planning_calls(world: &World) -> u64 {
    let before = world.requests();
    let plan = world.run(&["plan", "--env", "dev"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    world.requests() - before
}

/// The child's stderr, collected by a thread as it arrives.
struct Stderr(Arc<Mutex<String>>);

impl Stderr {
    fn capture(child: &mut Child) -> Self {
        let mut pipe = child.stderr.take().expect("stderr piped");
        let text = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&text);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self(text)
    }

    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

/// Polls until `done` holds; fails the test after `bound` (which only guards against a hang).
fn wait_until(bound: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + bound;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for the child to exit within `bound`, else kills it and fails the test.
fn exit_code_within(child: &mut Child, bound: Duration) -> Option<i32> {
    let deadline = Instant::now() + bound;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the process did not exit within {bound:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(signal: &str, child: &Child) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn spawn_apply(world: &World, extra: &[&str]) -> Child {
    let mut args = vec!["apply", "--env", "dev", "--no-progress"];
    args.extend_from_slice(extra);
    world
        .cli(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_does_not_wait_out_retry_after() {
    let world = World::new(&numbered_tenants(4));
    let reads = planning_calls(&world);
    // The reads and one create fit the server's window; the next create is told to come back in
    // about 120 s, far beyond the 20 s this test waits for the exit.
    world.post(
        "/emulator/faults",
        json!({"rateLimit": {"requests": reads + 1, "perSeconds": 120}}),
    );
    let before = world.requests();
    let mut child = spawn_apply(&world, &[]);
    let stderr = Stderr::capture(&mut child);
    wait_until(
        Duration::from_secs(60),
        "a create was refused with 429",
        || world.requests() >= before + reads + 2,
    );
    send("INT", &child);
    let code = exit_code_within(&mut child, Duration::from_secs(20));
    assert_eq!(code, Some(130), "{}", stderr.text());
    wait_until(Duration::from_secs(5), "the summary", || {
        stderr.text().contains("Applied to dev")
    });
}

#[test]
fn sigterm_and_sighup_stop_an_apply_like_ctrl_c_with_the_report_written() {
    for (signal, expected) in [("TERM", 143), ("HUP", 130)] {
        let world = World::new(&numbered_tenants(24));
        let reads = planning_calls(&world);
        // Slow enough that the signal lands mid-apply: 24 creates, 8 at a time, 300 ms each.
        world.post("/emulator/faults", json!({"latencyMs": 300}));
        let report = world.path("report.json");
        let before = world.requests();
        let mut child = spawn_apply(
            &world,
            &["--concurrency", "8", "--report", report.to_str().unwrap()],
        );
        let stderr = Stderr::capture(&mut child);
        wait_until(Duration::from_secs(60), "the first create", || {
            world.requests() > before + reads
        });
        send(signal, &child);
        let code = exit_code_within(&mut child, Duration::from_secs(60));
        assert_eq!(code, Some(expected), "SIG{signal}: {}", stderr.text());

        let document = read_json(&report);
        assert_eq!(document["status"], "interrupted", "SIG{signal}: {document}");
        let created = document["created"].as_u64().unwrap();
        assert!(created < 24, "SIG{signal}: the signal landed mid-apply");
        world.post("/emulator/faults", json!({"latencyMs": 0}));
        let live = world
            .tenant_ids()
            .into_iter()
            .filter(|id| id.starts_with("t-"))
            .count() as u64;
        assert_eq!(
            live, created,
            "SIG{signal}: every reported create and no other landed"
        );
    }
}

#[test]
fn a_second_signal_aborts_at_once() {
    let world = World::new(&numbered_tenants(3));
    let reads = planning_calls(&world);
    // Hold the creates with 429s, then make the server slow (20 s per call, ten times the 2 s
    // this test allows for the exit) so that retried creates are in flight when the signals come.
    world.post(
        "/emulator/faults",
        json!({"rateLimit": {"requests": reads, "perSeconds": 1}}),
    );
    let before = world.requests();
    let mut child = spawn_apply(&world, &[]);
    let stderr = Stderr::capture(&mut child);
    wait_until(Duration::from_secs(60), "a create was refused", || {
        world.requests() > before + reads
    });
    world.post(
        "/emulator/faults",
        json!({"rateLimit": null, "latencyMs": 20_000}),
    );
    let slowed = world.requests();
    wait_until(Duration::from_secs(60), "a slow create in flight", || {
        world.requests() > slowed
    });
    send("TERM", &child);
    wait_until(Duration::from_secs(10), "the first signal handled", || {
        stderr.text().contains("letting in-flight calls finish")
    });
    send("TERM", &child);
    let code = exit_code_within(&mut child, Duration::from_secs(2));
    assert_eq!(code, Some(143), "{}", stderr.text());
    assert!(stderr.text().contains("aborted"), "{}", stderr.text());
}
