//! What every new emulated project starts with: the built-in role and permissions, the default
//! flows `sign-up-or-in`, `sign-in` and `step-up`, and a default theme (MIT-licensed exports, see
//! `seed/ATTRIBUTION.md`).

use serde_json::json;

use crate::api::{PERMISSIONS, ROLES};
use crate::store::Tx;
use crate::wire::new_id;

const BUILT_IN_PERMISSIONS: &[(&str, &str)] = &[
    ("User Admin", "Allows managing users of the tenant"),
    (
        "SSO Admin",
        "Allows managing the tenant's SSO configuration",
    ),
    ("Impersonate", "Allows impersonating other users"),
];

pub(crate) fn seed_project(tx: &mut Tx, now: i64) {
    for (name, description) in BUILT_IN_PERMISSIONS {
        let id = new_id("PERM");
        tx.put(
            PERMISSIONS,
            &id,
            json!({"id": id, "name": name, "description": description, "systemDefault": true}),
        );
    }
    let id = new_id("ROL");
    tx.put(
        ROLES,
        &id,
        json!({
            "id": id,
            "name": "Tenant Admin",
            "description": "Built-in role for administering a tenant",
            "permissionNames": BUILT_IN_PERMISSIONS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            "createdTime": now,
            "tenantId": "",
            "default": false,
            "private": false,
            "systemDefault": true,
        }),
    );
    crate::api::flows::seed(tx, now);
}
