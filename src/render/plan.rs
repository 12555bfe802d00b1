//! Rendering a plan as terraform-like text for people (the JSON/YAML form is
//! `report::PlanReport`).

use std::fmt::Write as _;

use descope_mgmt_core::plan::{Action, Plan};
use descope_mgmt_core::resource::SECRET_REPLACED;
use serde_json::Value;

/// How a plan reads: colours (Terraform's: `+` green, `~` yellow, `-` red) and whether creates
/// and deletes list their fields (`--compact`: one line per change).
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    enabled: bool,
    compact: bool,
}

impl Palette {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            compact: false,
        }
    }

    /// The same layout without colours (markdown, files).
    pub fn plain(self) -> Self {
        Self {
            enabled: false,
            ..self
        }
    }

    pub fn compact(mut self, compact: bool) -> Self {
        self.compact = compact;
        self
    }

    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// `+ create tenant acme` with every field it sets, `~ update tenant x` with one line per
/// changed field, `- delete` with every field it removes, unmanaged resources, then the summary
/// line. The first line names the environment.
pub fn human(env: &str, plan: &Plan, palette: Palette) -> String {
    format!("Environment: {env}\n{}", changes(plan, palette))
}

/// [`human`] without the environment line (the markdown comment has its own headings).
pub fn changes(plan: &Plan, palette: Palette) -> String {
    let mut out = String::new();
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
            let line = format!(
                "    {}: {} → {}",
                field.field,
                shown(&field.field, &field.before),
                shown(&field.field, &field.after)
            );
            let _ = writeln!(out, "{}", palette.paint(code, &line));
        }
        if palette.compact {
            continue;
        }
        let state = match change.action {
            Action::Create => change.after.as_ref(),
            Action::Delete => change.before.as_ref(),
            _ => None,
        };
        if let Some(Value::Object(fields)) = state.map(|resource| resource.state_json()) {
            let mut lines = Vec::new();
            for (name, value) in &fields {
                let is_identity = matches!(name.as_str(), "id" | "name")
                    && value.as_str() == Some(change.id.as_str());
                if !is_identity && is_set(value) {
                    field_lines(sign, 4, name, value, &mut lines);
                }
            }
            for line in lines {
                let _ = writeln!(out, "{}", palette.paint(code, &line));
            }
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
    if !plan.layout_only.is_empty() {
        let moved: Vec<String> = plan
            .layout_only
            .iter()
            .map(|reference| format!("{} {}", reference.kind, reference.id))
            .collect();
        let line = format!(
            "layout only (canvas positions, not a change unless --strict-layout): {}",
            moved.join(", ")
        );
        let _ = writeln!(out, "{}", palette.paint("2", &line));
    }
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

/// Absent, empty and null values are not "set" by a create (nor lost by a delete).
fn is_set(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        _ => true,
    }
}

/// Secrets (client secrets, passwords, tokens, keys) never appear in a plan.
fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    // How long a token lives is a setting, not a token; a password policy holds no password.
    if name.ends_with("_expiration") || name.starts_with("password_policy") {
        return false;
    }
    [
        "secret",
        "password",
        "token",
        "private_key",
        "management_key",
    ]
    .iter()
    .any(|word| name.contains(word))
}

fn shown(name: &str, value: &Value) -> String {
    // The `--rotate-secrets` mark stands in for a secret and is what the plan must say.
    if value.as_str() == Some(SECRET_REPLACED) {
        return SECRET_REPLACED.to_owned();
    }
    if is_sensitive(name) {
        "(sensitive)".to_owned()
    } else {
        compact(value)
    }
}

/// `sign name: value`, with objects one key per line and multi-line strings one line per line,
/// indented under their field.
fn field_lines(sign: &str, indent: usize, name: &str, value: &Value, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    if is_sensitive(name) {
        out.push(format!("{pad}{sign} {name}: (sensitive)"));
        return;
    }
    match value {
        Value::Object(fields) => {
            out.push(format!("{pad}{sign} {name}:"));
            for (key, field) in fields {
                field_lines(sign, indent + 4, key, field, out);
            }
        }
        Value::String(text) if text.contains('\n') => {
            out.push(format!("{pad}{sign} {name}: |"));
            for line in text.lines() {
                out.push(format!("{pad}      {line}"));
            }
        }
        other => out.push(format!("{pad}{sign} {name}: {}", compact(other))),
    }
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

/// A field's value as a plan line shows it (secrets masked), for other renderers.
pub(crate) fn field_value(name: &str, value: &Value) -> String {
    shown(name, value)
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
            layout_only: Vec::new(),
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
    fn creates_list_their_fields_and_hide_secrets() {
        let mut plan = sample();
        plan.changes[0].after = Some(descope_mgmt_core::plan::AnyResource::Tenant(Box::new(
            descope_mgmt_core::resource::Tenant {
                id: "acme".into(),
                name: "Acme".into(),
                custom_attributes: [
                    ("api_token".to_owned(), json!("hunter2")),
                    ("notes".to_owned(), json!("one\ntwo")),
                ]
                .into_iter()
                .collect(),
                ..Default::default()
            },
        )));
        let text = human("dev", &plan, Palette::new(false));
        assert!(
            text.contains("+ create tenant acme\n    + name: \"Acme\"\n"),
            "{text}"
        );
        assert!(
            text.contains("        + api_token: (sensitive)\n"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("        + notes: |\n              one\n              two\n"),
            "{text}"
        );
        let compact = human("dev", &plan, Palette::new(false).compact(true));
        assert!(!compact.contains("name: \"Acme\""), "{compact}");
    }

    #[test]
    fn colours_only_when_enabled() {
        assert!(human("dev", &sample(), Palette::new(true)).contains("\x1b[32m+ create"));
        assert!(!human("dev", &sample(), Palette::new(false)).contains('\x1b'));
    }
}
