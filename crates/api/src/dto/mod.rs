//! Wire types: the JSON shapes of the Management API, kept apart from core's models, and read
//! tolerantly (missing or `null` fields are zero values, numbers may arrive as strings, load
//! responses may be flat or wrapped).

pub mod flow;
pub mod password_policy;
pub mod permission;
pub mod project;
pub mod role;
pub mod tenant;
pub mod theme;

use serde_json::{Map, Value};

/// A string field; numbers and booleans are rendered, anything else is `""`.
pub(crate) fn string(value: &Value, key: &str) -> String {
    string_of(value.get(key))
}

/// [`string`] of a field already looked up.
pub(crate) fn string_of(field: Option<&Value>) -> String {
    match field {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// [`string`] of a field taken out of its object: a string moves instead of being copied.
pub(crate) fn owned_string(field: Option<Value>) -> String {
    match field {
        Some(Value::String(text)) => text,
        other => string_of(other.as_ref()),
    }
}

/// [`strings`] of a field taken out of its object: the strings move instead of being copied.
pub(crate) fn owned_strings(field: Option<Value>) -> Vec<String> {
    match field {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A list of strings; non-string items are skipped, a missing list is empty.
pub(crate) fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A boolean; also accepts `"true"`/`"false"`.
pub(crate) fn boolean(value: &Value, key: &str) -> bool {
    boolean_of(value.get(key))
}

/// [`boolean`] of a field already looked up.
pub(crate) fn boolean_of(field: Option<&Value>) -> bool {
    match field {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// An integer sent as a JSON number or, for 64-bit fields, as a numeric string.
/// A flag that may be absent (`None`), as `systemDefault` is on servers that predate it.
pub(crate) fn flag(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

pub(crate) fn integer(value: &Value, key: &str) -> i64 {
    integer_of(value.get(key))
}

/// [`integer`] of a field already looked up.
pub(crate) fn integer_of(field: Option<&Value>) -> i64 {
    match field {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

pub(crate) fn object(value: &Value, key: &str) -> Map<String, Value> {
    value
        .get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The items of a plural list response (`{"tenants": [...]}`); a missing key is an empty list.
pub(crate) fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `{"<key>": {...}}` unwrapped when the body is wrapped, else the body itself.
pub(crate) fn unwrap_object<'a>(value: &'a Value, key: &str) -> &'a Value {
    match value.get(key) {
        Some(inner @ Value::Object(_)) => inner,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lenient_readers_default_missing_and_null_fields() {
        let value = json!({"a": null, "n": "42", "f": 7, "b": "true", "list": ["x", 1, "y"]});
        assert_eq!(string(&value, "a"), "");
        assert_eq!(string(&value, "missing"), "");
        assert_eq!(string(&value, "f"), "7");
        assert_eq!(integer(&value, "n"), 42);
        assert_eq!(integer(&value, "f"), 7);
        assert_eq!(integer(&value, "a"), 0);
        assert!(boolean(&value, "b"));
        assert!(!boolean(&value, "missing"));
        assert_eq!(strings(&value, "list"), vec!["x", "y"]);
        assert!(strings(&value, "a").is_empty());
        assert!(items(&value, "missing").is_empty());
        assert!(object(&value, "a").is_empty());
    }

    #[test]
    fn unwrap_object_accepts_flat_and_wrapped() {
        let wrapped = json!({"tenant": {"id": "T1"}});
        let flat = json!({"id": "T1"});
        assert_eq!(unwrap_object(&wrapped, "tenant"), &flat);
        assert_eq!(unwrap_object(&flat, "tenant"), &flat);
    }
}
