//! The differences between two environments (`report::EnvDiffReport`) as text for people and
//! as a Markdown comment: `-` only in the `from` side, `+` only in the `to` side, `~` different
//! (one line per field, `from → to`), as `diff` reads.

use std::fmt::Write as _;

use super::markdown::cell;
use super::plan::{Palette, field_value};
use crate::report::{EnvDiffReport, EnvDifferenceEntry};

fn sign(entry: &EnvDifferenceEntry) -> (&'static str, &'static str) {
    match entry.status.as_str() {
        "only_in_from" => ("-", "31"),
        "only_in_to" => ("+", "32"),
        _ => ("~", "33"),
    }
}

fn status_text(report: &EnvDiffReport, entry: &EnvDifferenceEntry) -> String {
    match entry.status.as_str() {
        "only_in_from" => format!("only in {}", report.from),
        "only_in_to" => format!("only in {}", report.to),
        _ => "different".to_owned(),
    }
}

fn summary_line(report: &EnvDiffReport) -> String {
    let summary = &report.summary;
    format!(
        "Diff: {} only in {}, {} only in {}, {} different, {} equal.",
        summary.only_in_from,
        report.from,
        summary.only_in_to,
        report.to,
        summary.different,
        summary.equal
    )
}

pub fn human(report: &EnvDiffReport, palette: Palette) -> String {
    if report.is_empty() {
        return format!(
            "{} and {}: no differences ({} resources equal)",
            report.from, report.to, report.summary.equal
        );
    }
    let mut out = format!("Differences from {} to {}:\n", report.from, report.to);
    for entry in &report.differences {
        let (sign, code) = sign(entry);
        let mut line = format!("{sign} {} {}", entry.kind, entry.id);
        if entry.status != "different" {
            let _ = write!(line, " ({})", status_text(report, entry));
        }
        let _ = writeln!(out, "{}", palette.paint(code, &line));
        for field in &entry.fields {
            let line = format!(
                "    {}: {} → {}",
                field.field,
                field_value(&field.field, &field.from),
                field_value(&field.field, &field.to)
            );
            let _ = writeln!(out, "{}", palette.paint(code, &line));
        }
    }
    out.push_str(&summary_line(report));
    out
}

/// A review comment: one table row per differing resource, the changed fields named.
pub fn markdown(report: &EnvDiffReport) -> String {
    let mut out = format!("### diff {} → {}\n\n", cell(&report.from), cell(&report.to));
    if report.is_empty() {
        let _ = writeln!(out, "No differences.");
        return out;
    }
    out.push_str("| kind | id | difference |\n| --- | --- | --- |\n");
    for entry in &report.differences {
        let mut difference = status_text(report, entry);
        if !entry.fields.is_empty() {
            let names: Vec<&str> = entry.fields.iter().map(|f| f.field.as_str()).collect();
            let _ = write!(difference, ": {}", names.join(", "));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&entry.kind),
            cell(&entry.id),
            cell(&difference)
        );
    }
    let _ = writeln!(out, "\n{}", summary_line(report));
    out
}
