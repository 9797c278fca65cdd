//! lanyard — a static-site generator for publications with numbered series, reader comments and feeds.
//!
//! The pipeline runs one way, one module per stage:
//! [`config`] reads `site.toml` into an immutable [`config::Config`]; [`content`] walks `content/` into
//! source documents with validated front matter; [`site`] renders their Markdown ([`markdown`]) and
//! builds every index once (tags, series, authors, comment threads); [`render`] plans every output file,
//! rejects collisions, and renders the files in parallel through the theme's Tera templates (and
//! [`feeds`]) into an [`output::Sink`] — a staging folder moved into place, or memory for the dev
//! server. During a build, rendered bodies wait for their pages on disk ([`spill`]).
//! [`pipeline`] ties the stages together; [`lint`] checks what was built (links, anchors, feeds) for
//! `build` and `check`; [`scaffold`] writes new posts and sites; [`serve`] is the dev server, which
//! rebuilds incrementally into memory; [`cli`] is the command line on top, and [`stop`] lets a signal
//! stop `build` without leaving a half-updated output.

pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod i18n;
pub mod lint;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod spill;
pub mod stop;
pub mod yaml;

/// The stack of each thread that renders pages. Tera renders a macro call or an include by
/// recursion, up to 128 levels deep (then the render fails with an error that names the template);
/// a level with a loop inside takes about 25 KB of stack in a debug build, more than the 2 MB threads
/// get by default. The stack is reserved, not used: pages that nest little touch a few pages of it.
pub const RENDER_STACK: usize = 16 << 20;
