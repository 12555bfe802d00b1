//! `env list`: the environments of the configuration, with management keys masked.

use descope_mgmt_core::config::base_url::process_env;
use descope_mgmt_core::config::{Connection, EnvironmentConfig};

use super::load_valid;
use crate::exit::CliError;
use crate::printer::yes_no;
use crate::report::{EnvListReport, EnvironmentEntry, FORMAT_VERSION, RateLimitEntry};
use crate::settings::Settings;

pub fn list(settings: &Settings) -> Result<(), CliError> {
    let config = load_valid(settings, None)?;
    let rows: Vec<Row> = config
        .environments()
        .iter()
        .map(|(name, env)| Row::new(name, env))
        .collect();
    let report = EnvListReport {
        format_version: FORMAT_VERSION,
        environments: rows.iter().map(Row::entry).collect(),
    };
    let printer = &settings.printer;
    printer.report(&report, || {
        printer.table(
            &[
                "NAME",
                "KIND",
                "PROJECT ID",
                "BASE URL",
                "PROTECTED",
                "RATE LIMIT",
                "KEY",
            ],
            rows.iter().map(Row::cells).collect(),
        )
    })?;
    Ok(())
}

struct Row {
    name: String,
    kind: &'static str,
    project_id: Option<String>,
    base_url: Option<String>,
    emulator_state: Option<String>,
    protected: bool,
    requests: u32,
    per_seconds: u32,
    /// Only ever the masked form (`K2ab…`).
    key: Option<String>,
}

impl Row {
    fn new(name: &str, env: &EnvironmentConfig) -> Self {
        let (kind, emulator_state) = match env.connection() {
            Connection::Project { .. } => ("project", None),
            Connection::Emulator { state_file } => {
                ("emulator", Some(state_file.display().to_string()))
            }
        };
        Self {
            name: name.to_owned(),
            kind,
            project_id: env.project_id().map(str::to_owned),
            // The client resolves it the same way, so this is the URL it calls.
            base_url: env.resolved_base_url(process_env),
            emulator_state,
            protected: env.protected(),
            requests: env.rate_limit().requests,
            per_seconds: env.rate_limit().per_seconds,
            key: env.management_key().map(|key| {
                if key.expose().is_empty() {
                    "(not set)".to_owned()
                } else {
                    key.masked()
                }
            }),
        }
    }

    fn entry(&self) -> EnvironmentEntry {
        EnvironmentEntry {
            name: self.name.clone(),
            kind: self.kind.to_owned(),
            project_id: self.project_id.clone(),
            base_url: self.base_url.clone(),
            emulator_state: self.emulator_state.clone(),
            protected: self.protected,
            rate_limit: RateLimitEntry {
                requests: self.requests,
                per_seconds: self.per_seconds,
            },
            management_key: self.key.clone(),
        }
    }

    fn cells(&self) -> Vec<String> {
        let dash = || "-".to_owned();
        vec![
            self.name.clone(),
            self.kind.to_owned(),
            self.project_id.clone().unwrap_or_else(dash),
            match (&self.base_url, &self.emulator_state) {
                (Some(url), _) => url.clone(),
                (None, Some(state)) => format!("embedded emulator (state {state})"),
                (None, None) => dash(),
            },
            yes_no(self.protected),
            format!("{}/{}s", self.requests, self.per_seconds),
            self.key.clone().unwrap_or_else(dash),
        ]
    }
}
