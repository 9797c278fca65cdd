//! [`Site`] + [`Theme`] → output files, written to a [`Sink`].
//!
//! Rendering is planned first: every output path is listed with the job that makes it and the source
//! that asked for it, so two sources that want one path are caught before anything is written (the error
//! names both). The jobs then run in parallel; each renders one file and hands it straight to the sink,
//! so the whole site never sits in memory at once.

mod constants;
pub mod context;
pub mod fingerprint;
mod jobs;
mod reads;
mod template_error;
pub mod theme;
mod views;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Result};
use crate::output::{too_long, Sink, MAX_NAME};
use crate::site::Site;
pub use jobs::{template_for, Job};
use theme::Theme;

/// One output file and the job that makes it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub out: String,
    pub job: Job,
    /// What asked for this path, for collision messages: a source file, or a description.
    pub source: String,
    /// The line of `source` that decides the path (a `slug:` or `aliases:` key), if there is one.
    pub line: Option<usize>,
}

impl Planned {
    /// `source`, with its line when it has one, and what it is when that is not plain: `content/posts/a.md:4`,
    /// `content/posts/a.md:6 (an alias)`.
    pub(crate) fn place(&self) -> String {
        let at = match self.line {
            Some(l) => format!("{}:{l}", self.source),
            None => self.source.clone(),
        };
        if self.is_alias() {
            format!("{at} (an alias)")
        } else {
            at
        }
    }

    fn is_alias(&self) -> bool {
        matches!(self.job, Job::Alias { .. })
    }

    /// A file copied as it is (the site's `static/`, a theme's), rather than one lanyard makes.
    fn is_copied(&self) -> bool {
        matches!(self.job, Job::Copy(_) | Job::Embedded(_))
    }

    /// How a message about this file's source starts: "an alias " for an alias, else nothing.
    fn what(&self) -> &'static str {
        if self.is_alias() {
            "an alias "
        } else {
            ""
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub files: usize,
    pub pages: usize,
}

/// What to do when two sources write one output file.
pub(crate) const CLASH_FIX: &str = "change a slug, permalink or alias so they differ";
/// The fix for a clash that a static or theme file is part of.
const COPIED_CLASH_FIX: &str = "rename or remove the static file (to change a page lanyard makes, \
     override its template under templates/ instead)";

/// How to mend a clash between `a` and `b`.
fn clash_fix(a: &Planned, b: &Planned) -> &'static str {
    match a.is_copied() || b.is_copied() {
        true => COPIED_CLASH_FIX,
        false => CLASH_FIX,
    }
}

/// Every file the site produces, before [`plan`] checks them: `lanyard new` plans the site with and
/// without the post it is about to write, and refuses the post if the second plan has a writer more
/// for a file.
pub fn outputs(site: &Site, theme: &Theme) -> Vec<Planned> {
    jobs::plan(site, theme)
}

/// Every file the site produces, checked for collisions.
pub fn plan(site: &Site, theme: &Theme) -> Result<Vec<Planned>> {
    let planned = jobs::plan(site, theme);
    missing_templates(site, theme, &planned)?;
    match Error::collect(clashes(&planned)) {
        Some(e) => Err(e),
        None => Ok(planned),
    }
}

/// The collisions of `planned`: two writers of one file, a file another needs as a folder, a name
/// too long for a file system.
pub fn clashes(planned: &[Planned]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(planned.len());
    let mut errors = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        if let Some(first) = seen.insert(p.out.as_str(), i) {
            let first = &planned[first];
            // Reported at a source file's line when one side has it (a page over `/tags/`), else
            // at the later of the two files.
            let (a, b) = match (first.line, p.line) {
                (Some(_), None) => (p, first),
                (None, Some(_)) => (first, p),
                _ if first.source <= p.source => (first, p),
                _ => (p, first),
            };
            errors.push(Diagnostic::error(
                &b.source,
                b.line,
                format!(
                    "{}writes `{}`, which {} also writes: {}",
                    b.what(),
                    p.out,
                    a.place(),
                    clash_fix(a, b)
                ),
            ));
        }
    }
    errors.extend(folder_clashes(planned, &seen));
    errors.extend(long_names(planned));
    errors
}

/// A file that must be a folder for another file to be written: an alias `/rss.xml/` over the feed,
/// a post slugged `index.html` under a permalink `/:slug/`, a static file `posts` beside the post
/// folders. Each is reported once, where the clash is decided (a line, when one side has it).
fn folder_clashes(planned: &[Planned], files: &HashMap<&str, usize>) -> Vec<Diagnostic> {
    let mut reported = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for (p, file, folder) in folder_conflicts(planned, files) {
        if !reported.insert(folder) {
            continue;
        }
        let (p, file) = (&planned[p], &planned[file]);
        let (at, message) = if p.line.is_none() && file.line.is_some() {
            let message = format!(
                "{}writes a file `{folder}`, but {} needs it as a folder for `{}`: {}",
                file.what(),
                p.place(),
                p.out,
                clash_fix(p, file)
            );
            (file, message)
        } else {
            let message = format!(
                "{}writes `{}`, which needs `{folder}` as a folder, but {} writes a file there: {}",
                p.what(),
                p.out,
                file.place(),
                clash_fix(p, file)
            );
            (p, message)
        };
        errors.push(Diagnostic::error(&at.source, at.line, message));
    }
    errors
}

/// Each file of `planned` that needs as a folder a path another file of it is, as (the one that needs
/// the folder, the one that is a file there, the path), its nearest-to-the-root such folder only;
/// `files` maps each output path to its place in `planned`.
pub fn folder_conflicts<'a>(
    planned: &'a [Planned],
    files: &HashMap<&str, usize>,
) -> Vec<(usize, usize, &'a str)> {
    planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.out.match_indices('/').find_map(|(at, _)| {
                let folder = &p.out[..at];
                files.get(folder).map(|&file| (i, file, folder))
            })
        })
        .collect()
}

/// Output paths with a file or folder name longer than [`MAX_NAME`], once per source and name.
fn long_names(planned: &[Planned]) -> Vec<Diagnostic> {
    let mut reported = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for p in planned {
        for name in p.out.split('/').filter(|n| n.len() > MAX_NAME) {
            if reported.insert((p.source.as_str(), name)) {
                errors.push(Diagnostic::error(
                    &p.source,
                    p.line,
                    format!(
                        "{}makes a file or folder name {}: shorten the slug, alias, tag, series or file name",
                        p.what(),
                        too_long(name)
                    ),
                ));
            }
        }
    }
    errors
}

/// One error per template the theme lacks (not one per page that needs it), naming who needs it.
fn missing_templates(site: &Site, theme: &Theme, planned: &[Planned]) -> Result<()> {
    let mut missing: std::collections::BTreeMap<String, Vec<(&str, Option<usize>)>> =
        std::collections::BTreeMap::new();
    for p in planned {
        if let Some(name) = jobs::template_for(site, theme, &p.job).filter(|n| !theme.has(n)) {
            // A template named in front matter is reported at its `template:` line.
            let own = match p.job {
                Job::Post(i) => Some(&site.posts[i]),
                Job::Page(i) => Some(&site.pages[i]),
                _ => None,
            };
            let line = own.map(|doc| doc.meta.template_line).filter(|&l| l > 0);
            missing.entry(name).or_default().push((&p.source, line));
        }
    }
    let theme_dir = site.config.root.join("themes").join(&site.config.theme);
    let where_to = if theme_dir.is_dir() {
        format!("themes/{}/templates/ or to templates/", site.config.theme)
    } else {
        "templates/".to_string()
    };
    let errors = missing
        .into_iter()
        .enumerate()
        .map(|(i, (name, needed_by))| {
            let others = match needed_by.len() {
                1 => String::new(),
                n => format!(" and {} other{}", n - 1, if n == 2 { "" } else { "s" }),
            };
            let (file, line) = needed_by[0];
            Diagnostic::error(
                file,
                line,
                format!(
                    "template `{name}` does not exist (needed here{others}): add it to {where_to}{}",
                    if i == 0 { replaced_default(site, &theme_dir) } else { "" }
                ),
            )
        })
        .collect();
    match Error::collect(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The hint for a template missing from a `themes/default/` folder: a copy of part of the built-in
/// theme hides all of it, where Hugo would merge the two.
fn replaced_default(site: &Site, theme_dir: &std::path::Path) -> &'static str {
    match site.config.theme == "default" && theme_dir.is_dir() {
        true => {
            " (the folder themes/default/ replaces the built-in theme whole; to change a few of \
             its files, put them in the site's templates/ and static/ instead, or run `lanyard \
             init --theme-files` for a full copy)"
        }
        false => "",
    }
}

/// Render every planned file into `sink`.
pub fn render(site: &Site, theme: &Theme, planned: &[Planned], sink: &dyn Sink) -> Result<Stats> {
    let shared = jobs::Shared::new(site, theme);
    let profile = JobProfile::new();
    let mut results: Vec<(usize, std::result::Result<bool, Error>)> = execution_order(planned)
        .into_par_iter()
        .map(|i| {
            let p = &planned[i];
            // A stopped build throws its files away: the jobs not yet started are skipped.
            if sink.stopped() {
                return (i, Ok(false));
            }
            (i, profile.time(&p.job, || jobs::run(&shared, p, sink)))
        })
        .collect();
    if sink.stopped() {
        return Err(crate::stop::error());
    }
    results.sort_by_key(|(i, _)| *i);
    profile.print();
    let mut stats = Stats::default();
    let mut errors = shared.views.into_errors();
    for (_, r) in results {
        match r {
            Ok(is_page) => {
                stats.files += 1;
                stats.pages += usize::from(is_page);
            }
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    match Error::collect(errors) {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

/// The output paths of `planned` in about the order [`render`] writes them: its parallel loop over
/// [`execution_order`] starts one worker on each part of the list.
pub fn write_order(planned: &[Planned]) -> Vec<String> {
    interleave(&execution_order(planned), rayon::current_num_threads())
        .into_iter()
        .map(|i| planned[i].out.clone())
        .collect()
}

/// `items` reordered the way `parts` workers that split them into equal runs reach them: the first of
/// each run, then the second of each, and so on. Rayon's workers each start on one part of a parallel
/// loop, so this is about the order in which a parallel loop over `items` asks for them.
fn interleave<T: Clone>(items: &[T], parts: usize) -> Vec<T> {
    let parts = parts.max(1);
    let run = items.len().div_ceil(parts).max(1);
    let runs: Vec<&[T]> = items.chunks(run).collect();
    let mut out = Vec::with_capacity(items.len());
    for i in 0..run {
        out.extend(runs.iter().filter_map(|r| r.get(i)).cloned());
    }
    out
}

/// The order to run `planned` in: first the jobs that each go through a long list of posts (the
/// archive, author pages, feeds, the sitemap, series and tag indexes), then the many small ones.
/// Started last, one of the long jobs would keep one core busy after the other has run out of work.
/// Results are still reported in plan order.
fn execution_order(planned: &[Planned]) -> Vec<usize> {
    let (long, short): (Vec<usize>, Vec<usize>) =
        (0..planned.len()).partition(|&i| planned[i].job.is_long());
    long.into_iter().chain(short).collect()
}

/// Time spent per kind of job, printed with the stage timings when `LANYARD_TIMINGS` is set.
struct JobProfile {
    totals: Option<
        std::sync::Mutex<std::collections::BTreeMap<&'static str, (std::time::Duration, usize)>>,
    >,
}

impl JobProfile {
    fn new() -> Self {
        let on = std::env::var_os("LANYARD_TIMINGS").is_some();
        JobProfile {
            totals: on.then(Default::default),
        }
    }

    fn time<T>(&self, job: &Job, f: impl FnOnce() -> T) -> T {
        let Some(totals) = &self.totals else {
            return f();
        };
        let start = std::time::Instant::now();
        let out = f();
        let mut map = totals.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(job.kind()).or_default();
        entry.0 += start.elapsed();
        entry.1 += 1;
        out
    }

    fn print(&self) {
        let Some(totals) = &self.totals else { return };
        for (kind, (time, count)) in totals.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprintln!(
                "timing:   {kind}: {count} files, {:.1} ms (summed over threads)",
                time.as_secs_f64() * 1000.0
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interleave;

    #[test]
    fn interleaving_takes_the_runs_in_turn_and_keeps_every_item() {
        let items: Vec<u32> = (0..7).collect();
        assert_eq!(interleave(&items, 2), vec![0, 4, 1, 5, 2, 6, 3]);
        assert_eq!(interleave(&items, 1), items);
        assert_eq!(interleave(&items, 0), items);
        assert_eq!(interleave(&items, 20), items);
        assert!(interleave::<u32>(&[], 2).is_empty());
    }
}
