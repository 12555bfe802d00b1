//! The `descope-mgmt` binary: the CLI layer only (arguments, commands, rendering).
fn main() {}
