//! Footnote ids: the author's label where it makes a good id, a number (`fn-1`) where it does not.
//!
//! Why: pulldown-cmark writes a footnote's label as its id and link (`[^source]` → `id="source"`,
//! `href="#source"`), which authors link to (`[the note](#source)`), so a label that makes a good id
//! stays one. Two kinds do not: a label a heading of the page already has as its id ("Source" → `#source`),
//! where the reference jumped to the heading and the page had one id twice; and a label with a space or
//! other character (`[^my note]`, which CommonMark allows), which is no valid id or URL fragment. Those get
//! the footnote's number instead, `fn-<number>`, which no heading takes ([`super::anchors`] keeps
//! headings off it).
//!
//! The markup is pulldown-cmark's own but for the ids, so themes style footnotes as before, and for a
//! way back: the first reference to a footnote has the id `fnref-<id>`, and the footnote's number
//! links to it, as on GitHub. Numbers
//! follow first appearance, of a reference or a definition, in the whole document, as pulldown-cmark
//! numbers them; a summary cut from the document keeps the document's numbers.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

/// Rewrite footnote references and definitions in `events` in place, one event for one event, so
/// that positions found earlier in the list still hold. `heading_ids` are the ids the document's
/// headings took. Returns where each definition is: the index of its first and last event, for
/// [`to_the_end`].
pub(crate) fn number(events: &mut [Event<'_>], heading_ids: &HashSet<&str>) -> Vec<(usize, usize)> {
    // Label (as CommonMark matches them, case-insensitively) → (number, id).
    let mut footnotes: HashMap<String, (usize, String)> = HashMap::new();
    let mut footnote = |label: &str| {
        let next = footnotes.len() + 1;
        footnotes
            .entry(label.to_lowercase())
            .or_insert_with(|| (next, id_for(label, next, heading_ids)))
            .clone()
    };
    // The labels some reference uses: their definitions link back to the first such reference.
    let referenced: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::FootnoteReference(label) => Some(label.to_lowercase()),
            _ => None,
        })
        .collect();
    let mut first_seen = HashSet::new();
    let mut definitions = Vec::new();
    let mut open = Vec::new();
    for (at, event) in events.iter_mut().enumerate() {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => open.push(at),
            Event::End(TagEnd::FootnoteDefinition) => {
                // Only the outermost: a definition inside another moves with it.
                if let (Some(start), true) = (open.pop(), open.is_empty()) {
                    definitions.push((start, at));
                }
            }
            _ => {}
        }
        let html = match event {
            Event::FootnoteReference(label) => {
                let (n, id) = footnote(label);
                let anchor = match first_seen.insert(label.to_lowercase()) {
                    true => format!(" id=\"fnref-{id}\""),
                    false => String::new(),
                };
                Event::InlineHtml(
                    format!(
                        "<sup class=\"footnote-reference\"{anchor}><a href=\"#{id}\">{n}</a></sup>"
                    )
                    .into(),
                )
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (n, id) = footnote(label);
                let number = match referenced.contains(&label.to_lowercase()) {
                    true => format!("<a href=\"#fnref-{id}\">{n}</a>"),
                    false => n.to_string(),
                };
                Event::Html(
                    format!(
                        "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{number}</sup>"
                    )
                    .into(),
                )
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>\n".into()),
            _ => continue,
        };
        *event = html;
    }
    definitions
}

/// The label itself if it is a plain id (ASCII letters, digits, `-`, `_`, `.`) that no heading and
/// nothing of the page's own has, else `fn-<n>`.
fn id_for(label: &str, n: usize, heading_ids: &HashSet<&str>) -> String {
    let plain = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    // `reserved` holds `fn-<digits>` too, so no label takes another footnote's number.
    if plain && !heading_ids.contains(label) && !super::anchors::reserved(label) {
        label.to_string()
    } else {
        format!("fn-{n}")
    }
}

/// Whether `id` has the shape [`number`] gives a footnote it cannot name by its label.
pub(crate) fn is_footnote_id(id: &str) -> bool {
    id.strip_prefix("fn-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Move the footnote definitions at `definitions` (from [`number`]) to the end of the document, in
/// the order they were written, as GitHub, Hugo and Jekyll show them: pulldown-cmark writes each where
/// it was defined, so a note defined after the first paragraph showed, rule and all, in the middle of
/// the article. Runs after the summaries are cut, which keep their notes where they were.
pub(crate) fn to_the_end(events: &mut Vec<Event<'_>>, definitions: &[(usize, usize)]) {
    if definitions.is_empty() {
        return;
    }
    let mut kept = Vec::with_capacity(events.len());
    let mut notes = Vec::new();
    let mut next = definitions.iter().peekable();
    for (at, event) in events.drain(..).enumerate() {
        while next.peek().is_some_and(|&&(_, end)| end < at) {
            next.next();
        }
        match next.peek() {
            Some(&&(start, end)) if (start..=end).contains(&at) => notes.push(event),
            _ => kept.push(event),
        }
    }
    kept.append(&mut notes);
    *events = kept;
}
