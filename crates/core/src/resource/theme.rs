//! The theme kind: the project's one theme (a singleton), compared through the theme normaliser
//! ([`crate::theme::ThemeDocument::normalize`]) and diffed one design token per line.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::KindRules;
use crate::config::DescopeConfig;
use crate::document::canonical;
use crate::plan::FieldDiff;
use crate::theme::{ThemeDiff, ThemeDocument};

/// The project theme as the v2 styles document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Theme {
    pub document: Value,
}

impl Theme {
    /// What comparison sees: the normaliser's form, or the canonical JSON of a document that is
    /// not a theme export at all (so it still compares, and differs, by content).
    fn comparable(&self) -> Value {
        ThemeDocument::from_json(self.document.clone())
            .map_or_else(|_| canonical(&self.document), |theme| theme.normalize())
    }
}

impl PartialEq for Theme {
    fn eq(&self, other: &Self) -> bool {
        self.comparable() == other.comparable()
    }
}

impl Eq for Theme {}

impl KindRules for Theme {
    fn normalize(self) -> Self {
        self
    }

    /// Every project has a theme; one the configuration does not declare is Descope's, not
    /// drift, and cannot be deleted.
    fn is_system_default(&self) -> bool {
        true
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        let Some(entry) = config.theme() else {
            return Vec::new();
        };
        // The loader has already read and checked the file.
        let Some(theme) = std::fs::read(entry.file())
            .ok()
            .and_then(|bytes| ThemeDocument::parse(&bytes).ok())
        else {
            tracing::warn!(file = %entry.file().display(), "theme file no longer readable");
            return Vec::new();
        };
        vec![Theme {
            document: theme.json().clone(),
        }]
    }

    fn field_diffs(&self, after: &Self) -> Vec<FieldDiff> {
        ThemeDiff::between(&self.comparable(), &after.comparable())
            .changes
            .into_iter()
            .map(|change| FieldDiff {
                field: change.field,
                before: change.before.unwrap_or(Value::Null),
                after: change.after.unwrap_or(Value::Null),
            })
            .collect()
    }
}
