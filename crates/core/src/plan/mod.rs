//! The planner: compares a desired [`ResourceSet`] (from config) with the live one (from the
//! ports) and produces a [`Plan`], a typed, serialisable list of changes with field-level
//! differences. Pure and synchronous; fetching the live state is the caller's job.

mod change;
mod fingerprint;
mod imp;
mod model;

#[cfg(test)]
pub(crate) mod tests;

pub use change::{Action, Change, Plan, PlanOptions, ResourceSet, Summary};
pub use fingerprint::{Fingerprint, StaleError, check_fresh, fingerprint};
pub use imp::{plan, refusals};
pub(crate) use model::field_diff;
pub use model::{AnyResource, FieldDiff, ParseRefError, Resource, ResourceKind, ResourceRef};
