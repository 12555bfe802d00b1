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

/// Names and ids are shown in consoles and sent in JSON: a control character (a NUL above all)
/// is a mistake that would be truncated or rejected somewhere downstream.
pub fn check_no_control_characters(path: &str, text: &str) -> Option<Violation> {
    let found = text.chars().find(|c| c.is_control())?;
    Some(
        Violation::new(
            path,
            format!("contains a control character (U+{:04X})", u32::from(found)),
        )
        .with_hint("remove it"),
    )
}

/// Checks a name and returns it trimmed (the rule counts characters after trimming).
pub fn check_name(path: &str, name: &str) -> (String, Vec<Violation>) {
    let trimmed = name.trim().to_owned();
    let length = trimmed.chars().count();
    let mut found: Vec<Violation> = check_no_control_characters(path, &trimmed)
        .into_iter()
        .collect();
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

/// Checks an API base URL: `http` or `https`, a host name or IP address, an optional port in
/// 1–65535, and no credentials. A URL with credentials is never quoted in the message.
pub fn check_base_url(path: &str, url: &str) -> Option<Violation> {
    let hint = "e.g. https://api.descope.com";
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let authority_of = |rest: &str| {
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let authority = authority_of(
        rest.or_else(|| url.split_once("://").map(|(_, rest)| rest))
            .unwrap_or(url),
    );
    if authority.contains('@') {
        return Some(
            Violation::new(path, "the URL holds credentials")
                .with_hint("remove `user:password@`; authentication uses the management key"),
        );
    }
    let Some(rest) = rest else {
        return Some(
            Violation::new(path, format!("{} is not an http(s) URL", quote(url))).with_hint(hint),
        );
    };
    let authority = authority_of(rest);
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8080`.
        match bracketed.split_once(']') {
            Some((address, after)) if address.parse::<std::net::Ipv6Addr>().is_ok() => {
                (address, after.strip_prefix(':'))
            }
            _ => {
                return Some(
                    Violation::new(path, format!("{} is not a valid IPv6 address", quote(url)))
                        .with_hint(hint),
                );
            }
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority.as_str(), None),
        }
    };
    if host.is_empty() {
        return Some(Violation::new(path, format!("{} has no host", quote(url))).with_hint(hint));
    }
    let host_is_valid = authority.starts_with('[')
        || host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !host_is_valid || rest.chars().any(char::is_whitespace) {
        return Some(
            Violation::new(path, format!("{} is not a valid host name", quote(url)))
                .with_hint(hint),
        );
    }
    if let Some(port) = port {
        match port.parse::<u32>() {
            Ok(1..=65535) => {}
            Ok(number) => {
                return Some(
                    Violation::new(path, format!("port {number} is out of range"))
                        .with_hint("ports are 1 to 65535"),
                );
            }
            Err(_) => {
                return Some(
                    Violation::new(path, format!("{} has an invalid port", quote(url)))
                        .with_hint("ports are 1 to 65535"),
                );
            }
        }
    }
    None
}

/// Whether a text looks like a Descope management key (`K` and a digit, then a long run of
/// letters and digits): such text is masked wherever it would be echoed, e.g. a key pasted
/// where a variable name belongs.
pub fn looks_like_management_key(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('K'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && text.len() >= 12
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && text.chars().any(|c| c.is_ascii_lowercase())
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
    fn base_urls_need_a_scheme_a_host_and_a_valid_port() {
        for good in [
            "https://api.descope.com",
            "http://localhost:8080",
            "http://127.0.0.1:1/",
            "https://[::1]:443/path",
            "https://api.euc1.descope.com/",
        ] {
            assert_eq!(check_base_url("u", good), None, "{good}");
        }
        for (bad, message) in [
            ("http://", "has no host"),
            ("https://:80", "has no host"),
            ("http://exa mple.com", "is not a valid host name"),
            ("http://exa_mple.com", "is not a valid host name"),
            ("http://localhost:99999", "port 99999 is out of range"),
            ("http://localhost:0", "port 0 is out of range"),
            ("http://localhost:http", "has an invalid port"),
            ("api.descope.com", "is not an http(s) URL"),
            ("https://[nope]", "is not a valid IPv6 address"),
        ] {
            let found = check_base_url("u", bad).unwrap_or_else(|| panic!("{bad} passed"));
            assert!(found.message.contains(message), "{bad}: {}", found.message);
        }
        let with_credentials = check_base_url("u", "ftp://me:K2secretvalue@host").unwrap();
        assert!(!with_credentials.message.contains("K2secret"));
        assert!(with_credentials.message.contains("credentials"));
    }

    #[test]
    fn control_characters_in_names_are_refused() {
        assert!(!check_name("name", "Acme\0Corp").1.is_empty());
        assert!(check_name("name", "Acme Corp").1.is_empty());
        assert!(check_no_control_characters("n", "tab\there").is_some());
    }

    #[test]
    fn key_like_text_is_told_from_variable_names() {
        assert!(looks_like_management_key("K2abcDEF123ghiJKL"));
        assert!(!looks_like_management_key("DESCOPE_DEV_MANAGEMENT_KEY"));
        assert!(!looks_like_management_key("K2"));
        assert!(!looks_like_management_key("KEY_2"));
    }

    #[test]
    fn quote_shortens_huge_values() {
        let quoted = quote(&"a".repeat(10_000));
        assert!(quoted.len() < 80);
    }
}
