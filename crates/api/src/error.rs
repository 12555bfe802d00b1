//! Errors of the client: what was attempted (operation, method, path), what the server said
//! (status, Descope `errorCode`, message) and how hard we tried (retries), plus their mapping
//! to core's [`PortErrorKind`]. Nothing here ever holds the management key.

use std::fmt;

use descope_mgmt_core::port::{PortError, PortErrorKind};
use serde_json::Value;

/// What went wrong, beyond the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// The server answered with a non-success status.
    Status,
    /// No answer within the per-request timeout.
    Timeout,
    /// Could not connect, or the connection broke.
    Connection,
    /// A success response whose body could not be read as the expected shape.
    Decode,
    /// The client could not be built (bad base URL, bad header value, bad rate limit).
    Config,
    /// The client's cancel token fired while the call waited (for the limiter or to retry);
    /// nothing further was sent.
    Cancelled,
}

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    /// Dotted name of the operation, e.g. `tenant.create`.
    pub operation: &'static str,
    pub method: &'static str,
    pub path: String,
    pub status: Option<u16>,
    /// Descope's `E…` code when the body carried one.
    pub error_code: Option<String>,
    pub message: String,
    /// How many times the request was repeated after the first attempt.
    pub retries: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} {}) failed",
            self.operation, self.method, self.path
        )?;
        match self.kind {
            ApiErrorKind::Status => {}
            ApiErrorKind::Timeout => f.write_str(": timed out")?,
            ApiErrorKind::Connection => f.write_str(": connection error")?,
            ApiErrorKind::Decode => f.write_str(": unreadable response")?,
            ApiErrorKind::Config => f.write_str(": invalid client configuration")?,
            ApiErrorKind::Cancelled => f.write_str(": cancelled")?,
        }
        if let Some(status) = self.status {
            write!(f, ": HTTP {status}")?;
        }
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if self.retries > 0 {
            let plural = if self.retries == 1 {
                "retry"
            } else {
                "retries"
            };
            write!(f, " (after {} {plural})", self.retries)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub(crate) fn new(
        kind: ApiErrorKind,
        operation: &'static str,
        method: &'static str,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            operation,
            method,
            path: path.to_owned(),
            status: None,
            error_code: None,
            message: message.into(),
            retries: 0,
        }
    }

    /// Builds the error of a non-success response from its status and raw body; the body may be
    /// a Descope error object, a gateway `{"message"}` or a CDN's HTML page.
    pub(crate) fn from_response(
        operation: &'static str,
        method: &'static str,
        path: &str,
        status: u16,
        body: &str,
    ) -> Self {
        let (error_code, message) = describe_error_body(body);
        Self {
            status: Some(status),
            error_code,
            ..Self::new(ApiErrorKind::Status, operation, method, path, message)
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.port_kind() == PortErrorKind::NotFound
    }

    /// The domain's view of this error.
    pub fn port_kind(&self) -> PortErrorKind {
        match self.kind {
            // A cancelled wait is not a verdict on the resource: like an outage, it was not done.
            ApiErrorKind::Timeout | ApiErrorKind::Connection => PortErrorKind::Unreachable,
            ApiErrorKind::Cancelled => PortErrorKind::Unavailable,
            ApiErrorKind::Decode | ApiErrorKind::Config => PortErrorKind::Other,
            ApiErrorKind::Status => match self.status.unwrap_or(0) {
                404 => PortErrorKind::NotFound,
                409 => PortErrorKind::AlreadyExists,
                401 | 403 => PortErrorKind::Unauthorized,
                400 if self.says_already_exists() => PortErrorKind::AlreadyExists,
                400 if self.says_not_found() => PortErrorKind::NotFound,
                400 | 422 => PortErrorKind::Invalid,
                429 | 500..=599 => PortErrorKind::Unavailable,
                _ => PortErrorKind::Other,
            },
        }
    }

    // The reference leaves the codes for duplicates and misses open (§16); servers that answer
    // 400 still say it in words, and those words are the only portable signal.
    fn says_already_exists(&self) -> bool {
        let message = self.message.to_ascii_lowercase();
        message.contains("already exists") || message.contains("duplicate")
    }

    fn says_not_found(&self) -> bool {
        self.message.to_ascii_lowercase().contains("not found")
    }
}

impl From<ApiError> for PortError {
    fn from(error: ApiError) -> Self {
        PortError::new(error.port_kind(), error.to_string()).with_source(error)
    }
}

/// `(errorCode, message)` of an error body. Descope sends `errorDescription` and optionally
/// the more specific `errorMessage`; gateways send `message`; a CDN sends HTML.
fn describe_error_body(body: &str) -> (Option<String>, String) {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return (None, String::new());
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(object)) => {
            let text = |key: &str| {
                object
                    .get(key)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let code = text("errorCode");
            let message = match (text("errorDescription"), text("errorMessage")) {
                (Some(description), Some(detail)) if description != detail => {
                    format!("{description}: {detail}")
                }
                (Some(one), _) | (None, Some(one)) => one,
                (None, None) => text("message").unwrap_or_default(),
            };
            (code, message)
        }
        _ => (None, format!("non-JSON body: {}", snippet(trimmed))),
    }
}

/// The start of a body on one line, enough to recognise a CDN error page.
fn snippet(body: &str) -> String {
    const MAX: usize = 120;
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_error(status: u16, body: &str) -> ApiError {
        ApiError::from_response(
            "tenant.create",
            "POST",
            "/v1/mgmt/tenant/create",
            status,
            body,
        )
    }

    #[test]
    fn descope_error_body_gives_code_and_message() {
        let error = status_error(
            400,
            r#"{"errorCode":"E011002","errorDescription":"Missing arguments","errorMessage":"name is required"}"#,
        );
        assert_eq!(error.error_code.as_deref(), Some("E011002"));
        assert_eq!(error.message, "Missing arguments: name is required");
        assert_eq!(
            error.to_string(),
            "tenant.create (POST /v1/mgmt/tenant/create) failed: HTTP 400 E011002: Missing arguments: name is required"
        );
        assert_eq!(error.port_kind(), PortErrorKind::Invalid);
    }

    #[test]
    fn html_body_from_a_cdn_is_summarised() {
        let error = status_error(
            502,
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>cloudflare</body></html>",
        );
        assert_eq!(error.error_code, None);
        assert!(
            error
                .message
                .starts_with("non-JSON body: <html> <head><title>502 Bad Gateway")
        );
        assert_eq!(error.port_kind(), PortErrorKind::Unavailable);
    }

    #[test]
    fn long_bodies_are_cut() {
        let error = status_error(500, &"x".repeat(1000));
        assert!(error.message.chars().count() < 150);
    }

    #[test]
    fn gateway_message_field_is_read() {
        let error = status_error(403, r#"{"message":"Forbidden"}"#);
        assert_eq!(error.message, "Forbidden");
        assert_eq!(error.port_kind(), PortErrorKind::Unauthorized);
    }

    #[test]
    fn statuses_map_to_port_kinds() {
        assert_eq!(status_error(404, "{}").port_kind(), PortErrorKind::NotFound);
        assert_eq!(
            status_error(409, "{}").port_kind(),
            PortErrorKind::AlreadyExists
        );
        assert_eq!(
            status_error(401, "").port_kind(),
            PortErrorKind::Unauthorized
        );
        assert_eq!(
            status_error(429, "").port_kind(),
            PortErrorKind::Unavailable
        );
        assert_eq!(
            status_error(503, "").port_kind(),
            PortErrorKind::Unavailable
        );
        assert_eq!(
            status_error(
                400,
                r#"{"errorCode":"E011004","errorMessage":"Tenant already exists"}"#
            )
            .port_kind(),
            PortErrorKind::AlreadyExists
        );
        assert_eq!(
            status_error(400, r#"{"errorMessage":"Tenant not found"}"#).port_kind(),
            PortErrorKind::NotFound
        );
    }

    #[test]
    fn retries_are_reported_and_port_error_keeps_the_text() {
        let mut error = status_error(503, "");
        error.retries = 4;
        assert!(error.to_string().ends_with("HTTP 503 (after 4 retries)"));
        let port: PortError = error.into();
        assert_eq!(port.kind, PortErrorKind::Unavailable);
        assert!(port.message.contains("tenant.create"));
    }
}
