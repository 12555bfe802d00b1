//! Rendering of command results beyond the generic helpers in `output`.

pub mod plan;
