//! Honest call counts: a plan states the calls it read with and what applying it costs; apply
//! makes exactly that many (what `/emulator/stats` records), sends role and permission changes
//! as one batch per phase (one call each again when a server refuses batches), and a tenant
//! update leaves default roles alone unless they change.

use serde_json::{Value, json};

use super::world::{World, parse};

/// `plan --format json`'s `calls` block, with the emulator's count of the plan's requests.
fn plan_calls(world: &World, extra: &[&str]) -> Value {
    world.reset_stats();
    let mut args = vec!["plan", "--env", "dev", "--format", "json"];
    args.extend_from_slice(extra);
    let plan = world.run(&args);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let calls = parse(&plan.stdout)["calls"].clone();
    assert_eq!(calls["read"], json!(world.requests()), "{calls}");
    calls
}

/// Applies with `extra` flags after checking the plan's estimate against what the emulator
/// records for the apply; returns the run's `api` block.
fn apply_as_estimated(world: &World, extra: &[&str]) -> Value {
    let calls = plan_calls(world, extra);
    world.reset_stats();
    let mut args = vec!["apply", "--env", "dev", "--format", "json", "--no-progress"];
    args.extend_from_slice(extra);
    let apply = world.run(&args);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let api = parse(&apply.stdout)["result"]["api"].clone();
    // Apply re-reads; it may read fewer than the plan did when the plan warmed the flow cache.
    let read = api["read_requests"].as_u64().unwrap();
    assert!(read <= calls["read"].as_u64().unwrap(), "{api} {calls}");
    let estimate = calls["apply"].as_u64().unwrap();
    assert_eq!(api["minimum_write_calls"], json!(estimate), "{api}");
    assert_eq!(api["write_requests"], json!(estimate), "{api}");
    assert_eq!(world.requests(), read + estimate, "{}", world.stats());
    // Tenant sign-in parts are loaded before they are written: part of the cost, not writes.
    assert!(world.writes() <= estimate, "{}", world.stats());
    api
}

const THREE_EACH: &str = "permissions:
  - {name: p.one, description: One}
  - {name: p.two, description: Two}
  - {name: p.three, description: Three}
roles:
  - {name: r-one, description: One, permissions: [p.one]}
  - {name: r-two, description: Two, permissions: [p.two]}
  - {name: r-three, description: Three, permissions: [p.three]}
tenants:
  - {id: t-one, name: One, default_roles: [r-one]}
  - {id: t-two, name: Two}
";

#[test]
fn the_estimate_is_what_apply_sends_for_creates_updates_and_deletes() {
    let world = World::new(THREE_EACH);
    // Creates: one permission batch, one role batch, t-one's create and default roles, t-two.
    let api = apply_as_estimated(&world, &[]);
    assert_eq!(api["minimum_write_calls"], json!(5), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/role/create/batch"), 1);
    assert_eq!(world.route("POST /v1/mgmt/permission/create/batch"), 1);

    // Updates: two roles and two permissions (one batch each), a lone role alone, two tenants
    // of which only one changes its default roles.
    world.write_config(
        "permissions:
  - {name: p.one, description: One!}
  - {name: p.two, description: Two!}
  - {name: p.three, description: Three}
roles:
  - {name: r-one, description: One!, permissions: [p.one]}
  - {name: r-two, description: Two!, permissions: [p.two]}
  - {name: r-three, description: Three, permissions: [p.three]}
  - {name: r-four, description: Four, permissions: [p.three]}
tenants:
  - {id: t-one, name: One renamed, default_roles: [r-one]}
  - {id: t-two, name: Two, default_roles: [r-two]}
",
    );
    let api = apply_as_estimated(&world, &[]);
    // p batch, r-four create, r batch, t-one update, t-two update and its default roles.
    assert_eq!(api["minimum_write_calls"], json!(6), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/tenant/updateDefaultRoles"), 1);
    assert_eq!(world.route("POST /v1/mgmt/role/create"), 1);

    // Deletes: tenants one by one, roles and permissions in one batch each.
    world.write_config("permissions:\n  - {name: p.three, description: Three}\n");
    let api = apply_as_estimated(&world, &["--prune"]);
    assert_eq!(api["minimum_write_calls"], json!(4), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/role/delete/batch"), 1);
    assert_eq!(world.route("POST /v1/mgmt/permission/delete/batch"), 1);
    assert_eq!(world.role_names(), ["Tenant Admin"]);
}

#[test]
fn a_tenant_update_that_keeps_its_default_roles_makes_one_call() {
    let world = World::new(THREE_EACH);
    apply_as_estimated(&world, &[]);
    world.write_config(&THREE_EACH.replace("name: One,", "name: One renamed,"));
    let api = apply_as_estimated(&world, &[]);
    assert_eq!(api["minimum_write_calls"], json!(1), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/tenant/update"), 1);
    assert_eq!(world.route("POST /v1/mgmt/tenant/updateDefaultRoles"), 0);
    let tenant = world.get("/v1/mgmt/tenant?id=t-one");
    assert_eq!(tenant["defaultRoles"], json!(["r-one"]), "{tenant}");
}

#[test]
fn a_batched_role_update_keeps_the_live_default_and_private_flags() {
    let world = World::new(THREE_EACH);
    apply_as_estimated(&world, &[]);
    for name in ["r-one", "r-two"] {
        world.post(
            "/v1/mgmt/role/update",
            json!({"name": name, "newName": name, "description": "console", "permissionNames": [],
                   "default": true, "private": true}),
        );
    }
    // The configuration leaves `default` and `private` alone: the batch must send the live ones.
    apply_as_estimated(&world, &[]);
    assert_eq!(world.route("POST /v1/mgmt/role/update/batch"), 1);
    let roles = world.get("/v1/mgmt/role/all");
    for name in ["r-one", "r-two"] {
        let role = roles["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|role| role["name"] == name)
            .unwrap();
        assert_eq!(
            role["description"],
            json!(name.replace("r-o", "O").replace("r-t", "T"))
        );
        assert_eq!(
            (role["default"].clone(), role["private"].clone()),
            (json!(true), json!(true)),
            "{role}"
        );
    }
}

#[test]
fn refused_batches_fall_back_to_one_call_per_change_and_the_run_says_so() {
    let world = World::new(THREE_EACH);
    world.faults(json!({"refuseBatches": true}));
    let apply = world.run(&["apply", "--env", "dev", "--format", "json", "--no-progress"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let api = parse(&apply.stdout)["result"]["api"].clone();
    // Each refused batch is one extra request beyond the minimum.
    assert_eq!(api["minimum_write_calls"], json!(5), "{api}");
    assert_eq!(api["write_requests"], json!(5 + 3 + 3), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/role/create"), 3);
    assert_eq!(world.route("POST /v1/mgmt/permission/create"), 3);
    let plan = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn the_plan_text_states_reads_calls_and_time_at_the_rate_limit() {
    let world = World::new(THREE_EACH);
    let plan = world.run(&["plan", "--env", "dev"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let reads = world.requests();
    let expected =
        format!("API: {reads} calls to read; applying takes ≈ 5 calls, under 1 s at 10000 per 1 s");
    assert!(plan.stdout.contains(&expected), "{}", plan.stdout);
    let dry_run = world.run(&["apply", "--env", "dev", "--dry-run"]);
    assert!(
        dry_run.stdout.contains("applying takes ≈ 5 calls"),
        "{}",
        dry_run.stdout
    );
    let apply = world.run(&["apply", "--env", "dev", "--no-progress"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stderr.contains(&format!(
            "calls ({reads} to read, 5 to write; the plan needed 5)"
        )),
        "{}",
        apply.stderr
    );
}

/// The README's example configuration (`config/descope.yaml`), its resources pointed at this
/// world's emulator, with the flow and theme files it names.
fn example_world() -> World {
    let root = super::support::repo_root().join("config");
    let example = std::fs::read_to_string(root.join("descope.yaml")).unwrap();
    let dev = "    project_id: ${DESCOPE_DEV_PROJECT_ID:-P2devPlaceholder}\n    management_key: ${DESCOPE_DEV_MANAGEMENT_KEY:-}\n";
    assert!(example.contains(dev), "the example's dev block changed");
    let world = World::new("");
    let url = world.url();
    world.write_file(
        "descope.yaml",
        &example.replace(
            dev,
            &format!(
                "    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: {url}\n    rate_limit: {{requests: 10000, per_seconds: 1}}\n"
            ),
        ),
    );
    for dir in ["flows", "themes"] {
        std::fs::create_dir_all(world.path(dir)).unwrap();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, world.path(dir).join(path.file_name().unwrap())).unwrap();
        }
    }
    world
}

#[test]
fn applying_the_example_to_an_empty_project_reads_each_kind_once_and_batches_roles_and_permissions()
{
    let world = example_world();
    let plan = world.run(&["plan", "--env", "dev", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan = parse(&plan.stdout);
    let changes: Vec<&Value> = plan["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|change| change["action"] != "unchanged")
        .collect();
    let count = |kind: &str| changes.iter().filter(|c| c["kind"] == kind).count() as u64;
    let tenants_with_default_roles = changes
        .iter()
        .filter(|c| {
            c["kind"] == "tenant" && !c["after"]["default_roles"].as_array().unwrap().is_empty()
        })
        .count() as u64;
    let tenants = count("tenant");
    // The emulator's default project already holds the example's flow and theme.
    assert_eq!((tenants, tenants_with_default_roles), (12, 6), "{plan}");

    let estimate = plan["calls"]["apply"].as_u64().unwrap();
    world.reset_stats();
    let apply = world.run(&["apply", "--env", "dev", "--format", "json", "--no-progress"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let api = parse(&apply.stdout)["result"]["api"].clone();
    assert_eq!(world.route("POST /v1/mgmt/role/create/batch"), 1);
    assert_eq!(world.route("POST /v1/mgmt/permission/create/batch"), 1);
    assert_eq!(world.route("POST /v1/mgmt/tenant/create"), tenants);
    assert_eq!(
        world.route("POST /v1/mgmt/tenant/updateDefaultRoles"),
        tenants_with_default_roles
    );
    // acme-corp's session, SSO and tenant role are loaded and written after its create: counted.
    assert_eq!(api["minimum_write_calls"], json!(estimate), "{api}");
    assert_eq!(api["write_requests"], json!(estimate), "{api}");
    assert_eq!(
        world.requests(),
        api["read_requests"].as_u64().unwrap() + estimate,
        "{}",
        world.stats()
    );
    let again = world.run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

/// The example's sign-in flow under another id and name, in this world's directory.
fn write_flow(world: &World, id: &str, name: &str) {
    let root = super::support::repo_root().join("config/flows/sign-in.json");
    let mut flow: Value = serde_json::from_slice(&std::fs::read(root).unwrap()).unwrap();
    flow["flowId"] = json!(id);
    flow["metadata"]["name"] = json!(name);
    world.write_file(&format!("{id}.json"), &flow.to_string());
}

#[test]
fn the_estimate_is_what_apply_sends_for_flows() {
    let world = World::new("");
    let flows =
        "flows:\n  - {id: calls-a, file: calls-a.json}\n  - {id: calls-b, file: calls-b.json}\n";
    write_flow(&world, "calls-a", "A");
    write_flow(&world, "calls-b", "B");
    world.write_config(flows);
    let api = apply_as_estimated(&world, &[]);
    assert_eq!(api["minimum_write_calls"], json!(2), "{api}");

    write_flow(&world, "calls-a", "A renamed");
    let api = apply_as_estimated(&world, &[]);
    assert_eq!(api["minimum_write_calls"], json!(1), "{api}");

    world.write_config("flows:\n  - {id: calls-a, file: calls-a.json}\n");
    let api = apply_as_estimated(&world, &["--prune"]);
    assert_eq!(api["minimum_write_calls"], json!(1), "{api}");
    assert_eq!(world.route("POST /v1/mgmt/flow/delete"), 1);
}

#[test]
fn an_unpaced_environment_s_plan_says_so_instead_of_a_time() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: state/local.json\ntenants:\n  - {id: t-one, name: One}\n",
    )
    .unwrap();
    let plan = |format: &str| {
        super::support::run(super::support::descope_mgmt(dir.path()).args([
            "-c",
            "descope.yaml",
            "plan",
            "--env",
            "local",
            "--format",
            format,
        ]))
    };
    let text = plan("table");
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("applying takes ≈ 1 call (not paced)"),
        "{}",
        text.stdout
    );
    let calls = parse(&plan("json").stdout)["calls"].clone();
    assert_eq!(calls["apply"], json!(1), "{calls}");
    assert_eq!(
        (calls["rate_limit"].clone(), calls["apply_seconds"].clone()),
        (Value::Null, Value::Null)
    );
}

const SIGNED_IN: &str = r#"
roles:
  - {name: viewer, description: Views}
tenants:
  - id: acme
    name: Acme
    default_roles: [viewer]
    roles:
      - {name: acme-auditor, description: Audits}
      - {name: acme-clerk, description: Files}
    session:
      refresh_token_expiration: 30d
      inactivity_timeout: 2h
    password_policy:
      min_length: 14
    sso:
      type: oidc
      name: Acme Okta
      client_id: acme-client
      client_secret: ${ACME_SECRET:-placeholder-not-a-secret}
      issuer: https://acme.okta.com
      auth_url: https://acme.okta.com/oauth2/v1/authorize
      token_url: https://acme.okta.com/oauth2/v1/token
      domains: [acme.com]
"#;

#[test]
fn the_estimate_counts_the_loads_and_writes_of_tenant_sign_in_parts() {
    let world = World::new(SIGNED_IN);
    let created = apply_as_estimated(&world, &[]);
    assert!(
        created["minimum_write_calls"].as_u64().unwrap() > 4,
        "sign-in parts add calls to the tenant's create: {created}"
    );

    // Each part changes: one role edited, one dropped (pruned), session, policy and SSO edited.
    let edited = SIGNED_IN
        .replace("description: Audits", "description: Audits everything")
        .replace("      - {name: acme-clerk, description: Files}\n", "")
        .replace("inactivity_timeout: 2h", "inactivity_timeout: 3h")
        .replace("min_length: 14", "min_length: 16")
        .replace("name: Acme Okta", "name: Acme Okta EU");
    world.write_config(&edited);
    apply_as_estimated(&world, &["--prune"]);

    // Nothing left to change: the plan is empty and costs nothing to apply.
    let calls = plan_calls(&world, &[]);
    assert_eq!(calls["apply"], json!(0), "{calls}");
}
