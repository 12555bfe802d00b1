//! The output contract (issue 10 item 5, issue 17 item 1): every `--format json` document is one
//! of the typed reports in `descope_mgmt::report` (which deny unknown fields, so any change to
//! the contract shows up here), `schema output` publishes their JSON Schemas, `-q` leaves stderr
//! to errors, and a failing output stream never panics.

use std::process::Stdio;

use descope_mgmt::report::{
    ApplyReport, DoctorReport, EnvListReport, MatrixReport, PermissionListReport, PlanReport,
    RoleListReport, RunReport, TenantCreatedReport, TenantDeletedReport, TenantGetReport,
    TenantListReport, TenantUpdatedReport, ValidateReport,
};
use serde::de::DeserializeOwned;

use super::support::{repo_root, run};
use super::sync_support::{RESOURCES, World};

/// Runs `args` with `--format json`, expects `code`, and parses stdout as `R`.
fn report<R: DeserializeOwned>(world: &World, args: &[&str], code: i32) -> R {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let result = world.run(&all);
    assert_eq!(
        result.code, code,
        "{args:?}\n{}\n{}",
        result.stdout, result.stderr
    );
    serde_json::from_str(&result.stdout)
        .unwrap_or_else(|error| panic!("{args:?}: {error}\n{}", result.stdout))
}

#[test]
fn every_json_output_deserialises_into_its_report_type() {
    let world = World::new(RESOURCES);
    world.create_tenant("stray-co", "Stray");

    let validate: ValidateReport = report(&world, &["config", "validate"], 0);
    assert!(validate.valid);
    let envs: EnvListReport = report(&world, &["env", "list"], 0);
    assert_eq!(envs.environments.len(), 3);
    let doctor: DoctorReport = report(&world, &["doctor", "--env", "dev"], 0);
    assert!(doctor.healthy);

    let plan: PlanReport = report(&world, &["plan", "--env", "dev"], 0);
    assert_eq!(plan.summary.create, 4);
    assert_eq!(plan.plan.unmanaged.len(), 1);
    let _: PlanReport = report(&world, &["drift", "--env", "dev"], 2);
    let _: PlanReport = report(&world, &["tenant", "diff", "--env", "dev"], 0);
    let matrix: MatrixReport = report(&world, &["plan", "--env", "all"], 0);
    assert_eq!(matrix.environments.len(), 3);
    let _: MatrixReport = report(&world, &["drift", "--env", "all"], 2);

    let dry: ApplyReport = report(&world, &["apply", "--env", "dev", "--dry-run"], 0);
    assert!(dry.dry_run && dry.result.is_none());
    let report_file = world.path("run.json");
    let applied: ApplyReport = report(
        &world,
        &[
            "apply",
            "--env",
            "dev",
            "--report",
            report_file.to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(applied.result.as_ref().unwrap().created, 4);
    let written: RunReport =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(written.created, 4);
    let _: ApplyReport = report(&world, &["tenant", "sync", "--env", "dev"], 0);

    let tenants: TenantListReport = report(&world, &["tenant", "list", "--env", "dev"], 0);
    assert_eq!(tenants.tenants.len(), 3);
    let _: TenantGetReport = report(&world, &["tenant", "get", "acme-corp", "--env", "dev"], 0);
    let _: TenantCreatedReport = report(
        &world,
        &[
            "tenant", "create", "--env", "dev", "--id", "hooli", "--name", "Hooli",
        ],
        0,
    );
    let updated: TenantUpdatedReport = report(
        &world,
        &[
            "tenant",
            "update",
            "hooli",
            "--env",
            "dev",
            "--name",
            "Hooli XYZ",
        ],
        0,
    );
    assert!(updated.updated);
    let _: TenantDeletedReport = report(&world, &["tenant", "delete", "hooli", "--env", "dev"], 0);
    let roles: RoleListReport = report(&world, &["role", "list", "--env", "dev"], 0);
    assert!(roles.roles.iter().any(|role| role.name == "viewer"));
    let permissions: PermissionListReport =
        report(&world, &["permission", "list", "--env", "dev"], 0);
    assert!(
        permissions
            .permissions
            .iter()
            .any(|p| p.name == "reports.read")
    );
}

#[test]
fn every_report_carries_format_version_1() {
    let world = World::new(RESOURCES);
    let plan: PlanReport = report(&world, &["plan", "--env", "dev"], 0);
    assert_eq!(plan.format_version, 1);
    let envs: EnvListReport = report(&world, &["env", "list"], 0);
    assert_eq!(envs.format_version, 1);
}

#[test]
fn schema_output_publishes_a_schema_per_report_that_validates_real_output() {
    let world = World::new(RESOURCES);
    let schemas = world.run(&["schema", "output"]);
    assert_eq!(schemas.code, 0, "{}", schemas.stderr);
    let schemas: serde_json::Value = serde_json::from_str(&schemas.stdout).unwrap();
    assert_eq!(schemas["format_version"], 1);
    let reports = schemas["reports"].as_object().unwrap();
    for name in [
        "config validate",
        "env list",
        "doctor",
        "plan",
        "plan --env all",
        "apply",
        "apply --report",
        "tenant list",
        "tenant get",
        "tenant create",
        "tenant update",
        "tenant delete",
        "role list",
        "permission list",
    ] {
        assert!(reports.contains_key(name), "no schema for {name}");
    }
    let plan = world.run(&["plan", "--env", "dev", "--format", "json"]);
    let instance: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let validator = jsonschema::validator_for(&reports["plan"]).unwrap();
    assert!(validator.is_valid(&instance), "{}", plan.stdout);
    let envs = world.run(&["env", "list", "--format", "json"]);
    let instance: serde_json::Value = serde_json::from_str(&envs.stdout).unwrap();
    assert!(
        !jsonschema::validator_for(&reports["plan"])
            .unwrap()
            .is_valid(&instance)
    );
}

#[test]
fn quiet_successful_apply_leaves_stderr_empty() {
    let world = World::new(RESOURCES);
    let plan_out = world.path("dev.plan.json");
    let saved = world.run(&[
        "plan",
        "--env",
        "dev",
        "-q",
        "--out",
        plan_out.to_str().unwrap(),
    ]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    assert_eq!(saved.stderr, "");
    let dry = world.run(&[
        "apply",
        "--env",
        "dev",
        "-q",
        "--dry-run",
        "--max-deletes",
        "0",
    ]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.stderr, "");
    let applied = world.run(&["apply", "--env", "dev", "-q"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(applied.stderr, "", "-q must leave stderr to errors");
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn a_full_stderr_never_panics() {
    let broken = repo_root().join("tests/fixtures/broken/uppercase-id/descope.yaml");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let validate = run(super::support::descope_mgmt(&repo_root())
        .args(["-c", broken.to_str().unwrap(), "config", "validate"])
        .stderr(Stdio::from(full())));
    assert_eq!(
        validate.code, 3,
        "a full stderr must not turn exit 3 into a panic"
    );

    // Mid-apply, a failed write to stderr is treated like Ctrl-C: in-flight calls finish, the
    // report is written, exit 130, and a rerun converges.
    let world = World::new(RESOURCES);
    let report_file = world.path("run.json");
    let applied = run(world
        .cli(&[
            "apply",
            "--env",
            "dev",
            "--report",
            report_file.to_str().unwrap(),
        ])
        .stderr(Stdio::from(full())));
    assert_eq!(applied.code, 130, "{}", applied.stdout);
    let written: RunReport =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(written.status, "interrupted");
    let rerun = world.run(&["apply", "--env", "dev"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(world.tenant_ids(), ["acme-corp", "globex"]);
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let world = World::new(RESOURCES);
    let plan = run(world
        .cli(&["plan", "--env", "dev", "--format", "json"])
        .stdout(Stdio::from(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )));
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    assert!(
        plan.stderr.contains("failed to write output"),
        "{}",
        plan.stderr
    );
}

#[test]
fn the_default_environment_comes_from_descope_mgmt_env() {
    let world = World::new(RESOURCES);
    let plan = run(world.cli(&["plan"]).env("DESCOPE_MGMT_ENV", "dev"));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("Environment: dev"), "{}", plan.stdout);
    let flag_wins = run(world
        .cli(&["plan", "--env", "qa"])
        .env("DESCOPE_MGMT_ENV", "dev"));
    assert_eq!(flag_wins.code, 3, "qa has no key: {}", flag_wins.stderr);
    let without = world.run(&["plan"]);
    assert_eq!(without.code, 64, "no implicit default: {}", without.stderr);
}
