//! Splitting a source file into front matter and body, and reading the front matter into typed fields.
//!
//! Authors' files arrive with byte-order marks, Windows line endings and no final newline; [`normalize`]
//! makes them plain UTF-8 with `\n` once, so every later line number is the line the author's editor shows.
//! The YAML itself is read through [`crate::yaml`]; scalar fields accept whatever a person would type
//! (`title: 1984` is a title, not a type error), while real type mistakes are errors with a line.
//!
//! Characters an HTML page may not hold — control characters other than tab and line breaks, and
//! Unicode noncharacters (U+FFFE, U+FDD0…) — are dropped from the text and from every YAML string
//! ([`without_forbidden`]), written as they are or as YAML escapes (`"\u0001"`). Comments are
//! written by strangers: one such character would otherwise make every page showing it invalid
//! HTML, and reach the author's terminal in a warning.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::yaml::{self, YamlError};

/// A file's text as UTF-8 with `\n` line endings, no byte-order mark and no character HTML forbids.
pub fn normalize(bytes: &[u8]) -> Result<String, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, &e))?;
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    Ok(without_forbidden_owned(text.into_owned()))
}

/// Where and how a file that is not UTF-8 fails: the line of the first bad byte, or line 1 for a
/// file that starts with a UTF-16 byte-order mark (what Windows' Notepad wrote as "Unicode").
pub fn not_utf8(bytes: &[u8], e: &std::str::Utf8Error) -> (usize, String) {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return (
            1,
            "the file is UTF-16, not UTF-8: save it as UTF-8".to_string(),
        );
    }
    let line = bytes[..e.valid_up_to()]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    (
        line,
        "the file is not valid UTF-8 (the first bad byte is on this line): save it as UTF-8"
            .to_string(),
    )
}

/// [`without_forbidden`] for a text already owned: handed back as it is when there is nothing to
/// drop, not copied again.
pub fn without_forbidden_owned(text: String) -> String {
    match without_forbidden(&text) {
        Cow::Owned(cleaned) => cleaned,
        Cow::Borrowed(_) => text,
    }
}

/// `text` without the characters HTML forbids in a page: C0 controls other than tab, LF, form feed
/// and CR, DEL, C1 controls, and noncharacters (U+FDD0–U+FDEF and the last two of every plane).
/// Borrows when there is nothing to drop, as nearly always.
pub fn without_forbidden(text: &str) -> Cow<'_, str> {
    if may_hold_forbidden(text.as_bytes()) && text.chars().any(forbidden) {
        Cow::Owned(text.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `bytes` holds a byte that is, or starts, a character [`forbidden`] may refuse: a C0
/// control but tab and LF (CR, where it is called on a file, is gone already); DEL; `C2` (the C1 controls, and also the no-break space,
/// `©` or `«`); `EF` (U+FDD0–U+FDEF and U+FFFE, and also the rest of U+F000–U+FFFF); and any
/// four-byte lead (emoji among them).
/// Every file's text goes through this, so it is a pass without an early exit, 64 bytes at a time,
/// which the compiler turns into vector code: decoding every character of every post to look for
/// these cost a tenth of a build's instructions. A text that holds one of these bytes is then
/// checked character by character.
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    // A form feed counts as suspicious here (then the character check lets it through): one
    // comparison fewer for every byte of every file. `0xEF..=0xFF` is `EF` and the four-byte leads
    // (`F8` and above never occur in UTF-8).
    let suspicious = |b: u8| {
        let control = u8::from(b < 0x20) & u8::from(b != b'\n') & u8::from(b != b'\t');
        control | u8::from(b == 0x7f) | u8::from(b == 0xc2) | u8::from(b >= 0xef)
    };
    bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(0, |seen, &b| seen | suspicious(b)) != 0)
}

/// Whether the HTML standard makes `c` a parse error wherever it appears.
fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\u{c}' | '\r'))
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
        || (u32::from(c) & 0xFFFE) == 0xFFFE
}

/// A file split at its front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, `None` when the file has no front matter.
    pub front: Option<&'a str>,
    pub body: &'a str,
    /// 1-based line of the first YAML line (the line after the opening `---`).
    pub front_line: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Split `text` (already normalized) at a leading `---` … `---` block. A later `---` line is part of the body.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end]) {
        return Ok(Split {
            front: None,
            body: text,
            front_line: 1,
            body_line: 1,
        });
    }
    let front_start = (first_end + 1).min(text.len());
    let mut offset = front_start;
    for (line_no, line) in (2..).zip(text[front_start..].split_inclusive('\n')) {
        let content = line.strip_suffix('\n').unwrap_or(line);
        if is_fence(content) || content.trim_end() == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                front: Some(&text[front_start..offset]),
                body: &text[body_start.min(text.len())..],
                front_line: 2,
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "front matter opened with `---` is never closed: add a line `---` after the last key"
            .into(),
    ))
}

/// A scalar as text: strings, numbers and booleans all read as the text the author typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(without_forbidden(v).into_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        // As a string: serde_yaml then gives a plain scalar as written (`3.10`, not the number 3.1).
        d.deserialize_str(V)
    }
}

/// A list of texts, or one text, or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = List;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of strings, or one string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<List, E> {
                Ok(List(vec![without_forbidden(v).into_owned()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<List, E> {
                Ok(List(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<List, E> {
                Ok(List(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<List, E> {
                Ok(List(vec![v.to_string()]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<List, E> {
                Ok(List(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<List, E> {
                Ok(List(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<List, E> {
                Ok(List(Vec::new()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
                // An empty item (`-` alone, `[a, , b]` is not YAML) is an empty string, which the
                // callers report as they report `""`.
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Option<Text>>()? {
                    items.push(item.map(|Text(t)| t).unwrap_or_default());
                }
                Ok(List(items))
            }
        }
        d.deserialize_any(V)
    }
}

/// A whole number (series parts, totals), also accepted when written as a quoted number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number(pub i64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                i64::try_from(v)
                    .map(Number)
                    .map_err(|_| E::custom("number too large"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.trim()
                    .parse()
                    .map(Number)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// An inline reader comment as written in a post's `comments:` list or in a comment file.
/// `name`, `message` and `_id` are accepted for files written by Staticman.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawComment {
    #[serde(alias = "name")]
    pub author: Option<Text>,
    pub date: Option<Text>,
    #[serde(alias = "message")]
    pub body: Option<Text>,
    pub url: Option<Text>,
    #[serde(alias = "_id")]
    pub id: Option<Text>,
    pub reply_to: Option<Text>,
}

/// The front matter of a post or page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<Text>,
    pub date: Option<Text>,
    pub updated: Option<Text>,
    pub author: Option<Text>,
    pub tags: List,
    pub series: Option<Text>,
    pub part: Option<Number>,
    pub summary: Option<Text>,
    pub slug: Option<Text>,
    pub draft: bool,
    /// Jekyll's `published: false`, which hides a post as `draft: true` does. Honoured rather than
    /// pointed at: an author who moves a hidden post over must not see it published.
    pub published: Option<bool>,
    pub aliases: List,
    pub comments: Vec<RawComment>,
    pub extra: Option<serde_json::Value>,
    pub weight: Option<Number>,
    pub template: Option<Text>,
}

/// Keys a post or page may carry.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "author",
    "tags",
    "series",
    "part",
    "summary",
    "slug",
    "draft",
    "published",
    "aliases",
    "comments",
    "extra",
    "weight",
    "template",
];

/// lanyard's key for a key that Hugo, Jekyll or Zola front matter uses, with a note on how lanyard's
/// key differs. `key` is matched in any case and with or without `_` and `-` (`lastMod`, `updated_at`);
/// `value` is the text after the key's colon on its line, which decides between `slug` and `aliases`
/// for an address. (Jekyll's `published` is a key of lanyard's own: `published: false` is a draft.)
pub fn known_elsewhere(key: &str, value: &str) -> Option<(&'static str, &'static str)> {
    let key = plain_key(key);
    let value = value.trim().trim_matches(['"', '\'']).trim();
    Some(match key.as_str() {
        "categories" | "category" | "keywords" | "taxonomies" => ("tags", "lanyard has tags only"),
        "description" | "excerpt" => ("summary", "lanyard's `summary` is the text listings and feeds show"),
        "lastmod" | "modified" | "updatedat" | "lastmodifiedat" => {
            ("updated", "lanyard's `updated` is the date of the last change")
        }
        "publishdate" | "pubdate" | "publishedat" => (
            "date",
            "lanyard has `date` only; a post dated in the future is built only with `--future`",
        ),
        "permalink" | "url" | "path" if value.trim_matches('/').contains('/') || value.contains('.') => (
            "aliases",
            "lanyard makes addresses from `slug` and site.toml's `permalink`; `aliases` keeps an old address working",
        ),
        "permalink" | "url" | "path" => (
            "slug",
            "lanyard's `slug` is the last part of the address; the rest comes from site.toml's `permalink`",
        ),
        "redirectfrom" => ("aliases", "lanyard's `aliases` are old addresses that redirect here"),
        "authors" => ("author", "lanyard has one author per post"),
        "layout" if matches!(value, "" | "post" | "posts" | "page" | "default" | "single") => (
            "template",
            "lanyard renders posts with `post.html` and pages with `page.html` by itself, so this line can go",
        ),
        "layout" => ("template", "lanyard's `template` names a template file, such as `wide.html`"),
        _ => return None,
    })
}

/// A key as other generators' spellings of it compare: lower case, without `_` and `-` (`lastMod`,
/// `updated_at` and `last-mod` are `lastmod` and `updatedat`).
pub fn plain_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The front matter of `content/series/<id>.md`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SeriesFrontMatter {
    pub title: Option<Text>,
    pub total: Option<Number>,
    pub extra: Option<serde_json::Value>,
}

pub const SERIES_KEYS: &[&str] = &["title", "total", "extra"];

/// Parse front matter YAML that starts at `front_line` of its file; lines in errors are file lines.
pub fn parse<T: serde::de::DeserializeOwned>(
    front: &str,
    front_line: usize,
) -> Result<T, (usize, String)> {
    yaml::from_str(front).map_err(|e| shift(e, front_line))
}

/// The top-level keys with their file lines, for unknown-key warnings.
///
/// Block-style front matter (the usual `key: value` lines) is read by a line scan, which costs a fraction
/// of a second YAML parse; anything else (flow style, a list, a scalar) goes through the YAML parser, which
/// also produces the error for front matter that is not a mapping.
pub fn keys(front: &str, front_line: usize) -> Result<Vec<(String, usize)>, (usize, String)> {
    if let Some(keys) = scan_block_keys(front) {
        return Ok(keys
            .into_iter()
            .map(|(k, l)| (k, l + front_line - 1))
            .collect());
    }
    let keys = yaml::top_level_keys(front).map_err(|e| shift(e, front_line))?;
    Ok(keys
        .into_iter()
        .map(|k| {
            let line = key_line(front, &k).map_or(front_line, |l| l + front_line - 1);
            (k, line)
        })
        .collect())
}

/// Keys at column 0 of block-style YAML with their 1-based lines, or `None` when the text is not plainly
/// block style.
fn scan_block_keys(front: &str) -> Option<Vec<(String, usize)>> {
    let mut keys = Vec::new();
    for (i, line) in front.lines().enumerate() {
        let first = line.chars().next();
        if first.is_none_or(|c| c == ' ' || c == '\t' || c == '#') || line.trim().is_empty() {
            continue;
        }
        let colon = line.find(':')?;
        let key = &line[..colon];
        let plain = key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
            && !key.starts_with(['-', ' '])
            && line[colon + 1..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t');
        if !plain {
            return None;
        }
        keys.push((key.trim_end().to_string(), i + 1));
    }
    Some(keys)
}

/// The 1-based line (within `front`) where a top-level `key:` appears.
pub fn key_line(front: &str, key: &str) -> Option<usize> {
    front
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
                || l.strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// Where a reader comment and each of its fields are, as file lines. A field that is absent, or written
/// in a way the line scan does not follow (flow style), is placed at the comment's own line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentLines {
    /// Where the comment starts: its `- ` line in a post's `comments:` list, line 1 of a comment file.
    pub entry: usize,
    pub author: usize,
    pub date: usize,
    pub body: usize,
    pub url: usize,
    pub id: usize,
    pub reply_to: usize,
    /// Keys that are no comment field but close to one (`reply-to`), with their lines and the field
    /// meant. Other unknown keys (`email`, which Staticman writes) are left alone.
    pub misspelt: Vec<(String, usize, &'static str)>,
}

/// The keys of a comment, Staticman's names included.
const COMMENT_KEYS: [&str; 9] = [
    "author", "name", "date", "body", "message", "url", "id", "_id", "reply_to",
];

impl CommentLines {
    /// Every field at `entry`.
    pub fn at(entry: usize) -> Self {
        CommentLines {
            entry,
            author: entry,
            date: entry,
            body: entry,
            url: entry,
            id: entry,
            reply_to: entry,
            misspelt: Vec::new(),
        }
    }

    /// Note that `key` (as written, Staticman's names included) is on `line`.
    fn record(&mut self, key: &str, line: usize) {
        let field = match key {
            "author" | "name" => &mut self.author,
            "date" => &mut self.date,
            "body" | "message" => &mut self.body,
            "url" => &mut self.url,
            "id" | "_id" => &mut self.id,
            "reply_to" => &mut self.reply_to,
            _ => {
                if let Some(meant) = crate::error::did_you_mean(key, &COMMENT_KEYS) {
                    self.misspelt.push((key.to_string(), line, meant));
                }
                return;
            }
        };
        *field = line;
    }
}

/// The key of a block-mapping line whose key starts at the first character of `content`: `key:` or
/// `key: value`, the key plain or quoted.
fn key_of(content: &str) -> Option<&str> {
    let (key, rest) = match content.chars().next()? {
        q @ ('"' | '\'') => {
            let end = content[1..].find(q)? + 1;
            (&content[1..end], &content[end + 1..])
        }
        _ => {
            let colon = content.find(':')?;
            (content[..colon].trim_end_matches(' '), &content[colon..])
        }
    };
    let after = rest.trim_start_matches(' ').strip_prefix(':')?;
    let plain = !key.is_empty() && !key.contains([' ', '{', '[', ',', '#']);
    (plain && after.chars().next().is_none_or(|c| c == ' ' || c == '\t')).then_some(key)
}

/// True for a block sequence entry: `- …` or a lone `-`.
fn is_entry(trimmed: &str) -> bool {
    trimmed == "-" || trimmed.starts_with("- ")
}

/// The lines of each entry of the top-level `comments:` block list of `front` (which starts at file line
/// `front_line`), in order. Empty when there is no such list or it is written in flow style
/// (`comments: [...]`); callers then fall back to the `comments:` line.
///
/// One pass over the lines of the list: each `- ` line at the list's indentation starts an entry, and
/// each `key:` at the column of the entry's first key is one of its fields. Deeper lines (a multi-line
/// body) are never taken for keys.
pub fn comment_lines(front: &str, front_line: usize) -> Vec<CommentLines> {
    let mut out: Vec<CommentLines> = Vec::new();
    let mut in_list = false;
    let mut entry_indent = None;
    let mut key_indent = None;
    for (i, line) in front.lines().enumerate() {
        let file_line = i + front_line;
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if !in_list {
            in_list = indent == 0 && key_of(line) == Some("comments");
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent == 0 && !is_entry(trimmed) {
            break;
        }
        let entry_at = *entry_indent.get_or_insert(indent);
        if indent == entry_at && is_entry(trimmed) {
            let after_dash = &trimmed[1..];
            let content = after_dash.trim_start_matches(' ');
            let mut lines = CommentLines::at(file_line);
            key_indent = None;
            if !content.is_empty() {
                key_indent = Some(indent + 1 + after_dash.len() - content.len());
                if let Some(key) = key_of(content) {
                    lines.record(key, file_line);
                }
            }
            out.push(lines);
        } else if let Some(current) = out.last_mut() {
            if indent == *key_indent.get_or_insert(indent) {
                if let Some(key) = key_of(trimmed) {
                    current.record(key, file_line);
                }
            }
        }
    }
    out
}

/// The lines of a comment file's fields: the top-level keys of `text`, whose first line is file line
/// `first_line` (1 for a YAML file, the line after `---` for Markdown). The comment itself is at line 1.
pub fn file_comment_lines(text: &str, first_line: usize) -> CommentLines {
    let mut lines = CommentLines::at(1);
    for (i, line) in text.lines().enumerate() {
        if let Some(key) = line
            .starts_with(|c: char| c != ' ' && c != '#')
            .then(|| key_of(line))
            .flatten()
        {
            lines.record(key, i + first_line);
        }
    }
    lines
}

fn shift(e: YamlError, front_line: usize) -> (usize, String) {
    let line = e.line.map_or(front_line, |l| l + front_line - 1);
    let mut message = format!("front matter: {}", e.message);
    // Hugo's `series` is a taxonomy, a list; lanyard's is one numbered series.
    if e.message.starts_with("series: invalid type: a list") {
        message.push_str(
            ": a post belongs to one series, named as text with its `part: N` (`series: \"Name\"`); \
             posts grouped without part numbers are what tags are for",
        );
    }
    (line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_basic_front_matter() {
        let s = split("---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!(s.front, Some("title: A\n"));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn characters_html_forbids_are_dropped_from_text_and_yaml_strings() {
        let text = normalize(
            "---\ntitle: \"a\\u0001b\\uFFFEc\"\ntags: [\"x\\u001B\"]\n---\nBo\u{0}d\u{7}y\u{85}\u{FDD0}\u{10FFFF}\tok\u{c}\u{FEFF}\n"
                .as_bytes(),
        )
        .unwrap();
        let s = split(&text).unwrap();
        assert_eq!(s.body, "Body\tok\u{c}\u{FEFF}\n");
        #[derive(Deserialize)]
        struct F {
            title: Text,
            tags: List,
        }
        let f: F = parse(s.front.unwrap(), s.front_line).unwrap();
        assert_eq!(
            (f.title.0.as_str(), f.tags.0),
            ("abc", vec!["x".to_string()])
        );
        let one: List = parse("\"t\\x7f\"", 1).unwrap();
        assert_eq!(one.0, ["t"]);
        assert!(matches!(without_forbidden("plain é 😀"), Cow::Borrowed(_)));
        assert!(!may_hold_forbidden(
            "plain text, é, “quotes” and …\t\n".as_bytes()
        ));
        for odd in [
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{85}",
            "\u{FDD0}",
            "\u{FFFF}",
            "\u{1FFFE}",
        ] {
            let text = format!("{}{odd}", "x".repeat(40));
            assert!(may_hold_forbidden(text.as_bytes()), "{odd:?}");
            assert_eq!(without_forbidden(&text), "x".repeat(40));
        }
    }

    #[test]
    fn normalizes_bom_and_crlf() {
        let text = normalize(b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\nBody\r\n").unwrap();
        let s = split(&text).unwrap();
        assert_eq!(s.front, Some("title: A\n"));
        assert_eq!(s.body, "Body\n");
    }

    #[test]
    fn no_final_newline() {
        let s = split("---\ntitle: A\n---").unwrap();
        assert_eq!(s.front, Some("title: A\n"));
        assert_eq!(s.body, "");
        let s = split("---\ntitle: A\n---\nlast line").unwrap();
        assert_eq!(s.body, "last line");
    }

    #[test]
    fn rule_in_body_is_not_front_matter() {
        let s = split("---\ntitle: A\n---\nOne\n\n---\n\nTwo\n").unwrap();
        assert_eq!(s.front, Some("title: A\n"));
        assert_eq!(s.body, "One\n\n---\n\nTwo\n");
        let s = split("Intro\n\n---\n\nMore\n").unwrap();
        assert_eq!(s.front, None);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(split("---\ntitle: A\nbody\n")
            .unwrap_err()
            .1
            .contains("never closed"));
    }

    #[test]
    fn empty_front_matter() {
        let s = split("---\n---\nBody").unwrap();
        assert_eq!(s.front, Some(""));
        let fm: FrontMatter = parse(s.front.unwrap(), 2).unwrap();
        assert!(fm.title.is_none());
    }

    #[test]
    fn invalid_utf8_names_line() {
        let (line, msg) = normalize(b"---\ntitle: a\n\xff\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(msg.contains("UTF-8"));
    }

    #[test]
    fn scalars_read_as_text_and_lists_accept_one() {
        let fm: FrontMatter = parse("title: 1984\ntags: solo\npart: \"3\"\n", 2).unwrap();
        assert_eq!(fm.title.unwrap().0, "1984");
        assert_eq!(fm.tags.0, vec!["solo"]);
        assert_eq!(fm.part, Some(Number(3)));
        // Numbers and words are kept as written, not as the number or boolean YAML reads.
        let fm: FrontMatter = parse(
            "title: 3.10\nauthor: False\ntags: [1.50, 0x1F, 1e3, TRUE]\n",
            2,
        )
        .unwrap();
        assert_eq!(fm.title.unwrap().0, "3.10");
        assert_eq!(fm.author.unwrap().0, "False");
        assert_eq!(fm.tags.0, vec!["1.50", "0x1F", "1e3", "TRUE"]);
    }

    #[test]
    fn type_errors_carry_file_lines() {
        let (line, msg) = parse::<FrontMatter>("title: A\ndraft: maybe\n", 2).unwrap_err();
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("draft"), "{msg}");
    }

    #[test]
    fn scanned_keys_match_yaml_keys() {
        let front =
            "title: A\n# note\nsummary: |\n  text: with colon\ntags:\n  - a\nextra: {x: 1}\n";
        let scanned: Vec<String> = scan_block_keys(front)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(scanned, crate::yaml::top_level_keys(front).unwrap());
        assert!(scan_block_keys("{title: A}").is_none());
        assert!(scan_block_keys("- a\n").is_none());
    }

    #[test]
    fn each_inline_comment_and_its_fields_have_their_own_lines() {
        let front = "title: A\ncomments:\n  - author: A\n    date: 2020-01-02\n    body: |\n      date: not a key\n  # a note\n\n  - name: B\n    \"date\": bogus\n    url: ftp://x\n    reply_to: a-1\n  -\n    message: hi\nextra: {}\n";
        let lines = comment_lines(front, 2);
        assert_eq!(lines.len(), 3);
        assert_eq!(
            (
                lines[0].entry,
                lines[0].author,
                lines[0].date,
                lines[0].body
            ),
            (4, 4, 5, 6)
        );
        assert_eq!(lines[0].url, 4, "an absent field is at the entry");
        let b = &lines[1];
        assert_eq!(
            (b.entry, b.author, b.date, b.url, b.reply_to),
            (10, 10, 11, 12, 13)
        );
        assert_eq!((lines[2].entry, lines[2].body, lines[2].date), (14, 15, 14));
        // A list at column 0 under its key.
        let lines = comment_lines("comments:\n- author: A\n  date: x\n- date: y\n", 2);
        assert_eq!(
            lines.iter().map(|l| (l.entry, l.date)).collect::<Vec<_>>(),
            vec![(3, 4), (5, 5)]
        );
        // Flow style is not followed: callers fall back to the `comments:` line.
        assert!(comment_lines("comments: [{author: A}]\n", 2).is_empty());
        assert!(comment_lines("title: A\n", 2).is_empty());
    }

    #[test]
    fn comment_file_fields_have_their_lines() {
        let lines = file_comment_lines("author: G\n# c\ndate: notadate\nbody: |\n  url: no\n", 1);
        assert_eq!(
            (lines.entry, lines.author, lines.date, lines.body),
            (1, 1, 3, 4)
        );
        assert_eq!(lines.url, 1);
        let lines = file_comment_lines("name: G\n_id: x\n", 2);
        assert_eq!((lines.author, lines.id), (2, 3));
    }

    #[test]
    fn misspelt_comment_keys_are_noted_and_foreign_ones_are_not() {
        let lines = file_comment_lines("author: G\nreply-to: a\nemail: x@y\nauther: H\n", 1);
        assert_eq!(
            lines.misspelt,
            [
                ("reply-to".to_string(), 2, "reply_to"),
                ("auther".to_string(), 4, "author")
            ]
        );
        let lines = comment_lines("comments:\n  - author: A\n    dat: x\n", 2);
        assert_eq!(lines[0].misspelt, [("dat".to_string(), 4, "date")]);
    }

    #[test]
    fn keys_of_other_generators_map_to_lanyards() {
        assert_eq!(known_elsewhere("categories", " [b]").unwrap().0, "tags");
        assert_eq!(known_elsewhere("Keywords", "").unwrap().0, "tags");
        assert_eq!(known_elsewhere("excerpt", "x").unwrap().0, "summary");
        assert_eq!(known_elsewhere("lastMod", "x").unwrap().0, "updated");
        assert_eq!(known_elsewhere("updated_at", "x").unwrap().0, "updated");
        assert_eq!(known_elsewhere("url", " \"/my-post/\"").unwrap().0, "slug");
        assert_eq!(
            known_elsewhere("permalink", " /2019/05/old.html")
                .unwrap()
                .0,
            "aliases"
        );
        assert_eq!(known_elsewhere("redirect_from", "").unwrap().0, "aliases");
        assert_eq!(known_elsewhere("authors", "[a]").unwrap().0, "author");
        assert_eq!(known_elsewhere("weight", "3"), None);
        assert_eq!(known_elsewhere("frobnicate", "1"), None);
    }

    #[test]
    fn key_lines() {
        let keys = keys("title: A\n\ntgas: [x]\n", 2).unwrap();
        assert_eq!(keys[1], ("tgas".to_string(), 4));
    }
}
