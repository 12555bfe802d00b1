//! Tenant wire shapes (T1–T10) and their conversion to and from core's [`Tenant`].

use descope_mgmt_core::resource::Tenant;
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::client::BodySeed;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::{boolean_of, integer_of, owned_string, owned_strings, string, unwrap_object};

/// A tenant as load / load-all return it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantDto {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub enforce_sso: bool,
    pub disabled: bool,
    pub default_roles: Vec<String>,
    pub auth_type: String,
    pub domains: Vec<String>,
    pub created_time: i64,
    pub parent: String,
    pub role_inheritance: String,
    pub enforce_sso_exclusions: Vec<String>,
    pub federated_app_ids: Vec<String>,
    pub successors: Vec<String>,
    /// Every other field the server sent, by wire name: kept so that an update sends it back.
    pub unmodelled: Map<String, Value>,
}

impl TenantDto {
    pub fn from_json(value: &Value) -> Self {
        Self::from_fields(value.as_object().cloned().unwrap_or_default())
    }

    /// A tenant from its wire fields, moved out rather than copied; what is left over is
    /// `unmodelled`, in the order the server sent it.
    fn from_fields(fields: Map<String, Value>) -> Self {
        let mut tenant = Self::default();
        for (key, value) in fields {
            if let Some(value) = tenant.set(&key, value) {
                tenant.unmodelled.insert(key, value);
            }
        }
        tenant
    }

    /// Sets the modelled field `key` (wire name) from `value`, read as leniently as the SDKs
    /// read it; hands `value` back when `key` is not modelled.
    fn set(&mut self, key: &str, value: Value) -> Option<Value> {
        let value = Some(value);
        match key {
            "id" => self.id = owned_string(value),
            "name" => self.name = owned_string(value),
            "selfProvisioningDomains" => self.self_provisioning_domains = owned_strings(value),
            "customAttributes" => {
                self.custom_attributes = match value {
                    Some(Value::Object(attributes)) => attributes,
                    _ => Map::new(),
                }
            }
            "enforceSSO" => self.enforce_sso = boolean_of(value.as_ref()),
            "disabled" => self.disabled = boolean_of(value.as_ref()),
            "defaultRoles" => self.default_roles = owned_strings(value),
            "authType" => self.auth_type = owned_string(value),
            "domains" => self.domains = owned_strings(value),
            "createdTime" => self.created_time = integer_of(value.as_ref()),
            "parent" => self.parent = owned_string(value),
            "roleInheritance" => self.role_inheritance = owned_string(value),
            "enforceSSOExclusions" => self.enforce_sso_exclusions = owned_strings(value),
            "federatedAppIds" => self.federated_app_ids = owned_strings(value),
            "successors" => self.successors = owned_strings(value),
            _ => return value,
        }
        None
    }

    /// T5's body: flat on the real wire, wrapped in `tenant` per the OpenAPI file.
    pub fn from_load_response(body: &Value) -> Self {
        let flat = match body.get("tenant") {
            Some(inner @ Value::Object(_)) if body.get("id").is_none() => inner,
            _ => body,
        };
        Self::from_json(flat)
    }
}

/// A load-all answer (`{"tenants": [...]}`) read straight from the body: one tenant's JSON exists
/// at a time, so a 100,000-tenant answer is never held as a `Value` tree. As lenient as the
/// field readers: a missing or non-list `tenants` is no tenant, a non-object item is a tenant
/// with no fields. Each tenant becomes a `T` as soon as it is read, so a list of core tenants
/// never passes through a list of wire tenants.
#[derive(Debug)]
pub(crate) struct TenantList<T = TenantDto>(pub Vec<T>);

impl<T> Default for TenantList<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

/// Any JSON that is not the expected collection reads as `$default`, as a missing field would.
macro_rules! lenient_scalars {
    ($value:ty, $default:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($default)
        }
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok($default)
        }
    };
}

/// One tenant read straight from the wire: the modelled fields go to their place without an
/// intermediate map, only unmodelled fields are kept as JSON. As lenient as
/// [`TenantDto::from_json`]: anything but an object is a tenant with no fields.
impl<'de> Deserialize<'de> for TenantDto {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = TenantDto;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tenant")
            }
            lenient_scalars!(TenantDto, TenantDto::default());
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TenantDto, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TenantDto::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TenantDto, A::Error> {
                let mut tenant = TenantDto::default();
                while let Some(FieldName(key)) = map.next_key()? {
                    if let Some(value) = tenant.set(&key, map.next_value::<Value>()?) {
                        tenant.unmodelled.insert(key.into_owned(), value);
                    }
                }
                Ok(tenant)
            }
        }
        deserializer.deserialize_any(Fields)
    }
}

/// An object key, borrowed from the body when it has no escapes (serde's own `Cow` always
/// copies): a tenant's modelled keys then cost no allocation.
struct FieldName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Key;
        impl<'de> Visitor<'de> for Key {
            type Value = FieldName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(Key)
    }
}

impl<'de, T: From<TenantDto>> Deserialize<'de> for TenantList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ListSeed::<T>::with_capacity(0).deserialize(deserializer)
    }
}

/// A load-all answer read in two passes over the body: the first only counts the tenants
/// (skipping their content), so the list is allocated once at its size. Grown by doubling, a
/// 100,000-tenant list briefly held both its old and its doubled buffer at its last growth.
pub(crate) struct CountedTenantList<T>(std::marker::PhantomData<T>);

impl<T> CountedTenantList<T> {
    pub(crate) fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T: From<TenantDto>> BodySeed for CountedTenantList<T> {
    type Value = TenantList<T>;

    fn read(self, body: &[u8]) -> Result<TenantList<T>, serde_json::Error> {
        // The same lenient reading with every item skipped: a list of zero-sized items only
        // counts, it allocates nothing.
        let counted = read_all(body, ListSeed::<Skipped, IgnoredAny>::with_capacity(0))?;
        read_all(body, ListSeed::<T>::with_capacity(counted.0.len()))
    }
}

/// `seed` over the whole body, nothing but whitespace after it.
fn read_all<'de, S: DeserializeSeed<'de>>(
    body: &'de [u8],
    seed: S,
) -> serde_json::Result<S::Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// An item the counting pass skipped.
struct Skipped;

impl From<IgnoredAny> for Skipped {
    fn from(_: IgnoredAny) -> Self {
        Skipped
    }
}

/// Reads a load-all answer into a list with room for `capacity` tenants, each read as a `W`
/// and kept as a `T`.
struct ListSeed<T, W = TenantDto> {
    capacity: usize,
    item: std::marker::PhantomData<(T, W)>,
}

impl<T, W> ListSeed<T, W> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            item: std::marker::PhantomData,
        }
    }
}

impl<'de, T: From<W>, W: Deserialize<'de>> DeserializeSeed<'de> for ListSeed<T, W> {
    type Value = TenantList<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TenantList<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: From<W>, W: Deserialize<'de>> Visitor<'de> for ListSeed<T, W> {
    type Value = TenantList<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tenant list answer")
    }
    lenient_scalars!(TenantList<T>, TenantList::default());
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TenantList<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TenantList::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TenantList<T>, A::Error> {
        let mut tenants = TenantList::default();
        while let Some(key) = map.next_key::<FieldName<'de>>()? {
            if key.0 == "tenants" {
                // A repeated key replaces the earlier list, as it does in a `Value`.
                let items = ItemsSeed::<T, W> {
                    capacity: self.capacity,
                    item: std::marker::PhantomData,
                };
                tenants = TenantList(map.next_value_seed(items)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(tenants)
    }
}

/// The `tenants` list itself.
struct ItemsSeed<T, W> {
    capacity: usize,
    item: std::marker::PhantomData<(T, W)>,
}

impl<'de, T: From<W>, W: Deserialize<'de>> DeserializeSeed<'de> for ItemsSeed<T, W> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: From<W>, W: Deserialize<'de>> Visitor<'de> for ItemsSeed<T, W> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of tenants")
    }
    lenient_scalars!(Vec<T>, Vec::new());
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let hinted = seq.size_hint().unwrap_or(0).min(4096);
        let mut tenants = Vec::with_capacity(self.capacity.max(hinted));
        while let Some(item) = seq.next_element::<W>()? {
            tenants.push(T::from(item));
        }
        Ok(tenants)
    }
}

impl From<TenantDto> for Tenant {
    fn from(dto: TenantDto) -> Self {
        Tenant {
            id: dto.id,
            name: dto.name,
            self_provisioning_domains: dto.self_provisioning_domains,
            custom_attributes: dto.custom_attributes.into_iter().collect(),
            enforce_sso: dto.enforce_sso,
            disabled: dto.disabled,
            default_roles: dto.default_roles,
            enforce_sso_exclusions: Some(dto.enforce_sso_exclusions),
            federated_app_ids: Some(dto.federated_app_ids),
            role_inheritance: Some(dto.role_inheritance),
            parent: Some(dto.parent),
            // Not in the tenant's answer: the sign-in read step fills it where declared.
            session: None,
            sso: None,
            password_policy: None,
            roles: None,
            has_sso: matches!(dto.auth_type.as_str(), "oidc" | "saml"),
            unmodelled: dto.unmodelled.into_iter().collect(),
        }
        .normalized()
    }
}

/// T1 / T2 body. The reference lists no `defaultRoles` on create or update: those go through
/// T10 ([`DefaultRolesRequest`]).
///
/// T2 overwrites the whole tenant (a field left out is cleared), so an update sends every field
/// the SDKs send (Python `tenant.update`, Go `Tenant.Update`) plus every field the server returned
/// that we do not model; the planner has filled the ones the configuration leaves alone from the
/// live tenant. The optional fields are left out only where the tenant has no value for them: on
/// a create from a configuration that does not set them, where the server's default applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantWriteRequest {
    /// `null` on create lets the server generate an id.
    pub id: Option<String>,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    #[serde(rename = "enforceSSO")]
    pub enforce_sso: bool,
    pub disabled: bool,
    #[serde(
        rename = "enforceSSOExclusions",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso_exclusions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federated_app_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
    /// Create only: T2 does not take it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(flatten)]
    pub unmodelled: Map<String, Value>,
}

impl TenantWriteRequest {
    /// T2's body: every field, the parent left out (Descope sets it on create only).
    pub fn update(tenant: &Tenant) -> Self {
        Self {
            id: Some(tenant.id.clone()),
            enforce_sso_exclusions: Some(tenant.enforce_sso_exclusions.clone().unwrap_or_default()),
            federated_app_ids: Some(tenant.federated_app_ids.clone().unwrap_or_default()),
            role_inheritance: Some(tenant.role_inheritance.clone().unwrap_or_default()),
            parent: None,
            ..Self::from(tenant)
        }
    }
}

impl From<&Tenant> for TenantWriteRequest {
    /// T1's body.
    fn from(tenant: &Tenant) -> Self {
        Self {
            id: Some(tenant.id.clone()).filter(|id| !id.is_empty()),
            name: tenant.name.clone(),
            self_provisioning_domains: tenant.self_provisioning_domains.clone(),
            custom_attributes: tenant
                .custom_attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            enforce_sso: tenant.enforce_sso,
            disabled: tenant.disabled,
            enforce_sso_exclusions: tenant.enforce_sso_exclusions.clone(),
            federated_app_ids: tenant.federated_app_ids.clone(),
            role_inheritance: tenant.role_inheritance.clone(),
            parent: tenant.parent.clone().filter(|parent| !parent.is_empty()),
            unmodelled: tenant
                .unmodelled
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// T10 body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultRolesRequest {
    pub id: String,
    pub default_roles: Vec<String>,
}

/// T1's answer.
pub fn created_id(body: &Value) -> String {
    string(unwrap_object(body, "tenant"), "id")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_a_full_tenant_into_core() {
        let body = json!({"id":"T1","name":"Acme","selfProvisioningDomains":["B.com","a.com"],
            "customAttributes":{"tier":"gold"},"authType":"none","domains":[],"createdTime":"1726067547",
            "disabled":true,"enforceSSO":true,"defaultRoles":["viewer"],"roleInheritance":""});
        let dto = TenantDto::from_load_response(&body);
        assert_eq!(dto.created_time, 1726067547);
        let tenant: Tenant = dto.into();
        assert_eq!(tenant.id, "T1");
        assert_eq!(tenant.self_provisioning_domains, vec!["a.com", "b.com"]);
        assert_eq!(tenant.custom_attributes["tier"], json!("gold"));
        assert!(tenant.enforce_sso && tenant.disabled);
        assert_eq!(tenant.default_roles, vec!["viewer"]);
    }

    #[test]
    fn wrapped_and_sparse_tenants_are_read() {
        let tenant: Tenant =
            TenantDto::from_load_response(&json!({"tenant":{"id":"T2","name":"B"}})).into();
        assert_eq!(tenant.id, "T2");
        assert!(tenant.self_provisioning_domains.is_empty());
        assert!(!tenant.enforce_sso);
        assert!(list(b"{}").is_empty());
        let listed = list(br#"{"tenants": [{"id": "T1"}, {"id": "T2"}]}"#);
        assert_eq!(
            listed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["T1", "T2"]
        );
    }

    fn list(body: &[u8]) -> Vec<TenantDto> {
        serde_json::from_slice::<TenantList>(body)
            .expect("a lenient list never fails on JSON")
            .0
    }

    #[test]
    fn list_answer_read_from_bytes_matches_each_tenant_read_alone() {
        let items = json!([
            {"id": "T1", "name": "A", "zeta": 1, "selfProvisioningDomains": ["a.com", 7],
             "alpha": {"x": [1]}, "createdTime": 5.0, "disabled": "TRUE", "id": "T1b"},
            {"id": 42, "name": true, "customAttributes": {"k": "v"}, "domains": "not a list"},
            "not an object",
            null
        ]);
        let body = json!({"total": 4, "tenants": items.clone()});
        let listed = list(body.to_string().as_bytes());
        let alone: Vec<TenantDto> = items
            .as_array()
            .expect("array")
            .iter()
            .map(TenantDto::from_json)
            .collect();
        assert_eq!(listed, alone);
        assert_eq!(listed[0].id, "T1b");
        assert_eq!(
            listed[0].unmodelled.keys().collect::<Vec<_>>(),
            ["zeta", "alpha"]
        );
        assert_eq!(listed[1].id, "42");
        assert_eq!(listed[2], TenantDto::default());
        let as_core = serde_json::from_slice::<TenantList<Tenant>>(body.to_string().as_bytes())
            .expect("a lenient list never fails on JSON")
            .0;
        assert_eq!(
            as_core,
            listed.into_iter().map(Tenant::from).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_counted_list_is_allocated_at_its_size_and_reads_like_the_plain_one() {
        let many: Vec<Value> = (0..5_000)
            .map(|i| json!({"id": format!("T{i}"), "name": format!("N{i}"), "x": [1, {"y": i}]}))
            .collect();
        let many = json!({"tenants": many, "total": 5_000}).to_string();
        let bodies: [&[u8]; 8] = [
            many.as_bytes(),
            br#"{"tenants": [{"id": "T1"}, "x", null, [1]]}"#,
            br#"{"tenants": [{"id": "T1"}], "tenants": [{"id": "T2"}, {"id": "T3"}]}"#,
            br#"{"tenants": {"id": "T1"}}"#,
            br#"{"tenants": null}"#,
            br#"[{"id": "T1"}]"#,
            b"3",
            b"{}",
        ];
        for body in bodies {
            let counted = CountedTenantList::<TenantDto>::new()
                .read(body)
                .expect("lenient")
                .0;
            assert_eq!(
                counted,
                list(body),
                "{}",
                String::from_utf8_lossy(&body[..body.len().min(60)])
            );
        }
        let counted = CountedTenantList::<Tenant>::new()
            .read(many.as_bytes())
            .expect("lenient")
            .0;
        assert_eq!(counted.len(), 5_000);
        assert_eq!(counted.capacity(), 5_000);
        assert!(
            CountedTenantList::<TenantDto>::new()
                .read(b"{\"tenants\": [")
                .is_err()
        );
    }

    #[test]
    fn escaped_field_names_are_read_like_plain_ones() {
        let listed = list(br#"{"tenants": [{"i\u0064": "T1", "x\"y": 1, "name": "N"}]}"#);
        assert_eq!(listed[0].id, "T1");
        assert_eq!(listed[0].name, "N");
        assert_eq!(listed[0].unmodelled.keys().collect::<Vec<_>>(), ["x\"y"]);
    }

    #[test]
    fn list_answer_of_another_shape_is_no_tenant() {
        for body in [
            &br#"{"tenants": {"id": "T1"}}"#[..],
            br#"{"tenants": "none"}"#,
            br#"{"tenants": null}"#,
            br#"[{"id": "T1"}]"#,
            b"3",
        ] {
            assert!(list(body).is_empty(), "{}", String::from_utf8_lossy(body));
        }
        let replaced = list(br#"{"tenants": [{"id": "T1"}], "tenants": [{"id": "T2"}]}"#);
        assert_eq!(replaced.len(), 1);
        assert_eq!(replaced[0].id, "T2");
    }

    #[test]
    fn write_request_uses_wire_names_and_null_id() {
        let tenant = Tenant {
            name: "Acme".into(),
            enforce_sso: true,
            self_provisioning_domains: vec!["acme.com".into()],
            ..Tenant::default()
        };
        let body = serde_json::to_value(TenantWriteRequest::from(&tenant)).unwrap();
        assert_eq!(
            body,
            json!({"id":null,"name":"Acme","selfProvisioningDomains":["acme.com"],
                   "customAttributes":{},"enforceSSO":true,"disabled":false})
        );
    }
}
