//! Which URL an environment's API calls go to: the one resolution that both the client and
//! `env list` use, so what is shown is what is called.

/// Descope's API when nothing else applies.
pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";

/// Base URL precedence of design §5: explicit, `DESCOPE_BASE_URL` (Go SDK, CLI, Terraform),
/// `DESCOPE_BASE_URI` (Python SDK), region from a ≥ 32-char project id, default. Empty values
/// count as unset; a trailing `/` is dropped so paths can be appended. `env` reads variables
/// (injectable so tests never depend on the process environment).
pub fn resolve_base_url(
    explicit: Option<&str>,
    project_id: &str,
    env: impl Fn(&str) -> Option<String>,
) -> String {
    let set = |url: &String| !url.trim().is_empty();
    let chosen = explicit
        .map(str::to_owned)
        .filter(set)
        .or_else(|| env("DESCOPE_BASE_URL").filter(set))
        .or_else(|| env("DESCOPE_BASE_URI").filter(set))
        .or_else(|| region_base_url(project_id))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    chosen.trim().trim_end_matches('/').to_owned()
}

/// Ids of 32 characters or more carry a region code in characters 1..5 (after the `P`).
fn region_base_url(project_id: &str) -> Option<String> {
    if project_id.chars().count() < 32 {
        return None;
    }
    let region: String = project_id.chars().skip(1).take(4).collect();
    Some(format!("https://api.{region}.descope.com"))
}

/// The process environment, for production use of [`resolve_base_url`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const SHORT_ID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
    const REGION_ID: &str = "Puse12aAc4T2V93bddihGEx2Ryhc8e5Z";

    #[test]
    fn explicit_base_url_wins_over_everything() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", "http://from-url"),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(
            resolve_base_url(Some("http://127.0.0.1:4480/"), REGION_ID, env),
            "http://127.0.0.1:4480"
        );
    }

    #[test]
    fn descope_base_url_comes_before_descope_base_uri() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", "http://from-url"),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(resolve_base_url(None, REGION_ID, env), "http://from-url");
    }

    #[test]
    fn descope_base_uri_is_used_when_base_url_is_unset_or_empty() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", ""),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(resolve_base_url(None, SHORT_ID, env), "http://from-uri");
    }

    #[test]
    fn long_project_id_selects_its_region() {
        assert_eq!(
            resolve_base_url(None, REGION_ID, env_of(&[])),
            "https://api.use1.descope.com"
        );
    }

    #[test]
    fn short_project_id_uses_the_default() {
        assert_eq!(
            resolve_base_url(None, SHORT_ID, env_of(&[])),
            DEFAULT_BASE_URL
        );
        assert_eq!(
            resolve_base_url(Some(""), "P2local", env_of(&[])),
            DEFAULT_BASE_URL
        );
    }
}
