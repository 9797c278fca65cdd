//! RSS 2.0 with the Atom (`atom:link rel="self"`), Dublin Core (`dc:creator`) and content
//! (`content:encoded`) extensions that readers expect.

use super::xml::XmlDoc;
use super::{bodies, last_change, non_empty, rfc822, FeedItem, FeedMeta};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";

/// The feed as an RSS 2.0 document.
///
/// `<description>` carries the summary and `content:encoded` the full content when the item has it, as
/// most publishers do: every current reader understands `content:encoded`, and repeating the whole post
/// in both would double the size of every feed.
/// `lastBuildDate` is the newest item date or [`FeedMeta::updated`], and left out when neither exists.
pub fn rss(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let mut doc = XmlDoc::with_capacity(super::size_hint(items));
    doc.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", ATOM_NS),
            ("xmlns:dc", DC_NS),
            ("xmlns:content", CONTENT_NS),
        ],
    );
    doc.open("channel", &[]);
    channel_head(&mut doc, meta, items);
    for item in items {
        write_item(&mut doc, meta, item);
    }
    doc.close("channel");
    doc.close("rss");
    doc.finish()
}

fn channel_head(doc: &mut XmlDoc, meta: &FeedMeta, items: &[FeedItem]) {
    doc.text("title", &[], meta.title);
    doc.text("link", &[], meta.home_url);
    // RSS 2.0 requires a phrase describing the channel; without one, the title is the best there is.
    let description = non_empty(meta.description).unwrap_or(meta.title);
    doc.text("description", &[], description);
    if let Some(language) = non_empty(meta.language) {
        doc.text("language", &[], language);
    }
    if let Some(generator) = non_empty(meta.generator) {
        doc.text("generator", &[], generator);
    }
    if let Some(date) = last_change(meta, items) {
        doc.text("lastBuildDate", &[], &rfc822(date));
    }
    doc.empty(
        "atom:link",
        &[
            ("href", meta.feed_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
}

fn write_item(doc: &mut XmlDoc, meta: &FeedMeta, item: &FeedItem) {
    let (summary, content) = bodies(meta, item);
    doc.open("item", &[]);
    doc.text("title", &[], item.title);
    doc.text("link", &[], item.url);
    doc.text("guid", &[("isPermaLink", "true")], item.url);
    doc.text("pubDate", &[], &rfc822(item.date));
    if let Some(author) = item.author.and_then(non_empty) {
        doc.text("dc:creator", &[], author);
    }
    for category in &item.categories {
        doc.text("category", &[], category);
    }
    doc.text("description", &[], &summary);
    if let Some(content) = &content {
        doc.text("content:encoded", &[], content);
    }
    doc.close("item");
}
