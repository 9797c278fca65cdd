//! Markdown → HTML, plus everything the rest of the site needs to know about a document.
//!
//! In: the Markdown body of a post, page or series description (front matter already removed), and a
//! shared [`Highlighter`]. Out: a [`Rendered`] holding the HTML, the table of contents, the summary
//! split at `<!-- more -->`, the first paragraph, a word count, every heading id and every link with
//! its line, so that listings, feeds and `lanyard check` never parse the Markdown a second time.
//!
//! Why it is shaped this way: pulldown-cmark produces a stream of events, and each concern of ours is
//! a small iterator adapter over that stream, chained in [`render`]:
//!
//! ```text
//! parser (with offsets) → merge text → linkify::Linkify → links::CollectLinks
//!   → anchors::HeadingIds → highlight::CodeBlocks → Vec<Event> → summary, HTML
//! ```
//!
//! * consecutive text events are merged first (smart punctuation splits `it's` into three), so that
//!   every later stage sees whole words;
//! * `linkify` makes bare URLs links, before `links` records links;
//! * `links` needs byte offsets, so it comes early and drops them for the stages after it;
//! * `anchors` gives headings ids, anchor links and TOC entries;
//! * `highlight` turns fenced code into classed HTML (syntect loaded lazily, on first use);
//! * `summary` then reads the finished event list to find the `<!-- more -->` marker, the first
//!   paragraph and the word count, and the same events are rendered to HTML once per output;
//! * for the full page, `footnotes` then moves the definitions to the end, and `tasks` labels each
//!   task checkbox with its text on the way to HTML; tables get a tab stop in the HTML.
//!
//! Each stage can be read and tested alone, and adding a concern means adding an adapter, not growing
//! a match. Stages report what they saw through a `&mut` sink rather than global state, so [`render`]
//! has no side effect but the one-time loading of syntaxes, and can be called from many threads at
//! once with one shared [`Highlighter`].
//!
//! Reader comments are untrusted and take a different road: [`render_comment`] (in `comments`)
//! escapes all raw HTML and then checks the result against an allow-list (`comment_html`), handing
//! anything outside the shape it knows to ammonia.
//!
//! The `<!-- more -->` marker: an HTML block at the top level of the document whose only content is
//! that comment (any case, any whitespace inside and around). Everything before it is
//! [`Rendered::more_html`]; the comment itself is kept in [`Rendered::html`] (it is invisible), so
//! the full page is exactly the rendered Markdown. A marker nested in a list or quote is ignored, since
//! cutting there would leave the summary's HTML unbalanced.

mod anchors;
mod comment_html;
mod comments;
mod contrast;
mod footnotes;
mod highlight;
mod linkify;
mod links;
mod summary;
mod tasks;
mod text;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod xss_tests;

use pulldown_cmark::{Event, Options, Parser, TextMergeWithOffset};

pub use anchors::slugify;
pub use comments::{render_comment, render_comment_with_links};
pub use highlight::Highlighter;
pub use links::TemplateSyntax;
pub use text::plain_text;
pub(crate) use text::tag_end;

/// One heading of the table of contents.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct TocEntry {
    /// 1 to 6, from `<h1>` to `<h6>`.
    pub level: u32,
    /// The heading's `id` attribute (without `#`).
    pub id: String,
    /// The heading's text, plain (no markup).
    pub title: String,
    /// Headings of a deeper level that follow this one, up to the next heading of this level or higher.
    pub children: Vec<TocEntry>,
}

/// The table of contents as nested ordered lists, `<ol><li><a href="#id">Title</a><ol>…</ol></li></ol>`
/// (a line per item), or nothing when there is no heading. Templates get it as `toc_html` beside the `toc` structure:
/// printing a ready list costs a page nothing, where a recursive template macro walked the tree
/// for every post.
pub fn toc_html(toc: &[TocEntry]) -> String {
    fn list(entries: &[TocEntry], html: &mut String) {
        if entries.is_empty() {
            return;
        }
        html.push_str("<ol>\n");
        for entry in entries {
            html.push_str("<li><a href=\"#");
            html.push_str(&escape_html(&entry.id));
            html.push_str("\">");
            html.push_str(&escape_html(&entry.title));
            html.push_str("</a>");
            list(&entry.children, html);
            html.push_str("</li>\n");
        }
        html.push_str("</ol>");
    }
    let mut html = String::new();
    list(toc, &mut html);
    html
}

/// A link or image found in the Markdown, for the link checker.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRef {
    /// The destination as written, after entity decoding. Email autolinks (`<me@example.com>`) are
    /// given as `mailto:me@example.com`, as in the HTML.
    pub dest: String,
    /// The plain text of the link, or the alt text of an image.
    pub text: String,
    /// 1-based line, within the Markdown given to [`render`], where the link starts.
    pub line: usize,
    /// `true` for `![alt](src)`.
    pub is_image: bool,
}

/// The result of [`render`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The whole document as HTML.
    pub html: String,
    /// The headings, nested by level.
    pub toc: Vec<TocEntry>,
    /// HTML of everything before a top-level `<!-- more -->` line, if there is one.
    pub more_html: Option<String>,
    /// HTML of the first paragraph, `<p>` tags included; `""` if the document has none.
    pub first_paragraph_html: String,
    /// Words of prose: code blocks, HTML and stand-alone punctuation (`—`) are not counted.
    pub word_count: usize,
    /// Every id a heading got, in document order (for anchor checking).
    pub heading_ids: Vec<String>,
    /// Every link and image, in document order.
    pub links: Vec<LinkRef>,
    /// Lines of images whose alt text is empty.
    pub images_without_alt: Vec<usize>,
    /// Another generator's template syntax left in the text, which is published as written.
    pub template_syntax: Vec<TemplateSyntax>,
}

/// The pulldown-cmark extensions lanyard turns on for authors' Markdown.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Whether `text` holds `first` right before `second`, where `second` is a rare byte (`^`, `#`…):
/// one byte search, cheaper than a substring search on every document.
fn follows(text: &str, first: u8, second: u8) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(second, bytes).any(|at| at > 0 && bytes[at - 1] == first)
}

/// Render an author's Markdown (trusted: raw HTML passes through) to HTML and collect what the
/// site needs to know about it. Safe to call from many threads with one shared `highlighter`.
pub fn render(markdown: &str, highlighter: &Highlighter) -> Rendered {
    let lines = links::LineIndex::new(markdown);
    let mut found = links::Found::default();
    let mut headings = Vec::new();

    let mut events: Vec<Event<'_>> = {
        let parsed = Parser::new_ext(markdown, options()).into_offset_iter();
        let parsed = linkify::Linkify::new(TextMergeWithOffset::new(parsed), markdown);
        let stream = links::CollectLinks::new(parsed, &lines, &mut found).with_raw_html();
        let stream = anchors::HeadingIds::new(stream, &mut headings, anchors::custom_ids(markdown));
        // Prose makes an event per 30 to 40 bytes: sized for one per 24, the list is not copied as
        // it grows.
        let mut events = Vec::with_capacity(markdown.len() / 24);
        events.extend(highlight::CodeBlocks::new(stream, highlighter));
        events
    };

    let more_at = summary::more_marker(&events);
    let first_paragraph = summary::first_paragraph(&events);
    let definitions = if follows(markdown, b'[', b'^') {
        let heading_ids = headings.iter().map(|h| h.id.as_str()).collect();
        footnotes::number(&mut events, &heading_ids)
    } else {
        Vec::new()
    };
    let more_html = more_at.map(|(at, in_paragraph)| {
        let before = &events[..at];
        // Inside a paragraph the marker follows some text: a line that starts with `<!--` is an
        // HTML block, not a paragraph.
        let html = if in_paragraph {
            let mut cut = before.to_vec();
            if let Some(Event::Text(text)) = cut.last_mut() {
                *text = text.trim_end().to_string().into();
            }
            cut.push(Event::End(pulldown_cmark::TagEnd::Paragraph));
            to_html(&cut)
        } else {
            to_html(before)
        };
        summary::balanced(html)
    });
    let first_paragraph_html = first_paragraph
        .map(|range| to_html(&events[range]).trim_end().to_string())
        .unwrap_or_default();
    let word_count = summary::count_words(&events);
    footnotes::to_the_end(&mut events, &definitions);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, tasks::Labels::new(events.into_iter()));
    if memchr::memchr(b'|', markdown.as_bytes()).is_some() {
        html = focusable(html, "<table>", "<table tabindex=\"0\">");
    }

    Rendered {
        html,
        heading_ids: headings.iter().map(|h| h.id.clone()).collect(),
        toc: anchors::nest(headings),
        more_html,
        first_paragraph_html,
        word_count,
        links: found.links,
        images_without_alt: found.images_without_alt,
        template_syntax: found.template_syntax,
    }
}

/// Render a slice of the processed events to HTML (the full page consumes the events instead).
fn to_html(events: &[Event<'_>]) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, tasks::Labels::new(events.iter().cloned()));
    focusable(html, "<table>", "<table tabindex=\"0\">")
}

/// `html` with every `tag` (a start tag exactly as pulldown-cmark writes it) replaced by `with`, the
/// same tag with `tabindex="0"`. Tables and code blocks scroll sideways inside the column when they are
/// wide, and a region that scrolls but takes no focus cannot be scrolled from the keyboard (WCAG
/// 2.1.1; axe's `scrollable-region-focusable`). Text never holds `<table>` as such: it is escaped.
pub(crate) fn focusable(html: String, tag: &str, with: &str) -> String {
    if memchr::memmem::find(html.as_bytes(), tag.as_bytes()).is_none() {
        return html;
    }
    html.replace(tag, with)
}

/// Escape text for use in HTML text or a double-quoted attribute value.
///
/// Most values (titles, URLs, dates) need no escaping at all: a table lookup per byte finds the first
/// byte that does, and a value without one is copied whole.
pub fn escape_html(text: &str) -> String {
    if !text.bytes().any(|b| NEEDS_ESCAPE[usize::from(b)]) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 8);
    let Ok(()) = escape_pieces(text, |piece| {
        out.push_str(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// [`escape_html`] written to `out` instead of returned. Templates print over a million values in a
/// build of ten thousand posts, each escaped: writing the pieces where they go saves a string per value.
pub fn escape_html_into(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escape_pieces(text, |piece| out.write_all(piece.as_bytes()))
}

/// The escaped form of `text` as a series of pieces: runs of plain text and entities, in order.
fn escape_pieces<E>(text: &str, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut plain_from = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if !NEEDS_ESCAPE[usize::from(b)] {
            continue;
        }
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        };
        emit(&text[plain_from..i])?;
        emit(entity)?;
        plain_from = i + 1;
    }
    emit(&text[plain_from..])
}

/// The bytes [`escape_html`] replaces.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table
};
