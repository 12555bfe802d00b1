//! The [`Printer`]: the only code that writes to stdout and stderr (clippy's `print_stdout` and
//! `print_stderr` are denied everywhere else). Data goes to stdout as a table, JSON or YAML;
//! notes, warnings, progress and errors go to stderr. `-q` keeps stderr to errors.
//!
//! An output stream that fails never panics: a closed stdout pipe (`| head`) is success, any other
//! stdout failure is an error the command returns, and a stderr failure is recorded so a write
//! run can stop like on Ctrl-C ([`Printer::output_failed`]) instead of writing on blind.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the printer owns the streams"
)]

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use comfy_table::{ContentArrangement, Table, presets};
use descope_mgmt_core::config::Diagnostic;
use serde::Serialize;
use serde_json::Value;

use crate::cli::Format;
use crate::render::plan::Palette;

/// How apply progress is shown on stderr, decided once (see `settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// An indicatif bar: stderr is a terminal and progress is allowed.
    Bar,
    /// Periodic plain lines: no terminal, or `--no-progress`.
    Lines,
    /// Nothing: `-q`.
    Hidden,
}

/// The decided output settings plus the streams. Cheap to clone; clones share the failure flag.
#[derive(Debug, Clone)]
pub struct Printer {
    format: Format,
    color: bool,
    compact: bool,
    quiet: bool,
    progress: ProgressMode,
    failed: Arc<OutputFailure>,
}

#[derive(Debug, Default)]
struct OutputFailure {
    failed: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Printer {
    pub fn new(format: Format, color: bool, quiet: bool, progress: ProgressMode) -> Self {
        Self {
            format,
            color,
            compact: false,
            quiet,
            progress,
            failed: Arc::default(),
        }
    }

    /// Plans one line per change (`--compact`).
    pub fn compact(mut self, compact: bool) -> Self {
        self.compact = compact;
        self
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// How plans are drawn on stdout: colors and `--compact`.
    pub fn palette(&self) -> Palette {
        Palette::new(self.color).compact(self.compact)
    }

    pub fn progress(&self) -> ProgressMode {
        self.progress
    }

    /// Writes a typed report as JSON or YAML, or the text `human` renders for `--format table`.
    pub fn report<R: Serialize>(
        &self,
        report: &R,
        human: impl FnOnce() -> String,
    ) -> io::Result<()> {
        self.report_with(|| report, human)
    }

    /// [`Printer::report`] with the report built only when it is printed: a 100,000-tenant
    /// plan's report is hundreds of megabytes that the human form never reads.
    pub fn report_with<R: Serialize>(
        &self,
        report: impl FnOnce() -> R,
        human: impl FnOnce() -> String,
    ) -> io::Result<()> {
        // Markdown exists for plans only (the dispatcher refuses it elsewhere); anything else
        // falls back to the human form.
        let text = match self.format {
            Format::Table | Format::Markdown => human(),
            Format::Json => return self.data_json(&report()),
            Format::Yaml => to_yaml(&serde_json::to_value(report()).map_err(io::Error::other)?),
        };
        if text.is_empty() {
            return Ok(());
        }
        self.data(&text)
    }

    /// Writes text and a final newline to stdout; a closed pipe is success.
    pub fn data(&self, text: &str) -> io::Result<()> {
        self.data_bytes(text.as_bytes(), !text.ends_with('\n'))
    }

    /// `value` as pretty JSON and a final newline to stdout, written as it is serialised rather
    /// than built as one string first (a 100,000-tenant plan is tens of megabytes of it); a
    /// closed pipe is success.
    fn data_json(&self, value: &impl Serialize) -> io::Result<()> {
        let stdout = io::stdout().lock();
        let mut out = io::BufWriter::with_capacity(64 * 1024, stdout);
        let result = serde_json::to_writer_pretty(&mut out, value)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        self.settle(result)
    }

    /// Raw bytes to stdout (completion scripts, manual pages); a closed pipe is success.
    pub fn data_bytes(&self, bytes: &[u8], add_newline: bool) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        let result = stdout
            .write_all(bytes)
            .and_then(|()| {
                if add_newline {
                    stdout.write_all(b"\n")
                } else {
                    Ok(())
                }
            })
            .and_then(|()| stdout.flush());
        self.settle(result)
    }

    /// The outcome of a write to stdout: a closed pipe is success, any failure is remembered.
    fn settle(&self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.mark_failed();
                Ok(())
            }
            Err(error) => {
                self.mark_failed();
                Err(error)
            }
            ok => ok,
        }
    }

    /// An informational line on stderr (`backup: …`, `plan saved to …`); none with `-q`.
    pub fn note(&self, text: impl Display) {
        if !self.quiet {
            self.stderr_line(&text.to_string());
        }
    }

    /// A progress line on stderr; none with `-q`.
    pub fn progress_line(&self, text: impl Display) {
        self.note(text);
    }

    /// An error on stderr, shown even with `-q`.
    pub fn error(&self, text: impl Display) {
        self.stderr_line(&text.to_string());
    }

    /// Configuration diagnostics on stderr: errors always, warnings unless `-q`.
    pub fn diagnostics<'a>(&self, diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
        for diagnostic in diagnostics {
            if diagnostic.is_error() {
                self.error(diagnostic);
            } else {
                self.note(diagnostic);
            }
        }
    }

    /// Whether a write to stdout or stderr has failed during this run.
    pub fn output_failed(&self) -> bool {
        self.failed.failed.load(Ordering::SeqCst)
    }

    /// Resolves once a write to stdout or stderr has failed (at once if one already has).
    pub async fn wait_output_failed(&self) {
        loop {
            let notified = self.failed.notify.notified();
            if self.output_failed() {
                return;
            }
            notified.await;
        }
    }

    /// A table with a header row, for `--format table`.
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<String>>) -> String {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(headers.to_vec());
        if !self.color {
            table.force_no_tty();
        }
        for row in rows {
            table.add_row(row);
        }
        table.to_string()
    }

    fn stderr_line(&self, text: &str) {
        let mut stderr = io::stderr().lock();
        if writeln!(stderr, "{text}")
            .and_then(|()| stderr.flush())
            .is_err()
        {
            self.mark_failed();
        }
    }

    fn mark_failed(&self) {
        if !self.failed.failed.swap(true, Ordering::SeqCst) {
            self.failed.notify.notify_waiters();
        }
    }
}

/// `-` for an empty table cell.
pub fn dash_if_empty(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// `yes`/`no` for a table cell.
pub fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

/// Block-style YAML for JSON data. Strings are written as JSON strings (double-quoted YAML
/// scalars), so no value can be misread as another type.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, OUTPUT, &mut out);
    out
}

/// [`to_yaml`] with keys that read as identifiers (`self_provisioning`) left unquoted: the
/// form of a configuration file people edit.
pub fn to_yaml_config(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, CONFIG, &mut out);
    out
}

/// How [`write_yaml`] spells keys, and whether an object in a list starts on the dash's line
/// (`- id: a`, as people write configuration) or below it.
#[derive(Clone, Copy)]
struct Style {
    key: fn(&str) -> String,
    object_on_dash_line: bool,
}

const OUTPUT: Style = Style {
    key: quoted_key,
    object_on_dash_line: false,
};

const CONFIG: Style = Style {
    key: plain_key,
    object_on_dash_line: true,
};

fn quoted_key(key: &str) -> String {
    scalar(&Value::String(key.to_owned()))
}

fn plain_key(key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if identifier {
        key.to_owned()
    } else {
        quoted_key(key)
    }
}

fn write_yaml(value: &Value, indent: usize, style: Style, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (name, field) in fields {
                out.push_str(&pad);
                out.push_str(&(style.key)(name));
                out.push(':');
                write_nested(field, indent, style, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match item {
                    Value::Object(fields) if style.object_on_dash_line && !fields.is_empty() => {
                        let mut nested = String::new();
                        write_yaml(item, indent + 2, style, &mut nested);
                        // The first key moves up beside the dash; the rest keep their indent.
                        out.push(' ');
                        out.push_str(&nested[indent + 2..]);
                    }
                    _ => write_nested(item, indent, style, out),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_nested(value: &Value, indent: usize, style: Style, out: &mut String) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, style, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, style, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configuration_yaml_leaves_identifier_keys_plain() {
        let yaml =
            to_yaml_config(&json!({"tenants": [{"id": "a", "custom_attributes": {"Seats": 1}}]}));
        assert_eq!(
            yaml,
            "tenants:\n  - id: \"a\"\n    custom_attributes:\n      \"Seats\": 1\n"
        );
    }

    #[test]
    fn yaml_is_block_style_with_quoted_strings() {
        let yaml = to_yaml(&json!({"a": 1, "b": ["x", {"c": true}], "d": {}, "e": null}));
        assert_eq!(
            yaml,
            "\"a\": 1\n\"b\":\n  - \"x\"\n  -\n    \"c\": true\n\"d\": {}\n\"e\": null\n"
        );
    }

    #[test]
    fn the_table_form_never_builds_the_typed_report() {
        let built = std::cell::Cell::new(0);
        let build = || {
            built.set(built.get() + 1);
            json!({})
        };
        let table = Printer::new(Format::Table, false, false, ProgressMode::Hidden);
        table.report_with(build, String::new).expect("report");
        assert_eq!(built.get(), 0);
        let json = Printer::new(Format::Json, false, true, ProgressMode::Hidden);
        let _ = json.report_with(build, String::new);
        assert_eq!(built.get(), 1);
    }

    #[tokio::test]
    async fn a_failed_write_is_remembered_and_wakes_waiters() {
        let printer = Printer::new(Format::Table, false, false, ProgressMode::Hidden);
        assert!(!printer.output_failed());
        let waiter = tokio::spawn({
            let printer = printer.clone();
            async move { printer.wait_output_failed().await }
        });
        printer.mark_failed();
        waiter.await.unwrap();
        assert!(printer.output_failed());
        // A waiter that starts after the failure returns at once.
        printer.wait_output_failed().await;
    }
}
