//! End-to-end tests of the descope-mgmt binary.

mod config_schema;
mod config_validate;
mod env_list;
mod flags;
mod plan_apply;
mod support;
mod sync_support;
