//! Task-list items whose checkbox has a label: `- [x] Book the venue` becomes
//! `<li><label class="task"><input disabled="" type="checkbox" checked=""/>
//! Book the venue</label></li>`.
//!
//! Why: pulldown-cmark writes the checkbox bare, and a form control without a label is announced by a
//! screen reader as "checkbox, checked" with nothing to say what is done (axe's `label` rule, critical).
//! The item's text up to its first block (a nested list, a second paragraph) becomes the label, since a
//! `<label>` may hold only phrasing content.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Wraps each task checkbox and the text after it in a `<label>`.
pub(crate) struct Labels<'a, I> {
    inner: I,
    /// Inside a label, which the next block boundary closes.
    open: bool,
    /// The event held back while the label's end went out before it.
    held: Option<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Labels<'a, I> {
    pub(crate) fn new(inner: I) -> Self {
        Labels {
            inner,
            open: false,
            held: None,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Labels<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(held) = self.held.take() {
            return Some(held);
        }
        let event = self.inner.next();
        if self.open && event.as_ref().is_none_or(ends_label) {
            self.open = false;
            self.held = event;
            return Some(Event::InlineHtml(CowStr::Borrowed("</label>")));
        }
        match event? {
            Event::TaskListMarker(checked) => {
                self.open = true;
                Some(Event::InlineHtml(CowStr::Borrowed(if checked {
                    "<label class=\"task\"><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n"
                } else {
                    "<label class=\"task\"><input disabled=\"\" type=\"checkbox\"/>\n"
                })))
            }
            other => Some(other),
        }
    }
}

/// Whether `event` is where a task's label must end: the end of its paragraph or item, or the start
/// of any block (phrasing content only inside a label).
fn ends_label(event: &Event<'_>) -> bool {
    match event {
        Event::End(TagEnd::Paragraph | TagEnd::Item) => true,
        Event::Start(tag) => !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::Html(_) | Event::Rule => true,
        _ => false,
    }
}
