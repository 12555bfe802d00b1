//! `plan` (every kind): what `apply` would change with the same flags, for one environment or,
//! with `--env all`, every environment as one matrix; `--out FILE` saves it for `apply FILE`;
//! `--explain` adds where each value of the created and updated resources came from.

use descope_mgmt_core::config::load::provenance::Explained;
use descope_mgmt_core::plan::{Action, ResourceRef};

use crate::cli::{Format, PlanArgs};
use crate::exit::{CliError, Exit};
use crate::pipeline::read::{Pending, all_envs, plan_one, show};
use crate::pipeline::{self, Planned, Selection, plan_file};
use crate::render;
use crate::report::{PlanReport, ProvenanceEntry};
use crate::settings::Settings;

pub fn run(settings: &Settings, args: &PlanArgs) -> Result<Exit, CliError> {
    let selection = Selection::all_kinds(&args.target, args.selector.as_ref(), args.prune)
        .with_rotate_secrets(args.rotate_secrets)
        .with_strict_layout(args.strict_layout);
    if settings.all_envs() {
        if args.out.is_some() || args.explain {
            return Err(CliError::new(
                Exit::Usage,
                "--out and --explain are for the plan of one environment, not of --env all",
            ));
        }
        return all_envs(
            settings,
            "plan",
            &selection,
            args.detailed_exitcode,
            Pending::Writes,
        );
    }
    let explained = match args.explain {
        true => Some(pipeline::explain(settings, settings.one_env()?.as_str())?),
        false => None,
    };
    let plan = plan_one(settings, &selection, |planned| {
        match &explained {
            Some(explained) if settings.printer.format() != Format::Markdown => {
                show_explained(settings, planned, explained)?;
            }
            _ => show(settings, "plan", planned)?,
        }
        if let Some(out) = &args.out {
            plan_file::save(settings, out, planned)?;
            settings
                .printer
                .note(format!("plan saved to {}", out.display()));
        }
        Ok(())
    })?;
    Ok(Pending::Writes.exit(&plan, args.detailed_exitcode))
}

/// The plan, then the provenance of every field of the resources it creates or updates.
fn show_explained(
    settings: &Settings,
    planned: &Planned,
    explained: &Explained,
) -> Result<(), CliError> {
    let prefixes: Vec<String> = planned
        .plan
        .changes
        .iter()
        .filter(|change| matches!(change.action, Action::Create | Action::Update))
        .map(|change| pipeline::provenance_prefix(&ResourceRef::new(change.kind, &change.id)))
        .collect();
    let fields: Vec<ProvenanceEntry> = explained
        .fields
        .iter()
        .filter(|field| prefixes.iter().any(|prefix| field.path.starts_with(prefix)))
        .map(ProvenanceEntry::from)
        .collect();
    let mut report = PlanReport::new(&planned.env, &planned.plan, planned.calls());
    report.explain = Some(fields);
    let printer = &settings.printer;
    printer.report(&report, || {
        let mut text = render::plan::human(&planned.env, &planned.plan, printer.palette());
        text.push_str(&report.calls.text());
        text.push('\n');
        let fields = report.explain.iter().flatten();
        let lines: Vec<String> = fields.map(ProvenanceEntry::line).collect();
        if !lines.is_empty() {
            text.push_str("\nWhere the values come from:\n");
            text.push_str(&lines.join("\n"));
        }
        text
    })?;
    Ok(())
}
