//! The README agrees with the tool: the configuration reference tables name exactly the fields
//! of `config schema`, every command has a row with an example that parses, the quickstart is
//! the two promised commands, and the exit codes and environment variables are all listed.

use std::collections::BTreeSet;

use serde_json::Value;

use super::support::{descope_mgmt, repo_root, run, shell_words};

fn readme() -> String {
    std::fs::read_to_string(repo_root().join("README.md")).expect("README.md")
}

/// The lines under `heading` (e.g. `### Tenant`) up to the next heading of the same or a
/// higher level.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.split(' ').next().unwrap_or_default().len();
    let mut lines = text.lines().skip_while(|line| line.trim_end() != heading);
    assert!(lines.next().is_some(), "README has no `{heading}` section");
    lines
        .take_while(|line| {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !line[hashes..].starts_with(' ')
        })
        .collect()
}

/// The backticked names in the first column of the first table of a section.
fn first_column(lines: &[&str]) -> BTreeSet<String> {
    lines
        .iter()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_owned))
        .collect()
}

fn schema() -> Value {
    let result = run(descope_mgmt(&repo_root()).args(["config", "schema"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    serde_json::from_str(&result.stdout).expect("the schema is JSON")
}

/// Property names of a schema node, following `$ref` and the branches of `oneOf`/`anyOf`.
fn properties(schema: &Value, node: &Value) -> BTreeSet<String> {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return properties(schema, &schema["$defs"][name]);
    }
    let mut names: BTreeSet<String> = node
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default();
    for branches in ["oneOf", "anyOf", "allOf"] {
        for branch in node
            .get(branches)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            names.extend(properties(schema, branch));
        }
    }
    names
}

#[test]
fn configuration_reference_names_exactly_the_schema_fields() {
    let schema = schema();
    let text = readme();
    let reference = section(&text, "## Configuration reference").join("\n");
    let top = &schema["properties"];
    let tables = [
        ("### Top level", schema.clone()),
        (
            "### Environment",
            top["environments"]["additionalProperties"].clone(),
        ),
        ("### Tenant", top["tenants"]["items"].clone()),
        ("### Permission", top["permissions"]["items"].clone()),
        ("### Role", top["roles"]["items"].clone()),
        ("### Flow", top["flows"]["items"].clone()),
        ("### Theme", top["themes"].clone()),
    ];
    for (heading, node) in tables {
        let documented = first_column(&section(&reference, heading));
        let actual = properties(&schema, &node);
        assert!(
            !actual.is_empty(),
            "{heading}: the schema walk found no fields"
        );
        assert_eq!(
            documented, actual,
            "README `{heading}` table vs `config schema`"
        );
    }
}

/// Every command path that runs something (a leaf of the tree).
fn leaf_commands() -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands() {
            let path = format!("{prefix}{}", sub.get_name());
            if sub.has_subcommands() {
                walk(sub, &format!("{path} "), out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&descope_mgmt::command(), "", &mut out);
    out
}

#[test]
fn every_command_has_a_row_with_a_working_example() {
    let text = readme();
    let table = section(&text, "## Command line");
    let mut missing = Vec::new();
    for command in leaf_commands() {
        let row = table
            .iter()
            .find(|line| line.starts_with(&format!("| `{command}` |")));
        let Some(row) = row else {
            missing.push(command);
            continue;
        };
        let example = row
            .split('`')
            .skip(1)
            .step_by(2)
            .find(|code| code.starts_with(&format!("descope-mgmt {command}")))
            .unwrap_or_else(|| panic!("the row of `{command}` has no example: {row}"));
        let args = shell_words(example);
        if let Err(error) = descope_mgmt::command().try_get_matches_from(&args) {
            panic!("README example `{example}` does not parse:\n{error}");
        }
    }
    assert!(
        missing.is_empty(),
        "commands missing from the README's table: {missing:?}"
    );
}

#[test]
fn quickstart_is_the_example_and_the_test_command() {
    let text = readme();
    let quickstart = section(&text, "## Quickstart");
    let commands: Vec<String> = quickstart
        .split(|line| line.starts_with("```"))
        .skip(1)
        .step_by(2)
        .take(2)
        .map(|block| block.join("\n"))
        .collect();
    assert_eq!(
        commands,
        ["cargo run --example quickstart", "cargo test --workspace"]
    );
    let ci = std::fs::read_to_string(repo_root().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.lines()
            .any(|line| line.trim() == "cargo test --workspace")
    );
}

#[test]
fn exit_codes_match_the_help() {
    let text = readme();
    let codes: BTreeSet<String> = section(&text, "### Exit codes")
        .iter()
        .filter(|line| line.starts_with("| "))
        .filter_map(|line| line.split('|').nth(1))
        .map(|cell| cell.trim().to_owned())
        .filter(|cell| cell.chars().all(|c| c.is_ascii_digit()) && !cell.is_empty())
        .collect();
    let help = run(descope_mgmt(&repo_root()).arg("--help")).stdout;
    let in_help: BTreeSet<String> = help
        .lines()
        .skip_while(|line| !line.starts_with("Exit codes:"))
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect();
    assert_eq!(codes, in_help);
    assert_eq!(codes.len(), 9, "{codes:?}");
}

#[test]
fn environment_variables_are_documented() {
    let text = readme();
    let documented = first_column(&section(&text, "## Environment variables"));
    for variable in [
        "DESCOPE_MGMT_CONFIG",
        "DESCOPE_BASE_URL",
        "DESCOPE_BASE_URI",
        "DESCOPE_MGMT_STATE_DIR",
        "RUST_LOG",
        "DESCOPE_<ENV>_PROJECT_ID",
        "DESCOPE_<ENV>_MANAGEMENT_KEY",
    ] {
        assert!(
            documented.contains(variable),
            "{variable} missing: {documented:?}"
        );
    }
}

#[test]
fn troubleshooting_covers_the_common_failures() {
    let text = readme();
    let troubleshooting = section(&text, "## Troubleshooting").join("\n");
    for topic in ["401", "403", "429", "protected", "locked", "Stale plan"] {
        assert!(troubleshooting.contains(topic), "{topic}");
    }
}

/// The architecture section's list of files a new kind touches stays true: every path it names
/// exists, and a `<kind>` or `<section>` path exists for every kind of the registry.
#[test]
fn the_architecture_section_names_files_that_exist_for_every_kind() {
    let text = readme();
    let lines = section(&text, "## Architecture");
    let paths: BTreeSet<String> = lines
        .iter()
        .flat_map(|line| line.split('`').skip(1).step_by(2))
        .filter(|token| token.contains('/'))
        .map(str::to_owned)
        .collect();
    assert!(
        paths.contains("crates/core/src/resource/<kind>.rs"),
        "{paths:?}"
    );
    for path in paths {
        let concrete: Vec<String> = descope_mgmt_core::plan::ResourceKind::ALL
            .iter()
            .map(|kind| {
                path.replace("<kind>", kind.as_str())
                    .replace("<section>", kind.section())
            })
            .collect();
        for file in concrete {
            assert!(
                repo_root().join(&file).exists(),
                "README architecture names `{file}`, which does not exist"
            );
        }
    }
}
