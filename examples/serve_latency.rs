//! Benchmark: how long from saving a post to the live-reload event, on a large site.
//!
//! ```text
//! python3 ../shared/bench/gen-corpus /tmp/c10k --posts 10000
//! cargo build --release
//! cargo run --release --example serve_latency -- /tmp/c10k [EDITS] [--in-process] [--retitle]
//! ```
//!
//! By default it starts `target/release/lanyard serve --watch --port 0` on the site, listens on the
//! event stream like an open page, appends a sentence to a random post (a write and a rename, as
//! editors save), and times each save until the `reload` event naming that post's page arrives (the
//! watcher's debounce, the rebuild of the post and its small listings, and the notification), then until
//! the server reports the whole rebuild done (large listings such as the archive included).
//! `--in-process` times the incremental builder alone, stage by stage, without the server or the
//! watcher. `--retitle` changes each post's title instead of its text, which every listing of the post
//! shows (the archive and author pages included). The site is edited in place; regenerate it
//! afterwards.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lanyard::content::BuildOptions;
use lanyard::error::Diagnostics;
use lanyard::pipeline::Overrides;
use lanyard::serve::incremental::{Builder, Changes};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().map(String::as_str).unwrap_or("/tmp/c10k"));
    let edits: usize = args
        .iter()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    let root = std::fs::canonicalize(&root).expect("the corpus folder exists");
    let posts = post_files(&root);
    let edit = match args.iter().any(|a| a == "--retitle") {
        true => Edit::Title,
        false => Edit::Body,
    };
    if args.iter().any(|a| a == "--in-process") {
        in_process(&root, &posts, edits, edit);
    } else {
        end_to_end(&root, &posts, edits, edit);
    }
}

fn post_files(root: &Path) -> Vec<PathBuf> {
    let mut posts: Vec<PathBuf> = std::fs::read_dir(root.join("content/posts"))
        .expect("content/posts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    posts.sort();
    posts
}

/// A deterministic choice of post for edit `n`.
fn pick(posts: &[PathBuf], n: usize) -> &Path {
    &posts[(n * 7919 + 13) % posts.len()]
}

/// What each save changes.
#[derive(Clone, Copy)]
enum Edit {
    /// Append a sentence to the post.
    Body,
    /// Give the post a new title.
    Title,
}

/// Save like an editor: write a temporary file beside the post, then rename it over the post.
fn save_edit(path: &Path, n: usize, edit: Edit) {
    let mut text = std::fs::read_to_string(path).expect("read post");
    match edit {
        Edit::Body => text.push_str(&format!(
            "\nBenchmark edit number {n}: one more sentence about following up.\n"
        )),
        Edit::Title => {
            let start = text.find("\ntitle:").expect("the post has a title") + 1;
            let end = start + text[start..].find('\n').expect("a line ends the title");
            text.replace_range(start..end, &format!("title: \"Retitled by edit {n}\""));
        }
    }
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{what}: n={} p50={:.1} ms p95={:.1} ms max={:.1} ms",
        samples.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

fn in_process(root: &Path, posts: &[PathBuf], edits: usize, edit: Edit) {
    let opts = BuildOptions::default();
    let mut builder = Builder::new(
        root,
        Overrides {
            base_url: Some("http://127.0.0.1:1111".into()),
        },
    );
    let start = Instant::now();
    builder
        .update(&opts, &Changes::default(), &Diagnostics::new())
        .expect("the corpus builds");
    println!(
        "full build: {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let (mut samples, mut firsts) = (Vec::new(), Vec::new());
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    for n in 0..edits {
        let path = pick(posts, n);
        save_edit(path, n, edit);
        let changes = Changes {
            paths: vec![path.to_path_buf()],
            ..Changes::default()
        };
        let start = Instant::now();
        let mut first = None;
        let patch = builder
            .update_in_steps(&opts, &changes, &Diagnostics::new(), &mut |_| {
                first = Some(start.elapsed())
            })
            .expect("the edit builds");
        samples.push(start.elapsed());
        firsts.push(first.unwrap_or_else(|| start.elapsed()));
        for (i, (name, d)) in patch.stages.iter().enumerate() {
            match stages.get_mut(i) {
                Some(s) => s.1 += *d,
                None => stages.push((name, *d)),
            }
        }
    }
    report(
        "post edit → edited post and small outputs ready (in process)",
        firsts,
    );
    report("post edit → whole rebuild done (in process)", samples);
    for (name, total) in stages {
        println!(
            "  {name:<28} {:.1} ms on average",
            total.as_secs_f64() * 1000.0 / edits as f64
        );
    }
}

/// The server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn end_to_end(root: &Path, posts: &[PathBuf], edits: usize, edit: Edit) {
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/lanyard");
    let exe = std::env::var_os("LANYARD_BIN")
        .map(PathBuf::from)
        .unwrap_or(exe);
    let mut child = Command::new(&exe)
        .args(["serve", "--watch", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (build with `cargo build --release` or set LANYARD_BIN)",
                exe.display()
            )
        });
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let _server = Server(child);
    let start = Instant::now();
    let mut lines = stdout.lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .expect("utf-8");
        if let Some(at) = line.find("http://") {
            break line[at + 7..]
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    println!("server up after {:.1} s", start.elapsed().as_secs_f64());
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(|l| l.ok()) {
            if line.contains("rebuilt in") && done_tx.send(line).is_err() {
                return;
            }
        }
    });
    let events = subscribe(&addr);
    let (mut samples, mut complete) = (Vec::new(), Vec::new());
    for n in 0..edits {
        let path = pick(posts, n);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        while events.try_recv().is_ok() {}
        while done.try_recv().is_ok() {}
        let start = Instant::now();
        save_edit(path, n, edit);
        loop {
            let event = events
                .recv_timeout(Duration::from_secs(10))
                .expect("a reload event within 10 s");
            if event.contains("event: reload") && event.contains(&format!("/{stem}/")) {
                break;
            }
        }
        samples.push(start.elapsed());
        // Wait for the whole rebuild (large listings included) before the next save.
        done.recv_timeout(Duration::from_secs(30))
            .expect("the server reports the rebuild");
        complete.push(start.elapsed());
    }
    report(
        "save → reload event for the edited post (incl. 20 ms debounce)",
        samples,
    );
    report(
        "save → whole rebuild done, large listings included",
        complete,
    );
}

/// Read the event stream on a thread; each event arrives as its text.
fn subscribe(addr: &str) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET /__lanyard/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut event = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.trim().is_empty() && !event.is_empty() {
                if tx.send(std::mem::take(&mut event)).is_err() {
                    return;
                }
            } else {
                event.push_str(&line);
            }
            line.clear();
        }
    });
    rx
}
