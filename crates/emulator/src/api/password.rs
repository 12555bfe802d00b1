//! Password policy (W1–W2): one for the project, and an optional override per tenant.

use serde_json::{Map, Value, json};

use super::{PASSWORD_SETTINGS, Req, tenants::require_tenant};
use crate::store::Tx;
use crate::wire::{ApiError, ApiResult, empty};

/// The key of the project-level policy; tenant ids are never empty.
const PROJECT_KEY: &str = "";

/// Every field with its zero value (what a full write leaves for an absent field).
const FIELDS: &[(&str, Zero)] = &[
    ("enabled", Zero::Bool),
    ("minLength", Zero::Int),
    ("lowercase", Zero::Bool),
    ("uppercase", Zero::Bool),
    ("number", Zero::Bool),
    ("nonAlphanumeric", Zero::Bool),
    ("expiration", Zero::Bool),
    ("expirationWeeks", Zero::Int),
    ("reuse", Zero::Bool),
    ("reuseAmount", Zero::Int),
    ("lock", Zero::Bool),
    ("lockAttempts", Zero::Int),
];

#[derive(Clone, Copy)]
enum Zero {
    Bool,
    Int,
}

/// A new project's policy: password sign-in enabled with 8 characters minimum (a guess at
/// Descope's console default), everything else off.
fn project_default() -> Value {
    let mut policy = Map::new();
    for (name, zero) in FIELDS {
        policy.insert((*name).into(), zero_value(*zero));
    }
    policy.insert("enabled".into(), json!(true));
    policy.insert("minLength".into(), json!(8));
    Value::Object(policy)
}

fn zero_value(zero: Zero) -> Value {
    match zero {
        Zero::Bool => json!(false),
        Zero::Int => json!(0),
    }
}

/// `""` or absent is the project; anything else must be an existing tenant.
fn scope(tx: &Tx, tenant_id: Option<&str>) -> ApiResult<String> {
    match tenant_id.filter(|t| !t.is_empty()) {
        None => Ok(PROJECT_KEY.to_owned()),
        Some(id) => require_tenant(tx, id).map(|_| id.to_owned()),
    }
}

fn project_policy(tx: &Tx) -> Value {
    tx.get(PASSWORD_SETTINGS, PROJECT_KEY)
        .cloned()
        .unwrap_or_else(project_default)
}

/// A tenant without its own policy answers with the project's (a guess: the console shows the
/// project policy for such a tenant).
pub(crate) fn load(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let key = scope(tx, req.query_opt("tenantId"))?;
    Ok(tx
        .get(PASSWORD_SETTINGS, &key)
        .cloned()
        .unwrap_or_else(|| project_policy(tx)))
}

/// A full write, like the other settings calls: an absent field goes to its zero value.
pub(crate) fn configure(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let key = scope(tx, b.str("tenantId")?.as_deref())?;
    let mut policy = Map::new();
    for (name, zero) in FIELDS {
        let value = match zero {
            Zero::Bool => b.bool(name)?.map(Value::from),
            Zero::Int => match b.int(name)? {
                Some(n) if n < 0 => {
                    return Err(ApiError::invalid(format!("{name} must not be negative")));
                }
                other => other.map(Value::from),
            },
        };
        policy.insert((*name).into(), value.unwrap_or_else(|| zero_value(*zero)));
    }
    tx.put(PASSWORD_SETTINGS, &key, Value::Object(policy));
    Ok(empty())
}

/// Forgets a deleted tenant's override.
pub(crate) fn forget_tenant(tx: &mut Tx, tenant_id: &str) {
    tx.delete(PASSWORD_SETTINGS, tenant_id);
}
