//! The local cache of flow documents last read from an environment, under
//! `<state dir>/cache/<env>/flows/<flow id>.json`, each stored with the revision (etag, else
//! modified time, else version) the flow list gave for it. A flow whose listed revision matches
//! its cached one is not exported again, so a repeated plan of unchanged flows costs one list
//! call. Only flow documents are cached: they hold no management key or client secret (a flow
//! names connectors by id; their secrets stay in the connectors).
//!
//! The cache is written only into a state directory that exists already (the first `apply` or
//! `sync` makes it): `plan`, `drift` and the `diff` commands promise to leave no state directory
//! behind in a checkout, and a cache is not worth breaking that promise.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::safety::StateFileError;
use crate::safety::files::{check_env_name, private_dir};

#[derive(Debug, Clone)]
pub struct FlowCache {
    state_dir: PathBuf,
    dir: PathBuf,
}

impl FlowCache {
    /// The cache of environment `env` inside the tool's state directory.
    pub fn new(state_dir: &Path, env: &str) -> Result<Self, StateFileError> {
        check_env_name(env)?;
        Ok(Self {
            state_dir: state_dir.to_path_buf(),
            dir: state_dir.join("cache").join(env).join("flows"),
        })
    }

    /// Flow ids may hold any character; anything outside `[A-Za-z0-9_-]` is hex-escaped so an id
    /// can never leave the cache directory.
    fn path(&self, flow_id: &str) -> PathBuf {
        let mut name = String::with_capacity(flow_id.len() + 5);
        for byte in flow_id.bytes() {
            if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
                name.push(char::from(byte));
            } else {
                name.push_str(&format!("%{byte:02X}"));
            }
        }
        name.push_str(".json");
        self.dir.join(name)
    }

    /// The cached document of `flow_id` if it was read at `revision`.
    pub fn get(&self, flow_id: &str, revision: &str) -> Option<Value> {
        let bytes = std::fs::read(self.path(flow_id)).ok()?;
        let mut entry: Value = serde_json::from_slice(&bytes).ok()?;
        (entry.get("revision")?.as_str()? == revision).then(|| entry["document"].take())
    }

    /// Records `document` as `flow_id` at `revision` (written whole, then renamed into place, so a
    /// reader never sees half a file); nothing while the state directory does not exist.
    pub fn put(
        &self,
        flow_id: &str,
        revision: &str,
        document: &Value,
    ) -> Result<(), StateFileError> {
        if !self.state_dir.is_dir() {
            return Ok(());
        }
        private_dir(&self.dir)?;
        let path = self.path(flow_id);
        let temporary = path.with_extension("json.tmp");
        let text = json!({"revision": revision, "document": document}).to_string();
        std::fs::write(&temporary, text).map_err(StateFileError::io("write", &temporary))?;
        std::fs::rename(&temporary, &path).map_err(StateFileError::io("rename", &path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_served_only_at_the_revision_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FlowCache::new(dir.path(), "dev").unwrap();
        assert_eq!(cache.get("sign-in", "e1"), None);
        cache
            .put("sign-in", "e1", &json!({"contents": {}}))
            .unwrap();
        assert_eq!(cache.get("sign-in", "e1"), Some(json!({"contents": {}})));
        assert_eq!(cache.get("sign-in", "e2"), None);
        assert!(dir.path().join("cache/dev/flows/sign-in.json").is_file());
    }

    #[test]
    fn no_state_directory_is_created_for_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let cache = FlowCache::new(&state, "dev").unwrap();
        cache.put("sign-in", "e1", &json!({})).unwrap();
        assert!(!state.exists());
        assert_eq!(cache.get("sign-in", "e1"), None);
        std::fs::create_dir(&state).unwrap();
        cache.put("sign-in", "e1", &json!({})).unwrap();
        assert_eq!(cache.get("sign-in", "e1"), Some(json!({})));
    }

    #[test]
    fn ids_and_environments_cannot_escape_the_cache_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(FlowCache::new(dir.path(), "../x").is_err());
        let cache = FlowCache::new(dir.path(), "dev").unwrap();
        cache.put("../../evil", "1", &json!({})).unwrap();
        assert!(
            dir.path()
                .join("cache/dev/flows/%2E%2E%2F%2E%2E%2Fevil.json")
                .is_file()
        );
    }
}
