//! `config schema`: a JSON Schema that the example configuration satisfies and a broken one
//! does not.

use descope_mgmt_core::config::yaml::{Node, Value, load_yaml};

use super::support::{descope_mgmt, repo_root, run};

fn to_json(node: &Node<'_>) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(value) => (*value).into(),
        Value::Int(value) => (*value).into(),
        Value::Float(value, _) => (*value).into(),
        Value::Str(value) => value.clone().into(),
        Value::Seq(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|entry| (entry.key.to_string(), to_json(&entry.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

fn yaml_file_as_json(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    to_json(&load_yaml(&text, 0).unwrap().unwrap())
}

fn schema() -> jsonschema::Validator {
    let result = run(descope_mgmt(&repo_root()).args(["config", "schema"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let schema: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

#[test]
fn example_configuration_satisfies_the_schema() {
    let validator = schema();
    for file in ["config/descope.yaml", "config/environments/prod.yaml"] {
        let instance = yaml_file_as_json(&repo_root().join(file));
        if file.ends_with("prod.yaml") {
            // An overlay is partial; the schema describes whole files. Only check it parses.
            assert!(instance.is_object());
            continue;
        }
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn schema_rejects_what_validation_rejects() {
    let validator = schema();
    for case in [
        "uppercase-id",
        "unknown-field",
        "wrong-type",
        "short-id",
        "bad-domain",
    ] {
        let instance = yaml_file_as_json(
            &repo_root()
                .join("tests/fixtures/broken")
                .join(case)
                .join("descope.yaml"),
        );
        assert!(!validator.is_valid(&instance), "{case} passed the schema");
    }
}
