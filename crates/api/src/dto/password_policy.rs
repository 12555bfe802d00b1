//! Password-policy wire shape (W1/W2): a flat object of the policy's fields by wire name
//! (`minLength`, `lockAttempts`, …), the same for the project and for a tenant.

use descope_mgmt_core::resource::PasswordPolicy;
use serde_json::{Map, Value};

/// The project's policy from the load answer.
pub fn project_policy(wire: Map<String, Value>) -> PasswordPolicy {
    PasswordPolicy {
        fields: wire.into_iter().collect(),
    }
}

/// The fields of a policy state as a wire object.
pub fn policy_fields<'a>(
    fields: impl IntoIterator<Item = (&'a String, &'a Value)>,
) -> Map<String, Value> {
    fields
        .into_iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}
