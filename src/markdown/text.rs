//! HTML flattened to plain text, for meta descriptions and feed summaries: one pass, no parser, no
//! allocation beyond the result.

/// Elements after which flattened text needs a space, so paragraphs do not run together.
const BLOCKS: [&str; 22] = [
    "address",
    "blockquote",
    "br",
    "dd",
    "div",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "td",
    "th",
    "ul",
];

/// HTML to plain text in one pass: tags and comments dropped (block elements leave a space),
/// common character references decoded, whitespace collapsed. Text longer than `max_chars` is cut at
/// a character boundary and ends in `…`.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(html.len().min(max_chars.saturating_mul(2)));
    let mut cursor: &str = html;
    let mut space = false;
    let mut chars = 0;
    while let Some(c) = cursor.chars().next() {
        let (text, len) = match c {
            '<' => match tag(cursor) {
                Some((len, block)) => {
                    space |= block;
                    (None, len)
                }
                None => (Some('<'), 1),
            },
            '&' => match reference(cursor) {
                Some((decoded, len)) => (Some(decoded), len),
                None => (Some('&'), 1),
            },
            c => (Some(c), c.len_utf8()),
        };
        cursor = &cursor[len..];
        match text {
            Some(c) if c.is_whitespace() => space = true,
            Some(c) => {
                if chars == max_chars {
                    return ellipsis(out);
                }
                if space && !out.is_empty() {
                    out.push(' ');
                    chars += 1;
                    if chars == max_chars {
                        return ellipsis(out);
                    }
                }
                space = false;
                out.push(c);
                chars += 1;
            }
            None => {}
        }
    }
    out
}

/// Elements whose content is no part of the text: a footnote's reference number (it would read
/// "…the source1 says"), and scripts and styles in an author's raw HTML.
const SKIPPED: [(&str, &str); 3] = [
    ("<sup class=\"footnote-reference\">", "</sup>"),
    ("<script", "</script>"),
    ("<style", "</style>"),
];

/// At a `<`: the length of the tag or comment starting there (of the whole element for those of
/// [`SKIPPED`]) and whether it is a block element, or `None` when the `<` is plain text.
fn tag(at: &str) -> Option<(usize, bool)> {
    let bytes = at.as_bytes();
    if at.starts_with("<!--") {
        let end = at[2..].find("-->").map_or(at.len(), |i| i + 5);
        return Some((end, false));
    }
    for (start, end_tag) in SKIPPED {
        let opens = at
            .get(..start.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(start));
        let whole_name = start.ends_with('>')
            || at
                .as_bytes()
                .get(start.len())
                .is_some_and(|b| matches!(b, b'>' | b' ' | b'\t' | b'\n' | b'/'));
        if opens && whole_name {
            let end = find_ignoring_case(at, end_tag).map_or(at.len(), |i| i + end_tag.len());
            return Some((end, false));
        }
    }
    let starts_tag = bytes
        .get(1)
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
    if !starts_tag {
        return None;
    }
    let end = tag_end(at).map_or(at.len(), |i| i + 1);
    let name = at[1..end].trim_start_matches('/');
    let name = &name[..name
        .bytes()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(name.len())];
    Some((end, BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name))))
}

/// Where the tag that `text` is inside of ends: the index of its `>`, skipping any `>` in a quoted
/// attribute value (`<abbr title="a > b">`), as browsers and CommonMark read a tag. A quote opens a
/// value only right after `=`, so the apostrophe of an unquoted `class=it's` is just a character.
/// `None` when the tag does not end (a quote left open runs to the end, in browsers too).
pub(crate) fn tag_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut after_equals = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return Some(i),
            b'=' => after_equals = true,
            b'"' | b'\'' if after_equals => {
                i += 1 + bytes[i + 1..].iter().position(|&c| c == b)?;
                after_equals = false;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

/// Where `needle` (ASCII) first occurs in `haystack`, in any case.
pub(super) fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// At a `&`: the character a common reference stands for and the reference's length.
fn reference(at: &str) -> Option<(char, usize)> {
    // Bounded look-ahead keeps the pass linear however many `&` the text holds.
    let semi = at.bytes().take(12).position(|b| b == b';')?;
    let name = &at[1..semi];
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
        }
    };
    Some((decoded, semi + 1))
}

/// `text` cut where it stands (trailing spaces dropped), then `…`.
fn ellipsis(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use super::{plain_text, tag_end};

    #[test]
    fn a_tag_ends_at_the_first_angle_outside_a_quoted_value() {
        assert_eq!(tag_end("<a href=\"x\">y"), Some(11));
        assert_eq!(tag_end("<abbr title=\"a > b\">"), Some(19));
        assert_eq!(tag_end("<abbr title = 'a > b' >"), Some(22));
        assert_eq!(
            tag_end("<p class=it's>x'>"),
            Some(13),
            "an unquoted value's apostrophe"
        );
        assert_eq!(tag_end("<p title=\"open>"), None);
        assert_eq!(tag_end("<p"), None);
        assert_eq!(
            plain_text(
                "<p><abbr title=\"a > b\">gt</abbr> <i data-x='>'>rest</i></p>",
                100
            ),
            "gt rest"
        );
    }

    #[test]
    fn tags_drop_blocks_space_and_references_decode() {
        let html =
            "<p>Fish &amp; <em>chips</em></p>\n<p>&lt;tea&gt; &#39;n&#x27; &quot;cake&quot;</p>";
        assert_eq!(plain_text(html, 500), "Fish & chips <tea> 'n' \"cake\"");
    }

    #[test]
    fn comments_and_stray_angles() {
        assert_eq!(plain_text("a <!-- more --> b < c", 100), "a b < c");
    }

    #[test]
    fn footnote_numbers_scripts_and_styles_are_no_text() {
        let html =
            "<p>The source<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup> says \
                    so.<SCRIPT type=\"module\">let a = 1 < 2;</Script><style>p{}</style></p>\
                    <p>Then <sup>2</sup> <scripted>x</scripted>.</p>";
        assert_eq!(plain_text(html, 500), "The source says so. Then 2 x.");
        assert_eq!(plain_text("a <script>never closed", 100), "a");
    }

    #[test]
    fn long_text_is_cut_on_a_character_with_an_ellipsis() {
        assert_eq!(plain_text("<p>été à la mer</p>", 4), "été…");
        assert_eq!(plain_text("<p>abc def</p>", 4), "abc…");
        assert_eq!(plain_text("<p>abc def</p>", 7), "abc def");
        assert_eq!(plain_text("<p>abc  def</p>", 3), "abc…");
    }
}
