//! Wire-level building blocks shared by every endpoint: the Descope error body, a lenient view of
//! request bodies (null = absent, unknown fields ignored), generated ids and timestamps.

use axum::http::StatusCode;
use rand::Rng;
use serde_json::{Map, Value, json};

/// A failed call, rendered as `{errorCode, errorDescription, errorMessage}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        description: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            description,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "E011001", "Bad request", message)
    }

    pub fn missing(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011002",
            "Missing arguments",
            format!("Missing required field: {field}"),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011004",
            "Invalid argument",
            message,
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E011004",
            "Not found",
            format!("{what} not found: {id}"),
        )
    }

    pub fn duplicate(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "E011004",
            "Already exists",
            format!("{what} already exists: {id}"),
        )
    }

    pub fn body(&self) -> Value {
        json!({
            "errorCode": self.code,
            "errorDescription": self.description,
            "errorMessage": self.message,
        })
    }
}

pub(crate) type ApiResult<T = Value> = Result<T, ApiError>;

/// A JSON request object read leniently: `null` counts as absent, unknown keys are ignored, and a
/// present value of the wrong type is a 400 rather than silently dropped.
#[derive(Debug, Default)]
pub(crate) struct Body(pub Map<String, Value>);

impl Body {
    pub fn parse(bytes: &[u8]) -> ApiResult<Body> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(Value::Null) => Ok(Body::default()),
            Ok(_) => Err(ApiError::bad_json("request body must be a JSON object")),
            Err(e) => Err(ApiError::bad_json(format!("malformed JSON body: {e}"))),
        }
    }

    pub fn from_value(value: &Value) -> ApiResult<Body> {
        match value {
            Value::Object(map) => Ok(Body(map.clone())),
            Value::Null => Ok(Body::default()),
            _ => Err(ApiError::invalid("expected a JSON object")),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn str(&self, key: &str) -> ApiResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(format!("field {key} must be a string"))),
        }
    }

    /// A present, non-empty string, or `missing`.
    pub fn required_str(&self, key: &str) -> ApiResult<String> {
        match self.str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::missing(key)),
        }
    }

    pub fn str_or_empty(&self, key: &str) -> ApiResult<String> {
        Ok(self.str(key)?.unwrap_or_default())
    }

    pub fn strings(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(ApiError::invalid(format!(
                        "field {key} must be an array of strings"
                    ))),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(ApiError::invalid(format!(
                "field {key} must be an array of strings"
            ))),
        }
    }

    pub fn strings_or_empty(&self, key: &str) -> ApiResult<Vec<String>> {
        Ok(self.strings(key)?.unwrap_or_default())
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(format!("field {key} must be a boolean"))),
        }
    }

    pub fn bool_or_false(&self, key: &str) -> ApiResult<bool> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    /// Integers arrive as JSON numbers or, protobuf-style, as numeric strings.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        let bad = || ApiError::invalid(format!("field {key} must be an integer"));
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .map(Some)
                .ok_or_else(bad),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }

    pub fn object(&self, key: &str) -> ApiResult<Option<Map<String, Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(_) => Err(ApiError::invalid(format!("field {key} must be an object"))),
        }
    }

    pub fn array(&self, key: &str) -> ApiResult<Option<Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a.clone())),
            Some(_) => Err(ApiError::invalid(format!("field {key} must be an array"))),
        }
    }

    /// Nested objects of a list, each read leniently.
    pub fn objects(&self, key: &str) -> ApiResult<Option<Vec<Body>>> {
        match self.array(key)? {
            None => Ok(None),
            Some(items) => items
                .iter()
                .map(Body::from_value)
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
        }
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Type prefix + 27 base62 characters, the shape of Descope's KSUID-style ids.
pub(crate) fn new_id(prefix: &str) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + 27);
    id.push_str(prefix);
    id.push('2');
    for _ in 0..26 {
        id.push(BASE62[rng.random_range(0..BASE62.len())] as char);
    }
    id
}

pub(crate) fn now_epoch_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn strings_value(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

/// Reads a string array out of a stored object, treating anything else as empty.
pub(crate) fn stored_strings(object: &Value, key: &str) -> Vec<String> {
    object
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn stored_str<'a>(object: &'a Value, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn empty() -> Value {
    Value::Object(Map::new())
}
