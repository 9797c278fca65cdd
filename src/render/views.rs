//! Post views: theme templates rendered once per post and reused by every page that lists the post.
//!
//! A post appears in many listings: ten thousand posts give about 35,000 cards on home and tag pages
//! and 50,000 rows under "Related reading". Rendering each of those through a macro repeats the same
//! work for the same post again and again, and Tera's variable lookups are not cheap. A theme can instead
//! put a fragment in `templates/views/<name>.html`; it is rendered once per post, with `site` and `p`
//! (the post's summary), and every summary carries the result as `p.views.<name>` (HTML, to print
//! with `| safe`); the compact entries of the archive and author pages do not. Hugo calls the same
//! idea content views (`.Render "summary"`).
//!
//! Views are rendered lazily, by whichever page needs a post's views first, and live as long as one
//! [`super::render`] call. The dev server's incremental renders therefore render only the views of the
//! posts their pages show, from the current site, so no cache can go stale: a view depends on the
//! post's summary, the `site` object and the theme, which the page fingerprints already cover.
//!
//! A view that fails to render is reported once (file and line of the view template), and the pages
//! that show it see an empty string, so one broken view does not bury the build in thousands of errors.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use serde::ser::{Serialize, SerializeMap, Serializer};
use tera::Context;

use super::context;
use super::theme::Theme;
use crate::error::{Diagnostic, Error};
use crate::site::Site;

/// The folder of view templates inside a theme's `templates/`.
const FOLDER: &str = "views/";

/// The views of every post, rendered on first use.
pub struct Views<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// A context holding only `site`; each post's views render in a clone of it.
    site_ctx: Context,
    /// (template name, key in `p.views`), sorted by name.
    names: Vec<(String, String)>,
    /// Per post: one HTML string per entry of `names`.
    rendered: Vec<OnceLock<Box<[String]>>>,
    /// The first error of each view template.
    errors: Mutex<BTreeMap<String, Error>>,
}

impl<'a> Views<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme, site_ctx: Context) -> Self {
        let names: Vec<(String, String)> = theme
            .template_names()
            .filter_map(|name| {
                let key = name.strip_prefix(FOLDER)?.strip_suffix(".html")?;
                (!key.is_empty() && !key.contains('/')).then(|| (name.to_string(), key.to_string()))
            })
            .collect();
        let rendered = if names.is_empty() {
            Vec::new()
        } else {
            (0..site.posts.len()).map(|_| OnceLock::new()).collect()
        };
        Views {
            site,
            theme,
            site_ctx,
            names,
            rendered,
            errors: Mutex::new(BTreeMap::new()),
        }
    }

    /// The views of post `i`, for its summaries and entries.
    pub fn of(&self, i: usize) -> PostViews<'_> {
        let Some(slot) = self.rendered.get(i) else {
            return PostViews::NONE;
        };
        PostViews {
            names: &self.names,
            html: slot.get_or_init(|| self.render(i)),
        }
    }

    fn render(&self, i: usize) -> Box<[String]> {
        let mut ctx = self.site_ctx.clone();
        ctx.insert("kind", "view");
        ctx.insert("p", &context::bare_summary(self.site, i));
        self.names
            .iter()
            .map(|(name, _)| {
                let mut html = self.theme.tera.render(name, &ctx).unwrap_or_else(|e| {
                    let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
                    errors
                        .entry(name.clone())
                        .or_insert_with(|| self.theme.template_error(&e));
                    String::new()
                });
                // Tera renders into a buffer of 2,000 bytes at least, and a view is a few hundred:
                // kept as rendered, the views of 10,000 posts held some 30 MB of unused capacity.
                html.shrink_to_fit();
                html
            })
            .collect()
    }

    /// What went wrong while rendering views, one diagnostic per failing view template.
    pub fn into_errors(self) -> Vec<Diagnostic> {
        self.errors
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_values()
            .flat_map(|e| e.diagnostics)
            .collect()
    }
}

/// One post's views as the map `p.views`: `{ card: "<article …>", … }`.
#[derive(Clone, Copy)]
pub struct PostViews<'v> {
    names: &'v [(String, String)],
    html: &'v [String],
}

impl PostViews<'_> {
    /// No views: for pages, and for the summary a view itself is rendered with.
    pub const NONE: PostViews<'static> = PostViews {
        names: &[],
        html: &[],
    };
}

impl Serialize for PostViews<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.html.len()))?;
        for ((_, key), html) in self.names.iter().zip(self.html) {
            map.serialize_entry(key, html)?;
        }
        map.end()
    }
}
