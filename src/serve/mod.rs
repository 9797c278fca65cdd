//! `lanyard serve`: the site served from memory, rebuilt incrementally on change, with live reload.
//!
//! In: a site folder and [`Options`]. Out: an HTTP server on loopback (by default) until Ctrl-C.
//!
//! The rendered site lives only in memory ([`App`]): the author's `public/` is never read, written or
//! deleted, and requests are answered from the map of rendered files alone ([`paths`]), so nothing
//! outside the site can be served. The site is built with its `base_url` pointed at the server, so the
//! absolute links of feeds and the sitemap lead back to it. With `--watch`, a watcher thread
//! ([`watch`]) turns file events into rebuilds by an [`incremental::Builder`], swaps the changed files
//! into the map under one lock, and tells open pages through the live-reload hub ([`reload`]); a failed
//! rebuild keeps the last good site and shows its `file:line` message in the terminal and over the page,
//! and the next good one says [`FIXED`]. Every (re)build checks internal links as `build` does, reading
//! the ids of pages it did not render again from the map ([`incremental::Builder::checking_links`]): a
//! broken link warns, or with `check_links = "error"` fails the rebuild. Files are answered whole or, for
//! a `Range: bytes=…` request, one byte range of them.
//!
//! Threads: the HTTP server runs on a small tokio runtime; rebuilds run on their own thread (and rayon's
//! pool), so a long rebuild never delays a request.

pub mod files;
pub mod incremental;
pub mod paths;
pub mod reload;
mod server;
pub mod watch;

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::header::{
    HeaderValue, ACCEPT_RANGES, ALLOW, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, IF_RANGE, LOCATION, RANGE,
};
use hyper::{Method, Request, Response, StatusCode};

use crate::content::BuildOptions;
use crate::error::{Diagnostic, Diagnostics, Error, Result, Severity};
use crate::pipeline::Overrides;
use incremental::{Builder, Changes, Patch};
use paths::Target;
use reload::Hub;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub watch: bool,
    /// Poll for changes instead of using the system's file events.
    pub poll: bool,
    pub drafts: bool,
    pub future: bool,
    /// Host names answered besides localhost and IP addresses (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

impl Options {
    /// Build options as of now (a post dated in the future appears once its time has come).
    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            drafts: self.drafts,
            future: self.future,
            ..BuildOptions::default()
        }
    }
}

type Body = BoxBody<Bytes, Infallible>;

/// What the server serves: the rendered files, and the live-reload hub when watching.
pub struct App {
    files: RwLock<HashMap<String, Bytes>>,
    hub: Option<Hub>,
    /// Warnings already shown, so that a rebuild repeats none of them.
    shown: std::sync::Mutex<std::collections::BTreeSet<Diagnostic>>,
    /// The last (re)build failed: the next good one says the site is fixed.
    failing: AtomicBool,
    /// Host names answered besides localhost and IP addresses, in lower case.
    allow_hosts: Vec<String>,
}

impl App {
    pub fn new(live: bool) -> App {
        App {
            files: RwLock::new(HashMap::new()),
            hub: live.then(Hub::new),
            shown: Default::default(),
            failing: AtomicBool::new(false),
            allow_hosts: Vec::new(),
        }
    }

    /// Also answer requests for `hosts`.
    pub fn allowing(mut self, hosts: &[String]) -> App {
        self.allow_hosts = hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
        self
    }

    /// The bytes served for `key` now.
    pub fn file(&self, key: &str) -> Option<Bytes> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.get(key).cloned()
    }

    /// Swap a patch in under one lock; returns the keys whose bytes really changed.
    fn apply(&self, patch: Patch) -> Vec<String> {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        for (key, bytes) in patch.writes {
            if files.get(&key).map(|b| b.as_ref()) != Some(bytes.as_slice()) {
                changed.push(key.clone());
            }
            files.insert(key, Bytes::from(bytes));
        }
        for key in patch.removed {
            if files.remove(&key).is_some() {
                changed.push(key);
            }
        }
        changed
    }

    /// Serve one step of a rebuild and tell open pages; returns how many files changed.
    fn publish_step(&self, patch: Patch) -> usize {
        let changed = self.apply(patch);
        if let Some(hub) = &self.hub {
            hub.built(&changed);
        }
        changed.len()
    }

    /// Serve the end of a (re)build and say what happened; `what` names the change that caused it and
    /// `earlier` counts the files changed by earlier steps.
    /// `reread` lists the sources (relative to the site) the build parsed ([`Builder::take_reread`]).
    fn publish(
        &self,
        result: Result<Patch>,
        warnings: Vec<Diagnostic>,
        reread: &[String],
        what: &str,
        earlier: usize,
    ) {
        self.print_new_warnings(warnings, result.is_ok().then_some(reread));
        match result {
            Ok(patch) => {
                let (docs, elapsed, fast) = (patch.docs_rendered, patch.elapsed, patch.fast);
                let n = earlier + self.publish_step(patch);
                if what.is_empty() {
                    println!(
                        "Built {n} file{} ({docs} document{}) in {} ms.",
                        plural(n),
                        plural(docs),
                        elapsed.as_millis()
                    );
                } else if n > 0 || docs > 0 {
                    let how = if fast { "" } else { ", full pass" };
                    println!("{what}: rebuilt in {} ms{how}: {docs} document{} rendered, {n} file{} changed", elapsed.as_millis(), plural(docs), plural(n));
                }
                if self.failing.swap(false, Ordering::SeqCst) {
                    // Beside "Build failed" (stderr), even when the fix only put back what was served.
                    eprintln!("{FIXED}");
                }
            }
            Err(err) => {
                crate::cli::print_diagnostics(&err.diagnostics);
                let n = err.diagnostics.len();
                let serving = !self
                    .files
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_empty();
                let then = if serving {
                    "still serving the last good version"
                } else {
                    "fix it and save to build again"
                };
                eprintln!("Build failed with {n} error{}; {then}.", plural(n));
                self.failing.store(true, Ordering::SeqCst);
                if let Some(hub) = &self.hub {
                    hub.failed(&err.to_string());
                }
            }
        }
    }

    /// Rebuild after `changes` (one step at a time) and serve the result.
    fn rebuild(&self, builder: &mut Builder, opts: &Options, changes: &Changes, what: &str) {
        let diags = Diagnostics::new();
        let mut earlier = 0;
        let result =
            builder.update_in_steps(&opts.build_options(), changes, &diags, &mut |patch| {
                earlier += self.publish_step(patch)
            });
        self.publish(result, diags.take(), &builder.take_reread(), what, earlier);
    }

    /// Print the warnings the terminal has not shown yet, and remember what the site now warns of.
    /// `reread` is what a build that succeeded parsed (the first build: the whole site). A rebuild
    /// parses again only the sources that changed (the link check, whose warnings carry a [`Lint`],
    /// still covers the whole site): a source it did not parse said nothing this time, so its earlier
    /// warnings stand and are not printed again by a later rebuild that does parse it, while a
    /// warning that went away with its source's edit and comes back is news again. A failed build
    /// (`None`) may have stopped before finding some (a broken `site.toml` stops it before any post
    /// is read), so the ones shown before are kept.
    ///
    /// [`Lint`]: crate::error::Lint
    fn print_new_warnings(&self, warnings: Vec<Diagnostic>, reread: Option<&[String]>) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let fresh: Vec<Diagnostic> = warnings
            .iter()
            .filter(|w| w.severity == Severity::Warning && !shown.contains(w))
            .cloned()
            .collect();
        crate::cli::print_diagnostics(&fresh);
        if let Some(reread) = reread {
            let sources: HashSet<&str> = reread.iter().map(String::as_str).collect();
            shown.retain(|w| w.lint.is_none() && !from_any(&w.file, &sources));
        }
        shown.extend(warnings);
    }
}

/// Whether `file` is one of `sources` or a file of one of them (a comment folder): one look-up
/// each, as a rebuild after a `site.toml` edit lists every document.
fn from_any(file: &str, sources: &HashSet<&str>) -> bool {
    sources.contains(file)
        || file
            .rsplit_once('/')
            .is_some_and(|(dir, _)| sources.contains(dir))
}

/// What the terminal says when a build succeeds after a failed one.
pub const FIXED: &str = "Fixed: the site builds again.";

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Answer one request from memory.
fn respond<B: hyper::body::Body>(app: &App, req: &Request<B>) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut res = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and HEAD are supported.\n",
        );
        res.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return res;
    }
    if let Some(host) = foreign_host(app, req) {
        let mut res = plain(
            StatusCode::FORBIDDEN,
            &format!(
                "Forbidden: this dev server answers requests for localhost and IP addresses only, \
                 not `{host}`: a web page could otherwise read your drafts through a domain it points \
                 at this machine (DNS rebinding). Open the address `lanyard serve` printed, or \
                 start it with --allow-host {host}.\n"
            ),
        );
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return res;
    }
    let head = req.method() == Method::HEAD;
    // Without validators, an `If-Range` can never match: the whole file is sent instead.
    let range = req
        .headers()
        .get(RANGE)
        .filter(|_| !req.headers().contains_key(IF_RANGE))
        .and_then(|v| v.to_str().ok());
    let mut res = route(app, req.uri().path(), req.uri().query(), head, range);
    if !req.body().is_end_stream() {
        // A GET with a body: answer, then close rather than read what was sent.
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// The host a request names, if it is one this server does not answer for: neither `localhost`
/// (or a name under it), nor an IP address, nor a name given with `--allow-host`. A request that
/// names none (HTTP/1.0) is answered.
fn foreign_host<B>(app: &App, req: &Request<B>) -> Option<String> {
    let named = match req.uri().authority() {
        Some(authority) => authority.as_str().to_string(),
        None => req
            .headers()
            .get(hyper::header::HOST)?
            .to_str()
            .unwrap_or("?")
            .to_string(),
    };
    let host = named.rsplit_once('@').map_or(named.as_str(), |(_, h)| h);
    let name = match host.strip_prefix('[') {
        // An IPv6 address, with or without a port.
        Some(rest) => return (!rest.contains(']')).then(|| named.clone()),
        None => host.split(':').next().unwrap_or_default(),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let local = name == "localhost" || name.ends_with(".localhost");
    let address = name.parse::<std::net::Ipv4Addr>().is_ok();
    let allowed = app
        .allow_hosts
        .iter()
        .any(|h| h.trim_end_matches('.') == name);
    (!(local || address || allowed)).then_some(named)
}

fn route(
    app: &App,
    path: &str,
    query: Option<&str>,
    head: bool,
    range: Option<&str>,
) -> Response<Body> {
    if let Some(hub) = &app.hub {
        if path == reload::CLIENT_PATH {
            return bytes(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                Bytes::from_static(reload::CLIENT_JS.as_bytes()),
                head,
            );
        }
        if path == reload::EVENTS_PATH {
            let mut res = Response::new(if head { empty() } else { hub.stream().boxed() });
            res.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            res.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // A stream ended to make room for newer ones frees its connection with it.
            res.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            return res;
        }
    }
    let files = app.files.read().unwrap_or_else(|e| e.into_inner());
    match paths::resolve(path, query, |k| files.contains_key(k)) {
        Target::File(key) => {
            let body = files[&key].clone();
            drop(files);
            let ty = paths::content_type(&key);
            let body = match &app.hub {
                Some(hub) if ty.starts_with("text/html") => {
                    Bytes::from(reload::inject(&body, &hub.snippet(&key, false)))
                }
                _ => body,
            };
            file(ty, body, head, range)
        }
        Target::Redirect(location) => {
            let mut res = plain(
                StatusCode::MOVED_PERMANENTLY,
                "Moved to the folder's address.\n",
            );
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(LOCATION, v);
            }
            res
        }
        Target::Missing(key) => {
            let page = files
                .get("404.html")
                .cloned()
                .unwrap_or_else(|| Bytes::from_static(FALLBACK_404.as_bytes()));
            drop(files);
            let body = match &app.hub {
                Some(hub) => Bytes::from(reload::inject(&page, &hub.snippet(&key, true))),
                None => page,
            };
            bytes(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                body,
                head,
            )
        }
        Target::Bad(why) => plain(StatusCode::BAD_REQUEST, &format!("Bad request: {why}.\n")),
    }
}

const FALLBACK_404: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\
<body><h1>Not found</h1><p>Nothing is built at this address.</p></body></html>\n";

fn empty() -> Body {
    Full::new(Bytes::new()).boxed()
}

fn bytes(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    head: bool,
) -> Response<Body> {
    let len = body.len();
    let mut res = Response::new(if head {
        empty()
    } else {
        Full::new(body).boxed()
    });
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// A file of the site: whole, or the one byte range asked for (`Range: bytes=…`).
fn file(
    content_type: &'static str,
    body: Bytes,
    head: bool,
    range: Option<&str>,
) -> Response<Body> {
    let len = body.len();
    let mut res = match range.map(|r| byte_range(r, len)) {
        None | Some(Asked::Ignored) => bytes(StatusCode::OK, content_type, body, head),
        Some(Asked::Bytes(start, end)) => {
            let mut res = bytes(
                StatusCode::PARTIAL_CONTENT,
                content_type,
                body.slice(start..=end),
                head,
            );
            let v = format!("bytes {start}-{end}/{len}");
            if let Ok(v) = HeaderValue::from_str(&v) {
                res.headers_mut().insert(CONTENT_RANGE, v);
            }
            res
        }
        Some(Asked::Unsatisfiable) => {
            let text = format!("Range not satisfiable: the file has {len} bytes.\n");
            let mut res = bytes(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "text/plain; charset=utf-8",
                Bytes::from(text),
                head,
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                res.headers_mut().insert(CONTENT_RANGE, v);
            }
            res
        }
    };
    res.headers_mut()
        .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    res
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    /// Bytes `start..=end`, within the file.
    Bytes(usize, usize),
    /// A range that starts past the end of the file (or a suffix of an empty file): 416.
    Unsatisfiable,
    /// Not one byte range (another unit, several ranges, bad syntax): send the whole file.
    Ignored,
}

/// Parse a single byte range (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-` or `bytes=-n`.
fn byte_range(header: &str, len: usize) -> Asked {
    let Some((unit, spec)) = header.trim().split_once('=') else {
        return Asked::Ignored;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return Asked::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Asked::Ignored;
    };
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            return Some(None);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Beyond u64: larger than any file, which is what it means.
        Some(Some(s.parse().unwrap_or(u64::MAX)))
    };
    let (Some(first), Some(last)) = (number(first), number(last)) else {
        return Asked::Ignored;
    };
    let len64 = len as u64;
    match (first, last) {
        (Some(a), Some(b)) if a > b => Asked::Ignored,
        (Some(a), _) if a >= len64 => Asked::Unsatisfiable,
        (Some(a), b) => {
            let end = b.map_or(len64 - 1, |b| b.min(len64 - 1));
            Asked::Bytes(a as usize, end as usize)
        }
        (None, Some(0)) => Asked::Unsatisfiable,
        (None, Some(_)) if len == 0 => Asked::Unsatisfiable,
        (None, Some(n)) => Asked::Bytes((len64 - n.min(len64)) as usize, len - 1),
        (None, None) => Asked::Ignored,
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    bytes(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(text.to_string()),
        false,
    )
}

/// The address the site's links should use: a wildcard bind is reached through loopback.
fn public_url(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        });
    }
    format!("http://{addr}")
}

/// Serve the site until Ctrl-C. Errors are the ones that stop the server before it starts.
pub fn run(opts: &Options) -> Result<()> {
    let shown_root = opts.root.display().to_string();
    let root = std::fs::canonicalize(&opts.root).map_err(|e| {
        Error::new(
            &shown_root,
            None,
            format!("cannot open the site folder: {e}"),
        )
    })?;
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::new(
            &shown_root,
            None,
            "no site.toml here: pass the site folder with --root DIR",
        ));
    }
    let wanted = SocketAddr::new(opts.bind, opts.port);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                "lanyard serve",
                None,
                format!("cannot start the server: {e}"),
            )
        })?;
    let listener = runtime
        .block_on(async { server::listen(wanted) })
        .map_err(|e| {
            Error::new(
                wanted.to_string(),
                None,
                format!("cannot listen here: {e} (another server? try --port 0 for a free port)"),
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::new(wanted.to_string(), None, e.to_string()))?;
    let url = public_url(addr);
    let app = Arc::new(App::new(opts.watch).allowing(&opts.allow_hosts));
    let served = app.clone();
    let mut builder = Builder::new(
        &root,
        Overrides {
            base_url: Some(url.clone()),
        },
    )
    .checking_links(move |key| served.file(key));
    // Watch before the first build, so that a save during it is not missed.
    let watching = if opts.watch {
        Some(watch::Watching::start(&root, opts.poll)?)
    } else {
        None
    };
    if watching.is_none() {
        let diags = Diagnostics::new();
        let first = builder.update(&opts.build_options(), &Changes::default(), &diags);
        if let Err(err) = &first {
            app.print_new_warnings(diags.take(), None);
            return Err(err.clone());
        }
        app.publish(first, diags.take(), &builder.take_reread(), "", 0);
    } else {
        app.rebuild(&mut builder, opts, &Changes::default(), "");
    }
    if let Some(watching) = watching {
        watching.rebuild_on_change(&root, builder, app.clone(), opts.clone())?;
    }
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {addr}: other machines on the network can reach this server"
        );
    }
    println!(
        "Serving {} at {url}/ (press Ctrl-C to stop)",
        root.display()
    );
    runtime.block_on(server::serve(listener, app, stop_signal()));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    println!("Stopped.");
    Ok(())
}

/// Ctrl-C, or a polite request to stop from the system.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::{byte_range, Asked};

    #[test]
    fn single_byte_ranges() {
        assert_eq!(byte_range("bytes=0-9", 100), Asked::Bytes(0, 9));
        assert_eq!(byte_range("bytes=90-", 100), Asked::Bytes(90, 99));
        assert_eq!(byte_range("bytes=-10", 100), Asked::Bytes(90, 99));
        assert_eq!(byte_range("bytes=-1000", 100), Asked::Bytes(0, 99));
        assert_eq!(byte_range("bytes=50-1000", 100), Asked::Bytes(50, 99));
        assert_eq!(byte_range("Bytes = 5 - 5 ", 100), Asked::Bytes(5, 5));
        assert_eq!(
            byte_range("bytes=0-99999999999999999999999", 100),
            Asked::Bytes(0, 99)
        );
    }

    #[test]
    fn unsatisfiable_and_ignored_ranges() {
        assert_eq!(byte_range("bytes=100-", 100), Asked::Unsatisfiable);
        assert_eq!(byte_range("bytes=100-200", 100), Asked::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", 100), Asked::Unsatisfiable);
        assert_eq!(byte_range("bytes=-5", 0), Asked::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-", 0), Asked::Unsatisfiable);
        for ignored in [
            "bytes=0-1,5-6",
            "bytes=5-1",
            "bytes=-",
            "bytes=a-b",
            "bytes=+1-2",
            "items=0-1",
            "bytes",
            "bytes=1",
        ] {
            assert_eq!(byte_range(ignored, 100), Asked::Ignored, "{ignored}");
        }
    }
}
