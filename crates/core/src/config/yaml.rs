//! YAML parsing behind one function, [`load_yaml`]: text in, a small owned tree with a position
//! on every node out. Hostile input is refused early with a clear message: oversized text,
//! nesting deeper than [`MAX_DEPTH`], alias expansion beyond [`ALIAS_BUDGET`] nodes ("billion
//! laughs"), duplicate keys. saphyr is used because it is maintained and keeps spans (serde_yaml
//! is deprecated and serde_yml unsound, RUSTSEC-2025-0068).

use saphyr::{AnnotatedMapping, MarkedYaml, Scalar, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, ScanError, Span, SpannedEventReceiver};

use super::diagnostic::Position;

/// Larger configuration files are refused before parsing.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Deeper nesting is refused: real configurations need about six levels.
pub const MAX_DEPTH: usize = 64;
/// The number of nodes alias expansion may produce across a document.
pub const ALIAS_BUDGET: usize = 50_000;

/// A parsed YAML node in the owned form the decoder walks. `source` indexes the list of files
/// the loader read, so a merged tree still knows which file each node came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub position: Position,
    pub source: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// The float and its text as written (so `1.0` stays `1.0`).
    Float(f64, String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_position: Position,
    pub value: Node,
}

impl Node {
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

    pub fn get(&self, key: &str) -> Option<&Node> {
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
            Value::Str(value) => Some(value.clone()),
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
pub fn load_yaml(text: &str, source: usize) -> Result<Option<Node>, YamlError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            position: Position { line: 1, column: 1 },
            message: format!(
                "file is {} bytes; at most {MAX_FILE_BYTES} bytes are accepted",
                text.len()
            ),
            hint: Some("split the configuration or remove generated content".to_owned()),
        });
    }
    let mut receiver = GuardedLoader::default();
    let mut parser = Parser::new_from_str(text);
    let parsed = parser.load(&mut receiver, true);
    // The scanner has its own, higher recursion limit; either way the answer is "too deep".
    let scanner_too_deep = match &parsed {
        Err(error) if error.info().contains("recursion limit") => Some(position_of(error.marker())),
        _ => None,
    };
    if let Some(position) = receiver.too_deep.or(scanner_too_deep) {
        return Err(YamlError {
            position,
            message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            hint: Some("flatten the document; a configuration needs only a few levels".to_owned()),
        });
    }
    if let Err(error) = parsed {
        return Err(scan_error(&error, "YAML syntax error"));
    }
    if receiver.documents > 1 {
        return Err(YamlError {
            position: receiver.second_document.unwrap_or_default(),
            message: "more than one YAML document in the file".to_owned(),
            hint: Some("remove the `---` separator; one file holds one document".to_owned()),
        });
    }
    if let Some(error) = receiver.loader.error() {
        let message = if error.info().contains("alias") {
            format!("YAML aliases expand to more than {ALIAS_BUDGET} nodes (an alias bomb?)")
        } else {
            error.info().to_owned()
        };
        return Err(YamlError {
            position: position_of(error.marker()),
            message,
            hint: Some(
                "write the content out instead of relying on anchors and aliases".to_owned(),
            ),
        });
    }
    let documents = receiver.loader.into_documents();
    match documents.into_iter().next() {
        None => Ok(None),
        Some(root) => convert(&root, source).map(Some),
    }
}

fn scan_error(error: &ScanError, what: &str) -> YamlError {
    YamlError {
        position: position_of(error.marker()),
        message: format!("{what}: {}", error.info()),
        hint: Some("check indentation, quotes and brackets around this position".to_owned()),
    }
}

fn position_of(marker: &saphyr::Marker) -> Position {
    Position {
        line: marker.line().max(1),
        column: marker.col() + 1,
    }
}

/// Forwards parser events to saphyr's loader until the nesting gets too deep, then drops the
/// rest, so a deep document is never built (dropping one recursively could overflow the stack).
struct GuardedLoader<'input> {
    loader: YamlLoader<'input, MarkedYaml<'input>>,
    depth: usize,
    too_deep: Option<Position>,
    documents: usize,
    second_document: Option<Position>,
}

impl Default for GuardedLoader<'_> {
    fn default() -> Self {
        let mut loader = YamlLoader::default();
        loader.alias_limit(ALIAS_BUDGET);
        Self {
            loader,
            depth: 0,
            too_deep: None,
            documents: 0,
            second_document: None,
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for GuardedLoader<'input> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.too_deep.is_some() {
            return;
        }
        match &event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    self.too_deep = Some(position_of(&span.start));
                    return;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => self.depth = self.depth.saturating_sub(1),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.second_document = Some(position_of(&span.start));
                }
                if self.documents > 1 {
                    return;
                }
            }
            _ => {}
        }
        if self.documents > 1 {
            return;
        }
        self.loader.on_event(event, span);
    }
}

fn convert(node: &MarkedYaml<'_>, source: usize) -> Result<Node, YamlError> {
    let position = position_of(&node.span.start);
    let value = match &node.data {
        YamlData::Value(scalar) => scalar_value(scalar),
        YamlData::Representation(text, ..) => Value::Str(text.to_string()),
        YamlData::Sequence(items) => Value::Seq(
            items
                .iter()
                .map(|item| convert(item, source))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(mapping) => Value::Map(convert_mapping(mapping, source)?),
        // Tags carry no meaning in a descope-mgmt configuration; the tagged value stands.
        YamlData::Tagged(_, inner) => return convert(inner, source),
        YamlData::Alias(_) | YamlData::BadValue => {
            return Err(YamlError {
                position,
                message: "value could not be read".to_owned(),
                hint: Some("quote the value if it is meant as text".to_owned()),
            });
        }
    };
    Ok(Node {
        position,
        source,
        value,
    })
}

fn convert_mapping(
    mapping: &AnnotatedMapping<'_, MarkedYaml<'_>>,
    source: usize,
) -> Result<Vec<Entry>, YamlError> {
    let mut entries = Vec::with_capacity(mapping.len());
    for (key, value) in mapping {
        let key_position = position_of(&key.span.start);
        let key_text = match &key.data {
            YamlData::Value(scalar) => scalar_text(scalar),
            YamlData::Representation(text, ..) => text.to_string(),
            _ => {
                return Err(YamlError {
                    position: key_position,
                    message: "a mapping key must be a plain value".to_owned(),
                    hint: None,
                });
            }
        };
        entries.push(Entry {
            key: key_text,
            key_position,
            value: convert(value, source)?,
        });
    }
    Ok(entries)
}

fn scalar_value(scalar: &Scalar<'_>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(value) => Value::Bool(*value),
        Scalar::Integer(value) => Value::Int(*value),
        Scalar::FloatingPoint(value) => Value::Float(value.0, format!("{:?}", value.0)),
        Scalar::String(text) => Value::Str(text.to_string()),
    }
}

fn scalar_text(scalar: &Scalar<'_>) -> String {
    match scalar_value(scalar) {
        Value::Null => "null".to_owned(),
        Value::Bool(value) => value.to_string(),
        Value::Int(value) => value.to_string(),
        Value::Float(_, text) => text,
        Value::Str(text) => text,
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
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
    fn syntax_error_has_a_line() {
        let error = load_yaml("a: [1, 2\nb: c\n", 0).unwrap_err();
        assert!(error.message.starts_with("YAML syntax error"), "{error:?}");
        assert!(error.position.line >= 1);
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
        assert!(error.position.line >= 1, "{error:?}");
    }

    #[test]
    fn oversized_text_is_refused() {
        let text = "#".repeat(MAX_FILE_BYTES + 1);
        assert!(load_yaml(&text, 0).unwrap_err().message.contains("bytes"));
    }

    #[test]
    fn several_documents_are_refused() {
        let error = load_yaml("a: 1\n---\nb: 2\n", 0).unwrap_err();
        assert!(error.message.contains("more than one"));
    }

    #[test]
    fn quoted_numbers_stay_text() {
        let root = load_yaml("a: '123'\nb: 1.0\n", 0).unwrap().unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Str("123".into()));
        assert_eq!(root.get("b").unwrap().scalar_text().unwrap(), "1.0");
    }
}
