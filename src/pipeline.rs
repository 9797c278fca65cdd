//! The build, stage by stage: config → content → site → render → output.
//!
//! [`load_site`] stops before writing anything, so `build`, `check` and the dev server share it and
//! differ only in where the files go.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::{self, BuildOptions};
use crate::error::{Diagnostics, Error, Result};
use crate::lint;
use crate::markdown::Highlighter;
use crate::output::{Sink, Staging};
use crate::render::{self, theme::Theme, Planned, Stats};
use crate::site::{self, Site};
use crate::spill::Spill;
use crate::stop;

/// Settings that come from the command line rather than `site.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
}

/// A site loaded, indexed and planned, ready to render.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
    pub planned: Vec<Planned>,
}

/// Read the configuration, applying command-line overrides.
pub fn load_config(root: &Path, overrides: &Overrides, diags: &Diagnostics) -> Result<Config> {
    let mut config = Config::load(root, diags)?;
    if let Some(url) = &overrides.base_url {
        let text = format!("title = \"x\"\nbase_url = {}\n", toml_string(url));
        let checked = Config::parse(root, &text, &Diagnostics::new()).map_err(|e| {
            crate::error::Error::new("--base-url", None, e.diagnostics[0].message.clone())
        })?;
        config.set_base_url(checked.base_url);
    }
    Ok(config)
}

fn toml_string(s: &str) -> String {
    let escaped: String = s
        .chars()
        .flat_map(|c| {
            if c == '"' || c == '\\' {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    format!("\"{escaped}\"")
}

/// Everything up to rendering: no file is written.
pub fn load_site(
    root: &Path,
    opts: &BuildOptions,
    overrides: &Overrides,
    diags: &Diagnostics,
) -> Result<Loaded> {
    load(root, opts, overrides, diags, None)
}

/// [`load_site`], parking rendered bodies in `spill` when given one (see [`crate::spill`]).
fn load(
    root: &Path,
    opts: &BuildOptions,
    overrides: &Overrides,
    diags: &Diagnostics,
    spill: Option<Spill>,
) -> Result<Loaded> {
    let mut clock = Clock::start();
    let config = load_config(root, overrides, diags)?;
    clock.lap("config");
    let highlighter = Highlighter::new();
    let finish = |doc: content::SourceDoc| site::finish(doc, &config, &highlighter, spill.as_ref());
    // The theme's templates are parsed while the content is read: neither needs the other, and the
    // first milliseconds of reading are spent listing folders, with a core to spare.
    let (theme, content) = rayon::join(
        || Theme::load(&config),
        || content::load_with(&config, opts, diags, &finish),
    );
    let (theme, content) = (theme?, content?);
    if let Some(spill) = &spill {
        let action = "write rendered pages to a temporary file in this folder (is the disk full?)";
        spill
            .flush()
            .map_err(|e| Error::io(spill.dir(), action, &e))?;
    }
    clock.lap("theme, content and Markdown");
    let site = site::assemble(config, content, &highlighter, diags, spill)?;
    clock.lap("comments and indexes");
    let planned = render::plan(&site, &theme)?;
    clock.lap("plan outputs");
    Ok(Loaded {
        site,
        theme,
        planned,
    })
}

/// Render a loaded site into `sink`.
pub fn render_into(loaded: &Loaded, sink: &dyn Sink) -> Result<Stats> {
    render::render(&loaded.site, &loaded.theme, &loaded.planned, sink)
}

/// What a finished build reports.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub stats: Stats,
    pub posts: usize,
    pub elapsed: Duration,
}

/// Build the site at `root` into `out`, replacing it only if everything succeeded. Internal links are
/// checked against what was rendered: warnings, or errors that stop the build with `check_links = "error"`.
/// A signal handled by [`crate::stop`] stops the build before it changes `out`, or waits until `out` is
/// wholly the new site.
///
/// The site is handed back with the report. Ten thousand posts are hundreds of thousands of small
/// allocations: freeing them one by one took about 50 ms of a core, and the allocator's returning of
/// the freed pages made the kernel interrupt the other core to flush its address mappings. A process
/// that exits after the build can leave the site to the exit (`std::mem::forget`), where the kernel
/// takes back the whole address space at once.
pub fn build(
    root: &Path,
    out: &Path,
    opts: &BuildOptions,
    overrides: &Overrides,
    diags: &Diagnostics,
) -> Result<(Report, Loaded)> {
    let start = Instant::now();
    crate::output::prepare(root, out)?;
    // Bodies wait for their pages in a temporary file on the output's disk, else in the system's
    // temporary folder (the output's parent may not exist yet), else in memory.
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let spill = Spill::new_in(parent.unwrap_or(Path::new(".")))
        .or_else(|_| Spill::new_in(&std::env::temp_dir()))
        .ok();
    let loaded = load(root, opts, overrides, diags, spill)?;
    let mut clock = Clock::start();
    stop::staging();
    let mut staging = Staging::new(root, out)?;
    staging.expect(|| render::write_order(&loaded.planned));
    let recorder = lint::Recorder::new(&staging.sink)
        .ids_only_of(lint::anchor_targets(&loaded.site))
        .checking_base_path(loaded.site.config.base_path());
    let stats = staging.sink.during(|| render_into(&loaded, &recorder))?;
    clock.lap("render and write");
    stop::check()?;
    lint::links_on_build(&loaded, recorder.finish(), diags)?;
    clock.lap("check links");
    stop::commit(move || staging.commit())?;
    clock.lap("move output into place");
    let report = Report {
        stats,
        posts: loaded.site.posts.len(),
        elapsed: start.elapsed(),
    };
    Ok((report, loaded))
}

/// A `/proc/self/status` figure in MB (0 where there is none), for the stage timings.
fn memory_mb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// CPU time the process has used so far, user and system, in milliseconds (0 where `/proc` is
/// missing). Clock ticks are 10 ms: fine for stages, too coarse for anything smaller.
fn cpu_ms() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) * 10, ticks(12) * 10)
}

/// Stage timings, printed to stderr when `LANYARD_TIMINGS` is set (for profiling builds): wall time,
/// CPU time (which shows how busy the cores were) and memory, per stage.
pub struct Clock {
    enabled: bool,
    last: Instant,
    cpu: (u64, u64),
}

impl Clock {
    pub fn start() -> Clock {
        let enabled = std::env::var_os("LANYARD_TIMINGS").is_some();
        Clock {
            enabled,
            last: Instant::now(),
            cpu: if enabled { cpu_ms() } else { (0, 0) },
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            let cpu = cpu_ms();
            eprintln!(
                "timing: {stage}: {:.1} ms, cpu {} ms user + {} ms system (resident now {} MB, peak {} MB)",
                self.last.elapsed().as_secs_f64() * 1000.0,
                cpu.0.saturating_sub(self.cpu.0),
                cpu.1.saturating_sub(self.cpu.1),
                memory_mb("VmRSS:"),
                memory_mb("VmHWM:"),
            );
            self.cpu = cpu;
        }
        self.last = Instant::now();
    }
}
