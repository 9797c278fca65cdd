//! Reading the finished event list: the `<!-- more -->` marker, the first paragraph, the word count.
//!
//! In: the events after every adapter has run (code blocks are already HTML, headings already carry
//! their anchors). Out: positions in that list, so that [`super::render`] can render the summary and
//! the first paragraph from the very events the page is rendered from. These are plain functions over
//! a slice rather than adapters because they need to look back (where did the paragraph start?) and
//! their answers are indices.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// Where the summary ends: the index of the top-level HTML block that is exactly `<!-- more -->` (any
/// case, any whitespace), or of such a comment inside a top-level paragraph (`Intro. <!--more--> Rest`,
/// which Hugo takes too). With the paragraph's: the summary is the events before it, with that
/// paragraph closed.
pub(crate) fn more_marker(events: &[Event<'_>]) -> Option<(usize, bool)> {
    let mut depth = 0usize;
    let mut in_paragraph = false;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::HtmlBlock) if depth == 0 => {
                if is_more_marker(&block_text(&events[index + 1..])) {
                    return Some((index, false));
                }
                depth += 1;
            }
            Event::InlineHtml(html) if depth == 1 && in_paragraph && is_more_marker(html) => {
                return Some((index, true));
            }
            Event::Start(tag) => {
                if depth == 0 {
                    in_paragraph = matches!(tag, Tag::Paragraph);
                }
                depth += 1;
            }
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

/// `html` with the elements it leaves open closed at its end. A `<!-- more -->` inside a raw `<div>`
/// or `<details>` ends the summary before the element's end tag, and a listing that shows it would
/// have its own markup swallowed (the card's `</article>` closing the author's `<div>`). Markdown's
/// own tags are always balanced, so only raw HTML can leave one open, and a summary without any is
/// returned as it is after one search for `<` that finds only balanced tags.
pub(crate) fn balanced(mut html: String) -> String {
    let open = open_elements(&html);
    for name in open.iter().rev() {
        html.push_str("</");
        html.push_str(name);
        html.push('>');
    }
    html
}

/// Elements with no end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The elements `html` opens and does not close, outermost first.
fn open_elements(html: &str) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest[usize::from(closing)..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() {
            continue;
        }
        let end = super::text::tag_end(rest).unwrap_or(rest.len());
        let self_closing = rest[..end].ends_with('/');
        rest = &rest[end..];
        if closing {
            if let Some(at) = open.iter().rposition(|n| *n == name) {
                open.truncate(at);
            }
        } else if matches!(name.as_str(), "script" | "style" | "textarea") {
            // Their text is not markup: skip to the end tag, in whatever case it is written.
            let end_tag = format!("</{name}");
            rest = super::text::find_ignoring_case(rest, &end_tag).map_or("", |at| &rest[at..]);
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            open.push(name);
        }
    }
    open
}

/// Events of the first paragraph, start and end tags included: the first top-level one, else the
/// first one nested in a list or quote, else (a post that is one tight list, whose items hold no
/// paragraphs) the first top-level list. Paragraphs of footnotes never count.
pub(crate) fn first_paragraph(events: &[Event<'_>]) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut in_footnote = 0usize;
    let mut nested: Option<usize> = None;
    let mut list: Option<usize> = None;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => return block_at(events, index),
            Event::Start(Tag::Paragraph) if in_footnote == 0 => {
                nested.get_or_insert(index);
            }
            Event::Start(Tag::List(_)) if depth == 0 => {
                list.get_or_insert(index);
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
    match (nested, list) {
        (Some(start), _) | (None, Some(start)) => block_at(events, start),
        (None, None) => None,
    }
}

/// The range from the start tag at `start` (a paragraph's, a list's) to its own end tag, inclusive.
fn block_at(events: &[Event<'_>], start: usize) -> Option<Range<usize>> {
    let mut depth = 0usize;
    for (offset, event) in events[start..].iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(start..start + offset + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whitespace-separated words that contain a letter or digit: the same count as `split_whitespace` +
/// `is_alphanumeric`, without the per-word iterator. Text goes 64 bytes at a time. A whole chunk of
/// ASCII (nearly every one) is classified eight bytes per step into two bit masks ([`Words::chunk`]);
/// a shorter or non-ASCII chunk goes byte by byte through a table, or by `char` where it must, with no
/// branch on the class of a byte (prose changes class every few bytes, and a mispredicted branch at
/// each change cost more than the counting itself).
fn words_in(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut words = Words::default();
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + 64).min(bytes.len());
        let chunk = &bytes[i..end];
        if chunk.is_ascii() {
            match <&[u8; 64]>::try_from(chunk) {
                Ok(whole) => words.chunk(whole),
                Err(_) => chunk
                    .iter()
                    .for_each(|&b| words.step(ASCII_CLASS[usize::from(b & 0x7F)])),
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

    /// 64 ASCII bytes at once. With one bit per byte for whitespace (`space`) and for letters and
    /// digits (`alnum`), `!space + alnum` carries from each word's first letter through the rest of
    /// the word into the whitespace after it: the bits set at whitespace are the words that end in
    /// the chunk and hold a letter or digit, and a carry out of the top is a word still open. A word
    /// open from the previous chunk comes in as the carry. [`Words::step`] counts a word at its first
    /// letter, this at its end, so the word that came in counted is taken off and the one going out
    /// is counted now.
    fn chunk(&mut self, bytes: &[u8; 64]) {
        let (space, alnum) = ascii_masks(bytes);
        let carry_in = u64::from(self.counted);
        let (sum, over) = (!space).overflowing_add(alnum);
        let (sum, over_again) = sum.overflowing_add(carry_in);
        let open = over | over_again;
        self.count += (sum & space).count_ones() as usize + usize::from(open);
        self.count -= carry_in as usize;
        self.counted = open;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Bit `i` set where `bytes[i]` is whitespace (as [`ASCII_CLASS`] has it), and where it is a letter or
/// digit. Eight bytes at a time in a `u64`; every byte is below 0x80, so no lane carries into the next.
fn ascii_masks(bytes: &[u8; 64]) -> (u64, u64) {
    let (mut space, mut alnum) = (0, 0);
    for (k, eight) in bytes.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().unwrap_or_default());
        let sp = between(x, b'\t', b'\r') | between(x, b' ', b' ');
        let an = between(x | (ONES * 0x20), b'a', b'z') | between(x, b'0', b'9');
        space |= high_bits(sp) << (8 * k);
        alnum |= high_bits(an) << (8 * k);
    }
    (space, alnum)
}

/// The top bit of each byte of `x` (all below 0x80) that lies in `lo..=hi`.
#[inline(always)]
fn between(x: u64, lo: u8, hi: u8) -> u64 {
    let above_lo = x.wrapping_add(ONES * u64::from(0x80 - lo));
    let above_hi = x.wrapping_add(ONES * u64::from(0x7F - hi));
    above_lo & !above_hi & (ONES << 7)
}

/// The top bits of the eight bytes of `m` as the low eight bits, the first byte's lowest.
#[inline(always)]
fn high_bits(m: u64) -> u64 {
    (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
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

    #[test]
    fn chunk_masks_agree_with_the_table() {
        let all: Vec<u8> = (0..128).collect();
        for half in all.chunks_exact(64) {
            let (space, alnum) = super::ascii_masks(half.try_into().unwrap());
            for (i, &b) in half.iter().enumerate() {
                let class = super::ASCII_CLASS[usize::from(b)];
                assert_eq!(space >> i & 1 == 1, class == super::SPACE, "{b:#x}");
                assert_eq!(alnum >> i & 1 == 1, class == super::ALNUM, "{b:#x}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn counts_like_split_whitespace_on_long_ascii_text(
            ascii in "([a-c0-9]{1,9}|[ \t\n\u{0b}]{1,3}|[.!'-]{1,2}|\u{1c}){0,160}",
            other in proptest::option::of((0usize..1000, "[é—\u{a0}]")),
        ) {
            // Mostly whole ASCII chunks, sometimes one character that sends a chunk the slow way.
            let mut text = ascii;
            if let Some((at, c)) = other {
                let at = at.min(text.len());
                text.insert_str(at, &c);
            }
            let expected = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            proptest::prop_assert_eq!(words_in(&text), expected);
        }

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
