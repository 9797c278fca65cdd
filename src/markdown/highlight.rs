//! Code blocks: syntax highlighting with CSS classes, and the stylesheet that colours them.
//!
//! In: the event stream. Out: the same stream where each code block (its start tag, text and end
//! tag) is replaced by one HTML event:
//!
//! ```text
//! <pre class="code" data-lang="rust" tabindex="0"><code class="language-rust">…spans…</code></pre>
//! ```
//!
//! Highlighting emits classes, never inline styles, so the colours live in one stylesheet
//! ([`Highlighter::css`]) that a theme can swap. Classes are syntect's scope atoms with an `hl-`
//! prefix (`ClassStyle::SpacedPrefixed`): a site theme's own `.comment` or `.string` rules cannot
//! collide with them.
//!
//! Loading syntect's syntax set takes a noticeable moment, so [`Highlighter`] loads it on the first
//! code block that names a language, once, behind a `OnceLock` shared by every rendering thread; a
//! site without code never pays for it. A block whose language is unknown, missing or plain text,
//! or that syntect fails on, is written as escaped plain text in the same wrapper. Highlighting runs
//! line by line with one parse state, so its cost grows with the size of the block; lines longer than
//! [`MAX_LINE_BYTES`] (minified code) are not highlighted, since the cost of one line grows faster
//! than its length.
//!
//! The same block often appears on many pages (an install command, a config snippet quoted across a
//! series), and syntect spends tens of microseconds on each line, so the highlighter remembers what it
//! made: a block is highlighted once per language and text, and later copies are looked up. The memo
//! is bounded ([`MEMO_BYTES`]); when full it starts over, so a long `serve --watch` session does not
//! grow without end.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::escape_html;

/// How highlighted spans are classed; [`Highlighter::css`] uses the same style.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// A block with a line longer than this is written as plain text.
pub(crate) const MAX_LINE_BYTES: usize = 20_000;

/// Language names that mean "no highlighting".
const PLAIN: &[&str] = &[
    "text",
    "txt",
    "plain",
    "plaintext",
    "none",
    "nohighlight",
    "output",
];

/// Common names of languages that syntect's bundled syntaxes know under another token.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("terminal", "bash"),
    ("shell-session", "bash"),
    ("sh-session", "bash"),
    ("ts", "js"),
    ("typescript", "js"),
    ("tsx", "js"),
    ("jsx", "js"),
    ("mjs", "js"),
    ("cjs", "js"),
    ("golang", "go"),
    ("csharp", "cs"),
    ("c#", "cs"),
    ("py3", "python"),
];

/// How many bytes of code and highlighted HTML the memo keeps before it starts over.
const MEMO_BYTES: usize = 16 << 20;

/// Holds syntect's syntax set, loaded on first use, and the blocks highlighted so far. Share one per
/// build (`&Highlighter` is `Sync`).
#[derive(Debug, Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    memo: Mutex<Memo>,
}

/// Highlighted blocks by language, then text; `None` where syntect declined the block.
#[derive(Debug, Default)]
struct Memo {
    blocks: HashMap<String, HashMap<String, Option<String>>>,
    bytes: usize,
}

impl Memo {
    fn get(&self, lang: &str, code: &str) -> Option<Option<String>> {
        self.blocks.get(lang)?.get(code).cloned()
    }

    fn insert(&mut self, lang: &str, code: &str, html: Option<String>) {
        let size = lang.len() + code.len() + html.as_ref().map_or(0, String::len);
        if size > MEMO_BYTES {
            return;
        }
        if self.bytes + size > MEMO_BYTES {
            self.blocks.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.blocks
            .entry(lang.to_string())
            .or_default()
            .insert(code.to_string(), html);
    }
}

impl Highlighter {
    /// A highlighter that has loaded nothing yet.
    pub fn new() -> Self {
        Highlighter::default()
    }

    /// Whether the syntax set has been loaded (it is, after the first highlighted block).
    pub fn is_loaded(&self) -> bool {
        self.syntaxes.get().is_some()
    }

    /// Names of the bundled syntect themes, sorted.
    pub fn theme_names() -> Vec<String> {
        ThemeSet::load_defaults().themes.into_keys().collect()
    }

    /// The stylesheet for the classes of highlighted code, in the colours of a bundled theme.
    /// The error names the available themes.
    pub fn css(theme: &str) -> Result<String, String> {
        let themes = ThemeSet::load_defaults();
        let Some(found) = themes.themes.get(theme) else {
            return Err(unknown_theme(theme, themes.themes.keys()));
        };
        let found = &readable(found);
        let classes = css_for_theme_with_class_style(found, CLASS_STYLE).map_err(|e| {
            format!("cannot write the stylesheet of highlight theme `{theme}`: {e}")
        })?;
        Ok(format!("{}{classes}", block_rule(found)))
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The HTML of one code block; `info` is the fence's info string, `None` for indented code.
    pub(crate) fn code_block(&self, info: Option<&str>, code: &str) -> String {
        let Some(lang) = info.and_then(language_token) else {
            return format!(
                "<pre class=\"code\" tabindex=\"0\"><code>{}</code></pre>\n",
                escape_html(code)
            );
        };
        let body = self
            .highlight(&lang, code)
            .unwrap_or_else(|| escape_html(code));
        let lang = escape_html(&lang);
        format!("<pre class=\"code\" data-lang=\"{lang}\" tabindex=\"0\"><code class=\"language-{lang}\">{body}</code></pre>\n")
    }

    /// Highlighted HTML of `code`, or `None` to write it plain; from the memo when this block was
    /// highlighted before.
    fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        if PLAIN.contains(&lang) || code.lines().any(|line| line.len() > MAX_LINE_BYTES) {
            return None;
        }
        if let Some(known) = self.memo().get(lang, code) {
            return known;
        }
        let html = self.highlight_uncached(lang, code);
        self.memo().insert(lang, code, html.clone());
        html
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.memo.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn highlight_uncached(&self, lang: &str, code: &str) -> Option<String> {
        let syntaxes = self.syntaxes();
        let syntax = find_syntax(syntaxes, lang)?;
        let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            html.parse_html_for_line_which_includes_newline(line).ok()?;
        }
        Some(html.finalize())
    }
}

/// The language of a fence's info string: its first word (up to a space, `,` or `{`), lowercased.
/// `rust,ignore` and `python {linenos}` give `rust` and `python`.
fn language_token(info: &str) -> Option<String> {
    let token = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or_default();
    (!token.is_empty()).then(|| token.to_lowercase())
}

fn find_syntax<'s>(syntaxes: &'s SyntaxSet, lang: &str) -> Option<&'s SyntaxReference> {
    let token = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lang)
        .map_or(lang, |(_, target)| target);
    syntaxes
        .find_syntax_by_token(token)
        .filter(|syntax| syntax.name != "Plain Text")
}

/// The rule giving code blocks the theme's own foreground and background.
/// `theme` with every text colour at WCAG AA contrast against the background it is drawn on (see
/// [`super::contrast`]).
fn readable(theme: &Theme) -> Theme {
    const WHITE: Color = Color {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };
    let mut theme = theme.clone();
    let page = theme.settings.background.unwrap_or(WHITE);
    if let Some(fg) = theme.settings.foreground.as_mut() {
        *fg = super::contrast::readable(*fg, page);
    }
    for item in &mut theme.scopes {
        let bg = item.style.background.unwrap_or(page);
        if let Some(fg) = item.style.foreground.as_mut() {
            *fg = super::contrast::readable(*fg, bg);
        }
    }
    theme
}

fn block_rule(theme: &Theme) -> String {
    let mut rule = String::from("pre.code {\n");
    if let Some(fg) = theme.settings.foreground {
        rule.push_str(&format!(" color: {};\n", hex(fg)));
    }
    if let Some(bg) = theme.settings.background {
        rule.push_str(&format!(" background-color: {};\n", hex(bg)));
    }
    rule.push_str("}\n\n");
    rule
}

fn hex(color: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b)
}

fn unknown_theme<'n>(theme: &str, names: impl Iterator<Item = &'n String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    let hint = names
        .iter()
        .find(|name| name.eq_ignore_ascii_case(theme))
        .map(|name| format!(" (did you mean `{name}`?)"))
        .unwrap_or_default();
    format!(
        "unknown highlight theme `{theme}`{hint}; available themes: {}",
        names.join(", ")
    )
}

/// Replaces each code block of the stream with its finished HTML.
pub(crate) struct CodeBlocks<'h, I> {
    inner: I,
    highlighter: &'h Highlighter,
}

impl<'h, I> CodeBlocks<'h, I> {
    pub(crate) fn new(inner: I, highlighter: &'h Highlighter) -> Self {
        CodeBlocks { inner, highlighter }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for CodeBlocks<'_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let info = match self.inner.next()? {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => Some(info),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => None,
            event => return Some(event),
        };
        let mut code = String::new();
        for event in self.inner.by_ref() {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let html = self.highlighter.code_block(info.as_deref(), &code);
        Some(Event::Html(html.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_block_is_what_a_fresh_highlighter_makes() {
        let shared = Highlighter::new();
        let code = "x = {\"a\": 1}  # note\n";
        for lang in ["python", "ruby", "python", "ruby"] {
            let fresh = Highlighter::new().code_block(Some(lang), code);
            assert_eq!(shared.code_block(Some(lang), code), fresh, "{lang}");
        }
        assert_ne!(
            shared.code_block(Some("python"), code),
            shared.code_block(Some("ruby"), code)
        );
    }

    #[test]
    fn the_memo_starts_over_when_full() {
        let mut memo = Memo::default();
        let half = "a".repeat(MEMO_BYTES / 2);
        memo.insert("rust", &half, Some("first".into()));
        assert_eq!(memo.get("rust", &half), Some(Some("first".into())));
        memo.insert("rust", &format!("{half}b"), None);
        assert_eq!(
            memo.get("rust", &half),
            None,
            "the full memo was not cleared"
        );
        assert_eq!(memo.get("rust", &format!("{half}b")), Some(None));
        memo.insert("rust", &"c".repeat(MEMO_BYTES + 1), None);
        assert_eq!(memo.bytes, MEMO_BYTES / 2 + 1 + 4);
    }
}
