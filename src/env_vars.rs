//! Every environment variable the `descope-mgmt` binary reads, in one table (the README's
//! "Environment variables" section lists the same names; a test keeps the two in step, and no
//! other CLI module names a variable by a string literal).
//!
//! Variables a configuration names in `${VAR}` are the user's own and not listed here.

/// Path of the configuration file when `-c/--config` is not given.
pub const DESCOPE_MGMT_CONFIG: &str = "DESCOPE_MGMT_CONFIG";
/// The environment when `--env` is not given. Only ever an explicit choice: the tool never
/// picks a default environment from the configuration, so a protected one is never implied.
pub const DESCOPE_MGMT_ENV: &str = "DESCOPE_MGMT_ENV";
/// Where backups and audit logs go (default `.descope-mgmt` in the working directory).
pub const DESCOPE_MGMT_STATE_DIR: &str = "DESCOPE_MGMT_STATE_DIR";
/// Where project locks go, overriding the per-user default below (tests, shared runners).
pub const DESCOPE_MGMT_LOCK_DIR: &str = "DESCOPE_MGMT_LOCK_DIR";
/// The per-user state location (XDG base directories): locks go in `descope-mgmt/locks` under it.
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
/// The user's home: locks go in `.local/state/descope-mgmt/locks` when `XDG_STATE_HOME` is unset.
pub const HOME: &str = "HOME";
/// Largest file the configuration loader reads, in bytes (read by core's loader).
pub const DESCOPE_MGMT_MAX_CONFIG_BYTES: &str = "DESCOPE_MGMT_MAX_CONFIG_BYTES";
/// API base URL for environments without `base_url` (read by the API client).
pub const DESCOPE_BASE_URL: &str = "DESCOPE_BASE_URL";
/// The same, under the Python SDK's name; `DESCOPE_BASE_URL` wins (read by the API client).
pub const DESCOPE_BASE_URI: &str = "DESCOPE_BASE_URI";
/// Log filter; overrides `-v`/`-q`.
pub const RUST_LOG: &str = "RUST_LOG";
/// Any value turns colors off under `--color auto` (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// The user recorded in audit lines (`USERNAME` on Windows).
pub const USER: &str = "USER";
/// The user recorded in audit lines when `USER` is unset.
pub const USERNAME: &str = "USERNAME";

/// `(name, effect)` of every variable above, for the README check and `--help` readers.
pub const ALL: &[(&str, &str)] = &[
    (
        DESCOPE_MGMT_CONFIG,
        "configuration file when -c/--config is not given",
    ),
    (
        DESCOPE_MGMT_ENV,
        "environment when --env is not given (never implied from the configuration)",
    ),
    (DESCOPE_MGMT_STATE_DIR, "where backups and audit logs go"),
    (
        DESCOPE_MGMT_LOCK_DIR,
        "where project locks go (overrides the per-user default)",
    ),
    (
        XDG_STATE_HOME,
        "per-user state location; locks in descope-mgmt/locks under it",
    ),
    (
        HOME,
        "locks in ~/.local/state/descope-mgmt/locks without XDG_STATE_HOME",
    ),
    (
        DESCOPE_MGMT_MAX_CONFIG_BYTES,
        "largest configuration file read, in bytes",
    ),
    (
        DESCOPE_BASE_URL,
        "API base URL for environments without base_url",
    ),
    (DESCOPE_BASE_URI, "same, under the Python SDK's name"),
    (RUST_LOG, "log filter; overrides -v/-q"),
    (NO_COLOR, "no colors under --color auto"),
    (USER, "user recorded in the audit log"),
    (
        USERNAME,
        "user recorded in the audit log when USER is unset",
    ),
];

/// The value of `name` when set and not empty.
pub fn get(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Whether `name` is set at all (even empty), as `NO_COLOR` is defined.
pub fn is_set(name: &str) -> bool {
    std::env::var_os(name).is_some()
}
