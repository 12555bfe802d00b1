//! Tests of the API client against the emulator over loopback.
