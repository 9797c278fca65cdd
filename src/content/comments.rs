//! Reader comments: from a post's `comments:` list and from `content/comments/<post-slug>/` files.
//!
//! Comments are written by strangers, so this stage only parses and validates them; their Markdown is
//! rendered and sanitized later by [`crate::markdown::render_comment`]. A commenter's `url` is kept only
//! when it is an http(s) URL, since it becomes a link on their name.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::dates;
use super::frontmatter::{self, CommentLines, RawComment};
use crate::error::{Diagnostic, Diagnostics};

/// A validated comment, body still Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The id replies refer to: the given `id`, else one derived from where the comment came from.
    pub id: String,
    /// Whether `id` was written in the comment (else it was derived, and may repeat another's).
    pub id_given: bool,
    pub author: String,
    pub url: Option<String>,
    pub date: DateTime<FixedOffset>,
    pub body: String,
    pub reply_to: Option<String>,
    /// Where it was written, for messages: the comment's first line (its `- ` line in a post's list,
    /// line 1 of a comment file), and the line of its `reply_to`.
    pub file: String,
    pub line: usize,
    pub reply_line: usize,
    pub id_line: usize,
}

/// Validate one raw comment. `fallback_id` names it when it has no `id`; `lines` says where it and its
/// fields are, so that each message names the line of the field it is about.
pub fn validate(
    raw: RawComment,
    fallback_id: String,
    file: &str,
    lines: CommentLines,
    tz: Tz,
    diags: &Diagnostics,
) -> Result<Comment, Diagnostic> {
    let err = |line: usize, msg: String| Diagnostic::error(file, Some(line), msg);
    for (key, line, meant) in &lines.misspelt {
        diags.warn(
            file,
            Some(*line),
            format!("comment key `{key}` is not read: did you mean `{meant}`?"),
        );
    }
    let author = raw
        .author
        .map(|t| t.0.trim().to_string())
        // An empty name is shown as the site's word for "Anonymous" (see `crate::i18n`).
        .unwrap_or_default();
    let body = raw
        .body
        .map(|t| t.0)
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| {
            err(
                lines.body,
                format!("comment by {author} has no body: add `body:` with the comment's text"),
            )
        })?;
    let date_text = raw
        .date
        .ok_or_else(|| {
            err(
                lines.entry,
                format!("comment by {author} has no date: add `date: YYYY-MM-DD`"),
            )
        })?
        .0;
    let date = parse_comment_date(&date_text, tz)
        .map_err(|m| err(lines.date, format!("comment by {author}: {m}")))?;
    let url = raw
        .url
        .map(|t| t.0.trim().to_string())
        .filter(|u| !u.is_empty())
        .and_then(|u| {
            if is_web_url(&u) {
                Some(u)
            } else {
                diags.warn(
                    file,
                    Some(lines.url),
                    format!(
                        "comment by {author}: url `{u}` is not an http(s) URL and is not shown"
                    ),
                );
                None
            }
        });
    let given = raw
        .id
        .map(|t| t.0.trim().to_string())
        .filter(|i| !i.is_empty());
    Ok(Comment {
        id_given: given.is_some(),
        id: given.unwrap_or(fallback_id),
        author,
        url,
        date,
        body,
        reply_to: raw
            .reply_to
            .map(|t| t.0.trim().to_string())
            .filter(|r| !r.is_empty()),
        file: file.to_string(),
        line: lines.entry,
        reply_line: lines.reply_to,
        id_line: lines.id,
    })
}

/// Dates as in posts, plus Unix timestamps (Staticman writes those).
fn parse_comment_date(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    if t.len() >= 9 && t.bytes().all(|b| b.is_ascii_digit()) {
        return dates::from_unix(t, tz);
    }
    dates::parse(t, tz)
}

fn is_web_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !u
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

/// Read one comment file: YAML with the comment's keys, or Markdown with them as front matter.
pub fn read_file(
    path: &Path,
    rel: &str,
    tz: Tz,
    diags: &Diagnostics,
) -> Result<Comment, Diagnostic> {
    parse_file(path, rel, std::fs::read(path), tz, diags)
}

/// [`read_file`] with the file already read (`read` is what reading it gave).
pub fn parse_file(
    path: &Path,
    rel: &str,
    read: std::io::Result<Vec<u8>>,
    tz: Tz,
    diags: &Diagnostics,
) -> Result<Comment, Diagnostic> {
    let bytes =
        read.map_err(|e| Diagnostic::error(rel, None, format!("could not read comment: {e}")))?;
    let text = frontmatter::normalize(&bytes)
        .map_err(|(line, msg)| Diagnostic::error(rel, Some(line), msg))?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("comment")
        .to_string();
    let is_markdown = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            rel,
            Some(1),
            "comment file is empty: give it author, date and body",
        ));
    }
    let (raw, lines) = if is_markdown {
        let split =
            frontmatter::split(&text).map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?;
        let front = split.front.ok_or_else(|| {
            Diagnostic::error(
                rel,
                Some(1),
                "comment file has no front matter: start it with `---`, author and date",
            )
        })?;
        let mut raw: RawComment = frontmatter::parse(front, split.front_line)
            .map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?;
        if raw.body.is_none() {
            raw.body = Some(frontmatter::Text(split.body.to_string()));
        }
        (
            raw,
            frontmatter::file_comment_lines(front, split.front_line),
        )
    } else {
        let last = text.lines().count().max(1);
        let raw = frontmatter::parse::<RawComment>(&text, 1).map_err(|(l, m)| {
            // A comment file is YAML through and through, not front matter.
            let m = m.strip_prefix("front matter: ").unwrap_or(&m);
            Diagnostic::error(rel, Some(l.min(last)), format!("YAML: {m}"))
        })?;
        (raw, frontmatter::file_comment_lines(&text, 1))
    };
    validate(raw, stem, rel, lines, tz, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(author: &str, date: &str, body: &str) -> RawComment {
        RawComment {
            author: Some(frontmatter::Text(author.into())),
            date: Some(frontmatter::Text(date.into())),
            body: Some(frontmatter::Text(body.into())),
            ..Default::default()
        }
    }

    #[test]
    fn validates_and_drops_unsafe_urls() {
        let diags = Diagnostics::new();
        let mut r = raw("Dana", "2024-01-02", "Hi");
        r.url = Some(frontmatter::Text("javascript:alert(1)".into()));
        let c = validate(r, "1".into(), "p.md", CommentLines::at(7), Tz::UTC, &diags).unwrap();
        assert_eq!(c.url, None);
        assert_eq!(c.id, "1");
        assert_eq!(diags.take().len(), 1);
    }

    #[test]
    fn missing_body_and_bad_date_are_errors() {
        let diags = Diagnostics::new();
        let e = validate(
            raw("Dana", "2024-01-02", "  "),
            "1".into(),
            "p.md",
            CommentLines::at(7),
            Tz::UTC,
            &diags,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("p.md:7: comment by Dana has no body"),
            "{e}"
        );
        let e = validate(
            raw("Dana", "soon", "x"),
            "1".into(),
            "p.md",
            CommentLines::at(7),
            Tz::UTC,
            &diags,
        )
        .unwrap_err();
        assert!(e.to_string().contains("is not a date"), "{e}");
    }

    #[test]
    fn file_errors_name_the_line_of_their_field() {
        let diags = Diagnostics::new();
        let parse = |name: &str, text: &str| {
            parse_file(
                Path::new(name),
                name,
                Ok(text.as_bytes().to_vec()),
                Tz::UTC,
                &diags,
            )
        };
        let e = parse("1.yaml", "author: G\ndate: notadate\nbody: x").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = parse("1.md", "---\nauthor: G\n\ndate: 2024-02-31\n---\nHi\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let e = parse("1.yaml", "author: G\ndate: 2024-01-01\n").unwrap_err();
        assert_eq!(
            e.line,
            Some(1),
            "a missing field is at the file's start: {e}"
        );
        let c = parse(
            "1.yaml",
            "author: G\ndate: 2024-01-01\nbody: x\nurl: ftp://x\nreply_to: z\n",
        )
        .unwrap();
        assert_eq!((c.line, c.reply_line), (1, 5));
        assert_eq!(
            diags.take()[0].line,
            Some(4),
            "the url warning is at `url:`"
        );
    }

    #[test]
    fn unix_timestamps() {
        let d = parse_comment_date("1700000000", Tz::UTC).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-11-14T22:13:20+00:00");
    }
}
