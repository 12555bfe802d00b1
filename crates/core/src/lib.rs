//! Domain of descope-mgmt: configuration models, loading and validation, the planner, the apply
//! engine and the ports (traits) that the API client implements. No HTTP, no CLI, no runtime here.

pub mod apply;
pub mod config;
pub mod document;
pub mod flow;
pub mod memory;
pub mod plan;
pub mod port;
pub mod resource;
pub mod safety;
pub mod secret;
pub mod theme;

#[cfg(test)]
mod port_tests;
