//! Structural rules of the CLI crate that the compiler does not enforce: command modules do not
//! import each other (what they share lives in the pipeline or the printer), and every
//! environment variable the tool reads is in the one table (`env_vars.rs`) and in the README.

use std::path::Path;

use super::support::repo_root;

fn command_modules() -> Vec<(String, String)> {
    let dir = repo_root().join("src/commands");
    let mut modules: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    modules.sort();
    modules
}

#[test]
fn no_command_module_imports_a_sibling() {
    let modules = command_modules();
    let names: Vec<&str> = modules
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "mod")
        .collect();
    assert!(
        names.contains(&"plan") && names.contains(&"apply"),
        "{names:?}"
    );
    let mut offences = Vec::new();
    for (module, text) in &modules {
        if module == "mod" {
            continue;
        }
        for sibling in &names {
            for pattern in [
                format!("super::{sibling}::"),
                format!("super::{sibling};"),
                format!("super::{{{sibling}"),
                format!("commands::{sibling}::"),
                format!("commands::{sibling};"),
            ] {
                if text.contains(&pattern) {
                    offences.push(format!("{module}.rs uses {pattern}"));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn the_module_serving_every_kind_is_not_named_after_tenants() {
    let modules: Vec<String> = command_modules()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(!modules.contains(&"tenant_sync".to_owned()), "{modules:?}");
    assert!(
        modules.contains(&"kind_diff_sync".to_owned()),
        "{modules:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_environment_variable_read_by_the_cli_is_in_the_table_and_the_readme() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let table = descope_mgmt::env_vars::ALL;
    assert!(table.len() >= 8, "{table:?}");
    for (name, _) in table {
        assert!(
            readme.contains(&format!("| `{name}`")),
            "{name} is missing from the README's environment-variable table"
        );
    }
    // The CLI reads variables only through the table's constants.
    let mut files = Vec::new();
    rust_files(&repo_root().join("src"), &mut files);
    for file in files {
        if file.ends_with("env_vars.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for call in ["var_os(\"", "var(\"", "env = \""] {
            assert!(
                !text.contains(call),
                "{} reads a variable by literal name ({call}…); use env_vars",
                file.display()
            );
        }
    }
}
