//! Flows as code: the flow document (v2 export, v1 converted), the checks a flow file must pass,
//! the normaliser that decides what counts as a change (with the one list of volatile fields), and
//! the structured diff rendered in plans, and reading live flows with few calls (a list, then an
//! export per flow not cached at its listed revision).

mod cache;
mod convert;
mod diff;
mod document;
mod live;
mod normalize;

#[cfg(test)]
mod tests;

pub use cache::FlowCache;
pub use convert::{v1_to_v2, v2_to_v1};
pub use diff::{
    Change, ComponentChange, FieldChange, FlowDiff, ReferenceChange, ScreenChange, TaskChange,
    diff_components,
};
pub use document::{FlowDocument, FlowFormat};
pub use live::{FlowSource, ListedFlow, LiveFlows, read_live_flows};
pub use normalize::{
    FLOW_VOLATILE_FIELDS, NormalizedFlow, SAVE_STAMP_FIELDS, Treatment, VolatileField,
    normalize_flow,
};

pub(crate) use diff::{plain, push_if_differs, union_keys};
pub(crate) use normalize::{names_only, remove_matching};
