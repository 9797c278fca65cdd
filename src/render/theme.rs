//! Themes: Tera templates and static assets, from a theme folder or built into the binary.
//!
//! The templates of `themes/<name>/templates/` are loaded first and the site's own `templates/` folder
//! overrides them file by file. When the theme is `default` and the site has no `themes/default/`, the
//! copy embedded at compile time is used. Template errors are turned into `file:line` diagnostics here,
//! since Tera reports them against template names, not files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

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
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut assets = Vec::new();
        if theme_dir.is_dir() {
            read_templates(root, &theme_dir.join("templates"), &mut sources)?;
            // A theme's assets are copied as the site's `static/` is: hidden files too, litter not.
            let static_dir = theme_dir.join("static");
            for (path, rel) in files_in(&static_dir, crate::content::is_ignored_static_name) {
                assets.push((rel, Asset::File(path)));
            }
        } else if config.theme == "default" {
            for (rel, bytes) in embedded::FILES {
                if let Some(name) = rel.strip_prefix("templates/") {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    sources.insert(
                        name.to_string(),
                        (format!("(built-in default theme)/templates/{name}"), text),
                    );
                } else if let Some(name) = rel.strip_prefix("static/") {
                    assets.push((name.to_string(), Asset::Embedded(bytes)));
                }
            }
        } else {
            return Err(missing_theme(config));
        }
        read_templates(root, &root.join("templates"), &mut sources)?;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_html);
        tera.set_escape_into_fn(crate::markdown::escape_html_into);
        tera.register_filter("rel_url", rel_url_filter(config.base_path()));
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
        Ok(Theme { tera, ..theme })
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
        let mut chain = vec![err.to_string()];
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        let name = chain
            .iter()
            .find_map(|m| quoted_name(m))
            .unwrap_or_default();
        let (file, text) = self
            .sources
            .get(&name)
            .map(|(f, s)| (f.clone(), s.as_str()))
            .unwrap_or_else(|| (name.clone(), ""));
        let detail = chain.last().cloned().unwrap_or_default();
        let line = parse_error_line(&detail).or_else(|| find_mentioned_line(&detail, text));
        let message = detail.lines().next().unwrap_or_default().trim().to_string();
        let message = if message.starts_with("-->") {
            format!(
                "template syntax error: {}",
                detail.lines().last().unwrap_or_default().trim()
            )
        } else {
            message
        };
        Error::from(Diagnostic::error(
            file,
            line,
            format!("{message} (fix the template)"),
        ))
    }
}

/// HTML escaping for template output. Unlike Tera's default it leaves `/` alone, so URLs stay readable
/// (`href="/posts/x/"`, not `href="&#x2F;posts&#x2F;x&#x2F;"`); `/` needs no escaping in HTML.
pub fn escape_html(input: &str) -> String {
    crate::markdown::escape_html(input)
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

/// The first `'name'` in a Tera message ("Failed to render 'post.html'").
fn quoted_name(msg: &str) -> Option<String> {
    let start = msg.find('\'')? + 1;
    let end = msg[start..].find('\'')? + start;
    Some(msg[start..end].to_string())
}

/// Tera's parse errors carry ` --> LINE:COL`.
fn parse_error_line(detail: &str) -> Option<usize> {
    let at = detail.find("--> ")? + 4;
    detail[at..].split(':').next()?.trim().parse().ok()
}

/// Render errors name a variable or filter in backticks; its first line in the template is the best guess.
fn find_mentioned_line(detail: &str, text: &str) -> Option<usize> {
    let start = detail.find('`')? + 1;
    let end = detail[start..].find('`')? + start;
    let needle = &detail[start..end];
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
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
