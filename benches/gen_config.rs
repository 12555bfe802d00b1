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
