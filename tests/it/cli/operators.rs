//! What operators read and type (issue 16): complete plans (text and markdown snapshots), `diff`
//! counting every difference, lists in a stable order, and `doctor`.

use super::support::run;
use super::sync_support::{World, parse};

/// A world whose plan has creates, updates, deletes (with `--prune`) and unchanged resources.
fn mixed_world() -> World {
    let world = World::new(
        "permissions:\n  - name: reports.read\n    description: Read reports\nroles:\n  - name: viewer\n    description: Reads reports\n    permissions: [reports.read]\ntenants:\n  - id: acme-corp\n    name: Acme Corporation\n    domains: [acme.com, acme.org]\n    self_provisioning: true\n    default_roles: [viewer]\n    custom_attributes:\n      tier: gold\n      notes: \"line one\\nline two\"\n  - id: globex\n    name: Globex\n",
    );
    let seed = world.run(&["apply", "--env", "dev"]);
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    world.write_config(
        "permissions:\n  - name: reports.read\n    description: Read all reports\nroles:\n  - name: viewer\n    description: Reads reports\n    permissions: [reports.read]\ntenants:\n  - id: acme-corp\n    name: Acme Corp\n    domains: [acme.com, acme.org]\n    self_provisioning: true\n    default_roles: [viewer]\n    custom_attributes:\n      tier: gold\n      notes: \"line one\\nline two\"\n  - id: initech\n    name: Initech\n    domains: [initech.com]\n    self_provisioning: true\n    custom_attributes:\n      seats: 40\n      contact: {team: ops, pager: true}\n",
    );
    world
}

#[track_caller]
fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "no {needle:?} in:\n{text}");
}

fn redact(text: &str, world: &World) -> String {
    text.replace(&world.url(), "[URL]")
}

#[test]
fn a_plan_lists_every_field_of_a_create_and_what_a_delete_removes() {
    let world = mixed_world();
    let plan = world.run(&["plan", "--env", "dev", "--prune"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    insta::assert_snapshot!("plan_text", redact(&plan.stdout, &world));
}

#[test]
fn compact_plans_keep_one_line_per_change() {
    let world = mixed_world();
    let plan = world.run(&["plan", "--env", "dev", "--prune", "--compact"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_contains(
        &plan.stdout,
        "- delete tenant globex\n+ create tenant initech\n",
    );
    assert!(!plan.stdout.contains("initech.com"), "{}", plan.stdout);
}

#[test]
fn colors_are_terraform_s_when_on() {
    let world = mixed_world();
    let plan = world.run(&["plan", "--env", "dev", "--prune", "--color", "always"]);
    assert_contains(&plan.stdout, "\x1b[32m+ create tenant initech");
    assert_contains(&plan.stdout, "\x1b[33m~ update tenant acme-corp");
    assert_contains(&plan.stdout, "\x1b[31m- delete tenant globex");
}

#[test]
fn markdown_plan_has_a_summary_table_and_collapsible_details() {
    let world = mixed_world();
    let plan = world.run(&["plan", "--env", "dev", "--prune", "--format", "markdown"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    insta::assert_snapshot!("plan_markdown", redact(&plan.stdout, &world));
    let all = world.run(&["drift", "--env", "all", "--format", "markdown"]);
    assert_eq!(all.code, 2, "{}", all.stderr);
    assert_contains(
        &all.stdout,
        "| qa | - | - | - | - | - | skipped: management_key is empty |",
    );
    assert_contains(&all.stdout, "<details><summary>dev");
}

#[test]
fn markdown_is_refused_where_it_means_nothing() {
    let world = mixed_world();
    let list = world.run(&["tenant", "list", "--env", "dev", "--format", "markdown"]);
    assert_eq!(list.code, 64, "{}", list.stderr);
}

#[test]
fn tenant_diff_detailed_exitcode_exits_2_for_an_unmanaged_live_tenant() {
    let world = World::new("tenants:\n  - id: acme-corp\n    name: Acme Corporation\n");
    assert_eq!(world.run(&["tenant", "sync", "--env", "dev"]).code, 0);
    let clean = world.run(&["tenant", "diff", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    world.create_tenant("stray-co", "Stray");
    let diff = world.run(&["tenant", "diff", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(diff.code, 2, "{}", diff.stdout);
    assert_contains(&diff.stdout, "stray-co");
    let all = world.run(&["tenant", "diff", "--env", "all", "--detailed-exitcode"]);
    assert_eq!(all.code, 2, "{}", all.stdout);
    // With --prune, the diff previews the deletion exactly as `sync --prune` would do it.
    let prune = world.run(&[
        "tenant", "diff", "--env", "dev", "--prune", "--target", "stray-co",
    ]);
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert_contains(&prune.stdout, "- delete tenant stray-co");
    assert_eq!(
        world.tenant_ids(),
        ["acme-corp", "stray-co"],
        "diff never writes"
    );
}

#[test]
fn lists_are_sorted_by_identity_unless_sort_says_otherwise() {
    let world = World::new("tenants: []\n");
    for (id, name) in [
        ("delta-co", "Alpha"),
        ("bravo-co", "Charlie"),
        ("alpha-co", "Delta"),
        ("charlie-co", "Bravo"),
    ] {
        world.create_tenant(id, name);
    }
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["tenant", "list", "--env", "dev", "--format", "json"];
        all.extend(args);
        let listed = world.run(&all);
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        parse(&listed.stdout)["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&[]), ["alpha-co", "bravo-co", "charlie-co", "delta-co"]);
    assert_eq!(
        ids(&["--sort", "name"]),
        ["delta-co", "charlie-co", "bravo-co", "alpha-co"]
    );
    let table = world.run(&["tenant", "list", "--env", "dev", "--sort", "name"]);
    let first = table.stdout.find("delta-co").unwrap();
    assert!(
        first < table.stdout.find("alpha-co").unwrap(),
        "{}",
        table.stdout
    );
}

#[test]
fn doctor_passes_for_a_healthy_environment() {
    let world = World::new("tenants:\n  - id: acme-corp\n    name: Acme Corporation\n");
    let writes = world.writes();
    let doctor = world.run(&["doctor", "--env", "dev"]);
    assert_eq!(doctor.code, 0, "{}\n{}", doctor.stdout, doctor.stderr);
    for check in [
        "configuration",
        "variables",
        "reachable",
        "key",
        "read tenant",
        "read role",
        "read permission",
        "clock",
        "state directory",
    ] {
        assert!(
            doctor.stdout.contains(check),
            "no {check} check:\n{}",
            doctor.stdout
        );
    }
    assert!(!doctor.stdout.contains("FAIL"), "{}", doctor.stdout);
    assert_eq!(world.writes(), writes, "doctor never writes");
}

#[test]
fn doctor_names_a_wrong_key_with_a_fix() {
    let world = World::new("tenants: []\n");
    let doctor = run(world.cli(&["doctor", "--env", "dev"]).env("KEY", "K2wrong"));
    assert_eq!(doctor.code, 1, "{}\n{}", doctor.stdout, doctor.stderr);
    assert!(
        doctor
            .stdout
            .lines()
            .any(|line| line.contains(" key ") && line.contains("FAIL")),
        "{}",
        doctor.stdout
    );
    assert!(
        doctor.stdout.contains("management_key"),
        "the fix names the setting:\n{}",
        doctor.stdout
    );
    assert!(!doctor.stdout.contains("K2wrong") && !doctor.stderr.contains("K2wrong"));
}

#[test]
fn doctor_names_an_unreachable_base_url() {
    let world = World::new("tenants: []\n");
    // Port 1 on loopback refuses connections at once.
    let config = std::fs::read_to_string(world.path("descope.yaml"))
        .unwrap()
        .replace(&world.url(), "http://127.0.0.1:1");
    std::fs::write(world.path("descope.yaml"), config).unwrap();
    let doctor = world.run(&["doctor", "--env", "dev"]);
    assert_eq!(doctor.code, 1, "{}\n{}", doctor.stdout, doctor.stderr);
    assert!(
        doctor
            .stdout
            .lines()
            .any(|line| line.contains(" reachable ") && line.contains("FAIL")),
        "{}",
        doctor.stdout
    );
    assert!(
        doctor.stdout.contains("base_url"),
        "the fix names the setting:\n{}",
        doctor.stdout
    );
}

#[test]
fn doctor_all_checks_every_environment() {
    let world = World::new("tenants: []\n");
    let doctor = world.run(&["doctor", "--env", "all"]);
    assert_eq!(doctor.code, 1, "qa has no key:\n{}", doctor.stdout);
    for env in ["dev", "prod", "qa"] {
        assert!(doctor.stdout.contains(env), "{env}:\n{}", doctor.stdout);
    }
}

#[test]
fn progress_without_a_terminal_prints_a_line_per_tenth_or_five_seconds() {
    let mut tenants = String::from("tenants:\n");
    for n in 0..1_000 {
        tenants.push_str(&format!("  - id: tenant-{n:04}\n    name: Tenant {n}\n"));
    }
    let world = World::new(&tenants);
    let report_file = world.path("run.json");
    let applied = world.run(&[
        "apply",
        "--env",
        "dev",
        "--report",
        report_file.to_str().unwrap(),
    ]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let lines = applied
        .stderr
        .lines()
        .filter(|line| line.starts_with("progress: "))
        .count();
    let wall_ms = super::sync_support::read_json(&report_file)["wall_ms"]
        .as_u64()
        .unwrap();
    // One line per tenth of the work, plus at most one per 5 s of the run's own clock.
    let heartbeats = usize::try_from(wall_ms / 5_000).unwrap();
    assert!(
        lines >= 10 && lines <= 10 + heartbeats,
        "{lines} lines in {wall_ms} ms:\n{}",
        applied.stderr
    );
    assert_contains(&applied.stderr, "progress: 1000/1000 changes");
}
