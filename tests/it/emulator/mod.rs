//! HTTP-level tests of the emulator (wire shapes, errors, faults, persistence).

mod support;

mod control;
mod errors;
mod faults;
mod flows;
mod password;
mod persistence;
mod principals;
mod project;
mod roles;
mod sso;
mod tenants;
