//! Watching the site: file events → classified changes → one rebuild at a time, none lost.
//!
//! The debouncer (notify-debouncer-full) folds the bursts editors make — an atomic save is a write to a
//! temporary file and a rename over the original — into one batch, and pairs renames. Each event path is
//! classified by where it lies: `site.toml`, `content/`, `static/`, `templates/` or `themes/`; editor
//! leftovers (`.swp`, `~`, `#…#`, `.#…`, `4913`, hidden files) and everything else in the site folder
//! (`public/`, `.git/`) are ignored. The builder re-reads what the paths name and re-walks `content/`,
//! so the classification only has to say which stages to redo; when it cannot tell (the watcher lost
//! events, a watched folder itself was created or removed), the batch asks for everything.
//!
//! Rebuilds run on one thread, one at a time. Events that arrive during a rebuild wait in the channel
//! and are drained together into the next rebuild, which starts reading files only after they arrived,
//! so the last save is always the one served. Where the system's file events are unavailable (or with
//! `--poll`), the same debouncer runs over a polling watcher.

use std::path::{Component, Path};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

use super::incremental::{Builder, Changes};
use super::{App, Options};
use crate::content::{is_ignored_name, is_ignored_static_name};
use crate::error::{Error, Result};

/// How long the debouncer waits for a burst of events to settle.
const DEBOUNCE: Duration = Duration::from_millis(20);
/// How often the polling fallback looks at the files, at least; large sites are polled less often, since
/// each poll reads every file (file times have a resolution of one second there, so comparing contents is
/// the only way not to miss a second save within the same second).
const POLL_EVERY: Duration = Duration::from_millis(500);
/// The folders of a site that hold its sources; `site.toml` is watched through the site folder itself.
const WATCHED: [&str; 4] = ["content", "templates", "themes", "static"];

/// Where a changed path lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Config,
    Content,
    Static,
    Theme,
    /// The site folder or one of its watched folders itself: created, removed or renamed.
    Layout,
}

/// The area of `path` inside the site at `root`, or `None` when the change cannot matter.
pub fn classify(root: &Path, path: &Path) -> Option<Area> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Some(Area::Layout);
    };
    let names: Vec<&str> = rel
        .components()
        .filter_map(|c| {
            if let Component::Normal(n) = c {
                n.to_str()
            } else {
                None
            }
        })
        .collect();
    // `static/` and a theme's `static/` are copied as they are, hidden files included (see
    // `is_ignored_static_name`).
    let ignored = match names.as_slice() {
        ["static", ..] | ["themes", _, "static", ..] => is_ignored_static_name,
        _ => is_ignored_name,
    };
    if names.iter().any(|n| ignored(n)) {
        return None;
    }
    match names.as_slice() {
        [] => Some(Area::Layout),
        ["site.toml"] => Some(Area::Config),
        [dir] if WATCHED.contains(dir) => Some(Area::Layout),
        ["content", ..] => Some(Area::Content),
        ["static", ..] => Some(Area::Static),
        ["templates", ..] | ["themes", ..] => Some(Area::Theme),
        _ => None,
    }
}

/// One or more debouncer batches, as one rebuild.
#[derive(Debug, Default)]
pub struct Batch {
    pub changes: Changes,
    /// Some watched folder may have appeared: watch the folders again.
    pub rewatch: bool,
    /// The watched folders hold a link to a folder (see [`has_folder_links`]).
    pub links: bool,
}

impl Batch {
    pub fn add(&mut self, root: &Path, result: DebounceEventResult) {
        let events = match result {
            Ok(events) => events,
            Err(_) => {
                self.changes.everything = true;
                self.rewatch = true;
                return;
            }
        };
        for event in events {
            if event.need_rescan() {
                self.changes.everything = true;
                self.rewatch = true;
            }
            // Opening and reading files (the builder's own reads among them) changes nothing.
            if matches!(event.kind, EventKind::Access(a) if !matches!(a, notify::event::AccessKind::Close(notify::event::AccessMode::Write)))
            {
                continue;
            }
            for path in &event.paths {
                match classify(root, path) {
                    None => {}
                    Some(Area::Layout) => {
                        self.changes.everything = true;
                        self.rewatch = true;
                    }
                    Some(area) => {
                        self.changes.theme |= area == Area::Theme;
                        self.changes.paths.push(path.clone());
                        // A new link: look for links again (see `has_folder_links`).
                        self.rewatch |=
                            matches!(event.kind, EventKind::Create(_)) && path.is_symlink();
                        if self.links {
                            // The event may name the file by either of its paths; the other one
                            // changed too. A removed link also took the watch of its folder along.
                            self.changes.everything = true;
                            self.rewatch |= matches!(event.kind, EventKind::Remove(_));
                        }
                    }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.paths.is_empty() && !self.changes.everything
    }

    /// A short description for the terminal: the first changed file, relative to the site.
    pub fn describe(&self, root: &Path) -> String {
        let mut paths: Vec<String> = self
            .changes
            .paths
            .iter()
            .map(|p| crate::content::rel_path(root, p))
            .collect();
        paths.sort();
        paths.dedup();
        match (paths.first(), paths.len()) {
            (None, _) => "changes in the site folder".into(),
            (Some(p), 1) => p.clone(),
            (Some(p), n) => format!("{p} and {} more", n - 1),
        }
    }
}

/// A debouncer over the system's file events, or over polling.
enum Watcher {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Polling(Debouncer<PollWatcher, NoCache>),
}

impl Watcher {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Polling(d) => d.watch(path, mode),
        }
    }

    /// Watch the site folder (for `site.toml` and new folders) and each source folder that exists.
    fn watch_site(&mut self, root: &Path) -> notify::Result<()> {
        self.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let path = root.join(dir);
            if path.is_dir() {
                self.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        Ok(())
    }
}

fn native(root: &Path, tx: mpsc::Sender<DebounceEventResult>) -> notify::Result<Watcher> {
    let handler = move |r: DebounceEventResult| drop(tx.send(r));
    let debouncer = new_debouncer_opt(
        DEBOUNCE,
        None,
        handler,
        RecommendedCache::new(),
        notify::Config::default(),
    )?;
    let mut watcher = Watcher::Native(debouncer);
    watcher.watch_site(root)?;
    Ok(watcher)
}

/// The polling interval for the site at `root`: [`POLL_EVERY`], plus a millisecond per ten files.
fn poll_interval(root: &Path) -> Duration {
    let files: usize = WATCHED
        .iter()
        .map(|d| {
            walkdir::WalkDir::new(root.join(d))
                .follow_links(true)
                .into_iter()
                .flatten()
                .count()
        })
        .sum();
    POLL_EVERY.max(Duration::from_millis(files as u64 / 10))
}

fn polling(root: &Path, tx: mpsc::Sender<DebounceEventResult>) -> notify::Result<Watcher> {
    let handler = move |r: DebounceEventResult| drop(tx.send(r));
    let config = notify::Config::default()
        .with_poll_interval(poll_interval(root))
        .with_compare_contents(true);
    let debouncer = new_debouncer_opt(DEBOUNCE, None, handler, NoCache, config)?;
    let mut watcher = Watcher::Polling(debouncer);
    watcher.watch_site(root)?;
    Ok(watcher)
}

/// Whether a watched folder of the site at `root` holds a symbolic link to a folder.
///
/// The system watches a folder once however many paths lead to it, and reports each change under one
/// of them: with `static/img` linking to `static/images`, a save of `static/images/a.txt` may come as
/// `static/img/a.txt` only, and removing the link removes the watch of `static/images` too. A site
/// with such links therefore has every change checked against all files (by size and time, without
/// reading them) and its folders watched again after a removal.
fn has_folder_links(root: &Path) -> bool {
    WATCHED.iter().any(|d| {
        walkdir::WalkDir::new(root.join(d))
            .into_iter()
            .flatten()
            .any(|e| e.path_is_symlink() && e.path().is_dir())
    })
}

/// A running watcher and the events it has sent.
pub struct Watching {
    watcher: Watcher,
    events: mpsc::Receiver<DebounceEventResult>,
}

impl Watching {
    /// Watch the site at `root` with the system's file events, or by polling if asked or if they fail.
    pub fn start(root: &Path, poll: bool) -> Result<Watching> {
        let (tx, events) = mpsc::channel();
        let fail = |e: notify::Error| {
            Error::new(
                root.display().to_string(),
                None,
                format!("cannot watch the site for changes: {e}"),
            )
        };
        let watcher = if poll {
            polling(root, tx).map_err(fail)?
        } else {
            match native(root, tx.clone()) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("warning: file events are unavailable here ({e}); checking for changes every {} ms instead", poll_interval(root).as_millis());
                    polling(root, tx).map_err(fail)?
                }
            }
        };
        Ok(Watching { watcher, events })
    }

    /// Rebuild into `app` on a thread of its own whenever something changes.
    pub fn rebuild_on_change(
        self,
        root: &Path,
        builder: Builder,
        app: Arc<App>,
        opts: Options,
    ) -> Result<()> {
        let how = if matches!(self.watcher, Watcher::Native(_)) {
            ""
        } else {
            " (polling)"
        };
        println!("Watching content/, templates/, themes/, static/ and site.toml for changes{how}.");
        let root = root.to_path_buf();
        std::thread::Builder::new()
            .name("lanyard-rebuild".into())
            .stack_size(crate::RENDER_STACK)
            .spawn(move || self.rebuild_loop(&root, builder, &app, &opts))
            .map_err(|e| {
                Error::new(
                    "lanyard serve",
                    None,
                    format!("cannot start the rebuild thread: {e}"),
                )
            })?;
        Ok(())
    }

    /// Wait for changes; drain everything that queued up meanwhile; rebuild once; repeat.
    fn rebuild_loop(mut self, root: &Path, mut builder: Builder, app: &App, opts: &Options) {
        let mut links = has_folder_links(root);
        while let Ok(first) = self.events.recv() {
            let mut batch = Batch {
                links,
                ..Batch::default()
            };
            batch.add(root, first);
            while let Ok(more) = self.events.try_recv() {
                batch.add(root, more);
            }
            if batch.rewatch {
                if let Err(e) = self.watcher.watch_site(root) {
                    eprintln!("warning: cannot watch a new folder: {e}");
                }
                links = has_folder_links(root);
            }
            if !batch.is_empty() {
                app.rebuild(&mut builder, opts, &batch.changes, &batch.describe(root));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified_by_folder() {
        let root = Path::new("/site");
        let c = |p: &str| classify(root, &root.join(p));
        assert_eq!(c("site.toml"), Some(Area::Config));
        assert_eq!(c("content/posts/a.md"), Some(Area::Content));
        assert_eq!(c("content/posts/new-folder"), Some(Area::Content));
        assert_eq!(c("static/css/site.css"), Some(Area::Static));
        assert_eq!(c("templates/post.html"), Some(Area::Theme));
        assert_eq!(c("themes/default/static/style.css"), Some(Area::Theme));
        assert_eq!(c("themes/default/static/.htaccess"), Some(Area::Theme));
        assert_eq!(c("themes/default/static/.style.css.swp"), None);
        assert_eq!(c("themes/default/templates/.post.html.swp"), None);
        assert_eq!(c("content"), Some(Area::Layout));
        assert_eq!(c(""), Some(Area::Layout));
        assert_eq!(
            classify(root, Path::new("/elsewhere/x")),
            Some(Area::Layout)
        );
    }

    #[test]
    fn editor_leftovers_and_other_folders_are_ignored() {
        let root = Path::new("/site");
        for p in [
            "content/posts/.a.md.swp",
            "content/posts/a.md~",
            "content/posts/#a.md#",
            "content/posts/.#a.md",
            "content/posts/4913",
            "content/posts/a.md.tmp",
            "content/.hidden/a.md",
            "public/index.html",
            ".git/index",
            "README.md",
        ] {
            assert_eq!(classify(root, &root.join(p)), None, "{p}");
        }
    }
}
