//! `export --env E --out DIR`: the live project written as a configuration that plans empty
//! against it: `DIR/descope.yaml` (the environment, its credentials as `${…}` placeholders), one
//! `DIR/flows/<id>.json` per flow and `DIR/themes/default.json`. The project's password policy
//! and each tenant's sign-in blocks are read and written by [`sign_in`]; the roles and
//! permissions a partial export's resources name are exported with them, so that the file
//! always validates.
//!
//! Byte-stable by construction: the snapshot is sorted by identity, every JSON object's keys are
//! sorted ([`canonical`]), and nothing time- or run-dependent is written, so a scheduled export
//! committed to git shows only real changes. Built-in roles and permissions and fields the server
//! sets (a tenant's unmodelled wire fields, a role's `systemDefault`) are left out; the optional
//! lossless fields are written only when they hold something, since an absent one means "leave
//! the live value alone" and plans empty either way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use descope_mgmt_core::config::{Connection, EnvironmentConfig};
use descope_mgmt_core::document::canonical;
use descope_mgmt_core::plan::{ResourceKind, ResourceSet};
use descope_mgmt_core::resource::{Flow, Permission, Role, Tenant};
use serde_json::{Map, Value, json};

mod sign_in;

use crate::cli::ExportArgs;
use crate::exit::{CliError, Exit};
use crate::pipeline::{self, snapshot};
use crate::printer::to_yaml_config;
use crate::report::{ExportReport, FORMAT_VERSION};
use crate::settings::Settings;

/// Where the theme goes inside the export folder (the example configuration's name).
const THEME_FILE: &str = "themes/default.json";

pub fn run(settings: &Settings, args: &ExportArgs) -> Result<(), CliError> {
    let env = settings.one_env()?.as_str().to_owned();
    let config = pipeline::load_for_env(settings, &env)?;
    // Checked before connecting: a refused export sends nothing.
    check_out_dir(&args.out, args.force)?;
    let kinds: Vec<ResourceKind> = if args.kinds.is_empty() {
        ResourceKind::ALL.to_vec()
    } else {
        args.kinds.clone()
    };
    let read_kinds = with_referenced_kinds(&kinds);
    let project = crate::connect::runtime()?.block_on(crate::connect::with_connection(
        &config,
        &env,
        async |connected| {
            let client = connected.client();
            let mut raw = pipeline::read_raw(client, &read_kinds, &env).await?;
            // Every project has a policy, so the snapshot drops it as Descope's; export keeps it.
            let policy = std::mem::take(&mut raw.password_policy);
            let mut live = snapshot::owned_by_project(raw);
            live.password_policy = policy;
            let sign_in = match kinds.contains(&ResourceKind::Tenant) {
                true => sign_in::read(client, &live.tenants, &env).await?,
                false => BTreeMap::new(),
            };
            Ok((live, sign_in, client.project_id().to_owned()))
        },
    ))?;
    let (mut live, sign_in, project_id) = project;
    let project_policy: Map<String, Value> = live
        .password_policy
        .first()
        .map(|policy| policy.fields.clone().into_iter().collect())
        .unwrap_or_default();
    keep_kinds_and_references(&mut live, &kinds, &sign_in);
    let environment = config
        .environment(&env)
        .ok_or_else(|| CliError::new(Exit::Usage, format!("no environment `{env}`")))?;
    let files = export_files(
        &env,
        environment,
        &project_id,
        &live,
        &sign_in,
        &project_policy,
    );
    for (relative, text) in &files {
        write_file(&args.out.join(relative), text)?;
    }
    remove_stale_flows(&args.out, &files)?;
    let counts: BTreeMap<String, usize> = kinds
        .iter()
        .map(|kind| {
            (
                kind.to_string(),
                live.iter_any().filter(|r| r.kind() == *kind).count(),
            )
        })
        .collect();
    let report = ExportReport {
        format_version: FORMAT_VERSION,
        env: env.clone(),
        out: args.out.display().to_string(),
        files: files
            .iter()
            .map(|(relative, _)| relative.display().to_string())
            .collect(),
        counts,
    };
    settings.printer.report(&report, || {
        let counted: Vec<String> = kinds
            .iter()
            .map(|kind| format!("{kind} {}", report.counts[kind.as_str()]))
            .collect();
        format!("exported `{env}` to {}: {}", report.out, counted.join(", "))
    })?;
    Ok(())
}

/// The kinds to read for `kinds`: tenants name roles (default roles, SSO role mappings) and
/// roles name permissions, so exporting tenants without them would not validate; the ones named
/// are exported with them ([`keep_kinds_and_references`]), and the project's password policy is
/// read to tell a tenant's own policy from the project's.
fn with_referenced_kinds(kinds: &[ResourceKind]) -> Vec<ResourceKind> {
    let mut read = kinds.to_vec();
    if kinds.contains(&ResourceKind::Tenant) {
        read.extend([
            ResourceKind::Role,
            ResourceKind::Permission,
            ResourceKind::PasswordPolicy,
        ]);
    }
    if kinds.contains(&ResourceKind::Role) {
        read.push(ResourceKind::Permission);
    }
    read.sort();
    read.dedup();
    read
}

/// Drops from `live` what was read only to resolve references: roles the tenants do not name,
/// permissions no kept role (or tenant role) names, and the project's password policy unless
/// asked for.
fn keep_kinds_and_references(
    live: &mut ResourceSet,
    kinds: &[ResourceKind],
    sign_in: &BTreeMap<String, sign_in::TenantSignIn>,
) {
    if !kinds.contains(&ResourceKind::Role) {
        let named: BTreeSet<String> = live
            .tenants
            .iter()
            .flat_map(|tenant| tenant.default_roles.iter().cloned())
            .chain(sign_in.values().flat_map(|read| read.sso_role_names()))
            .collect();
        live.roles.retain(|role| named.contains(&role.name));
    }
    if !kinds.contains(&ResourceKind::Permission) {
        let named: BTreeSet<String> = live
            .roles
            .iter()
            .flat_map(|role| role.permission_names.iter())
            .chain(sign_in.values().flat_map(|read| read.permission_names()))
            .cloned()
            .collect();
        live.permissions
            .retain(|permission| named.contains(&permission.name));
    }
    if !kinds.contains(&ResourceKind::PasswordPolicy) {
        live.password_policy.clear();
    }
}

/// Refuses (exit 3) a folder that holds anything unless `force`: an export must not mix with, or
/// silently overwrite, files someone wrote.
fn check_out_dir(out: &Path, force: bool) -> Result<(), CliError> {
    if force || !out.exists() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(out)
        .map_err(|error| CliError::config_invalid(format!("--out {}: {error}", out.display())))?;
    if entries.next().is_some() {
        return Err(CliError::config_invalid(format!(
            "--out {} is not empty; nothing was exported",
            out.display()
        ))
        .with_hint("choose an empty or new folder, or pass --force to overwrite the files an export writes"));
    }
    Ok(())
}

/// Removes the flow files an earlier export wrote for flows the project no longer has, so that a
/// re-export (`--force`) into the same folder is the project as it is now and git shows the
/// deletion. Only `flows/*.json` is touched: the folder an export owns.
fn remove_stale_flows(out: &Path, written: &[(PathBuf, String)]) -> Result<(), CliError> {
    let flows = out.join("flows");
    let Ok(entries) = std::fs::read_dir(&flows) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let stale = path.extension().is_some_and(|ext| ext == "json")
            && !written
                .iter()
                .any(|(relative, _)| out.join(relative) == path);
        if stale {
            std::fs::remove_file(&path).map_err(|error| {
                CliError::new(
                    Exit::Error,
                    format!("cannot remove {}: {error}", path.display()),
                )
            })?;
        }
    }
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, text));
    written.map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot write {}: {error}", path.display()),
        )
    })
}

/// Every file of the export, by path relative to the folder, with its text.
fn export_files(
    env: &str,
    environment: &EnvironmentConfig,
    project_id: &str,
    live: &ResourceSet,
    sign_in: &BTreeMap<String, sign_in::TenantSignIn>,
    project_policy: &Map<String, Value>,
) -> Vec<(PathBuf, String)> {
    let mut document = Map::new();
    document.insert("version".into(), json!("1.0"));
    document.insert(
        "environments".into(),
        json!({ env: environment_entry(environment) }),
    );
    let mut files = Vec::new();
    if !live.permissions.is_empty() {
        document.insert(
            "permissions".into(),
            live.permissions.iter().map(permission_entry).collect(),
        );
    }
    if !live.roles.is_empty() {
        document.insert("roles".into(), live.roles.iter().map(role_entry).collect());
    }
    if !live.password_policy.is_empty() {
        document.insert(
            "password_policy".into(),
            Value::Object(sign_in::password_policy_block(project_policy)),
        );
    }
    if !live.tenants.is_empty() {
        let entries = live.tenants.iter().map(|tenant| {
            let mut entry = tenant_entry(tenant);
            if let (Value::Object(fields), Some(read)) = (&mut entry, sign_in.get(&tenant.id)) {
                sign_in::add_blocks(fields, read, project_policy);
            }
            entry
        });
        document.insert("tenants".into(), entries.collect());
    }
    if !live.flows.is_empty() {
        let mut entries = Vec::new();
        let mut taken = std::collections::BTreeSet::new();
        for flow in &live.flows {
            let file = flow_file(&flow.id, &mut taken);
            entries.push(flow_entry(flow, &file));
            files.push((PathBuf::from(file), json_text(&flow.document)));
        }
        document.insert("flows".into(), Value::Array(entries));
    }
    if let Some(theme) = live.themes.first() {
        document.insert("themes".into(), json!({ "file": THEME_FILE }));
        files.push((PathBuf::from(THEME_FILE), json_text(&theme.document)));
    }
    let mut yaml = format!(
        "# descope-mgmt export of environment `{env}`. Credentials come from the variables named\n# below; no key is ever written here.\n"
    );
    let mut document = escape_interpolation(Value::Object(document));
    // After escaping, so that these stay variable references.
    let prefix = variable_prefix(env);
    if let Some(tenants) = document.get_mut("tenants") {
        sign_in::add_secret_references(tenants, &prefix);
    }
    if let Connection::Project { .. } = environment.connection() {
        document["environments"][env]["project_id"] =
            json!(format!("${{{prefix}_PROJECT_ID:-{project_id}}}"));
        document["environments"][env]["management_key"] =
            json!(format!("${{{prefix}_MANAGEMENT_KEY}}"));
    }
    yaml.push_str(&to_yaml_config(&document));
    files.insert(0, (PathBuf::from("descope.yaml"), yaml));
    files
}

/// The environment's entry: where it connects and its settings. The credentials of a project
/// environment are filled in by the caller as `${DESCOPE_<ENV>_PROJECT_ID:-<id>}` and
/// `${DESCOPE_<ENV>_MANAGEMENT_KEY}` (the README's CI convention; the project id is the default
/// since it is not a secret).
fn environment_entry(environment: &EnvironmentConfig) -> Value {
    let mut entry = Map::new();
    match environment.connection() {
        Connection::Emulator { state_file } => {
            let path = std::path::absolute(state_file).unwrap_or_else(|_| state_file.clone());
            entry.insert("emulator".into(), json!(path.display().to_string()));
        }
        Connection::Project { .. } => {
            // Placeholders keep the key order stable; the values are set after escaping.
            entry.insert("project_id".into(), Value::Null);
            entry.insert("management_key".into(), Value::Null);
        }
    }
    if let Some(base_url) = environment.base_url() {
        entry.insert("base_url".into(), json!(base_url));
    }
    if environment.protected() {
        entry.insert("protected".into(), json!(true));
    }
    if let Some(rate) = environment.pacing() {
        entry.insert(
            "rate_limit".into(),
            json!({"requests": rate.requests, "per_seconds": rate.per_seconds}),
        );
    }
    if let Some(seconds) = environment.timeout_seconds() {
        entry.insert("timeout_seconds".into(), json!(seconds));
    }
    Value::Object(entry)
}

/// `DESCOPE_STAGING_EU` for `staging-eu`.
fn variable_prefix(env: &str) -> String {
    format!("DESCOPE_{}", sign_in::shout(env))
}

/// Every `${` in a live string is data, not a variable: the loader reads `$${` as a literal.
fn escape_interpolation(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace("${", "$${")),
        Value::Array(items) => items.into_iter().map(escape_interpolation).collect(),
        Value::Object(fields) => fields
            .into_iter()
            .map(|(key, field)| (key, escape_interpolation(field)))
            .collect(),
        other => other,
    }
}

fn permission_entry(permission: &Permission) -> Value {
    let mut entry = Map::new();
    entry.insert("name".into(), json!(permission.name));
    if !permission.description.is_empty() {
        entry.insert("description".into(), json!(permission.description));
    }
    Value::Object(entry)
}

fn role_entry(role: &Role) -> Value {
    let mut entry = Map::new();
    entry.insert("name".into(), json!(role.name));
    if !role.description.is_empty() {
        entry.insert("description".into(), json!(role.description));
    }
    if !role.permission_names.is_empty() {
        entry.insert("permissions".into(), json!(role.permission_names));
    }
    for (field, flag) in [("default", role.default), ("private", role.private)] {
        if flag == Some(true) {
            entry.insert(field.into(), json!(true));
        }
    }
    Value::Object(entry)
}

fn tenant_entry(tenant: &Tenant) -> Value {
    let mut entry = Map::new();
    entry.insert("id".into(), json!(tenant.id));
    entry.insert("name".into(), json!(tenant.name));
    if !tenant.self_provisioning_domains.is_empty() {
        entry.insert("domains".into(), json!(tenant.self_provisioning_domains));
        entry.insert("self_provisioning".into(), json!(true));
    }
    if !tenant.custom_attributes.is_empty() {
        entry.insert(
            "custom_attributes".into(),
            canonical(&json!(tenant.custom_attributes)),
        );
    }
    if !tenant.default_roles.is_empty() {
        entry.insert("default_roles".into(), json!(tenant.default_roles));
    }
    for (field, flag) in [
        ("enforce_sso", tenant.enforce_sso),
        ("disabled", tenant.disabled),
    ] {
        if flag {
            entry.insert(field.into(), json!(true));
        }
    }
    for (field, list) in [
        ("enforce_sso_exclusions", &tenant.enforce_sso_exclusions),
        ("federated_app_ids", &tenant.federated_app_ids),
    ] {
        if let Some(list) = list.as_ref().filter(|list| !list.is_empty()) {
            entry.insert(field.into(), json!(list));
        }
    }
    for (field, text) in [
        ("role_inheritance", &tenant.role_inheritance),
        ("parent", &tenant.parent),
    ] {
        if let Some(text) = text.as_ref().filter(|text| !text.is_empty()) {
            entry.insert(field.into(), json!(text));
        }
    }
    Value::Object(entry)
}

/// `flows/<id>.json`, the id made safe as a file name: a live flow id is data from the server
/// and must not reach outside the folder (`../x`) or hide (`.x`); distinct ids that come out
/// the same get `-2`, `-3`…
fn flow_file(id: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut stem: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        stem.push('_');
    }
    let mut candidate = stem.clone();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{stem}-{n}");
    }
    format!("flows/{candidate}.json")
}

fn flow_entry(flow: &Flow, file: &str) -> Value {
    let disabled = flow.document["metadata"]["disabled"].as_bool() == Some(true);
    let mut entry = Map::new();
    entry.insert("id".into(), json!(flow.id));
    entry.insert("file".into(), json!(file));
    if disabled {
        entry.insert("enabled".into(), json!(false));
    }
    Value::Object(entry)
}

/// Pretty JSON with sorted keys and a final newline.
fn json_text(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&canonical(document)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::flow_file;

    #[test]
    fn a_flow_id_never_names_a_file_outside_the_flows_folder() {
        let mut taken = BTreeSet::new();
        let files: Vec<String> = ["sign-in", "../../etc/x", ".hidden", "a/b", "a_b", ""]
            .into_iter()
            .map(|id| flow_file(id, &mut taken))
            .collect();
        assert_eq!(
            files,
            [
                "flows/sign-in.json",
                "flows/______etc_x.json",
                "flows/_hidden.json",
                "flows/a_b.json",
                "flows/a_b-2.json",
                "flows/_.json",
            ]
        );
    }
}
