//! Splitting a source file into front matter and body, and reading the front matter into typed fields.
//!
//! Authors' files arrive with byte-order marks, Windows line endings and no final newline; [`normalize`]
//! makes them plain UTF-8 with `\n` once, so every later line number is the line the author's editor shows.
//! The YAML itself is read through [`crate::yaml`]; scalar fields accept whatever a person would type
//! (`title: 1984` is a title, not a type error), while real type mistakes are errors with a line.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::yaml::{self, YamlError};

/// A file's text as UTF-8 with `\n` line endings and no byte-order mark.
pub fn normalize(bytes: &[u8]) -> Result<String, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        (line, "is not valid UTF-8: save the file as UTF-8".to_string())
    })?;
    if text.contains('\r') {
        Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Ok(text.to_string())
    }
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
        return Ok(Split { front: None, body: text, front_line: 1, body_line: 1 });
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
    Err((1, "front matter opened with `---` is never closed: add a line `---` after the last key".into()))
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
                Ok(Text(v.to_string()))
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
        d.deserialize_any(V)
    }
}

/// A list of texts, or one text, or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "a list of strings, or one string")]
        enum Raw {
            One(Text),
            Many(Vec<Text>),
            None(()),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::One(t) => List(vec![t.0]),
            Raw::Many(v) => List(v.into_iter().map(|t| t.0).collect()),
            Raw::None(()) => List(Vec::new()),
        })
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
                i64::try_from(v).map(Number).map_err(|_| E::custom("number too large"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.trim().parse().map(Number).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
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
    pub aliases: List,
    pub comments: Vec<RawComment>,
    pub extra: Option<serde_json::Value>,
    pub weight: Option<Number>,
    pub template: Option<Text>,
}

/// Keys a post or page may carry.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title", "date", "updated", "author", "tags", "series", "part", "summary", "slug", "draft", "aliases",
    "comments", "extra", "weight", "template",
];

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
pub fn parse<T: serde::de::DeserializeOwned>(front: &str, front_line: usize) -> Result<T, (usize, String)> {
    yaml::from_str(front).map_err(|e| shift(e, front_line))
}

/// The top-level keys with their file lines, for unknown-key warnings.
pub fn keys(front: &str, front_line: usize) -> Result<Vec<(String, usize)>, (usize, String)> {
    let keys = yaml::top_level_keys(front).map_err(|e| shift(e, front_line))?;
    Ok(keys
        .into_iter()
        .map(|k| {
            let line = key_line(front, &k).map_or(front_line, |l| l + front_line - 1);
            (k, line)
        })
        .collect())
}

/// The 1-based line (within `front`) where a top-level `key:` appears.
pub fn key_line(front: &str, key: &str) -> Option<usize> {
    front.lines().position(|l| {
        l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':'))
            || l.strip_prefix(&format!("\"{key}\"")).is_some_and(|rest| rest.trim_start().starts_with(':'))
    }).map(|i| i + 1)
}

fn shift(e: YamlError, front_line: usize) -> (usize, String) {
    let line = e.line.map_or(front_line, |l| l + front_line - 1);
    (line, format!("front matter: {}", e.message))
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
        assert!(split("---\ntitle: A\nbody\n").unwrap_err().1.contains("never closed"));
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
    }

    #[test]
    fn type_errors_carry_file_lines() {
        let (line, msg) = parse::<FrontMatter>("title: A\ndraft: maybe\n", 2).unwrap_err();
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("draft"), "{msg}");
    }

    #[test]
    fn key_lines() {
        let keys = keys("title: A\n\ntgas: [x]\n", 2).unwrap();
        assert_eq!(keys[1], ("tgas".to_string(), 4));
    }
}
