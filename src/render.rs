//! Rendering of command results beyond the generic helpers in `printer`: plans as text for
//! people and as a Markdown comment for code review.

pub mod markdown;
pub mod plan;
