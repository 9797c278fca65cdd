//! The one door to YAML.
//!
//! `serde_yaml` is archived upstream; every YAML parse in lanyard goes through this module so a fork or a
//! replacement touches one file. Errors come back with a 1-based line *relative to the text given*; callers
//! add the offset of that text inside its file.

use serde::de::DeserializeOwned;

mod plain;

/// A YAML problem with its line in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
}

/// Deserialize `text` into `T`. Empty text is read as an empty mapping.
///
/// Text of the plain shape most front matter has is read by [`plain`] when it gives `T`; everything
/// else, and every error, comes from `serde_yaml`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some(node) = plain::parse(text) {
        if let Ok(value) = T::deserialize(node) {
            return Ok(value);
        }
    }
    let source = if text.trim().is_empty() { "{}" } else { text };
    too_deep(source)?;
    serde_yaml::from_str(source).map_err(|e| convert(&e, source))
}

/// How many `[` and `{` may be open at once before a text is refused unread.
const MAX_OPEN: usize = 1000;

/// Refuse text with more than [`MAX_OPEN`] brackets open at once. libyaml's scanner does work for
/// every open bracket at every token, so 40,000 nested `[` (80 KB) took two seconds and 100,000
/// over twenty, only to fail at `serde_yaml`'s limit of 128 levels. Brackets are counted wherever
/// they are, quoted text too, but for the lines of block scalars (`body: |`), where they are text to
/// libyaml as well: a reader's comment whose body quotes a thousand `[` builds.
fn too_deep(text: &str) -> Result<(), YamlError> {
    // Nearly all text has fewer brackets than the limit in all: a count the compiler vectorizes.
    let brackets = text
        .bytes()
        .map(|b| u32::from(b == b'[' || b == b'{'))
        .sum::<u32>();
    if (brackets as usize) <= MAX_OPEN {
        return Ok(());
    }
    let mut open = 0usize;
    // The column of the key whose block scalar the current line may be in.
    let mut block: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(opened) = block {
            if line.trim().is_empty() || indent > opened {
                continue;
            }
            block = None;
        }
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    open += 1;
                    if open > MAX_OPEN {
                        return Err(YamlError {
                            line: Some(i + 1),
                            message: format!(
                                "more than {MAX_OPEN} `[` or `{{` are open at once here, and values nest 128 levels deep at most: close them sooner"
                            ),
                        });
                    }
                }
                b']' | b'}' => open = open.saturating_sub(1),
                _ => {}
            }
        }
        if opens_block_scalar(line) {
            // The block's lines are indented past its key (`- body: |` has its key at column 2);
            // a line that is not, libyaml reads as YAML again.
            let key = line.len() - line.trim_start_matches([' ', '-']).len();
            block = Some(key);
        }
    }
    Ok(())
}

/// Whether `line` ends with a block scalar's header: `key: |`, `- >-`, `key: |2+`.
fn opens_block_scalar(line: &str) -> bool {
    let line = line.trim_end();
    let Some(at) = line.rfind(['|', '>']) else {
        return false;
    };
    let (before, header) = line.split_at(at);
    let indicators = &header[1..];
    indicators.len() <= 2
        && indicators
            .chars()
            .all(|c| matches!(c, '+' | '-' | '1'..='9'))
        && {
            let before = before.trim_end();
            before.is_empty() || before.ends_with(':') || before.ends_with('-')
        }
        && (before.is_empty() || before.ends_with(' '))
}

/// The keys of the top-level mapping, in order, or an error if the text is not a mapping.
pub fn top_level_keys(text: &str) -> Result<Vec<String>, YamlError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    too_deep(text)?;
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| convert(&e, text))?;
    match value {
        serde_yaml::Value::Mapping(map) => Ok(map
            .keys()
            .map(|k| match k {
                serde_yaml::Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
            .collect()),
        serde_yaml::Value::Null => Ok(Vec::new()),
        _ => Err(YamlError {
            line: Some(1),
            message: "front matter must be a mapping of `key: value` lines".into(),
        }),
    }
}

/// `e` as a [`YamlError`]; `text` is what was parsed.
fn convert(e: &serde_yaml::Error, text: &str) -> YamlError {
    let raw = e.to_string();
    let mut message = strip_positions(&raw);
    let mut line = e.location().map(|l| l.line());
    if let (Some(at), Some((opened, hint))) = (line, left_open(&raw)) {
        if opened < at {
            line = Some(opened);
            message = format!("{message}: {hint}");
        }
    }
    // `title: Networking: the basics`: the second `: ` starts a mapping where a value was expected.
    if message.starts_with("mapping values are not allowed") {
        message = format!(
            "{message}: a value that holds `: ` needs quotes, as in `title: \"Networking: the basics\"`"
        );
    }
    // serde_yaml places a repeated key at the start of its mapping; the author needs the repeat.
    if let (Some(at), Some(key)) = (e.location(), duplicate_key(&message)) {
        line = repeated_key_line(text, at.line(), at.column().saturating_sub(1), key).or(line);
    }
    YamlError {
        line,
        message: crate::error::readable(&message),
    }
}

/// A quote, `[` or `{` that is never closed: the parser gives up lines later (often at the end of the
/// front matter), but its message also says where the value opened, which is the line to fix.
fn left_open(raw: &str) -> Option<(usize, &'static str)> {
    const OPENERS: [(&str, &str); 3] = [
        (
            ", while scanning a quoted scalar at line ",
            "the quoted value that starts on this line is never closed; add the closing quote",
        ),
        (
            ", while parsing a flow sequence at line ",
            "the `[` list that starts on this line is not closed with `]`",
        ),
        (
            ", while parsing a flow mapping at line ",
            "the `{` map that starts on this line is not closed with `}`",
        ),
    ];
    OPENERS.iter().find_map(|(phrase, hint)| {
        let rest = &raw[raw.find(phrase)? + phrase.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        Some((rest[..digits].parse().ok()?, *hint))
    })
}

/// The key of serde's "duplicate field `key`" message.
fn duplicate_key(message: &str) -> Option<&str> {
    let rest = &message[message.find("duplicate field `")? + "duplicate field `".len()..];
    Some(&rest[..rest.find('`')?])
}

/// The 1-based line of the second `key:` of the block mapping that starts on line `start` at column
/// `indent` (0-based) of `text`: the mapping's keys are the lines indented exactly that far, up to the
/// first line indented less. `None` when the key is not found twice (a flow mapping, say).
fn repeated_key_line(text: &str, start: usize, indent: usize, key: &str) -> Option<usize> {
    let is_key = |content: &str| {
        let rest = [key, &format!("\"{key}\""), &format!("'{key}'")]
            .into_iter()
            .find_map(|k| content.strip_prefix(k));
        rest.is_some_and(|r| {
            r.trim_start_matches(' ')
                .strip_prefix(':')
                .is_some_and(|after| after.is_empty() || after.starts_with([' ', '\t']))
        })
    };
    let mut seen = 0;
    for (i, line) in text.lines().enumerate().skip(start.checked_sub(1)?) {
        let content = if i + 1 == start {
            // The mapping's first key may follow `- ` on its line.
            line.get(indent..)?
        } else {
            let trimmed = line.trim_start_matches(' ');
            let depth = line.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') || depth > indent {
                continue;
            }
            if depth < indent {
                break;
            }
            trimmed
        };
        if is_key(content) {
            seen += 1;
            if seen == 2 {
                return Some(i + 1);
            }
        }
    }
    None
}

/// Remove serde_yaml's " at line L column C" phrases: the caller reports the line in file terms.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(pos) = rest.find(" at line ") {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + " at line ".len()..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let mut after = &tail[digits..];
        if let Some(col) = after.strip_prefix(" column ") {
            let n = col.chars().take_while(char::is_ascii_digit).count();
            after = &col[n..];
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reports_relative_lines() {
        let err = from_str::<BTreeMap<String, String>>("a: 1\nb: [\n").unwrap_err();
        assert!(err.line.is_some());
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn brackets_deep_past_the_limit_are_refused_at_their_line_and_text_with_many_is_read() {
        let deep = format!("a: 1\nb: {}{}\n", "{x: ".repeat(1001), "}".repeat(1001));
        let err = from_str::<serde_yaml::Value>(&deep).unwrap_err();
        assert_eq!(err.line, Some(2));
        let texty = format!("a: \"{}\"\nb: [x]\n", "[".repeat(900));
        let read = from_str::<BTreeMap<String, serde_yaml::Value>>(&texty).unwrap();
        assert_eq!(read["b"], serde_yaml::Value::Sequence(vec!["x".into()]));
    }

    #[test]
    fn brackets_in_a_block_scalar_are_text() {
        let body = "[".repeat(5000);
        for text in [
            format!("author: Ann\nbody: |\n  {body}\n\n  more\nnext: [x]\n"),
            format!("comments:\n  - body: >-\n      {body}\n    author: Ann\n"),
        ] {
            let read = from_str::<serde_yaml::Value>(&text).unwrap();
            assert!(serde_yaml::to_string(&read).unwrap().contains(&body));
        }
        // A line back at the key's column is YAML again, and counted.
        let deep = format!("- body: |\n    text\n  b: {}\n", "[".repeat(1001));
        assert_eq!(
            from_str::<serde_yaml::Value>(&deep).unwrap_err().line,
            Some(3)
        );
        let not_a_header = format!("title: a|b\nc: {}\n", "[".repeat(1001));
        assert_eq!(
            from_str::<serde_yaml::Value>(&not_a_header)
                .unwrap_err()
                .line,
            Some(2)
        );
        for (line, opens) in [
            ("body: |", true),
            ("  - >-", true),
            ("- key: |2+", true),
            ("|", true),
            ("title: a |", false),
            ("a: x|", false),
            ("a: |x", false),
        ] {
            assert_eq!(opens_block_scalar(line), opens, "{line}");
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Front {
        tags: Option<Vec<String>>,
        title: Option<String>,
        comments: Option<Vec<BTreeMap<String, String>>>,
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        body: Option<String>,
        date: Option<String>,
    }

    #[test]
    fn a_repeated_key_is_reported_at_its_second_line() {
        let err = from_str::<Front>("title: A\n# c\ntags: [a]\ntags: [b]\n").unwrap_err();
        assert_eq!(err.line, Some(4), "{}", err.message);
        assert!(
            err.message.contains("duplicate field `tags`"),
            "{}",
            err.message
        );
        // Inside a list of mappings: the repeat in the second entry, not the entry's first line.
        let text = "items:\n  - body: a\n    date: x\n  - date: y\n    body: |\n      body: no\n    body: b\n";
        let err = from_str::<Front>(text).unwrap_err();
        assert_eq!(err.line, Some(7), "{}", err.message);
        // Quoted keys count too.
        let err = from_str::<Front>("title: A\n\"title\": B\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{}", err.message);
    }

    #[test]
    fn a_value_left_open_is_reported_where_it_opens() {
        let err = from_str::<serde_yaml::Value>("title: \"Hello\ndate: 2024-01-01\ntags: [a]\n")
            .unwrap_err();
        assert_eq!(err.line, Some(1), "{}", err.message);
        assert!(err.message.contains("never closed"), "{}", err.message);
        let err =
            from_str::<serde_yaml::Value>("title: Hi\ntags: [a, b\ndate: 2024\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{}", err.message);
        assert!(
            err.message.contains("not closed with `]`"),
            "{}",
            err.message
        );
        // A problem on the line where the value opened keeps its own line.
        let err = from_str::<serde_yaml::Value>("title: Hi\ntags: [a, b: c: d]\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{}", err.message);
    }

    #[test]
    fn strips_every_position_phrase() {
        assert_eq!(
            strip_positions(
                "did not find expected ',' at line 4 column 1, while parsing at line 3 column 7"
            ),
            "did not find expected ',', while parsing"
        );
    }

    #[test]
    fn lists_top_level_keys() {
        assert_eq!(
            top_level_keys("title: x\ntags: [a]\n").unwrap(),
            vec!["title", "tags"]
        );
        assert!(top_level_keys("- a\n- b\n").is_err());
    }
}
