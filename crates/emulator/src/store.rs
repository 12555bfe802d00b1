//! Owns all emulated state and its durability.
//!
//! Every project is a set of named collections of JSON objects keyed by id, kept in insertion
//! order (load-all answers in creation order). Handlers mutate a project through a [`Tx`], which
//! records each entity write; the server appends those records to the journal (`FILE.journal`,
//! one JSON line per write) before replying, so acknowledging a change costs O(change), not
//! O(state). The journal is folded into `FILE` (temp file + rename) at start and at graceful
//! shutdown. A torn last line, as left by a kill mid-write, is ignored on replay.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::EmulatorError;

pub(crate) type Collection = Map<String, Value>;

#[derive(Debug, Default, Clone)]
pub(crate) struct Project {
    collections: BTreeMap<String, Collection>,
}

impl Project {
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.get(name)
    }

    fn apply(&mut self, collection: &str, key: &str, value: Option<Value>) {
        match value {
            Some(v) => {
                self.collections
                    .entry(collection.to_owned())
                    .or_default()
                    .insert(key.to_owned(), v);
            }
            None => {
                if let Some(c) = self.collections.get_mut(collection) {
                    c.shift_remove(key);
                }
            }
        }
    }

    fn to_value(&self) -> Value {
        Value::Object(
            self.collections
                .iter()
                .map(|(k, v)| (k.clone(), Value::Object(v.clone())))
                .collect(),
        )
    }

    fn from_value(value: &Value) -> Project {
        let mut project = Project::default();
        if let Some(cols) = value.as_object() {
            for (name, entries) in cols {
                if let Some(entries) = entries.as_object() {
                    project.collections.insert(name.clone(), entries.clone());
                }
            }
        }
        project
    }
}

/// One write inside a project, as journaled.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub collection: &'static str,
    pub key: String,
    pub value: Option<Value>,
}

/// A handler's view of one project: reads go straight to the data, writes are recorded.
#[derive(Debug)]
pub(crate) struct Tx<'a> {
    project: &'a mut Project,
    pub changes: Vec<Change>,
    /// Previous value of each change, parallel to `changes`, so a failed call can be undone.
    undo: Vec<Option<Value>>,
}

impl<'a> Tx<'a> {
    pub fn new(project: &'a mut Project) -> Self {
        Tx {
            project,
            changes: Vec::new(),
            undo: Vec::new(),
        }
    }

    /// Undoes every change, newest first: a call that fails leaves no trace.
    pub fn rollback(&mut self) {
        while let (Some(change), Some(previous)) = (self.changes.pop(), self.undo.pop()) {
            self.project.apply(change.collection, &change.key, previous);
        }
    }

    pub fn get(&self, collection: &str, key: &str) -> Option<&Value> {
        self.project.collection(collection)?.get(key)
    }

    pub fn values(&self, collection: &str) -> impl Iterator<Item = &Value> {
        self.project
            .collection(collection)
            .into_iter()
            .flat_map(|c| c.values())
    }

    pub fn entries(&self, collection: &str) -> Vec<(String, Value)> {
        self.project
            .collection(collection)
            .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    pub fn find(&self, collection: &str, pred: impl Fn(&Value) -> bool) -> Option<(String, Value)> {
        self.project
            .collection(collection)?
            .iter()
            .find(|(_, v)| pred(v))
            .map(|(k, v)| (k.clone(), v.clone()))
    }

    pub fn put(&mut self, collection: &'static str, key: &str, value: Value) {
        self.undo.push(self.get(collection, key).cloned());
        self.project.apply(collection, key, Some(value.clone()));
        self.changes.push(Change {
            collection,
            key: key.to_owned(),
            value: Some(value),
        });
    }

    pub fn delete(&mut self, collection: &'static str, key: &str) {
        if let Some(previous) = self.get(collection, key).cloned() {
            self.undo.push(Some(previous));
            self.project.apply(collection, key, None);
            self.changes.push(Change {
                collection,
                key: key.to_owned(),
                value: None,
            });
        }
    }
}

#[derive(Debug)]
struct Journal {
    file: File,
}

/// All projects plus, when configured, the durable files behind them.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub projects: BTreeMap<String, Project>,
    state_file: Option<PathBuf>,
    journal: Option<Journal>,
}

fn journal_path(state_file: &Path) -> PathBuf {
    let mut name = state_file.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

impl Store {
    /// Loads `state_file` and its journal, compacts them, and opens a fresh journal.
    pub fn open(state_file: Option<PathBuf>) -> Result<Store, EmulatorError> {
        let mut store = Store::default();
        let Some(path) = state_file else {
            return Ok(store);
        };
        if path.exists() {
            let text = fs::read_to_string(&path).map_err(|e| EmulatorError::state(&path, e))?;
            if !text.trim().is_empty() {
                let doc: Value = serde_json::from_str(&text).map_err(|e| {
                    EmulatorError::State(format!("{}: not a state file: {e}", path.display()))
                })?;
                if let Some(projects) = doc.get("projects").and_then(Value::as_object) {
                    for (id, p) in projects {
                        store.projects.insert(id.clone(), Project::from_value(p));
                    }
                }
            }
        }
        let jpath = journal_path(&path);
        if jpath.exists() {
            let file = File::open(&jpath).map_err(|e| EmulatorError::state(&jpath, e))?;
            for line in BufReader::new(file).lines() {
                let Ok(line) = line else { break };
                // A line that does not parse can only be the torn tail of a crash: every earlier
                // line was fully written before the next one started.
                let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                    break;
                };
                store.replay(&entry);
            }
        }
        store.state_file = Some(path);
        store.compact()?;
        Ok(store)
    }

    fn replay(&mut self, entry: &Value) {
        let Some(project_id) = entry.get("p").and_then(Value::as_str) else {
            return;
        };
        if entry.get("drop").and_then(Value::as_bool) == Some(true) {
            self.projects.remove(project_id);
            return;
        }
        let (Some(c), Some(k)) = (
            entry.get("c").and_then(Value::as_str),
            entry.get("k").and_then(Value::as_str),
        ) else {
            return;
        };
        let value = entry.get("v").filter(|v| !v.is_null()).cloned();
        self.projects
            .entry(project_id.to_owned())
            .or_default()
            .apply(c, k, value);
    }

    /// Writes the whole state to `FILE` atomically and starts an empty journal.
    pub fn compact(&mut self) -> Result<(), EmulatorError> {
        let Some(path) = self.state_file.clone() else {
            return Ok(());
        };
        let projects: Map<String, Value> = self
            .projects
            .iter()
            .map(|(id, p)| (id.clone(), p.to_value()))
            .collect();
        let doc = json!({"version": 1, "projects": projects});
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(".tmp");
        let tmp = PathBuf::from(tmp_name);
        {
            let mut f = File::create(&tmp).map_err(|e| EmulatorError::state(&tmp, e))?;
            let bytes = serde_json::to_vec(&doc)
                .map_err(|e| EmulatorError::State(format!("cannot serialise state: {e}")))?;
            f.write_all(&bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| EmulatorError::state(&tmp, e))?;
        }
        fs::rename(&tmp, &path).map_err(|e| EmulatorError::state(&path, e))?;
        let jpath = journal_path(&path);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&jpath)
            .map_err(|e| EmulatorError::state(&jpath, e))?;
        self.journal = Some(Journal { file });
        Ok(())
    }

    /// Appends one project's changes to the journal in a single write, so a crash leaves at most
    /// one torn line. The data reaches the OS before the client sees a reply, which is what
    /// survives `kill -9`.
    pub fn persist(&mut self, project_id: &str, changes: &[Change]) -> std::io::Result<()> {
        let Some(journal) = self.journal.as_mut() else {
            return Ok(());
        };
        if changes.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(256 * changes.len());
        for change in changes {
            let line = json!({"p": project_id, "c": change.collection, "k": change.key, "v": change.value});
            serde_json::to_writer(&mut buf, &line)?;
            buf.push(b'\n');
        }
        journal.file.write_all(&buf)
    }

    /// Forgets a project entirely (used by reset before reseeding).
    pub fn drop_project(&mut self, project_id: &str) -> std::io::Result<()> {
        self.projects.remove(project_id);
        if let Some(journal) = self.journal.as_mut() {
            let mut line = serde_json::to_vec(&json!({"p": project_id, "drop": true}))?;
            line.push(b'\n');
            journal.file.write_all(&line)?;
        }
        Ok(())
    }

    pub fn dump(&self) -> Value {
        let projects: Map<String, Value> = self
            .projects
            .iter()
            .map(|(id, p)| (id.clone(), p.to_value()))
            .collect();
        json!({"projects": projects})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_restores_previous_values_and_forgets_changes() {
        let mut project = Project::default();
        {
            let mut tx = Tx::new(&mut project);
            tx.put("c", "a", json!(1));
        }
        let mut tx = Tx::new(&mut project);
        tx.put("c", "a", json!(2));
        tx.put("c", "b", json!(3));
        tx.delete("c", "a");
        tx.rollback();
        assert!(tx.changes.is_empty());
        assert_eq!(tx.get("c", "a"), Some(&json!(1)));
        assert_eq!(tx.get("c", "b"), None);
    }

    #[test]
    fn replay_applies_puts_deletes_and_drops_and_skips_garbage() {
        let mut store = Store::default();
        for line in [
            json!({"p": "P", "c": "t", "k": "1", "v": {"id": "1"}}),
            json!({"p": "P", "c": "t", "k": "2", "v": {"id": "2"}}),
            json!({"p": "P", "c": "t", "k": "1", "v": null}),
            json!({"p": "Q", "c": "t", "k": "x", "v": {}}),
            json!({"p": "Q", "drop": true}),
            json!({"nonsense": true}),
        ] {
            store.replay(&line);
        }
        let p = store.projects.get("P").expect("P");
        let keys: Vec<&String> = p.collection("t").expect("t").keys().collect();
        assert_eq!(keys, ["2"]);
        assert!(!store.projects.contains_key("Q"));
    }
}
