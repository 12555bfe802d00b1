//! Rendering a plan as terraform-like text for people (the JSON/YAML form is
//! `report::PlanReport`).

use std::fmt::Write as _;

use descope_mgmt_core::plan::{Action, Plan};
use serde_json::Value;

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// `+ create tenant acme`, `~ update tenant x` with one line per changed field, `- delete`,
/// unmanaged resources, then the summary line.
pub fn human(env: &str, plan: &Plan, palette: Palette) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Environment: {env}");
    for change in &plan.changes {
        let (sign, code) = match change.action {
            Action::Create => ("+", "32"),
            Action::Update => ("~", "33"),
            Action::Delete => ("-", "31"),
            Action::Unchanged => continue,
        };
        let line = format!(
            "{sign} {} {} {}",
            change.action.as_str(),
            change.kind,
            change.id
        );
        let _ = writeln!(out, "{}", palette.paint(code, &line));
        for field in &change.fields {
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                field.field,
                compact(&field.before),
                compact(&field.after)
            );
        }
    }
    for reference in &plan.unmanaged {
        let _ = writeln!(
            out,
            "{}",
            palette.paint(
                "2",
                &format!(
                    "? {} {}: not in config (use --prune to delete)",
                    reference.kind, reference.id
                )
            )
        );
    }
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

pub fn summary_line(plan: &Plan) -> String {
    let summary = plan.summary();
    let mut line = format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        summary.create, summary.update, summary.delete, summary.unchanged
    );
    if summary.unmanaged > 0 {
        let _ = write!(line, " {} not in config.", summary.unmanaged);
    }
    line
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use descope_mgmt_core::plan::{Change, FieldDiff, ResourceKind, ResourceRef};
    use serde_json::json;

    fn sample() -> Plan {
        Plan {
            prune: false,
            targets: None,
            changes: vec![
                Change {
                    kind: ResourceKind::Tenant,
                    id: "acme".into(),
                    action: Action::Create,
                    fields: vec![],
                    before: None,
                    after: None,
                },
                Change {
                    kind: ResourceKind::Tenant,
                    id: "beta".into(),
                    action: Action::Update,
                    fields: vec![FieldDiff {
                        field: "name".into(),
                        before: json!("A"),
                        after: json!("B"),
                    }],
                    before: None,
                    after: None,
                },
                Change {
                    kind: ResourceKind::Tenant,
                    id: "same".into(),
                    action: Action::Unchanged,
                    fields: vec![],
                    before: None,
                    after: None,
                },
            ],
            unmanaged: vec![ResourceRef::new(ResourceKind::Tenant, "old")],
        }
    }

    #[test]
    fn human_plan_reads_like_terraform() {
        let text = human("dev", &sample(), Palette::new(false));
        assert_eq!(
            text,
            "Environment: dev\n+ create tenant acme\n~ update tenant beta\n    name: \"A\" → \"B\"\n? tenant old: not in config (use --prune to delete)\nPlan: 1 to create, 1 to update, 0 to delete, 1 unchanged. 1 not in config.\n"
        );
    }

    #[test]
    fn colours_only_when_enabled() {
        assert!(human("dev", &sample(), Palette::new(true)).contains("\x1b[32m+ create"));
        assert!(!human("dev", &sample(), Palette::new(false)).contains('\x1b'));
    }
}
