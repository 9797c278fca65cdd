//! A reader for the plain shape most front matter has, tried before the full YAML parser.
//!
//! Why: the full parser (libyaml, through `serde_yaml`) decodes its input one character at a time and
//! builds an event stream; for ten thousand posts and their comment files it was a tenth of a build's
//! instructions. Almost all front matter is `key: value` lines, flow lists (`tags: [a, b]`) and block
//! lists of such values or of flat mappings (inline comments). This module reads exactly that shape and
//! gives the same values `serde_yaml` gives for it; on anything else it answers `None` and the caller
//! uses the full parser, which also produces every error message. Each rule below errs on the side of
//! declining:
//!
//! * no tabs, carriage returns, or characters YAML does not allow in a document (libyaml rejects them);
//! * keys are `[A-Za-z_][A-Za-z0-9_-]*`, never repeated in one mapping, never `true`, `null` and kin;
//! * a plain scalar may not start with an indicator (`-?:,[]{}#&*!|>'"%@` and a backquote) nor with
//!   `+` or `.`, and may not hold `: ` or ` #` (in a flow list, no `,[]{}:` at all);
//! * quoted scalars are on one line, with no escape (`\`) and no inner quote;
//! * nested blocks have no blank or comment lines, and every line that is not in one starts a key.
//!
//! Plain scalars resolve as `serde_yaml` 0.9 resolves them: `~`, `null`, `Null`, `NULL` are null;
//! `true`/`True`/`TRUE` and the `false` forms are booleans; digits without a leading zero are integers;
//! any other digit-led scalar is declined if Rust would read it as a number (`1e3`, `3.5`) or if it has
//! a radix prefix (`0x1F`), and is a string otherwise (`2007-09-03`, `10.0.0.1`, `3rd`).

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};

/// A value of the plain shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    /// A boolean, with its word as written (`True`), which a string field takes as it is.
    Bool(bool, &'static str),
    Int(u64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// The document as a mapping, or `None` if it is not of the plain shape.
pub fn parse(text: &str) -> Option<Node> {
    if !text.chars().all(allowed) {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut map = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.trim_start_matches(' ').is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = key_and_rest(line)?;
        let value = if rest.is_empty() {
            let (value, next) = nested(&lines, i)?;
            i = next;
            value
        } else {
            value(rest)?
        };
        insert(&mut map, key, value)?;
    }
    // Comments alone make a null document, not an empty mapping.
    (!map.is_empty() || text.trim_matches([' ', '\n']).is_empty()).then_some(Node::Map(map))
}

/// Characters libyaml accepts inside a scalar, minus tab, carriage return and the other characters it
/// reads as line breaks (NEL, U+2028, U+2029), plus the newline that ends a line.
fn allowed(c: char) -> bool {
    match c {
        '\n' | ' '..='~' => true,
        '\u{2028}' | '\u{2029}' | '\u{feff}' => false,
        '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' => true,
        _ => c >= '\u{10000}',
    }
}

/// `key: rest` with `rest` trimmed; `rest` is empty for `key:`.
fn key_and_rest(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let (key, after) = (&line[..colon], &line[colon + 1..]);
    if !is_key(key) || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, after.trim_matches(' ')))
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && plain_word(key).is_none()
}

/// Add `key` to a mapping being built; a repeated key declines the document.
fn insert(map: &mut Vec<(String, Node)>, key: &str, value: Node) -> Option<()> {
    if map.iter().any(|(k, _)| k == key) {
        return None;
    }
    map.push((key.to_string(), value));
    Some(())
}

/// The value after `key: ` on one line.
fn value(text: &str) -> Option<Node> {
    if let Some(inner) = text.strip_prefix('[') {
        return flow_list(inner.strip_suffix(']')?);
    }
    scalar(text, false)
}

fn flow_list(inner: &str) -> Option<Node> {
    let inner = inner.trim_matches(' ');
    if inner.is_empty() {
        return Some(Node::Seq(Vec::new()));
    }
    let items = inner
        .split(',')
        .map(|item| scalar(item.trim_matches(' '), true));
    Some(Node::Seq(items.collect::<Option<_>>()?))
}

/// What follows `key:` alone on its line: a block list, a flat mapping, or nothing (null). Returns the
/// value and the index of the first line after it.
fn nested(lines: &[&str], start: usize) -> Option<(Node, usize)> {
    let starts_block = |l: &&&str| {
        !l.trim_start_matches(' ').is_empty() && (l.starts_with(' ') || l.starts_with("- "))
    };
    let Some(first) = lines.get(start).filter(starts_block) else {
        return Some((Node::Null, start));
    };
    let indent = first.len() - first.trim_start_matches(' ').len();
    if first[indent..].starts_with("- ") {
        block_list(lines, start, indent)
    } else if indent > 0 {
        let (map, next) = flat_map(lines, start, indent)?;
        Some((Node::Map(map), next))
    } else {
        None
    }
}

/// `- item` lines at `indent`; an item is a scalar or a flat mapping whose later keys sit two columns
/// further in.
fn block_list(lines: &[&str], start: usize, indent: usize) -> Option<(Node, usize)> {
    let mut items = Vec::new();
    let mut i = start;
    while let Some(line) = lines.get(i) {
        let Some(item) = line
            .get(indent..)
            .filter(|_| line.bytes().take(indent).all(|b| b == b' '))
            .and_then(|l| l.strip_prefix("- "))
        else {
            break;
        };
        i += 1;
        let item = item.trim_matches(' ');
        match key_and_rest(item) {
            Some((key, rest)) if !rest.is_empty() => {
                let mut map = Vec::new();
                insert(&mut map, key, value(rest)?)?;
                let (more, next) = flat_map(lines, i, indent + 2)?;
                for (k, v) in more {
                    insert(&mut map, &k, v)?;
                }
                i = next;
                items.push(Node::Map(map));
            }
            Some(_) => return None,
            None => items.push(value(item)?),
        }
    }
    Some((Node::Seq(items), i))
}

/// `key: value` lines at exactly `indent`, up to the first line that is not one.
fn flat_map(lines: &[&str], start: usize, indent: usize) -> Option<(Vec<(String, Node)>, usize)> {
    let mut map = Vec::new();
    let mut i = start;
    while let Some(line) = lines.get(i) {
        let inner = line.trim_start_matches(' ');
        let depth = line.len() - inner.len();
        if depth < indent || inner.is_empty() || inner.starts_with("- ") {
            break;
        }
        if depth > indent {
            return None;
        }
        let (key, rest) = key_and_rest(inner)?;
        if rest.is_empty() {
            return None;
        }
        insert(&mut map, key, value(rest)?)?;
        i += 1;
    }
    Some((map, i))
}

/// A scalar on one line; `flow` is set inside `[...]`.
fn scalar(text: &str, flow: bool) -> Option<Node> {
    let first = text.chars().next()?;
    if first == '"' || first == '\'' {
        let inner = text.strip_prefix(first)?.strip_suffix(first)?;
        if inner.contains(first) || inner.contains('\\') || (flow && inner.contains(',')) {
            return None;
        }
        return Some(Node::Str(inner.to_string()));
    }
    if "-?:,[]{}#&*!|>'\"%@`+.".contains(first)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || (flow && text.contains([',', '[', ']', '{', '}', ':']))
    {
        return None;
    }
    if let Some(word) = plain_word(text) {
        return Some(word);
    }
    if first.is_ascii_digit() {
        return digit_led(text);
    }
    Some(Node::Str(text.to_string()))
}

/// The null and boolean words of `serde_yaml`.
fn plain_word(text: &str) -> Option<Node> {
    match text {
        "~" | "null" | "Null" | "NULL" => Some(Node::Null),
        "true" => Some(Node::Bool(true, "true")),
        "True" => Some(Node::Bool(true, "True")),
        "TRUE" => Some(Node::Bool(true, "TRUE")),
        "false" => Some(Node::Bool(false, "false")),
        "False" => Some(Node::Bool(false, "False")),
        "FALSE" => Some(Node::Bool(false, "FALSE")),
        _ => None,
    }
}

/// A plain scalar that starts with a digit: an integer, a string, or declined (see the module doc).
fn digit_led(text: &str) -> Option<Node> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        if text.len() > 1 && text.starts_with('0') {
            return Some(Node::Str(text.to_string()));
        }
        return text.parse().ok().map(Node::Int);
    }
    let radix = ["0x", "0o", "0b"].iter().any(|p| text.starts_with(p));
    if radix || text.parse::<f64>().is_ok() {
        return None;
    }
    Some(Node::Str(text.to_string()))
}

/// Why a value did not fit the type asked for; the caller then asks the full parser, whose message is
/// the one the author sees.
#[derive(Debug)]
pub struct Mismatch(String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Mismatch(msg.to_string())
    }
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b, _) => visitor.visit_bool(b),
            Node::Int(n) => visitor.visit_u64(n),
            Node::Str(s) => visitor.visit_str(&s),
            Node::Seq(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    /// A struct comes from a mapping only: serde's derive would also build one from a sequence of its
    /// fields (and from `[]` when every field is optional), where serde_yaml refuses.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        let _ = (name, fields);
        match self {
            Node::Seq(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            other => other.deserialize_any(visitor),
        }
    }

    /// A scalar asked for as a string is its text as written, as `serde_yaml` gives it: `True`, not
    /// the boolean. (An integer here is written without a leading zero, so its digits are its text.)
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Node::Bool(_, word) => visitor.visit_str(word),
            Node::Int(n) => visitor.visit_str(&n.to_string()),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.deserialize_str(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Mismatch> for Node {
    type Deserializer = Node;

    fn into_deserializer(self) -> Node {
        self
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
