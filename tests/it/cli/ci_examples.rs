//! The CI examples in `examples/ci/` only call descope-mgmt with commands and flags that exist:
//! every `descope-mgmt …` in a `run:` (GitHub Actions) or `script:` (GitLab CI) line is parsed
//! by the real command definition.

use saphyr::{LoadableYamlNode, Yaml};

use super::support::{repo_root, shell_words};

/// Every shell script in the keys that hold one, anywhere in the document.
fn scripts(node: &Yaml, key: Option<&str>, out: &mut Vec<String>) {
    let is_script = matches!(
        key,
        Some("run" | "script" | "before_script" | "after_script")
    );
    match node {
        Yaml::Mapping(map) => {
            for (name, value) in map {
                scripts(value, name.as_str(), out);
            }
        }
        Yaml::Sequence(items) => {
            for item in items {
                scripts(item, key, out);
            }
        }
        scalar => {
            if is_script && let Some(text) = scalar.as_str() {
                out.push(text.to_owned());
            }
        }
    }
}

/// The argument lists of every descope-mgmt call in a script, without the program name.
fn invocations(script: &str) -> Vec<Vec<String>> {
    // GitHub expressions are substituted before the shell runs; any value stands in for them.
    let mut text = String::new();
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        text.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .map_or(rest.len(), |end| start + end + 2);
        text.push_str("EXPR");
        rest = &rest[end..];
    }
    text.push_str(rest);
    let joined = text.replace("\\\n", " ");
    let mut calls = Vec::new();
    for line in joined.lines() {
        for segment in line.split(['|', ';']).flat_map(|part| part.split("&&")) {
            let words = shell_words(segment);
            if words.first().map(String::as_str) == Some("descope-mgmt") {
                calls.push(words[1..].to_vec());
            }
        }
    }
    calls
}

fn calls_in(file: &str) -> Vec<Vec<String>> {
    let path = repo_root().join("examples/ci").join(file);
    let text = std::fs::read_to_string(&path).expect("the example exists");
    let documents = Yaml::load_from_str(&text).unwrap_or_else(|error| panic!("{file}: {error}"));
    let mut found = Vec::new();
    for document in &documents {
        scripts(document, None, &mut found);
    }
    let calls: Vec<Vec<String>> = found
        .iter()
        .flat_map(|script| invocations(script))
        .collect();
    for call in &calls {
        let mut args = vec!["descope-mgmt".to_owned()];
        args.extend(call.iter().cloned());
        if let Err(error) = descope_mgmt::command().try_get_matches_from(&args) {
            panic!(
                "{file}: `{}` is not a valid invocation:\n{error}",
                args.join(" ")
            );
        }
    }
    calls
}

fn has_call(calls: &[Vec<String>], command: &str, flags: &[&str]) -> bool {
    calls.iter().any(|call| {
        call.first().map(String::as_str) == Some(command)
            && flags
                .iter()
                .all(|flag| call.iter().any(|word| word == flag))
    })
}

/// Both examples plan on review, apply on main and check drift on a schedule.
fn assert_plan_apply_drift(file: &str) {
    let calls = calls_in(file);
    assert!(
        has_call(
            &calls,
            "plan",
            &["--detailed-exitcode", "--format", "markdown"]
        ),
        "{file}: {calls:?}"
    );
    assert!(has_call(&calls, "apply", &["--yes"]), "{file}: {calls:?}");
    assert!(has_call(&calls, "drift", &[]), "{file}: {calls:?}");
}

#[test]
fn github_actions_example_uses_only_real_commands_and_flags() {
    assert_plan_apply_drift("github-actions.yml");
}

#[test]
fn gitlab_ci_example_uses_only_real_commands_and_flags() {
    assert_plan_apply_drift("gitlab-ci.yml");
}

#[test]
fn invocations_are_found_through_shell_syntax() {
    let script = "set +e\ndescope-mgmt plan --env ${{ matrix.env }} \\\n  --format json > plan.json\necho ok && descope-mgmt drift --env all | tee out\n";
    assert_eq!(
        invocations(script),
        vec![
            vec!["plan", "--env", "EXPR", "--format", "json"],
            vec!["drift", "--env", "all"],
        ]
    );
}

#[test]
fn a_made_up_flag_is_caught() {
    let args = ["descope-mgmt", "plan", "--env", "dev", "--no-such-flag"];
    let error = descope_mgmt::command()
        .try_get_matches_from(args)
        .unwrap_err();
    assert_eq!(
        error.kind(),
        clap::error::ErrorKind::UnknownArgument,
        "{error}"
    );
}

/// The job holding `key` (a mapping key anywhere in the document) with its value.
fn values_of<'a>(node: &'a Yaml<'a>, key: &str, out: &mut Vec<&'a Yaml<'a>>) {
    match node {
        Yaml::Mapping(map) => {
            for (name, value) in map {
                if name.as_str() == Some(key) {
                    out.push(value);
                }
                values_of(value, key, out);
            }
        }
        Yaml::Sequence(items) => items.iter().for_each(|item| values_of(item, key, out)),
        _ => {}
    }
}

/// The project lock only serialises runs on one machine; across CI runners the examples must
/// serialise applies per environment themselves (issue 17 item 8).
#[test]
fn ci_examples_serialise_applies_per_environment_across_machines() {
    for (file, key, per_env) in [
        ("github-actions.yml", "concurrency", "${{ matrix.env }}"),
        ("gitlab-ci.yml", "resource_group", "$DESCOPE_ENV"),
    ] {
        let text = std::fs::read_to_string(repo_root().join("examples/ci").join(file)).unwrap();
        let documents = Yaml::load_from_str(&text).unwrap();
        let mut groups = Vec::new();
        values_of(&documents[0], key, &mut groups);
        let groups: Vec<&str> = groups.iter().filter_map(|group| group.as_str()).collect();
        assert!(
            groups.iter().any(|group| group.contains(per_env)),
            "{file}: no `{key}:` per environment in {groups:?}"
        );
    }
}
