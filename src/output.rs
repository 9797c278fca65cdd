//! Where rendered files go: a staging folder swapped in whole, or memory.
//!
//! A build writes into `.<out>.staging-<pid>` beside the output folder and renames it into place only
//! when every file was written, so a failed build leaves the previous site byte for byte as it was and files
//! from earlier builds never linger. The dev server uses [`MemorySink`] instead and never touches the
//! author's output folder. Every path that reaches a sink went through [`url_path_to_file`] or was built
//! from checked slugs, so nothing is written outside the output.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// A destination for output files. Paths are relative, `/`-separated and already checked.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()>;
}

/// Map a root-relative URL path to the file that serves it: `/a/` → `a/index.html`, `/a.html` → `a.html`,
/// `/a` → `a/index.html`. Percent-escapes are decoded first, so `%2e%2e` cannot slip through.
pub fn url_path_to_file(url_path: &str) -> std::result::Result<String, String> {
    let trimmed = url_path.trim();
    if trimmed.contains("://") || trimmed.starts_with("//") {
        return Err(
            "must be a path on this site such as `/2019/05/old.html`, not a full URL".into(),
        );
    }
    if !trimmed.starts_with('/') {
        return Err("must start with `/`".into());
    }
    let decoded = percent_decode(trimmed).ok_or("contains a malformed %-escape")?;
    let path = decoded.split(['?', '#']).next().unwrap_or_default();
    let mut segments = Vec::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if seg == "." || seg == ".." {
            return Err(
                "must not contain `.` or `..` segments: it has to stay inside the site".into(),
            );
        }
        if seg.chars().any(|c| c.is_control() || c == '\\' || c == ':') {
            return Err("contains a backslash, a colon or a control character".into());
        }
        segments.push(seg);
    }
    let last_is_file = !path.ends_with('/') && segments.last().is_some_and(|s| s.contains('.'));
    let mut file = segments.join("/");
    if !last_is_file {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Ok(file)
}

/// Decode `%XX` escapes; `None` if an escape is malformed or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Files written into a staging folder on disk.
pub struct StagingSink {
    dir: PathBuf,
    made: Mutex<HashSet<PathBuf>>,
}

impl StagingSink {
    fn ensure_parent(&self, target: &Path) -> std::io::Result<()> {
        let Some(parent) = target.parent() else {
            return Ok(());
        };
        if self
            .made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(parent)
        {
            return Ok(());
        }
        std::fs::create_dir_all(parent)?;
        self.made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(parent.to_path_buf());
        Ok(())
    }
}

impl Sink for StagingSink {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.dir.join(path);
        self.ensure_parent(&target)?;
        std::fs::write(target, bytes)
    }

    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()> {
        let target = self.dir.join(path);
        self.ensure_parent(&target)?;
        std::fs::copy(src, target).map(|_| ())
    }
}

/// A build's output folder, staged beside the real one.
pub struct Staging {
    pub sink: StagingSink,
    out: PathBuf,
}

impl Staging {
    /// Prepare a fresh staging folder for `out`. Refuses outputs that would swallow the site itself.
    pub fn new(root: &Path, out: &Path) -> Result<Staging> {
        check_output_dir(root, out)?;
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(parent, "create the output's parent folder", &e))?;
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("public");
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(&dir, "remove an old staging folder", &e))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(&dir, "create the staging folder", &e))?;
        Ok(Staging {
            sink: StagingSink {
                dir,
                made: Mutex::new(HashSet::new()),
            },
            out: out.to_path_buf(),
        })
    }

    /// Put the staged files in place of the output folder.
    pub fn commit(self) -> Result<()> {
        let staged = self.sink.dir.clone();
        let old = staged.with_file_name(format!(
            ".{}.old-{}",
            self.out
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("public"),
            std::process::id()
        ));
        let had_old = self.out.exists();
        if had_old {
            std::fs::rename(&self.out, &old)
                .map_err(|e| Error::io(&self.out, "move the previous output aside", &e))?;
        }
        if let Err(e) = std::fs::rename(&staged, &self.out) {
            if had_old {
                let _ = std::fs::rename(&old, &self.out);
            }
            return Err(Error::io(&self.out, "move the new output into place", &e));
        }
        if had_old {
            std::fs::remove_dir_all(&old)
                .map_err(|e| Error::io(&old, "remove the previous output", &e))?;
        }
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.sink.dir);
    }
}

/// Refuse output folders whose replacement would delete the site's own sources.
fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_abs, out_abs) = (abs(root), abs(out));
    let msg = |why: &str| {
        Error::new(
            out.display().to_string(),
            None,
            format!("refusing to use this output folder: {why}"),
        )
    };
    if root_abs.starts_with(&out_abs) {
        return Err(msg(
            "it contains the site itself; pick a folder such as public/",
        ));
    }
    for src in ["content", "static", "themes", "templates"] {
        if out_abs.starts_with(root_abs.join(src)) {
            return Err(msg(&format!("it is inside the site's {src}/ folder")));
        }
    }
    if out_abs.join("site.toml").exists() || out_abs.join(".git").exists() {
        return Err(msg(
            "it holds a site.toml or a .git folder, so it is not a build output",
        ));
    }
    Ok(())
}

/// Files kept in memory (the dev server, `check`).
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }

    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()> {
        let bytes = std::fs::read(src)?;
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_to_files() {
        assert_eq!(url_path_to_file("/posts/a/").unwrap(), "posts/a/index.html");
        assert_eq!(
            url_path_to_file("/2007/07/x.html").unwrap(),
            "2007/07/x.html"
        );
        assert_eq!(url_path_to_file("/old").unwrap(), "old/index.html");
        assert_eq!(url_path_to_file("/").unwrap(), "index.html");
        assert_eq!(url_path_to_file("/a%20b/").unwrap(), "a b/index.html");
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/x",
            "/a%2f..%2f..%2fb",
            "/a\\..\\b",
            "https://x.org/a",
            "a/b",
            "//x.org/a",
            "/a%zz",
        ] {
            assert!(url_path_to_file(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn staging_swaps_and_cleans() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let staging = Staging::new(tmp.path(), &out).unwrap();
        staging.sink.write("a/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!out.join("stale.html").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn dropped_staging_leaves_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("keep.html"), "old").unwrap();
        {
            let staging = Staging::new(tmp.path(), &out).unwrap();
            staging.sink.write("x.html", b"new").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(out.join("keep.html")).unwrap(),
            "old"
        );
        assert!(!out.join("x.html").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_to_replace_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(Staging::new(tmp.path(), tmp.path()).is_err());
        assert!(Staging::new(tmp.path(), &tmp.path().join("content/x")).is_err());
    }
}
