//! The `descope-mgmt` binary: parses the process arguments and exits with the documented code.
//! Everything else lives in the library (`src/lib.rs`) so examples and tests can run it
//! in-process.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    descope_mgmt::run(std::env::args_os()).into()
}
