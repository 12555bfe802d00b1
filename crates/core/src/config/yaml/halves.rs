//! Parsing a large text as two halves side by side. A large portfolio is a long block list at
//! the end of the file (`tenants:`); cut at the start of one of its items near the middle, the
//! text before the cut is a whole document whose last open collection is that list, and the
//! text after it is a document that is the rest of the list. Each half is parsed on its own
//! thread and the items of the second are appended to the list in the first.
//!
//! Only what is certain is done this way: any problem in either half, any sign that the cut is
//! not between two items of that one list, or a limit the halves could only meet together
//! (alias expansion, nesting) sends the caller back to parsing the whole text at once, so
//! errors and trees are always those of the whole text.

use saphyr_parser::Parser;

use super::{ALIAS_BUDGET, MAX_DEPTH, Node, Position, TreeBuilder, Value};

/// Where to cut: byte offset `at` starts line `line` (1-based), an item (`- `) of a block list
/// indented by `indent` spaces that runs to the end of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cut {
    at: usize,
    line: usize,
    indent: usize,
}

/// How many lines past the middle an item may start; a text with none that close is parsed
/// whole.
const LINES_SEARCHED: usize = 1_000;

/// The least indented item line among the first lines from the middle of `text` on (deeper
/// ones belong to an item, or are text of a block scalar), if every later line stays inside its
/// list: none is less indented, and each as indented is another item. Blank and comment lines
/// do not count. Anything else (a list that is not last, tabs, a document marker) means no cut.
pub(super) fn cut(text: &str) -> Option<Cut> {
    let middle = text.len() / 2;
    let mut next = middle + text.get(middle..)?.find('\n')? + 1;
    let mut best: Option<(usize, usize)> = None;
    for _ in 0..LINES_SEARCHED {
        if next >= text.len() {
            break;
        }
        let line = line_at(text, next);
        if let Some(indent) = item_indent(line)
            && best.is_none_or(|(_, least)| indent < least)
        {
            best = Some((next, indent));
            if indent == 0 {
                break;
            }
        }
        next += line.len() + 1;
    }
    let (at, indent) = best?;
    for line in text[at..].split('\n') {
        let content = line.trim_start_matches(' ');
        if content.trim_end_matches('\r').is_empty() || content.starts_with('#') {
            continue;
        }
        let this_indent = line.len() - content.len();
        if this_indent < indent || (this_indent == indent && item_indent(line).is_none()) {
            return None;
        }
    }
    let line = text.as_bytes()[..at]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1;
    Some(Cut { at, line, indent })
}

/// The line starting at byte `at`, without its line feed.
fn line_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    &rest[..rest.find('\n').unwrap_or(rest.len())]
}

/// The indentation of a line that starts a block list item (`- …` or a lone `-`).
fn item_indent(line: &str) -> Option<usize> {
    let content = line.trim_start_matches(' ');
    let rest = content.strip_prefix('-')?;
    (rest.is_empty() || rest.starts_with([' ', '\r'])).then(|| line.len() - content.len())
}

/// The tree of `text` parsed as two halves at `cut`; `None` when the halves cannot be trusted
/// to make the tree of the whole (the caller then parses it whole).
pub(super) fn parse<'a>(text: &'a str, source: usize, cut: &Cut) -> Option<Node<'a>> {
    let (head_text, tail_text) = text.split_at(cut.at);
    let (head, tail) = std::thread::scope(|scope| {
        let tail = std::thread::Builder::new()
            // The parser recurses per nesting level up to its own limit: give it the main
            // thread's room rather than a spawned thread's 2 MiB.
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(scope, || parse_half(tail_text, source, cut.line - 1))
            .ok()?;
        let head = parse_half(head_text, source, 0);
        match tail.join() {
            Ok(tail) => Some((head, tail)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    let (head, tail) = (head?, tail?);
    let aliases_expanded = (ALIAS_BUDGET - head.alias_budget) + (ALIAS_BUDGET - tail.alias_budget);
    if aliases_expanded > ALIAS_BUDGET {
        return None;
    }
    let mut root = head.root?;
    let rest = tail.root?;
    let list_position = Position::at(cut.line, cut.indent + 1);
    let Value::Seq(items) = rest.value else {
        return None;
    };
    if rest.position != list_position {
        return None;
    }
    let (list, depth) = continued_list(&mut root, head_text, cut.indent)?;
    // The tail's collections sit inside the list, which is `depth` deep in the whole tree.
    if depth - 1 + tail.deepest > MAX_DEPTH {
        return None;
    }
    list.extend(items);
    Some(root)
}

/// One half parsed on its own; `None` on any problem.
fn parse_half(text: &str, source: usize, line_offset: usize) -> Option<TreeBuilder<'_>> {
    let mut builder = TreeBuilder::new(text, source);
    builder.line_offset = line_offset;
    let parsed = Parser::new_from_iter(text.chars()).load(&mut builder, true);
    (parsed.is_ok() && builder.error.is_none()).then_some(builder)
}

/// The block list the cut continues, with its depth (the root is 1): the first list on the last
/// path of the tree (last entry, last item, …) whose first line has its `-` at the cut's
/// indentation. saphyr places a list at its `-` (`- a`), or at its first item when the list
/// sits at its key's indentation; a flow list (`[…]`), an anchored or a more spaced one is
/// not taken for it.
fn continued_list<'t, 'a>(
    root: &'t mut Node<'a>,
    head_text: &str,
    indent: usize,
) -> Option<(&'t mut Vec<Node<'a>>, usize)> {
    let dash = u32::try_from(indent + 1).ok()?;
    let mut node = root;
    let mut depth = 1;
    loop {
        let position = node.position;
        let is_it = matches!(node.value, Value::Seq(_))
            && (position.column == dash || position.column == dash + 2)
            && char_at(
                head_text,
                Position::at(position.line as usize, dash as usize),
            ) == Some('-');
        if is_it {
            return match &mut node.value {
                Value::Seq(items) => Some((items, depth)),
                _ => None,
            };
        }
        node = match &mut node.value {
            Value::Seq(items) => items.last_mut()?,
            Value::Map(entries) => &mut entries.last_mut()?.value,
            _ => return None,
        };
        depth += 1;
    }
}

/// The character at a 1-based line and column of `text`.
fn char_at(text: &str, position: Position) -> Option<char> {
    let line = text
        .split('\n')
        .nth((position.line as usize).checked_sub(1)?)?;
    line.chars().nth((position.column as usize).checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::super::load_yaml_whole;
    use super::*;

    fn portfolio(items: usize, item: impl Fn(usize) -> String) -> String {
        let mut text =
            String::from("version: \"1.0\"\nenvironments:\n  dev: {emulator: d.json}\ntenants:\n");
        for i in 0..items {
            text.push_str(&item(i));
        }
        text
    }

    fn tenant(i: usize) -> String {
        format!(
            "  - id: tenant-{i}\n    name: \"Tenant {i} ü\"\n    domains: [t{i}.example.com]\n    # a comment\n    notes: |\n      line one\n      - not an item\n\n    ratio: {i}.5\n"
        )
    }

    /// The halves' tree when they are used, checked against the whole text's.
    fn halves(text: &str) -> Option<Node<'_>> {
        let cut = cut(text)?;
        let split = parse(text, 7, &cut)?;
        assert_eq!(
            Ok(Some(split.clone())),
            load_yaml_whole(text, 7),
            "the halves differ from the whole"
        );
        Some(split)
    }

    #[test]
    fn a_trailing_block_list_is_parsed_in_halves_into_the_whole_tree() {
        let text = portfolio(2_000, tenant);
        let tree = halves(&text).expect("cut and parsed in halves");
        let Value::Seq(tenants) = &tree.get("tenants").unwrap().value else {
            panic!()
        };
        assert_eq!(tenants.len(), 2_000);
        let last = &tenants[1_999];
        assert_eq!(
            last.get("id").unwrap().value,
            Value::Str("tenant-1999".into())
        );
        // Positions in the later half count the lines of the earlier one.
        assert_eq!(last.position.line as usize, 4 + 1_999 * 9 + 1);

        let compact = portfolio(2_000, |i| format!("- id: t{i}\n  name: T{i}\n"));
        assert!(
            halves(&compact).is_some(),
            "a list at the key's indentation"
        );
        let crlf = portfolio(2_000, tenant).replace('\n', "\r\n");
        assert!(halves(&crlf).is_some(), "Windows line ends");
    }

    #[test]
    fn texts_whose_halves_could_differ_from_the_whole_are_not_cut() {
        let whole = portfolio(2_000, tenant);
        let cases = [
            // Another key after the list.
            format!("{whole}templates: {{}}\n"),
            // The list's items reach the second half only as text of a block scalar.
            format!("notes: |\n{}", "  - line\n".repeat(4_000)),
            // A flow list where the block list would be, then items: an error as a whole.
            format!("tenants:\n  [a, b]\n{}", "  - c\n".repeat(4_000)),
            // An alias in the later half to an anchor in the earlier one.
            portfolio(2_000, |i| match i {
                0 => "  - &first {id: a}\n".to_owned(),
                1_900 => "  - *first\n".to_owned(),
                _ => format!("  - {{id: t{i}}}\n"),
            }),
            // A second document in the later half.
            format!("{}---\n- b\n", "- a\n".repeat(4_000)),
        ];
        for text in &cases {
            let as_whole = load_yaml_whole(text, 7);
            if let Some(cut) = cut(text) {
                assert!(parse(text, 7, &cut).is_none(), "{}", &text[..80]);
            }
            // And through the public entry, the whole text's answer.
            assert_eq!(super::super::load_yaml(text, 7), as_whole);
        }
    }

    #[test]
    fn limits_hold_across_the_halves() {
        // Each half expands aliases within the budget; together they exceed it.
        let mut text = String::from("tenants:\n");
        let group = |name: &str| {
            let mut lines = format!("  - &{name}0 [x, x, x, x, x, x, x, x, x, x]\n");
            for level in 1..4 {
                lines.push_str(&format!(
                    "  - &{name}{level} [{}]\n",
                    vec![format!("*{name}{}", level - 1); 10].join(", ")
                ));
            }
            // 10,000 nodes per use; three uses per half stay under 50,000 alone.
            for _ in 0..3 {
                lines.push_str(&format!("  - *{name}3\n"));
            }
            lines
        };
        text.push_str(&group("a"));
        text.push_str(&"  - filler\n".repeat(3_000));
        text.push_str(&group("b"));
        let whole = load_yaml_whole(&text, 7);
        assert!(
            whole.as_ref().is_err_and(|e| e.message.contains("alias")),
            "{whole:?}"
        );
        // The text is small enough that `load_yaml` parses it whole: call the halves directly.
        let at = cut(&text).expect("a cut between the two groups");
        assert!(parse(&text, 7, &at).is_none());
        assert_eq!(super::super::load_yaml(&text, 7), whole);

        // Nesting that fits each half but not the whole tree.
        let deep_item = format!("  - {}x{}\n", "[".repeat(63), "]".repeat(63));
        let nested = format!(
            "wrapper:\n  tenants:\n{}",
            "  - y\n".repeat(4_000) + &deep_item
        );
        let nested = nested.replace("  - ", "    - ");
        let whole = load_yaml_whole(&nested, 7);
        assert!(whole.is_err(), "{whole:?}");
        let at = cut(&nested).expect("a cut inside the nested list");
        assert!(parse(&nested, 7, &at).is_none());
        assert_eq!(super::super::load_yaml(&nested, 7), whole);
    }
}
