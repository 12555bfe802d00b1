//! The protected-environment guard (design.md §6): before a write to a `protected: true`
//! environment, the operator types the environment's name on a terminal; without a terminal
//! only `--yes` lets the write through, anything else is refused with exit 4.

use std::io::{self, BufRead, IsTerminal, Write};

use crate::exit::{CliError, Exit};

/// Asks for `env_name` to be typed when stdin is a terminal; passes at once with `--yes`. Call it
/// only for protected environments.
pub fn confirm_protected(env_name: &str, global_yes: bool) -> Result<(), CliError> {
    let terminal = io::stdin().is_terminal();
    confirm_with(
        env_name,
        global_yes,
        terminal,
        &mut io::stdin().lock(),
        &mut io::stderr(),
    )
}

/// [`confirm_protected`] with the terminal check and the streams injected.
pub fn confirm_with(
    env_name: &str,
    yes: bool,
    terminal: bool,
    input: &mut impl BufRead,
    prompt: &mut impl Write,
) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !terminal {
        return Err(CliError::new(
            Exit::Refused,
            format!("environment {env_name:?} is protected and there is no terminal to confirm on"),
        )
        .with_hint("pass --yes to confirm non-interactively"));
    }
    // A prompt that cannot be shown still gets an answer read; the typed name is the safeguard.
    let _ = write!(
        prompt,
        "environment {env_name:?} is protected. Type its name to continue: "
    );
    let _ = prompt.flush();
    let mut answer = String::new();
    let read = input.read_line(&mut answer).map_err(|error| {
        CliError::new(
            Exit::Refused,
            format!("could not read the confirmation: {error}"),
        )
    })?;
    if read > 0 && answer.trim() == env_name {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Refused,
            format!("confirmation declined for environment {env_name:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirm(yes: bool, terminal: bool, typed: &str) -> Result<(), CliError> {
        let mut prompt = Vec::new();
        confirm_with("prod", yes, terminal, &mut typed.as_bytes(), &mut prompt)
    }

    #[test]
    fn yes_passes_without_asking() {
        assert!(confirm(true, false, "").is_ok());
        assert!(confirm(true, true, "").is_ok());
    }

    #[test]
    fn no_terminal_without_yes_is_refused() {
        let error = confirm(false, false, "prod\n").unwrap_err();
        assert_eq!(error.exit, Exit::Refused);
        assert!(error.hint.unwrap().contains("--yes"));
    }

    #[test]
    fn typing_the_name_confirms() {
        assert!(confirm(false, true, "prod\n").is_ok());
        assert!(confirm(false, true, "  prod  \r\n").is_ok());
    }

    #[test]
    fn anything_else_declines() {
        for typed in ["", "\n", "y\n", "yes\n", "Prod\n", "prodx\n"] {
            let error = confirm(false, true, typed).unwrap_err();
            assert_eq!(error.exit, Exit::Refused, "{typed:?}");
        }
    }

    #[test]
    fn the_prompt_names_the_environment() {
        let mut prompt = Vec::new();
        let _ = confirm_with("prod", false, true, &mut "prod\n".as_bytes(), &mut prompt);
        assert!(String::from_utf8(prompt).unwrap().contains("\"prod\""));
    }
}
