//! The only place that talks to Descope: an HTTP client for the Management API that implements
//! core's ports, with authentication, pacing, retries and tracing.
