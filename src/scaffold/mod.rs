//! Writing new files for the author: one post (`lanyard new post`) or a whole site (`lanyard init`).
//!
//! A new post is read back by the same loader as every build, so what `new` writes always parses: the
//! front matter is quoted for YAML (titles with `:` or `"` included), and the part number of a series is
//! computed from the posts that exist, drafts and future posts included, so two drafts never claim one
//! part. The post is read back as the build will read it, and refused if it would write a file that the
//! site writes already ([`taken`]): what `new` writes, the next build accepts. Nothing here overwrites
//! a file: an existing file is an error naming it.

mod broken;
pub mod init;
mod survey;
mod taken;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::content::{self, dates, slug, Kind, Meta, SeriesRef, SourceFile};
use crate::error::{did_you_mean, Diagnostics, Error, Result, Severity};
use survey::Survey;

/// The clashes the site at `config` gets once its drafts and future posts are published, through the
/// pages they bring; for `check` (see [`taken::unpublished_clashes`]).
pub fn unpublished_clashes(
    config: &Config,
    theme: &crate::render::theme::Theme,
) -> Vec<crate::error::Diagnostic> {
    match Survey::read(config, &Diagnostics::new()) {
        Ok(survey) => taken::unpublished_clashes(config, &survey, theme),
        Err(_) => Vec::new(),
    }
}

/// File names get at most this many characters of slug, cut at a word.
const MAX_SLUG: usize = 80;

/// What `new post` was asked for.
#[derive(Debug, Clone, Default)]
pub struct NewPost {
    pub title: String,
    /// A series name or id.
    pub series: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
}

/// What `new post` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Relative to the site root, `/`-separated.
    pub file: String,
    /// The series name written and the part given, if any.
    pub part: Option<(String, u32)>,
    /// Things the author should know (a new series, a gap).
    pub notes: Vec<String>,
}

/// Write a new post for `request` into the site at `root`, dated `now` in the site's timezone.
pub fn new_post(
    root: &Path,
    request: &NewPost,
    now: DateTime<Utc>,
    diags: &Diagnostics,
) -> Result<Created> {
    let config = Config::load(root, diags)?;
    let title = request.title.trim();
    let slug = short_slug(&slug::slugify(title));
    if slug.is_empty() {
        return Err(Error::new(
            "new post",
            None,
            format!(
                "cannot make a file name from the title `{title}`: give it a few letters or digits"
            ),
        ));
    }
    let date = now.with_timezone(&config.timezone).date_naive();
    let file = format!("content/posts/{}-{slug}.md", date.format("%Y-%m-%d"));
    if root.join(&file).symlink_metadata().is_ok() {
        return Err(already_exists(&file));
    }
    let mut survey = Survey::read(&config, diags)?;
    let theme = taken::theme(&config, &mut survey.errors)?;
    // The other files' errors are shown whatever happens: the next build reports them.
    for error in &survey.errors {
        diags.push(error.clone().with_severity(Severity::Warning));
    }
    let mut notes = Vec::new();
    let part = match &request.series {
        Some(name) => Some(next_part(&survey, name, &mut notes)?),
        None => None,
    };
    let text = front_matter(title, date, &request.tags, part.as_ref(), request.draft);
    let meta = read_back(root, &config, &file, &text)?;
    let added = taken::refuse_taken_files(&config, &survey, &theme, &meta)?;
    broken::refuse_possible_clash(&survey, &file, &meta.slug, &added)?;
    write_new(&root.join(&file), &file, text.as_bytes())?;
    if !survey.errors.is_empty() {
        notes.push(format!(
            "the site has {} error(s) in other files, shown above: `lanyard build` fails until they are fixed",
            survey.errors.len()
        ));
    }
    Ok(Created { file, part, notes })
}

/// The new post's front matter as the build will read it from `text`: the files it writes are found
/// from what the loader makes of it, not from a guess at its slug and date.
fn read_back(root: &Path, config: &Config, file: &str, text: &str) -> Result<Meta> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let (stem_date, stem) = match dates::split_date_prefix(stem) {
        Some((date, rest)) => (Some(date.to_string()), rest.to_string()),
        None => (None, stem.to_string()),
    };
    let source = SourceFile {
        path: root.join(file),
        rel: file.to_string(),
        stem,
        stem_date,
        assets: Vec::new(),
    };
    let read = Ok(text.as_bytes().to_vec());
    content::parse_source(&source, read, Kind::Post, config, &Diagnostics::new())
        .map(|doc| doc.meta)
        .map_err(Error::from)
}

/// A slug cut to [`MAX_SLUG`] characters at a `-`.
fn short_slug(slug: &str) -> String {
    if slug.len() <= MAX_SLUG {
        return slug.to_string();
    }
    let cut = slug[..MAX_SLUG].rfind('-').unwrap_or(MAX_SLUG);
    slug[..cut].to_string()
}

/// One series as the site knows it: from its posts and its `content/series/<id>.md`.
#[derive(Debug, Default)]
struct Known {
    /// Names that join this series when written as `series:` (the highest part's first).
    names: Vec<String>,
    /// Every name it is known by: those, and the title of its description file.
    aliases: Vec<String>,
    parts: BTreeSet<u32>,
    /// Where the highest part says so: file and line.
    highest_at: Option<(String, usize)>,
    /// The planned total, and the file and line that set it.
    total: Option<(u32, String, usize)>,
}

impl Known {
    /// Count `part` of this series, which `file` claims at `line` under the name `name`.
    fn add_part(&mut self, part: u32, name: &str, file: &str, line: usize) {
        if self.parts.last().is_none_or(|&highest| part > highest) {
            self.highest_at = Some((file.to_string(), line));
        }
        self.parts.insert(part);
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
            self.aliases.push(name.to_string());
        }
    }
}

/// Every series of the site by id, drafts and future posts included.
fn known_series(survey: &Survey) -> BTreeMap<String, Known> {
    let mut series: BTreeMap<String, Known> = BTreeMap::new();
    let mut refs: Vec<(&SeriesRef, &str)> = survey
        .posts
        .iter()
        .filter_map(|m| Some((m.series.as_ref()?, m.file.as_str())))
        .collect();
    refs.sort_by_key(|(r, _)| std::cmp::Reverse(r.part));
    for (r, file) in refs {
        let known = series.entry(r.id.clone()).or_default();
        known.add_part(r.part, &r.name, file, r.line);
    }
    for s in &survey.series {
        let known = series.entry(s.id.clone()).or_default();
        known.total = s.total.map(|t| (t, s.file.clone(), s.total_line));
        if let Some(title) = &s.title {
            if slug::series_id(title) == s.id {
                known.names.push(title.clone());
            }
            known.aliases.push(title.clone());
        }
    }
    series
}

/// The id of the series `wanted` names: by exact name, then in any case, then by id.
fn find_series(series: &BTreeMap<String, Known>, wanted: &str) -> Option<String> {
    let lower = wanted.to_lowercase();
    let by = |test: &dyn Fn(&str, &Known) -> bool| {
        series
            .iter()
            .find(|(id, k)| test(id, k))
            .map(|(id, _)| id.clone())
    };
    by(&|_, k| k.aliases.iter().any(|n| n == wanted))
        .or_else(|| by(&|_, k| k.aliases.iter().any(|n| n.to_lowercase() == lower)))
        .or_else(|| by(&|id, _| id == wanted || id == slug::series_id(wanted)))
}

/// The series `wanted` names and its next free part (one above its highest, counting the parts files
/// with errors hold), with notes.
fn next_part(survey: &Survey, wanted: &str, notes: &mut Vec<String>) -> Result<(String, u32)> {
    let mut series = known_series(survey);
    let wanted = wanted.trim();
    let found = find_series(&series, wanted);
    let id = found.clone().unwrap_or_else(|| slug::series_id(wanted));
    if id.is_empty() {
        let why = format!("series name `{wanted}` has no letters or digits to make an id from");
        return Err(Error::new("new post", None, why));
    }
    let broken_parts = broken::parts_of(survey, &id, wanted, found.is_some())?;
    if found.is_none() && broken_parts.is_empty() {
        let names: Vec<&str> = series
            .values()
            .flat_map(|k| k.aliases.iter().map(String::as_str))
            .collect();
        let hint = did_you_mean(wanted, &names)
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        notes.push(format!(
            "no series named `{wanted}` yet: this post starts it as part 1{hint}"
        ));
        return Ok((wanted.to_string(), 1));
    }
    let known = series.entry(id.clone()).or_default();
    for p in &broken_parts {
        known.add_part(p.part, &p.name, &p.file, p.line);
    }
    let known = &*known;
    let name = known.names.first().cloned().unwrap_or_else(|| id.clone());
    let part = known.parts.last().map_or(1, |p| p + 1);
    if let Some(missing) = crate::site::missing_parts(part, |p| known.parts.contains(&p)) {
        notes.push(format!(
            "series `{name}` is still missing part(s) {missing}"
        ));
    }
    refuse_past_the_end(&name, part, known)?;
    Ok((name, part))
}

/// The build refuses a part above the series' planned `total`, and above [`content::MAX_PARTS`]: `new`
/// writes neither, and says what would let it.
fn refuse_past_the_end(name: &str, part: u32, known: &Known) -> Result<()> {
    if let Some((total, file, line)) = known.total.as_ref().filter(|(t, ..)| part > *t) {
        return Err(Error::new(
            file,
            Some(*line),
            format!("series `{name}` plans {total} part(s) here, and its next part, {part}, would be above that, which fails the build: raise `total`, then run `lanyard new post` again"),
        ));
    }
    if i64::from(part) > content::MAX_PARTS {
        let (file, line) = known.highest_at.clone().unwrap_or_default();
        return Err(Error::new(
            file,
            Some(line),
            format!("series `{name}` is at part {}, the most a series can have: start another series for the next post", part - 1),
        ));
    }
    Ok(())
}

/// The new file's text: front matter, then an empty body.
fn front_matter(
    title: &str,
    date: NaiveDate,
    tags: &[String],
    part: Option<&(String, u32)>,
    draft: bool,
) -> String {
    let mut text = format!(
        "---\ntitle: {}\ndate: {}\n",
        yaml_quote(title),
        date.format("%Y-%m-%d")
    );
    let tags: Vec<String> = tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(yaml_quote)
        .collect();
    if !tags.is_empty() {
        text.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    }
    if let Some((name, part)) = part {
        text.push_str(&format!("series: {}\npart: {part}\n", yaml_quote(name)));
    }
    if draft {
        text.push_str("draft: true\n");
    }
    text.push_str("---\n\n");
    text
}

/// A YAML double-quoted string: any text reads back as itself.
pub fn yaml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Create `path` with `text`, refusing to replace a file that exists.
pub fn write_new(path: &Path, shown: &str, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", &e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                already_exists(shown)
            } else {
                Error::io(path, "create the file", &e)
            }
        })?;
    file.write_all(bytes)
        .map_err(|e| Error::io(path, "write the file", &e))
}

fn already_exists(shown: &str) -> Error {
    Error::new(
        shown,
        None,
        "already exists, and lanyard never overwrites a file: pick another title or edit that file",
    )
}

/// `root/rel` as the author would type it from where they ran lanyard (`./` left out).
pub fn shown_path(root: &Path, rel: impl AsRef<Path>) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        rel.as_ref().to_path_buf()
    } else {
        root.join(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_yaml() {
        for title in [
            "Ask: then listen",
            "The \"warm\" intro",
            "back\\slash",
            "tab\there",
            "#1 tip",
            "- dash",
            "yes",
            "null",
            "'single'",
        ] {
            let yaml = format!("t: {}\n", yaml_quote(title));
            let read: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&yaml).unwrap();
            assert_eq!(read["t"], title, "{yaml}");
        }
    }

    #[test]
    fn long_slugs_are_cut_at_a_word() {
        let long = "word-".repeat(30);
        let cut = short_slug(long.trim_end_matches('-'));
        assert!(cut.len() <= MAX_SLUG && cut.ends_with("word"), "{cut}");
    }
}
