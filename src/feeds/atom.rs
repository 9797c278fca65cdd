//! Atom 1.0 (RFC 4287).

use chrono::{DateTime, FixedOffset, Timelike, Utc};

use super::xml::XmlDoc;
use super::{bodies, last_change, non_empty, rfc3339, FeedItem, FeedMeta};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The feed as an Atom 1.0 document.
///
/// The feed's id is [`FeedMeta::home_url`] and each entry's id its permalink, so ids stay stable
/// across rebuilds. Atom requires a feed-level `<updated>` and an author on every entry: the first
/// is the newest item date or [`FeedMeta::updated`] (the current time only when neither exists),
/// the second falls back to the feed title when an item names no author. An author with a URL
/// (their own site, else their page here) gets it as `<uri>`.
pub fn atom(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let mut doc = XmlDoc::with_capacity(super::size_hint(items));
    let mut root = vec![("xmlns", ATOM_NS)];
    if let Some(language) = non_empty(meta.language) {
        root.push(("xml:lang", language));
    }
    doc.open("feed", &root);
    doc.text("id", &[], meta.home_url);
    doc.text("title", &[("type", "text")], meta.title);
    if let Some(description) = non_empty(meta.description) {
        doc.text("subtitle", &[("type", "text")], description);
    }
    doc.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", meta.home_url),
        ],
    );
    doc.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", meta.feed_url),
        ],
    );
    let updated = last_change(meta, items).unwrap_or_else(now);
    doc.text("updated", &[], &rfc3339(updated));
    if let Some(generator) = non_empty(meta.generator) {
        doc.text("generator", &[], generator);
    }
    for item in items {
        write_entry(&mut doc, meta, item);
    }
    doc.close("feed");
    doc.finish()
}

fn write_entry(doc: &mut XmlDoc, meta: &FeedMeta, item: &FeedItem) {
    let (summary, content) = bodies(meta, item);
    doc.open("entry", &[]);
    doc.text("id", &[], item.url);
    doc.text("title", &[("type", "text")], item.title);
    doc.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", item.url),
        ],
    );
    doc.text("published", &[], &rfc3339(item.date));
    doc.text("updated", &[], &rfc3339(item.updated.unwrap_or(item.date)));
    doc.open("author", &[]);
    doc.text(
        "name",
        &[],
        item.author.and_then(non_empty).unwrap_or(meta.title),
    );
    if let Some(uri) = item.author_url.and_then(non_empty) {
        doc.text("uri", &[], uri);
    }
    doc.close("author");
    for category in &item.categories {
        doc.empty("category", &[("term", category)]);
    }
    doc.text("summary", &[("type", "html")], &summary);
    if let Some(content) = &content {
        doc.text("content", &[("type", "html")], content);
    }
    doc.close("entry");
}

/// The last resort for the feed's `<updated>`, to the second.
fn now() -> DateTime<FixedOffset> {
    let now = Utc::now();
    now.with_nanosecond(0).unwrap_or(now).fixed_offset()
}
