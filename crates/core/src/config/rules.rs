//! The field rules: tenant id pattern and length (ids appear in URLs and logs, so lowercase
//! letters, digits and dashes only), name length after trimming, RFC 1035 domains (what DNS and
//! Descope's self-provisioning accept). Both the model constructors and the YAML decoder call these, so a
//! rule is written once.

use std::sync::LazyLock;

use regex::Regex;

use super::diagnostic::Violation;

pub const TENANT_ID_PATTERN: &str = "^[a-z0-9-]+$";
pub const TENANT_ID_MIN: usize = 3;
pub const TENANT_ID_MAX: usize = 50;
pub const NAME_MIN: usize = 1;
pub const NAME_MAX: usize = 100;
pub const DOMAIN_MAX: usize = 253;
/// RFC 1035 labels (letters, digits, inner dashes, at most 63 characters) and an alphabetic
/// top-level label, as host names allow.
pub const DOMAIN_PATTERN: &str =
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$";

/// Permissions every Descope project has; roles may name them without defining them.
pub const BUILTIN_PERMISSIONS: [&str; 3] = ["User Admin", "SSO Admin", "Impersonate"];
/// Roles every Descope project has; tenants may name them as default roles.
pub const BUILTIN_ROLES: [&str; 1] = ["Tenant Admin"];

static TENANT_ID: LazyLock<Regex> = LazyLock::new(|| compile(TENANT_ID_PATTERN));
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| compile(DOMAIN_PATTERN));

fn compile(pattern: &str) -> Regex {
    // The patterns are constants checked by the tests below; failing here is a bug, not input.
    Regex::new(pattern).unwrap_or_else(|error| panic!("bug: invalid built-in regex: {error}"))
}

/// Quotes a user value for a message, shortened so a huge value cannot flood the output.
pub fn quote(value: &str) -> String {
    const LIMIT: usize = 60;
    if value.chars().count() <= LIMIT {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(LIMIT).collect();
        format!("{head:?}…")
    }
}

pub fn check_tenant_id(path: &str, id: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    let length = id.chars().count();
    if !(TENANT_ID_MIN..=TENANT_ID_MAX).contains(&length) {
        found.push(
            Violation::new(
                path,
                format!(
                    "{} is {length} characters; it must be {TENANT_ID_MIN} to {TENANT_ID_MAX}",
                    quote(id)
                ),
            )
            .with_hint("shorten or lengthen the id"),
        );
    }
    if !TENANT_ID.is_match(id) {
        found.push(
            Violation::new(
                path,
                format!("{} must match {TENANT_ID_PATTERN}", quote(id)),
            )
            .with_hint("the id pattern allows lowercase letters, digits and hyphens only"),
        );
    }
    found
}

/// Checks a name and returns it trimmed (the rule counts characters after trimming).
pub fn check_name(path: &str, name: &str) -> (String, Vec<Violation>) {
    let trimmed = name.trim().to_owned();
    let length = trimmed.chars().count();
    let mut found = Vec::new();
    if length < NAME_MIN {
        found.push(
            Violation::new(path, "must not be empty").with_hint("give a human-readable name"),
        );
    } else if length > NAME_MAX {
        found.push(
            Violation::new(
                path,
                format!("is {length} characters; at most {NAME_MAX} are allowed"),
            )
            .with_hint("shorten the name"),
        );
    }
    (trimmed, found)
}

pub fn check_domain(path: &str, domain: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    if domain.len() > DOMAIN_MAX {
        found.push(
            Violation::new(
                path,
                format!("{} is longer than {DOMAIN_MAX} characters", quote(domain)),
            )
            .with_hint("a DNS name has at most 253 characters"),
        );
    } else if !DOMAIN.is_match(domain) {
        found.push(
            Violation::new(path, format!("{} is not a valid domain", quote(domain)))
                .with_hint("use an RFC 1035 host name such as example.com"),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_patterns_compile() {
        assert!(TENANT_ID.is_match("acme-corp"));
        assert!(DOMAIN.is_match("acme.com"));
    }

    #[test]
    fn domain_rules_follow_rfc_1035() {
        assert!(check_domain("d", "sub.example.co.uk").is_empty());
        assert!(!check_domain("d", "not a domain").is_empty());
        assert!(!check_domain("d", "-bad.com").is_empty());
        assert!(!check_domain("d", "localhost").is_empty());
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(long.len() > 253);
        assert!(
            check_domain("d", &long)[0]
                .message
                .contains("longer than 253")
        );
    }

    #[test]
    fn name_is_trimmed_before_counting() {
        let (trimmed, found) = check_name("name", "  Acme  ");
        assert_eq!(trimmed, "Acme");
        assert!(found.is_empty());
        assert!(!check_name("name", "   ").1.is_empty());
        assert!(!check_name("name", &"x".repeat(101)).1.is_empty());
        assert!(check_name("name", &"x".repeat(100)).1.is_empty());
    }

    #[test]
    fn quote_shortens_huge_values() {
        let quoted = quote(&"a".repeat(10_000));
        assert!(quoted.len() < 80);
    }
}
