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
    serde_yaml::from_str(source).map_err(|e| convert(&e))
}

/// The keys of the top-level mapping, in order, or an error if the text is not a mapping.
pub fn top_level_keys(text: &str) -> Result<Vec<String>, YamlError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| convert(&e))?;
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

fn convert(e: &serde_yaml::Error) -> YamlError {
    YamlError {
        line: e.location().map(|l| l.line()),
        message: strip_positions(&e.to_string()),
    }
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
