//! `completions SHELL` (shell completion scripts) and `man` (roff manual pages), both generated
//! from the same clap tree that parses the arguments, so they cannot drift from the real flags.

use std::path::Path;

use crate::cli::{CompletionsArgs, ManArgs};
use crate::exit::{CliError, Exit};
use crate::settings::Settings;

const BIN_NAME: &str = "descope-mgmt";

pub fn completions(settings: &Settings, args: &CompletionsArgs) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::help::command(),
        BIN_NAME,
        &mut script,
    );
    Ok(settings.printer.data_bytes(&script, false)?)
}

pub fn man(settings: &Settings, args: &ManArgs) -> Result<(), CliError> {
    match &args.out {
        None => {
            let mut page = Vec::new();
            render_page(crate::help::command(), &mut page)
                .map_err(|error| CliError::new(Exit::Error, format!("cannot render: {error}")))?;
            Ok(settings.printer.data_bytes(&page, false)?)
        }
        Some(dir) => {
            write_pages(dir)?;
            settings
                .printer
                .note(format!("manual pages written to {}", dir.display()));
            Ok(())
        }
    }
}

/// One page per command (`descope-mgmt.1`, `descope-mgmt-plan.1`, …), as `man` expects them.
fn write_pages(dir: &Path) -> Result<(), CliError> {
    let failed = |error: std::io::Error| {
        CliError::new(
            Exit::Error,
            format!("cannot write manual pages to {}: {error}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut root = crate::help::command().disable_help_subcommand(true);
    root.build();
    write_tree(root, dir).map_err(failed)
}

fn write_tree(command: clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_tree(sub.clone(), dir)?;
    }
    let name = clap_mangen::Man::new(command.clone()).get_filename();
    let mut page = Vec::new();
    render_page(command, &mut page)?;
    std::fs::write(dir.join(name), page)
}

/// clap_mangen puts its apostrophe-string definitions before `.TH`; man(7) pages conventionally
/// open with `.TH`, and those definitions work as well after it, so the title line moves first.
fn render_page(command: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut rendered = Vec::new();
    clap_mangen::Man::new(command).render(&mut rendered)?;
    let text = String::from_utf8_lossy(&rendered);
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(title) = lines.iter().position(|line| line.starts_with(".TH ")) {
        let line = lines.remove(title);
        lines.insert(0, line);
    }
    for line in lines {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    Ok(())
}
