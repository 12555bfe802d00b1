//! Plans as a Markdown comment for pull/merge requests (`--format markdown` of `plan`, `drift` and
//! the `diff` subcommands): a summary table of every environment, then each environment's plan
//! in a collapsible section, within a size cap that code-review sites accept. The first line is
//! a marker that CI scripts search for to update their comment in place instead of adding one.

use std::fmt::Write as _;

use descope_mgmt_core::plan::Plan;

use super::plan::{Palette, changes};

/// GitHub refuses comments over 65,536 characters; the rest leaves room for the CI's own text.
pub const SIZE_CAP: usize = 60_000;

/// One environment's row: its plan and the line stating its API calls, or why there is none.
#[derive(Debug)]
pub enum EnvPlan<'a> {
    Planned(&'a Plan, String),
    NotPlanned(String),
}

/// The comment for `title` (e.g. `plan`) over `envs`, at most `cap` characters long.
pub fn comment(title: &str, envs: &[(&str, EnvPlan<'_>)], palette: Palette, cap: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!-- descope-mgmt {title} -->");
    let _ = writeln!(out, "### descope-mgmt {title}\n");
    let _ = writeln!(
        out,
        "| Environment | Create | Update | Delete | Unchanged | Not in config | Status |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (env, outcome) in envs {
        match outcome {
            EnvPlan::Planned(plan, _) => {
                let summary = plan.summary();
                let _ = writeln!(
                    out,
                    "| {env} | {} | {} | {} | {} | {} | ok |",
                    summary.create,
                    summary.update,
                    summary.delete,
                    summary.unchanged,
                    summary.unmanaged
                );
            }
            EnvPlan::NotPlanned(status) => {
                let _ = writeln!(out, "| {env} | - | - | - | - | - | {} |", cell(status));
            }
        }
    }
    let note_room = 200;
    for (env, outcome) in envs {
        let EnvPlan::Planned(plan, calls) = outcome else {
            continue;
        };
        let summary = plan.summary();
        if plan.is_empty() && summary.unmanaged == 0 {
            continue;
        }
        let head = format!(
            "\n<details><summary>{env}: {} to create, {} to update, {} to delete, {} not in config</summary>\n\n```diff\n",
            summary.create, summary.update, summary.delete, summary.unmanaged
        );
        let tail = "```\n\n</details>\n";
        let mut body = changes(plan, palette.plain());
        if !calls.is_empty() {
            body.push_str(calls);
            body.push('\n');
        }
        let room = cap.saturating_sub(out.len() + head.len() + tail.len() + note_room);
        if room == 0 {
            let _ = write!(
                out,
                "\n_Truncated: the plans of the remaining environments do not fit in one comment; \
                 see the job's log or run `descope-mgmt {title} --env {env}`._\n"
            );
            break;
        }
        out.push_str(&head);
        if body.len() <= room {
            out.push_str(&body);
            out.push_str(tail);
        } else {
            // Whole lines only (a line break is one byte, so the cut is on a char boundary).
            let cut = body
                .match_indices('\n')
                .map(|(end, _)| end + 1)
                .take_while(|end| *end <= room)
                .last()
                .unwrap_or(0);
            out.push_str(&body[..cut]);
            out.push_str(tail);
            let _ = write!(
                out,
                "\n_Truncated: {} of {} characters shown; see the job's log or run \
                 `descope-mgmt {title} --env {env}`._\n",
                cut,
                body.len()
            );
            break;
        }
    }
    out
}

/// A table cell: pipes would end the cell, newlines the row.
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use descope_mgmt_core::plan::{Action, Change, ResourceKind};

    fn plan_of(count: usize) -> Plan {
        Plan {
            prune: false,
            targets: None,
            changes: (0..count)
                .map(|n| Change {
                    kind: ResourceKind::Tenant,
                    id: format!("tenant-{n:05}"),
                    action: Action::Create,
                    fields: vec![],
                    before: None,
                    after: None,
                })
                .collect(),
            unmanaged: vec![],
            layout_only: Vec::new(),
        }
    }

    #[test]
    fn a_large_plan_is_cut_at_a_line_within_the_cap_with_a_note() {
        let plan = plan_of(5_000);
        let text = comment(
            "plan",
            &[("dev", EnvPlan::Planned(&plan, String::new()))],
            Palette::new(false),
            4_000,
        );
        assert!(text.len() <= 4_000, "{}", text.len());
        assert!(text.contains("_Truncated: "), "{text}");
        assert!(text.contains("+ create tenant tenant-00000\n"), "{text}");
        let small = comment(
            "plan",
            &[(
                "dev",
                EnvPlan::Planned(
                    &plan_of(3),
                    "API: 2 calls to read; applying takes ≈ 3 calls (not paced)".into(),
                ),
            )],
            Palette::new(false),
            4_000,
        );
        assert!(!small.contains("Truncated"), "{small}");
        assert!(
            small.contains("Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged.\nAPI: 2 calls to read; applying takes ≈ 3 calls (not paced)\n```"),
            "{small}"
        );
        assert!(
            small.contains("| dev | 3 | 0 | 0 | 0 | 0 | ok |"),
            "{small}"
        );
    }

    #[test]
    fn environments_without_a_plan_show_their_status_escaped() {
        let text = comment(
            "drift",
            &[("qa", EnvPlan::NotPlanned("error: a | b".into()))],
            Palette::new(true),
            SIZE_CAP,
        );
        assert!(
            text.contains("| qa | - | - | - | - | - | error: a \\| b |"),
            "{text}"
        );
        assert!(!text.contains('\x1b'));
    }
}
