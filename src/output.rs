//! Where rendered files go: a staging folder moved into place, or memory.
//!
//! A build writes what changed into `.<out>.staging-<pid>` beside the output folder and moves it into
//! place only when every file was written, so a failed build leaves the previous site byte for byte as it
//! was, and files from earlier builds never linger. A build stopped by a signal removes its staging
//! folder (see [`crate::stop`]); one killed outright cannot, so every build first removes the staging
//! folders of processes that are gone ([`prepare`]). The dev server uses [`MemorySink`] instead and never
//! touches the author's output folder.
//!
//! "Files from earlier builds never linger" means a rebuild deletes what the site no longer produces,
//! so lanyard must never take over a folder of someone else's files: `-o ~/Documents` would empty it.
//! Every output carries a [`MARK`] file. A folder that has files but no mark is replaced only if each of
//! its top-level entries is one the build writes (an output of an older lanyard, say); otherwise the
//! build stops before touching it and names what it found. Every path that reaches a sink went through [`url_path_to_file`] or was built
//! from checked slugs, so nothing is written outside the output.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

mod beneath;
mod warm;

/// The file that marks a folder as a lanyard output, which each build may replace entirely.
pub const MARK: &str = ".lanyard-output";
const MARK_TEXT: &str =
    "This folder is the output of `lanyard build`. Each build replaces its contents:\n\
files the site does not produce are deleted. Put files to publish in the site's static/ folder.\n";

/// A destination for output files. Paths are relative, `/`-separated and already checked.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()>;
    /// Whether the build writing here was told to stop (see [`crate::stop`]): the render starts no
    /// more files.
    fn stopped(&self) -> bool {
        false
    }
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

/// The most bytes a file or folder name may have on the file systems sites are built and served on.
pub const MAX_NAME: usize = 255;

/// How an error describes `name`, a file or folder name longer than [`MAX_NAME`]: "of 300 bytes
/// (`ssss…`), and file systems take 255 at most".
pub fn too_long(name: &str) -> String {
    let shown: String = name.chars().take(40).collect();
    format!(
        "of {} bytes (`{shown}…`), and file systems take {MAX_NAME} at most",
        name.len()
    )
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
///
/// A file whose bytes equal the current output's copy is not written at all: the output keeps it, and
/// the staging folder holds only what changed. A rebuild of an unchanged site therefore creates no
/// files and deletes none, which on ext4 is most of the cost of a build of ten thousand small pages.
pub struct StagingSink {
    dir: PathBuf,
    previous: Option<beneath::Output>,
    /// A path of the current output led through a symbolic link: see [`beneath`].
    linked: std::sync::atomic::AtomicBool,
    made: Mutex<HashSet<PathBuf>>,
    /// Every output of this build (staged or unchanged), and the ones that were staged.
    produced: Mutex<Produced>,
    /// Reads the current output ahead of the comparisons when it turns out not to be cached.
    warm: Option<warm::Warm>,
}

#[derive(Default)]
struct Produced {
    all: HashSet<String>,
    staged: Vec<String>,
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

    /// Whether the current output already holds exactly `bytes` at `path`. A file reached through a
    /// symbolic link is not the output's own: it counts as changed, and the link is noted so that the
    /// commit replaces it rather than writing through it.
    fn unchanged(&self, path: &str, bytes: &[u8]) -> bool {
        let Some(prev) = &self.previous else {
            return false;
        };
        let file = match prev.open(path) {
            Ok(file) => file,
            Err(beneath::Closed::Linked) => {
                self.linked
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                return false;
            }
            Err(beneath::Closed::Other) => return false,
        };
        let same_len = file
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
        if !same_len {
            return false;
        }
        if let Some(cached) = warm::cached(&file, bytes.len()) {
            return cached == bytes;
        }
        if let Some(warm) = &self.warm {
            warm.missed();
        }
        let mut old = Vec::with_capacity(bytes.len());
        std::io::Read::read_to_end(&mut &file, &mut old).is_ok() && old == bytes
    }

    /// Run `render` with the reading ahead of [`Staging::expect`] standing by.
    pub fn during<R>(&self, render: impl FnOnce() -> R) -> R {
        match &self.warm {
            Some(warm) => warm.during(render),
            None => render(),
        }
    }

    fn note(&self, path: &str, staged: bool) {
        let mut produced = self.produced.lock().unwrap_or_else(|e| e.into_inner());
        produced.all.insert(path.to_string());
        if staged {
            produced.staged.push(path.to_string());
        }
    }
}

impl Sink for StagingSink {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        if self.unchanged(path, bytes) {
            self.note(path, false);
            return Ok(());
        }
        let target = self.dir.join(path);
        self.ensure_parent(&target)?;
        std::fs::write(target, bytes)?;
        self.note(path, true);
        Ok(())
    }

    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()> {
        let bytes = std::fs::read(src)?;
        self.write(path, &bytes)
    }

    fn stopped(&self) -> bool {
        crate::stop::stopped().is_some()
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
        let parent = parent_of(out);
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(parent, "create the output's parent folder", &e))?;
        let dir = staging_dir(out, std::process::id());
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(&dir, "remove an old staging folder", &e))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(&dir, "create the staging folder", &e))?;
        std::fs::write(dir.join(MARK), MARK_TEXT)
            .map_err(|e| Error::io(&dir, "write into the staging folder", &e))?;
        Ok(Staging {
            sink: StagingSink {
                dir,
                previous: out.is_dir().then(|| beneath::Output::new(out)),
                linked: std::sync::atomic::AtomicBool::new(false),
                made: Mutex::new(HashSet::new()),
                produced: Mutex::new(Produced::default()),
                warm: None,
            },
            out: out.to_path_buf(),
        })
    }

    /// The files the build will write, in about the order it will write them: on a rebuild, the
    /// current output's copies are read ahead of the comparisons if they turn out not to be cached.
    /// `paths` is only called on a rebuild.
    pub fn expect(&mut self, paths: impl FnOnce() -> Vec<String>) {
        if let Some(previous) = &self.sink.previous {
            self.sink.warm = warm::Warm::new(previous.path().to_path_buf(), paths());
        }
    }

    /// Make the output folder what the build produced. A first build renames the staging folder into
    /// place; a rebuild moves the changed files in, one rename each, and removes what the build no longer
    /// produces, leaving unchanged files untouched.
    pub fn commit(self) -> Result<()> {
        let staged = self.sink.dir.clone();
        let mut produced =
            std::mem::take(&mut *self.sink.produced.lock().unwrap_or_else(|e| e.into_inner()));
        let result = match self.sink.previous.as_ref().map(beneath::Output::path) {
            Some(out) if out.is_dir() => {
                refuse_foreign(out, &produced.all)?;
                produced.all.insert(MARK.to_string());
                if std::fs::read(out.join(MARK)).ok().as_deref() != Some(MARK_TEXT.as_bytes()) {
                    produced.staged.push(MARK.to_string());
                }
                let linked = self.sink.linked.load(std::sync::atomic::Ordering::Relaxed);
                update_in_place(&staged, out, &produced, linked).map_err(Error::changing_output)
            }
            _ => std::fs::rename(&staged, &self.out)
                .map_err(|e| Error::io(&self.out, "move the new output into place", &e)),
        };
        result?;
        if staged.exists() {
            // Only the emptied folders are left.
            let _ = std::fs::remove_dir_all(&staged);
        }
        std::mem::forget(self);
        Ok(())
    }
}

/// Move the staged files into `out` and delete from `out` what this build did not produce. With
/// `linked`, some folder of `out` is a symbolic link: it is removed first (the link, not what it
/// points to), so that nothing is written or deleted outside `out`.
fn update_in_place(staged: &Path, out: &Path, produced: &Produced, linked: bool) -> Result<()> {
    use rayon::prelude::*;
    let folders = ancestors(&produced.all);
    if linked {
        unlink_folders(out, &folders)
            .map_err(|e| Error::io(out, "replace a linked folder in the output", &e))?;
    }
    produced.staged.par_iter().try_for_each(|path| {
        let (from, target) = (staged.join(path), out.join(path));
        // Most files replace a file of the same name; only a missing folder, or a file or folder in
        // the way, needs the slower path.
        move_in(&from, &target)
            .or_else(|_| make_room(out, path).and_then(|()| move_in(&from, &target)))
            .map_err(|e| Error::io(&target, "move the new file into the output", &e))
    })?;
    folders.par_iter().try_for_each(|folder| {
        let dir = if folder.is_empty() {
            out.to_path_buf()
        } else {
            out.join(folder)
        };
        remove_stale(&dir, folder, &folders, &produced.all)
            .map_err(|e| Error::io(&dir, "remove files the build no longer produces", &e))
    })
}

/// Remove the symbolic links that stand where `out` must have real folders, outermost first: the
/// moves then make real folders in their place.
fn unlink_folders(out: &Path, folders: &HashSet<String>) -> std::io::Result<()> {
    let mut ordered: Vec<&String> = folders.iter().filter(|f| !f.is_empty()).collect();
    ordered.sort_by_key(|f| (f.matches('/').count(), *f));
    for folder in ordered {
        let at = out.join(folder);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            std::fs::remove_file(&at)?;
        }
    }
    Ok(())
}

/// Rename `from` to `target`; across file systems (an output folder that is a mount point, or a
/// link to another disk), copy it beside `target` and rename the copy over it, so that readers of
/// the output still see either the old file or the new one.
fn move_in(from: &Path, target: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, target) {
        Err(e) if e.raw_os_error() == Some(libc_exdev()) => {
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let copy = target.with_file_name(format!(".{name}.lanyard-{}", std::process::id()));
            let moved = std::fs::copy(from, &copy).and_then(|_| std::fs::rename(&copy, target));
            if moved.is_err() {
                let _ = std::fs::remove_file(&copy);
            }
            moved
        }
        other => other,
    }
}

/// `EXDEV`: a rename across file systems.
fn libc_exdev() -> i32 {
    rustix::io::Errno::XDEV.raw_os_error()
}

/// Stop before replacing a folder lanyard did not write: no [`MARK`] in it, and a top-level entry this
/// build does not produce (`files` are the build's output paths).
fn refuse_foreign(out: &Path, files: &HashSet<String>) -> Result<()> {
    if out.join(MARK).is_file() {
        return Ok(());
    }
    let top: HashSet<&str> = files
        .iter()
        .map(|f| f.split('/').next().unwrap_or(f))
        .collect();
    let entries =
        std::fs::read_dir(out).map_err(|e| Error::io(out, "read the output folder", &e))?;
    let mut foreign: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let dir = entry.file_type().is_ok_and(|t| t.is_dir());
            // A file manager's litter (a new folder opened in Finder holds a `.DS_Store`) does not
            // make a folder someone else's.
            let litter = matches!(name.as_str(), ".DS_Store" | "Thumbs.db" | "desktop.ini");
            (!top.contains(name.as_str()) && !litter).then(|| {
                if dir {
                    format!("{name}/")
                } else {
                    name
                }
            })
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    // Hidden files last: `thesis.docx` says more about a folder than `.bashrc`.
    foreign.sort_by(|a, b| (a.starts_with('.'), a).cmp(&(b.starts_with('.'), b)));
    let shown = match foreign.len() {
        n if n > 3 => format!("{} and {} more", foreign[..3].join(", "), n - 3),
        _ => foreign.join(", "),
    };
    Err(Error::new(
        out.display().to_string(),
        None,
        format!(
            "refusing to replace this folder: it was not written by lanyard (no {MARK} file) and holds \
             {shown}, which the site does not produce. A build deletes what it does not produce, so \
             move those files elsewhere or choose an empty or new output folder, then build again"
        ),
    ))
}

/// Clear the way for `out/path`: a file where a folder must go, or a folder where the file must go.
fn make_room(out: &Path, path: &str) -> std::io::Result<()> {
    let mut at = out.to_path_buf();
    let segments: Vec<&str> = path.split('/').collect();
    let (file, folders) = segments.split_last().unwrap_or((&"", &[]));
    for seg in folders {
        at.push(seg);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                std::fs::remove_file(&at)?;
                std::fs::create_dir(&at)?;
            }
            Err(_) => match std::fs::create_dir(&at) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            },
        }
    }
    at.push(file);
    match std::fs::symlink_metadata(&at) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&at),
        _ => Ok(()),
    }
}

/// Every folder (relative, `""` for the root) that holds a produced file, directly or below.
fn ancestors(files: &HashSet<String>) -> HashSet<String> {
    let mut folders = HashSet::from([String::new()]);
    for file in files {
        let mut rest = file.as_str();
        while let Some(cut) = rest.rfind('/') {
            rest = &rest[..cut];
            if !folders.insert(rest.to_string()) {
                break;
            }
        }
    }
    folders
}

/// Remove the entries of `dir` (relative path `rel`) that this build did not produce.
fn remove_stale(
    dir: &Path,
    rel: &str,
    folders: &HashSet<String>,
    files: &HashSet<String>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let child = if rel.is_empty() {
            name.into_owned()
        } else {
            format!("{rel}/{name}")
        };
        let is_dir = entry.file_type()?.is_dir();
        if is_dir && !folders.contains(&child) {
            std::fs::remove_dir_all(entry.path())?;
        } else if !is_dir && !files.contains(&child) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// `.<name>.staging-`: the start of the name of every staging folder beside `out`.
fn staging_prefix(out: &Path) -> String {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("public");
    format!(".{name}.staging-")
}

/// `.<name>.staging-<pid>` beside `out`: the staging folder of the build that process `pid` runs.
fn staging_dir(out: &Path, pid: u32) -> PathBuf {
    out.with_file_name(format!("{}{pid}", staging_prefix(out)))
}

/// Remove the staging folders beside `out` whose build is no longer running. A build removes its own
/// when it fails or is stopped, but one killed outright (SIGKILL, a crash, a power cut) cannot, and
/// nothing else would ever remove it. Only names [`staging_dir`] makes are touched, and never the
/// folder of a build that still runs: it may be another build into the same folder.
fn remove_abandoned_staging(out: &Path) {
    let prefix = staging_prefix(out);
    let Ok(entries) = std::fs::read_dir(parent_of(out)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && staging_pid(pid).is_some_and(|pid| abandoned(&entry.path(), pid)) {
            // Best effort: a folder that cannot be removed now is tried again by the next build.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The process id in a staging folder's name, written as [`staging_dir`] writes it.
/// Anything else (`-5` would name a process group, `+5` or `05` no folder lanyard makes) is `None`.
fn staging_pid(digits: &str) -> Option<rustix::process::Pid> {
    let pid: u32 = digits.parse().ok()?;
    if pid.to_string() != digits {
        return None;
    }
    rustix::process::Pid::from_raw(i32::try_from(pid).ok()?)
}

/// Whether the staging folder `dir`, named for process `pid`, belongs to no running build: the
/// process has ended, or the id was reused. A machine that runs for weeks goes round its process ids,
/// and without the second test a folder as big as the site would stay for as long as the unrelated
/// process that got the id runs. The id counts as reused when the process is not a lanyard (its name
/// differs from this one's) and it started after the folder last changed: a build changes its folder
/// after it starts, never before. Both must hold, so that a clock step cannot make a running build's
/// folder look abandoned to another build. The start time is known only to within a second or so,
/// hence the margin.
fn abandoned(dir: &Path, pid: rustix::process::Pid) -> bool {
    const MARGIN: Duration = Duration::from_secs(2);
    if !running(pid) {
        return true;
    }
    let other_program = match (process_name(pid), process_name(rustix::process::getpid())) {
        (Some(theirs), Some(ours)) => theirs != ours,
        _ => false,
    };
    let changed = std::fs::symlink_metadata(dir).and_then(|m| m.modified());
    match (process_start(pid), changed) {
        (Some(started), Ok(changed)) => other_program && started > changed + MARGIN,
        _ => false,
    }
}

/// The name of process `pid`'s program, as the kernel keeps it (`/proc/<pid>/comm`).
fn process_name(pid: rustix::process::Pid) -> Option<String> {
    let path = format!("/proc/{}/comm", pid.as_raw_nonzero());
    std::fs::read_to_string(path)
        .ok()
        .map(|name| name.trim_end().to_string())
}

/// When process `pid` started, from `/proc` (clock ticks after boot, and the boot time).
#[cfg(target_os = "linux")]
fn process_start(pid: rustix::process::Pid) -> Option<SystemTime> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.as_raw_nonzero())).ok()?;
    // The command name, in parentheses, may hold spaces and parentheses: count fields after its end.
    // `starttime` is field 22, the 20th after the name.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    let since_boot = Duration::from_millis(ticks.saturating_mul(1000) / per_second);
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(boot) + since_boot)
}

/// Elsewhere the start time is not known, and a folder whose process id runs is kept.
#[cfg(not(target_os = "linux"))]
fn process_start(_: rustix::process::Pid) -> Option<SystemTime> {
    None
}

/// Whether process `pid` exists. A process this user may not signal exists too.
fn running(pid: rustix::process::Pid) -> bool {
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// The folder `out` is in.
fn parent_of(out: &Path) -> &Path {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// How a failed build left `out`, for its closing line: see [`untouched`], unless `err` happened
/// while the new site was being moved in.
pub fn left_by(out: &Path, err: &Error) -> String {
    match err.output_changed {
        true => format!(
            "{} may hold part of the new site: fix this and build again to finish it",
            out.display()
        ),
        false => untouched(out),
    }
}

/// How a build that stopped before moving anything into place left `out`, for its closing line:
/// `./public was left as it was`, or `nothing was written` when there was no output yet.
pub fn untouched(out: &Path) -> String {
    if std::fs::symlink_metadata(out).is_ok() {
        format!("{} was left as it was", out.display())
    } else {
        "nothing was written".to_string()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.sink.dir);
    }
}

/// Before a build reads the site: refuse an output it could not or must not replace, so that the
/// author learns of it before waiting for the render, and remove the staging folders that killed
/// builds left beside it.
pub fn prepare(root: &Path, out: &Path) -> Result<()> {
    check_output_dir(root, out)?;
    remove_abandoned_staging(out);
    Ok(())
}

/// Refuse an output path that is a file, and output folders whose replacement would delete the site's
/// own sources.
fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
    if std::fs::metadata(out).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::new(
            out.display().to_string(),
            None,
            "this is a file, not a folder: remove or rename it, or build into another folder with -o DIR",
        ));
    }
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    // As written, and with links resolved: `-o link-to-content/x` is inside content/ too.
    for (root_abs, out_abs) in [(abs(root), abs(out)), (resolved(root), resolved(out))] {
        check_output_place(out, &root_abs, &out_abs)?;
    }
    Ok(())
}

/// `path` absolute with every symbolic link resolved, also where its last parts do not exist yet.
fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = abs.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return missing.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// [`check_output_dir`] for one spelling of the site's and the output's absolute paths.
fn check_output_place(out: &Path, root_abs: &Path, out_abs: &Path) -> Result<()> {
    let msg = |why: &str| {
        Error::new(
            out.display().to_string(),
            None,
            format!("refusing to use this output folder: {why}"),
        )
    };
    if root_abs.starts_with(out_abs) {
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

    /// Build `files` into `out` through a staging folder, as `lanyard build` does.
    fn build(root: &Path, out: &Path, files: &[(&str, &str)]) {
        let staging = Staging::new(root, out).unwrap();
        for (path, text) in files {
            staging.sink.write(path, text.as_bytes()).unwrap();
        }
        staging.commit().unwrap();
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    #[test]
    fn a_rebuild_touches_only_what_changed_and_removes_what_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, out) = (tmp.path().join("site"), tmp.path().join("public"));
        std::fs::create_dir_all(&root).unwrap();
        build(
            &root,
            &out,
            &[
                ("index.html", "home"),
                ("posts/a/index.html", "a"),
                ("posts/b/index.html", "b"),
                ("old/deep/x.html", "x"),
                ("feed", "a file where a folder will go"),
                ("tags/t/index.html", "a folder where a file will go"),
            ],
        );
        let kept = inode(&out.join("posts/a/index.html"));
        std::fs::write(out.join("stray.txt"), "left by hand").unwrap();
        build(
            &root,
            &out,
            &[
                ("index.html", "home, changed"),
                ("posts/a/index.html", "a"),
                ("feed/index.xml", "feed"),
                ("tags/t", "now a file"),
            ],
        );
        assert_eq!(
            inode(&out.join("posts/a/index.html")),
            kept,
            "unchanged file rewritten"
        );
        let mut found: Vec<String> = walkdir::WalkDir::new(&out)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                MARK,
                "feed/index.xml",
                "index.html",
                "posts/a/index.html",
                "tags/t"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home, changed"
        );
        assert!(!out.join("old").exists() && !out.join("posts/b").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(
            leftovers.len(),
            2,
            "only site/ and public/ remain: {leftovers:?}"
        );
    }

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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_process_start_time_is_read_from_proc() {
        let started = process_start(rustix::process::getpid()).expect("this process's start");
        let now = SystemTime::now();
        let age = now.duration_since(started).unwrap_or_default();
        assert!(
            started <= now + Duration::from_secs(2),
            "{started:?} {now:?}"
        );
        assert!(
            age < Duration::from_secs(3600),
            "this test started {age:?} ago"
        );
        let child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
        let child_started = process_start(pid).expect("the child's start");
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            child_started + Duration::from_secs(2) >= started,
            "a child starts after its parent"
        );
    }

    #[test]
    fn a_commit_that_fails_midway_does_not_claim_the_output_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::new(tmp.path(), &out).unwrap();
        first.sink.write("index.html", b"old").unwrap();
        first.commit().unwrap();

        let second = Staging::new(tmp.path(), &out).unwrap();
        second.sink.write("index.html", b"new").unwrap();
        second.sink.write("gone.html", b"x").unwrap();
        // A staged file that vanished before the move: the move fails partway.
        std::fs::remove_file(second.sink.dir.join("gone.html")).unwrap();
        let err = second.commit().unwrap_err();
        assert!(err.output_changed, "{err}");
        assert!(left_by(&out, &err).contains("may hold part of the new site"));

        let refused = Error::new("x", None, "refused");
        assert!(left_by(&out, &refused).ends_with("was left as it was"));
    }

    #[test]
    fn an_unmarked_folder_is_refused_untouched_unless_it_holds_only_litter() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(".DS_Store"), "finder").unwrap();
        let staging = Staging::new(tmp.path(), &out).unwrap();
        staging.sink.write("index.html", b"home").unwrap();
        staging.commit().unwrap();
        assert!(out.join(MARK).is_file() && !out.join(".DS_Store").exists());

        let mine = tmp.path().join("mine");
        std::fs::create_dir_all(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
        let staging = Staging::new(tmp.path(), &mine).unwrap();
        staging.sink.write("index.html", b"home").unwrap();
        let err = staging.commit().unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
        assert_eq!(
            std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
            "keep me"
        );
        assert!(!mine.join("index.html").exists() && !mine.join(MARK).exists());
    }

    #[test]
    fn staging_swaps_and_cleans() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(MARK), MARK_TEXT).unwrap();
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
    fn only_a_staging_folder_name_lanyard_makes_names_a_process() {
        assert_eq!(
            staging_pid("4242").map(rustix::process::Pid::as_raw_pid),
            Some(4242)
        );
        for not_one in [
            "",
            "0",
            "-5",
            "+5",
            "05",
            "12a",
            "4294967296",
            "2147483648",
            " 7",
        ] {
            assert!(staging_pid(not_one).is_none(), "{not_one:?}");
        }
        let own = staging_dir(Path::new("site/public"), 17);
        assert_eq!(own, Path::new("site/.public.staging-17"));
    }

    #[test]
    fn refuses_to_replace_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(Staging::new(tmp.path(), tmp.path()).is_err());
        assert!(Staging::new(tmp.path(), &tmp.path().join("content/x")).is_err());
    }
}
