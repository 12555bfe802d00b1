//! How a tenant's people sign in, as configured: session settings (`session:`), SSO
//! configurations (`sso:`) and password policies (`password_policy:`, project level and per
//! tenant). This module owns the typed models, their range rules, and the full-object wire bodies
//! they produce.
//!
//! Every setting is optional: an absent field leaves the live value alone. Because Descope's
//! settings calls overwrite the whole object, a write starts from the live object and changes
//! only the managed fields ([`SessionConfig::apply_to`], [`PasswordPolicy::apply_to`]).
//!
//! Secrets (an OIDC `client_secret`) are [`SsoSecret`]s: they come only from `${VAR}`, print as
//! `***`, and enter a body only through [`SsoConfig::configure_body`] with `with_secrets`.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value as Json, json};

use crate::resource::{TenantSession, TenantSso, sso_key};

/// The units Descope's settings calls take (`minutes | hours | days | weeks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DurationUnit {
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl DurationUnit {
    pub fn wire(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "minutes",
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
            DurationUnit::Weeks => "weeks",
        }
    }

    fn minutes(self) -> u64 {
        match self {
            DurationUnit::Minutes => 1,
            DurationUnit::Hours => 60,
            DurationUnit::Days => 60 * 24,
            DurationUnit::Weeks => 60 * 24 * 7,
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        Some(match word {
            "m" | "min" | "minute" | "minutes" => DurationUnit::Minutes,
            "h" | "hour" | "hours" => DurationUnit::Hours,
            "d" | "day" | "days" => DurationUnit::Days,
            "w" | "week" | "weeks" => DurationUnit::Weeks,
            _ => return None,
        })
    }

    /// The unit as it reads back from the wire, for the live side of a comparison.
    pub fn from_wire(word: &str) -> Option<Self> {
        Self::from_word(word)
    }
}

/// A duration as written (`30d`, `12 hours`): the amount and unit are kept as given, so the value
/// sent is the value read back and a plan shows no change for `30d` against `30 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingDuration {
    pub amount: u32,
    pub unit: DurationUnit,
}

impl SettingDuration {
    pub fn new(amount: u32, unit: DurationUnit) -> Self {
        Self { amount, unit }
    }

    pub fn total_minutes(self) -> u64 {
        u64::from(self.amount) * self.unit.minutes()
    }

    /// Reads `<amount><unit>` with an optional space: `15m`, `12h`, `30d`, `2w`, `90 minutes`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let unit = unit.trim();
        if digits.is_empty() || unit.is_empty() {
            return Err("a duration is a whole number and a unit, e.g. 30d, 12h, 15m, 2w".into());
        }
        let amount: u32 = digits
            .parse()
            .map_err(|_| format!("{digits} is too large"))?;
        let unit = DurationUnit::from_word(&unit.to_ascii_lowercase()).ok_or_else(|| {
            format!("unknown unit {unit:?}; use m (minutes), h (hours), d (days) or w (weeks)")
        })?;
        if amount == 0 {
            return Err("must be positive".into());
        }
        Ok(Self { amount, unit })
    }
}

impl fmt::Display for SettingDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.wire())
    }
}

/// Range of one duration setting, in minutes, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationRange {
    pub min_minutes: u64,
    pub max_minutes: u64,
}

/// Descope's console bounds as we understand them (a guess where the documentation is silent;
/// see the README's `session:` section): tokens live at least 3 minutes; session and step-up
/// tokens at most 4 weeks, refresh tokens and the inactivity timeout at most 52 weeks.
pub const SESSION_TOKEN_RANGE: DurationRange = DurationRange {
    min_minutes: 3,
    max_minutes: 4 * 7 * 24 * 60,
};
pub const REFRESH_TOKEN_RANGE: DurationRange = DurationRange {
    min_minutes: 3,
    max_minutes: 52 * 7 * 24 * 60,
};
pub const STEPUP_TOKEN_RANGE: DurationRange = SESSION_TOKEN_RANGE;
pub const INACTIVITY_RANGE: DurationRange = DurationRange {
    min_minutes: 10,
    max_minutes: 52 * 7 * 24 * 60,
};

impl DurationRange {
    pub fn check(self, duration: SettingDuration) -> Result<(), String> {
        let minutes = duration.total_minutes();
        if minutes < self.min_minutes || minutes > self.max_minutes {
            return Err(format!(
                "{duration} is out of range; it must be {} to {}",
                describe_minutes(self.min_minutes),
                describe_minutes(self.max_minutes)
            ));
        }
        Ok(())
    }
}

fn describe_minutes(minutes: u64) -> String {
    const WEEK: u64 = 7 * 24 * 60;
    if minutes >= WEEK && minutes.is_multiple_of(WEEK) {
        format!("{} weeks", minutes / WEEK)
    } else {
        format!("{minutes} minutes")
    }
}

/// A tenant's `session:` block. `None` everywhere means "leave the live value alone".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionConfig {
    /// Whether the tenant's own session settings are in force (wire `enabled`). When not written
    /// and the block sets a token or inactivity field, it is sent as `true`, since Descope ignores
    /// the tenant's values otherwise.
    pub enabled: Option<bool>,
    pub session_token_expiration: Option<SettingDuration>,
    pub refresh_token_expiration: Option<SettingDuration>,
    pub stepup_token_expiration: Option<SettingDuration>,
    pub enable_inactivity: Option<bool>,
    pub inactivity_timeout: Option<SettingDuration>,
    /// Just-in-time provisioning of SSO users (the wire holds the negation, `JITDisabled`).
    pub jit_provisioning: Option<bool>,
    /// The SSO setup suite (`ssoSetupSuiteSettings.enabled`).
    pub sso_setup_suite: Option<bool>,
}

impl SessionConfig {
    fn sets_any_duration(&self) -> bool {
        self.session_token_expiration.is_some()
            || self.refresh_token_expiration.is_some()
            || self.stepup_token_expiration.is_some()
            || self.enable_inactivity.is_some()
            || self.inactivity_timeout.is_some()
    }

    /// The wire value of `enabled` this block asks for, if any.
    pub fn effective_enabled(&self) -> Option<bool> {
        self.enabled
            .or_else(|| self.sets_any_duration().then_some(true))
    }

    /// The live-state shape of what this block manages; `None` fields stay unmanaged.
    pub fn to_resource(&self) -> TenantSession {
        let text = |duration: Option<SettingDuration>| duration.map(|d| d.to_string());
        TenantSession {
            enabled: self.effective_enabled(),
            session_token_expiration: text(self.session_token_expiration),
            refresh_token_expiration: text(self.refresh_token_expiration),
            stepup_token_expiration: text(self.stepup_token_expiration),
            // Writing a timeout means the user wants it to apply unless they say otherwise.
            enable_inactivity: self
                .enable_inactivity
                .or(self.inactivity_timeout.map(|_| true)),
            inactivity_timeout: text(self.inactivity_timeout),
            jit_provisioning: self.jit_provisioning,
            sso_setup_suite: self.sso_setup_suite,
        }
    }

    /// Changes the managed fields of a live settings object (the load call's answer) in place;
    /// every other field keeps its live value, so the whole object can be sent back.
    pub fn apply_to(&self, live: &mut Map<String, Json>) {
        self.to_resource().write_to(live);
    }
}

/// A secret read from `${VAR}`: the value goes on the wire and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoSecret(String);

impl SsoSecret {
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    /// The value, for the request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SsoSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for SsoSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which configure call an SSO configuration goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoKind {
    /// `POST /v1/mgmt/sso/oidc`.
    Oidc,
    /// `POST /v1/mgmt/sso/saml`: IdP URL, entity id and certificate written out.
    SamlManual,
    /// `POST /v1/mgmt/sso/saml/metadata`: everything read from the IdP's metadata URL.
    SamlMetadata,
}

impl SsoKind {
    pub fn configure_path(self) -> &'static str {
        match self {
            SsoKind::Oidc => "/v1/mgmt/sso/oidc",
            SsoKind::SamlManual => "/v1/mgmt/sso/saml",
            SsoKind::SamlMetadata => "/v1/mgmt/sso/saml/metadata",
        }
    }

    /// The tenant's `authType` once this configuration is in place.
    pub fn auth_type(self) -> &'static str {
        match self {
            SsoKind::Oidc => "oidc",
            SsoKind::SamlManual | SsoKind::SamlMetadata => "saml",
        }
    }
}

/// One group-to-role mapping: members of any of `groups` get the role named `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRoleMapping {
    pub groups: Vec<String>,
    pub role: String,
}

/// One SSO configuration of a tenant (`sso:` or one item of a list of them).
#[derive(Debug, Clone, PartialEq)]
pub struct SsoConfig {
    /// Which of the tenant's configurations this is (`ssoId`); `None` is the tenant's default one.
    pub sso_id: Option<String>,
    pub kind: SsoKind,
    /// SSO domains: users of these e-mail domains sign in through this configuration. `None`
    /// leaves the live ones alone.
    pub domains: Option<Vec<String>>,
    /// Non-secret `settings` fields by wire name, as written (after interpolation).
    pub settings: BTreeMap<&'static str, Json>,
    /// Role names given by group (`roleMappings`).
    pub role_mappings: Vec<SsoRoleMapping>,
    /// Role names every SSO user gets (`defaultSSORoles`).
    pub default_roles: Vec<String>,
    /// Secret `settings` fields by wire name (`clientSecret`).
    pub secrets: BTreeMap<&'static str, SsoSecret>,
}

impl SsoConfig {
    /// Every role name the configuration refers to (mappings and defaults).
    pub fn role_names(&self) -> impl Iterator<Item = &str> {
        self.role_mappings
            .iter()
            .map(|mapping| mapping.role.as_str())
            .chain(self.default_roles.iter().map(String::as_str))
    }

    /// The non-secret part of the body's `settings`: what the plan compares with the live
    /// configuration and shows, and what decides whether the secrets are sent again.
    pub fn public_settings(&self) -> Map<String, Json> {
        let mut settings: Map<String, Json> = self
            .settings
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect();
        if !self.role_mappings.is_empty() {
            let mappings = self
                .role_mappings
                .iter()
                .map(|mapping| json!({"groups": mapping.groups, "roleName": mapping.role}))
                .collect();
            settings.insert("roleMappings".into(), Json::Array(mappings));
        }
        if !self.default_roles.is_empty() {
            settings.insert("defaultSSORoles".into(), json!(self.default_roles));
        }
        settings
    }

    /// The configure call's body. Secrets are in it only with `with_secrets` (create, a change
    /// of non-secret fields, or `--rotate-secrets`); otherwise the call is not made at all for a
    /// secret-only difference, which the plan cannot see.
    pub fn configure_body(&self, tenant_id: &str, with_secrets: bool) -> Json {
        let mut settings = self.public_settings();
        if with_secrets {
            for (key, secret) in &self.secrets {
                settings.insert((*key).to_owned(), Json::String(secret.expose().to_owned()));
            }
        }
        let mut body = Map::new();
        // The SAML calls take the redirect URL beside `settings`, the OIDC call inside it.
        if self.kind != SsoKind::Oidc
            && let Some(redirect) = settings.remove("redirectUrl")
        {
            body.insert("redirectUrl".into(), redirect);
        }
        body.insert("tenantId".into(), json!(tenant_id));
        body.insert("settings".into(), Json::Object(settings));
        if let Some(domains) = &self.domains {
            body.insert("domains".into(), json!(domains));
        }
        if let Some(sso_id) = &self.sso_id {
            body.insert("ssoId".into(), json!(sso_id));
        }
        Json::Object(body)
    }
}

/// What applying one SSO configuration takes, by the secret rule (README, "The secret rule"):
/// the API never returns a secret, so only the non-secret fields can be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoWrite {
    /// Nothing live: configure it, secrets included.
    Create,
    /// Non-secret fields differ (named here): configure again, secrets included, since the call
    /// replaces the whole configuration.
    Update {
        changed: Vec<String>,
    },
    /// Nothing differs but `--rotate-secrets` asks for the secrets to be sent again; shown as
    /// "secret replaced".
    ReplaceSecrets,
    Unchanged,
}

impl SsoWrite {
    /// Whether the configure call carries the secrets.
    pub fn sends_secrets(&self) -> bool {
        !matches!(self, SsoWrite::Unchanged)
    }
}

impl SsoConfig {
    /// The write this configuration needs against `live` (the load call's answer, `{tenant,
    /// saml, oidc, ssoId}`; `None` when the tenant has no such configuration).
    pub fn write_for(&self, live: Option<&Json>, rotate_secrets: bool) -> SsoWrite {
        let Some(live) = live else {
            return SsoWrite::Create;
        };
        let changed = self.changed_fields(live);
        if !changed.is_empty() {
            SsoWrite::Update { changed }
        } else if rotate_secrets && !self.secrets.is_empty() {
            SsoWrite::ReplaceSecrets
        } else {
            SsoWrite::Unchanged
        }
    }

    /// The managed non-secret fields (wire names of the configure call) whose live value
    /// differs. Fields the configuration does not write are not compared.
    pub fn changed_fields(&self, live: &Json) -> Vec<String> {
        let wanted = self.to_resource();
        let have = wanted.live_view(live);
        wanted
            .fields
            .iter()
            .filter(|(key, value)| have.fields.get(*key) != Some(value))
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// The key of this configuration in the tenant's live state.
    pub fn key(&self) -> String {
        sso_key(self.sso_id.as_deref().unwrap_or_default())
    }

    /// The live-state shape: what the plan compares and shows, never a secret.
    pub fn to_resource(&self) -> TenantSso {
        let mut fields: BTreeMap<String, Json> = self
            .public_settings()
            .into_iter()
            .map(|(key, value)| {
                let value = TenantSso::comparable(&key, &value);
                (key, value)
            })
            .collect();
        if let Some(domains) = &self.domains {
            fields.insert(
                "domains".into(),
                TenantSso::comparable("domains", &json!(domains)),
            );
        }
        TenantSso {
            protocol: self.kind.auth_type().to_owned(),
            fields,
            credentials: None,
        }
    }
}

/// A password policy (`password_policy:`), project-wide or for one tenant: wire fields of
/// `POST /v1/mgmt/password/settings` by name, only those written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PasswordPolicy {
    pub fields: BTreeMap<&'static str, Json>,
}

/// An inclusive range of whole numbers.
pub type WholeRange = (i64, i64);

/// `password_policy:` keys: YAML name, wire name, and for numbers the inclusive range. Ranges
/// are a guess at Descope's console limits (documented in the README as such).
pub const PASSWORD_FIELDS: &[(&str, &str, Option<WholeRange>)] = &[
    ("enabled", "enabled", None),
    ("min_length", "minLength", Some((4, 64))),
    ("lowercase", "lowercase", None),
    ("uppercase", "uppercase", None),
    ("number", "number", None),
    ("non_alphanumeric", "nonAlphanumeric", None),
    ("expiration", "expiration", None),
    ("expiration_weeks", "expirationWeeks", Some((1, 52))),
    ("reuse", "reuse", None),
    ("reuse_amount", "reuseAmount", Some((1, 50))),
    ("lock", "lock", None),
    ("lock_attempts", "lockAttempts", Some((2, 10))),
];

impl PasswordPolicy {
    /// The managed fields by wire name: the live-state shape.
    pub fn to_resource(&self) -> BTreeMap<String, Json> {
        self.fields
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    /// Changes the managed fields of the live policy in place (see [`SessionConfig::apply_to`]).
    pub fn apply_to(&self, live: &mut Map<String, Json>) {
        for (key, value) in &self.fields {
            live.insert((*key).to_owned(), value.clone());
        }
    }
}
