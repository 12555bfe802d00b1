//! The single integration-test binary: end-to-end tests of the CLI, the API client and the
//! emulator, all over real HTTP on loopback.

mod cli;
mod client;
mod emulator;
mod net;
