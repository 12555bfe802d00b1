//! `descope-emulator`: a local implementation of the Descope Management API wire protocol, for
//! tests, benchmarks, the embedded `local` environment and users' offline CI.
