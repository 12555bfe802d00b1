//! Tenant templates: a top-level `templates:` map of named partial tenants. A tenant names one
//! (`template: enterprise`) or several (`templates: [enterprise, eu]`); they apply in order, then
//! the tenant's own fields win. Mappings (`custom_attributes`) merge by key; anything else, lists
//! included, replaces. A template may name templates itself; a cycle is an error.
//!
//! Resolution happens on the positioned tree, after the overlay is merged and before decoding,
//! so a value that came from a template is reported at the template's file, line and column.

use std::collections::BTreeMap;

use super::tenants::TENANT_FIELDS;
use super::{Decoder, Keys};
use crate::config::rules::quote;
use crate::config::yaml::{Entry, Node, Value};

/// Keys a template accepts: any tenant field but the id and name (which are each tenant's own,
/// and unique), and templates of its own.
pub(crate) const TEMPLATE: Keys = Keys {
    accepted: TENANT_FIELDS.split_at(2).1,
    required: &[],
};

/// The keys that name templates, on a tenant or a template.
const REFERENCES: [&str; 2] = ["template", "templates"];

/// Whether a mapping names templates; most tenants do not, and are then left as they are.
fn names_templates(fields: &[Entry<'_>]) -> bool {
    fields
        .iter()
        .any(|entry| REFERENCES.contains(&entry.key.as_ref()))
}

/// Which templates each tenant used, by tenant id, in the order they applied.
pub type TemplateUse = BTreeMap<String, Vec<String>>;

impl Decoder<'_> {
    /// Replaces each tenant that names templates by the merged tenant, and removes `templates:`
    /// from the root. Problems are reported; a tenant whose templates cannot be resolved is kept
    /// without them, so its own fields are still checked.
    pub(super) fn resolve_templates<'a>(&mut self, root: &mut Node<'a>) -> TemplateUse {
        let mut used = TemplateUse::new();
        let Value::Map(entries) = &mut root.value else {
            return used;
        };
        let templates = match entries.iter().position(|entry| entry.key == "templates") {
            Some(index) => entries.remove(index).value,
            None => Node {
                position: root.position,
                source: root.source,
                value: Value::Map(Vec::new()),
            },
        };
        // Every name under `templates:`, valid or not: a tenant naming one whose definition is
        // broken gets that one error at the definition, not a second "not defined" one.
        let named: std::collections::BTreeSet<String> = match &templates.value {
            Value::Map(entries) => entries.iter().map(|entry| entry.key.to_string()).collect(),
            _ => std::collections::BTreeSet::new(),
        };
        let definitions = self.template_definitions(&templates);
        let mut resolved: BTreeMap<String, Option<Vec<Entry<'a>>>> = BTreeMap::new();
        for name in definitions.keys() {
            self.resolve_template(name, &definitions, &mut resolved, &mut Vec::new());
        }
        let Some(tenants) = entries.iter_mut().find(|entry| entry.key == "tenants") else {
            return used;
        };
        let Value::Seq(items) = &mut tenants.value.value else {
            return used;
        };
        for (index, item) in items.iter_mut().enumerate() {
            let Value::Map(fields) = &mut item.value else {
                continue;
            };
            if !names_templates(fields) {
                continue;
            }
            let path = format!("tenants[{index}]");
            let names = self.template_names(fields, &path);
            if names.is_empty() {
                continue;
            }
            let mut merged: Vec<Entry<'a>> = Vec::new();
            let mut applied = Vec::new();
            for (name, node) in names {
                match resolved.get(&name) {
                    Some(Some(template)) => {
                        merge_fields(&mut merged, template.clone());
                        applied.push(name);
                    }
                    Some(None) => {} // reported where the template is defined
                    None if named.contains(&name) => {} // likewise
                    None => self.error_at(
                        &node,
                        &format!("{path}.template"),
                        format!("{} is not a defined template", quote(&name)),
                        Some(if definitions.is_empty() {
                            "no templates are defined: add them under `templates:`".to_owned()
                        } else {
                            format!(
                                "defined templates: {}",
                                definitions.keys().cloned().collect::<Vec<_>>().join(", ")
                            )
                        }),
                    ),
                }
            }
            merge_fields(&mut merged, std::mem::take(fields));
            *fields = merged;
            if let Some(id) = item.get("id").and_then(Node::scalar_text) {
                used.insert(id, applied);
            }
        }
        used
    }

    /// The templates by name, each checked as a mapping of template keys.
    fn template_definitions<'a>(&mut self, templates: &Node<'a>) -> BTreeMap<String, Node<'a>> {
        let mut definitions = BTreeMap::new();
        let Value::Map(entries) = &templates.value else {
            self.type_error(templates, "templates", "a mapping of template names");
            return definitions;
        };
        for entry in entries {
            let path = format!("templates.{}", entry.key);
            if self.mapping(&entry.value, &path, &TEMPLATE).is_some() {
                // Unknown keys are reported here once, not again in each tenant using them.
                let mut definition = entry.value.clone();
                if let Value::Map(fields) = &mut definition.value {
                    fields.retain(|field| TEMPLATE.accepted.contains(&field.key.as_ref()));
                }
                definitions.insert(entry.key.to_string(), definition);
            }
        }
        definitions
    }

    /// A template's fields with the templates it names applied first; `None` when it cannot be
    /// resolved (a cycle, reported once at the template that closes it).
    fn resolve_template<'a>(
        &mut self,
        name: &str,
        definitions: &BTreeMap<String, Node<'a>>,
        resolved: &mut BTreeMap<String, Option<Vec<Entry<'a>>>>,
        chain: &mut Vec<String>,
    ) -> Option<Vec<Entry<'a>>> {
        if let Some(done) = resolved.get(name) {
            return done.clone();
        }
        let definition = definitions.get(name)?;
        let path = format!("templates.{name}");
        let Value::Map(own) = &definition.value else {
            return None;
        };
        let mut own = own.clone();
        chain.push(name.to_owned());
        let mut merged = Vec::new();
        let mut complete = true;
        for (used, node) in self.template_names(&mut own, &path) {
            if chain.contains(&used) {
                let cycle = chain[chain.iter().position(|n| *n == used).unwrap_or(0)..].join(" → ");
                self.error_at(
                    &node,
                    &format!("{path}.template"),
                    format!("template cycle: {cycle} → {used}"),
                    Some("a template may not use itself, directly or through others".to_owned()),
                );
                complete = false;
                continue;
            }
            if !definitions.contains_key(&used) {
                self.error_at(
                    &node,
                    &format!("{path}.template"),
                    format!("{} is not a defined template", quote(&used)),
                    None,
                );
                complete = false;
                continue;
            }
            match self.resolve_template(&used, definitions, resolved, chain) {
                Some(fields) => merge_fields(&mut merged, fields),
                None => complete = false,
            }
        }
        chain.pop();
        merge_fields(&mut merged, own);
        let result = complete.then_some(merged);
        resolved.insert(name.to_owned(), result.clone());
        result
    }

    /// Takes `template` / `templates` out of a mapping and returns the names with their nodes.
    fn template_names<'a>(
        &mut self,
        fields: &mut Vec<Entry<'a>>,
        path: &str,
    ) -> Vec<(String, Node<'a>)> {
        let mut names = Vec::new();
        if !names_templates(fields) {
            return names;
        }
        let references: Vec<Entry<'a>> = {
            let (references, rest): (Vec<_>, Vec<_>) = std::mem::take(fields)
                .into_iter()
                .partition(|entry| REFERENCES.contains(&entry.key.as_ref()));
            *fields = rest;
            references
        };
        if references.len() > 1 {
            self.error_at(
                &references[1].value,
                &format!("{path}.{}", references[1].key),
                "use either `template` or `templates`, not both".to_owned(),
                Some("list every template under `templates: [a, b]`".to_owned()),
            );
        }
        for reference in references {
            let field_path = format!("{path}.{}", reference.key);
            let nodes = match (&reference.value.value, reference.key.as_ref()) {
                (Value::Str(_), "template") => vec![reference.value.clone()],
                (Value::Seq(items), "templates") => items.clone(),
                (_, "template") => {
                    self.type_error(&reference.value, &field_path, "a template name");
                    continue;
                }
                _ => {
                    self.type_error(&reference.value, &field_path, "a list of template names");
                    continue;
                }
            };
            for node in nodes {
                match &node.value {
                    Value::Str(name) => names.push((name.to_string(), node.clone())),
                    _ => self.type_error(&node, &field_path, "a template name"),
                }
            }
        }
        names
    }
}

/// Applies `overlay` onto `base`: mappings merge by key (recursively), anything else replaces.
fn merge_fields<'a>(base: &mut Vec<Entry<'a>>, overlay: Vec<Entry<'a>>) {
    for entry in overlay {
        match base.iter_mut().find(|existing| existing.key == entry.key) {
            Some(existing) => match (&mut existing.value.value, entry.value.value) {
                (Value::Map(inner), Value::Map(more)) => merge_fields(inner, more),
                (slot, value) => {
                    *slot = value;
                    existing.value.position = entry.value.position;
                    existing.value.source = entry.value.source;
                    existing.key_position = entry.key_position;
                }
            },
            None => base.push(entry),
        }
    }
}
