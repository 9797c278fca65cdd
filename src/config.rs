//! `site.toml` → [`Config`], validated once and immutable afterwards.
//!
//! Everything the rest of the pipeline needs from the configuration is checked here, so later stages never
//! ask "is this value usable?". Values whose validation can fail keep their source span (`toml::Spanned`)
//! until the check, so an error can say `site.toml:LINE`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use crate::content::frontmatter::without_forbidden_owned;
use crate::error::{did_you_mean, line_of_offset, Diagnostic, Diagnostics, Error, Result};
use crate::i18n::Strings;

pub const CONFIG_FILE: &str = "site.toml";

const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "direction",
    "theme",
    "timezone",
    "posts_per_page",
    "permalink",
    "related_posts",
    "check_links",
    "feeds",
    "highlight",
    "authors",
    "translations",
    "extra",
];

/// The keys of `[feeds]`, `[highlight]` and `[authors.<id>]`.
const FEEDS_KEYS: &[&str] = &["formats", "limit", "full_content"];
const HIGHLIGHT_KEYS: &[&str] = &["theme"];
const AUTHOR_KEYS: &[&str] = &["name", "url"];

/// A feed format a site can publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    /// The file name of this feed inside a folder (`/rss.xml`, `/tags/x/atom.xml`).
    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss",
            FeedFormat::Atom => "atom",
            FeedFormat::Json => "json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// One piece of a permalink pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermalinkPart {
    Literal(String),
    Year,
    Month,
    Day,
    Slug,
}

/// `[authors.<id>]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthorConfig {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site folder (the one holding `site.toml`).
    pub root: PathBuf,
    pub title: String,
    /// Absolute, without a trailing slash. Change it with [`Config::set_base_url`], which keeps
    /// [`Config::base_path`] in step.
    pub base_url: String,
    /// The path part of `base_url` ([`base_path_of`]), worked out once: pages ask for it for every
    /// link they print.
    base_path: String,
    pub description: String,
    pub language: String,
    /// `"rtl"` or `"ltr"`: the `direction` key, else the usual direction of `language`.
    pub direction: &'static str,
    pub theme: String,
    pub theme_line: Option<usize>,
    pub timezone: Tz,
    pub posts_per_page: usize,
    pub permalink: Vec<PermalinkPart>,
    pub permalink_pattern: String,
    pub related_posts: usize,
    /// Broken internal links fail the build instead of warning.
    pub check_links_error: bool,
    pub feed_formats: Vec<FeedFormat>,
    pub feed_limit: usize,
    pub feed_full_content: bool,
    pub highlight_theme: String,
    pub highlight_theme_line: Option<usize>,
    pub authors: BTreeMap<String, AuthorConfig>,
    pub extra: serde_json::Value,
    /// lanyard's, the theme's and the site's translations, for the site's language.
    pub strings: Arc<Strings>,
}

#[derive(Deserialize)]
struct RawConfig {
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    language: Option<String>,
    direction: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    posts_per_page: Option<Spanned<i64>>,
    permalink: Option<Spanned<String>>,
    related_posts: Option<Spanned<i64>>,
    check_links: Option<Spanned<String>>,
    #[serde(default)]
    feeds: RawFeeds,
    #[serde(default)]
    highlight: RawHighlight,
    #[serde(default)]
    authors: BTreeMap<String, AuthorConfig>,
    #[serde(default)]
    extra: Option<toml::Table>,
    translations: Option<BTreeMap<String, Spanned<toml::Value>>>,
}

#[derive(Deserialize, Default)]
struct RawFeeds {
    formats: Option<Spanned<Vec<String>>>,
    limit: Option<Spanned<i64>>,
    full_content: Option<bool>,
}

#[derive(Deserialize, Default)]
struct RawHighlight {
    theme: Option<Spanned<String>>,
}

impl Config {
    /// Read and validate `<root>/site.toml`. Unknown keys become warnings in `diags`.
    pub fn load(root: &Path, diags: &Diagnostics) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(Error::new(
                CONFIG_FILE,
                None,
                "this is not a file (a folder, a named pipe or a device): make site.toml a text file",
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no {CONFIG_FILE} in {}: run lanyard in a site folder, pass --root DIR, or create one with `lanyard init DIR`",
                    root.display()
                )
            } else {
                format!("could not read it: {e}")
            };
            Error::new(CONFIG_FILE, None, hint)
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, message) =
                crate::content::frontmatter::not_utf8(e.as_bytes(), &e.utf8_error());
            Error::new(CONFIG_FILE, Some(line), message)
        })?;
        Config::parse(root, &text, diags)
    }

    /// Validate the text of a `site.toml`.
    pub fn parse(root: &Path, text: &str, diags: &Diagnostics) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            Error::new(
                CONFIG_FILE,
                line,
                format!(
                    "{} (fix the TOML syntax or the value's type)",
                    crate::error::readable(e.message().trim())
                ),
            )
        })?;
        warn_unknown_keys(text, diags);
        let mut errors = Vec::new();
        let config = build(root, text, raw, &mut errors, diags);
        match Error::collect(errors) {
            Some(err) => Err(err),
            None => Ok(config),
        }
    }

    /// The absolute URL of a root-relative path (`/posts/a/`, relative to the site's root, which is
    /// `base_url`). Characters a URL path may not hold (non-ASCII letters of a slug, spaces…) are
    /// percent-encoded, as the sitemap protocol and feed readers require; an ASCII path is unchanged.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, encode_path(path))
    }

    /// The path part of `base_url`, without a trailing slash: `""` for `https://example.com`, `/blog`
    /// for `https://example.com/blog/`. Every root-relative link lanyard writes into a page starts
    /// with it, so that a site published in a sub-folder (a GitHub project page) links to itself.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Replace `base_url` (already checked, as [`Config::parse`] checks it) and its base path.
    pub fn set_base_url(&mut self, url: String) {
        self.base_path = base_path_of(&url).to_string();
        self.base_url = url;
    }

    /// The author display name for an `author` value: the configured name of an id, else the value.
    pub fn author_name<'a>(&'a self, author: &'a str) -> &'a str {
        self.authors
            .get(author)
            .map(|a| a.name.as_str())
            .unwrap_or(author)
    }
}

/// The path part of an absolute URL without a trailing slash (`/blog` in `https://x.org/blog/`), or
/// `""` when it has none.
pub fn base_path_of(url: &str) -> &str {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority..];
    let Some(slash) = rest.find('/') else {
        return "";
    };
    let path = &rest[slash..];
    path[..path.find(['?', '#']).unwrap_or(path.len())].trim_end_matches('/')
}

/// Whether a URL path may hold `byte` as it is (RFC 3986 `pchar` and `/`; `%` is checked apart).
fn path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
        )
}

/// A URL path with every byte a path may not hold percent-encoded (`/posts/Café/` →
/// `/posts/Caf%C3%A9/`, a space → `%20`). A `%` that starts a valid escape is kept, so an encoded path
/// stays as it is; a path that needs nothing (every ASCII slug) is borrowed, not copied.
pub fn encode_path(path: &str) -> std::borrow::Cow<'_, str> {
    let bytes = path.as_bytes();
    let escape_at = |i: usize| {
        bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    let Some(first) = (0..bytes.len()).find(|&i| !path_byte(bytes[i]) && !escape_at(i)) else {
        return std::borrow::Cow::Borrowed(path);
    };
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len() + 16);
    out.push_str(&path[..first]);
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        if path_byte(b) || escape_at(i) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn line_of<T>(text: &str, spanned: &Spanned<T>) -> Option<usize> {
    Some(line_of_offset(text, spanned.span().start))
}

fn build(
    root: &Path,
    text: &str,
    mut raw: RawConfig,
    errors: &mut Vec<Diagnostic>,
    diags: &Diagnostics,
) -> Config {
    let translations = raw.translations.take();
    let mut err =
        |line: Option<usize>, msg: String| errors.push(Diagnostic::error(CONFIG_FILE, line, msg));
    let base_url = match &raw.base_url {
        None => {
            err(
                None,
                "missing required key `base_url`: add e.g. base_url = \"https://example.com\""
                    .into(),
            );
            String::new()
        }
        Some(b) => match validate_base_url(b.get_ref()) {
            // A path with characters a URL may not hold (`/blög`) is written percent-encoded, so
            // that every absolute URL made from it is valid as it is.
            Ok(url) => {
                let path = base_path_of(&url);
                match encode_path(path) {
                    std::borrow::Cow::Owned(encoded) if url.ends_with(path) => {
                        format!("{}{encoded}", &url[..url.len() - path.len()])
                    }
                    _ => url,
                }
            }
            Err(msg) => {
                err(line_of(text, b), msg);
                String::new()
            }
        },
    };
    let title = match &raw.title {
        Some(t) if t.get_ref().trim().is_empty() => {
            err(
                Some(line_of_offset(text, t.span().start)),
                "`title` is empty: give the publication a name, e.g. title = \"My Publication\""
                    .into(),
            );
            String::new()
        }
        // TOML escapes (`"\u0007"`) can spell characters no page may hold: the strings pages show
        // lose them, as front matter's do.
        Some(t) => without_forbidden_owned(t.get_ref().trim().to_string()),
        None => {
            err(
                None,
                "missing required key `title`: add e.g. title = \"My Publication\"".into(),
            );
            String::new()
        }
    };
    let posts_per_page = positive(
        text,
        raw.posts_per_page.as_ref(),
        "posts_per_page",
        10,
        &mut err,
    );
    let related_posts = non_negative(
        text,
        raw.related_posts.as_ref(),
        "related_posts",
        5,
        &mut err,
    );
    let feed_limit = positive(text, raw.feeds.limit.as_ref(), "feeds.limit", 20, &mut err);
    let (permalink, permalink_pattern) = match &raw.permalink {
        None => (
            parse_permalink("/posts/:slug/").unwrap_or_default(),
            "/posts/:slug/".to_string(),
        ),
        Some(p) => match parse_permalink(p.get_ref()) {
            Ok(parts) => (parts, p.get_ref().clone()),
            Err(msg) => {
                err(line_of(text, p), msg);
                (Vec::new(), String::new())
            }
        },
    };
    let timezone = match &raw.timezone {
        None => Tz::UTC,
        Some(tz) => tz.get_ref().parse::<Tz>().unwrap_or_else(|_| {
            err(
                line_of(text, tz),
                format!(
                    "unknown timezone `{}`: use an IANA name such as \"UTC\" or \"America/Chicago\"",
                    tz.get_ref()
                ),
            );
            Tz::UTC
        }),
    };
    let feed_formats = feed_formats(text, raw.feeds.formats.as_ref(), &mut err);
    let check_links_error = match &raw.check_links {
        None => false,
        Some(v) => match v.get_ref().as_str() {
            "warn" => false,
            "error" => true,
            other => {
                err(
                    line_of(text, v),
                    format!("check_links must be \"warn\" or \"error\", not `{other}`"),
                );
                false
            }
        },
    };
    for (id, author) in &raw.authors {
        if let Some(url) = &author.url {
            // `//host/x` is not root-relative: browsers read it as another host.
            let root_relative = url.starts_with('/') && !url.starts_with("//");
            let ok = url.starts_with("http://") || url.starts_with("https://") || root_relative;
            if !ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                let line = find_line(text, &format!("[authors.{id}]"));
                err(
                    line,
                    format!(
                        "authors.{id}.url `{url}` must be an http(s) URL or a root-relative path \
                         such as /about/, without spaces (write a space as %20)"
                    ),
                );
            }
        }
    }
    let theme = raw
        .theme
        .as_ref()
        .map(|t| t.get_ref().clone())
        .unwrap_or_else(|| "default".into());
    if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
        err(
            raw.theme.as_ref().and_then(|t| line_of(text, t)),
            format!("theme `{theme}` must be a folder name under themes/"),
        );
    }
    let written = without_forbidden_owned(raw.language.unwrap_or_else(|| "en".into()));
    let tag = crate::i18n::language_tag(&written);
    let known_tag = tag.is_some();
    let language = match tag {
        Some(tag) => tag,
        None => {
            err(
                find_line(text, "language"),
                format!("language `{written}` is not a language tag: write one such as \"en\", \"fr\" or \"pt-BR\""),
            );
            written
        }
    };
    let direction = match raw.direction.as_ref().map(|d| d.get_ref().as_str()) {
        None => crate::i18n::direction_of(&language),
        Some("ltr") => "ltr",
        Some("rtl") => "rtl",
        Some(other) => {
            err(
                raw.direction.as_ref().and_then(|d| line_of(text, d)),
                format!("direction `{other}` must be \"ltr\" (left to right) or \"rtl\" (right to left)"),
            );
            "ltr"
        }
    };
    let strings = Strings::load(root, &theme, &language, translations, text, errors, diags);
    if known_tag && !crate::i18n::has_locale(&language) {
        diags.warn(
            CONFIG_FILE,
            find_line(text, "language"),
            format!(
                "no month and day names for language `{language}`: dates are written with English names"
            ),
        );
    }
    if known_tag && !crate::i18n::has_plural_rules(&language) {
        diags.warn(
            CONFIG_FILE,
            find_line(text, "language"),
            format!(
                "no plural rules for language `{language}`: counts take `one` for 1 and `other` \
                 otherwise, as in English"
            ),
        );
    }
    Config {
        strings: Arc::new(strings),
        root: root.to_path_buf(),
        title,
        base_path: base_path_of(&base_url).to_string(),
        base_url,
        description: without_forbidden_owned(raw.description),
        language,
        direction,
        theme_line: raw.theme.as_ref().and_then(|t| line_of(text, t)),
        theme,
        timezone,
        posts_per_page,
        permalink,
        permalink_pattern,
        related_posts,
        check_links_error,
        feed_formats,
        feed_limit,
        feed_full_content: raw.feeds.full_content.unwrap_or(true),
        highlight_theme_line: raw.highlight.theme.as_ref().and_then(|t| line_of(text, t)),
        highlight_theme: raw
            .highlight
            .theme
            .map(|t| t.into_inner())
            .unwrap_or_else(|| "InspiredGitHub".into()),
        authors: raw
            .authors
            .into_iter()
            .map(|(id, a)| {
                let name = without_forbidden_owned(a.name);
                (id, AuthorConfig { name, ..a })
            })
            .collect(),
        extra: json_of(toml::Value::Table(raw.extra.unwrap_or_default())),
    }
}

/// A TOML value as templates see it. Dates and times become their TOML text (`2024-01-01`,
/// `2024-01-01T10:00:00Z`), as YAML dates in front matter do and as Hugo and Zola give them; serde
/// would make them a private `{"$__toml_private_datetime": …}` map.
fn json_of(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(without_forbidden_owned(s)),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.into_iter().map(json_of).collect()),
        toml::Value::Table(table) => {
            J::Object(table.into_iter().map(|(k, v)| (k, json_of(v))).collect())
        }
    }
}

fn positive(
    text: &str,
    value: Option<&Spanned<i64>>,
    key: &str,
    default: usize,
    err: &mut impl FnMut(Option<usize>, String),
) -> usize {
    match value {
        None => default,
        Some(v) if *v.get_ref() >= 1 && *v.get_ref() <= 1_000_000 => *v.get_ref() as usize,
        Some(v) => {
            err(
                line_of(text, v),
                format!(
                    "{key} must be a whole number from 1 to 1000000, not {}",
                    v.get_ref()
                ),
            );
            default
        }
    }
}

fn non_negative(
    text: &str,
    value: Option<&Spanned<i64>>,
    key: &str,
    default: usize,
    err: &mut impl FnMut(Option<usize>, String),
) -> usize {
    match value {
        None => default,
        Some(v) if *v.get_ref() >= 0 && *v.get_ref() <= 1000 => *v.get_ref() as usize,
        Some(v) => {
            err(
                line_of(text, v),
                format!(
                    "{key} must be a whole number from 0 to 1000, not {}",
                    v.get_ref()
                ),
            );
            default
        }
    }
}

fn feed_formats(
    text: &str,
    value: Option<&Spanned<Vec<String>>>,
    err: &mut impl FnMut(Option<usize>, String),
) -> Vec<FeedFormat> {
    let Some(list) = value else {
        return vec![FeedFormat::Rss, FeedFormat::Atom];
    };
    let mut formats = Vec::new();
    for name in list.get_ref() {
        let format = match name.to_ascii_lowercase().as_str() {
            "rss" => FeedFormat::Rss,
            "atom" => FeedFormat::Atom,
            "json" => FeedFormat::Json,
            _ => {
                err(
                    line_of(text, list),
                    format!("unknown feed format `{name}`: use \"rss\", \"atom\" or \"json\""),
                );
                continue;
            }
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats
}

/// Check a base URL as site.toml's `base_url` is checked; `Ok` holds it without a trailing slash.
/// Every page address is the base URL with a path appended, so it may not carry a query or fragment.
pub fn validate_base_url(url: &str) -> std::result::Result<String, String> {
    let given = url.trim();
    // The scheme in any case, as URLs allow (`HTTPS://`).
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| {
            given
                .get(..s.len())
                .is_some_and(|g| g.eq_ignore_ascii_case(s))
        })
        .ok_or_else(|| format!("base_url `{url}` must start with http:// or https://"))?;
    let rest = given[scheme.len()..].trim_end_matches('/');
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!(
            "base_url `{url}` needs a host name after {scheme}, e.g. https://example.com"
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "base_url `{url}` contains a space or a control character: write a space in the path as %20"
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "base_url `{url}` has a query (`?…`) or fragment (`#…`): remove it, since every page's address is the base URL followed by the page's path"
        ));
    }
    if authority.contains('@') {
        return Err(format!(
            "base_url `{url}` has a user name or password before the host: remove it, since every feed and page would publish it"
        ));
    }
    let path = &rest[authority.len()..];
    if path
        .split('/')
        .skip(1)
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(format!(
            "base_url `{url}` has an empty, `.` or `..` part in its path: write the path plainly, as in https://example.com/blog (an empty part makes `//…`, which browsers read as another host)"
        ));
    }
    Ok(format!(
        "{scheme}{}{path}",
        host_and_port(url, scheme, authority)?
    ))
}

/// The host and port of a base URL as URLs are compared and published: a lower-case or punycode host
/// (`bücher.example` → `xn--bcher-kva.example`, which feeds and sitemaps must carry), without the
/// scheme's default port.
fn host_and_port(url: &str, scheme: &str, authority: &str) -> std::result::Result<String, String> {
    let parsed = url::Url::parse(&format!("{scheme}{authority}/"))
        .map_err(|e| format!("base_url `{url}`: the host `{authority}` is not valid ({e})"))?;
    let host = parsed.host_str().unwrap_or(authority);
    Ok(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Parse a permalink pattern such as `/posts/:year/:slug/`.
pub fn parse_permalink(pattern: &str) -> std::result::Result<Vec<PermalinkPart>, String> {
    if !pattern.starts_with('/') {
        return Err(format!("permalink `{pattern}` must start with `/`"));
    }
    if !(pattern.ends_with('/') || pattern.ends_with(".html")) {
        return Err(format!(
            "permalink `{pattern}` must end with `/` or `.html`"
        ));
    }
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != ':' {
            literal.push(c);
            continue;
        }
        let mut name = String::new();
        while let Some(&(_, n)) = chars.peek() {
            if !n.is_ascii_alphanumeric() && n != '_' {
                break;
            }
            name.push(n);
            chars.next();
        }
        let part = match name.as_str() {
            "year" => PermalinkPart::Year,
            "month" => PermalinkPart::Month,
            "day" => PermalinkPart::Day,
            "slug" => PermalinkPart::Slug,
            _ => {
                return Err(format!(
                    "unknown permalink token `:{name}` in `{pattern}`: use :year, :month, :day and :slug"
                ))
            }
        };
        if !literal.is_empty() {
            parts.push(PermalinkPart::Literal(std::mem::take(&mut literal)));
        }
        parts.push(part);
    }
    if !literal.is_empty() {
        parts.push(PermalinkPart::Literal(literal));
    }
    if !parts.contains(&PermalinkPart::Slug) {
        return Err(format!(
            "permalink `{pattern}` must contain :slug, or every post would share one URL"
        ));
    }
    if pattern.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(format!(
            "permalink `{pattern}` must not contain `.` or `..` segments"
        ));
    }
    Ok(parts)
}

/// The keys of a table, with where each is written.
type KeySpans = BTreeMap<Spanned<String>, serde::de::IgnoredAny>;

/// The keys of the tables of `site.toml` that lanyard reads, with their places. (Not flattened with
/// the top level: serde's flatten buffers values and loses the spans.)
#[derive(Deserialize)]
struct Keys {
    feeds: Option<KeySpans>,
    highlight: Option<KeySpans>,
    authors: Option<BTreeMap<String, KeySpans>>,
}

/// Warn about keys lanyard does not read, at their line: at the top level and in the tables it reads
/// (`[feeds]`, `[highlight]`, `[authors.<id>]`). Free values belong under `[extra]`.
fn warn_unknown_keys(text: &str, diags: &Diagnostics) {
    let (Ok(top), Ok(keys)) = (
        toml::from_str::<KeySpans>(text),
        toml::from_str::<Keys>(text),
    ) else {
        return;
    };
    let unknown = |table: &str, found: &KeySpans, known: &[&str]| {
        for key in found.keys() {
            let name = key.get_ref().as_str();
            if known.contains(&name) {
                continue;
            }
            let shown = if table.is_empty() {
                format!("`{name}`")
            } else {
                format!("`{name}` in [{table}]")
            };
            let hint = match did_you_mean(name, known) {
                Some(k) => format!("unknown key {shown} (did you mean `{k}`?)"),
                None if table.is_empty() => {
                    format!("unknown key {shown}: put custom values under [extra]")
                }
                None => format!(
                    "unknown key {shown}: lanyard reads only {}; put custom values under [extra]",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            diags.warn(CONFIG_FILE, line_of(text, key), hint);
        }
    };
    unknown("", &top, KNOWN_KEYS);
    if let Some(feeds) = &keys.feeds {
        unknown("feeds", feeds, FEEDS_KEYS);
    }
    if let Some(highlight) = &keys.highlight {
        unknown("highlight", highlight, HIGHLIGHT_KEYS);
    }
    for (id, author) in keys.authors.iter().flatten() {
        unknown(&format!("authors.{id}"), author, AUTHOR_KEYS);
    }
}

/// The first line that starts with `needle` (ignoring indentation), for keys toml gives no span for.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Config, String> {
        Config::parse(Path::new("."), text, &Diagnostics::new()).map_err(|e| e.to_string())
    }

    #[test]
    fn extra_dates_reach_templates_as_their_text() {
        let config = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[extra]\nlaunched = 2024-01-01\nat = 2024-01-01T10:00:00Z\nnested = { list = [1979-05-27, 1.5] }\n",
        )
        .unwrap();
        assert_eq!(
            config.extra,
            serde_json::json!({
                "launched": "2024-01-01",
                "at": "2024-01-01T10:00:00Z",
                "nested": { "list": ["1979-05-27", 1.5] },
            })
        );
    }

    #[test]
    fn unknown_keys_in_known_tables_are_warnings_at_their_line() {
        let diags = Diagnostics::new();
        let text = "title = \"T\"\nbase_url = \"https://e.org\"\n[feeds]\nlimt = 5\n[highlight]\nstyle = \"x\"\n[authors.a]\nname = \"A\"\nemail = \"a@x\"\n[params]\nx = 1\n";
        let config = Config::parse(Path::new("."), text, &diags).unwrap();
        assert_eq!(config.authors["a"].name, "A");
        let warnings: Vec<String> = diags.take().iter().map(|d| d.to_string()).collect();
        let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
        assert!(
            has("site.toml:4: unknown key `limt` in [feeds] (did you mean `limit`?)"),
            "{warnings:?}"
        );
        assert!(
            has("site.toml:6: unknown key `style` in [highlight]"),
            "{warnings:?}"
        );
        assert!(
            has(
                "site.toml:9: unknown key `email` in [authors.a]: lanyard reads only `name`, `url`"
            ),
            "{warnings:?}"
        );
        assert!(has("site.toml:10: unknown key `params`"), "{warnings:?}");
    }

    #[test]
    fn control_characters_in_strings_are_dropped() {
        let c = parse(
            "title = \"Tips\\u0007\\u001B[2J\"\nbase_url = \"https://e.org\"\ndescription = \"a\\u0085b\"\n\
             [authors.a]\nname = \"Ann\\uFFFE\"\n[extra]\ntagline = \"x\\u0000y\\tz\"\n",
        )
        .unwrap();
        assert_eq!(c.title, "Tips[2J");
        assert_eq!(c.description, "ab");
        assert_eq!(c.authors["a"].name, "Ann");
        assert_eq!(c.extra["tagline"], "xy\tz");
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse("title = \"T\"\nbase_url = \"https://x.org/\"\n").unwrap();
        assert_eq!(c.base_url, "https://x.org");
        assert_eq!(c.posts_per_page, 10);
        assert_eq!(c.theme, "default");
        assert_eq!(c.feed_formats, vec![FeedFormat::Rss, FeedFormat::Atom]);
        assert_eq!(c.permalink_pattern, "/posts/:slug/");
    }

    #[test]
    fn missing_base_url_is_an_error() {
        let e = parse("title = \"T\"\n").unwrap_err();
        assert!(
            e.contains("site.toml: missing required key `base_url`"),
            "{e}"
        );
    }

    #[test]
    fn zero_posts_per_page_names_the_line() {
        let e =
            parse("title = \"T\"\nbase_url = \"https://x.org\"\nposts_per_page = 0\n").unwrap_err();
        assert!(e.starts_with("error: site.toml:3: posts_per_page"), "{e}");
    }

    #[test]
    fn language_must_be_a_language_tag_and_is_written_as_one() {
        let with = |lang: &str| {
            parse(&format!(
                "title = \"T\"\nbase_url = \"https://x.org\"\nlanguage = \"{lang}\"\n"
            ))
        };
        assert_eq!(with("pt_br").unwrap().language, "pt-BR");
        assert_eq!(with("EN").unwrap().language, "en");
        let e = with("not a lang!").unwrap_err();
        assert!(
            e.starts_with("error: site.toml:3: language `not a lang!` is not a language tag"),
            "{e}"
        );
    }

    #[test]
    fn direction_follows_the_language_unless_set() {
        let with = |extra: &str| {
            parse(&format!(
                "title = \"T\"\nbase_url = \"https://x.org\"\n{extra}"
            ))
        };
        assert_eq!(with("").unwrap().direction, "ltr");
        assert_eq!(with("language = \"ar-EG\"\n").unwrap().direction, "rtl");
        assert_eq!(
            with("language = \"he\"\ndirection = \"ltr\"\n")
                .unwrap()
                .direction,
            "ltr"
        );
        assert_eq!(
            with("language = \"en\"\ndirection = \"rtl\"\n")
                .unwrap()
                .direction,
            "rtl"
        );
        let e = with("\ndirection = \"up\"\n").unwrap_err();
        assert!(
            e.starts_with("error: site.toml:4: direction `up` must be"),
            "{e}"
        );
    }

    #[test]
    fn unknown_permalink_token_names_the_line() {
        let e = parse("title = \"T\"\nbase_url = \"https://x.org\"\npermalink = \"/:title/\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("error: site.toml:3: unknown permalink token `:title`"),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_names_the_line() {
        let e = parse("title = \"T\"\nbase_url = \"https://x.org\"\n\nposts_per_page = \"ten\"\n")
            .unwrap_err();
        assert!(e.starts_with("error: site.toml:4:"), "{e}");
    }

    #[test]
    fn the_base_path_is_the_path_of_base_url() {
        let c = parse("title = \"T\"\nbase_url = \"https://x.org/blog/\"\n").unwrap();
        assert_eq!(c.base_url, "https://x.org/blog");
        assert_eq!(c.base_path(), "/blog");
        assert_eq!(c.absolute("/posts/a/"), "https://x.org/blog/posts/a/");
        assert_eq!(base_path_of("https://x.org"), "");
        assert_eq!(base_path_of("http://x.org:8080/a/b/"), "/a/b");
        assert_eq!(base_path_of("https://x.org/"), "");
        // A path with letters a URL may not hold is kept percent-encoded.
        let c = parse("title = \"T\"\nbase_url = \"https://x.org/blög\"\n").unwrap();
        assert_eq!(c.base_url, "https://x.org/bl%C3%B6g");
        assert_eq!(c.base_path(), "/bl%C3%B6g");
    }

    #[test]
    fn an_empty_title_is_an_error_at_its_line() {
        let e = parse("base_url = \"https://x.org\"\ntitle = \" \"\n").unwrap_err();
        assert!(e.starts_with("error: site.toml:2: `title` is empty"), "{e}");
    }

    #[test]
    fn base_urls_that_cannot_prefix_a_path_are_refused_with_the_reason() {
        assert_eq!(
            validate_base_url(" https://x.org/ "),
            Ok("https://x.org".into())
        );
        assert_eq!(
            validate_base_url("http://x.org/a//"),
            Ok("http://x.org/a".into())
        );
        for (given, normal) in [
            ("HTTPS://Example.ORG:443/Blog/", "https://example.org/Blog"),
            ("http://x.org:8080", "http://x.org:8080"),
            (
                "https://bücher.example/b%C3%BCch",
                "https://xn--bcher-kva.example/b%C3%BCch",
            ),
            ("http://[::1]:1111/", "http://[::1]:1111"),
        ] {
            assert_eq!(validate_base_url(given).as_deref(), Ok(normal), "{given}");
        }
        for (url, why) in [
            ("https://example.org//double/", "empty, `.` or `..` part"),
            ("https://example.org/blog/../x/", "empty, `.` or `..` part"),
            ("https://user:pw@example.org/", "user name or password"),
            ("https://example.org:99999/", "is not valid"),
            ("ftp://x.org", "must start with http:// or https://"),
            ("https://", "needs a host name after https://"),
            ("https:///blog", "needs a host name"),
            ("https://x.org/a b/", "write a space in the path as %20"),
            (
                "https://x.org/?q=1",
                "has a query (`?…`) or fragment (`#…`)",
            ),
            (
                "https://x.org/#top",
                "has a query (`?…`) or fragment (`#…`)",
            ),
        ] {
            let err = validate_base_url(url).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn an_author_url_that_names_another_host_or_holds_a_space_is_refused() {
        for url in ["//evil.example/p", "https://ex.example/a b", "ftp://x.org/"] {
            let text = format!("title = \"T\"\nbase_url = \"https://x.org\"\n[authors.x]\nname = \"X\"\nurl = \"{url}\"\n");
            let e = parse(&text).unwrap_err().to_string();
            assert!(
                e.contains("must be an http(s) URL or a root-relative path"),
                "{url}: {e}"
            );
        }
        let ok = "title = \"T\"\nbase_url = \"https://x.org\"\n[authors.x]\nname = \"X\"\nurl = \"/about/\"\n";
        assert!(parse(ok).is_ok());
    }

    #[test]
    fn absolute_urls_are_percent_encoded() {
        let c = parse("title = \"T\"\nbase_url = \"https://x.org\"\n").unwrap();
        assert_eq!(c.absolute("/posts/Café/"), "https://x.org/posts/Caf%C3%A9/");
        assert_eq!(
            c.absolute("/a b/\"<x>\"/"),
            "https://x.org/a%20b/%22%3Cx%3E%22/"
        );
        // What a URL path may hold stays as it is, escapes included; ASCII paths are not copied.
        let kept = "/posts/a-b_c.d~e/!$&'()*+,;=:@/caf%C3%A9/";
        assert_eq!(c.absolute(kept), format!("https://x.org{kept}"));
        assert!(matches!(encode_path(kept), std::borrow::Cow::Borrowed(_)));
        assert_eq!(encode_path("/100%/%zz/%4"), "/100%25/%25zz/%254");
    }

    #[test]
    fn permalink_tokens() {
        let parts = parse_permalink("/posts/:year/:month/:slug.html").unwrap();
        assert_eq!(parts[1], PermalinkPart::Year);
        assert!(parse_permalink("posts/:slug/").is_err());
        assert!(parse_permalink("/posts/:year/").is_err());
    }
}
