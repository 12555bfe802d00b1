//! Rendering of command results beyond the generic helpers in `printer`: plans as text for
//! people and as a Markdown comment for code review, and the differences between two
//! environments (`diff --from --to`) in both forms.

pub mod env_diff;
pub mod markdown;
pub mod plan;
