//! `cargo run --example quickstart`: the whole tool on a fresh checkout with no account and no
//! server. It writes a configuration with a `local` environment (the embedded emulator, state in
//! a file) to a temporary directory and runs the real descope-mgmt commands on it, in-process
//! through `descope_mgmt::run`, printing their output under a heading per step.

mod walkthrough;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// Runs descope-mgmt in this process; the working directory is the walkthrough's directory, so
/// the tool's local state (`.descope-mgmt/`: emulator state, locks, backups, audit) lands there.
struct InProcess;

impl walkthrough::Runner for InProcess {
    fn run(&mut self, dir: &Path, args: &[&str]) -> i32 {
        if let Err(error) = std::env::set_current_dir(dir) {
            eprintln!("cannot enter {}: {error}", dir.display());
            return 1;
        }
        let argv = std::iter::once("descope-mgmt")
            .chain(args.iter().copied())
            .map(OsString::from);
        descope_mgmt::run(argv) as i32
    }
}

fn main() -> ExitCode {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("cannot create a temporary directory: {error}");
            return ExitCode::FAILURE;
        }
    };
    match walkthrough::walkthrough(dir.path(), &mut InProcess) {
        Ok(()) => {
            println!("Done. Next: point an environment at a real project in config/descope.yaml");
            println!("and run `descope-mgmt plan --env dev` (see the README).");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}
