//! Heading ids, anchor links and the table of contents.
//!
//! In: the event stream. Out: the same stream where every heading carries an `id` (the author's
//! `{#custom-id}`, else a slug of its text made unique within the document) and ends with a small
//! `<a class="anchor">` link to itself; each heading is also recorded, flat, into a sink, and
//! [`nest`] turns that list into the nested TOC. A heading is buffered whole before it is emitted
//! because its id depends on all of its text, which arrives as several events.

use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::{escape_html, TocEntry};

/// Slug of a text, as used for heading ids: ASCII-folded (deunicode), lowercase, every run of
/// characters other than ASCII letters and digits becomes one `-`, no `-` at either end; `section`
/// when nothing is left.
pub fn slugify(text: &str) -> String {
    let folded = deunicode::deunicode(text);
    let mut slug = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// The parts of a heading's start tag.
struct HeadingStart<'a> {
    level: HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
}

/// Whether a heading may not take `id` as its own slug: the default theme's ids on a post's page (the
/// skip link's target `main`, the `comments` section, each `comment-…`) and footnotes' `fn-<number>`.
/// A heading "Comments" becomes `comments-1`, so the cards' `#comments` links still reach the thread.
pub(crate) fn reserved(id: &str) -> bool {
    matches!(id, "main" | "comments")
        || id.starts_with("comment-")
        || id.starts_with("fnref-")
        || super::footnotes::is_footnote_id(id)
}

/// The `{#custom-id}`s of the headings of `markdown`, which slugs of other headings must avoid even
/// when they come first. Only documents that write `{#` are parsed for them.
pub(crate) fn custom_ids(markdown: &str) -> HashSet<String> {
    if !markdown.contains('{') || !markdown.contains("{#") {
        return HashSet::new();
    }
    pulldown_cmark::Parser::new_ext(markdown, super::options())
        .filter_map(|event| match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) if !id.trim().is_empty() => {
                Some(id.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Gives headings ids and anchor links; records them, flat and childless, into `headings`.
pub(crate) struct HeadingIds<'a, 's, I> {
    inner: I,
    headings: &'s mut Vec<TocEntry>,
    used: HashSet<String>,
    /// For each id that was taken, the number its next `-n` suffix is tried from: a page of ten
    /// thousand headings alike would otherwise try every suffix before the free one, each time.
    suffixes: HashMap<String, usize>,
    /// The authors' `{#ids}`, which slugs avoid.
    custom: HashSet<String>,
    pending: VecDeque<Event<'a>>,
}

impl<'a, 's, I: Iterator<Item = Event<'a>>> HeadingIds<'a, 's, I> {
    pub(crate) fn new(inner: I, headings: &'s mut Vec<TocEntry>, custom: HashSet<String>) -> Self {
        HeadingIds {
            inner,
            headings,
            used: HashSet::new(),
            suffixes: HashMap::new(),
            custom,
            pending: VecDeque::new(),
        }
    }

    /// Buffer one heading (its start tag is given, the rest is read from `inner`) into `pending`.
    fn heading(&mut self, start: HeadingStart<'a>) {
        let HeadingStart {
            level,
            id,
            classes,
            attrs,
        } = start;
        let body: Vec<Event<'a>> = self
            .inner
            .by_ref()
            .take_while(|event| !matches!(event, Event::End(TagEnd::Heading(_))))
            .collect();
        let title = plain_text(&body);
        let id = self.assign_id(id, &title);
        self.headings.push(TocEntry {
            level: level_number(level),
            id: id.clone(),
            title,
            children: Vec::new(),
        });

        self.pending.push_back(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id.clone())),
            classes,
            attrs,
        }));
        self.pending.extend(body);
        self.pending
            .push_back(Event::InlineHtml(anchor_html(&id).into()));
        self.pending.push_back(Event::End(TagEnd::Heading(level)));
    }

    /// The author's id if given (kept as written, unless an earlier heading has it already), else a
    /// slug of the title that no heading has, no `{#id}` of the document is and the page does not
    /// [reserve](reserved).
    fn assign_id(&mut self, custom: Option<CowStr<'a>>, title: &str) -> String {
        let (used, suffixes) = (&self.used, &mut self.suffixes);
        let id = match custom {
            Some(custom) if !custom.trim().is_empty() => {
                unused(used, suffixes, custom.to_string(), |_| false)
            }
            _ => {
                // Only the slug itself is checked against the reserved ids: `comment-2-1` would
                // be reserved too, and so would every suffix after it.
                let base = slugify(title);
                let custom = &self.custom;
                let is_reserved = reserved(&base);
                unused(used, suffixes, base.clone(), |id| {
                    custom.contains(id) || (is_reserved && id == base)
                })
            }
        };
        self.used.insert(id.clone());
        id
    }
}

/// `base`, or `base-1`, `base-2`… : the first that is not `used` and `taken` does not hold. Ids are
/// only ever added, so the search for `base` goes on from where the last one stopped (`suffixes`).
fn unused(
    used: &HashSet<String>,
    suffixes: &mut HashMap<String, usize>,
    base: String,
    taken: impl Fn(&str) -> bool,
) -> String {
    let free = |id: &str| !used.contains(id) && !taken(id);
    if free(&base) {
        return base;
    }
    let from = suffixes.get(&base).copied().unwrap_or(1);
    let Some((n, id)) = (from..)
        .map(|n| (n, format!("{base}-{n}")))
        .find(|(_, id)| free(id))
    else {
        return base;
    };
    suffixes.insert(base, n + 1);
    id
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for HeadingIds<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        match self.inner.next()? {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                self.heading(HeadingStart {
                    level,
                    id,
                    classes,
                    attrs,
                });
                self.pending.pop_front()
            }
            event => Some(event),
        }
    }
}

/// The text of a heading without markup: text and inline code, line breaks as spaces.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// The link placed at the end of each heading.
fn anchor_html(id: &str) -> String {
    format!(
        " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
        escape_html(id)
    )
}

fn level_number(level: HeadingLevel) -> u32 {
    level as u32
}

/// Nest a flat, document-ordered list of headings: each heading's children are the deeper headings
/// that follow it until the next heading of its level or higher. A skipped level (an `h4` right
/// after an `h2`) simply nests one step.
pub(crate) fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots = Vec::new();
    let mut open: Vec<TocEntry> = Vec::new();
    for entry in flat {
        while open.last().is_some_and(|top| top.level >= entry.level) {
            close_last(&mut open, &mut roots);
        }
        open.push(entry);
    }
    while !open.is_empty() {
        close_last(&mut open, &mut roots);
    }
    roots
}

/// Pop the innermost open heading and attach it to its parent, or to the roots.
fn close_last(open: &mut Vec<TocEntry>, roots: &mut Vec<TocEntry>) {
    if let Some(done) = open.pop() {
        match open.last_mut() {
            Some(parent) => parent.children.push(done),
            None => roots.push(done),
        }
    }
}
