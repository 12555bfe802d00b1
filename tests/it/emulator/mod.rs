//! HTTP-level tests of the emulator (wire shapes, errors, faults, persistence).
