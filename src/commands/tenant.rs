//! `tenant list | get | create | update | delete`: direct operations on one environment's
//! tenants. Input is checked with the configuration's own rules before anything is sent; writes
//! to a protected environment need the typed confirmation or `--yes`.
//! (`tenant diff` and `tenant sync` live in `kind_diff_sync.rs`, with every other kind's.)

use std::collections::BTreeMap;

use descope_mgmt_core::config::{TenantConfig, Violation, rules};
use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::Tenant;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{TenantCreateArgs, TenantSort, TenantUpdateArgs};
use crate::connect::{Connected, run_in_env};
use crate::exit::{CliError, Exit};
use crate::printer::{dash_if_empty, yes_no};
use crate::report::{
    FORMAT_VERSION, TenantCreatedReport, TenantDeletedReport, TenantEntry, TenantGetReport,
    TenantListReport, TenantUpdatedReport,
};
use crate::settings::Settings;

pub fn list(settings: &Settings, sort: TenantSort) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        // The same port the planner reads, so `list` shows what `diff` compares.
        let mut tenants = ResourcePort::<Tenant>::list(conn.client())
            .await
            .map_err(|e| conn.port_error(e))?;
        // The API answers in no stable order; ties keep the identity order.
        tenants.sort_by(|a, b| a.id.cmp(&b.id));
        if sort == TenantSort::Name {
            tenants.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let report = TenantListReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            tenants: tenants.iter().map(TenantEntry::from).collect(),
        };
        emit_tenants(settings, &report, &tenants)
    })
}

pub fn get(settings: &Settings, id: &str) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        let tenant = load_existing(conn, id).await?;
        let report = TenantGetReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            tenant: (&tenant).into(),
        };
        emit_tenants(settings, &report, std::slice::from_ref(&tenant))
    })
}

pub fn create(settings: &Settings, args: &TenantCreateArgs) -> Result<(), CliError> {
    // Everything is checked before connecting, so bad input sends nothing.
    let attributes = parse_attributes(&args.attributes)?;
    let checked = TenantConfig::builder(&args.id, &args.name)
        .domains(args.domains.iter().cloned())
        .self_provisioning(args.self_provisioning)
        .custom_attributes(attributes)
        .default_roles(args.default_roles.iter().cloned())
        .enforce_sso(args.enforce_sso)
        .build()
        .map_err(|violations| invalid_input(&violations.0))?;
    if !args.self_provisioning && !args.domains.is_empty() {
        warn_domains_without_self_provisioning();
    }
    let tenant = checked.to_resource();
    run_in_env(settings, async |conn| {
        let _lock = crate::pipeline::before_write(conn, settings)?;
        check_roles_exist(conn, &tenant.default_roles).await?;
        let id = conn
            .client()
            .tenants()
            .create(&tenant)
            .await
            .map_err(|e| conn.api_error(e))?;
        let created = Tenant {
            id,
            ..tenant.clone()
        };
        let report = TenantCreatedReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            created: (&created).into(),
        };
        settings.printer.report(&report, || {
            format!("created tenant {} in env {}", created.id, conn.env_name())
        })?;
        Ok(())
    })
}

pub fn update(settings: &Settings, args: &TenantUpdateArgs) -> Result<(), CliError> {
    let changes = Changes::parse(args)?;
    let updated_report = |conn: &Connected, updated: bool, tenant: &Tenant| TenantUpdatedReport {
        format_version: FORMAT_VERSION,
        env: conn.env_name().to_owned(),
        updated,
        tenant: tenant.into(),
    };
    run_in_env(settings, async |conn| {
        let live = load_existing(conn, &args.id).await?;
        let updated = changes.apply(live.clone());
        if updated == live {
            settings
                .printer
                .report(&updated_report(conn, false, &live), || {
                    format!(
                        "tenant {} in env {} already as requested",
                        live.id,
                        conn.env_name()
                    )
                })?;
            return Ok(());
        }
        let _lock = crate::pipeline::before_write(conn, settings)?;
        if updated.default_roles != live.default_roles {
            check_roles_exist(conn, &updated.default_roles).await?;
        }
        conn.client()
            .tenants()
            .update(&updated)
            .await
            .map_err(|e| conn.api_error(e))?;
        settings
            .printer
            .report(&updated_report(conn, true, &updated), || {
                format!("updated tenant {} in env {}", updated.id, conn.env_name())
            })?;
        Ok(())
    })
}

pub fn delete(settings: &Settings, id: &str) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        // Confirm first: a refused delete must not even read.
        let _lock = crate::pipeline::before_write(conn, settings)?;
        load_existing(conn, id).await?;
        conn.client()
            .tenants()
            .delete(id, false)
            .await
            .map_err(|e| conn.api_error(e))?;
        let report = TenantDeletedReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            deleted: id.to_owned(),
        };
        settings.printer.report(&report, || {
            format!("deleted tenant {id} from env {}", conn.env_name())
        })?;
        Ok(())
    })
}

async fn load_existing(conn: &Connected, id: &str) -> Result<Tenant, CliError> {
    conn.client()
        .tenants()
        .load(id)
        .await
        .map_err(|e| conn.api_error(e))?
        .map(Tenant::from)
        .ok_or_else(|| {
            CliError::new(
                Exit::Error,
                format!("tenant {id} not found in env {}", conn.env_name()),
            )
            .with_hint(format!(
                "`descope-mgmt tenant list --env {}` shows the tenants",
                conn.env_name()
            ))
        })
}

/// Default roles are set by a second call after the tenant is written; checking them first
/// keeps an unknown role from leaving a half-made tenant behind.
async fn check_roles_exist(conn: &Connected, roles: &[String]) -> Result<(), CliError> {
    if roles.is_empty() {
        return Ok(());
    }
    let live = conn
        .client()
        .roles()
        .load_all()
        .await
        .map_err(|e| conn.api_error(e))?;
    let unknown: Vec<&str> = roles
        .iter()
        .filter(|role| {
            !live
                .iter()
                .any(|r| r.tenant_id.is_empty() && &r.name == *role)
        })
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        Exit::Error,
        format!(
            "role{} {} not found in env {} (nothing was sent)",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            conn.env_name()
        ),
    )
    .with_hint(format!(
        "`descope-mgmt role list --env {}` shows the roles",
        conn.env_name()
    )))
}

/// The requested modifications of `tenant update`, checked before anything is sent.
struct Changes {
    name: Option<String>,
    domains: Option<Vec<String>>,
    self_provisioning: Option<bool>,
    disabled: Option<bool>,
    enforce_sso: Option<bool>,
    set_attributes: BTreeMap<String, Value>,
    remove_attributes: Vec<String>,
    default_roles: Option<Vec<String>>,
}

impl Changes {
    fn parse(args: &TenantUpdateArgs) -> Result<Self, CliError> {
        let mut violations = Vec::new();
        let name = args.name.as_deref().map(|name| {
            let (trimmed, found) = rules::check_name("name", name);
            violations.extend(found);
            trimmed
        });
        let domains = if args.clear_domains {
            Some(Vec::new())
        } else if args.domains.is_empty() {
            None
        } else {
            for (index, domain) in args.domains.iter().enumerate() {
                violations.extend(rules::check_domain(&format!("domains[{index}]"), domain));
            }
            Some(args.domains.clone())
        };
        if !violations.is_empty() {
            return Err(invalid_input(&violations));
        }
        Ok(Self {
            name,
            domains,
            self_provisioning: args.self_provisioning,
            disabled: args.disabled,
            enforce_sso: args.enforce_sso,
            set_attributes: parse_attributes(&args.attributes)?,
            remove_attributes: args.remove_attributes.clone(),
            default_roles: if args.clear_default_roles {
                Some(Vec::new())
            } else if args.default_roles.is_empty() {
                None
            } else {
                Some(args.default_roles.clone())
            },
        })
    }

    /// The tenant after the changes. Live state has no separate self-provisioning switch: it is
    /// on exactly when the tenant has self-provisioning domains.
    fn apply(&self, mut tenant: Tenant) -> Tenant {
        if let Some(name) = &self.name {
            tenant.name = name.clone();
        }
        let self_provisioning = self
            .self_provisioning
            .unwrap_or(!tenant.self_provisioning_domains.is_empty());
        let domains = self
            .domains
            .clone()
            .unwrap_or_else(|| tenant.self_provisioning_domains.clone());
        if !self_provisioning && !domains.is_empty() && self.domains.is_some() {
            warn_domains_without_self_provisioning();
        }
        tenant.self_provisioning_domains = if self_provisioning {
            domains
        } else {
            Vec::new()
        };
        if let Some(disabled) = self.disabled {
            tenant.disabled = disabled;
        }
        if let Some(enforce_sso) = self.enforce_sso {
            tenant.enforce_sso = enforce_sso;
        }
        for key in &self.remove_attributes {
            tenant.custom_attributes.remove(key);
        }
        tenant.custom_attributes.extend(self.set_attributes.clone());
        if let Some(roles) = &self.default_roles {
            tenant.default_roles = roles.clone();
        }
        tenant.normalized()
    }
}

/// `key=value` gives a string; `key:=JSON` a typed value (number, boolean, list, object).
fn parse_attributes(items: &[String]) -> Result<BTreeMap<String, Value>, CliError> {
    let mut attributes = BTreeMap::new();
    for item in items {
        let bad = |why: &str| {
            CliError::new(Exit::Usage, format!("--attr {item:?}: {why}"))
                .with_hint("write --attr key=value for a string or --attr key:=JSON")
        };
        let (key, value) = if let Some((key, json)) = item.split_once(":=") {
            let value = serde_json::from_str(json).map_err(|_| bad("the value is not JSON"))?;
            (key, value)
        } else if let Some((key, text)) = item.split_once('=') {
            (key, Value::String(text.to_owned()))
        } else {
            return Err(bad("missing `=`"));
        };
        if key.trim().is_empty() {
            return Err(bad("the key is empty"));
        }
        attributes.insert(key.to_owned(), value);
    }
    Ok(attributes)
}

/// Exit 3, like an invalid configuration: the same rules were broken and nothing was sent.
fn invalid_input(violations: &[Violation]) -> CliError {
    let lines: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
    CliError::config_invalid(format!(
        "invalid tenant (nothing was sent):\n{}",
        lines.join("\n")
    ))
}

fn warn_domains_without_self_provisioning() {
    tracing::warn!(
        "domains have no effect without self-provisioning; pass --self-provisioning to use them"
    );
}

fn emit_tenants(
    settings: &Settings,
    report: &impl Serialize,
    tenants: &[Tenant],
) -> Result<(), CliError> {
    let printer = &settings.printer;
    printer.report(report, || {
        printer.table(
            &[
                "ID",
                "NAME",
                "DOMAINS",
                "SELF-PROVISIONING",
                "DISABLED",
                "ENFORCE SSO",
                "DEFAULT ROLES",
                "CUSTOM ATTRIBUTES",
            ],
            tenants.iter().map(tenant_cells).collect(),
        )
    })?;
    Ok(())
}

fn tenant_cells(tenant: &Tenant) -> Vec<String> {
    let list = |items: &[String]| dash_if_empty(items.join(", "));
    vec![
        tenant.id.clone(),
        tenant.name.clone(),
        list(&tenant.self_provisioning_domains),
        yes_no(!tenant.self_provisioning_domains.is_empty()),
        yes_no(tenant.disabled),
        yes_no(tenant.enforce_sso),
        list(&tenant.default_roles),
        dash_if_empty(
            tenant
                .custom_attributes
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_are_strings_unless_typed() {
        let parsed = parse_attributes(&[
            "type=portfolio".to_owned(),
            "zip=01234".to_owned(),
            "seats:=12".to_owned(),
            "tags:=[\"a\"]".to_owned(),
            "eq=a=b".to_owned(),
        ])
        .unwrap();
        assert_eq!(parsed["type"], json!("portfolio"));
        assert_eq!(parsed["zip"], json!("01234"));
        assert_eq!(parsed["seats"], json!(12));
        assert_eq!(parsed["tags"], json!(["a"]));
        assert_eq!(parsed["eq"], json!("a=b"));
    }

    #[test]
    fn malformed_attributes_are_usage_errors() {
        for bad in ["novalue", "=x", "n:=not json"] {
            let error = parse_attributes(&[bad.to_owned()]).unwrap_err();
            assert_eq!(error.exit, Exit::Usage, "{bad}");
        }
    }

    fn live() -> Tenant {
        Tenant {
            id: "acme".into(),
            name: "Acme".into(),
            self_provisioning_domains: vec!["acme.com".into()],
            custom_attributes: BTreeMap::from([("type".into(), json!("a"))]),
            default_roles: vec!["viewer".into()],
            ..Tenant::default()
        }
    }

    fn changes(extra: &[&str]) -> Result<Changes, CliError> {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: TenantUpdateArgs,
        }
        let argv = std::iter::once("x")
            .chain(std::iter::once("acme"))
            .chain(extra.iter().copied());
        Changes::parse(&Wrapper::try_parse_from(argv).unwrap().args)
    }

    #[test]
    fn no_flags_change_nothing() {
        assert_eq!(changes(&[]).unwrap().apply(live()), live());
    }

    #[test]
    fn turning_self_provisioning_off_clears_domains() {
        let updated = changes(&["--self-provisioning", "false"])
            .unwrap()
            .apply(live());
        assert!(updated.self_provisioning_domains.is_empty());
    }

    #[test]
    fn fields_are_replaced_and_attributes_merged() {
        let updated = changes(&[
            "--name",
            "  Acme Inc  ",
            "--domain",
            "B.com",
            "--disabled",
            "true",
            "--attr",
            "tier=gold",
            "--remove-attr",
            "type",
            "--clear-default-roles",
        ])
        .unwrap()
        .apply(live());
        assert_eq!(updated.name, "Acme Inc");
        assert_eq!(updated.self_provisioning_domains, ["b.com"]);
        assert!(updated.disabled);
        assert_eq!(
            updated.custom_attributes,
            BTreeMap::from([("tier".into(), json!("gold"))])
        );
        assert!(updated.default_roles.is_empty());
    }

    #[test]
    fn invalid_name_or_domain_is_refused_with_exit_3() {
        for flags in [&["--name", "   "][..], &["--domain", "not a domain"][..]] {
            let error = changes(flags).err().unwrap();
            assert_eq!(error.exit, Exit::ConfigInvalid, "{flags:?}");
        }
    }
}
