//! Recording diagnostics at a node, a key or a whole file, in the load's list of files.

use super::Decoder;
use crate::config::diagnostic::{Diagnostic, Position, Severity, Violation};
use crate::config::yaml::Node;

impl Decoder<'_> {
    pub(super) fn violations(&mut self, node: &Node, violations: Vec<Violation>) {
        for violation in violations {
            self.push(
                Severity::Error,
                node.source,
                node.position,
                violation.path,
                violation.message,
                violation.hint,
            );
        }
    }

    pub(super) fn type_error(&mut self, node: &Node, path: &str, expected: &str) {
        self.error_at(
            node,
            path,
            format!("expected {expected}, found {}", node.kind()),
            None,
        );
    }

    pub(super) fn error_at(
        &mut self,
        node: &Node,
        path: &str,
        message: String,
        hint: Option<String>,
    ) {
        self.push(
            Severity::Error,
            node.source,
            node.position,
            path.to_owned(),
            message,
            hint,
        );
    }

    pub(super) fn file_error(&mut self, source: usize, message: String, hint: &str) {
        self.push(
            Severity::Error,
            source,
            Position { line: 1, column: 1 },
            String::new(),
            message,
            Some(hint.to_owned()),
        );
    }

    pub(super) fn push(
        &mut self,
        severity: Severity,
        source: usize,
        position: Position,
        path: String,
        message: String,
        hint: Option<String>,
    ) {
        let file = self.files.get(source).cloned().unwrap_or_default();
        self.diagnostics.push(Diagnostic {
            severity,
            file,
            position,
            path,
            message,
            hint,
        });
    }

    pub(super) fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}
