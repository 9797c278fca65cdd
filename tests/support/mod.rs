//! Shared by the `serve_*` tests: a small site on disk, the real binary serving it on a free loopback
//! port (killed when dropped), and plain HTTP helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A site in a temporary folder, with a secret file beside it (outside the site) for traversal tests.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub const SECRET: &str = "TOP-SECRET-7c1d2e";

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Replace a file the way editors save: write a temporary file beside it, then rename it over.
pub fn atomic_save(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-save",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

pub fn post(title: &str, date: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\ntags: [testing]\n---\n{body}\n")
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        write(&root.join("site.toml"), "title = \"Test Site\"\nbase_url = \"https://example.com\"\n[feeds]\nformats = [\"rss\", \"json\"]\n");
        write(
            &root.join("content/posts/hello.md"),
            &post("Hello World", "2024-01-02", "The first post says hello."),
        );
        write(
            &root.join("content/posts/second.md"),
            &post("Second Post", "2024-02-03", "Another post."),
        );
        write(
            &root.join("content/pages/about.md"),
            "---\ntitle: About\n---\nAbout us.\n",
        );
        write(&root.join("static/files/notes.txt"), "plain notes\n");
        write(&root.join("static/data.json"), "{\"a\": 1}\n");
        std::fs::write(root.join("static/dot.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        write(
            &root.join("public/keep.txt"),
            "the author's own build output\n",
        );
        write(&dir.path().join("outside/secret.txt"), SECRET);
        write(&dir.path().join("secret.txt"), SECRET);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("static/leak.txt"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path().join("outside"), root.join("static/outside"))
                .unwrap();
        }
        Site { dir, root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

/// `lanyard serve` on a free port, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    output: Arc<Mutex<String>>,
}

impl Server {
    /// Start `lanyard serve --port 0 --root ROOT ARGS…` and wait until it prints its URL.
    pub fn start(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lanyard"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lanyard serve");
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut out = output.lock().unwrap();
                    out.push_str(&line);
                    out.push('\n');
                }
            });
        }
        let mut server = Server {
            child,
            addr: String::new(),
            output,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = server.output();
            if let Some(at) = text.find("at http://") {
                server.addr = text[at + 10..].split('/').next().unwrap().to_string();
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("lanyard serve exited with {status} before serving:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "lanyard serve did not print its URL within 60 s:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The output once it contains `text`, waiting up to `timeout`: the server's lines reach the test
    /// through a pipe and a reader thread, so a line printed just before an event was sent may still
    /// be on its way when the event arrives. `Err` with the output if it never came.
    pub fn output_containing(&self, text: &str, timeout: Duration) -> Result<String, String> {
        self.output_when(timeout, |output| output.contains(text))
    }

    /// The output once `done` holds for it, waiting up to `timeout`, as [`Self::output_containing`].
    pub fn output_when(
        &self,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let output = self.output();
            if done(&output) {
                return Ok(output);
            }
            if Instant::now() >= deadline {
                return Err(output);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for the process to end by itself; its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Poll `path` until `check` accepts its body, or fail after `timeout` with the server's output.
    pub fn wait_for(
        &self,
        path: &str,
        timeout: Duration,
        check: impl Fn(&Response) -> bool,
    ) -> Response {
        let deadline = Instant::now() + timeout;
        loop {
            let res = get(&self.addr, path);
            if check(&res) {
                return res;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never matched within {timeout:?}; last:\n{}\n--- server output:\n{}",
                res.status,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response read whole from a `Connection: close` request.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send `request` exactly as given (no normalization of the path) and read the response.
pub fn raw(addr: &str, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = bytes[split..].to_vec();
    Response { status, head, body }
}

/// `GET path` with `Connection: close`; the path is sent as given.
pub fn get(addr: &str, path: &str) -> Response {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// Read Server-Sent Events from `/__lanyard/events` on a thread; each event arrives as its text.
pub fn events(addr: &str) -> std::sync::mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET /__lanyard/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let (mut event, mut line) = (String::new(), String::new());
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.starts_with("event:") {
                event = line.clone();
            } else if line.starts_with("data:") && !event.is_empty() {
                event.push_str(&line);
                if tx.send(std::mem::take(&mut event)).is_err() {
                    return;
                }
            }
            line.clear();
        }
    });
    rx
}

/// The next event whose text contains `needle`, within `timeout`.
pub fn next_event(
    rx: &std::sync::mpsc::Receiver<String>,
    needle: &str,
    timeout: Duration,
) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) if e.contains(needle) => return Some(e),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}
