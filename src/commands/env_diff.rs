//! `diff --from ENV --to ENV`: every kind of two environments (live projects, or
//! `config:ENV`) compared by identity; exit 2 on any difference, 0 when equal.

use crate::cli::{EnvDiffArgs, Format};
use crate::exit::{CliError, Exit};
use crate::pipeline::Selection;
use crate::pipeline::snapshot::{Side, compare, with_sides};
use crate::render::env_diff;
use crate::report::EnvDiffReport;
use crate::settings::Settings;

pub fn run(settings: &Settings, args: &EnvDiffArgs) -> Result<Exit, CliError> {
    let from = Side::parse(&args.from);
    let to = Side::parse(&args.to);
    let selection = Selection::all_kinds(&args.target, args.selector.as_ref(), true);
    let plan = with_sides(settings, &from, &to, async |from, to| {
        compare(&from, &to, &selection).await
    })?;
    let report = EnvDiffReport::new(&from.label(), &to.label(), &plan);
    let printer = &settings.printer;
    if printer.format() == Format::Markdown {
        printer.data(&env_diff::markdown(&report))?;
    } else {
        printer.report(&report, || env_diff::human(&report, printer.palette()))?;
    }
    Ok(if report.is_empty() {
        Exit::Success
    } else {
        Exit::ChangesPending
    })
}
