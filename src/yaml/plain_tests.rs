//! The plain reader against `serde_yaml`: whatever it accepts, it must read exactly as `serde_yaml` does.

use proptest::prelude::*;
use serde::de::DeserializeOwned;

use super::{parse, Node};
use crate::content::frontmatter::{FrontMatter, RawComment};

/// `Some(debug form)` of what the plain reader gives for `text` as `T`, if it gives anything.
fn plain_as<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> Option<String> {
    let node = parse(text)?;
    T::deserialize(node).ok().map(|v| format!("{v:?}"))
}

fn full_as<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> Result<String, String> {
    let source = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str::<T>(source)
        .map(|v| format!("{v:?}"))
        .map_err(|e| e.to_string())
}

/// For each target type: if the plain reader gives a value, `serde_yaml` gives the same one.
fn agrees(text: &str) -> Result<(), String> {
    fn one<T: DeserializeOwned + std::fmt::Debug>(text: &str, what: &str) -> Result<(), String> {
        match plain_as::<T>(text) {
            None => Ok(()),
            Some(fast) => match full_as::<T>(text) {
                Ok(full) if full == fast => Ok(()),
                other => Err(format!(
                    "{what} of {text:?}: plain {fast}, serde_yaml {other:?}"
                )),
            },
        }
    }
    one::<serde_json::Value>(text, "json")?;
    one::<FrontMatter>(text, "front matter")?;
    one::<RawComment>(text, "comment")
}

#[test]
fn reads_usual_front_matter_as_serde_yaml_does() {
    let text = concat!(
        "title: \"Help: answer the question\"\n",
        "date: 2007-09-03T11:00:00Z\n",
        "author: ana\n",
        "tags: [crowds, online]\n",
        "draft: false\n",
        "part: 21\n",
        "slug: 007\n",
        "comments:\n",
        "  - author: Anonymous\n",
        "    date: 2007-09-23\n",
        "    body: \"Note *this*.\"\n",
        "  - author: Lee\n",
        "    date: 2007-09-24\n",
        "    body: plain words, with a comma\n",
        "\n",
        "aliases:\n",
        "- /old/one/\n",
        "- /old/two/\n",
        "# a note\n",
        "extra:\n",
        "  mood: calm\n",
        "  count: 3\n",
    );
    assert!(parse(text).is_some(), "the usual shape is read");
    agrees(text).unwrap();
    assert!(plain_as::<FrontMatter>(text).unwrap().contains("Anonymous"));
}

#[test]
fn scalars_resolve_like_serde_yaml() {
    let cases = [
        ("~", Some(Node::Null)),
        ("null", Some(Node::Null)),
        ("True", Some(Node::Bool(true, "True"))),
        ("yes", Some(Node::Str("yes".into()))),
        ("42", Some(Node::Int(42))),
        ("007", Some(Node::Str("007".into()))),
        ("2007-09-03", Some(Node::Str("2007-09-03".into()))),
        ("10.0.0.1", Some(Node::Str("10.0.0.1".into()))),
        ("inf", Some(Node::Str("inf".into()))),
        ("C#", Some(Node::Str("C#".into()))),
        ("3.5", None),
        ("1e3", None),
        ("0x1F", None),
        ("-3", None),
        (".inf", None),
        ("a #b", None),
        ("a: b", None),
        ("&a x", None),
        ("\"a\\\"b\"", None),
    ];
    for (scalar, expected) in cases {
        let text = format!("k: {scalar}\n");
        let got = parse(&text).map(|n| match n {
            Node::Map(mut m) => m.remove(0).1,
            other => other,
        });
        assert_eq!(got, expected, "{scalar}");
        agrees(&text).unwrap();
    }
}

#[test]
fn declines_what_it_does_not_read() {
    for text in [
        "title: A long\n  title\n",
        "title:\ttab\n",
        "k: [a, [b]]\n",
        "k: \"x\" # note\n",
        "k: v\nk: w\n",
        "tags:\n  - a\n\n  - b\n",
        "extra:\n  a:\n    b: c\n",
        "? complex\n: key\n",
        "k: |\n  block\n",
        "- a\n- b\n",
        "k: x\u{2028}y\n",
        "true: x\n",
    ] {
        assert_eq!(parse(text), None, "{text:?}");
    }
}

const KEYS: &[&str] = &[
    "title", "date", "tags", "comments", "extra", "draft", "part", "author", "body", "a-b", "_x",
    "null", "url",
];

const SCALARS: &[&str] = &[
    "x",
    "hello world",
    "~",
    "null",
    "Null",
    "true",
    "False",
    "yes",
    "no",
    "42",
    "007",
    "0",
    "-3",
    "+4",
    "1e3",
    "3.5",
    "0x1F",
    "2007-09-03",
    "2007-09-03T11:00:00Z",
    "10.0.0.1",
    "12:30",
    "a: b",
    "a:b",
    "a #b",
    "C#",
    "-x",
    "?x",
    ".5",
    "\"q\"",
    "\"a: b\"",
    "\"with \\\\ slash\"",
    "'s'",
    "'it''s'",
    "é ü",
    "x  y",
    "[a, b]",
    "[a,b,]",
    "[]",
    "[ ]",
    "[\"a\", 'b']",
    "[a: b]",
    "[x, 42, ~]",
    "&anchor x",
    "*ref",
    "!tag x",
    "|",
    "> x",
    "%x",
    "@x",
    "`x`",
    "\"unterminated",
    "it's",
    "x\u{85}y",
    "inf",
    ".inf",
    "nan",
    "18446744073709551616",
    "9223372036854775807",
    "",
];

#[derive(Debug, Clone)]
enum Piece {
    Pair(usize, usize),
    List(usize, usize, Vec<Item>),
    Blank,
    Comment,
    Stray(usize),
}

#[derive(Debug, Clone)]
enum Item {
    Scalar(usize),
    Map(Vec<(usize, usize)>),
}

fn piece() -> impl Strategy<Value = Piece> {
    let k = 0..KEYS.len();
    let v = 0..SCALARS.len();
    let item = prop_oneof![
        (0..SCALARS.len()).prop_map(Item::Scalar),
        prop::collection::vec((0..KEYS.len(), 0..SCALARS.len()), 1..4).prop_map(Item::Map),
    ];
    prop_oneof![
        4 => (k.clone(), v.clone()).prop_map(|(k, v)| Piece::Pair(k, v)),
        2 => (k, 0..3usize, prop::collection::vec(item, 0..4)).prop_map(|(k, i, items)| Piece::List(k, i * 2, items)),
        1 => Just(Piece::Blank),
        1 => Just(Piece::Comment),
        1 => v.prop_map(Piece::Stray),
    ]
}

fn render(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Pair(k, v) => out.push_str(&format!("{}: {}\n", KEYS[*k], SCALARS[*v])),
            Piece::List(k, indent, items) => {
                out.push_str(&format!("{}:\n", KEYS[*k]));
                let pad = " ".repeat(*indent);
                for item in items {
                    match item {
                        Item::Scalar(v) => out.push_str(&format!("{pad}- {}\n", SCALARS[*v])),
                        Item::Map(pairs) => {
                            for (n, (k, v)) in pairs.iter().enumerate() {
                                let lead = if n == 0 { "- " } else { "  " };
                                out.push_str(&format!(
                                    "{pad}{lead}{}: {}\n",
                                    KEYS[*k], SCALARS[*v]
                                ));
                            }
                        }
                    }
                }
            }
            Piece::Blank => out.push('\n'),
            Piece::Comment => out.push_str("# a note\n"),
            Piece::Stray(v) => out.push_str(&format!("  {}\n", SCALARS[*v])),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn whatever_it_reads_it_reads_as_serde_yaml_does(pieces in prop::collection::vec(piece(), 0..8)) {
        let text = render(&pieces);
        if let Err(e) = agrees(&text) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn reads_the_example_publication_as_serde_yaml_does() {
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut read = 0;
    for entry in walkdir::WalkDir::new(content).into_iter().flatten() {
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let front = match ext {
            "md" => crate::content::frontmatter::split(&text)
                .ok()
                .and_then(|s| s.front)
                .map(str::to_string),
            "yaml" | "yml" => Some(text.clone()),
            _ => None,
        };
        if let Some(front) = front {
            agrees(&front).unwrap();
            read += usize::from(plain_as::<FrontMatter>(&front).is_some());
        }
    }
    assert!(
        read > 10,
        "most of the example's front matter has the plain shape ({read})"
    );
}

// serde's derive builds a struct from a sequence of its fields (an empty one when every field is
// optional); serde_yaml does not, and neither may the plain reader.
#[test]
fn a_sequence_is_not_a_comment() {
    for text in [
        "comments:\n- []\n",
        "comments:\n- [a, b]\n",
        "comments: [[]]\n",
    ] {
        agrees(text).unwrap();
        assert!(full_as::<FrontMatter>(text).is_err(), "{text}");
    }
}
