//! The CLI test harness: an emulator served from the test process, a configuration directory
//! pointing the binary at it, and the binary run there with a cleared environment. Every CLI test
//! that talks to a project builds its [`World`] here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use descope_emulator::{Emulator, EmulatorConfig, ProjectCredentials, RunningEmulator};
use serde_json::{Value, json};

use super::support::{Run, descope_mgmt, run};

/// The management key of the emulated project unless the builder sets another.
pub const KEY: &str = "K2local";
const PROJECT_ID: &str = "P2local";
/// The second project of a world built with [`WorldBuilder::stage`]: environment `stage`.
pub const STAGE_PROJECT_ID: &str = "P2stage";

/// An emulator on 127.0.0.1 with its own runtime, so that it keeps serving while the test
/// blocks on the binary.
struct LiveEmulator {
    runtime: tokio::runtime::Runtime,
    emulator: Option<RunningEmulator>,
    url: String,
}

impl LiveEmulator {
    fn start(config: EmulatorConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime
            .block_on(Emulator::start(config))
            .expect("emulator starts");
        let url = emulator.url();
        Self {
            runtime,
            emulator: Some(emulator),
            url,
        }
    }
}

impl Drop for LiveEmulator {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            let _ = self.runtime.block_on(emulator.shutdown());
        }
    }
}

/// A served emulator (its own runtime keeps serving while the test blocks on the binary) and a
/// temporary directory holding `descope.yaml` and the local state directory.
pub struct World {
    live: LiveEmulator,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
    key: String,
    stage: bool,
}

/// How a [`World`] is set up: the configured resources, the project's management key, the
/// emulator's latency per call and whether a second project exists.
pub struct WorldBuilder {
    resources: String,
    key: String,
    latency: Duration,
    stage: bool,
}

impl WorldBuilder {
    /// The YAML after `environments:` (permissions, roles, tenants).
    pub fn resources(mut self, resources: &str) -> Self {
        self.resources = resources.to_owned();
        self
    }

    /// The emulator's project answers to this key (and the configuration reads it from `$KEY`).
    pub fn key(mut self, key: &str) -> Self {
        self.key = key.to_owned();
        self
    }

    /// Every management call takes at least this long.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// A second project on the same emulator ([`STAGE_PROJECT_ID`], same key), configured as
    /// the unprotected environment `stage`: two projects to compare and promote between.
    pub fn stage(mut self) -> Self {
        self.stage = true;
        self
    }

    pub fn build(self) -> World {
        let projects = std::iter::once(PROJECT_ID)
            .chain(self.stage.then_some(STAGE_PROJECT_ID))
            .map(|project_id| ProjectCredentials {
                project_id: project_id.to_owned(),
                management_key: self.key.clone(),
            })
            .collect();
        let live = LiveEmulator::start(EmulatorConfig {
            projects,
            latency: self.latency,
            ..EmulatorConfig::default()
        });
        let world = World {
            live,
            dir: tempfile::tempdir().unwrap(),
            http: reqwest::Client::new(),
            key: self.key,
            stage: self.stage,
        };
        world.write_config(&self.resources);
        world
    }
}

impl World {
    /// `resources` is the YAML after `environments:` (permissions, roles, tenants).
    pub fn new(resources: &str) -> Self {
        Self::builder().resources(resources).build()
    }

    pub fn builder() -> WorldBuilder {
        WorldBuilder {
            resources: String::new(),
            key: KEY.to_owned(),
            latency: Duration::ZERO,
            stage: false,
        }
    }

    pub fn url(&self) -> String {
        self.live.url.clone()
    }

    /// Shuts the emulator down (in-flight calls finish); its address then refuses connections,
    /// as a server that went away does.
    pub fn stop_emulator(&mut self) {
        if let Some(emulator) = self.live.emulator.take() {
            self.live
                .runtime
                .block_on(emulator.shutdown())
                .expect("emulator stops");
        }
    }

    /// Rewrites `descope.yaml` with `dev` (unprotected), `prod` (protected) — both on this
    /// emulator — and `qa` without credentials; with [`WorldBuilder::stage`], also `stage`.
    pub fn write_config(&self, resources: &str) {
        let url = self.url();
        let stage = if self.stage {
            format!(
                "  stage:\n    project_id: {STAGE_PROJECT_ID}\n    management_key: ${{KEY}}\n    base_url: {url}\n    rate_limit: {{requests: 10000, per_seconds: 1}}\n"
            )
        } else {
            String::new()
        };
        let yaml = format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: {url}\n    rate_limit: {{requests: 10000, per_seconds: 1}}\n  prod:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: {url}\n    protected: true\n    rate_limit: {{requests: 10000, per_seconds: 1}}\n  qa:\n    project_id: ${{QA_PROJECT_ID:-P2qaPlaceholder}}\n    management_key: ${{QA_KEY:-}}\n{stage}{resources}"
        );
        std::fs::write(self.dir.path().join("descope.yaml"), yaml).unwrap();
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The binary in the config directory, with the key set and stdin closed (no terminal).
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut command = descope_mgmt(self.dir.path());
        command
            .args(["-c", "descope.yaml"])
            .args(args)
            .stdin(Stdio::null());
        self.run_env(&mut command);
        command
    }

    /// The per-user state location every run of this world shares (`$XDG_STATE_HOME`): one
    /// per world, so project locks of parallel tests never meet.
    pub fn user_state_home(&self) -> PathBuf {
        self.dir.path().join("user-state")
    }

    /// Where the binary keeps this world's project locks.
    pub fn lock_dir(&self) -> PathBuf {
        self.user_state_home().join("descope-mgmt/locks")
    }

    /// What every run of the binary in this world sees: the key, the state directory and the
    /// per-user state location.
    fn run_env(&self, command: &mut Command) {
        command
            .env("KEY", &self.key)
            .env("DESCOPE_MGMT_STATE_DIR", self.state_dir())
            .env("XDG_STATE_HOME", self.user_state_home());
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(&mut self.cli(args))
    }

    async fn management(&self, path: &str, body: Option<Value>) -> Value {
        self.management_in(PROJECT_ID, path, body).await
    }

    async fn management_in(&self, project: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url());
        let request = match body {
            Some(body) => self.http.post(url).json(&body),
            None => self.http.get(url),
        };
        let response = request
            .header("Authorization", format!("Bearer {project}:{}", self.key))
            .send()
            .await
            .expect("emulator reachable");
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {value}");
        value
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.live
            .runtime
            .block_on(self.management(path, Some(body)))
    }

    /// A management `POST` to `project` (the world's own, or [`STAGE_PROJECT_ID`]).
    pub fn post_in(&self, project: &str, path: &str, body: Value) -> Value {
        self.live
            .runtime
            .block_on(self.management_in(project, path, Some(body)))
    }

    /// A management `GET` from `project`.
    pub fn get_in(&self, project: &str, path: &str) -> Value {
        self.live
            .runtime
            .block_on(self.management_in(project, path, None))
    }

    /// A management `GET` (with its query in `path`), asserting success.
    pub fn get(&self, path: &str) -> Value {
        self.live.runtime.block_on(self.management(path, None))
    }

    /// Creates a tenant directly on the emulator, behind the CLI's back.
    pub fn create_tenant(&self, id: &str, name: &str) {
        self.post("/v1/mgmt/tenant/create", json!({"id": id, "name": name}));
    }

    /// Live tenants, `(id, name)`, sorted.
    pub fn tenants(&self) -> Vec<(String, String)> {
        let body = self
            .live
            .runtime
            .block_on(self.management("/v1/mgmt/tenant/all", None));
        let mut tenants: Vec<(String, String)> = body["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        tenants.sort();
        tenants
    }

    pub fn tenant_ids(&self) -> Vec<String> {
        self.tenants().into_iter().map(|(id, _)| id).collect()
    }

    pub fn role_names(&self) -> Vec<String> {
        let body = self
            .live
            .runtime
            .block_on(self.management("/v1/mgmt/role/all", None));
        let mut names: Vec<String> = body["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    /// `GET /emulator/stats`: the management calls served so far, in total and per route.
    pub fn stats(&self) -> Value {
        let url = format!("{}/emulator/stats", self.url());
        self.live.runtime.block_on(async {
            let response = self.http.get(url).send().await.expect("stats reachable");
            response.json().await.expect("stats are JSON")
        })
    }

    /// `POST /emulator/stats/reset`: counts start again from zero.
    pub fn reset_stats(&self) {
        self.control("/emulator/stats/reset", json!({}));
    }

    /// `POST /emulator/faults` with `settings` (absent fields keep their value).
    pub fn faults(&self, settings: Value) {
        self.control("/emulator/faults", settings);
    }

    fn control(&self, path: &str, body: Value) {
        let url = format!("{}{path}", self.url());
        self.live.runtime.block_on(async {
            let response = self
                .http
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("reachable");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
        });
    }

    /// Write calls the emulator has served so far.
    pub fn writes(&self) -> u64 {
        self.stats()["writes"].as_u64().expect("a writes counter")
    }

    pub fn requests(&self) -> u64 {
        self.stats()["requests"]
            .as_u64()
            .expect("a requests counter")
    }

    pub fn route(&self, route: &str) -> u64 {
        self.stats()["byRoute"][route].as_u64().unwrap_or(0)
    }

    /// Writes `text` to `name` in the configuration directory (e.g. a hand-made `descope.yaml`).
    pub fn write_file(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    /// Backup files written so far for `env`.
    pub fn backups(&self, env: &str) -> Vec<PathBuf> {
        let dir = self.state_dir().join("backups").join(env);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .map(|entry| entry.unwrap().path())
                    .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

pub fn read_json(path: &Path) -> Value {
    parse(&std::fs::read_to_string(path).unwrap())
}

/// Two tenants, a role and a permission.
pub const RESOURCES: &str = "permissions:\n  - name: reports.read\n    description: Read reports\nroles:\n  - name: viewer\n    description: Reads reports\n    permissions: [reports.read]\ntenants:\n  - id: acme-corp\n    name: Acme Corporation\n    domains: [acme.com]\n    self_provisioning: true\n    default_roles: [viewer]\n  - id: globex\n    name: Globex\n";

/// `count` tenants `t-0`, `t-1`, … named `Tenant 0`, …, as the YAML after `environments:`.
pub fn numbered_tenants(count: usize) -> String {
    let mut yaml = String::from("tenants:\n");
    for n in 0..count {
        yaml.push_str(&format!("  - id: t-{n}\n    name: Tenant {n}\n"));
    }
    yaml
}

/// Only tenants (no role they would need).
pub const TENANTS: &str =
    "tenants:\n  - id: acme-corp\n    name: Acme Corporation\n  - id: globex\n    name: Globex\n";

/// Polls until `ready` holds while `child` keeps running. The 60 s bound only stops a hung test;
/// nothing asserts how long the wait took.
pub fn wait_while_running(child: &mut std::process::Child, what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the command exited ({status}) before {what}");
        }
        assert!(Instant::now() < deadline, "no {what} within 60 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the command finished as {what} happened: nothing left to interrupt"
    );
}

/// The audit log of `env` as parsed lines.
pub fn audit_lines(world: &World, env: &str) -> Vec<Value> {
    let path = world.state_dir().join("audit").join(format!("{env}.jsonl"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .lines()
        .map(parse)
        .collect()
}

/// `(kind, id, action, outcome status)` of each audit line, in order.
pub fn audit_entries(lines: &[Value]) -> Vec<(String, String, String, String)> {
    lines
        .iter()
        .map(|line| {
            let field = |value: &Value| value.as_str().unwrap_or_default().to_owned();
            (
                field(&line["kind"]),
                field(&line["id"]),
                field(&line["action"]),
                field(&line["outcome"]["status"]),
            )
        })
        .collect()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

impl World {
    /// Runs the binary on a pseudo-terminal (util-linux `script`), typing `typed` into it. The
    /// terminal merges stderr into stdout.
    pub fn run_on_a_terminal(&self, args: &[&str], typed: &str) -> Run {
        use std::io::Write;
        let command_line = [env!("CARGO_BIN_EXE_descope-mgmt"), "-c", "descope.yaml"]
            .into_iter()
            .chain(args.iter().copied())
            .map(|word| format!("'{word}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut script = Command::new("script");
        script
            .args(["-qec", &command_line, "/dev/null"])
            .current_dir(self.dir.path())
            .env_clear()
            .env("NO_COLOR", "1");
        self.run_env(&mut script);
        let mut child = script
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` runs (it provides the terminal)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Sends SIGINT to a running binary and waits for it: its exit code and stderr.
pub fn interrupt(child: std::process::Child) -> (Option<i32>, String) {
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
