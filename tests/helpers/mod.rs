//! Helpers for the command tests: fixture sites, temporary copies, running the real binary, and
//! making its output stable for snapshots.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

#[path = "../common/mod.rs"]
mod common;

#[allow(unused_imports)]
pub use common::{copy_dir, fixture, stderr, stdout, write};

/// A temporary copy of a fixture site, for commands that write.
pub fn copy_of(name: &str) -> tempfile::TempDir {
    common::site_copy(name)
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
