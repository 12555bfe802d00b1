//! YAML parsing behind one function, [`load_yaml`]: text in, a small owned tree with a position
//! on every node out. Hostile input is refused early with a clear message (the reader in
//! [`super::load`] bounds the size before): nesting deeper than [`MAX_DEPTH`], alias expansion
//! beyond [`ALIAS_BUDGET`] nodes ("billion laughs"), duplicate keys. saphyr is used because it is
//! maintained and keeps spans (serde_yaml is deprecated and serde_yml unsound, RUSTSEC-2025-0068).
//! A large text ending in a long block list is parsed as two halves on two threads when that is
//! certain to give the same tree ([`halves`]).

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::{Marker, Scalar};
use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

use super::diagnostic::Position;

mod halves;

/// Deeper nesting is refused: real configurations need about six levels.
pub const MAX_DEPTH: usize = 64;
/// The number of nodes alias expansion may produce across a document.
pub const ALIAS_BUDGET: usize = 50_000;

/// A parsed YAML node as the decoder walks it. `source` indexes the list of files the loader
/// read, so a merged tree still knows which file each node came from. Strings borrow from the
/// text where it holds them verbatim (most keys and values): saphyr hands every scalar over in a
/// fresh `String` with room to spare, which at 100,000 tenants was half the loader's memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub position: Position,
    pub source: usize,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// The float and its text as written (so `1.0` stays `1.0`).
    Float(f64, String),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<Entry<'a>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    pub key: Cow<'a, str>,
    pub key_position: Position,
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(..) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|entry| entry.key == key)
                .map(|entry| &entry.value),
            _ => None,
        }
    }

    /// The text of a scalar, as written; `None` for collections.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(value) => Some(value.to_string()),
            Value::Int(value) => Some(value.to_string()),
            Value::Float(_, text) => Some(text.clone()),
            Value::Str(value) => Some(value.to_string()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// Why a text could not be parsed; `position` is where the problem is (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub position: Position,
    pub message: String,
    pub hint: Option<String>,
}

/// Parses one YAML document. `Ok(None)` means the text holds no document (empty or comments).
/// `source` is stored on every node.
///
/// The tree is built straight from saphyr's parser events (not through `MarkedYaml`), which
/// halves the time and memory for large files and lets every limit be enforced while parsing.
pub fn load_yaml(text: &str, source: usize) -> Result<Option<Node<'_>>, YamlError> {
    let two_threads = text.len() >= TWO_THREADS_FROM_BYTES
        && std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1);
    if two_threads
        && let Some(cut) = halves::cut(text)
        && let Some(root) = halves::parse(text, source, &cut)
    {
        return Ok(Some(root));
    }
    load_yaml_whole(text, source)
}

/// Texts from this size on are cut in two halves parsed side by side when the text ends with
/// a long block list (the usual shape of a large portfolio).
const TWO_THREADS_FROM_BYTES: usize = 512 * 1024;

/// [`load_yaml`] on one thread, whatever the text.
fn load_yaml_whole(text: &str, source: usize) -> Result<Option<Node<'_>>, YamlError> {
    let mut builder = TreeBuilder::new(text, source);
    let parsed = Parser::new_from_iter(text.chars()).load(&mut builder, true);
    if let Some(error) = builder.error {
        return Err(error);
    }
    // The scanner has its own recursion limit; either way the answer is "too deep".
    if let Err(error) = parsed {
        if error.info().contains("recursion limit") {
            return Err(too_deep(position_of(error.marker())));
        }
        return Err(YamlError {
            position: position_of(error.marker()),
            message: format!("YAML syntax error: {}", error.info()),
            hint: Some("check indentation, quotes and brackets around this position".to_owned()),
        });
    }
    Ok(builder.root)
}

fn too_deep(position: Position) -> YamlError {
    YamlError {
        position,
        message: format!("nesting is deeper than {MAX_DEPTH} levels"),
        hint: Some("flatten the document; a configuration needs only a few levels".to_owned()),
    }
}

fn position_of(marker: &Marker) -> Position {
    Position::at(marker.line().max(1), marker.col() + 1)
}

/// An open collection while its events arrive.
enum Frame<'a> {
    Seq {
        position: Position,
        anchor: usize,
        items: Vec<Node<'a>>,
    },
    Map {
        position: Position,
        anchor: usize,
        entries: Vec<Entry<'a>>,
        key: Option<(Cow<'a, str>, Position)>,
    },
}

/// Receives parser events and builds [`Node`]s; the first problem stops it (later events are
/// ignored, so a hostile document costs no more than scanning it).
struct TreeBuilder<'a> {
    verbatim: Verbatim<'a>,
    source: usize,
    /// Lines before the text this builder reads (the later half of a split text).
    line_offset: usize,
    /// The most collections ever open at once.
    deepest: usize,
    stack: Vec<Frame<'a>>,
    anchors: HashMap<usize, Node<'a>>,
    alias_budget: usize,
    documents: usize,
    root: Option<Node<'a>>,
    error: Option<YamlError>,
}

impl<'a> TreeBuilder<'a> {
    fn new(text: &'a str, source: usize) -> Self {
        Self {
            verbatim: Verbatim::new(text),
            source,
            line_offset: 0,
            deepest: 0,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: ALIAS_BUDGET,
            documents: 0,
            root: None,
            error: None,
        }
    }

    fn fail(&mut self, position: Position, message: String, hint: Option<&str>) {
        self.error = Some(YamlError {
            position,
            message,
            hint: hint.map(str::to_owned),
        });
    }

    fn handle(&mut self, event: Event<'a>, span: &Span) -> Result<(), YamlError> {
        let mut position = position_of(&span.start);
        if self.line_offset > 0 {
            position = Position::at(
                position.line as usize + self.line_offset,
                position.column as usize,
            );
        }
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlError {
                        position,
                        message: "more than one YAML document in the file".to_owned(),
                        hint: Some(
                            "remove the `---` separator; one file holds one document".to_owned(),
                        ),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let text = self.verbatim.of(text, span);
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    // A mapping key: kept as written.
                    *key = Some((text, position));
                    return Ok(());
                }
                // Plain scalars are resolved with saphyr's core-schema rules.
                let value = {
                    match Scalar::parse_from_cow_and_metadata(text.clone(), style, tag.as_ref()) {
                        Some(Scalar::Null) => Value::Null,
                        Some(Scalar::Boolean(value)) => Value::Bool(value),
                        Some(Scalar::Integer(value)) => Value::Int(value),
                        Some(Scalar::FloatingPoint(value)) => {
                            Value::Float(value.0, text.to_string())
                        }
                        Some(Scalar::String(value)) => Value::Str(value),
                        None => {
                            return Err(YamlError {
                                position,
                                message: "value does not match its tag".to_owned(),
                                hint: Some("remove the tag or fix the value".to_owned()),
                            });
                        }
                    }
                };
                self.finish(
                    Node {
                        position,
                        source: self.source,
                        value,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(position)?;
                self.stack.push(Frame::Seq {
                    position,
                    anchor,
                    items: Vec::new(),
                });
                self.deepest = self.deepest.max(self.stack.len());
            }
            Event::MappingStart(anchor, _) => {
                self.open(position)?;
                self.stack.push(Frame::Map {
                    position,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                self.deepest = self.deepest.max(self.stack.len());
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    // Collections are trimmed to their length: a one-item list would otherwise
                    // keep room for four nodes, 20 MB over a 100,000-tenant file.
                    Some(Frame::Seq {
                        position,
                        anchor,
                        mut items,
                    }) => {
                        items.shrink_to_fit();
                        (self.node(position, Value::Seq(items)), anchor)
                    }
                    Some(Frame::Map {
                        position,
                        anchor,
                        mut entries,
                        ..
                    }) => {
                        entries.shrink_to_fit();
                        check_unique_keys(&entries)?;
                        (self.node(position, Value::Map(entries)), anchor)
                    }
                    None => return Ok(()),
                };
                self.finish(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        position,
                        message: "alias to an unknown anchor".to_owned(),
                        hint: None,
                    });
                };
                let size = count_nodes(target, self.alias_budget);
                if size > self.alias_budget {
                    return Err(YamlError {
                        position,
                        message: format!(
                            "YAML aliases expand to more than {ALIAS_BUDGET} nodes (an alias bomb?)"
                        ),
                        hint: Some(
                            "write the content out instead of relying on anchors and aliases"
                                .to_owned(),
                        ),
                    });
                }
                self.alias_budget -= size;
                let mut copy = target.clone();
                // An alias used as a mapping key.
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    match copy.scalar_text() {
                        Some(text) => *key = Some((Cow::Owned(text), position)),
                        None => return Err(complex_key(position)),
                    }
                    return Ok(());
                }
                copy.position = position;
                self.finish(copy, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn node(&self, position: Position, value: Value<'a>) -> Node<'a> {
        Node {
            position,
            source: self.source,
            value,
        }
    }

    /// Checks depth before a collection opens, and that it is not a mapping key.
    fn open(&mut self, position: Position) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(position));
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(complex_key(position));
        }
        Ok(())
    }

    /// Places a completed node into its parent (or as the root) and records its anchor.
    fn finish(&mut self, node: Node<'a>, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some((key, key_position)) => entries.push(Entry {
                    key,
                    key_position,
                    value: node,
                }),
                None => return Err(complex_key(node.position)),
            },
        }
        Ok(())
    }
}

impl<'input> SpannedEventReceiver<'input> for TreeBuilder<'input> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_some() || self.documents > 1 {
            return;
        }
        if let Err(error) = self.handle(event, &span) {
            self.fail(error.position, error.message, error.hint.as_deref());
        }
    }
}

/// Trades saphyr's scalar strings for slices of the text.
struct Verbatim<'a> {
    text: &'a str,
    offsets: ByteOffsets,
}

impl<'a> Verbatim<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            offsets: ByteOffsets::new(text),
        }
    }

    /// The scalar as a slice of the text when the text holds it verbatim (plain, or quoted
    /// without escapes or line folding); otherwise saphyr's string, trimmed to its length.
    fn of(&mut self, scalar: Cow<'a, str>, span: &Span) -> Cow<'a, str> {
        let Cow::Owned(mut owned) = scalar else {
            return scalar;
        };
        let start = self.offsets.byte(self.text, span.start.index());
        let end = self.offsets.byte(self.text, span.end.index());
        if let (Some(start), Some(end)) = (start, end)
            && let Some(written) = self.text.get(start..end)
        {
            if written == owned {
                return Cow::Borrowed(written);
            }
            let unquoted = written
                .strip_prefix(['"', '\''])
                .and_then(|rest| rest.strip_suffix(['"', '\'']));
            if let Some(unquoted) = unquoted
                && unquoted == owned
            {
                return Cow::Borrowed(unquoted);
            }
        }
        owned.shrink_to_fit();
        Cow::Owned(owned)
    }
}

/// Turns saphyr's character offsets into byte offsets of the text. Scalars arrive in text order,
/// so a cursor that only moves forward makes the whole walk linear; ASCII text (the usual
/// configuration) needs no walk at all.
struct ByteOffsets {
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        Self {
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    /// `None` for an offset behind the cursor (the caller then keeps its own copy).
    fn byte(&mut self, text: &str, char_index: usize) -> Option<usize> {
        if self.ascii {
            return Some(char_index);
        }
        if char_index < self.chars {
            return None;
        }
        let rest = text.get(self.bytes..)?;
        let mut walked = rest.char_indices().map(|(offset, _)| offset);
        let ahead = char_index - self.chars;
        let offset = match walked.nth(ahead) {
            Some(offset) => offset,
            None if rest.chars().count() == ahead => rest.len(),
            None => return None,
        };
        self.chars = char_index;
        self.bytes += offset;
        Some(self.bytes)
    }
}

fn complex_key(position: Position) -> YamlError {
    YamlError {
        position,
        message: "a mapping key must be a plain value".to_owned(),
        hint: None,
    }
}

/// Duplicate keys are an error (YAML requires unique keys; a silent "last wins" hides typos).
fn check_unique_keys(entries: &[Entry<'_>]) -> Result<(), YamlError> {
    let duplicate = if entries.len() <= 16 {
        entries
            .iter()
            .enumerate()
            .find(|(index, entry)| entries[..*index].iter().any(|other| other.key == entry.key))
            .map(|(_, entry)| entry)
    } else {
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        entries
            .iter()
            .find(|entry| !seen.insert(entry.key.as_ref()))
    };
    match duplicate {
        Some(entry) => Err(YamlError {
            position: entry.key_position,
            message: format!("duplicate key {:?}", entry.key),
            hint: Some("each key may appear once in a mapping".to_owned()),
        }),
        None => Ok(()),
    }
}

/// Nodes in a subtree, counting stops just past `limit`.
fn count_nodes(node: &Node<'_>, limit: usize) -> usize {
    let mut count = 1;
    let mut pending: Vec<&Node<'_>> = vec![node];
    while let Some(current) = pending.pop() {
        match &current.value {
            Value::Seq(items) => {
                count += items.len();
                pending.extend(items);
            }
            Value::Map(entries) => {
                count += entries.len();
                pending.extend(entries.iter().map(|entry| &entry.value));
            }
            _ => {}
        }
        if count > limit {
            break;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let root = load_yaml("a:\n  b: [1, x]\n", 0).unwrap().unwrap();
        let b = root.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.position, Position { line: 2, column: 6 });
        let Value::Seq(items) = &b.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Str("x".into()));
        assert_eq!(
            items[1].position,
            Position {
                line: 2,
                column: 10
            }
        );
    }

    #[test]
    fn empty_text_is_no_document() {
        assert_eq!(load_yaml("", 0).unwrap(), None);
        assert_eq!(load_yaml("# only a comment\n", 0).unwrap(), None);
    }

    #[test]
    fn syntax_error_points_at_the_offending_indicator() {
        let error = load_yaml("a: [1, 2\nb: c\n", 0).unwrap_err();
        assert!(error.message.starts_with("YAML syntax error"), "{error:?}");
        assert_eq!(error.position, Position { line: 2, column: 2 }, "{error:?}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = "[".repeat(1_000_000) + &"]".repeat(1_000_000);
        let error = load_yaml(&text, 0).unwrap_err();
        assert!(error.message.contains("deeper than 64"), "{error:?}");
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(load_yaml(&ok, 0).is_ok());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            text.push_str(&format!(
                "a{level}: &a{level} [{}]\n",
                vec![previous; 10].join(", ")
            ));
        }
        let error = load_yaml(&text, 0).unwrap_err();
        assert!(error.message.contains("alias"), "{error:?}");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let error = load_yaml("a: 1\na: 2\n", 0).unwrap_err();
        assert!(error.message.contains("duplicate key"), "{error:?}");
        assert_eq!(error.position, Position { line: 2, column: 1 }, "{error:?}");
    }

    #[test]
    fn several_documents_are_refused() {
        let error = load_yaml("a: 1\n---\nb: 2\n", 0).unwrap_err();
        assert!(error.message.contains("more than one"));
    }

    fn text_of<'a>(node: &'a Node<'_>, key: &str) -> &'a Cow<'a, str> {
        match &node.get(key).unwrap().value {
            Value::Str(text) => text,
            other => panic!("{key}: {other:?}"),
        }
    }

    #[test]
    fn scalars_written_verbatim_borrow_from_the_text() {
        let root = load_yaml(
            "plain: a b\nsingle: 'c d'\ndouble: \"e\"\nescaped: \"f\\tg\"\nfolded: h\n  i\n",
            0,
        )
        .unwrap()
        .unwrap();
        for (key, expected) in [("plain", "a b"), ("single", "c d"), ("double", "e")] {
            let text = text_of(&root, key);
            assert!(matches!(text, Cow::Borrowed(_)), "{key}: {text:?}");
            assert_eq!(text, expected);
        }
        let escaped = text_of(&root, "escaped");
        assert!(matches!(escaped, Cow::Owned(_)), "{escaped:?}");
        assert_eq!(escaped, "f\tg");
        assert_eq!(text_of(&root, "folded"), "h i");
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        assert!(
            entries
                .iter()
                .all(|entry| matches!(entry.key, Cow::Borrowed(_)))
        );
    }

    #[test]
    fn scalars_after_multibyte_characters_keep_their_text() {
        let root = load_yaml(
            "name: \"Zürich ü\"\nnext: plain\nemoji: \"🦀 x\"\nlast: 'é'\n",
            0,
        )
        .unwrap()
        .unwrap();
        assert_eq!(text_of(&root, "name"), "Zürich ü");
        assert_eq!(text_of(&root, "next"), "plain");
        assert_eq!(text_of(&root, "emoji"), "🦀 x");
        assert_eq!(text_of(&root, "last"), "é");
        assert!(matches!(text_of(&root, "next"), Cow::Borrowed(_)));
        assert!(matches!(text_of(&root, "last"), Cow::Borrowed(_)));
    }

    #[test]
    fn quoted_numbers_stay_text() {
        let root = load_yaml("a: '123'\nb: 1.0\n", 0).unwrap().unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Str("123".into()));
        assert_eq!(root.get("b").unwrap().scalar_text().unwrap(), "1.0");
    }
}
