//! Help text that belongs to no single flag: the `Examples:` section of every command and the
//! exit-code table of the top-level help. The examples live in one table applied to the clap
//! tree by [`command`], so commands defined anywhere get their examples here without touching
//! their definitions, and one test can check that every command has examples and that every
//! example parses.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::EXIT_CODES_HELP;

/// `(command path, example invocations)`; the path is the subcommand names joined by spaces,
/// `""` for the top level. Each example is one line without the leading program name.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "config validate",
            "plan --env local",
            "apply --env local --yes",
            "plan --env all --detailed-exitcode --format json",
            "drift --env prod",
        ],
    ),
    ("config", &["config validate --env prod", "config schema"]),
    (
        "config validate",
        &[
            "config validate",
            "config validate --env prod",
            "config validate --env all --format json",
        ],
    ),
    (
        "config show",
        &[
            "config show --env prod",
            "config show --env prod tenant:acme-corp --format json",
            "config show --env prod tenant:acme-corp --explain",
        ],
    ),
    (
        "config schema",
        &["config schema", "config schema --format yaml"],
    ),
    (
        "doctor",
        &[
            "doctor",
            "doctor --env prod",
            "doctor --env all --format json",
        ],
    ),
    ("schema", &["schema output"]),
    (
        "export",
        &[
            "export --env prod --out exported/",
            "export --env prod --out exported/ --kinds role,permission --force",
        ],
    ),
    (
        "backup",
        &[
            "backup list --env prod",
            "backup restore 20261201T171318Z --env prod --prune --dry-run",
        ],
    ),
    (
        "backup list",
        &[
            "backup list --env prod",
            "backup list --env prod --format json",
        ],
    ),
    ("backup create", &["backup create --env prod"]),
    (
        "backup show",
        &[
            "backup show 20261201T171318Z",
            "backup show 20261201T171318Z --env prod --format json",
        ],
    ),
    (
        "backup restore",
        &[
            "backup restore 20261201T171318Z --env prod --dry-run",
            "backup restore 20261201T171318Z --env prod --prune --yes",
        ],
    ),
    (
        "schema output",
        &[
            "schema output > descope-mgmt-output.schema.json",
            "schema output --format yaml",
        ],
    ),
    ("env", &["env list"]),
    ("env list", &["env list", "env list --format json"]),
    (
        "plan",
        &[
            "plan --env dev",
            "plan --env prod --out prod.plan.json",
            "plan --env all --detailed-exitcode --format json",
            "plan --env staging --target tenant:acme-corp",
            "plan --env prod --selector 'tier=enterprise,region in (eu,uk)' --explain",
            "plan --env dev --prune --compact",
            "plan --env all --format markdown > plan.md",
        ],
    ),
    (
        "apply",
        &[
            "apply --env dev --dry-run",
            "apply --env local --yes",
            "apply prod.plan.json",
            "apply --env dev --prune --max-deletes 3",
            "apply --env prod --prune --allow-delete --yes",
        ],
    ),
    (
        "drift",
        &[
            "drift --env prod",
            "drift --env all --format json",
            "drift --env dev --target role:billing-admin",
        ],
    ),
    (
        "diff",
        &[
            "diff --from staging --to prod",
            "diff --from config:prod --to prod --format markdown",
            "diff --from dev --to staging --target flow:sign-up-or-in --format json",
        ],
    ),
    (
        "promote",
        &[
            "promote --from staging --to prod --dry-run",
            "promote --from dev --to staging flow:sign-up-or-in theme:theme",
            "promote --from staging --to prod --yes --report promote.json",
        ],
    ),
    (
        "tenant",
        &[
            "tenant list --env dev",
            "tenant diff --env prod",
            "tenant sync --env staging --dry-run",
        ],
    ),
    (
        "tenant list",
        &[
            "tenant list --env dev",
            "tenant list --env prod --format json",
            "tenant list --env dev --sort name",
        ],
    ),
    (
        "tenant get",
        &[
            "tenant get acme-corp --env dev",
            "tenant get acme-corp --env prod --format yaml",
        ],
    ),
    (
        "tenant create",
        &[
            "tenant create --env dev --id acme-corp --name \"Acme Corporation\"",
            "tenant create --env dev --id globex --name Globex --domain globex.com --self-provisioning",
            "tenant create --env dev --id hooli --name Hooli --attr tier=growth --default-role viewer",
        ],
    ),
    (
        "tenant update",
        &[
            "tenant update acme-corp --env dev --name \"Acme Corp\"",
            "tenant update acme-corp --env dev --attr seats:=600 --remove-attr legacy",
            "tenant update acme-corp --env dev --disabled true",
        ],
    ),
    (
        "tenant delete",
        &[
            "tenant delete old-tenant --env dev",
            "tenant delete old-tenant --env prod --yes",
        ],
    ),
    (
        "tenant diff",
        &[
            "tenant diff --env prod",
            "tenant diff --env staging --target acme-corp --detailed-exitcode",
            "tenant diff --env dev --prune",
        ],
    ),
    (
        "tenant sync",
        &[
            "tenant sync --env staging --dry-run",
            "tenant sync --env dev --target acme-corp --target globex",
            "tenant sync --env prod --prune --allow-delete --yes",
        ],
    ),
    (
        "role",
        &[
            "role list --env dev",
            "role diff --env prod",
            "role sync --env dev",
        ],
    ),
    (
        "role list",
        &["role list --env dev", "role list --env prod --format json"],
    ),
    (
        "role diff",
        &[
            "role diff --env prod",
            "role diff --env dev --detailed-exitcode",
        ],
    ),
    (
        "role sync",
        &[
            "role sync --env dev --dry-run",
            "role sync --env dev --prune",
        ],
    ),
    (
        "flow",
        &[
            "flow list --env dev",
            "flow diff --env prod",
            "flow export sign-up-or-in --env prod --out flows/sign-up-or-in.json",
        ],
    ),
    (
        "flow list",
        &["flow list --env dev", "flow list --env prod --format json"],
    ),
    (
        "flow get",
        &[
            "flow get sign-up-or-in --env dev",
            "flow get sign-in --env dev --format json",
        ],
    ),
    (
        "flow export",
        &[
            "flow export sign-up-or-in --env prod --out flows/sign-up-or-in.json",
            "flow export --all --env prod --out flows/",
        ],
    ),
    (
        "flow import",
        &[
            "flow import sign-up-or-in flows/sign-up-or-in.json --env dev",
            "flow import sign-in flows/sign-in.json --env prod --dry-run",
        ],
    ),
    (
        "flow diff",
        &[
            "flow diff --env prod",
            "flow diff sign-up-or-in --env dev --detailed-exitcode",
            "flow diff --env dev --strict-layout --format json",
        ],
    ),
    (
        "flow sync",
        &[
            "flow sync --env dev --dry-run",
            "flow sync sign-up-or-in --env prod --yes",
        ],
    ),
    (
        "theme",
        &["theme export --env prod", "theme diff --env dev"],
    ),
    (
        "theme sync",
        &[
            "theme sync --env dev --dry-run",
            "theme sync --env prod --yes",
        ],
    ),
    (
        "theme export",
        &[
            "theme export --env prod --out themes/default.json",
            "theme export --env dev",
        ],
    ),
    (
        "theme diff",
        &[
            "theme diff --env prod",
            "theme diff --env dev --detailed-exitcode",
        ],
    ),
    (
        "permission",
        &[
            "permission list --env dev",
            "permission diff --env prod",
            "permission sync --env dev",
        ],
    ),
    (
        "permission list",
        &[
            "permission list --env dev",
            "permission list --env dev --format yaml",
        ],
    ),
    (
        "permission diff",
        &[
            "permission diff --env prod",
            "permission diff --env dev --target billing.read",
        ],
    ),
    (
        "permission sync",
        &[
            "permission sync --env dev --dry-run",
            "permission sync --env dev --prune --max-deletes 2",
        ],
    ),
    (
        "completions",
        &[
            "completions bash > /etc/bash_completion.d/descope-mgmt",
            "completions zsh > \"${fpath[1]}/_descope-mgmt\"",
            "completions fish > ~/.config/fish/completions/descope-mgmt.fish",
            "completions powershell >> $PROFILE",
        ],
    ),
    ("man", &["man | man -l -", "man --out target/man"]),
];

/// The examples of the command at `path`, if any.
pub fn examples(path: &str) -> Option<&'static [&'static str]> {
    EXAMPLES
        .iter()
        .find(|(candidate, _)| *candidate == path)
        .map(|(_, examples)| *examples)
}

/// The full command tree as users see it: the derive definition plus examples and exit codes.
pub fn command() -> clap::Command {
    let command = with_examples(Cli::command(), "");
    let top = examples("").map(render_examples).unwrap_or_default();
    command.after_help(format!("{top}\n\n{EXIT_CODES_HELP}"))
}

fn with_examples(mut command: clap::Command, path: &str) -> clap::Command {
    if let Some(examples) = examples(path) {
        command = command.after_help(render_examples(examples));
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(&name, |sub| with_examples(sub, &sub_path));
    }
    command
}

fn render_examples(examples: &[&str]) -> String {
    let mut text = String::from("Examples:");
    for example in examples {
        text.push_str("\n  descope-mgmt ");
        text.push_str(example);
    }
    text
}
