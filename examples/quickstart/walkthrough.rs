//! The quickstart's steps, shared by `cargo run --example quickstart` (which runs descope-mgmt
//! in-process) and the test `tests/it/cli/quickstart.rs` (which runs the built binary): a
//! configuration for a `local` environment backed by the embedded emulator, then validate →
//! plan → apply → plan with nothing to do → a change made behind the tool's back → drift shows
//! it → apply repairs it → drift is clean.

use std::path::Path;

use descope_emulator::{Emulator, EmulatorConfig};
use descope_mgmt_api::{ClientConfig, DescopeClient};
use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::Tenant;
use descope_mgmt_core::secret::ManagementKey;

/// The configuration the walkthrough manages.
pub const CONFIG: &str = r#"# A quickstart configuration: one `local` environment backed by the embedded emulator.
version: "1.0"
environments:
  local:
    emulator: .descope-mgmt/local.json   # state survives between runs in this file
permissions:
  - name: billing.read
    description: Read invoices
  - name: billing.write
    description: Change plans and payment methods
roles:
  - name: billing-admin
    description: Manages billing
    permissions: [billing.read, billing.write]
tenants:
  - id: acme-corp
    name: Acme Corporation
    domains: [acme.com]
    self_provisioning: true
    custom_attributes: { tier: enterprise }
    default_roles: [billing-admin]
  - id: globex
    name: Globex Corporation
    custom_attributes: { tier: growth }
"#;

/// Where the configuration file goes inside the walkthrough's directory.
pub const CONFIG_FILE: &str = "descope.yaml";

/// Runs one descope-mgmt invocation (arguments without the program name) with `dir` as the
/// working directory and returns its exit code.
pub trait Runner {
    fn run(&mut self, dir: &Path, args: &[&str]) -> i32;
}

/// One step: what it shows, the command and the exit code it must end with.
struct Step {
    heading: &'static str,
    args: &'static [&'static str],
    expect: i32,
}

const BEFORE_DRIFT: &[Step] = &[
    Step {
        heading: "1. Validate the configuration (nothing is sent anywhere)",
        args: &["-c", CONFIG_FILE, "config", "validate"],
        expect: 0,
    },
    Step {
        heading: "2. Plan: what apply would change in the local environment",
        args: &["-c", CONFIG_FILE, "plan", "--env", "local"],
        expect: 0,
    },
    Step {
        heading: "3. Apply it (--yes: no prompt)",
        args: &["-c", CONFIG_FILE, "apply", "--env", "local", "--yes"],
        expect: 0,
    },
    Step {
        heading: "4. Plan again: nothing to do (--detailed-exitcode exits 0)",
        args: &[
            "-c",
            CONFIG_FILE,
            "plan",
            "--env",
            "local",
            "--detailed-exitcode",
        ],
        expect: 0,
    },
];

const AFTER_DRIFT: &[Step] = &[
    Step {
        heading: "6. Drift: the live project no longer matches git (exit 2)",
        args: &["-c", CONFIG_FILE, "drift", "--env", "local"],
        expect: 2,
    },
    Step {
        heading: "7. Apply repairs it",
        args: &["-c", CONFIG_FILE, "apply", "--env", "local", "--yes"],
        expect: 0,
    },
    Step {
        heading: "8. Drift again: clean (exit 0)",
        args: &["-c", CONFIG_FILE, "drift", "--env", "local"],
        expect: 0,
    },
];

/// Runs every step in `dir` (an empty directory); the first step whose exit code differs from
/// the expected one ends the walkthrough with an error.
pub fn walkthrough(dir: &Path, runner: &mut dyn Runner) -> Result<(), String> {
    std::fs::write(dir.join(CONFIG_FILE), CONFIG)
        .map_err(|error| format!("cannot write the configuration: {error}"))?;
    println!(
        "The configuration ({}):\n\n{CONFIG}",
        dir.join(CONFIG_FILE).display()
    );
    run_steps(dir, runner, BEFORE_DRIFT)?;
    heading("5. Someone renames a tenant directly in the project (not through git)");
    let renamed = rename_behind_the_back(dir)?;
    println!("acme-corp is now called {renamed:?} in the live project\n");
    run_steps(dir, runner, AFTER_DRIFT)
}

fn run_steps(dir: &Path, runner: &mut dyn Runner, steps: &[Step]) -> Result<(), String> {
    for step in steps {
        heading(step.heading);
        println!("$ descope-mgmt {}\n", step.args.join(" "));
        let code = runner.run(dir, step.args);
        println!("(exit {code})\n");
        if code != step.expect {
            return Err(format!(
                "`descope-mgmt {}` exited {code}, expected {}",
                step.args.join(" "),
                step.expect
            ));
        }
    }
    Ok(())
}

fn heading(text: &str) {
    println!("== {text}");
}

/// Starts the emulator on the local environment's state file (as descope-mgmt does for
/// `emulator:` environments) and renames `acme-corp` through the Management API.
fn rename_behind_the_back(dir: &Path) -> Result<String, String> {
    const NEW_NAME: &str = "ACME (renamed in the console)";
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start a runtime: {error}"))?;
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig {
            state_file: Some(dir.join(".descope-mgmt/local.json")),
            ..EmulatorConfig::default()
        })
        .await
        .map_err(|error| format!("cannot start the emulator: {error}"))?;
        let client = DescopeClient::new(
            ClientConfig::new("P2local", ManagementKey::new("K2local"))
                .with_base_url(emulator.url()),
        )
        .map_err(|error| format!("cannot build the client: {error}"))?;
        let tenants = client.clone();
        let result = async {
            let mut tenant = ResourcePort::<Tenant>::load(&tenants, "acme-corp")
                .await
                .map_err(|error| format!("cannot load acme-corp: {error}"))?
                .ok_or("acme-corp is not in the live project")?;
            tenant.name = NEW_NAME.to_owned();
            ResourcePort::<Tenant>::update(&tenants, &tenant)
                .await
                .map_err(|error| format!("cannot rename acme-corp: {error}"))
        }
        .await;
        emulator
            .shutdown()
            .await
            .map_err(|error| format!("cannot save the emulator state: {error}"))?;
        result.map(|()| NEW_NAME.to_owned())
    })
}
