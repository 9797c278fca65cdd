//! Themes: Tera templates and static assets, from a theme folder or built into the binary.
//!
//! The templates of `themes/<name>/templates/` are loaded first and the site's own `templates/` folder
//! overrides them file by file. When the theme is `default` and the site has no `themes/default/`, the
//! copy embedded at compile time is used. Template errors are turned into `file:line` diagnostics here,
//! since Tera reports them against template names, not files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use super::template_error::{
    between, error_chain, error_line, import_target, quoted_name, referenced_templates,
};
use crate::config::{Config, CONFIG_FILE};
use crate::content::rel_path;
use crate::error::{Diagnostic, Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// The files of the built-in default theme, as (path inside the theme, bytes): `templates/…` and
/// `static/…`. `lanyard init --theme-files` writes them out for customisation.
pub fn embedded_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}

/// Where a theme's asset comes from.
#[derive(Debug, Clone)]
pub enum Asset {
    File(PathBuf),
    Embedded(&'static [u8]),
}

/// A loaded theme.
pub struct Theme {
    pub tera: Tera,
    /// Template name → (display path, source), for error messages.
    sources: BTreeMap<String, (String, String)>,
    /// Output path → asset.
    pub assets: Vec<(String, Asset)>,
}

/// The `rel_url` filter: a root-relative path (`"/style.css"`) under the site's base path
/// (`/blog/style.css`), like Hugo's `relURL`; any other value (relative, `https://…`, `//host/…`) is
/// returned as it is. For the paths a theme writes itself: the paths lanyard hands to templates carry
/// the base path already.
fn rel_url_filter(base_path: &str) -> impl tera::Filter {
    let base_path = base_path.to_string();
    move |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
        let text = tera::try_get_value!("rel_url", "value", String, value);
        Ok(tera::Value::String(
            match text.starts_with('/') && !text.starts_with("//") {
                true => format!("{base_path}{text}"),
                false => text,
            },
        ))
    }
}

impl Theme {
    /// Load the theme named in `config`, with the site's `templates/` overrides.
    pub fn load(config: &Config) -> Result<Theme> {
        let root = &config.root;
        let theme_dir = root.join("themes").join(&config.theme);
        let assets = assets(config)?;
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        if theme_dir.is_dir() {
            read_templates(root, &theme_dir.join("templates"), &mut sources)?;
        } else {
            // `assets` refused any other theme that is missing: this is the built-in default.
            for (rel, bytes) in embedded::FILES {
                if let Some(name) = rel.strip_prefix("templates/") {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    sources.insert(
                        name.to_string(),
                        (format!("(built-in default theme)/templates/{name}"), text),
                    );
                }
            }
        }
        read_templates(root, &root.join("templates"), &mut sources)?;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_html);
        tera.set_escape_into_fn(crate::markdown::escape_html_into);
        tera.register_filter("rel_url", rel_url_filter(config.base_path()));
        tera.register_function("trans", crate::i18n::trans_function(config.strings.clone()));
        let raw: Vec<(String, String)> = sources
            .iter()
            .map(|(n, (_, s))| (n.clone(), s.clone()))
            .collect();
        let theme = Theme {
            tera: Tera::default(),
            sources,
            assets,
        };
        tera.add_raw_templates(raw)
            .map_err(|e| theme.template_error(&e))?;
        super::constants::fold(&mut tera, &config.strings).map_err(|e| theme.template_error(&e))?;
        Ok(Theme { tera, ..theme })
    }

    /// The theme's static files without its templates, which are not read: enough to list the files a
    /// site writes (`lanyard new` does, to find a clash) when a template has an error.
    pub fn assets_only(config: &Config) -> Result<Theme> {
        Ok(Theme {
            tera: Tera::default(),
            sources: BTreeMap::new(),
            assets: assets(config)?,
        })
    }

    /// A hash of every template's name and text and of the asset list: equal fingerprints render alike.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (name, (file, text)) in &self.sources {
            (name, file, text).hash(&mut h);
        }
        for (rel, asset) in &self.assets {
            rel.hash(&mut h);
            match asset {
                Asset::File(p) => (0u8, p).hash(&mut h),
                Asset::Embedded(bytes) => (1u8, bytes).hash(&mut h),
            }
        }
        h.finish()
    }

    /// The first template (by name) whose text writes `url` as an attribute value (in quotes), with
    /// its display path and the line: where a link found in the rendered pages most likely comes from.
    pub fn locate(&self, url: &str) -> Option<(&str, usize)> {
        self.sources.values().find_map(|(file, text)| {
            let at = ['"', '\'']
                .iter()
                .filter_map(|q| text.find(&format!("{q}{url}{q}")))
                .min()?;
            Some((file.as_str(), text[..at].matches('\n').count() + 1))
        })
    }

    /// The display path of template `name` (`themes/x/templates/post.html`).
    pub fn file_of(&self, name: &str) -> Option<&str> {
        self.sources.get(name).map(|(file, _)| file.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Every template's name (`post.html`, `views/card.html`), sorted.
    pub fn template_names(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// A Tera error as a diagnostic naming the template file and, where it can be found, the line.
    pub fn template_error(&self, err: &tera::Error) -> Error {
        let chain = error_chain(err);
        let name = self.failing_template(&chain);
        let (file, line) = self.error_place(&name, &chain);
        let detail = chain.last().cloned().unwrap_or_default();
        let message = detail.lines().next().unwrap_or_default().trim().to_string();
        let message = match message.strip_prefix("-->") {
            Some(place) => syntax_error(place, &detail),
            None => message,
        };
        // A date format often comes from the translations (`date(format=t.date_long)`), not the
        // template's own text.
        let fix = match message.starts_with("Invalid date format") {
            true => "fix the format here, or the translation it comes from",
            false => "fix the template",
        };
        Error::from(Diagnostic::error(file, line, format!("{message} ({fix})")))
    }

    /// The name of the template the failure is in. Tera's outer message names the page's template
    /// ("Failed to render 'post.html'"); an error inside an included template or a macro names that
    /// one further in ("… while rendering 'inc.html'"), and one in the parent of an `extends`
    /// outside the child's blocks says "(error happened in 'base.html')". A failure in a macro whose
    /// message names no template is looked for in the file that macro namespace was imported from.
    fn failing_template(&self, chain: &[String]) -> String {
        let top = chain
            .iter()
            .find_map(|m| {
                // `Template `x` loads macros …` reads "isn't": its backticks first, then quotes.
                between(m, "Template `", "`")
                    .map(String::from)
                    .or_else(|| quoted_name(m))
            })
            .unwrap_or_default();
        let rendering = chain
            .iter()
            .rev()
            .find_map(|m| between(m, "while rendering '", "'"));
        if let Some(inner) = rendering.filter(|n| *n != top) {
            return inner.to_string();
        }
        let outer = chain
            .iter()
            .find_map(|m| between(m, "(error happened in '", "'"))
            .map_or(top, String::from);
        chain
            .iter()
            .find_map(|m| between(m, "error while rendering macro `", "::"))
            .filter(|ns| *ns != "self")
            .and_then(|ns| self.macro_file(&outer, ns))
            .unwrap_or(outer)
    }

    /// The template that macro namespace `ns` is imported from: as `name` imports it, else as any
    /// template does (a macro calling a macro of another file imports that file itself).
    fn macro_file(&self, name: &str, ns: &str) -> Option<String> {
        let own = self.sources.get(name).map(|(_, text)| text.as_str());
        own.into_iter()
            .chain(self.sources.values().map(|(_, text)| text.as_str()))
            .find_map(|text| import_target(text, ns))
            .filter(|target| self.sources.contains_key(target))
    }

    /// The display file and line of a failure in template `name`. When `name`'s text does not show
    /// where (an unknown filter inside an included file: Tera names only the including page), the
    /// templates it includes, imports or extends are searched in turn, nearest first.
    fn error_place(&self, name: &str, chain: &[String]) -> (String, Option<usize>) {
        let mut queue = std::collections::VecDeque::from([name.to_string()]);
        let mut seen = std::collections::BTreeSet::new();
        while let Some(current) = queue.pop_front() {
            let Some((file, text)) = self.sources.get(&current) else {
                continue;
            };
            if !seen.insert(current) {
                continue;
            }
            if let Some(line) = error_line(chain, text) {
                return (file.clone(), Some(line));
            }
            queue.extend(referenced_templates(text));
        }
        let file = self.sources.get(name).map_or(name, |(f, _)| f.as_str());
        (file.to_string(), None)
    }
}

/// Tera's parse error (`--> 2:4`, the line shown, and `= expected …` last) as one sentence with the
/// column, Tera's unbalanced parenthesis closed, and the rule an `import` after content broke.
fn syntax_error(place: &str, detail: &str) -> String {
    let column = place
        .trim()
        .split(':')
        .nth(1)
        .and_then(|c| c.trim().parse::<usize>().ok());
    let last = detail.lines().last().unwrap_or_default().trim();
    let expected = last.strip_prefix('=').unwrap_or(last).trim().replace(
        "(`{% macro my_macro() %}`, or some content",
        "(`{% macro my_macro() %}`), or some content",
    );
    let mut message = match column {
        Some(c) => format!("template syntax error at column {c}: {expected}"),
        None => format!("template syntax error: {expected}"),
    };
    if expected.contains("macro definition tag") && detail.contains("import") {
        message.push_str(" (an `{% import %}` must come before anything else in the template)");
    }
    message
}

/// HTML escaping for template output. Unlike Tera's default it leaves `/` alone, so URLs stay readable
/// (`href="/posts/x/"`, not `href="&#x2F;posts&#x2F;x&#x2F;"`); `/` needs no escaping in HTML.
pub fn escape_html(input: &str) -> String {
    crate::markdown::escape_html(input)
}

/// The static files of the theme named in `config`: its folder's `static/`, else the built-in default's.
fn assets(config: &Config) -> Result<Vec<(String, Asset)>> {
    let theme_dir = config.root.join("themes").join(&config.theme);
    if theme_dir.is_dir() {
        // A theme's assets are copied as the site's `static/` is: hidden files too, litter not.
        let files = files_in(
            &theme_dir.join("static"),
            crate::content::is_ignored_static_name,
        );
        return Ok(files
            .into_iter()
            .map(|(path, rel)| (rel, Asset::File(path)))
            .collect());
    }
    if config.theme != "default" {
        return Err(missing_theme(config));
    }
    Ok(embedded::FILES
        .iter()
        .filter_map(|(rel, bytes)| {
            let name = rel.strip_prefix("static/")?;
            Some((name.to_string(), Asset::Embedded(bytes)))
        })
        .collect())
}

fn missing_theme(config: &Config) -> Error {
    let mut available = vec!["default".to_string()];
    if let Ok(entries) = std::fs::read_dir(config.root.join("themes")) {
        available.extend(
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(String::from)),
        );
    }
    available.sort();
    available.dedup();
    Error::new(
        CONFIG_FILE,
        config.theme_line,
        format!(
            "theme `{}` not found: no folder themes/{}/ (available: {})",
            config.theme,
            config.theme,
            available.join(", ")
        ),
    )
}

fn read_templates(
    root: &Path,
    dir: &Path,
    into: &mut BTreeMap<String, (String, String)>,
) -> Result<()> {
    for (path, rel) in files_in(dir, crate::content::is_ignored_name) {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "read template", &e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::new(
                rel_path(root, &path),
                None,
                "template is not valid UTF-8: save it as UTF-8",
            )
        })?;
        into.insert(rel, (rel_path(root, &path), text));
    }
    Ok(())
}

/// Files below `dir` as (path, `/`-separated path relative to `dir`), sorted, without the files and
/// folders whose name `skip` rejects.
pub fn files_in(dir: &Path, skip: fn(&str) -> bool) -> Vec<(PathBuf, String)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out: Vec<(PathBuf, String)> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(skip))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            (e.into_path(), rel)
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::rel_url_filter;

    fn render(base_path: &str, template: &str) -> String {
        let mut tera = tera::Tera::default();
        tera.register_filter("rel_url", rel_url_filter(base_path));
        tera.add_raw_template("t", template).unwrap();
        tera.render("t", &tera::Context::new()).unwrap()
    }

    #[test]
    fn rel_url_puts_the_base_path_before_root_relative_paths() {
        let t = r#"{{ "/style.css" | rel_url }} {{ "/" | rel_url }} {{ "a.css" | rel_url }} {{ "//cdn/x" | rel_url }} {{ "https://x.org/" | rel_url }}"#;
        assert_eq!(
            render("/blog", t),
            "/blog/style.css /blog/ a.css //cdn/x https://x.org/"
        );
        assert_eq!(render("", t), "/style.css / a.css //cdn/x https://x.org/");
    }
}
