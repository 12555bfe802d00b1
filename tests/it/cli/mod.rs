//! End-to-end tests of the descope-mgmt binary.

mod architecture;
mod calls;
mod ci_examples;
mod config_input;
mod config_schema;
mod config_validate;
mod connect;
mod env_list;
mod flags;
mod flows;
mod help;
mod live;
mod lossless;
mod operators;
mod output_contract;
mod pacing;
mod plan_apply;
mod portfolio;
mod promises;
mod quickstart;
mod readme;
mod signals;
mod support;
mod sync;
mod tenant_crud;
mod world;
