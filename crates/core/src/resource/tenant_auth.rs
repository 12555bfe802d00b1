//! The sign-in parts of a tenant's live state: its session settings, its SSO configurations and
//! its password policy, in the shape the planner compares and shows. They are `Option` fields of
//! [`super::Tenant`]: `None` means "not managed, not read"; the read step fills the live side
//! only for tenants whose configuration declares the block (see `crate::tenant_auth`).
//!
//! Secrets never enter these shapes (they are serialised into plans and backups): an SSO
//! configuration carries at most the marker [`SECRET_REPLACED`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::config::tenant_auth::{DurationUnit, SettingDuration};
use crate::plan::FieldDiff;

/// What the plan shows for a secret that `--rotate-secrets` sends again; never the value.
pub const SECRET_REPLACED: &str = "secret replaced";

/// A tenant's session settings (`/v1/mgmt/tenant/settings`), durations written out as
/// `"30 days"`. `None` leaves the live value alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct TenantSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token_expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stepup_token_expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_inactivity: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_timeout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jit_provisioning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_setup_suite: Option<bool>,
}

/// What an unset duration (amount 0) reads as.
const UNSET: &str = "unset";

/// Duration fields: (our field, wire amount key; the unit key is `<key>Unit`).
fn durations(session: &TenantSession) -> [(&Option<String>, &'static str); 4] {
    [
        (&session.session_token_expiration, "sessionTokenExpiration"),
        (&session.refresh_token_expiration, "refreshTokenExpiration"),
        (&session.stepup_token_expiration, "stepupTokenExpiration"),
        (&session.inactivity_timeout, "inactivityTime"),
    ]
}

fn wire_duration(settings: &Map<String, Json>, key: &str) -> String {
    let amount = settings.get(key).and_then(Json::as_u64).unwrap_or(0);
    let unit = settings
        .get(&format!("{key}Unit"))
        .and_then(Json::as_str)
        .and_then(DurationUnit::from_wire);
    match (u32::try_from(amount), unit) {
        (Ok(amount), Some(unit)) if amount > 0 => SettingDuration::new(amount, unit).to_string(),
        _ => UNSET.to_owned(),
    }
}

impl TenantSession {
    /// The live settings object (the load call's answer), every field set.
    pub fn from_wire(settings: &Map<String, Json>) -> Self {
        let flag = |key: &str| settings.get(key).and_then(Json::as_bool).unwrap_or(false);
        Self {
            enabled: Some(flag("enabled")),
            session_token_expiration: Some(wire_duration(settings, "sessionTokenExpiration")),
            refresh_token_expiration: Some(wire_duration(settings, "refreshTokenExpiration")),
            stepup_token_expiration: Some(wire_duration(settings, "stepupTokenExpiration")),
            enable_inactivity: Some(flag("enableInactivity")),
            inactivity_timeout: Some(wire_duration(settings, "inactivityTime")),
            jit_provisioning: Some(!flag("JITDisabled")),
            sso_setup_suite: Some(
                settings
                    .get("ssoSetupSuiteSettings")
                    .and_then(|suite| suite.get("enabled"))
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        }
    }

    /// Changes the fields this state sets in a live settings object, in place; every other field
    /// keeps its live value, so the whole object can be sent back (the settings call overwrites).
    pub fn write_to(&self, live: &mut Map<String, Json>) {
        if let Some(enabled) = self.enabled {
            live.insert("enabled".into(), Json::Bool(enabled));
        }
        for (duration, key) in durations(self) {
            // An unset live value carried over stays as the server has it.
            if let Some(Ok(duration)) = duration.as_deref().map(SettingDuration::parse) {
                live.insert(key.into(), json!(duration.amount));
                live.insert(format!("{key}Unit"), json!(duration.unit.wire()));
            }
        }
        if let Some(enable) = self.enable_inactivity {
            live.insert("enableInactivity".into(), Json::Bool(enable));
        }
        if let Some(jit) = self.jit_provisioning {
            live.insert("JITDisabled".into(), Json::Bool(!jit));
        }
        if let Some(enabled) = self.sso_setup_suite {
            let suite = live
                .entry("ssoSetupSuiteSettings")
                .or_insert_with(|| Json::Object(Map::new()));
            if !suite.is_object() {
                *suite = Json::Object(Map::new());
            }
            if let Json::Object(suite) = suite {
                suite.insert("enabled".into(), Json::Bool(enabled));
            }
        }
    }

    /// Every field the desired state leaves out takes the live value.
    pub fn carry_from(mut self: Box<Self>, live: &Self) -> Box<Self> {
        use super::carry;
        carry(&mut self.enabled, &live.enabled);
        carry(
            &mut self.session_token_expiration,
            &live.session_token_expiration,
        );
        carry(
            &mut self.refresh_token_expiration,
            &live.refresh_token_expiration,
        );
        carry(
            &mut self.stepup_token_expiration,
            &live.stepup_token_expiration,
        );
        carry(&mut self.enable_inactivity, &live.enable_inactivity);
        carry(&mut self.inactivity_timeout, &live.inactivity_timeout);
        carry(&mut self.jit_provisioning, &live.jit_provisioning);
        carry(&mut self.sso_setup_suite, &live.sso_setup_suite);
        self
    }
}

/// Field differences of two optional parts, each field named `<prefix>.<field>`.
pub(super) fn prefixed_diffs<T: Serialize>(
    prefix: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Vec<FieldDiff> {
    let object = |part: Option<&T>| match part.map(serde_json::to_value) {
        Some(Ok(Json::Object(fields))) => fields,
        _ => Map::new(),
    };
    let (before, after) = (object(before), object(after));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let was = before.get(key).cloned().unwrap_or(Json::Null);
            let will = after.get(key).cloned().unwrap_or(Json::Null);
            (was != will).then(|| FieldDiff {
                field: format!("{prefix}.{key}"),
                before: was,
                after: will,
            })
        })
        .collect()
}

/// Field differences of two optional maps of parts (SSO configurations by id, roles by name),
/// each field named `<prefix>.<key>.<field>`.
pub(super) fn keyed_diffs<T: Serialize>(
    prefix: &str,
    before: &Option<BTreeMap<String, T>>,
    after: &Option<BTreeMap<String, T>>,
) -> Vec<FieldDiff> {
    let empty = BTreeMap::new();
    let (before, after) = (
        before.as_ref().unwrap_or(&empty),
        after.as_ref().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .flat_map(|key| prefixed_diffs(&format!("{prefix}.{key}"), before.get(key), after.get(key)))
        .collect()
}

/// The key of a tenant's default SSO configuration (wire `ssoId` `""`) in [`super::Tenant::sso`].
pub const DEFAULT_SSO_ID: &str = "default";

/// The wire `ssoId` of a key of [`super::Tenant::sso`].
pub fn wire_sso_id(key: &str) -> &str {
    if key == DEFAULT_SSO_ID { "" } else { key }
}

/// The key of [`super::Tenant::sso`] for a wire `ssoId`.
pub fn sso_key(wire: &str) -> String {
    if wire.is_empty() {
        DEFAULT_SSO_ID.to_owned()
    } else {
        wire.to_owned()
    }
}

/// One SSO configuration of a tenant, reduced to what the configuration manages: `fields` holds
/// the configure call's non-secret fields by wire name (plus `roleMappings`, `defaultSSORoles`
/// and `domains`) in a comparable form (set-like lists sorted, domains lowercased). The live side
/// is the load answer seen through the desired one ([`TenantSso::live_view`]), so fields the
/// configuration does not write never differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TenantSso {
    /// `oidc` or `saml`; `none` for a live configuration with neither side set.
    #[serde(rename = "type")]
    pub protocol: String,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Json>,
    /// [`SECRET_REPLACED`] when `--rotate-secrets` sends the secrets although nothing else
    /// changed; never a secret. Named as the field it stands for, so the plan line reads
    /// `sso.default.client_secret: secret replaced`.
    #[serde(
        default,
        rename = "client_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub credentials: Option<String>,
}

impl TenantSso {
    /// Sorts what is set-like so that order never counts as a difference.
    pub fn comparable(key: &str, value: &Json) -> Json {
        match (key, value) {
            ("domains", Json::Array(items)) => {
                let mut domains: Vec<String> = items
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect();
                domains.sort();
                domains.dedup();
                json!(domains)
            }
            ("roleMappings", Json::Array(items)) => {
                let mut mappings: Vec<Json> = items
                    .iter()
                    .map(|mapping| {
                        let mut groups: Vec<String> = mapping["groups"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|group| group.as_str().map(str::to_owned))
                            .collect();
                        groups.sort();
                        let role = mapping["roleName"]
                            .as_str()
                            .or(mapping["role"]["name"].as_str())
                            .unwrap_or_default();
                        json!({"groups": groups, "role": role})
                    })
                    .collect();
                mappings.sort_by_key(Json::to_string);
                Json::Array(mappings)
            }
            (_, Json::Array(items)) => {
                let mut items = items.clone();
                items.sort_by_key(Json::to_string);
                Json::Array(items)
            }
            _ => value.clone(),
        }
    }

    /// The live configuration (one item of the load-all answer, `{tenant, saml, oidc, ssoId}`)
    /// reduced to the fields `self` manages.
    pub fn live_view(&self, live: &Json) -> TenantSso {
        let protocol = live_protocol(live);
        let side = if self.protocol == "oidc" {
            &live["oidc"]
        } else {
            &live["saml"]
        };
        let fields = self
            .fields
            .iter()
            .map(|(key, wanted)| {
                let value = match key.as_str() {
                    "domains" => live["tenant"]["domains"].clone(),
                    // SAML loads answer `groupsMapping` with `{role: {id, name}}`.
                    "roleMappings" if side.get("roleMappings").is_none() => {
                        side["groupsMapping"].clone()
                    }
                    other => side[load_name(&self.protocol, other)].clone(),
                };
                let value = match (wanted, value) {
                    // Only the attributes written are managed.
                    (Json::Object(want), Json::Object(have)) => Json::Object(
                        want.keys()
                            .filter_map(|name| Some((name.clone(), have.get(name)?.clone())))
                            .collect(),
                    ),
                    (_, value) => value,
                };
                (key.clone(), Self::comparable(key, &value))
            })
            .collect();
        TenantSso {
            protocol,
            fields,
            credentials: None,
        }
    }

    /// A live configuration the configuration does not declare (seen only with `--prune`).
    pub fn unmanaged_view(live: &Json) -> TenantSso {
        TenantSso {
            protocol: live_protocol(live),
            ..TenantSso::default()
        }
    }
}

/// Which side of a load answer is configured.
fn live_protocol(live: &Json) -> String {
    let set = |value: &Json| value.as_str().is_some_and(|text| !text.is_empty());
    if set(&live["oidc"]["clientId"]) {
        "oidc"
    } else if ["idpEntityId", "idpSSOUrl", "idpMetadataUrl"]
        .iter()
        .any(|key| set(&live["saml"][*key]))
    {
        "saml"
    } else {
        "none"
    }
    .to_owned()
}

/// Where a configure-call field reads back in the load answer (the SAML names differ).
pub fn load_name<'a>(protocol: &str, request: &'a str) -> &'a str {
    if protocol == "oidc" {
        return request;
    }
    match request {
        "idpUrl" => "idpSSOUrl",
        "entityId" => "idpEntityId",
        "idpCert" => "idpCertificate",
        "idpAdditionalCerts" => "idpAdditionalCertificates",
        other => other,
    }
}

/// A role that exists only inside one tenant (`tenants[].roles`), keyed by name in
/// [`super::Tenant::roles`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TenantRole {
    pub description: String,
    /// Sorted, deduplicated.
    pub permission_names: Vec<String>,
}

impl TenantRole {
    pub fn new(description: String, mut permission_names: Vec<String>) -> Self {
        super::sort_dedup(&mut permission_names);
        Self {
            description,
            permission_names,
        }
    }
}
