//! Owns all emulated state and its durability.
//!
//! Every project is a set of named collections of JSON objects keyed by id, kept in insertion
//! order (load-all answers in creation order) and indexed so that a lookup by key or by unique
//! name costs the same with 10 or 100,000 entries. Handlers mutate a project through a [`Tx`],
//! which records each entity write; the server appends those records to the journal
//! (`FILE.journal`, one JSON line per write) before replying, so acknowledging a change costs
//! O(change), not O(state). The journal is folded into `FILE` (temp file + rename) at start, at
//! graceful shutdown, and while running once it outgrows a multiple of the state. A torn last
//! line, as left by a kill mid-write, is ignored on replay.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value, json};

use crate::EmulatorError;

/// Derives the unique name of an entity (e.g. a tenant's name) for the collections that have one.
pub(crate) type UniqueKey = fn(&Value) -> Option<String>;

/// One stored entity and its JSON text, serialised once when written so that a load-all answer
/// is a concatenation rather than a serialisation of the whole collection.
#[derive(Debug)]
struct Entry {
    key: String,
    value: Value,
    json: Box<str>,
}

impl Entry {
    fn new(key: &str, value: Value) -> Entry {
        let json = serde_json::to_string(&value)
            .unwrap_or_else(|_| "null".to_owned())
            .into_boxed_str();
        Entry {
            key: key.to_owned(),
            value,
            json,
        }
    }
}

/// One collection: entities in creation order, found by key or by unique name in O(1)/O(log n).
#[derive(Debug, Default)]
pub(crate) struct Collection {
    /// Creation sequence → entry. Replacing an entity keeps its place.
    ordered: BTreeMap<u64, Entry>,
    sequence_of: HashMap<String, u64>,
    next_sequence: u64,
    /// Unique name → key, for collections that enforce a unique name.
    by_unique: HashMap<String, String>,
    unique_key: Option<UniqueKey>,
}

impl Collection {
    fn new(unique_key: Option<UniqueKey>) -> Self {
        Collection {
            unique_key,
            ..Collection::default()
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        let sequence = self.sequence_of.get(key)?;
        self.ordered.get(sequence).map(|e| &e.value)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.ordered.values().map(|e| &e.value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.ordered.values().map(|e| (&e.key, &e.value))
    }

    /// Each entity's JSON text, in creation order.
    pub fn json_texts(&self) -> impl Iterator<Item = &str> {
        self.ordered.values().map(|e| &*e.json)
    }

    /// The key of the entity whose unique name is `name`.
    pub fn key_by_unique(&self, name: &str) -> Option<&str> {
        self.by_unique.get(name).map(String::as_str)
    }

    fn unindex(&mut self, key: &str, value: &Value) {
        if let Some(name) = self.unique_key.and_then(|f| f(value))
            && self.by_unique.get(&name).is_some_and(|k| k == key)
        {
            self.by_unique.remove(&name);
        }
    }

    fn insert(&mut self, key: &str, value: Value) {
        if let Some(name) = self.unique_key.and_then(|f| f(&value)) {
            self.by_unique.insert(name, key.to_owned());
        }
        match self.sequence_of.get(key) {
            Some(sequence) => {
                if let Some(slot) = self.ordered.get_mut(sequence) {
                    let previous = std::mem::replace(slot, Entry::new(key, value));
                    self.unindex_replaced(key, &previous.value);
                }
            }
            None => {
                let sequence = self.next_sequence;
                self.next_sequence += 1;
                self.sequence_of.insert(key.to_owned(), sequence);
                self.ordered.insert(sequence, Entry::new(key, value));
            }
        }
    }

    /// Drops the previous value's unique name unless the new value kept it.
    fn unindex_replaced(&mut self, key: &str, previous: &Value) {
        let Some(f) = self.unique_key else { return };
        let Some(old) = f(previous) else { return };
        let kept = self
            .get(key)
            .and_then(f)
            .is_some_and(|current| current == old);
        if !kept && self.by_unique.get(&old).is_some_and(|k| k == key) {
            self.by_unique.remove(&old);
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(sequence) = self.sequence_of.remove(key)
            && let Some(entry) = self.ordered.remove(&sequence)
        {
            self.unindex(key, &entry.value);
        }
    }
}

/// Serialises a collection as `{key: entity, …}` in creation order, without copying it.
impl Serialize for Collection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

#[derive(Debug, Default)]
pub(crate) struct Project {
    collections: BTreeMap<String, Collection>,
}

impl Serialize for Project {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.collections.iter())
    }
}

impl Project {
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.get(name)
    }

    fn apply(&mut self, collection: &str, key: &str, value: Option<Value>) {
        match value {
            Some(v) => self
                .collections
                .entry(collection.to_owned())
                .or_insert_with(|| Collection::new(crate::api::unique_key(collection)))
                .insert(key, v),
            None => {
                if let Some(c) = self.collections.get_mut(collection) {
                    c.remove(key);
                }
            }
        }
    }

    fn from_value(value: &Value) -> Project {
        let mut project = Project::default();
        if let Some(cols) = value.as_object() {
            for (name, entries) in cols {
                if let Some(entries) = entries.as_object() {
                    for (key, entity) in entries {
                        project.apply(name, key, Some(entity.clone()));
                    }
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

    pub fn collection(&self, collection: &str) -> Option<&Collection> {
        self.project.collection(collection)
    }

    pub fn get(&self, collection: &str, key: &str) -> Option<&Value> {
        self.project.collection(collection)?.get(key)
    }

    /// The entity whose unique name (see [`crate::api::unique_key`]) is `name`.
    pub fn get_unique(&self, collection: &str, name: &str) -> Option<(&str, &Value)> {
        let c = self.project.collection(collection)?;
        let key = c.key_by_unique(name)?;
        c.get(key).map(|v| (key, v))
    }

    pub fn values(&self, collection: &str) -> impl Iterator<Item = &Value> {
        self.project
            .collection(collection)
            .into_iter()
            .flat_map(|c| c.values())
    }

    /// Copies of the entries that match, for handlers that change them while walking: only the
    /// matches are copied, never the whole collection.
    pub fn entries_where(
        &self,
        collection: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Vec<(String, Value)> {
        self.project
            .collection(collection)
            .map(|c| {
                c.iter()
                    .filter(|(_, v)| pred(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn entries(&self, collection: &str) -> Vec<(String, Value)> {
        self.entries_where(collection, |_| true)
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
    /// Bytes appended since the last compaction.
    written: u64,
}

/// The journal is folded into the state file once it is this many times larger than the state
/// at the last compaction (so compaction costs O(1) amortised per write) …
const COMPACT_FACTOR: u64 = 4;
/// … but never for a journal smaller than this, so small states are not rewritten constantly.
const COMPACT_FLOOR_BYTES: u64 = 4 * 1024 * 1024;

/// Marks a file as a state file of ours: no other file is ever loaded over or replaced.
pub(crate) const STATE_FORMAT: &str = "descope-emulator-state";

/// Every journal line starts with this (the project id is serialised first).
const JOURNAL_LINE_START: &[u8] = b"{\"p\":";

/// All projects plus, when configured, the durable files behind them.
#[derive(Debug)]
pub(crate) struct Store {
    pub projects: BTreeMap<String, Project>,
    state_file: Option<PathBuf>,
    journal: Option<Journal>,
    /// Held on `FILE.lock` while this store may write `FILE`; released when dropped.
    lock: Option<File>,
    /// Size of the state file written by the last compaction.
    state_bytes: u64,
    compact_floor: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            projects: BTreeMap::new(),
            state_file: None,
            journal: None,
            lock: None,
            state_bytes: 0,
            compact_floor: COMPACT_FLOOR_BYTES,
        }
    }
}

fn sibling(state_file: &Path, suffix: &str) -> PathBuf {
    let mut name = state_file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn journal_path(state_file: &Path) -> PathBuf {
    sibling(state_file, ".journal")
}

fn not_ours(path: &Path, reason: impl Into<String>) -> EmulatorError {
    EmulatorError::NotAStateFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads `path` if it exists and is one of ours: marked with [`STATE_FORMAT`], or exactly the
/// unmarked `{"version": 1, "projects": {…}}` that versions before the marker wrote. `None` for
/// a missing or blank file.
fn read_state_file(path: &Path) -> Result<Option<Value>, EmulatorError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if path.is_dir() => return Err(not_ours(path, format!("it is a directory ({e})"))),
        Err(e) => return Err(EmulatorError::state(path, e)),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| not_ours(path, format!("it is not JSON: {e}")))?;
    let marked = doc.get("format").and_then(Value::as_str) == Some(STATE_FORMAT);
    let legacy = doc.as_object().is_some_and(|o| {
        o.len() == 2
            && o.get("version") == Some(&json!(1))
            && o.get("projects").is_some_and(Value::is_object)
    });
    if !marked && !legacy {
        return Err(not_ours(
            path,
            format!("it has no \"format\": \"{STATE_FORMAT}\" marker"),
        ));
    }
    Ok(Some(doc))
}

/// A journal is ours when empty or when it starts like a journal line (a torn first line
/// included).
fn check_journal(path: &Path) -> Result<(), EmulatorError> {
    use std::io::Read;
    let mut start = [0u8; JOURNAL_LINE_START.len()];
    let read = match File::open(path) {
        Ok(mut f) => f
            .read(&mut start)
            .map_err(|e| EmulatorError::state(path, e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(EmulatorError::state(path, e)),
    };
    if read == 0 || start[..read] == JOURNAL_LINE_START[..read] {
        Ok(())
    } else {
        Err(not_ours(path, "it is not a journal of descope-emulator"))
    }
}

/// Takes `FILE.lock` for the store's life, so two emulators never write one state file.
fn lock_state(path: &Path) -> Result<File, EmulatorError> {
    let lock_path = sibling(path, ".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| EmulatorError::state(&lock_path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(EmulatorError::StateInUse {
            path: path.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(EmulatorError::state(&lock_path, e)),
    }
}

/// The whole state as written to `FILE`, serialised straight from the collections.
struct StateDocument<'a>(&'a BTreeMap<String, Project>);

impl Serialize for StateDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("format", STATE_FORMAT)?;
        map.serialize_entry("version", &1)?;
        map.serialize_entry("projects", self.0)?;
        map.end()
    }
}

impl Store {
    /// Loads `state_file` and its journal, compacts them, and opens a fresh journal.
    pub fn open(state_file: Option<PathBuf>) -> Result<Store, EmulatorError> {
        let mut store = Store::default();
        let Some(path) = state_file else {
            return Ok(store);
        };
        // Checked before anything is written beside the file, and again under the lock (the
        // holder may have compacted in between).
        read_state_file(&path)?;
        let jpath = journal_path(&path);
        check_journal(&jpath)?;
        store.lock = Some(lock_state(&path)?);
        check_journal(&jpath)?;
        if let Some(doc) = read_state_file(&path)?
            && let Some(projects) = doc.get("projects").and_then(Value::as_object)
        {
            for (id, p) in projects {
                store.projects.insert(id.clone(), Project::from_value(p));
            }
        }
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
        let tmp = sibling(&path, ".tmp");
        {
            let file = File::create(&tmp).map_err(|e| EmulatorError::state(&tmp, e))?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            serde_json::to_writer(&mut out, &StateDocument(&self.projects))
                .map_err(|e| EmulatorError::State(format!("cannot serialise state: {e}")))?;
            let file = out
                .into_inner()
                .map_err(|e| EmulatorError::state(&tmp, e.into_error()))?;
            file.sync_all().map_err(|e| EmulatorError::state(&tmp, e))?;
            self.state_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        }
        fs::rename(&tmp, &path).map_err(|e| EmulatorError::state(&path, e))?;
        let jpath = journal_path(&path);
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&jpath)
            .map_err(|e| EmulatorError::state(&jpath, e))?;
        self.journal = Some(Journal { file, written: 0 });
        Ok(())
    }

    /// Appends one project's changes to the journal in a single write, so a crash leaves at most
    /// one torn line. The data reaches the OS before the client sees a reply, which is what
    /// survives `kill -9`. A journal grown past a multiple of the state is folded in.
    pub fn persist(&mut self, project_id: &str, changes: &[Change]) -> std::io::Result<()> {
        let Some(journal) = self.journal.as_mut() else {
            return Ok(());
        };
        if changes.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(256 * changes.len());
        for change in changes {
            let line = JournalLine {
                p: project_id,
                c: change.collection,
                k: &change.key,
                v: change.value.as_ref(),
            };
            serde_json::to_writer(&mut buf, &line)?;
            buf.push(b'\n');
        }
        journal.file.write_all(&buf)?;
        journal.written += buf.len() as u64;
        if journal.written > (COMPACT_FACTOR * self.state_bytes).max(self.compact_floor) {
            // The change is already durable in the journal; a failed compaction only means the
            // journal keeps growing until the next attempt.
            if let Err(e) = self.compact() {
                tracing::warn!(error = %e, "journal compaction failed");
            }
        }
        Ok(())
    }

    /// Stops all writing and lets go of the files at once, without compacting: what a crash
    /// leaves behind.
    pub fn abandon(&mut self) {
        self.journal = None;
        self.state_file = None;
        self.lock = None;
    }

    /// Forgets a project entirely (used by reset before reseeding).
    pub fn drop_project(&mut self, project_id: &str) -> std::io::Result<()> {
        self.projects.remove(project_id);
        if let Some(journal) = self.journal.as_mut() {
            let mut line = serde_json::to_vec(&json!({"p": project_id, "drop": true}))?;
            line.push(b'\n');
            journal.file.write_all(&line)?;
            journal.written += line.len() as u64;
        }
        Ok(())
    }

    pub fn dump(&self) -> Value {
        let projects = serde_json::to_value(&self.projects).unwrap_or_else(|_| Value::Null);
        let mut doc = Map::new();
        doc.insert("projects".into(), projects);
        Value::Object(doc)
    }
}

#[derive(Serialize)]
struct JournalLine<'a> {
    p: &'a str,
    c: &'a str,
    k: &'a str,
    v: Option<&'a Value>,
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
        let keys: Vec<&String> = p
            .collection("t")
            .expect("t")
            .iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["2"]);
        assert!(!store.projects.contains_key("Q"));
    }

    #[test]
    fn unique_names_follow_renames_deletes_and_rollbacks() {
        use crate::api::TENANTS;
        let mut project = Project::default();
        {
            let mut tx = Tx::new(&mut project);
            tx.put(TENANTS, "t1", json!({"id": "t1", "name": "Acme"}));
            tx.put(TENANTS, "t2", json!({"id": "t2", "name": "Beta"}));
        }
        let mut tx = Tx::new(&mut project);
        let key_of = |tx: &Tx, name: &str| tx.get_unique(TENANTS, name).map(|(k, _)| k.to_owned());
        assert_eq!(key_of(&tx, "Acme").as_deref(), Some("t1"));
        tx.put(TENANTS, "t1", json!({"id": "t1", "name": "Acme 2"}));
        assert_eq!(key_of(&tx, "Acme"), None);
        assert_eq!(key_of(&tx, "Acme 2").as_deref(), Some("t1"));
        tx.delete(TENANTS, "t2");
        assert_eq!(key_of(&tx, "Beta"), None);
        tx.rollback();
        assert_eq!(key_of(&tx, "Beta").as_deref(), Some("t2"));
        assert_eq!(key_of(&tx, "Acme").as_deref(), Some("t1"));
        assert_eq!(key_of(&tx, "Acme 2"), None);
    }

    #[test]
    fn replacing_an_entity_keeps_its_place_in_creation_order() {
        let mut project = Project::default();
        let mut tx = Tx::new(&mut project);
        for key in ["z", "a", "m"] {
            tx.put("c", key, json!({"id": key}));
        }
        tx.put("c", "z", json!({"id": "z", "changed": true}));
        tx.delete("c", "a");
        tx.put("c", "a", json!({"id": "a"}));
        let order: Vec<&String> = project
            .collection("c")
            .expect("c")
            .iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(order, ["z", "m", "a"]);
    }

    #[test]
    fn a_journal_past_a_multiple_of_the_state_is_compacted_while_running() {
        let dir = std::env::temp_dir().join(format!(
            "descope-emulator-compact-{}-{}",
            std::process::id(),
            crate::wire::new_id("")
        ));
        fs::create_dir_all(&dir).expect("dir");
        let state = dir.join("state.json");
        let mut store = Store::open(Some(state.clone())).expect("open");
        store.compact_floor = 0;
        let big = "x".repeat(10_000);
        for round in 0..20 {
            let changes = [Change {
                collection: "c",
                key: "k".into(),
                value: Some(json!({"round": round, "pad": big})),
            }];
            store
                .projects
                .entry("P".into())
                .or_default()
                .apply("c", "k", changes[0].value.clone());
            store.persist("P", &changes).expect("persist");
        }
        let journal = fs::metadata(journal_path(&state)).expect("journal").len();
        assert!(
            journal < 5 * 10_100,
            "journal of {journal} bytes was never compacted"
        );
        let saved: Value = serde_json::from_slice(&fs::read(&state).expect("state")).expect("json");
        drop(store);
        let replayed = Store::open(Some(state)).expect("reopen");
        let round = replayed.projects["P"]
            .collection("c")
            .and_then(|c| c.get("k"))
            .map(|v| v["round"].clone());
        assert_eq!(round, Some(json!(19)), "state file: {}", saved["version"]);
        let _ = fs::remove_dir_all(&dir);
    }
}
