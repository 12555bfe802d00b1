//! Owns all emulated state and its durability.
//!
//! Every project is a set of named collections of JSON objects keyed by id, kept in insertion
//! order (load-all answers in creation order) and indexed so that a lookup by key or by unique
//! name costs the same with 10 or 100,000 entries. Handlers mutate a project through a [`Tx`],
//! which records each entity write; the server appends those records to the journal
//! (`FILE.journal`, one JSON line per write) before replying, so acknowledging a change costs
//! O(change), not O(state). The journal is folded into `FILE` (temp file + rename) at start, at
//! graceful shutdown, and while running once it outgrows a multiple of the state. A running
//! compaction holds the store only to take a snapshot of each entity's stored JSON text (shared,
//! not copied) and to swap journals: the old journal becomes `FILE.journal.prev` and is deleted
//! once a background thread has written the snapshot. Replaying `prev` over a state that already
//! holds it is harmless (each line sets or clears one entity), so a crash at any point loses
//! nothing. A torn last line, as left by a kill mid-write, is ignored on replay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Map, Value, json};

use crate::EmulatorError;

/// Derives the unique name of an entity (e.g. a tenant's name) for the collections that have one.
pub(crate) type UniqueKey = fn(&Value) -> Option<String>;

/// A secondary index of a collection: the values an entity is found by (e.g. the tenants a user
/// belongs to), so that "every X of tenant T" costs O(matches) instead of a walk over X.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexSpec {
    pub name: &'static str,
    pub values_of: fn(&Value) -> Vec<String>,
}

/// One secondary index: value → creation sequences of the entities that have it (so matches come
/// back in creation order).
#[derive(Debug)]
struct Index {
    spec: IndexSpec,
    members: HashMap<String, BTreeSet<u64>>,
}

impl Index {
    fn add(&mut self, sequence: u64, value: &Value) {
        for v in (self.spec.values_of)(value) {
            self.members.entry(v).or_default().insert(sequence);
        }
    }

    fn remove(&mut self, sequence: u64, value: &Value) {
        for v in (self.spec.values_of)(value) {
            if let Some(set) = self.members.get_mut(&v) {
                set.remove(&sequence);
                if set.is_empty() {
                    self.members.remove(&v);
                }
            }
        }
    }
}

/// One stored entity and its JSON text, serialised once when written so that a load-all answer
/// is a concatenation, a journal line a copy, and a compaction snapshot a reference count.
#[derive(Debug)]
struct Entry {
    key: String,
    value: Value,
    json: Arc<str>,
}

impl Entry {
    fn new(key: &str, value: Value) -> Entry {
        let json: Arc<str> = serde_json::to_string(&value)
            .unwrap_or_else(|_| "null".to_owned())
            .into();
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
    indexes: Vec<Index>,
}

impl Collection {
    fn new(unique_key: Option<UniqueKey>, indexes: &[IndexSpec]) -> Self {
        Collection {
            unique_key,
            indexes: indexes
                .iter()
                .map(|&spec| Index {
                    spec,
                    members: HashMap::new(),
                })
                .collect(),
            ..Collection::default()
        }
    }

    /// The entities whose index `index` holds `value`, in creation order. An index the collection
    /// does not declare is a programming error.
    pub fn find<'a>(
        &'a self,
        index: &str,
        value: &str,
    ) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
        let found = self.indexes.iter().find(|i| i.spec.name == index);
        debug_assert!(found.is_some(), "no index {index} on this collection");
        found
            .and_then(|i| i.members.get(value))
            .into_iter()
            .flatten()
            .filter_map(|sequence| self.ordered.get(sequence))
            .map(|e| (&e.key, &e.value))
    }

    /// Each entity's key, value and stored JSON text, in creation order.
    pub fn entries_with_text(&self) -> impl Iterator<Item = (&String, &Value, &str)> {
        self.ordered.values().map(|e| (&e.key, &e.value, &*e.json))
    }

    fn text(&self, key: &str) -> Option<&Arc<str>> {
        let sequence = self.sequence_of.get(key)?;
        self.ordered.get(sequence).map(|e| &e.json)
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

    /// Stores `value` under `key` and returns the value it replaced.
    fn insert(&mut self, key: &str, value: Value) -> Option<Value> {
        if let Some(name) = self.unique_key.and_then(|f| f(&value)) {
            self.by_unique.insert(name, key.to_owned());
        }
        match self.sequence_of.get(key).copied() {
            Some(sequence) => {
                for index in &mut self.indexes {
                    index.add(sequence, &value);
                }
                let slot = self.ordered.get_mut(&sequence)?;
                let previous = std::mem::replace(slot, Entry::new(key, value));
                self.unindex_replaced(key, sequence, &previous.value);
                Some(previous.value)
            }
            None => {
                let sequence = self.next_sequence;
                self.next_sequence += 1;
                self.sequence_of.insert(key.to_owned(), sequence);
                for index in &mut self.indexes {
                    index.add(sequence, &value);
                }
                self.ordered.insert(sequence, Entry::new(key, value));
                None
            }
        }
    }

    /// Drops the previous value's unique name and index values unless the new value kept them.
    fn unindex_replaced(&mut self, key: &str, sequence: u64, previous: &Value) {
        let Some(current) = self.ordered.get(&sequence).map(|e| &e.value) else {
            return;
        };
        for index in &mut self.indexes {
            let kept = (index.spec.values_of)(current);
            for v in (index.spec.values_of)(previous) {
                if !kept.contains(&v)
                    && let Some(set) = index.members.get_mut(&v)
                {
                    set.remove(&sequence);
                    if set.is_empty() {
                        index.members.remove(&v);
                    }
                }
            }
        }
        let Some(f) = self.unique_key else { return };
        let Some(old) = f(previous) else { return };
        let kept = f(current).is_some_and(|name| name == old);
        if !kept && self.by_unique.get(&old).is_some_and(|k| k == key) {
            self.by_unique.remove(&old);
        }
    }

    /// Removes `key` and returns the value it had.
    fn remove(&mut self, key: &str) -> Option<Value> {
        let sequence = self.sequence_of.remove(key)?;
        let entry = self.ordered.remove(&sequence)?;
        self.unindex(key, &entry.value);
        for index in &mut self.indexes {
            index.remove(sequence, &entry.value);
        }
        Some(entry.value)
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

    /// Sets (or with `None` removes) one entity and returns the value it had.
    fn apply(&mut self, collection: &str, key: &str, value: Option<Value>) -> Option<Value> {
        match value {
            Some(v) => self
                .collections
                .entry(collection.to_owned())
                .or_insert_with(|| {
                    Collection::new(
                        crate::api::unique_key(collection),
                        crate::api::indexes(collection),
                    )
                })
                .insert(key, v),
            None => self.collections.get_mut(collection)?.remove(key),
        }
    }

    fn from_value(value: &Value) -> Project {
        let mut project = Project::default();
        if let Some(cols) = value.as_object() {
            for (name, entries) in cols {
                if let Some(entries) = entries.as_object() {
                    for (key, entity) in entries {
                        let _ = project.apply(name, key, Some(entity.clone()));
                    }
                }
            }
        }
        project
    }
}

/// One write inside a project. The journal records the entity as it is once the call is done,
/// from its stored JSON text, so a written value is serialised once.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub collection: &'static str,
    pub key: String,
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
            let _ = self.project.apply(change.collection, &change.key, previous);
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

    /// Copies of the entities whose index `index` (see [`crate::api::indexes`]) holds `value`,
    /// in creation order: the cost is the number of matches, not the size of the collection.
    pub fn find(&self, collection: &str, index: &str, value: &str) -> Vec<(String, Value)> {
        self.project
            .collection(collection)
            .map(|c| {
                c.find(index, value)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The keys of the entities whose index `index` holds `value`, in creation order.
    pub fn find_keys(&self, collection: &str, index: &str, value: &str) -> Vec<String> {
        self.project
            .collection(collection)
            .map(|c| c.find(index, value).map(|(k, _)| k.clone()).collect())
            .unwrap_or_default()
    }

    pub fn put(&mut self, collection: &'static str, key: &str, value: Value) {
        let previous = self.project.apply(collection, key, Some(value));
        self.undo.push(previous);
        self.changes.push(Change {
            collection,
            key: key.to_owned(),
        });
    }

    pub fn delete(&mut self, collection: &'static str, key: &str) {
        if let Some(previous) = self.project.apply(collection, key, None) {
            self.undo.push(Some(previous));
            self.changes.push(Change {
                collection,
                key: key.to_owned(),
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
    /// The compaction writing a snapshot in the background, if one is under way; it answers the
    /// size of the state file it wrote.
    compacting: Option<JoinHandle<Result<u64, EmulatorError>>>,
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
            compacting: None,
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // The lock on FILE must outlive a background write to it.
        self.finish_compaction();
    }
}

/// Every entity's JSON text as of one moment, shared with the store rather than copied:
/// project → collection → (key, text) in creation order.
type Snapshot = Vec<(String, Vec<(String, Vec<(String, Arc<str>)>)>)>;

fn sibling(state_file: &Path, suffix: &str) -> PathBuf {
    let mut name = state_file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn journal_path(state_file: &Path) -> PathBuf {
    sibling(state_file, ".journal")
}

/// The journal of the writes a running compaction is folding in; gone once it is done.
fn previous_journal_path(state_file: &Path) -> PathBuf {
    sibling(state_file, ".journal.prev")
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

/// Writes `snapshot` as the state file `path` (temp file, fsync, rename) and returns its size.
fn write_snapshot(path: &Path, snapshot: &Snapshot) -> Result<u64, EmulatorError> {
    let tmp = sibling(path, ".tmp");
    let file = File::create(&tmp).map_err(|e| EmulatorError::state(&tmp, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    write_state_document(&mut out, snapshot).map_err(|e| EmulatorError::state(&tmp, e))?;
    let file = out
        .into_inner()
        .map_err(|e| EmulatorError::state(&tmp, e.into_error()))?;
    file.sync_all().map_err(|e| EmulatorError::state(&tmp, e))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    fs::rename(&tmp, path).map_err(|e| EmulatorError::state(path, e))?;
    Ok(bytes)
}

/// `{"format": …, "version": 1, "projects": {project: {collection: {key: entity}}}}`, the
/// entities copied from their stored text.
fn write_state_document(out: &mut impl Write, snapshot: &Snapshot) -> std::io::Result<()> {
    write!(
        out,
        "{{\"format\":\"{STATE_FORMAT}\",\"version\":1,\"projects\":{{"
    )?;
    for (p, (project, collections)) in snapshot.iter().enumerate() {
        if p > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, project)?;
        out.write_all(b":{")?;
        for (c, (collection, entries)) in collections.iter().enumerate() {
            if c > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, collection)?;
            out.write_all(b":{")?;
            for (e, (key, text)) in entries.iter().enumerate() {
                if e > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, key)?;
                out.write_all(b":")?;
                out.write_all(text.as_bytes())?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"}}")
}

/// Replays every complete line of the journal at `path`, if there is one.
fn replay_journal(store: &mut Store, path: &Path) -> Result<(), EmulatorError> {
    if !path.exists() {
        return Ok(());
    }
    let file = File::open(path).map_err(|e| EmulatorError::state(path, e))?;
    for line in BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        // A line that does not parse can only be the torn tail of a crash: every earlier
        // line was fully written before the next one started.
        let Ok(entry) = serde_json::from_str::<Value>(&line) else {
            break;
        };
        store.replay(&entry);
    }
    Ok(())
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
        let previous = previous_journal_path(&path);
        check_journal(&jpath)?;
        check_journal(&previous)?;
        store.lock = Some(lock_state(&path)?);
        check_journal(&jpath)?;
        check_journal(&previous)?;
        if let Some(doc) = read_state_file(&path)?
            && let Some(projects) = doc.get("projects").and_then(Value::as_object)
        {
            for (id, p) in projects {
                store.projects.insert(id.clone(), Project::from_value(p));
            }
        }
        // A compaction cut short leaves the writes it was folding in `prev`, all older than
        // those in the journal.
        replay_journal(&mut store, &previous)?;
        replay_journal(&mut store, &jpath)?;
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

    /// Every entity's stored text, shared: O(entities) reference counts, no serialisation.
    fn snapshot(&self) -> Snapshot {
        self.projects
            .iter()
            .map(|(id, project)| {
                let collections = project
                    .collections
                    .iter()
                    .map(|(name, c)| {
                        let entries = c
                            .ordered
                            .values()
                            .map(|e| (e.key.clone(), Arc::clone(&e.json)))
                            .collect();
                        (name.clone(), entries)
                    })
                    .collect();
                (id.clone(), collections)
            })
            .collect()
    }

    /// Waits for a background compaction, if any, and records what it wrote.
    pub fn finish_compaction(&mut self) {
        let Some(handle) = self.compacting.take() else {
            return;
        };
        match handle.join() {
            Ok(Ok(bytes)) => self.state_bytes = bytes,
            Ok(Err(e)) => tracing::warn!(error = %e, "journal compaction failed"),
            Err(_) => tracing::warn!("journal compaction panicked"),
        }
    }

    /// Appends from now on to a fresh, empty journal at `jpath`.
    fn start_journal(&mut self, jpath: &Path) -> Result<(), EmulatorError> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(jpath)
            .map_err(|e| EmulatorError::state(jpath, e))?;
        self.journal = Some(Journal { file, written: 0 });
        Ok(())
    }

    /// Writes the whole state to `FILE` atomically and starts an empty journal, before returning.
    pub fn compact(&mut self) -> Result<(), EmulatorError> {
        self.finish_compaction();
        let Some(path) = self.state_file.clone() else {
            return Ok(());
        };
        self.state_bytes = write_snapshot(&path, &self.snapshot())?;
        let jpath = journal_path(&path);
        self.start_journal(&jpath)?;
        let previous = previous_journal_path(&path);
        if previous.exists() {
            fs::remove_file(&previous).map_err(|e| EmulatorError::state(&previous, e))?;
        }
        Ok(())
    }

    /// Starts folding the journal into `FILE` on another thread: here only the snapshot is taken
    /// and the journal set aside as `prev`, so the store is held for O(entities) pointer copies
    /// rather than the serialisation and write of the whole state.
    fn compact_in_background(&mut self) -> Result<(), EmulatorError> {
        if let Some(handle) = &self.compacting {
            if !handle.is_finished() {
                return Ok(());
            }
            self.finish_compaction();
        }
        let Some(path) = self.state_file.clone() else {
            return Ok(());
        };
        let jpath = journal_path(&path);
        let previous = previous_journal_path(&path);
        fs::rename(&jpath, &previous).map_err(|e| EmulatorError::state(&jpath, e))?;
        self.start_journal(&jpath)?;
        let snapshot = self.snapshot();
        self.compacting = Some(std::thread::spawn(move || {
            let bytes = write_snapshot(&path, &snapshot)?;
            fs::remove_file(&previous).map_err(|e| EmulatorError::state(&previous, e))?;
            Ok(bytes)
        }));
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
        let project = self.projects.get(project_id);
        let mut buf = Vec::with_capacity(256 * changes.len());
        for change in changes {
            let text = project
                .and_then(|p| p.collection(change.collection))
                .and_then(|c| c.text(&change.key));
            buf.extend_from_slice(JOURNAL_LINE_START);
            serde_json::to_writer(&mut buf, project_id)?;
            buf.extend_from_slice(b",\"c\":");
            serde_json::to_writer(&mut buf, change.collection)?;
            buf.extend_from_slice(b",\"k\":");
            serde_json::to_writer(&mut buf, &change.key)?;
            buf.extend_from_slice(b",\"v\":");
            buf.extend_from_slice(text.map_or("null", |t| &**t).as_bytes());
            buf.extend_from_slice(b"}\n");
        }
        journal.file.write_all(&buf)?;
        journal.written += buf.len() as u64;
        if journal.written > (COMPACT_FACTOR * self.state_bytes).max(self.compact_floor) {
            // The change is already durable in the journal; a failed compaction only means the
            // journal keeps growing until the next attempt.
            if let Err(e) = self.compact_in_background() {
                tracing::warn!(error = %e, "journal compaction failed");
            }
        }
        Ok(())
    }

    /// Stops all writing and lets go of the files at once, without compacting: what a crash
    /// leaves behind.
    pub fn abandon(&mut self) {
        // A background write still holds the files this store gives up.
        self.finish_compaction();
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
            }];
            let _ = store.projects.entry("P".into()).or_default().apply(
                "c",
                "k",
                Some(json!({"round": round, "pad": big})),
            );
            store.persist("P", &changes).expect("persist");
            // As if each background compaction were done before the next write: which writes
            // overlap a slow one is up to the scheduler.
            store.finish_compaction();
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

    fn temp_state(name: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "descope-emulator-{name}-{}-{}",
            std::process::id(),
            crate::wire::new_id("")
        ));
        fs::create_dir_all(&dir).expect("dir");
        let state = dir.join("state.json");
        (dir, state)
    }

    #[test]
    fn indexes_find_entities_in_creation_order_through_replacements_deletes_and_rollbacks() {
        use crate::api::{BY_PARENT, BY_SSO_DOMAIN, BY_TENANT, ROLES, TENANTS, USERS};
        let mut project = Project::default();
        {
            let mut tx = Tx::new(&mut project);
            tx.put(TENANTS, "root", json!({"id": "root", "name": "Root"}));
            tx.put(
                TENANTS,
                "b",
                json!({"id": "b", "name": "B", "parent": "root"}),
            );
            tx.put(
                TENANTS,
                "a",
                json!({"id": "a", "name": "A", "parent": "root", "domains": ["A.com"]}),
            );
            tx.put(ROLES, "r1", json!({"name": "r", "tenantId": "a"}));
            tx.put(ROLES, "r2", json!({"name": "r", "tenantId": ""}));
            tx.put(
                USERS,
                "u1",
                json!({"userTenants": [{"tenantId": "a"}, {"tenantId": "b"}]}),
            );
        }
        let mut tx = Tx::new(&mut project);
        assert_eq!(tx.find_keys(TENANTS, BY_PARENT, "root"), ["b", "a"]);
        assert_eq!(tx.find_keys(TENANTS, BY_SSO_DOMAIN, "a.com"), ["a"]);
        assert_eq!(tx.find_keys(ROLES, BY_TENANT, "a"), ["r1"]);
        assert_eq!(tx.find_keys(ROLES, BY_TENANT, ""), Vec::<String>::new());
        assert_eq!(tx.find_keys(USERS, BY_TENANT, "b"), ["u1"]);

        tx.put(
            TENANTS,
            "a",
            json!({"id": "a", "name": "A", "parent": "root", "domains": ["a.org"]}),
        );
        tx.put(USERS, "u1", json!({"userTenants": [{"tenantId": "a"}]}));
        tx.delete(TENANTS, "b");
        assert_eq!(tx.find_keys(TENANTS, BY_PARENT, "root"), ["a"]);
        assert_eq!(
            tx.find_keys(TENANTS, BY_SSO_DOMAIN, "a.com"),
            Vec::<String>::new()
        );
        assert_eq!(tx.find_keys(TENANTS, BY_SSO_DOMAIN, "a.org"), ["a"]);
        assert_eq!(tx.find_keys(USERS, BY_TENANT, "b"), Vec::<String>::new());
        assert_eq!(tx.find(USERS, BY_TENANT, "a")[0].0, "u1");

        tx.rollback();
        assert_eq!(tx.find_keys(TENANTS, BY_PARENT, "root").len(), 2);
        assert_eq!(tx.find_keys(TENANTS, BY_SSO_DOMAIN, "a.com"), ["a"]);
        assert_eq!(
            tx.find_keys(TENANTS, BY_SSO_DOMAIN, "a.org"),
            Vec::<String>::new()
        );
        assert_eq!(tx.find_keys(USERS, BY_TENANT, "b"), ["u1"]);
    }

    #[test]
    fn the_journal_holds_each_changed_entity_as_it_ends_the_call() {
        let (dir, state) = temp_state("journal-text");
        let mut store = Store::open(Some(state.clone())).expect("open");
        let project = store.projects.entry("P".into()).or_default();
        let mut tx = Tx::new(project);
        tx.put("c", "a", json!({"n": 1}));
        tx.put("c", "a", json!({"n": 2, "s": "quote \" and \\ slash"}));
        tx.put("c", "gone", json!({"n": 3}));
        tx.delete("c", "gone");
        let changes = std::mem::take(&mut tx.changes);
        store.persist("P", &changes).expect("persist");
        let journal = fs::read_to_string(journal_path(&state)).expect("journal");
        let lines: Vec<Value> = journal
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            json!({"p": "P", "c": "c", "k": "a", "v": {"n": 2, "s": "quote \" and \\ slash"}})
        );
        assert_eq!(
            lines[3],
            json!({"p": "P", "c": "c", "k": "gone", "v": null})
        );
        store.abandon();
        drop(store);
        let replayed = Store::open(Some(state)).expect("reopen");
        let c = replayed.projects["P"].collection("c").expect("c");
        assert_eq!(
            c.get("a"),
            Some(&json!({"n": 2, "s": "quote \" and \\ slash"}))
        );
        assert_eq!(c.get("gone"), None);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_compaction_cut_short_by_a_crash_loses_no_write() {
        let (dir, state) = temp_state("compact-crash");
        let line = |k: &str, v: Value| format!("{}\n", json!({"p": "P", "c": "c", "k": k, "v": v}));
        // The crash came after the snapshot was renamed into place but before `prev` was removed:
        // the state already holds prev's writes, and the journal holds later ones.
        fs::write(
            &state,
            serde_json::to_vec(&json!({"format": STATE_FORMAT, "version": 1,
                "projects": {"P": {"c": {"a": 2, "b": 1}}}}))
            .expect("json"),
        )
        .expect("state");
        fs::write(
            previous_journal_path(&state),
            line("a", json!(1)) + &line("b", json!(1)) + &line("a", json!(2)),
        )
        .expect("prev");
        fs::write(
            journal_path(&state),
            line("a", json!(3)) + &line("b", Value::Null),
        )
        .expect("journal");
        let store = Store::open(Some(state.clone())).expect("open");
        let c = store.projects["P"].collection("c").expect("c");
        assert_eq!(c.get("a"), Some(&json!(3)));
        assert_eq!(c.get("b"), None);
        assert!(
            !previous_journal_path(&state).exists(),
            "open folds prev in"
        );
        drop(store);

        // The crash came before the snapshot was written: the state is older than prev.
        fs::write(
            &state,
            serde_json::to_vec(&json!({"format": STATE_FORMAT, "version": 1, "projects": {}}))
                .expect("json"),
        )
        .expect("state");
        fs::write(previous_journal_path(&state), line("a", json!(1))).expect("prev");
        fs::write(journal_path(&state), line("b", json!(2))).expect("journal");
        let store = Store::open(Some(state)).expect("open");
        let c = store.projects["P"].collection("c").expect("c");
        assert_eq!((c.get("a"), c.get("b")), (Some(&json!(1)), Some(&json!(2))));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_running_compaction_writes_in_the_background_while_writes_go_on() {
        let (dir, state) = temp_state("compact-background");
        let mut store = Store::open(Some(state.clone())).expect("open");
        store.compact_floor = 0;
        // The first write outgrows the state; the second is too small to start another.
        let change = |store: &mut Store, key: &str, pad: usize| {
            let _ = store.projects.entry("P".into()).or_default().apply(
                "c",
                key,
                Some(json!({"key": key, "pad": "x".repeat(pad)})),
            );
            let changes = [Change {
                collection: "c",
                key: key.into(),
            }];
            store.persist("P", &changes).expect("persist");
        };
        change(&mut store, "first", 1_000);
        assert!(
            store.compacting.is_some(),
            "a journal past the state starts a compaction"
        );
        change(&mut store, "second", 0);
        store.finish_compaction();
        assert!(!previous_journal_path(&state).exists());
        let saved: Value = serde_json::from_slice(&fs::read(&state).expect("state")).expect("json");
        assert_eq!(saved["projects"]["P"]["c"]["first"]["key"], json!("first"));
        let journal = fs::read_to_string(journal_path(&state)).expect("journal");
        assert!(
            journal.contains("\"second\""),
            "the write after the snapshot is in the new journal"
        );
        store.abandon();
        drop(store);
        let reopened = Store::open(Some(state)).expect("reopen");
        let c = reopened.projects["P"].collection("c").expect("c");
        assert_eq!(
            c.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["first", "second"]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
