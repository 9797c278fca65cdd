//! End to end in a real browser: headless Chromium, driven over WebDriver by `chromedriver`, keeps a post
//! from `lanyard serve --watch` open while the test edits it. The page must show the new text by itself,
//! show the error overlay for a broken front matter, and drop it after the fix; a stylesheet change is
//! swapped in place, and a right-to-left language turns the page around.
//!
//! Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium chromium-driver`);
//! without them this test fails and says so, rather than passing without having run.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{atomic_save, post, write, Server, Site};

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// `chromedriver` on a free port, killed when dropped.
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Driver {
    fn start(exe: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while driver
            .agent
            .get(&format!("{}/status", driver.base))
            .call()
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let res = match (method, body) {
            ("POST", Some(b)) => self.agent.post(&url).send_json(b),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut res = res.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let value: Value = res.body_mut().read_json().expect("WebDriver answers JSON");
        assert!(
            value["value"].get("error").is_none(),
            "WebDriver {method} {path}: {value}"
        );
        value["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, closed when dropped.
struct Browser<'a> {
    driver: &'a Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl<'a> Browser<'a> {
    fn open(driver: &'a Driver, chromium: &Path) -> Browser<'a> {
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium.display().to_string(), "args": args }
        }}});
        let session = driver.send("POST", "/session", Some(caps));
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Browser {
            driver,
            id,
            _profile: profile,
        }
    }

    fn go(&self, url: &str) {
        self.driver.send(
            "POST",
            &format!("/session/{}/url", self.id),
            Some(json!({ "url": url })),
        );
    }

    fn eval(&self, script: &str) -> Value {
        self.driver.send(
            "POST",
            &format!("/session/{}/execute/sync", self.id),
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Poll `script` until `check` accepts its value; fail with the last value after `timeout`.
    fn wait_until(
        &self,
        what: &str,
        script: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.eval(script);
            if check(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not {what} within {timeout:?}; last value: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .agent
            .delete(&format!("{}/session/{}", self.driver.base, self.id))
            .call();
    }
}

const TEXT: &str = "return document.body ? document.body.innerText : ''";
const OVERLAY: &str =
    "var o = document.getElementById('lanyard-overlay'); return o ? o.innerText : null";

#[test]
fn an_open_page_follows_edits_errors_and_fixes() {
    let chromium = on_path(&["chromium", "chromium-browser"]);
    let chromedriver = on_path(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        panic!(
            "this test needs Chromium and ChromeDriver on PATH: install them with \
             `apt-get install chromium chromium-driver` (CI installs them before running the tests)"
        );
    };
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let driver = Driver::start(&chromedriver);
    let browser = Browser::open(&driver, &chromium);
    let timeout = Duration::from_secs(20);

    browser.go(&server.url("/posts/hello/"));
    browser.wait_until("show the post", TEXT, timeout, |v| {
        v.as_str()
            .unwrap_or("")
            .contains("The first post says hello.")
    });
    // Set only in this copy of the page: gone once the page has reloaded itself.
    browser.eval("window.lanyardTestMarker = 1; return 1");

    let path = site.path("content/posts/hello.md");
    atomic_save(
        &path,
        &post(
            "Hello World",
            "2024-01-02",
            "Edited while the browser watched.",
        ),
    );
    browser.wait_until(
        "show the edit without a manual reload",
        TEXT,
        timeout,
        |v| {
            v.as_str()
                .unwrap_or("")
                .contains("Edited while the browser watched.")
        },
    );
    assert_eq!(
        browser.eval("return typeof window.lanyardTestMarker"),
        json!("undefined"),
        "the page reloaded itself"
    );

    write(
        &path,
        "---\ntitle: \"Hello World\"\ndate: [2024-01-02\n---\nBroken.\n",
    );
    let overlay = browser.wait_until("show the error overlay", OVERLAY, timeout, |v| {
        v.as_str()
            .is_some_and(|t| t.contains("content/posts/hello.md:"))
    });
    assert!(
        overlay.as_str().unwrap().contains("front matter"),
        "{overlay}"
    );
    assert!(
        browser
            .eval(TEXT)
            .as_str()
            .unwrap()
            .contains("Edited while the browser watched."),
        "the last good version stays under the overlay"
    );

    atomic_save(
        &path,
        &post(
            "Hello World",
            "2024-01-02",
            "Fixed, and the overlay is gone.",
        ),
    );
    browser.wait_until(
        "drop the overlay after the fix",
        OVERLAY,
        timeout,
        Value::is_null,
    );
    browser.wait_until("show the fixed text", TEXT, timeout, |v| {
        v.as_str()
            .unwrap_or("")
            .contains("Fixed, and the overlay is gone.")
    });

    // A stylesheet-only change is swapped in place: the page does not reload.
    browser.eval("window.lanyardTestMarker = 2; return 1");
    write(
        &site.path("static/extra.css"),
        "body { outline: 3px solid rgb(1, 2, 3); }\n",
    );
    write(&site.path("templates/page.html"), "{% extends \"base.html\" %}{% block head %}<link rel=\"stylesheet\" href=\"/extra.css\">{% endblock head %}{% block main %}{{ page.content_html | safe }}{% endblock main %}\n");
    browser.go(&server.url("/about/"));
    browser.wait_until(
        "load the page with the stylesheet",
        "return getComputedStyle(document.body).outlineColor",
        timeout,
        |v| v == "rgb(1, 2, 3)",
    );
    browser.eval("window.lanyardTestMarker = 3; return 1");
    write(
        &site.path("static/extra.css"),
        "body { outline: 3px solid rgb(4, 5, 6); }\n",
    );
    browser.wait_until(
        "swap the stylesheet",
        "return getComputedStyle(document.body).outlineColor",
        timeout,
        |v| v == "rgb(4, 5, 6)",
    );
    assert_eq!(
        browser.eval("return window.lanyardTestMarker"),
        json!(3),
        "swapped in place, without a reload"
    );

    // A right-to-left language turns the page around, and its arrows with it.
    const DIRECTION: &str = "return getComputedStyle(document.documentElement).direction";
    const ARROW: &str = "return getComputedStyle(document.querySelector('.post-nav-newer [aria-hidden]')).transform";
    browser.go(&server.url("/posts/hello/"));
    browser.wait_until("show the post left to right", DIRECTION, timeout, |v| {
        v == "ltr"
    });
    assert_eq!(browser.eval(ARROW), json!("none"));
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    write(
        &site.path("site.toml"),
        &format!("language = \"he\"\n{toml}"),
    );
    browser.wait_until("turn the page right to left", DIRECTION, timeout, |v| {
        v == "rtl"
    });
    assert_eq!(browser.eval(ARROW), json!("matrix(-1, 0, 0, 1, 0, 0)"));
    drop(server);
}

impl Browser<'_> {
    /// Resize the window so that the page is `width` CSS pixels wide (a phone), and say how wide it is.
    fn narrow_to(&self, width: u32) -> u64 {
        self.driver.send(
            "POST",
            &format!("/session/{}/window/rect", self.id),
            Some(json!({ "width": width, "height": 900 })),
        );
        self.eval("return window.innerWidth").as_u64().unwrap()
    }

    /// The open page `path` is no wider than the window: nothing pushes it sideways.
    fn assert_fits(&self, path: &str) {
        let widths = self.eval("return [document.scrollingElement.scrollWidth, window.innerWidth]");
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{path} is {} px wide in a {} px window",
            widths[0],
            widths[1]
        );
    }
}

/// Long words where authors put them (a title quoting an error code, a footnote's URL, a tag) must
/// wrap on a phone instead of pushing every listing sideways, and what does scroll sideways (code,
/// tables) must take keyboard focus; task checkboxes are labelled, footnotes sit at the end.
#[test]
fn the_default_theme_fits_a_phone_and_the_keyboard() {
    let (Some(chromium), Some(chromedriver)) = (
        on_path(&["chromium", "chromium-browser"]),
        on_path(&["chromedriver"]),
    ) else {
        panic!("this test needs Chromium and ChromeDriver on PATH: `apt-get install chromium chromium-driver`");
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write(
        &root.join("site.toml"),
        "title = \"Narrow\"\nbase_url = \"https://narrow.example.com\"\n",
    );
    let long = "ERR_SSL_VERSION_OR_CIPHER_MISMATCH_BEHIND_THE_CORPORATE_PROXY";
    let body = format!(
        "Intro with a note.[^src]\n\n[^src]: https://en.wikipedia.org/wiki/Dunbar%27s_number_and_the_limits_of_a_rolodex_{long}\n\n\
         - [x] Book the venue\n- [ ] Send the invites\n\n\
         ```text\n{}\n```\n\n| a | b | c | d | e | f | g | h |\n|---|---|---|---|---|---|---|---|\n{}\n\nThe end.\n",
        long.repeat(4),
        "| wide cell text | wide cell text | wide cell text | wide cell text | wide cell text | wide cell text | wide cell text | wide cell text |"
    );
    for (slug, date, part) in [("one", "2024-01-02", 1), ("two", "2024-01-03", 2)] {
        write(
            &root.join(format!("content/posts/{slug}.md")),
            &format!(
                "---\ntitle: \"Fixing {long} ({slug})\"\ndate: {date}\nauthor: \"{long}\"\ntags: [\"{long}\"]\nseries: \"Series {long}\"\npart: {part}\n---\n{body}"
            ),
        );
    }
    let server = Server::start(&root, &[]);
    let driver = Driver::start(&chromedriver);
    let browser = Browser::open(&driver, &chromium);
    let width = browser.narrow_to(320);
    assert!(width <= 400, "the window is {width} px wide, not a phone's");
    let timeout = Duration::from_secs(20);
    for path in ["/", "/posts/one/", "/archive/", "/tags/", "/series/"] {
        browser.go(&server.url(path));
        browser.wait_until("load", TEXT, timeout, |v| {
            v.as_str().is_some_and(|t| t.contains("Narrow"))
        });
        browser.assert_fits(path);
    }
    for listing in ["/series/", "/tags/"] {
        browser.go(&server.url(listing));
        let link = browser.eval("return document.querySelector('main a[href^=\"' + location.pathname + '\"]:not([href=\"' + location.pathname + '\"])').getAttribute('href')");
        browser.go(&server.url(link.as_str().unwrap()));
        browser.assert_fits(link.as_str().unwrap());
    }

    browser.go(&server.url("/posts/one/"));
    let facts = browser.eval(
        "var c = document.querySelector('.post-content'); return [\
         c.querySelector('pre').tabIndex, c.querySelector('table').tabIndex,\
         c.querySelector('input[type=checkbox]').labels.length,\
         c.lastElementChild.className]",
    );
    assert_eq!(facts, json!([0, 0, 1, "footnote-definition"]));
    drop(server);
}
