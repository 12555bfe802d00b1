//! Rendering helpers: data to stdout as a table (comfy-table), JSON (always with
//! `"format_version": 1`) or YAML; diagnostics to stderr. A closed pipe (`| head`) is success.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use descope_mgmt_core::config::Diagnostic;
use serde_json::Value;

use crate::cli::{ColorChoice, Format};

/// The version of every JSON/YAML document on stdout; bumped only on incompatible changes.
pub const FORMAT_VERSION: u64 = 1;

/// Writes `document` (a JSON object; `format_version` is added first) as JSON or YAML, or calls
/// `table` for the human format.
pub fn emit(format: Format, document: Value, table: impl FnOnce() -> String) -> io::Result<()> {
    let text = match format {
        Format::Table => table(),
        Format::Json => {
            serde_json::to_string_pretty(&versioned(document)).map_err(io::Error::other)?
        }
        Format::Yaml => to_yaml(&versioned(document)),
    };
    if text.is_empty() {
        return Ok(());
    }
    write_stdout(&text)
}

fn versioned(document: Value) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("format_version".to_owned(), FORMAT_VERSION.into());
    if let Value::Object(fields) = document {
        object.extend(fields);
    }
    Value::Object(object)
}

/// Writes text and a final newline to stdout, treating a closed pipe as success.
pub fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                stdout.write_all(b"\n")
            }
        })
        .and_then(|()| stdout.flush());
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// One line per diagnostic on stderr.
pub fn print_diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
    let mut stderr = io::stderr().lock();
    for diagnostic in diagnostics {
        // Nothing useful can be done if stderr is gone.
        let _ = writeln!(stderr, "{diagnostic}");
    }
}

/// A table with a header row.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>, color: ColorChoice) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.to_vec());
    if color == ColorChoice::Never {
        table.force_no_tty();
    }
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// Block-style YAML for JSON data. Strings are written as JSON strings (double-quoted YAML
/// scalars), so no value can be misread as another type.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, &mut out);
    out
}

fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (key, field) in fields {
                out.push_str(&pad);
                out.push_str(&scalar(&Value::String(key.clone())));
                out.push(':');
                write_nested(field, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                write_nested(item, indent, out);
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_nested(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
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
    fn yaml_is_block_style_with_quoted_strings() {
        let yaml = to_yaml(&json!({"a": 1, "b": ["x", {"c": true}], "d": {}, "e": null}));
        assert_eq!(
            yaml,
            "\"a\": 1\n\"b\":\n  - \"x\"\n  -\n    \"c\": true\n\"d\": {}\n\"e\": null\n"
        );
    }

    #[test]
    fn json_documents_carry_the_format_version_first() {
        let document = versioned(json!({"items": []}));
        assert_eq!(
            document.as_object().unwrap().keys().next().unwrap(),
            "format_version"
        );
    }
}
