//! Reader comments: untrusted Markdown to safe HTML.
//!
//! In: a comment body, written by anyone. Out: HTML that can be printed with `| safe`.
//!
//! Two independent layers, so that a hole in one is not a hole in the page:
//!
//! 1. While the Markdown is turned into events, raw HTML (block or inline) is turned into text, so
//!    `<script>` shows up as the literal characters, images become their alt text, and headings are
//!    demoted below the page's own (`#` becomes `<h3>`), and quotes and lists nested past
//!    [`MAX_NESTING`] lose their tags (their text stays), so a page never gets too deep to show.
//! 2. The HTML is then held to a small allow-list: a few text tags, links whose scheme is http,
//!    https or mailto (checked after entity decoding and URL parsing, so `&#106;avascript:` and
//!    `jav&#x09;ascript:` die too), relative links removed, and `rel="nofollow ugc"` on every link.
//!    No attribute but `href`, `title` and a list's `start` is kept, so there are no styles, classes,
//!    ids or event handlers. `comment_html` checks the HTML tag by tag and writes it as ammonia
//!    would; anything outside the exact shapes it knows is cleaned by ammonia with the same list.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{
    CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};

use super::linkify::Linkify;
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
pub(super) const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// What every link of a comment gets as its `rel`.
pub(super) const LINK_REL: &str = "nofollow ugc";

/// The Markdown extensions a comment may use.
fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// Render a reader's comment (untrusted Markdown) to safe HTML.
pub fn render_comment(markdown: &str) -> String {
    render_comment_with_links(markdown).0
}

/// [`render_comment`] and the comment's links, read as it reads them (lines are within `markdown`),
/// for the link checker, from one parse. Images are left out, since a comment shows only their alt text.
pub fn render_comment_with_links(markdown: &str) -> (String, Vec<LinkRef>) {
    let (html, links) = first_layer(markdown);
    (with_tab_stops(sanitize(&html)), links)
}

/// A reader's long line of code scrolls sideways like an author's, so it gets the same tab stop
/// ([`super::focusable`]); added after the allow-list, which keeps no `tabindex` of a reader's. Safe
/// because in the cleaned HTML `<pre>` can only be a tag: text and attribute values (a link's title)
/// have their `<` escaped on both roads, which `xss_tests` holds. (Comments have no tables.)
fn with_tab_stops(html: String) -> String {
    super::focusable(html, "<pre>", "<pre tabindex=\"0\">")
}

/// The comment through the first layer, written by pulldown-cmark, and its links.
fn first_layer(markdown: &str) -> (String, Vec<LinkRef>) {
    let lines = LineIndex::new(markdown);
    let mut found = Found::default();
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4 + 16);
    {
        let parsed = Parser::new_ext(markdown, options()).into_offset_iter();
        let mut in_dropped_link = false;
        let mut nesting = Vec::new();
        let parsed = Linkify::new(TextMergeWithOffset::new(parsed), markdown);
        let events = CollectLinks::new(parsed, &lines, &mut found)
            .filter_map(neutralize)
            .filter(move |e| keep_link_event(e, &mut in_dropped_link))
            .filter(move |e| keep_nesting_event(e, &mut nesting));
        pulldown_cmark::html::push_html(&mut html, events);
    }
    // Only links the page will show are checked: one the first layer unlinked cannot be broken, and
    // a reader's text must not fail the author's build over it.
    let links = found
        .links
        .into_iter()
        .filter(|l| !l.is_image && survives(&l.dest))
        .collect();
    (html, links)
}

/// The second layer: the HTML checked tag by tag against the allow-list
/// ([`super::comment_html`]), or, when it is not in the shape that check knows, cleaned by ammonia.
fn sanitize(html: &str) -> String {
    super::comment_html::verified(html).unwrap_or_else(|| SANITIZER.clean(html).to_string())
}

/// The first layer: raw HTML becomes text, images their alt text, headings start at `<h3>`, and
/// fenced code loses its language (a class the allow-list would strip anyway).
fn neutralize(event: Event<'_>) -> Option<Event<'_>> {
    Some(match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))
        }
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
            *in_dropped_link = !survives(dest_url);
            !*in_dropped_link
        }
        Event::End(TagEnd::Link) => !std::mem::take(in_dropped_link),
        _ => true,
    }
}

/// How many quotes and lists a comment may nest. A page past 512 levels is one browsers flatten
/// and the HTML checker rejects, and a few lines of `>` reach that; no conversation needs more.
const MAX_NESTING: usize = 16;

/// Quotes, lists and items nested deeper than [`MAX_NESTING`] lose their tags and keep their text.
/// `nesting` holds, for each quote, list or item open, whether its tags were kept. The kept ones are
/// always the outermost, so whether one more is kept follows from the depth alone: counting them at
/// every level made a comment of thousands of `>` cost the square of its length.
fn keep_nesting_event(event: &Event<'_>, nesting: &mut Vec<bool>) -> bool {
    match event {
        Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
            let keep = nesting.len() < MAX_NESTING;
            nesting.push(keep);
            keep
        }
        Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
            nesting.pop().unwrap_or(true)
        }
        _ => true,
    }
}

/// Whether a link to `dest` stays a link in a comment: only full http(s) and mailto addresses do.
/// An address the sanitizer's URL parser refuses (`http://a.example:99999/`) does not survive either:
/// the sanitizer would drop its `href` and leave an `<a>` that links nowhere.
fn survives(dest: &str) -> bool {
    let dest = dest.trim().to_ascii_lowercase();
    let allowed = ALLOWED_SCHEMES.iter().any(|s| {
        dest.strip_prefix(s).is_some_and(|rest| {
            rest.starts_with("://") || (*s == "mailto" && rest.starts_with(':'))
        })
    });
    allowed && url::Url::parse(&dest).is_ok()
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
        .link_rel(Some(LINK_REL))
        .strip_comments(true);
    builder
}

#[cfg(test)]
mod tests {
    use super::{first_layer, render_comment, render_comment_with_links, SANITIZER};
    use crate::markdown::comment_html::verified;

    /// ammonia's output for the first layer's HTML: what every comment got before the check.
    fn by_ammonia(markdown: &str) -> String {
        SANITIZER.clean(&first_layer(markdown).0).to_string()
    }

    /// The check's output, or `None` when it handed the comment to ammonia.
    fn by_check(markdown: &str) -> Option<String> {
        verified(&first_layer(markdown).0)
    }

    #[test]
    fn ordinary_comments_take_the_checked_road_and_match_ammonia() {
        for markdown in [
            "Great tip! I tried it at a meetup last week.",
            "Two *small* **points**:\n\n1. ask\n2. listen\n\n> quoted\n\n---\n\nline  \nbreak",
            "See [my notes](https://example.com/a?b=1&c=2 \"Notes & \\\"more\\\"\") and <me@example.com>.",
            "Tabs\tand \u{a0}non-breaking\u{a0}spaces, \"quotes\", it's — fine & <b>bold</b>?",
            "```rust\nfn main() {}\n```\n\n    indented\n\n`code & <tags>`",
            "# Heading\n\n###### Small\n\n5. five\n6. six\n\n- [x] done\n- ~~no~~",
            "[odd](https://example.com/it's%20here) <https://example.com/ü?q=\"x\">",
        ] {
            let checked = by_check(markdown);
            assert_eq!(checked.as_deref(), Some(by_ammonia(markdown).as_str()), "{markdown:?}");
            assert_eq!(render_comment(markdown), super::with_tab_stops(by_ammonia(markdown)));
        }
    }

    #[test]
    fn unusual_html_goes_to_ammonia() {
        for html in [
            "<p>x</p>\r\n",
            "<p onclick=\"x\">x</p>",
            "<span>x</span>",
            "<p>&quot;</p>",
            "<p>a > b</p>",
            "<a href=\"/relative\">x</a>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"https://[::bad\">x</a>",
            "<ol start=\"\">",
            "<ol start=\"1\" reversed>",
            "<img src=\"https://example.com/x.png\" alt=\"x\" />",
            "<p>x",
            "<>",
        ] {
            assert_eq!(verified(html), None, "{html:?}");
        }
    }

    #[test]
    fn deep_quotes_and_lists_are_flattened_past_the_limit() {
        let quotes = format!("{}deep\n", "> ".repeat(5000));
        let lists: String = (0..2000)
            .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
            .collect();
        for markdown in [quotes, lists] {
            let html = render_comment(&markdown);
            let opened = html.matches("<blockquote>").count()
                + html.matches("<ul>").count()
                + html.matches("<li>").count();
            assert!(opened <= super::MAX_NESTING, "{opened} levels");
            assert!(
                html.contains("deep") || html.contains("item 1999"),
                "{html}"
            );
        }
        let shallow = "> a\n>\n> - b\n>   - c\n";
        assert_eq!(
            render_comment(shallow),
            "<blockquote>\n<p>a</p>\n<ul>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</blockquote>\n"
        );
    }

    #[test]
    fn links_are_read_in_the_same_parse() {
        let (html, links) = render_comment_with_links(
            "a\n\n[x](https://example.com/) ![i](https://example.com/i.png)",
        );
        assert!(html.contains("rel=\"nofollow ugc\""), "{html}");
        assert_eq!(links.len(), 1);
        assert_eq!(
            (links[0].dest.as_str(), links[0].line),
            ("https://example.com/", 3)
        );
    }

    #[test]
    fn links_the_comment_does_not_keep_are_not_reported_for_checking() {
        let (html, links) = render_comment_with_links(
            "[gone](../zzz/) [root](/posts/a/) [js](javascript:x) [kept](https://example.com/#a) \
             [mail](mailto:a@example.com)",
        );
        assert!(
            !html.contains("zzz") && !html.contains("/posts/a/"),
            "{html}"
        );
        let dests: Vec<&str> = links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(dests, ["https://example.com/#a", "mailto:a@example.com"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Whenever the check accepts a comment, it writes exactly what ammonia writes.
        #[test]
        fn the_check_agrees_with_ammonia(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::string::string_regex("[a-z ]{1,12}").unwrap(),
                proptest::string::string_regex("[*_`~#>\\-+=.!\\[\\]()<>&;:/\"'\\\\ \n\t]{1,4}").unwrap(),
                proptest::prop_oneof![
                    proptest::strategy::Just("https://example.com/a?b=1&c=2".to_string()),
                    proptest::strategy::Just("[l](https://ex.com/p \"t&'\\\"<>\")".to_string()),
                    proptest::strategy::Just("<http://ex.com/x>".to_string()),
                    proptest::strategy::Just("<a@b.example>".to_string()),
                    proptest::strategy::Just("[r](/rel)".to_string()),
                    proptest::strategy::Just("[j](javascript:x)".to_string()),
                    proptest::strategy::Just("[b](https://ex ample.com)".to_string()),
                    proptest::strategy::Just("[u](HTTPS://EX.com/ü)".to_string()),
                    proptest::strategy::Just("&amp; &nbsp; &#65; &copy; &bogus;".to_string()),
                    proptest::strategy::Just("\u{a0}\u{e9}\u{2014}\u{1f600}".to_string()),
                    proptest::strategy::Just("\r\n".to_string()),
                    proptest::strategy::Just("\0".to_string()),
                    proptest::strategy::Just("\n\n```js\nx < y && z\n```\n\n".to_string()),
                    proptest::strategy::Just("\n\n7. seven\n8. eight\n\n".to_string()),
                    proptest::strategy::Just("\n\n- a\n  - b\n\n  c\n".to_string()),
                    proptest::strategy::Just("<div onclick=\"x\">y</div>".to_string()),
                    proptest::strategy::Just("![alt](https://ex.com/i.png)".to_string()),
                    proptest::strategy::Just("\n\n# h\n\n".to_string()),
                    proptest::strategy::Just("\n\n***\n\n".to_string()),
                    proptest::strategy::Just("a  \nb".to_string()),
                ],
            ], 0..14)
        ) {
            let markdown: String = parts.concat();
            if let Some(checked) = by_check(&markdown) {
                proptest::prop_assert_eq!(checked, by_ammonia(&markdown), "{:?}", markdown);
            }
        }
    }
}
