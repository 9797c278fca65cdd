//! Reading the finished event list: the `<!-- more -->` marker, the first paragraph, the word count.
//!
//! In: the events after every adapter has run (code blocks are already HTML, headings already carry
//! their anchors). Out: positions in that list, so that [`super::render`] can render the summary and
//! the first paragraph from the very events the page is rendered from. These are plain functions over
//! a slice rather than adapters because they need to look back (where did the paragraph start?) and
//! their answers are indices.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// Index of the top-level HTML block that is exactly `<!-- more -->` (any case, any whitespace).
pub(crate) fn more_marker(events: &[Event<'_>]) -> Option<usize> {
    let mut depth = 0usize;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::HtmlBlock) if depth == 0 => {
                if is_more_marker(&block_text(&events[index + 1..])) {
                    return Some(index);
                }
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The raw HTML of a block, read up to its end tag (pulldown-cmark gives indentation as text).
fn block_text(events: &[Event<'_>]) -> String {
    events
        .iter()
        .map_while(|event| match event {
            Event::Html(html) | Event::Text(html) => Some(html.as_ref()),
            _ => None,
        })
        .collect()
}

fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("more"))
}

/// Events of the first paragraph, start and end tags included: the first top-level one, else the
/// first one nested in a list or quote. Paragraphs of footnotes never count.
pub(crate) fn first_paragraph(events: &[Event<'_>]) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut in_footnote = 0usize;
    let mut nested: Option<usize> = None;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => return paragraph_at(events, index),
            Event::Start(Tag::Paragraph) if in_footnote == 0 => {
                nested.get_or_insert(index);
            }
            Event::Start(Tag::FootnoteDefinition(_)) => in_footnote += 1,
            Event::End(TagEnd::FootnoteDefinition) => in_footnote = in_footnote.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    nested.and_then(|start| paragraph_at(events, start))
}

/// The range from a paragraph's start tag (at `start`) to its end tag, inclusive.
fn paragraph_at(events: &[Event<'_>], start: usize) -> Option<Range<usize>> {
    let length = events[start..]
        .iter()
        .position(|event| matches!(event, Event::End(TagEnd::Paragraph)))?;
    Some(start..start + length + 1)
}

/// Whitespace-separated words that contain a letter or digit (ASCII handled byte by byte, the rest by
/// `char`): the same count as `split_whitespace` + `is_alphanumeric`, without the per-word iterator.
/// The loop has no branch on the class of a byte: prose changes class every few bytes, and a
/// mispredicted branch at each change cost more than the counting itself. Text goes 64 bytes at a
/// time: a chunk that is all ASCII (nearly every one) runs through a table with nothing else to check,
/// and only a chunk holding other characters is decoded.
fn words_in(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut words = Words::default();
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + 64).min(bytes.len());
        let chunk = &bytes[i..end];
        if chunk.is_ascii() {
            for &b in chunk {
                words.step(ASCII_CLASS[usize::from(b & 0x7F)]);
            }
            i = end;
            continue;
        }
        // A character may run past the chunk's end; the next chunk starts after it.
        while i < end {
            let c = text[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            words.step(match c {
                c if c.is_whitespace() => SPACE,
                c if c.is_alphanumeric() => ALNUM,
                _ => OTHER,
            });
        }
    }
    words.count
}

/// The running state of [`words_in`]: words so far, and whether the current one was counted.
#[derive(Default)]
struct Words {
    count: usize,
    counted: bool,
}

impl Words {
    #[inline(always)]
    fn step(&mut self, class: u8) {
        let alnum = class == ALNUM;
        self.count += usize::from(alnum & !self.counted);
        self.counted = (self.counted | alnum) & (class != SPACE);
    }
}

const OTHER: u8 = 0;
const SPACE: u8 = 1;
const ALNUM: u8 = 2;

/// What each ASCII byte is to [`words_in`]: whitespace (as `char::is_whitespace` sees it, so
/// vertical tab too), a letter or digit, or anything else.
const ASCII_CLASS: [u8; 128] = {
    let mut table = [OTHER; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_whitespace() || c == 0x0B {
            SPACE
        } else if c.is_ascii_alphanumeric() {
            ALNUM
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

/// Words of prose: text and inline code split on whitespace, counting only pieces that hold a letter
/// or digit (a lone `—` is not a word). Code blocks are skipped.
pub(crate) fn count_words(events: &[Event<'_>]) -> usize {
    let mut in_code_block = false;
    let mut words = 0;
    for event in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(text) | Event::Code(text) if !in_code_block => {
                words += words_in(text);
            }
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod word_tests {
    use super::words_in;

    #[test]
    fn counts_like_split_whitespace() {
        for text in [
            "",
            "one",
            " two  words ",
            "a — b",
            "tab\tand\nnew line",
            "ünïcödé wörds 123",
            "— … !!",
            "x\u{a0}y",
            "\u{3000}全角 スペース",
            // A word that a 64-byte chunk boundary splits inside a character, and after it.
            &format!("{}é{} x", "a ".repeat(31) + "b", "c".repeat(70)),
            &format!("{}—word", " ".repeat(63)),
        ] {
            let expected = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            assert_eq!(words_in(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn counts_like_split_whitespace_on_any_text(text in "[a-c0-9 \t\n\u{0b}\u{1c}.—’\u{a0}\u{3000}é全!-]{0,300}") {
            let expected = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            proptest::prop_assert_eq!(words_in(&text), expected);
        }
    }
}
