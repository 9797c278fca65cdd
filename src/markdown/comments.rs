//! Reader comments: untrusted Markdown to safe HTML.
//!
//! In: a comment body, written by anyone. Out: HTML that can be printed with `| safe`.
//!
//! Two independent layers, so that a hole in one is not a hole in the page:
//!
//! 1. While the Markdown is turned into events, raw HTML (block or inline) is turned into text, so
//!    `<script>` shows up as the literal characters, images become their alt text, and headings are
//!    demoted below the page's own (`#` becomes `<h3>`).
//! 2. The HTML is then cleaned by ammonia with a small allow-list: a few text tags, links whose
//!    scheme is http, https or mailto (checked after entity decoding and URL parsing, so
//!    `&#106;avascript:` and `jav&#x09;ascript:` die too), relative links removed, and
//!    `rel="nofollow ugc"` on every link. No attribute but `href`, `title` and a list's `start` is
//!    kept, so there are no styles, classes, ids or event handlers.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use super::links::{CollectLinks, Found, LineIndex};
use super::LinkRef;

/// The only tags a comment's HTML may keep.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// The only link schemes a comment may use.
const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The Markdown extensions a comment may use.
fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// Render a reader's comment (untrusted Markdown) to safe HTML.
pub fn render_comment(markdown: &str) -> String {
    let mut in_dropped_link = false;
    let events = Parser::new_ext(markdown, options())
        .filter_map(neutralize)
        .filter(move |e| keep_link_event(e, &mut in_dropped_link));
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    SANITIZER.clean(&html).to_string()
}

/// The links of a comment, read as [`render_comment`] reads them (lines are within `markdown`), for the
/// link checker. Images are left out, since a comment shows only their alt text.
pub fn comment_links(markdown: &str) -> Vec<LinkRef> {
    let lines = LineIndex::new(markdown);
    let mut found = Found::default();
    let parsed = Parser::new_ext(markdown, options()).into_offset_iter();
    CollectLinks::new(parsed, &lines, &mut found).for_each(drop);
    found.links.into_iter().filter(|l| !l.is_image).collect()
}

/// The first layer: raw HTML becomes text, images their alt text, headings start at `<h3>`.
fn neutralize(event: Event<'_>) -> Option<Event<'_>> {
    Some(match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => return None,
        Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
            level: demote(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    })
}

/// Links whose address is not an absolute http, https or mailto URL lose their tags and keep their text:
/// the sanitizer would strip such an `href` anyway, and an `<a>` without one is invalid HTML.
fn keep_link_event(event: &Event<'_>, in_dropped_link: &mut bool) -> bool {
    match event {
        Event::Start(Tag::Link {
            link_type: LinkType::Email,
            ..
        }) => true,
        Event::Start(Tag::Link { dest_url, .. }) => {
            let dest = dest_url.trim().to_ascii_lowercase();
            *in_dropped_link = !ALLOWED_SCHEMES.iter().any(|s| {
                dest.strip_prefix(s).is_some_and(|rest| {
                    rest.starts_with("://") || (*s == "mailto" && rest.starts_with(':'))
                })
            });
            !*in_dropped_link
        }
        Event::End(TagEnd::Link) => !std::mem::take(in_dropped_link),
        _ => true,
    }
}

/// Comment headings sit below the page's: `h1` → `h3`, `h2` → `h4`, … , at most `h6`.
fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The second layer, built once: ammonia's defaults are assembled from sets and maps, which costs more
/// than cleaning a short comment.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(sanitizer);

/// Ammonia with an explicit, conservative configuration (nothing left to defaults).
fn sanitizer() -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(HashSet::from(["script", "style"]))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::new())
        .url_schemes(ALLOWED_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("nofollow ugc"))
        .strip_comments(true);
    builder
}
