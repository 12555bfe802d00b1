//! Tenant selectors (`--selector EXPR`): a small expression language that picks tenants by id or
//! name glob, template, flag or custom attribute, as a pure function over the configuration.
//!
//! `EXPR` is one or more terms joined by `,` (all must hold):
//! - `key=value` / `key==value`, `key!=value`
//! - `key in (a,b)`, `key notin (a,b)`
//! - `key` (the flag is true, or the attribute is present), `!key` (false, or absent)
//!
//! Keys: `id` and `name` (values may use `*` and `?` globs), `template` (any template the tenant
//! was built from), `disabled`, `enforce_sso`, `self_provisioning`; any other key is a custom
//! attribute, compared by its text (`seats=10`, `tier=enterprise`). Values are bare words or
//! `"quoted"`.

use std::fmt;

use super::model::{DescopeConfig, TenantConfig};

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Equals {
        key: String,
        value: String,
        negated: bool,
    },
    In {
        key: String,
        values: Vec<String>,
        negated: bool,
    },
    Holds {
        key: String,
        negated: bool,
    },
}

/// Why a selector did not parse; `column` is 1-based in the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for SelectorError {}

impl std::str::FromStr for Selector {
    type Err = SelectorError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Selector {
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let mut parser = Parser { text, at: 0 };
        let mut terms = vec![parser.term()?];
        loop {
            parser.skip_spaces();
            if parser.at == text.len() {
                return Ok(Self { terms });
            }
            parser.expect(",")?;
            terms.push(parser.term()?);
        }
    }

    /// Whether `tenant`, built from `templates`, is selected.
    pub fn matches(&self, tenant: &TenantConfig, templates: &[String]) -> bool {
        self.terms
            .iter()
            .all(|term| term.matches(tenant, templates))
    }

    /// The tenants of `config` this selector picks, in configuration order.
    pub fn select<'c>(&self, config: &'c DescopeConfig) -> Vec<&'c TenantConfig> {
        config
            .tenants()
            .iter()
            .filter(|tenant| self.matches(tenant, config.templates_of(tenant.id())))
            .collect()
    }
}

impl Term {
    fn matches(&self, tenant: &TenantConfig, templates: &[String]) -> bool {
        match self {
            Term::Equals {
                key,
                value,
                negated,
            } => any_value(key, tenant, templates, |found| glob(value, found)) != *negated,
            Term::In {
                key,
                values,
                negated,
            } => {
                any_value(key, tenant, templates, |found| {
                    values.iter().any(|v| glob(v, found))
                }) != *negated
            }
            Term::Holds { key, negated } => {
                let holds = match flag(key, tenant) {
                    Some(value) => value,
                    None => any_value(key, tenant, templates, |found| {
                        !matches!(found, "" | "false" | "null")
                    }),
                };
                holds != *negated
            }
        }
    }
}

/// Whether any value of `key` on the tenant satisfies `test` (a tenant has several templates).
fn any_value(
    key: &str,
    tenant: &TenantConfig,
    templates: &[String],
    test: impl Fn(&str) -> bool,
) -> bool {
    match key {
        "id" => test(tenant.id()),
        "name" => test(tenant.name()),
        "template" => templates.iter().any(|template| test(template)),
        _ => match flag(key, tenant) {
            Some(value) => test(if value { "true" } else { "false" }),
            None => tenant
                .custom_attributes()
                .get(key)
                .is_some_and(|value| match value {
                    serde_json::Value::String(text) => test(text),
                    other => test(&other.to_string()),
                }),
        },
    }
}

fn flag(key: &str, tenant: &TenantConfig) -> Option<bool> {
    match key {
        "disabled" => Some(tenant.disabled()),
        "enforce_sso" => Some(tenant.enforce_sso()),
        "self_provisioning" => Some(tenant.self_provisioning()),
        _ => None,
    }
}

/// `*` matches any run of characters, `?` one character; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T, SelectorError> {
        Err(SelectorError {
            column: self.text[..self.at].chars().count() + 1,
            message: message.into(),
        })
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), SelectorError> {
        if self.eat(token) {
            Ok(())
        } else {
            self.error(format!("expected `{token}`"))
        }
    }

    fn word(&mut self, what: &str) -> Result<String, SelectorError> {
        self.skip_spaces();
        if let Some(quoted) = self.rest().strip_prefix('"') {
            return match quoted.find('"') {
                Some(end) => {
                    let value = quoted[..end].to_owned();
                    self.at += end + 2;
                    Ok(value)
                }
                None => self.error("unterminated `\"`"),
            };
        }
        let length = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || "_-.*?:/@+".contains(c)))
            .unwrap_or(self.rest().len());
        if length == 0 {
            return self.error(format!("expected {what}"));
        }
        let word = self.rest()[..length].to_owned();
        self.at += length;
        Ok(word)
    }

    fn term(&mut self) -> Result<Term, SelectorError> {
        if self.eat("!") && !self.rest().starts_with('=') {
            let key = self.word("a key after `!`")?;
            return Ok(Term::Holds { key, negated: true });
        }
        let key = self.word("a key")?;
        if self.eat("!=") {
            let value = self.word("a value")?;
            return Ok(Term::Equals {
                key,
                value,
                negated: true,
            });
        }
        if self.eat("==") || self.eat("=") {
            let value = self.word("a value")?;
            return Ok(Term::Equals {
                key,
                value,
                negated: false,
            });
        }
        self.skip_spaces();
        let start = self.at;
        if let Ok(operator) = self.word("an operator") {
            let negated = match operator.as_str() {
                "in" => false,
                "notin" => true,
                _ => {
                    self.at = start;
                    return self.error("expected `=`, `!=`, `in`, `notin`, `,` or the end");
                }
            };
            self.expect("(")?;
            let mut values = vec![self.word("a value")?];
            while self.eat(",") {
                values.push(self.word("a value")?);
            }
            self.expect(")")?;
            return Ok(Term::In {
                key,
                values,
                negated,
            });
        }
        self.at = start;
        Ok(Term::Holds {
            key,
            negated: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tenant(id: &str, tier: &str, region: &str, disabled: bool) -> TenantConfig {
        let attributes = [
            ("tier", json!(tier)),
            ("region", json!(region)),
            ("seats", json!(10)),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
        TenantConfig::builder(id, id.to_uppercase())
            .custom_attributes(attributes)
            .disabled(disabled)
            .build()
            .unwrap()
    }

    fn picks(selector: &str, tenants: &[(TenantConfig, Vec<String>)]) -> Vec<String> {
        let selector = Selector::parse(selector).unwrap();
        tenants
            .iter()
            .filter(|(tenant, templates)| selector.matches(tenant, templates))
            .map(|(tenant, _)| tenant.id().to_owned())
            .collect()
    }

    fn portfolio() -> Vec<(TenantConfig, Vec<String>)> {
        vec![
            (
                tenant("acme-corp", "enterprise", "eu", false),
                vec!["enterprise".into()],
            ),
            (
                tenant("acme-labs", "growth", "uk", true),
                vec!["growth".into(), "eu".into()],
            ),
            (
                tenant("globex", "starter", "us", false),
                vec!["starter".into()],
            ),
        ]
    }

    #[test]
    fn the_issue_examples_select_what_they_say() {
        let all = portfolio();
        assert_eq!(picks("tier=enterprise", &all), ["acme-corp"]);
        assert_eq!(picks("region in (eu,uk)", &all), ["acme-corp", "acme-labs"]);
        assert_eq!(picks("template=starter", &all), ["globex"]);
        assert_eq!(picks("!disabled", &all), ["acme-corp", "globex"]);
        assert_eq!(picks("id=acme-*", &all), ["acme-corp", "acme-labs"]);
        assert_eq!(picks("id=acme-*, !disabled", &all), ["acme-corp"]);
        assert_eq!(picks("template=eu", &all), ["acme-labs"]);
        assert_eq!(picks("tier!=enterprise", &all), ["acme-labs", "globex"]);
        assert_eq!(picks("region notin (eu, uk)", &all), ["globex"]);
        assert_eq!(picks("seats=10,disabled", &all), ["acme-labs"]);
        assert_eq!(picks("owner", &all), Vec::<String>::new());
        assert_eq!(picks("!owner", &all).len(), 3);
        assert_eq!(picks("name=\"GLOB?X\"", &all), ["globex"]);
    }

    #[test]
    fn malformed_selectors_name_the_column() {
        for (text, column) in [
            ("", 1),
            ("tier=", 6),
            ("region in (eu", 14),
            ("tier=enterprise,", 17),
            ("tier ~ x", 6),
            ("name=\"open", 6),
        ] {
            let error = Selector::parse(text).unwrap_err();
            assert_eq!(error.column, column, "{text:?}: {error}");
        }
    }

    #[test]
    fn globs_match_whole_values() {
        assert!(glob("acme-*", "acme-corp"));
        assert!(glob("*corp", "acme-corp"));
        assert!(glob("a?me*", "acme"));
        assert!(!glob("acme", "acme-corp"));
        assert!(glob("*", ""));
        assert!(!glob("?", ""));
    }
}
