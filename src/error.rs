//! Diagnostics: every problem lanyard reports names a place.
//!
//! A [`Diagnostic`] is one message about one file (and, where known, one line). Building a site collects
//! them instead of stopping at the first, so an author fixes a whole batch per run; warnings go to a
//! [`Diagnostics`] sink that many threads share, errors travel up as [`Error`] and decide the exit code.
//! The text form follows the `path:line: message` convention that editors and terminals turn into links.
//! It goes to a terminal, and file names and messages quote what others wrote (a comment file's name,
//! a commenter's text), so control characters in it are written as `\u{1b}` escapes, never sent
//! raw: an escape sequence could retitle the window, clear the screen or hide the message. So are the
//! invisible marks that reorder bidirectional text (U+202E and its kin), which could make a message
//! read backwards or show a file name other than the one meant, as rustc warns about them in code.

use std::fmt;
use std::path::Path;
use std::sync::Mutex;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// The kind of a finding that commands rate differently: `build` warns about a broken link (unless
/// `check_links = "error"`), `check` fails on one. Diagnostics without a kind keep their severity everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lint {
    /// An internal link or image whose page, file or anchor is not built.
    BrokenLink,
    /// An internal link to a draft or a post dated in the future.
    UnpublishedLink,
    /// A `content/comments/<slug>/` folder whose post does not exist.
    OrphanComments,
    /// A comment whose `reply_to` names no comment of its post.
    UnknownReply,
    /// A series with missing parts below its highest one.
    SeriesGap,
    /// A draft or future post that claims a series part, or an output file, that another document has
    /// (or a part above the series' total): this build leaves it out, the build that includes it fails.
    HiddenClash,
    /// An image without alt text.
    MissingAlt,
    /// A generated feed that a feed reader could not read.
    BadFeed,
    /// An outside link that does not answer, or answers with an error.
    ExternalLink,
    /// Another generator's template syntax (a Hugo shortcode, a Liquid tag) published as text.
    TemplateSyntax,
}

/// One message about one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file as the author knows it: relative to the site root where possible.
    pub file: String,
    /// 1-based line, where one is known.
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
    /// The kind of finding, for the lints whose severity depends on the command.
    pub lint: Option<Lint>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            severity: Severity::Error,
            message: message.into(),
            lint: None,
        }
    }

    pub fn warning(
        file: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, message)
        }
    }

    /// The same diagnostic, marked as a finding of kind `lint`.
    pub fn with_lint(self, lint: Lint) -> Self {
        Diagnostic {
            lint: Some(lint),
            ..self
        }
    }

    /// The same diagnostic at `severity`.
    pub fn with_severity(self, severity: Severity) -> Self {
        Diagnostic { severity, ..self }
    }

    /// The place alone: `file:line` or `file`.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{}", self.file, line),
            None => self.file.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // Continuation lines are indented, so that no text in a message (a commenter's `url`, say)
        // can print a line of its own that looks like lanyard's.
        let message = printable(&self.message);
        let message = match message.contains('\n') {
            true => std::borrow::Cow::Owned(message.replace('\n', "\n  ")),
            false => message,
        };
        write!(f, "{label}: {}: {message}", printable(&self.place()))
    }
}

/// `text` with its control characters, other than line breaks and tabs, and its bidirectional
/// formatting marks as `\u{…}` escapes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_mark(c);
    if !text.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The marks that change the order text is shown in: the embeddings, overrides and isolates, their
/// ends, and the invisible left-to-right, right-to-left and Arabic letter marks.
fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A failed operation: one or more error diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
    /// It happened while the new site was being moved into the output folder, which may therefore
    /// hold part of it: the closing line must not say the output was left as it was.
    pub output_changed: bool,
}

impl Error {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Error::from(Diagnostic::error(file, line, message))
    }

    /// An I/O failure on `path`, with what the author can do about it.
    pub fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        Error::new(
            path.display().to_string(),
            None,
            format!("could not {action}: {err}"),
        )
    }

    /// Many errors as one; `None` when there are none.
    pub fn collect(mut diagnostics: Vec<Diagnostic>) -> Option<Self> {
        if diagnostics.is_empty() {
            return None;
        }
        diagnostics.sort();
        diagnostics.dedup();
        Some(Error::from(diagnostics))
    }

    /// This error, marked as having happened while the output folder was being changed.
    pub fn changing_output(self) -> Self {
        Error {
            output_changed: true,
            ..self
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::from(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Error {
            diagnostics,
            output_changed: false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A thread-safe collector of warnings (and of errors that should not stop the current stage).
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, d: Diagnostic) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    pub fn warn(&self, file: impl Into<String>, line: Option<usize>, message: impl Into<String>) {
        self.push(Diagnostic::warning(file, line, message));
    }

    /// Everything collected, sorted by place so output is stable across thread schedules.
    pub fn take(&self) -> Vec<Diagnostic> {
        let mut items = std::mem::take(&mut *self.items.lock().unwrap_or_else(|e| e.into_inner()));
        items.sort();
        items.dedup();
        items
    }
}

/// Turn a byte offset into a 1-based line number.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A serde message in an author's words: `expected i64` → `expected a whole number`, `expected struct
/// RawComment` → `expected a comment (…)`, `sequence` → `a list`. Rust type names mean nothing to
/// someone writing YAML or TOML.
pub fn readable(message: &str) -> String {
    const INTEGERS: [&str; 10] = [
        "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize",
    ];
    let mut out = message
        .replace("invalid type: sequence", "invalid type: a list")
        .replace("invalid type: map", "invalid type: a map")
        .replace("expected a sequence", "expected a list")
        .replace(
            "expected struct RawComment",
            "expected a comment (a map with `author`, `date` and `body`)",
        );
    for int in INTEGERS {
        let jargon = format!("expected {int}");
        if let Some(at) = out.find(&jargon) {
            let end = at + jargon.len();
            if !out[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                out.replace_range(at..end, "expected a whole number");
            }
        }
    }
    for float in ["f32", "f64"] {
        out = out.replace(&format!("expected {float}"), "expected a number");
    }
    if let Some(at) = out.find("expected struct ") {
        let name_end = out[at + 16..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .map_or(out.len(), |n| at + 16 + n);
        out.replace_range(at..name_end, "expected a map of keys and values");
    }
    out
}

/// "did you mean `x`?" for a misspelt key, when one of `known` is close enough. Case does not count:
/// `TAGS` is as close to `tags` as `tags` is.
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&word, &k.to_lowercase()), *k))
        .filter(|(score, _)| *score > 0.8)
        // Equally close candidates: the first in sort order, so the hint is the same on every run
        // whatever order `known` came in (it is often a hash set's).
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_capitals_is_matched_like_one_in_lower_case() {
        assert_eq!(did_you_mean("TAGS", &["tags", "title"]), Some("tags"));
        assert_eq!(did_you_mean("Titel", &["tags", "title"]), Some("title"));
        assert_eq!(did_you_mean("ZZZ", &["tags", "title"]), None);
    }

    #[test]
    fn control_characters_are_written_as_escapes() {
        let d = Diagnostic::error(
            "content/comments/p/\u{1b}]0;x\u{7}.yaml",
            Some(2),
            "bad\u{9b}2J date\n\tnext",
        );
        assert_eq!(
            d.to_string(),
            "error: content/comments/p/\\u{1b}]0;x\\u{7}.yaml:2: bad\\u{9b}2J date\n  \tnext"
        );
    }

    #[test]
    fn a_message_cannot_print_a_line_of_its_own() {
        let d = Diagnostic::warning(
            "content/comments/p/1.yaml",
            Some(4),
            "url `x\nBuilt 46 pages (1 post, 9 files) into public in 0.1s` is not shown",
        );
        assert_eq!(
            d.to_string().lines().nth(1),
            Some("  Built 46 pages (1 post, 9 files) into public in 0.1s` is not shown")
        );
    }

    #[test]
    fn bidirectional_marks_are_written_as_escapes() {
        let d = Diagnostic::warning(
            "content/posts/\u{202E}dm.txt",
            Some(1),
            "tag \u{2066}x\u{2069}",
        );
        assert_eq!(
            d.to_string(),
            "warning: content/posts/\\u{202e}dm.txt:1: tag \\u{2066}x\\u{2069}"
        );
        let plain = "Réseautage — عربي עברית";
        assert_eq!(
            printable(plain),
            plain,
            "letters of any script stay as they are"
        );
    }

    #[test]
    fn formats_place_and_severity() {
        let d = Diagnostic::error("content/posts/a.md", Some(3), "bad date");
        assert_eq!(d.to_string(), "error: content/posts/a.md:3: bad date");
        let w = Diagnostic::warning("site.toml", None, "odd");
        assert_eq!(w.to_string(), "warning: site.toml: odd");
    }

    #[test]
    fn serde_jargon_is_put_in_an_authors_words() {
        assert_eq!(
            readable("invalid type: string \"ten\", expected i64"),
            "invalid type: string \"ten\", expected a whole number"
        );
        assert_eq!(
            readable("invalid type: sequence, expected struct RawComment"),
            "invalid type: a list, expected a comment (a map with `author`, `date` and `body`)"
        );
        assert_eq!(
            readable("invalid type: integer `3`, expected struct RawFeeds"),
            "invalid type: integer `3`, expected a map of keys and values"
        );
        assert_eq!(readable("expected a sequence"), "expected a list");
        assert_eq!(
            readable("expected u32 or a string"),
            "expected a whole number or a string"
        );
        assert_eq!(readable("nothing to change"), "nothing to change");
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(did_you_mean("tgas", &["tags", "title"]), Some("tags"));
        assert_eq!(did_you_mean("zzzzzz", &["tags", "title"]), None);
        // A tie goes to the first in sort order, whatever the order given.
        assert_eq!(
            did_you_mean("year-2025", &["year-2024", "year-2023"]),
            Some("year-2023")
        );
        assert_eq!(
            did_you_mean("year-2025", &["year-2023", "year-2024"]),
            Some("year-2023")
        );
    }

    #[test]
    fn lines_from_offsets() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }
}
