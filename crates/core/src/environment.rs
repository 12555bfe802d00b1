//! Domain rules about one environment: the state the configuration wants it in, which live
//! resources belong to Descope rather than to the configuration, and whether it can be reached
//! at all without trying.

use std::collections::BTreeSet;

use crate::config::{Connection, DescopeConfig, EnvironmentConfig};
use crate::plan::ResourceSet;
use crate::resource::{KindVisitor, Resource, desired_from, visit_kinds};

/// The desired state of `env`: the resources whose `environments` include it, in the live-state
/// shape (tenant `domains` become self-provisioning domains only when self provisioning is on).
pub fn desired_set(config: &DescopeConfig, env: &str) -> ResourceSet {
    if config.is_view_of(env) {
        desired_from(config)
    } else {
        desired_from(&config.for_environment(env))
    }
}

/// Removes from `actual` the resources Descope made itself (built-in roles and permissions)
/// that `desired` does not declare: they are neither "unmanaged" drift nor something `--prune`
/// may delete. A declared one is managed like any other.
pub fn drop_system_defaults(actual: &mut ResourceSet, desired: &ResourceSet) {
    struct Drop<'a> {
        actual: &'a mut ResourceSet,
        desired: &'a ResourceSet,
    }
    impl KindVisitor for Drop<'_> {
        fn visit<R: Resource>(&mut self) {
            let declared: BTreeSet<&str> = R::of(self.desired).iter().map(R::identity).collect();
            R::of_mut(self.actual).retain(|resource| {
                !resource.is_system_default() || declared.contains(resource.identity())
            });
        }
    }
    visit_kinds(&mut Drop { actual, desired });
}

/// Why an environment cannot be reached without trying (no credentials configured).
pub fn skip_reason(env: &EnvironmentConfig) -> Option<String> {
    match env.connection() {
        Connection::Project {
            project_id,
            management_key,
        } => {
            if project_id.trim().is_empty() {
                Some("project_id is empty".to_owned())
            } else if management_key.expose().trim().is_empty() {
                Some("management_key is empty".to_owned())
            } else {
                None
            }
        }
        Connection::Emulator { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::{PermissionConfig, RoleConfig, Scope, TenantConfig};
    use crate::resource::{Permission, Role};

    fn config() -> DescopeConfig {
        let tenants = vec![
            TenantConfig::builder("acme-corp", "Acme")
                .domains(["Acme.com"])
                .self_provisioning(true)
                .build()
                .unwrap(),
            TenantConfig::builder("no-provisioning", "No Provisioning")
                .domains(["np.example.com"])
                .build()
                .unwrap(),
            TenantConfig::builder("prod-only", "Prod Only")
                .environments(Scope::Only(vec!["prod".into()]))
                .build()
                .unwrap(),
        ];
        DescopeConfig::new("1.0", BTreeMap::new(), tenants, Vec::new())
            .with_permissions(vec![PermissionConfig::new("reports.read", "")])
            .with_roles(vec![RoleConfig::new(
                "viewer",
                "",
                vec!["reports.read".into()],
            )])
    }

    #[test]
    fn desired_set_respects_environments_and_self_provisioning() {
        let dev = desired_set(&config(), "dev");
        let ids: Vec<&str> = dev.tenants.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["acme-corp", "no-provisioning"]);
        assert_eq!(dev.tenants[0].self_provisioning_domains, ["acme.com"]);
        assert!(dev.tenants[1].self_provisioning_domains.is_empty());
        assert_eq!(dev.roles.len(), 1);
        assert_eq!(dev.permissions.len(), 1);
        assert_eq!(desired_set(&config(), "prod").tenants.len(), 3);
    }

    #[test]
    fn built_ins_are_dropped_from_the_live_state_unless_declared() {
        let builtin_permission = Permission {
            name: "User Admin".into(),
            ..Permission::default()
        };
        let builtin_role = Role {
            name: "Tenant Admin".into(),
            ..Role::default()
        };
        let live = ResourceSet {
            permissions: vec![builtin_permission.clone()],
            roles: vec![builtin_role.clone()],
            ..ResourceSet::default()
        };
        let mut actual = live.clone();
        drop_system_defaults(&mut actual, &ResourceSet::default());
        assert!(actual.is_empty());

        let mut actual = live.clone();
        let declared = ResourceSet {
            roles: vec![builtin_role],
            ..ResourceSet::default()
        };
        drop_system_defaults(&mut actual, &declared);
        assert_eq!(actual.roles.len(), 1, "a declared built-in is managed");
        assert!(actual.permissions.is_empty());
    }
}
