//! Generates a large, valid configuration for the `validate` benchmark: `tenants` tenants with
//! domains, custom attributes and default roles, plus permissions, roles, five environments
//! with `${VAR:-default}` credentials and one flow file.

use std::fmt::Write as _;
use std::path::Path;

pub fn write_config(dir: &Path, tenants: usize) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir.join("flows"))?;
    std::fs::write(
        dir.join("flows/sign-in.json"),
        include_str!("../config/flows/sign-in.json"),
    )?;
    let path = dir.join("descope.yaml");
    std::fs::write(&path, config_text(tenants))?;
    Ok(path)
}

/// The same portfolio built from five tenant templates and checked by ten policies (issue 14's
/// benchmark): each tenant names two templates and keeps only its own fields.
pub fn write_templated_config(dir: &Path, tenants: usize) -> std::io::Result<std::path::PathBuf> {
    let path = write_config(dir, tenants)?;
    let plain = config_text(tenants);
    let (head, _) = plain.split_once("tenants:\n").unwrap_or((&plain, ""));
    let mut text = head.to_owned();
    text.push_str(
        "templates:\n  base:\n    self_provisioning: true\n    custom_attributes: { type: portfolio }\n  growth:\n    custom_attributes: { tier: growth }\n  enterprise:\n    enforce_sso: false\n    custom_attributes: { tier: growth }\n  eu:\n    custom_attributes: { region: eu }\n  internal:\n    disabled: false\n",
    );
    text.push_str("policies:\n");
    let requirements = [
        "custom_attributes.type: { present: true }",
        "custom_attributes.tier: { in: [enterprise, growth, starter] }",
        "self_provisioning: true",
        "disabled: false",
        "default_roles: { contains: Tenant Admin }",
        "custom_attributes.index: { present: true }",
        "enforce_sso: false",
        "domains: { not_contains: evil.example.com }",
        "name: { present: true }",
    ];
    for (index, requirement) in requirements.iter().enumerate() {
        let _ = write!(
            text,
            "  - name: policy-{index}\n    selector: type=portfolio\n    require:\n      {requirement}\n    level: warn\n"
        );
    }
    text.push_str("  - name: no-impersonation\n    kind: role\n    require:\n      permissions: { not_contains: Impersonate }\n");
    text.push_str("tenants:\n");
    for index in 0..tenants {
        let second = ["growth", "enterprise", "eu", "internal"][index % 4];
        let _ = write!(
            text,
            "  - id: tenant-{index:05}\n    name: Tenant {index:05}\n    templates: [base, {second}]\n    domains: [tenant-{index:05}.example.com, t{index}.example.org]\n    custom_attributes: {{ tier: growth, index: {index} }}\n    default_roles: [role-{:02}, Tenant Admin]\n",
            index % 20
        );
    }
    text.push_str("flows:\n  - id: sign-in\n    file: flows/sign-in.json\n");
    std::fs::write(&path, text)?;
    Ok(path)
}

pub fn config_text(tenants: usize) -> String {
    let mut text = String::with_capacity(tenants * 260);
    text.push_str("version: \"1.0\"\nenvironments:\n");
    for env in ["dev", "qa", "staging", "uat", "prod"] {
        let upper = env.to_ascii_uppercase();
        let _ = write!(
            text,
            "  {env}:\n    project_id: ${{DESCOPE_{upper}_PROJECT_ID:-P2{env}Bench}}\n    management_key: ${{DESCOPE_{upper}_MANAGEMENT_KEY:-}}\n"
        );
    }
    text.push_str("permissions:\n");
    for index in 0..50 {
        let _ = write!(
            text,
            "  - name: perm.{index:02}\n    description: Permission {index}\n"
        );
    }
    text.push_str("roles:\n");
    for index in 0..20 {
        let _ = write!(
            text,
            "  - name: role-{index:02}\n    description: Role {index}\n    permissions: [perm.{:02}, perm.{:02}, User Admin]\n",
            index * 2,
            index * 2 + 1
        );
    }
    text.push_str("tenants:\n");
    for index in 0..tenants {
        let _ = write!(
            text,
            "  - id: tenant-{index:05}\n    name: Tenant {index:05}\n    domains: [tenant-{index:05}.example.com, t{index}.example.org]\n    self_provisioning: true\n    custom_attributes: {{ type: portfolio, tier: growth, index: {index} }}\n    default_roles: [role-{:02}, Tenant Admin]\n",
            index % 20
        );
    }
    text.push_str("flows:\n  - id: sign-in\n    file: flows/sign-in.json\n");
    text
}
