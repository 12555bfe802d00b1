//! Tests of the API client against the emulator over loopback: every endpoint, and the client's
//! behaviour under the emulator's injected faults (429, 503, latency, wrong key, timeout).

mod batch;
mod endpoints;
mod faults;
mod support;
