//! Feeds: posts in, RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents out.
//!
//! The render stage hands this module borrowed [`FeedItem`]s (already sorted, already limited to
//! `feeds.limit`) and one [`FeedMeta`] per feed: the site-wide feed, and one per tag and series page.
//! Each format function returns the whole document as a `String`, with no I/O, so rendering stays
//! pure and a test can parse the result straight back.
//!
//! Why it is shaped this way:
//!
//! - **Feeds leave the site.** A reader shows the HTML with no base URL, so every `href`, `src`,
//!   `srcset` and `poster` is made absolute first ([`absolutize`]); relative links resolve against
//!   the item's own permalink, root-relative ones against the site URL.
//! - **XML is written, never pasted.** RSS and Atom go through quick-xml's `Writer` (see `xml.rs`),
//!   which escapes every text and attribute, so `]]>`, `<script>` or `&` in a title cannot break
//!   the document. Characters XML 1.0 forbids (control characters other than tab, CR and LF, and
//!   U+FFFE/U+FFFF) are dropped from everything written, because one of them makes a strict reader
//!   reject the whole feed.
//! - **Same input, same bytes.** Items keep the order given; the only clock read is Atom's
//!   mandatory feed-level `<updated>` when there is no item and no [`FeedMeta::updated`].
//! - **Each format's rules, not the lowest common denominator.** RSS names authors with
//!   `dc:creator` (its own `<author>` must be an e-mail address); every Atom entry gets an author
//!   (falling back to the site title) because Atom requires one; JSON Feed's `summary` is plain
//!   text, so the HTML summary is flattened there.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, FixedOffset};

mod absolute;
mod atom;
mod json;
mod rss;
mod xml;

#[cfg(test)]
mod tests;

pub use absolute::{absolutize, outside_base_path, urls_in, with_base_path};
pub use atom::atom;
pub use json::json;
pub use rss::rss;

/// One post as it appears in a feed.
#[derive(Debug, Clone)]
pub struct FeedItem<'a> {
    pub title: &'a str,
    /// Absolute permalink; also the item's stable id (RSS `guid`, Atom and JSON `id`).
    pub url: &'a str,
    pub date: DateTime<FixedOffset>,
    pub updated: Option<DateTime<FixedOffset>>,
    /// Display name.
    pub author: Option<&'a str>,
    /// Absolute URL for the author (Atom `<uri>`, JSON Feed `url`): their own site, else their page here.
    pub author_url: Option<&'a str>,
    pub categories: Vec<&'a str>,
    /// HTML; links may be root-relative or relative to `url`.
    pub summary_html: &'a str,
    /// Full HTML body, `Some` when the site publishes full content; links as in `summary_html`.
    pub content_html: Option<&'a str>,
    /// The links of `summary_html` and `content_html` are absolute already ([`absolutize`] made them,
    /// against the feed's `site_url` and this item's `url`), so they are written as they are. A post
    /// is in several feeds, each in three formats: the build makes its links absolute once.
    pub absolute: bool,
}

/// What describes one feed as a whole.
#[derive(Debug, Clone)]
pub struct FeedMeta<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// Absolute, no trailing slash, e.g. `https://tips.example.com`.
    pub site_url: &'a str,
    /// Absolute URL of the HTML page this feed mirrors (site home, tag page, series page).
    pub home_url: &'a str,
    /// Absolute URL of this feed file.
    pub feed_url: &'a str,
    /// E.g. `lanyard 0.1.0`.
    pub generator: &'a str,
    /// When the feed last changed apart from its items, if known. The feed's own date is the
    /// newest of this and every item's date; with no items and no `updated`, RSS omits
    /// `lastBuildDate` and Atom falls back to the current time.
    pub updated: Option<DateTime<FixedOffset>>,
}

/// Drops the characters XML 1.0 does not allow: control characters other than tab, LF and CR
/// (C0, DEL and C1), and U+FFFE/U+FFFF. Borrows when there is nothing to drop, which a scan of the
/// bytes tells without decoding characters (feed bodies are long, and nearly always clean).
fn clean(text: &str) -> Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
    }
    if has_disallowed(text.as_bytes()) {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether UTF-8 `bytes` hold a character [`clean`] drops: C0 controls other than tab, LF and CR and
/// DEL are single bytes; C1 controls (U+0080–U+009F) are `C2 80`–`C2 9F`; U+FFFE and U+FFFF are
/// `EF BF BE` and `EF BF BF`. The control bytes are looked for without branches, a chunk at a time, so
/// that the compiler can vectorize the common, clean case; the two lead bytes with `memchr`.
fn has_disallowed(bytes: &[u8]) -> bool {
    let control = |b: u8| ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0x7F);
    if bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | control(b)))
    {
        return true;
    }
    memchr::memchr2_iter(0xC2, 0xEF, bytes).any(|i| match bytes[i] {
        0xC2 => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        _ => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
    })
}

/// About how many bytes a feed of `items` takes: their HTML, escaped, plus the elements around it.
fn size_hint(items: &[FeedItem]) -> usize {
    items
        .iter()
        .map(|item| {
            let html = item.summary_html.len() + item.content_html.map_or(0, str::len);
            html + html / 4 + 1024
        })
        .sum::<usize>()
        + 2048
}

/// The feed's own date: the newest of `meta.updated` and every item's date or update.
fn last_change(meta: &FeedMeta, items: &[FeedItem]) -> Option<DateTime<FixedOffset>> {
    items
        .iter()
        .map(|item| {
            item.updated
                .map_or(item.date, |updated| updated.max(item.date))
        })
        .chain(meta.updated)
        .max()
}

/// The item's summary and optional full content with every link made absolute.
fn bodies<'a>(meta: &FeedMeta, item: &FeedItem<'a>) -> (Cow<'a, str>, Option<Cow<'a, str>>) {
    let absolute = |html: &'a str| match item.absolute {
        true => Cow::Borrowed(html),
        false => Cow::Owned(absolutize(html, meta.site_url, item.url)),
    };
    (absolute(item.summary_html), item.content_html.map(absolute))
}

/// RFC 822 as RSS uses it (`Tue, 1 Jul 2003 10:52:37 +0200`). chrono panics outside years
/// 0..=9999, which no format can express; such a date is written in the same shape instead.
fn rfc822(date: DateTime<FixedOffset>) -> String {
    if (0..=9999).contains(&date.year()) {
        date.to_rfc2822()
    } else {
        date.format("%a, %-d %b %Y %H:%M:%S %z").to_string()
    }
}

/// RFC 3339, as Atom and JSON Feed use it.
fn rfc3339(date: DateTime<FixedOffset>) -> String {
    date.to_rfc3339()
}

/// `Some(text)` unless `text` is empty: optional elements are left out rather than written empty.
fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.is_empty())
}
