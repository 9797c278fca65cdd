//! Live reload: a Server-Sent Events hub, the small client injected into served HTML, and the overlay.
//!
//! Server-Sent Events need no extra protocol or crate: one long GET per open page, to which the hub
//! writes `reload` (with the keys of the files that changed, so a page reloads only when it changed
//! itself, and a stylesheet-only change is swapped in place), `problem` (a failed build: the client shows
//! an overlay with the `file:line: message` text) and `ok` (the next good build: the overlay goes). Each
//! connection first gets `hello` with the build generation, so a page that missed an event while
//! disconnected, or that was served by an earlier server, reloads itself.
//!
//! The client is added to HTML responses only, as they are sent: the rendered files held in memory stay
//! byte-identical to a clean build and `lanyard build` never contains it.

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::sync::{broadcast, mpsc};

/// Where the client script and the event stream are served.
pub const CLIENT_PATH: &str = "/__lanyard/live.js";
pub const EVENTS_PATH: &str = "/__lanyard/events";

/// More changed files than this and the event says "everything" instead of listing them.
const MAX_LISTED: usize = 256;
/// A comment line keeps idle connections alive and finds dead ones.
const PING_EVERY: Duration = Duration::from_secs(15);

/// The client: reloads its page when that page (or a script, image or font) changed, swaps changed
/// stylesheets in place, and shows build errors over the page.
pub const CLIENT_JS: &str = r#"// lanyard live reload (dev server only; never part of a built site)
(function () {
  "use strict";
  var me = document.currentScript;
  var page = me.getAttribute("data-page");
  var missing = me.hasAttribute("data-missing");
  // A missing `/x` is `x/index.html` (a page, which `/x` redirects to once it exists) or a file `x`.
  var bare = missing && /\/index\.html$/.test(page) ? page.slice(0, -11) : null;
  var gen = me.getAttribute("data-gen");
  var ASSET = /\.(m?js|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|otf)$/i;
  function overlay(message) {
    var old = document.getElementById("lanyard-overlay");
    if (old) old.remove();
    if (message === null) return;
    var box = document.createElement("div");
    box.id = "lanyard-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(24,24,27,.94);color:#fafafa;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
    var title = document.createElement("p");
    title.textContent = "The site failed to build. Showing the last good version; fix the error and save.";
    title.style.cssText = "margin:0 0 1rem;color:#fca5a5;font-weight:bold";
    var text = document.createElement("pre");
    text.textContent = message;
    text.style.cssText = "margin:0;white-space:pre-wrap";
    box.append(title, text);
    document.body.append(box);
  }
  function swapStylesheets(paths) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || paths.indexOf(decodeURIComponent(url.pathname.slice(1))) < 0) return;
      url.searchParams.set("lanyard", Date.now());
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.onload = function () { link.remove(); };
      link.after(fresh);
    });
  }
  if (me.hasAttribute("data-error")) overlay(me.getAttribute("data-error"));
  var events = new EventSource("/__lanyard/events");
  events.addEventListener("hello", function (e) {
    if (JSON.parse(e.data).gen !== gen) location.reload();
  });
  events.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    gen = d.gen;
    var mine = d.all || d.paths.indexOf(page) >= 0 || (missing && d.paths.indexOf("404.html") >= 0) ||
      (bare !== null && d.paths.indexOf(bare) >= 0) ||
      d.paths.some(function (p) { return ASSET.test(p); });
    if (mine) { location.reload(); return; }
    var css = d.paths.filter(function (p) { return /\.css$/i.test(p); });
    if (css.length) swapStylesheets(css);
  });
  events.addEventListener("problem", function (e) { overlay(JSON.parse(e.data).message); });
  events.addEventListener("ok", function () { overlay(null); });
})();
"#;

struct State {
    generation: u64,
    problem: Option<String>,
}

/// Event streams open at once. An event stream holds its connection for as long as the page is
/// open, and the server takes [`super::server::MAX_CONNECTIONS`] connections: without a cap of their
/// own, 513 streams (a runaway script, or anyone once `--bind` opens the server up) left every other
/// request waiting for good. Past the cap the oldest stream is ended; a page that is still open
/// reconnects a second later (`retry: 1000`).
pub const MAX_STREAMS: usize = 64;

/// Tells every open page what happened to the site.
pub struct Hub {
    /// Tells a page served by this process from one served before it restarted.
    instance: u64,
    state: Mutex<State>,
    events: broadcast::Sender<Bytes>,
    /// The tasks feeding the open event streams, oldest first.
    streams: Mutex<std::collections::VecDeque<tokio::task::AbortHandle>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        Hub {
            instance,
            state: Mutex::new(State {
                generation: 1,
                problem: None,
            }),
            events: broadcast::channel(64).0,
            streams: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn gen_id(&self, generation: u64) -> String {
        format!("{:x}-{generation}", self.instance)
    }

    /// A build succeeded and changed these output keys.
    pub fn built(&self, changed: &[String]) {
        let mut state = self.lock();
        if state.problem.take().is_some() {
            let _ = self
                .events
                .send(Bytes::from_static(b"event: ok\ndata: {}\n\n"));
        }
        if changed.is_empty() {
            return;
        }
        state.generation += 1;
        let all = changed.len() > MAX_LISTED;
        let paths: &[String] = if all { &[] } else { changed };
        let data =
            serde_json::json!({ "gen": self.gen_id(state.generation), "all": all, "paths": paths });
        let _ = self
            .events
            .send(Bytes::from(format!("event: reload\ndata: {data}\n\n")));
    }

    /// A build failed with this message (`file:line: message` lines).
    pub fn failed(&self, message: &str) {
        let mut state = self.lock();
        state.problem = Some(message.to_string());
        let _ = self.events.send(problem_event(message));
    }

    /// What to inject before `</body>` of an HTML page served for `key` (`missing`: served as the 404 page).
    pub fn snippet(&self, key: &str, missing: bool) -> String {
        let state = self.lock();
        let mut tag = format!(
            "<script src=\"{CLIENT_PATH}\" data-page=\"{}\" data-gen=\"{}\"",
            escape_attr(key),
            self.gen_id(state.generation)
        );
        if missing {
            tag.push_str(" data-missing");
        }
        if let Some(p) = &state.problem {
            tag.push_str(&format!(" data-error=\"{}\"", escape_attr(p)));
        }
        tag.push_str("></script>\n");
        tag
    }

    /// A new event stream: the events to send first, and the ones that follow.
    pub fn subscribe(&self) -> (Vec<Bytes>, broadcast::Receiver<Bytes>) {
        let state = self.lock();
        let rx = self.events.subscribe();
        let mut first = vec![Bytes::from(format!(
            "retry: 1000\nevent: hello\ndata: {}\n\n",
            serde_json::json!({ "gen": self.gen_id(state.generation) })
        ))];
        if let Some(p) = &state.problem {
            first.push(problem_event(p));
        }
        (first, rx)
    }

    /// The response body of one event stream; must be called inside the server's runtime.
    pub fn stream(&self) -> EventStream {
        let (first, mut rx) = self.subscribe();
        let (tx, body) = mpsc::channel::<Bytes>(16);
        let task = tokio::spawn(async move {
            for event in first {
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            let mut ping = tokio::time::interval(PING_EVERY);
            ping.tick().await;
            loop {
                let event = tokio::select! {
                    e = rx.recv() => match e {
                        Ok(e) => e,
                        // Fell behind: whatever it missed, a reload brings the page up to date.
                        Err(broadcast::error::RecvError::Lagged(_)) => Bytes::from_static(b"event: reload\ndata: {\"gen\":\"\",\"all\":true,\"paths\":[]}\n\n"),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = ping.tick() => Bytes::from_static(b": ping\n\n"),
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
        });
        self.keep(task.abort_handle());
        EventStream { rx: body }
    }

    /// Count a new stream's task among the open ones, ending the oldest past [`MAX_STREAMS`] (its
    /// body then ends, and so does its response).
    fn keep(&self, task: tokio::task::AbortHandle) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.retain(|t| !t.is_finished());
        while streams.len() >= MAX_STREAMS {
            if let Some(oldest) = streams.pop_front() {
                oldest.abort();
            }
        }
        streams.push_back(task);
    }
}

fn problem_event(message: &str) -> Bytes {
    Bytes::from(format!(
        "event: problem\ndata: {}\n\n",
        serde_json::json!({ "message": message })
    ))
}

/// A double-quoted attribute value: escaped as page text is, with newlines as `&#10;` so that the
/// value stays on one line.
fn escape_attr(s: &str) -> String {
    crate::markdown::escape_html(s).replace('\n', "&#10;")
}

/// `html` with `snippet` inserted before its last `</body>` that is not inside an HTML comment, or
/// at the end when it has none.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let mut end = html.len();
    let at = loop {
        match html[..end]
            .windows(7)
            .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        {
            Some(at) if in_comment(&html[..at]) => end = at,
            Some(at) => break at,
            None => break html.len(),
        }
    };
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Whether the end of `before` lies inside an HTML comment: after a `<!--` that no `-->` closes.
fn in_comment(before: &[u8]) -> bool {
    let find_last = |needle: &[u8]| before.windows(needle.len()).rposition(|w| w == needle);
    match (find_last(b"<!--"), find_last(b"-->")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

/// An event stream's body: whatever the hub's task sends, until the client goes away.
pub struct EventStream {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|event| event.map(|b| Ok(Frame::data(b))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", "<script></script>");
        assert_eq!(out, b"<html><body><p>x</p><script></script></BODY></html>");
        assert_eq!(inject(b"<p>bare</p>", "<s>"), b"<p>bare</p><s>");
        assert_eq!(
            inject(b"<body>x</body>\n<!-- a </body> note -->", "<s>"),
            b"<body>x<s></body>\n<!-- a </body> note -->"
        );
        assert_eq!(
            inject(b"<body><!-- --></body><!-- </body>", "<s>"),
            b"<body><!-- --><s></body><!-- </body>"
        );
    }

    #[test]
    fn the_error_is_escaped_in_the_snippet() {
        let hub = Hub::new();
        hub.failed("content/posts/a.md:3: bad <script>alert(1)</script> \"x\"");
        let s = hub.snippet("posts/a/index.html", false);
        assert!(s.contains("data-error=\"content/posts/a.md:3: bad &lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;\""), "{s}");
        assert!(!s.contains("<script>alert"));
    }

    #[test]
    fn events_say_what_changed() {
        let hub = Hub::new();
        let (first, mut rx) = hub.subscribe();
        assert!(String::from_utf8_lossy(&first[0]).contains("event: hello"));
        hub.failed("content/posts/a.md:2: oops");
        assert!(String::from_utf8_lossy(&rx.try_recv().unwrap()).contains("a.md:2: oops"));
        hub.built(&["posts/a/index.html".to_string()]);
        assert_eq!(
            rx.try_recv().unwrap(),
            Bytes::from_static(b"event: ok\ndata: {}\n\n")
        );
        let reload = rx.try_recv().unwrap();
        assert!(String::from_utf8_lossy(&reload).contains("\"paths\":[\"posts/a/index.html\"]"));
    }
}
