//! End-to-end tests of the descope-mgmt binary.
