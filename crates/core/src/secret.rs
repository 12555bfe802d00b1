//! Secrets (management keys): a type whose `Debug` and `Display` print `***`, so a key can sit in
//! any struct that is logged, printed or serialised into a report without leaking.

use std::fmt;

/// A management key. The only way to read it is [`ManagementKey::expose`], which the HTTP client
/// calls to build the `Authorization` header and nothing else should.
#[derive(Clone, PartialEq, Eq)]
pub struct ManagementKey(String);

impl ManagementKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first three characters and an ellipsis (`K2ab…`), enough to tell keys apart in
    /// `env list` without revealing them. Keys shorter than 8 characters are fully masked.
    pub fn masked(&self) -> String {
        if self.0.chars().count() < 8 {
            return "***".to_owned();
        }
        let prefix: String = self.0.chars().take(4).collect();
        format!("{prefix}…")
    }
}

impl fmt::Debug for ManagementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for ManagementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_key() {
        let key = ManagementKey::new("K2canarySECRETvalue");
        assert_eq!(format!("{key:?}"), "***");
        assert_eq!(format!("{key}"), "***");
        assert!(!format!("{:?}", Some(&key)).contains("canary"));
    }

    #[test]
    fn masked_shows_only_a_prefix() {
        assert_eq!(ManagementKey::new("K2abcdefghijk").masked(), "K2ab…");
        assert_eq!(ManagementKey::new("K2short").masked(), "***");
    }
}
