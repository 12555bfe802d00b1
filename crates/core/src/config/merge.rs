//! Environment overlays: `environments/<env>.yaml` merged onto `descope.yaml` by resource
//! identity (tenant `id`, role `name`, permission `name`, flow `id`). For an identity present in
//! both, the overlay's fields replace the base's field by field; new identities are added (for
//! that environment only, since the overlay is read only for it). Environments merge by name the
//! same way, and so do templates (an overlay changes a template's fields for its environment);
//! any other top-level key in the overlay replaces the base's.
//!
//! Merging happens on the positioned tree, before decoding, so every diagnostic still points
//! at the file and line a value came from.

use std::collections::HashMap;

use super::yaml::{Entry, Node, Value};
use crate::resource::ResourceKind;

/// List sections that are not (yet) kinds of the registry, with their identity key.
const UNREGISTERED_IDENTITIES: [(&str, &str); 1] = [("flows", "id")];

/// The identity key of a list section: the registry's identity field for a kind's section.
pub fn identity_key(section: &str) -> Option<&'static str> {
    ResourceKind::ALL
        .iter()
        .find(|kind| kind.section() == section)
        .and_then(|kind| kind.identity_field())
        .or_else(|| {
            UNREGISTERED_IDENTITIES
                .iter()
                .find(|(unregistered, _)| *unregistered == section)
                .map(|(_, key)| *key)
        })
}

/// Merges `overlay` onto `base`. Both must be mappings (the caller checks and reports).
pub fn merge_overlay<'a>(base: Node<'a>, overlay: Node<'a>) -> Node<'a> {
    let Value::Map(overlay_entries) = overlay.value else {
        return base;
    };
    let mut base = base;
    let Value::Map(base_entries) = &mut base.value else {
        return base;
    };
    for entry in overlay_entries {
        let identity = identity_key(&entry.key);
        match base_entries
            .iter_mut()
            .find(|base_entry| base_entry.key == entry.key)
        {
            None => base_entries.push(entry),
            Some(base_entry) => {
                let merged = match (identity, entry.key.as_ref()) {
                    (Some(key), _) => merge_list(
                        std::mem::replace(&mut base_entry.value, null()),
                        entry.value,
                        key,
                    ),
                    (None, "environments" | "templates") => merge_by_key(
                        std::mem::replace(&mut base_entry.value, null()),
                        entry.value,
                    ),
                    _ => entry.value,
                };
                base_entry.value = merged;
            }
        }
    }
    base
}

fn null() -> Node<'static> {
    Node {
        position: Default::default(),
        source: 0,
        value: Value::Null,
    }
}

fn merge_list<'a>(base: Node<'a>, overlay: Node<'a>, identity: &str) -> Node<'a> {
    let (mut base, Value::Seq(overlay_items)) = (base, overlay.value.clone()) else {
        return overlay;
    };
    let Value::Seq(base_items) = &mut base.value else {
        return overlay;
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for (position, item) in base_items.iter().enumerate() {
        if let Some(id) = item.get(identity).and_then(Node::scalar_text) {
            index.entry(id).or_insert(position);
        }
    }
    for item in overlay_items {
        let existing = item
            .get(identity)
            .and_then(Node::scalar_text)
            .and_then(|id| index.get(&id).copied());
        match existing {
            Some(position) => {
                let base_item = std::mem::replace(&mut base_items[position], null());
                base_items[position] = replace_fields(base_item, item);
            }
            None => base_items.push(item),
        }
    }
    base
}

/// Two mappings of named mappings (environments, templates): same-named entries merge field by field.
fn merge_by_key<'a>(base: Node<'a>, overlay: Node<'a>) -> Node<'a> {
    let (mut base, Value::Map(overlay_entries)) = (base, overlay.value.clone()) else {
        return overlay;
    };
    let Value::Map(base_entries) = &mut base.value else {
        return overlay;
    };
    for entry in overlay_entries {
        match base_entries
            .iter_mut()
            .find(|base_entry| base_entry.key == entry.key)
        {
            Some(base_entry) => {
                let previous = std::mem::replace(&mut base_entry.value, null());
                base_entry.value = replace_fields(previous, entry.value);
            }
            None => base_entries.push(entry),
        }
    }
    base
}

/// The overlay mapping's fields replace the base mapping's; a non-mapping overlay replaces all.
fn replace_fields<'a>(base: Node<'a>, overlay: Node<'a>) -> Node<'a> {
    let (mut base, Value::Map(overlay_entries)) = (base, overlay.value.clone()) else {
        return overlay;
    };
    let Value::Map(base_entries) = &mut base.value else {
        return overlay;
    };
    for Entry {
        key,
        key_position,
        value,
    } in overlay_entries
    {
        match base_entries
            .iter_mut()
            .find(|base_entry| base_entry.key == key)
        {
            Some(base_entry) => {
                base_entry.value = value;
                base_entry.key_position = key_position;
            }
            None => base_entries.push(Entry {
                key,
                key_position,
                value,
            }),
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml::load_yaml;

    #[test]
    fn list_sections_merge_by_the_registry_identity_of_their_kind() {
        for kind in ResourceKind::ALL {
            assert_eq!(
                identity_key(kind.section()),
                kind.identity_field(),
                "{kind}"
            );
        }
        assert_eq!(identity_key("tenants"), Some("id"));
        assert_eq!(identity_key("flows"), Some("id"));
        assert_eq!(identity_key("environments"), None);
    }

    fn parse(text: &str, source: usize) -> Node<'_> {
        load_yaml(text, source).unwrap().unwrap()
    }

    #[test]
    fn overlay_replaces_fields_by_identity_and_adds_new_ones() {
        let base = parse(
            "tenants:\n  - id: acme\n    name: Acme\n    domains: [acme.com]\n  - id: beta\n    name: Beta\n",
            0,
        );
        let overlay = parse(
            "tenants:\n  - id: acme\n    name: Acme Prod\n  - id: gamma\n    name: Gamma\n",
            1,
        );
        let merged = merge_overlay(base, overlay);
        let Value::Seq(tenants) = &merged.get("tenants").unwrap().value else {
            panic!()
        };
        assert_eq!(tenants.len(), 3);
        let acme = &tenants[0];
        assert_eq!(
            acme.get("name").unwrap().value,
            Value::Str("Acme Prod".into())
        );
        assert_eq!(acme.get("name").unwrap().source, 1);
        // Fields the overlay does not mention stay from the base.
        assert_eq!(acme.get("domains").unwrap().source, 0);
        assert_eq!(
            tenants[2].get("id").unwrap().value,
            Value::Str("gamma".into())
        );
    }

    #[test]
    fn environments_merge_by_name_and_scalars_replace() {
        let base = parse(
            "version: '1.0'\nenvironments:\n  prod:\n    project_id: P1\n    management_key: ${K}\n",
            0,
        );
        let overlay = parse("environments:\n  prod:\n    protected: true\n", 1);
        let merged = merge_overlay(base, overlay);
        let prod = merged.get("environments").unwrap().get("prod").unwrap();
        assert!(prod.get("project_id").is_some());
        assert_eq!(prod.get("protected").unwrap().value, Value::Bool(true));
    }
}
