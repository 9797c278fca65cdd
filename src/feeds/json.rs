//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>), serialized by serde_json from structs
//! whose field order fixes the output's.

use std::borrow::Cow;

use serde::Serialize;

use super::{bodies, clean, non_empty, rfc3339, FeedItem, FeedMeta};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: Cow<'a, str>,
    home_page_url: Cow<'a, str>,
    feed_url: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<Cow<'a, str>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: Cow<'a, str>,
    url: Cow<'a, str>,
    title: Cow<'a, str>,
    content_html: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Cow<'a, str>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: Cow<'a, str>,
}

/// The feed as a JSON Feed 1.1 document.
///
/// `content_html` is the full content when the item has it, else the HTML summary; `summary` is
/// that summary flattened to plain text, as the format asks.
pub fn json(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let feed = Feed {
        version: VERSION,
        title: clean(meta.title),
        home_page_url: clean(meta.home_url),
        feed_url: clean(meta.feed_url),
        description: non_empty(meta.description).map(clean),
        language: non_empty(meta.language).map(clean),
        items: items.iter().map(|item| to_item(meta, item)).collect(),
    };
    let mut out = serde_json::to_string_pretty(&feed).expect("a feed of strings always serializes");
    out.push('\n');
    out
}

fn to_item<'a>(meta: &FeedMeta, item: &FeedItem<'a>) -> Item<'a> {
    let (summary, content) = bodies(meta, item);
    Item {
        id: clean(item.url),
        url: clean(item.url),
        title: clean(item.title),
        summary: plain_text(&summary),
        content_html: clean(&content.unwrap_or(summary)).into_owned(),
        date_published: rfc3339(item.date),
        date_modified: item.updated.map(rfc3339),
        authors: item
            .author
            .and_then(non_empty)
            .map(|name| Author { name: clean(name) })
            .into_iter()
            .collect(),
        tags: item.categories.iter().map(|tag| clean(tag)).collect(),
    }
}

/// Elements after which flattened text needs a space, so paragraphs do not run together.
const BLOCKS: [&str; 22] = [
    "address",
    "blockquote",
    "br",
    "dd",
    "div",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "td",
    "th",
    "ul",
];

/// HTML to plain text in one pass: tags and comments dropped (block elements leave a space),
/// common character references decoded, whitespace collapsed.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let cleaned = clean(html);
    let mut cursor: &str = &cleaned;
    let mut space = false;
    while let Some(c) = cursor.chars().next() {
        let (text, len) = match c {
            '<' => match tag(cursor) {
                Some((len, block)) => {
                    space |= block;
                    (None, len)
                }
                None => (Some('<'), 1),
            },
            '&' => match reference(cursor) {
                Some((decoded, len)) => (Some(decoded), len),
                None => (Some('&'), 1),
            },
            c => (Some(c), c.len_utf8()),
        };
        cursor = &cursor[len..];
        match text {
            Some(c) if c.is_whitespace() => space = true,
            Some(c) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
            None => {}
        }
    }
    out
}

/// At a `<`: the length of the tag or comment starting there and whether it is a block element,
/// or `None` when the `<` is plain text.
fn tag(at: &str) -> Option<(usize, bool)> {
    let bytes = at.as_bytes();
    if at.starts_with("<!--") {
        let end = at[2..].find("-->").map_or(at.len(), |i| i + 5);
        return Some((end, false));
    }
    let starts_tag = bytes
        .get(1)
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
    if !starts_tag {
        return None;
    }
    let end = at.find('>').map_or(at.len(), |i| i + 1);
    let name: String = at[1..end]
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some((end, BLOCKS.contains(&name.as_str())))
}

/// At a `&`: the character a common reference stands for and the reference's length.
fn reference(at: &str) -> Option<(char, usize)> {
    // Bounded look-ahead keeps the pass linear however many `&` the text holds.
    let semi = at.bytes().take(12).position(|b| b == b';')?;
    let name = &at[1..semi];
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
        }
    };
    Some((decoded, semi + 1))
}
