//! End-to-end tests of the descope-mgmt binary.

mod config_schema;
mod config_validate;
mod connect;
mod env_list;
mod flags;
mod live;
mod support;
mod tenant_crud;
