//! The decoder of `password_policy:` (the project's, at the top level, and a tenant's override):
//! every field typed and range-checked against [`PASSWORD_FIELDS`].

use serde_json::{Value as Json, json};

use super::Decoder;
use super::fields::join;
use super::tenant_auth::PASSWORD_POLICY;
use crate::config::tenant_auth::{PASSWORD_FIELDS, PasswordPolicy};
use crate::config::yaml::{Node, Value};

impl Decoder<'_> {
    pub(super) fn password_policy(&mut self, node: &Node, path: &str) -> Option<PasswordPolicy> {
        let entries = self.mapping(node, path, &PASSWORD_POLICY)?;
        let mut policy = PasswordPolicy::default();
        for entry in entries {
            let Some(&(_, wire, range)) = PASSWORD_FIELDS
                .iter()
                .find(|(yaml, ..)| *yaml == entry.key.as_ref())
            else {
                continue;
            };
            let field_path = join(path, &entry.key);
            let value = match range {
                None => self.boolean(&entry.value, &field_path).map(Json::Bool),
                Some((min, max)) => match entry.value.value {
                    Value::Int(number) if (min..=max).contains(&number) => Some(json!(number)),
                    Value::Int(number) => {
                        self.error_at(
                            &entry.value,
                            &field_path,
                            format!("{number} is out of range; it must be {min} to {max}"),
                            None,
                        );
                        None
                    }
                    _ => {
                        self.type_error(&entry.value, &field_path, "a whole number");
                        None
                    }
                },
            };
            if let Some(value) = value {
                policy.fields.insert(wire, value);
            }
        }
        Some(policy)
    }
}
