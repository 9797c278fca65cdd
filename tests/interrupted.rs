//! A build stopped by a signal: the output must be wholly the old site or wholly the new one, whenever
//! the signal comes, and no staging folder may remain. A build killed outright (SIGKILL) leaves its
//! staging folder, which the next build removes, without touching the folder of a build still running
//! (but removing one whose process id now belongs to a process that started after it).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::*;
use rustix::process::{kill_process, Pid, Signal};

/// Enough posts that a debug build takes a second or two to render, and a while to move into place.
const POSTS: usize = 2000;

/// A site of `posts` posts whose every title says which `generation` of the content it is.
fn write_site(site: &Path, posts: usize, generation: u32) {
    write(
        site,
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n",
    );
    for i in 0..posts {
        write(
            site,
            &format!("content/posts/p{i}.md"),
            &format!(
                "---\ntitle: Post {i} (generation {generation})\ndate: 2024-01-01\n---\n\
                 Body of post {i}, generation {generation}.\n"
            ),
        );
    }
}

/// The generation of the site of `posts` posts in `out`: every post page must be there and of the
/// same one.
fn output_generation(out: &Path, posts: usize) -> u32 {
    let mut seen = std::collections::BTreeMap::<u32, usize>::new();
    for i in 0..posts {
        let page = out.join(format!("posts/p{i}/index.html"));
        let html =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let title = html
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(title, _)| title)
            .unwrap_or_else(|| panic!("{}: no <title>", page.display()));
        let generation = title
            .split_once("(generation ")
            .and_then(|(_, rest)| rest.split_once(')'))
            .and_then(|(n, _)| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: title {title:?}", page.display()));
        *seen.entry(generation).or_default() += 1;
    }
    assert_eq!(
        seen.len(),
        1,
        "post pages of more than one build (generation → pages): {seen:?}"
    );
    *seen.keys().next().unwrap()
}

/// The staging folders in `dir`.
fn staging_folders(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.starts_with(".public.staging-"))
        .collect()
}

/// `lanyard build` started in `site`, printing its stage timings, which tell how far it got.
struct Build {
    child: Child,
    lines: Receiver<String>,
    stderr: Vec<String>,
}

impl Build {
    fn start(site: &Path) -> Build {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lanyard"))
            .arg("build")
            .current_dir(site)
            .env("LANYARD_TIMINGS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, lines) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Build {
            child,
            lines,
            stderr: Vec::new(),
        }
    }

    /// Wait until the build prints a line starting with `prefix`.
    fn wait_for(&mut self, prefix: &str) {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("no line {prefix:?}; got:\n{}", self.stderr.join("\n")));
            let found = line.starts_with(prefix);
            self.stderr.push(line);
            if found {
                return;
            }
        }
    }

    fn signal(&self, signal: Signal) {
        // The process may have exited already (not yet waited for): that is one of the timings.
        let _ = kill_process(Pid::from_child(&self.child), signal);
    }

    /// Wait for the exit: its code (`None` if a signal ended it) and everything it printed on stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        self.stderr.extend(self.lines.iter());
        (status.code(), self.stderr.join("\n"))
    }
}

/// When the test sends SIGTERM.
#[derive(Debug, Clone, Copy)]
enum When {
    /// This long after the configuration was read (so the handlers are in place).
    After(Duration),
    /// Right after the links were checked, when the build starts moving files into place.
    AtCommit,
}

#[test]
fn a_stopped_build_leaves_the_old_site_or_the_new_one_whole() {
    let site = tempfile::tempdir().unwrap();
    write_site(site.path(), POSTS, 0);
    let started = Instant::now();
    let first = lanyard(site.path(), &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let full = started.elapsed();
    let out = site.path().join("public");
    let mut current = output_generation(&out, POSTS);

    // While reading the site, while rendering, while moving files into place, and late.
    let whens = [
        When::After(full / 20),
        When::After(full * 2 / 5),
        When::AtCommit,
        When::After(full * 4 / 5),
    ];
    for (generation, when) in (1..).zip(whens) {
        // Every post changes, so the build has every post page to move into place.
        write_site(site.path(), POSTS, generation);
        let mut build = Build::start(site.path());
        match when {
            When::After(delay) => {
                build.wait_for("timing: config");
                std::thread::sleep(delay);
            }
            When::AtCommit => build.wait_for("timing: check links"),
        }
        build.signal(Signal::TERM);
        let (code, err) = build.finish();
        let now = output_generation(&out, POSTS);
        eprintln!(
            "SIGTERM {when:?}: exit {code:?}, output of generation {now} (new: {generation})"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            now == current || now == generation,
            "{when:?}: the output is of generation {now}, neither the old {current} nor the new {generation}"
        );
        let said: Vec<&str> = err.lines().filter(|l| l.starts_with("Stopped")).collect();
        let expected: &[&str] = match code {
            Some(0) => {
                assert_eq!(now, generation, "{when:?}: a finished build");
                &[]
            }
            Some(143) if now == current => &["Stopped: ./public was left as it was."],
            Some(143) => &["Stopped once the new site was wholly in place in ./public."],
            other => panic!("{when:?}: exit {other:?}, expected 0 or 143:\n{err}"),
        };
        assert_eq!(said, expected, "{when:?}:\n{err}");
        assert_eq!(
            staging_folders(site.path()),
            Vec::<String>::new(),
            "{when:?}"
        );
        current = now;
    }
}

#[test]
fn a_killed_builds_staging_folder_is_removed_by_the_next_build() {
    // Enough posts that the render lasts far longer than it takes to see its staging folder.
    let posts = 500;
    let site = tempfile::tempdir().unwrap();
    write_site(site.path(), posts, 0);
    let mut build = Build::start(site.path());
    build.wait_for("timing: plan outputs");
    let killed = site
        .path()
        .join(format!(".public.staging-{}", build.child.id()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !killed.is_dir() {
        assert!(Instant::now() < deadline, "no staging folder appeared");
        std::thread::sleep(Duration::from_millis(1));
    }
    build.signal(Signal::KILL);
    let (code, _) = build.finish();
    assert_eq!(code, None, "SIGKILL ended the build");
    assert!(
        killed.is_dir(),
        "a killed build cannot remove its staging folder"
    );

    // A running process's folder (this test's), and names that are not a staging folder of this output.
    let live = format!(".public.staging-{}", std::process::id());
    let others = [
        live.as_str(),
        ".public.staging-x1",
        ".public.staging-",
        ".other.staging-1",
    ];
    for name in others {
        write(site.path(), &format!("{name}/keep.txt"), "keep");
    }
    // A folder named for a process that runs but started after the folder last changed: its id was
    // reused, and the build that made the folder is long gone.
    let mut reused = Command::new("sleep").arg("60").spawn().unwrap();
    let stale = site.path().join(format!(".public.staging-{}", reused.id()));
    write(&stale, "keep.txt", "stale");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&stale)
        .and_then(|dir| dir.set_modified(hour_ago))
        .unwrap();

    let next = lanyard(site.path(), &["build"]);
    let _ = reused.kill();
    let _ = reused.wait();
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(
        !killed.exists(),
        "the killed build's staging folder is gone"
    );
    assert!(!stale.exists(), "the folder of a reused process id is gone");
    for name in others {
        assert!(
            site.path().join(name).join("keep.txt").is_file(),
            "{name} was removed"
        );
    }
    assert_eq!(output_generation(&site.path().join("public"), posts), 0);
}
