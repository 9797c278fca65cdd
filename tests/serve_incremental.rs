//! The dev server's incremental rebuilds end byte-identical to a clean build, whatever the edits.
//!
//! Seeded random sequences of the edits authors make (bodies, titles, dates, tags, new and deleted posts,
//! series parts, comment files, drafts, authors, templates, stylesheets, the config, renames), applied to
//! a small site; after each batch the incremental builder's served files are compared byte for byte with
//! a fresh full build in memory, and a batch that breaks the site must fail both ways. Set
//! `LANYARD_SEEDS=1,2,3` and `LANYARD_STEPS=N` to explore more sequences, and `LANYARD_DRAFTS=1` to
//! build them with drafts shown.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::TimeZone;
use lanyard::content::BuildOptions;
use lanyard::error::Diagnostics;
use lanyard::pipeline::Overrides;
use lanyard::serve::incremental::{clean_build, Builder, Changes};

/// xorshift64*: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const TAGS: [&str; 7] = [
    "networking",
    "career",
    "Coffee",
    "events",
    "follow-up",
    "giving",
    "trust",
];
const SERIES: [&str; 3] = ["Alpha Habits", "Beta Notes", "Gamma Steps"];
const AUTHORS: [&str; 3] = ["maren", "theo", "Guest Writer"];
const WORDS: [&str; 12] = [
    "give", "listen", "coffee", "room", "card", "thank", "name", "story", "trust", "note", "lunch",
    "plan",
];

struct Post {
    file: String,
    title: String,
    date: String,
    tags: Vec<String>,
    series: Option<(String, u32)>,
    author: String,
    draft: bool,
    updated: Option<String>,
    body: String,
}

impl Post {
    /// The slug lanyard gives the post: its file name without a leading date.
    fn slug(&self) -> String {
        self.file
            .trim_end_matches(".md")
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
            .to_string()
    }

    fn text(&self) -> String {
        let mut s = format!(
            "---\ntitle: \"{}\"\ndate: {}\nauthor: {}\ntags: [{}]\n",
            self.title,
            self.date,
            self.author,
            self.tags.join(", ")
        );
        if let Some((name, part)) = &self.series {
            s.push_str(&format!("series: \"{name}\"\npart: {part}\n"));
        }
        if self.draft {
            s.push_str("draft: true\n");
        }
        if let Some(u) = &self.updated {
            s.push_str(&format!("updated: {u}\n"));
        }
        s.push_str("---\n");
        s.push_str(&self.body);
        s
    }
}

struct Site {
    root: PathBuf,
    posts: Vec<Post>,
    next_id: usize,
}

fn sentence(rng: &mut Rng) -> String {
    let n = 4 + rng.below(8);
    let words: Vec<&str> = (0..n).map(|_| *rng.pick(&WORDS)).collect();
    format!("{} {}.", capitalize(words[0]), words[1..].join(" "))
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn random_date(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02} {:02}:00",
        2022 + rng.below(3),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24)
    )
}

impl Site {
    fn new(rng: &mut Rng) -> Site {
        let dir = tempfile::tempdir().unwrap().keep();
        let root = fs::canonicalize(dir).unwrap();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(
            &manifest.join("themes/default"),
            &root.join("themes/default"),
        );
        // Every page shows its whole template context, so that any input a page is rendered from is
        // visible in its bytes: a fingerprint that misses one cannot hide behind a theme that ignores it.
        let base = root.join("themes/default/templates/base.html");
        let text = fs::read_to_string(&base)
            .unwrap()
            .replace("</body>", "<pre>{{ __tera_context }}</pre>\n</body>");
        fs::write(&base, text).unwrap();
        fs::write(
            root.join("site.toml"),
            "title = \"Equivalence\"\nbase_url = \"https://example.com\"\nposts_per_page = 3\n\
             [feeds]\nformats = [\"rss\", \"atom\", \"json\"]\nlimit = 4\n\
             [authors.maren]\nname = \"Maren\"\n[authors.theo]\nname = \"Theo\"\n",
        )
        .unwrap();
        write(
            &root.join("content/series/alpha-habits.md"),
            "---\ntitle: \"Alpha Habits\"\ntotal: 6\n---\nSix small habits.\n",
        );
        write(
            &root.join("content/pages/about.md"),
            "---\ntitle: About\n---\nAbout this site.\n",
        );
        write(&root.join("content/posts/folder-post/index.md"), "---\ntitle: \"A Folder Post\"\ndate: 2023-06-01\ntags: [career]\n---\n![pic](pic.svg)\n");
        write(
            &root.join("content/posts/folder-post/pic.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        );
        write(&root.join("static/extra.css"), "body { color: black; }\n");
        let mut site = Site {
            root,
            posts: Vec::new(),
            next_id: 0,
        };
        for _ in 0..10 {
            site.add_post(rng);
        }
        site
    }

    fn post_path(&self, i: usize) -> PathBuf {
        self.root.join("content/posts").join(&self.posts[i].file)
    }

    fn save(&self, i: usize) -> PathBuf {
        let path = self.post_path(i);
        write(&path, &self.posts[i].text());
        path
    }

    fn add_post(&mut self, rng: &mut Rng) -> PathBuf {
        let id = self.next_id;
        self.next_id += 1;
        let file = if rng.chance(30) {
            format!("2023-05-{:02}-post-{id}.md", 1 + id % 28)
        } else {
            format!("post-{id}.md")
        };
        let series = rng
            .chance(40)
            .then(|| (rng.pick(&SERIES).to_string(), 1 + rng.below(6) as u32));
        let tags = (0..rng.below(4))
            .map(|_| rng.pick(&TAGS).to_string())
            .collect();
        let body = format!(
            "{}\n\n<!-- more -->\n\n{}\n\n## Section\n\n{}\n",
            sentence(rng),
            sentence(rng),
            sentence(rng)
        );
        let post = Post {
            file,
            title: format!("Post {id} {}", sentence(rng)),
            date: random_date(rng),
            tags,
            series,
            author: rng.pick(&AUTHORS).to_string(),
            draft: false,
            updated: None,
            body,
        };
        self.posts.push(post);
        self.save(self.posts.len() - 1)
    }

    /// One random edit; returns the paths it touched and whether it touched the theme.
    fn edit(&mut self, rng: &mut Rng) -> (Vec<PathBuf>, bool) {
        let i = rng.below(self.posts.len().max(1));
        match rng.below(17) {
            16 => {
                self.posts[i].updated = if self.posts[i].updated.is_some() {
                    None
                } else {
                    Some(random_date(rng))
                }
            }
            0 => self.posts[i]
                .body
                .push_str(&format!("\n{}\n", sentence(rng))),
            1 => self.posts[i].title = format!("Retitled {}", sentence(rng)),
            2 if rng.chance(50) => self.posts[i].date = random_date(rng),
            // Across a new year, usually without changing the order of posts.
            2 => {
                self.posts[i].date = if self.posts[i].date == "2022-12-31 23:30" {
                    "2023-01-01 00:30".into()
                } else {
                    "2022-12-31 23:30".into()
                }
            }
            3 => self.posts[i].tags.push(rng.pick(&TAGS).to_string()),
            4 => drop(self.posts[i].tags.pop()),
            5 => return (vec![self.add_post(rng)], false),
            6 if self.posts.len() > 3 => {
                let path = self.post_path(i);
                fs::remove_file(&path).unwrap();
                self.posts.remove(i);
                return (vec![path], false);
            }
            7 => {
                self.posts[i].series =
                    Some((rng.pick(&SERIES).to_string(), 1 + rng.below(6) as u32))
            }
            8 => self.posts[i].series = None,
            9 => return (vec![self.comment(rng)], false),
            10 => self.posts[i].draft = !self.posts[i].draft,
            11 => self.posts[i].author = rng.pick(&AUTHORS).to_string(),
            12 => return self.theme_edit(rng),
            13 => return (vec![self.other_edit(rng)], false),
            14 => {
                let old = self.post_path(i);
                fs::remove_file(&old).unwrap();
                self.posts[i].file = format!("renamed-{}.md", self.next_id);
                self.next_id += 1;
                return (vec![old, self.save(i)], false);
            }
            _ => self.posts[i].body = format!("{}\n", sentence(rng)),
        }
        (vec![self.save(i)], false)
    }

    /// An edit of what a file says, not of the site's shape: the common case while writing.
    fn content_edit(&mut self, rng: &mut Rng) -> PathBuf {
        let i = rng.below(self.posts.len());
        match rng.below(6) {
            0 => self.other_edit_of(rng, 0),
            1 => self.other_edit_of(rng, 3),
            2 => self.other_edit_of(rng, 4),
            3 => {
                // Rewrite an existing comment file, or write one if the post has none.
                let comments: Vec<PathBuf> = walk_files(&self.root.join("content/comments"));
                match comments.first() {
                    Some(path) => {
                        write(
                            path,
                            &format!(
                                "author: Editor\ndate: 2023-02-02\nbody: \"{}\"\n",
                                sentence(rng)
                            ),
                        );
                        path.clone()
                    }
                    None => self.comment(rng),
                }
            }
            4 => {
                self.posts[i].body =
                    format!("{}\n\n<!-- more -->\n\n{}\n", sentence(rng), sentence(rng));
                self.save(i)
            }
            _ => {
                self.posts[i]
                    .body
                    .push_str(&format!("\n{}\n", sentence(rng)));
                self.save(i)
            }
        }
    }

    fn drop_series(&mut self) -> Vec<PathBuf> {
        let with: Vec<usize> = (0..self.posts.len())
            .filter(|&i| self.posts[i].series.is_some())
            .collect();
        with.into_iter()
            .map(|i| {
                self.posts[i].series = None;
                self.save(i)
            })
            .collect()
    }

    fn comment(&mut self, rng: &mut Rng) -> PathBuf {
        let slug = if self.posts.is_empty() || rng.chance(10) {
            "no-such-post".to_string()
        } else {
            rng.pick(&self.posts).slug()
        };
        let path = self
            .root
            .join(format!("content/comments/{slug}/{}.yaml", rng.below(3)));
        write(
            &path,
            &format!(
                "author: Reader {}\ndate: 2023-0{}-10\nbody: \"{}\"\n",
                rng.below(9),
                1 + rng.below(9),
                sentence(rng)
            ),
        );
        path
    }

    fn theme_edit(&mut self, rng: &mut Rng) -> (Vec<PathBuf>, bool) {
        if rng.below(4) == 0 {
            return (vec![self.translation_edit(rng)], true);
        }
        let templates = [
            "post.html",
            "index.html",
            "base.html",
            "tag.html",
            "series.html",
        ];
        let name = rng.pick(&templates);
        let path = self.root.join("themes/default/templates").join(name);
        let text = fs::read_to_string(&path).unwrap();
        let marker = format!("<!-- edit {} -->", rng.next() % 1000);
        let text = match text.rfind("{% endblock") {
            Some(at) if *name != "base.html" => format!("{}{marker}\n{}", &text[..at], &text[at..]),
            _ => format!("{text}{marker}\n"),
        };
        fs::write(&path, text).unwrap();
        (vec![path], true)
    }

    /// A new wording in the theme's translations: a label, a plural, or the date format every
    /// post and comment is shown with.
    fn translation_edit(&mut self, rng: &mut Rng) -> PathBuf {
        let path = self.root.join("themes/default/translations.toml");
        let text = fs::read_to_string(&path).unwrap();
        let n = rng.next() % 1000;
        let (key, value) = match rng.below(3) {
            0 => ("related_reading", format!("\"Read next {n}\"")),
            1 => (
                "comments",
                format!("{{ one = \"{{n}} note {n}\", other = \"{{n}} notes {n}\" }}"),
            ),
            _ => ("date_format", format!("\"%-d %B %Y ({n})\"")),
        };
        let text: String = text
            .lines()
            .map(|line| match line.starts_with(&format!("{key} =")) {
                true => format!("{key} = {value}\n"),
                false => format!("{line}\n"),
            })
            .collect();
        let text = if text.lines().any(|l| l.starts_with(&format!("{key} ="))) {
            text
        } else {
            format!("{text}{key} = {value}\n")
        };
        fs::write(&path, text).unwrap();
        path
    }

    fn other_edit(&mut self, rng: &mut Rng) -> PathBuf {
        let which = rng.below(5);
        self.other_edit_of(rng, which)
    }

    fn other_edit_of(&mut self, rng: &mut Rng, which: usize) -> PathBuf {
        match which {
            0 => {
                let path = self.root.join("static/extra.css");
                write(
                    &path,
                    &format!("body {{ color: #{:06x}; }}\n", rng.next() % 0xffffff),
                );
                path
            }
            1 => {
                let path = self.root.join("site.toml");
                let text = fs::read_to_string(&path).unwrap();
                let per = 2 + rng.below(3);
                let text = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("posts_per_page") {
                            format!("posts_per_page = {per}")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                fs::write(&path, text + "\n").unwrap();
                path
            }
            2 => {
                let path = self.root.join("content/series/alpha-habits.md");
                write(
                    &path,
                    &format!(
                        "---\ntitle: \"Alpha Habits\"\ntotal: {}\n---\n{}\n",
                        6 + rng.below(3),
                        sentence(rng)
                    ),
                );
                path
            }
            3 => {
                let path = self.root.join("content/posts/folder-post/pic.svg");
                write(
                    &path,
                    &format!(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"><!-- {} --></svg>\n",
                        rng.next()
                    ),
                );
                path
            }
            _ => {
                let path = self.root.join("content/pages/about.md");
                write(
                    &path,
                    &format!("---\ntitle: About\n---\n{}\n", sentence(rng)),
                );
                path
            }
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            out.extend(walk_files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn describe_difference(
    served: &BTreeMap<String, Vec<u8>>,
    clean: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut out = String::new();
    for key in served
        .keys()
        .chain(clean.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (served.get(key), clean.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
                let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
                out.push_str(&format!(
                    "{key}: differs; first differing line:\n  served: {:?}\n  clean:  {:?}\n",
                    line.map(|l| l.0),
                    line.map(|l| l.1)
                ));
            }
            (Some(_), None) => out.push_str(&format!("{key}: served but not in a clean build\n")),
            (None, _) => out.push_str(&format!("{key}: missing from the served files\n")),
        }
    }
    out
}

/// An Atom feed with no entries is dated by the clock (`feeds::atom`), so two builds a second apart differ
/// there by design: mask that one line.
fn normalized(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(key, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            if !key.ends_with("atom.xml") || text.contains("<entry>") {
                return (key.clone(), bytes.clone());
            }
            let masked: Vec<&str> = text
                .lines()
                .map(|l| {
                    if l.trim_start().starts_with("<updated>") {
                        "<updated>(clock)</updated>"
                    } else {
                        l
                    }
                })
                .collect();
            (key.clone(), masked.join("\n").into_bytes())
        })
        .collect()
}

fn run_sequence(seed: u64, steps: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut site = Site::new(&mut rng);
    // `LANYARD_DRAFTS=1` builds drafts too, as `serve --drafts` does.
    let opts = BuildOptions {
        drafts: std::env::var_os("LANYARD_DRAFTS").is_some(),
        future: false,
        now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    };
    let overrides = Overrides {
        base_url: Some("http://127.0.0.1:1111".into()),
    };
    // Listings of more than three posts come in a second step, as large ones do on a real site.
    let mut builder = Builder::new(&site.root, overrides.clone()).with_large_listing(3);
    let mut served: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut changes = Changes::default();
    let (mut fast, mut failing) = (0, 0);
    for step in 0..=steps {
        if step > 0 {
            changes = Changes::default();
            if rng.chance(50) {
                changes.paths.push(site.content_edit(&mut rng));
            } else {
                let edits = if rng.chance(60) { 1 } else { 2 + rng.below(2) };
                for _ in 0..edits {
                    let (paths, theme) = site.edit(&mut rng);
                    changes.paths.extend(paths);
                    changes.theme |= theme;
                }
            }
            if failing >= 2 {
                // Broken for a while (two posts claiming one series part): mend it, as an author would.
                changes.paths.extend(site.drop_series());
            }
            if rng.chance(10) {
                // A watcher that lost its events: only the files' contents tell what changed.
                changes = Changes {
                    everything: true,
                    ..Changes::default()
                };
            }
        }
        let clean = clean_build(&site.root, &opts, &overrides, &Diagnostics::new());
        let mut early = Vec::new();
        let incremental =
            builder.update_in_steps(&opts, &changes, &Diagnostics::new(), &mut |patch| {
                early.push(patch)
            });
        for patch in early {
            for key in patch.removed {
                served.remove(&key);
            }
            served.extend(patch.writes);
        }
        failing = if clean.is_err() { failing + 1 } else { 0 };
        match (clean, incremental) {
            (Ok(clean), Ok(patch)) => {
                fast += usize::from(patch.fast);
                let theme_only = changes.theme && !changes.everything && changes.paths.iter().all(|p| p.starts_with(site.root.join("themes")));
                assert!(!theme_only || patch.docs_rendered == 0, "seed {seed}, step {step}: a template edit parsed Markdown again");
                for key in patch.removed {
                    served.remove(&key);
                }
                served.extend(patch.writes);
                let (served, clean) = (normalized(&served), normalized(&clean));
                assert!(served == clean, "seed {seed}, step {step}: served files differ from a clean build:\n{}", describe_difference(&served, &clean));
            }
            (Err(_), Err(_)) => {}
            (Ok(_), Err(e)) => panic!("seed {seed}, step {step}: the incremental build failed but a clean build did not:\n{e}"),
            (Err(e), Ok(_)) => panic!("seed {seed}, step {step}: a clean build failed but the incremental build did not:\n{e}"),
        }
    }
    assert!(fast * 5 >= steps, "seed {seed}: only {fast} of {steps} rebuilds took the fast path; the test no longer exercises it");
    let _ = fs::remove_dir_all(&site.root);
}

fn env_list(name: &str) -> Option<Vec<u64>> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
}

#[test]
fn random_edit_sequences_end_identical_to_a_clean_build() {
    let seeds = env_list("LANYARD_SEEDS").unwrap_or_else(|| vec![1, 2, 3, 4]);
    let steps = env_list("LANYARD_STEPS")
        .and_then(|v| v.first().copied())
        .unwrap_or(30) as usize;
    for seed in seeds {
        run_sequence(seed, steps);
    }
}

/// The pages a rebuild rendered (both steps), as served paths.
fn rendered_by(builder: &mut Builder, opts: &BuildOptions, changed: PathBuf) -> Vec<String> {
    let changes = Changes {
        paths: vec![changed],
        ..Changes::default()
    };
    let mut rendered = Vec::new();
    let rest = builder
        .update_in_steps(opts, &changes, &Diagnostics::new(), &mut |patch| {
            rendered.extend(patch.writes.into_keys())
        })
        .expect("the rebuild succeeds");
    rendered.extend(rest.writes.into_keys());
    rendered
}

#[test]
fn a_body_edit_re_renders_the_post_but_not_the_archive_or_author_pages() {
    let mut rng = Rng(7);
    let mut site = Site::new(&mut rng);
    let opts = BuildOptions {
        drafts: false,
        future: false,
        now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    };
    let mut builder = Builder::new(&site.root, Overrides::default());
    builder
        .update(&opts, &Changes::default(), &Diagnostics::new())
        .expect("the first build succeeds");
    let page = |site: &Site| {
        let stem = site.posts[2].file.trim_end_matches(".md");
        let slug = stem
            .split_once("-post-")
            .map_or(stem.to_string(), |(_, id)| format!("post-{id}"));
        format!("posts/{slug}/index.html")
    };

    site.posts[2]
        .body
        .push_str("\nOne more sentence about follow-up notes.\n");
    let rendered = rendered_by(&mut builder, &opts, site.save(2));
    assert!(
        rendered.contains(&page(&site)),
        "the edited post's page: {rendered:?}"
    );
    assert!(
        !rendered
            .iter()
            .any(|p| p.starts_with("archive/") || p.starts_with("authors/")),
        "a body edit changes no archive or author entry: {rendered:?}"
    );

    site.posts[2].title = "A Retitled Post".into();
    let rendered = rendered_by(&mut builder, &opts, site.save(2));
    assert!(
        rendered.iter().any(|p| p == "archive/index.html"),
        "a new title is in the archive: {rendered:?}"
    );
    let _ = fs::remove_dir_all(&site.root);
}

/// Rebuild after `changes`, apply the patches to `served`, and check it against a clean build.
fn serve_and_compare(
    builder: &mut Builder,
    served: &mut BTreeMap<String, Vec<u8>>,
    root: &Path,
    changes: &Changes,
    what: &str,
) -> usize {
    let opts = BuildOptions {
        drafts: false,
        future: false,
        now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    };
    let mut patches = Vec::new();
    let last = builder
        .update_in_steps(&opts, changes, &Diagnostics::new(), &mut |patch| {
            patches.push(patch)
        })
        .expect("the rebuild succeeds");
    patches.push(last);
    let docs_rendered = patches.iter().map(|p| p.docs_rendered).sum();
    for patch in patches {
        for key in patch.removed {
            served.remove(&key);
        }
        served.extend(patch.writes);
    }
    let clean = clean_build(root, &opts, &Overrides::default(), &Diagnostics::new())
        .expect("a clean build succeeds");
    let (served, clean) = (normalized(served), normalized(&clean));
    assert!(
        served == clean,
        "{what}: served files differ from a clean build:\n{}",
        describe_difference(&served, &clean)
    );
    docs_rendered
}

#[test]
fn comments_on_a_draft_are_kept_current_for_the_day_it_is_published() {
    let mut site = Site::new(&mut Rng(5));
    site.posts[0].draft = true;
    site.save(0);
    let slug = site.posts[0].slug();
    let mut builder = Builder::new(&site.root, Overrides::default()).with_large_listing(3);
    let mut served = BTreeMap::new();
    let root = site.root.clone();
    let mut step = |builder: &mut Builder, paths: Vec<PathBuf>, theme: bool, what: &str| {
        let changes = Changes {
            paths,
            theme,
            ..Changes::default()
        };
        serve_and_compare(builder, &mut served, &root, &changes, what)
    };
    step(&mut builder, Vec::new(), false, "the first build");
    let comment = site.root.join(format!("content/comments/{slug}/0.yaml"));
    let say = |body: &str| {
        write(
            &comment,
            &format!("author: Reader\ndate: 2023-02-10\nbody: \"{body}\"\n"),
        );
        vec![comment.clone()]
    };
    step(
        &mut builder,
        say("First, on the draft."),
        false,
        "a new comment on a draft",
    );
    step(
        &mut builder,
        say("Edited, on the draft."),
        false,
        "an edited comment on a draft",
    );
    let (paths, theme) = site.theme_edit(&mut Rng(3));
    let parsed = step(&mut builder, paths, theme, "a template edit");
    assert_eq!(parsed, 0, "a template edit parsed Markdown again");
    site.posts[0].draft = false;
    let published = site.save(0);
    step(&mut builder, vec![published], false, "the draft published");
    assert!(
        served
            .values()
            .any(|page| String::from_utf8_lossy(page).contains("Edited, on the draft.")),
        "the published post shows its edited comment"
    );
}

#[test]
fn retitled_posts_update_their_neighbours_and_their_place_among_same_day_posts() {
    let mut site = Site::new(&mut Rng(11));
    // One day, no tags, no series: posts are ordered by title alone, and a post's neighbours show its
    // title only through their previous and next links.
    for i in 0..site.posts.len() {
        let post = &mut site.posts[i];
        post.date = "2024-03-03 10:00".into();
        post.tags.clear();
        post.series = None;
        post.title = format!("Post {i:02}");
        site.save(i);
    }
    let mut builder = Builder::new(&site.root, Overrides::default()).with_large_listing(3);
    let mut served = BTreeMap::new();
    let root = site.root.clone();
    let all = Changes::default();
    serve_and_compare(&mut builder, &mut served, &root, &all, "first build");

    let mut retitle = |site: &mut Site, i: usize, title: &str, what: &str| {
        site.posts[i].title = title.into();
        let changes = Changes {
            paths: vec![site.save(i)],
            ..Changes::default()
        };
        serve_and_compare(&mut builder, &mut served, &root, &changes, what);
    };
    retitle(
        &mut site,
        4,
        "Post 04 Revised",
        "a retitle that keeps the order",
    );
    retitle(
        &mut site,
        4,
        "Post 07 Moved",
        "a retitle past two neighbours",
    );
    retitle(&mut site, 2, "Post 05", "a retitle into a tie");
    retitle(&mut site, 9, "Post 00 First", "a retitle to the front");

    // A page's title is in every page's menu.
    let about = root.join("content/pages/about.md");
    write(&about, "---\ntitle: About Us\n---\nAbout this site.\n");
    let changes = Changes {
        paths: vec![about],
        ..Changes::default()
    };
    serve_and_compare(
        &mut builder,
        &mut served,
        &root,
        &changes,
        "a retitled page",
    );
    let _ = fs::remove_dir_all(&site.root);
}
