//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>), serialized by serde_json from structs
//! whose field order fixes the output's.

use std::borrow::Cow;

use serde::Serialize;

use super::{bodies, clean, non_empty, rfc3339, FeedItem, FeedMeta};
use crate::markdown::plain_text;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Cow<'a, str>>,
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
        summary: plain_text(&clean(&summary), usize::MAX),
        content_html: clean(&content.unwrap_or(summary)).into_owned(),
        date_published: rfc3339(item.date),
        date_modified: item.updated.map(rfc3339),
        authors: item
            .author
            .and_then(non_empty)
            .map(|name| Author {
                name: clean(name),
                url: item.author_url.and_then(non_empty).map(clean),
            })
            .into_iter()
            .collect(),
        tags: item.categories.iter().map(|tag| clean(tag)).collect(),
    }
}
