//! Helpers for the command tests: fixture sites, temporary copies, running the real binary, and
//! making its output stable for snapshots.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture site under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A temporary copy of a fixture site, for commands that write.
pub fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Write `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Run `lanyard ARGS` from `cwd`.
pub fn lanyard_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Run `lanyard ARGS --root ROOT`.
pub fn lanyard(root: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    let root = root.to_str().unwrap();
    all.extend(["--root", root]);
    lanyard_in(Path::new(env!("CARGO_MANIFEST_DIR")), &all)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout then stderr, with the exit code, temporary paths and today's date made stable.
pub fn transcript(out: &Output, root: &Path) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        stdout(out),
        stderr(out)
    );
    stable(&text, root)
}

/// `root` as `[SITE]`, today's date (UTC) as `[TODAY]`.
pub fn stable(text: &str, root: &Path) -> String {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    text.replace(root.to_str().unwrap(), "[SITE]")
        .replace(&today, "[TODAY]")
}
