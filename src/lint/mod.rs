//! Lints: what a site can get wrong although every file in it is valid.
//!
//! Two callers. Every `build` checks internal links ([`links_on_build`]): a broken one is a warning, or an
//! error with `check_links = "error"`. `lanyard check` ([`check`]) builds in memory, writing nothing, and
//! runs every lint: links and anchors, links to drafts and future posts, images without alt text, feeds
//! that do not parse back and, when asked, outside links; the stages before it add series gaps, orphan
//! comment folders and replies to unknown comments.
//!
//! Findings are ordinary [`Diagnostic`]s marked with a [`Lint`] kind, so one finding is written once and
//! each command only decides how bad it is ([`rate_for_check`]). Link checking needs the rendered pages
//! (the ids a theme adds are anchors too), so both callers render through a [`Recorder`].

pub mod external;
mod feeds;
pub mod links;
mod targets;

use std::collections::HashSet;
use std::path::Path;

use crate::config::Config;
use crate::content::BuildOptions;
use crate::error::{Diagnostic, Diagnostics, Error, Lint, Result, Severity};
use crate::pipeline::{self, Loaded, Overrides};
use crate::render::Job;
use crate::site::Site;
pub use links::anchor_targets;
pub use targets::{is_html, page_ids, NullSink, Recorded, Recorder, Targets};

/// What `check` looks at beyond the site itself.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Ask outside links too, with these settings.
    pub external: Option<external::Options>,
}

/// Counts for `check`'s last line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub pages: usize,
    pub internal_links: usize,
    pub outside_links: usize,
    pub feeds: usize,
}

/// After a build has rendered into `recorder`: report its broken internal links as warnings, or fail
/// with them when the site asks for `check_links = "error"`.
pub fn links_on_build(loaded: &Loaded, recorded: Recorded, diags: &Diagnostics) -> Result<()> {
    let mut found = outside_base(loaded, &recorded);
    let targets = Targets::new(&loaded.site, &loaded.planned, recorded.ids);
    found.extend(links::check(&loaded.site, &targets, false).findings);
    report_links(found, &loaded.site.config, diags)
}

/// Broken-link findings as the site asks: warnings in `diags`, or with `check_links = "error"` the
/// error that fails the build (or the dev server's rebuild).
pub fn report_links(found: Vec<Diagnostic>, config: &Config, diags: &Diagnostics) -> Result<()> {
    if !config.check_links_error {
        found.into_iter().for_each(|d| diags.push(d));
        return Ok(());
    }
    let errors = found
        .into_iter()
        .map(|d| d.with_severity(Severity::Error))
        .collect();
    Error::collect(errors).map_or(Ok(()), Err)
}

/// Build the site at `root` in memory and lint it. Findings go to `diags` as they are found, with the
/// severity of a build; pass them through [`rate_for_check`] before printing. An `Err` is a site that
/// does not build at all.
pub fn check(root: &Path, opts: &CheckOptions, diags: &Diagnostics) -> Result<Summary> {
    let loaded = pipeline::load_site(root, &BuildOptions::default(), &Overrides::default(), diags)?;
    let feeds: HashSet<String> = loaded
        .planned
        .iter()
        .filter(|p| matches!(p.job, Job::Feed { .. }))
        .map(|p| p.out.clone())
        .collect();
    let recorder = Recorder::new(&NullSink)
        .keeping(feeds)
        .checking_base_path(loaded.site.config.base_path());
    let stats = pipeline::render_into(&loaded, &recorder)?;
    let recorded = recorder.finish();
    outside_base(&loaded, &recorded)
        .into_iter()
        .for_each(|d| diags.push(d));
    // Clashes the drafts and future posts bring through generated pages. The build does not look
    // for these: it would read every source's front matter again.
    if !loaded.site.unpublished.is_empty() {
        crate::scaffold::unpublished_clashes(&loaded.site.config, &loaded.theme)
            .into_iter()
            .for_each(|d| diags.push(d));
    }
    let targets = Targets::new(&loaded.site, &loaded.planned, recorded.ids);
    let found = links::check(&loaded.site, &targets, opts.external.is_some());
    let mut summary = Summary {
        pages: stats.pages,
        internal_links: found.internal,
        feeds: recorded.kept.len(),
        outside_links: 0,
    };
    found.findings.into_iter().for_each(|d| diags.push(d));
    images_without_alt(&loaded.site)
        .into_iter()
        .for_each(|d| diags.push(d));
    for (path, bytes) in &recorded.kept {
        if let Some(d) = feeds::read_back(path, bytes) {
            diags.push(d);
        }
    }
    if let Some(ext) = &opts.external {
        summary.outside_links = found
            .outside
            .iter()
            .map(|o| o.url.split('#').next())
            .collect::<HashSet<_>>()
            .len();
        external::check(&found.outside, ext)
            .into_iter()
            .for_each(|d| diags.push(d));
    }
    Ok(summary)
}

/// The severity `check` gives a finding: what breaks the published site is an error; what may be a
/// work in progress (a series with a part still to come) or is a matter of care (alt text) stays a
/// warning, and outside links keep the severity their answer gave them.
pub fn rate_for_check(items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    items
        .into_iter()
        .map(|d| match d.lint {
            Some(
                Lint::BrokenLink
                | Lint::UnpublishedLink
                | Lint::OrphanComments
                | Lint::UnknownReply
                | Lint::HiddenClash
                | Lint::BadFeed,
            ) => d.with_severity(Severity::Error),
            Some(
                Lint::SeriesGap | Lint::MissingAlt | Lint::ExternalLink | Lint::TemplateSyntax,
            )
            | None => d,
        })
        .collect()
}

/// The links of the rendered pages that leave the site's base path (see
/// [`Recorder::checking_base_path`]), one finding per link, at the template that writes it when one
/// does (a theme's hard-coded `href="/style.css"`), else at the template of the first page that has it.
fn outside_base(loaded: &Loaded, recorded: &Recorded) -> Vec<Diagnostic> {
    let base = loaded.site.config.base_path();
    recorded
        .outside_base
        .iter()
        .map(|(url, (first, pages))| {
            let page = format!("{base}/{}", first.trim_end_matches("index.html"));
            let (file, line) = match loaded.theme.locate(url) {
                Some((file, line)) => (file.to_string(), Some(line)),
                None => {
                    let planned = loaded.planned.iter().find(|p| &p.out == first);
                    let template = planned
                        .and_then(|p| crate::render::template_for(&loaded.site, &loaded.theme, &p.job));
                    let file = template.as_deref().and_then(|t| loaded.theme.file_of(t));
                    (file.unwrap_or(first).to_string(), None)
                }
            };
            let on = match pages {
                1 => format!("on `{page}`"),
                n => format!("on {n} pages, such as `{page}`"),
            };
            let message = format!(
                "broken link `{url}` {on}: it leaves `{base}/`, where the site is published (base_url); \
                 write it with the base path, e.g. `{{{{ site.base_path }}}}{url}` or `{{{{ \"{url}\" | rel_url }}}}`"
            );
            Diagnostic::warning(&file, line, message).with_lint(Lint::BrokenLink)
        })
        .collect()
}

/// Images whose alt text is empty, in posts and pages.
fn images_without_alt(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in site.posts.iter().chain(&site.pages) {
        for link in doc
            .links
            .iter()
            .filter(|l| l.is_image && l.text.trim().is_empty())
        {
            let message = format!(
                "image ![]({}) has no alt text: describe it between the brackets for readers who cannot see it",
                link.dest
            );
            out.push(
                Diagnostic::warning(&doc.meta.file, Some(link.line), message)
                    .with_lint(Lint::MissingAlt),
            );
        }
    }
    out
}
