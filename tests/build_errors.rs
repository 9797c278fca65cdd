//! Broken sites: each must exit 1 with a message naming the file (and line), never panic, leave the
//! previous output byte for byte as it was, and write nothing outside the output folder.

mod common;

use std::path::Path;

use common::*;

const SITE: &str = "title = \"T\"\nbase_url = \"https://example.org\"\n";
const POST: &str = "---\ntitle: Hello\ndate: 2024-01-01\n---\nHi.\n";

fn post(front: &str) -> String {
    format!("---\n{front}---\nBody.\n")
}

/// One broken input: files written over a valid site, and the exact error line expected.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    expected: &'static str,
}

fn case(name: &'static str, files: Vec<(&'static str, String)>, expected: &'static str) -> Case {
    Case {
        name,
        files: files
            .into_iter()
            .map(|(p, t)| (p, t.into_bytes()))
            .collect(),
        expected,
    }
}

fn cases() -> Vec<Case> {
    let p = "content/posts/p.md";
    vec![
        case("yaml syntax", vec![(p, post("title: A\ndate: 2024-01-01\ntags: [a, b\n"))], "error: content/posts/p.md:4: front matter: did not find expected ',' or ']', while parsing a flow sequence: the `[` list that starts on this line is not closed with `]`"),
        case("colon in a value", vec![(p, post("title: Networking: the basics\ndate: 2024-01-01\n"))], "error: content/posts/p.md:2: front matter: mapping values are not allowed in this context: a value that holds `: ` needs quotes, as in `title: \"Networking: the basics\"`"),
        case("zone name", vec![(p, post("title: A\ndate: 2024-01-01 10:00:00 EST\n"))], "error: content/posts/p.md:3: date `2024-01-01 10:00:00 EST` ends with the time zone name `EST`, which lanyard does not read (names are ambiguous: EST, IST…): write its offset instead, such as `-05:00`, or leave it out to use the site's `timezone`"),
        case("series list", vec![(p, post("title: A\ndate: 2024-01-01\nseries: [Basics]\n"))], "error: content/posts/p.md:4: front matter: series: invalid type: a list, expected a string: a post belongs to one series, named as text with its `part: N` (`series: \"Name\"`); posts grouped without part numbers are what tags are for"),
        case("future publishDate", vec![(p, post("title: A\ndate: 2024-01-01\npublishDate: 2999-01-01\n"))], "error: content/posts/p.md:4: `publishDate` 2999-01-01 is still to come, so Hugo kept this post hidden, but lanyard does not read it and would publish it now: make it the post's `date`"),
        case("past expiryDate", vec![(p, post("title: A\ndate: 2024-01-01\nexpiryDate: \"2001-01-01\"\n"))], "error: content/posts/p.md:4: `expiryDate` 2001-01-01 has passed, so Hugo no longer publishes this post, but lanyard does not read it and would publish it again: remove the post, or add `draft: true`"),
        case("open quote", vec![(p, post("title: \"A\ndate: 2024-01-01\n"))], "error: content/posts/p.md:2: front matter: found unexpected end of stream, while scanning a quoted scalar: the quoted value that starts on this line is never closed"),
        case("bool type", vec![(p, post("title: A\ndate: 2024-01-01\ndraft: maybe\n"))], "error: content/posts/p.md:4: front matter: draft: invalid type: string \"maybe\", expected a boolean"),
        case("tags map", vec![(p, post("title: A\ndate: 2024-01-01\ntags: {a: 1}\n"))], "error: content/posts/p.md:4: front matter: tags: invalid type: a map, expected a list of strings, or one string"),
        case("title list", vec![(p, post("title: [a, b]\ndate: 2024-01-01\n"))], "error: content/posts/p.md:2: front matter: title: invalid type: a list, expected a string"),
        case("part type", vec![(p, post("title: A\ndate: 2024-01-01\nseries: S\npart: three\n"))], "error: content/posts/p.md:5: front matter: part: invalid value: string \"three\", expected a whole number"),
        case("comments type", vec![(p, post("title: A\ndate: 2024-01-01\ncomments: yes\n"))], "error: content/posts/p.md:4: front matter: comments: invalid type: string \"yes\", expected a list"),
        case("date type", vec![(p, post("title: A\ndate: [2024]\n"))], "error: content/posts/p.md:3: front matter: date: invalid type: a list, expected a string"),
        case("updated type", vec![(p, post("title: A\ndate: 2024-01-01\nupdated: {a: 1}\n"))], "error: content/posts/p.md:4: front matter: updated: invalid type: a map, expected a string"),
        case("author type", vec![(p, post("title: A\ndate: 2024-01-01\nauthor: [a, b]\n"))], "error: content/posts/p.md:4: front matter: author: invalid type: a list, expected a string"),
        case("series type", vec![(p, post("title: A\ndate: 2024-01-01\nseries: [a]\npart: 1\n"))], "error: content/posts/p.md:4: front matter: series: invalid type: a list, expected a string"),
        case("summary type", vec![(p, post("title: A\ndate: 2024-01-01\nsummary: {a: 1}\n"))], "error: content/posts/p.md:4: front matter: summary: invalid type: a map, expected a string"),
        case("slug type", vec![(p, post("title: A\ndate: 2024-01-01\nslug: [a]\n"))], "error: content/posts/p.md:4: front matter: slug: invalid type: a list, expected a string"),
        case("aliases type", vec![(p, post("title: A\ndate: 2024-01-01\naliases: {a: 1}\n"))], "error: content/posts/p.md:4: front matter: aliases: invalid type: a map, expected a list of strings, or one string"),
        case("tag item type", vec![(p, post("title: A\ndate: 2024-01-01\ntags: [[a]]\n"))], "error: content/posts/p.md:4: front matter: tags[0]: invalid type: a list, expected a string"),
        case("weight type", vec![(p, post("title: A\ndate: 2024-01-01\nweight: heavy\n"))], "error: content/posts/p.md:4: front matter: weight: invalid value: string \"heavy\", expected a whole number"),
        case("template type", vec![(p, post("title: A\ndate: 2024-01-01\ntemplate: [x]\n"))], "error: content/posts/p.md:4: front matter: template: invalid type: a list, expected a string"),
        case("extra type", vec![(p, post("title: A\ndate: 2024-01-01\nextra: 5\n"))], "error: content/posts/p.md:4: `extra` must be a map of your own keys, e.g. `extra: { hero: \"pic.png\" }`"),
        case("draft list", vec![(p, post("title: A\ndate: 2024-01-01\ndraft: [x]\n"))], "error: content/posts/p.md:4: front matter: draft: invalid type: a list, expected a boolean"),
        case("impossible date", vec![(p, post("title: A\ndate: 2024-02-30\n"))], "error: content/posts/p.md:3: date `2024-02-30` is not a real date or time: check the month, day and hour"),
        case("garbage date", vec![(p, post("title: A\ndate: last tuesday\n"))], "error: content/posts/p.md:3: date `last tuesday` is not a date: write YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], or RFC 3339 (2024-03-05T08:30:00-06:00)"),
        case("bad updated", vec![(p, post("title: A\ndate: 2024-01-01\nupdated: 2024-13-01\n"))], "error: content/posts/p.md:4: updated `2024-13-01` is not a real date or time: check the month, day and hour"),
        case("missing title", vec![(p, post("date: 2024-01-01\n"))], "error: content/posts/p.md:2: missing `title`: add e.g. `title: \"My first tip\"` to the front matter"),
        case("empty title", vec![(p, post("title: \"  \"\ndate: 2024-01-01\n"))], "error: content/posts/p.md:2: missing `title`: add e.g. `title: \"My first tip\"` to the front matter"),
        case("missing date", vec![(p, post("title: A\n"))], "error: content/posts/p.md:2: missing `date`: add e.g. `date: 2024-03-05` (or prefix the file name with the date)"),
        case("file-name date not real", vec![("content/posts/2023-02-29-leap.md", post("title: A\n"))], "error: content/posts/2023-02-29-leap.md:2: the file name starts with `2023-02-29`, which is not a real date: fix the name, or add e.g. `date: 2024-03-05` to the front matter"),
        case("file-name date on a skipped day", vec![("site.toml", format!("{SITE}timezone = \"Pacific/Apia\"\n")), ("content/posts/2011-12-30-gone.md", post("title: A\n"))], "error: content/posts/2011-12-30-gone.md:2: the date in the file name, `2011-12-30` does not exist in timezone Pacific/Apia: its clocks skipped that whole day; or add a `date:` line"),
        case("year zero", vec![(p, post("title: A\ndate: 0000-06-01\n"))], "error: content/posts/p.md:3: date `0000-06-01` is in the year 0: pages, feeds and sitemaps carry only the years 0001 to 9999"),
        case("unclosed front matter", vec![(p, "---\ntitle: A\ndate: 2024-01-01\nBody\n".into())], "error: content/posts/p.md:1: front matter opened with `---` is never closed: add a line `---` after the last key"),
        case("no front matter", vec![(p, "Just text.\n".into())], "error: content/posts/p.md:1: no front matter: start the file with a `---` line, `title:` and `date:`, and another `---` line"),
        case("empty file", vec![(p, String::new())], "error: content/posts/p.md:1: no front matter: start the file with a `---` line, `title:` and `date:`, and another `---` line"),
        case("front matter not a mapping", vec![(p, post("- a\n- b\n"))], "error: content/posts/p.md:2: front matter: front matter must be a mapping of `key: value` lines"),
        case("duplicate key", vec![(p, post("title: A\ntitle: B\ndate: 2024-01-01\n"))], "error: content/posts/p.md:3: front matter: duplicate field `title`"),
        case("duplicate key later", vec![(p, post("title: A\ndate: 2024-01-01\ntags: [a]\ntags: [b]\n"))], "error: content/posts/p.md:5: front matter: duplicate field `tags`"),
        case("duplicate key in inline comment", vec![(p, post("title: A\ndate: 2024-01-01\ncomments:\n  - author: A\n    date: 2024-01-02\n    body: ok\n  - author: B\n    body: |\n      body: inside the text\n    body: again\n"))], "error: content/posts/p.md:11: front matter: comments[1]: duplicate field `body`"),
        case("slug traversal", vec![(p, post("title: A\ndate: 2024-01-01\nslug: ../../etc\n"))], "error: content/posts/p.md:4: slug `../../etc` must not start with `.` or contain `..`: it has to stay inside its folder"),
        case("slug with slash", vec![(p, post("title: A\ndate: 2024-01-01\nslug: a/b\n"))], "error: content/posts/p.md:4: slug `a/b` contains `/`: use letters, digits, `-`, `_`, `.` and `~` only"),
        case("alias traversal", vec![(p, post("title: A\ndate: 2024-01-01\naliases: [\"/../../x.html\"]\n"))], "error: content/posts/p.md:4: alias `/../../x.html`: must not contain `.` or `..` segments: it has to stay inside the site"),
        case("alias encoded traversal", vec![(p, post("title: A\ndate: 2024-01-01\naliases: /%2e%2e/%2e%2e/x.html\n"))], "error: content/posts/p.md:4: alias `/%2e%2e/%2e%2e/x.html`: must not contain `.` or `..` segments: it has to stay inside the site"),
        case("alias full url", vec![(p, post("title: A\ndate: 2024-01-01\naliases: [\"https://evil.example/x\"]\n"))], "error: content/posts/p.md:4: alias `https://evil.example/x`: must be a path on this site such as `/2019/05/old.html`, not a full URL"),
        case("part without series", vec![(p, post("title: A\ndate: 2024-01-01\npart: 3\n"))], "error: content/posts/p.md:4: `part` without `series`: add `series: \"Series name\"` or remove `part`"),
        case("series without part", vec![(p, post("title: A\ndate: 2024-01-01\nseries: Tips\n"))], "error: content/posts/p.md:4: `series` without `part`: add `part: N` (the part number, from 1)"),
        case("part zero", vec![(p, post("title: A\ndate: 2024-01-01\nseries: Tips\npart: 0\n"))], "error: content/posts/p.md:5: part 0 is out of range: parts are numbered from 1"),
        case("part too large", vec![(p, post("title: A\ndate: 2024-01-01\nseries: Tips\npart: 1000000\n"))], "error: content/posts/p.md:5: part 1000000 is out of range: parts are numbered from 1 to 100000"),
        case("part far too large", vec![(p, post("title: A\ndate: 2024-01-01\nseries: Tips\npart: 4000000000\n"))], "error: content/posts/p.md:5: part 4000000000 is out of range: parts are numbered from 1 to 100000"),
        case("duplicate part", vec![("content/posts/a.md", post("title: A\ndate: 2024-01-01\nseries: Tips\npart: 2\n")), ("content/posts/b.md", post("title: B\ndate: 2024-01-02\nseries: Tips\npart: 2\n"))], "error: content/posts/b.md:5: part 2 of series `Tips` is claimed twice: by content/posts/a.md and by content/posts/b.md; give one of them another part"),
        case("part above total", vec![("content/series/tips.md", "---\ntitle: Tips\ntotal: 3\n---\n".into()), (p, post("title: A\ndate: 2024-01-01\nseries: Tips\npart: 4\n"))], "error: content/posts/p.md:5: part 4 is above the series total of 3 (set in content/series/tips.md): raise `total` or fix `part`"),
        case("bad series total", vec![("content/series/tips.md", "---\ntitle: Tips\ntotal: 0\n---\n".into())], "error: content/series/tips.md:3: total 0 must be at least 1"),
        case("series total too large", vec![("content/series/tips.md", "---\ntitle: Tips\ntotal: 1000000\n---\n".into())], "error: content/series/tips.md:3: total 1000000 is too large: a series can have at most 100000 parts"),
        case("duplicate slug", vec![("content/posts/one.md", post("title: A\ndate: 2024-01-01\nslug: same\n")), ("content/posts/two.md", post("title: B\ndate: 2024-01-02\nslug: same\n"))], "error: content/posts/two.md:4: writes `posts/same/index.html`, which content/posts/one.md:4 also writes: change a slug, permalink or alias so they differ"),
        case("duplicate via date prefix", vec![("content/posts/2024-01-01-hello.md", post("title: A\n"))], "error: content/posts/hello.md:2: writes `posts/hello/index.html`, which content/posts/2024-01-01-hello.md:2 also writes: change a slug, permalink or alias so they differ"),
        case("alias onto a post", vec![(p, post("title: A\ndate: 2024-01-01\naliases: [/posts/hello/]\n"))], "error: content/posts/p.md:4: an alias writes `posts/hello/index.html`, which content/posts/hello.md:2 also writes: change a slug, permalink or alias so they differ"),
        case("bundle file shadows its page", vec![("content/posts/b/index.md", post("title: B\ndate: 2024-01-01\n")), ("content/posts/b/index.html", "x".into())], "error: content/posts/b/index.md:2: writes `posts/b/index.html`, which content/posts/b/index.html also writes"),
        case("page shadows tags index", vec![("content/pages/tags.md", "---\ntitle: Tags\n---\nx\n".into())], "error: content/pages/tags.md:2: writes `tags/index.html`, which the tags index also writes: change a slug, permalink or alias so they differ"),
        case("comment file bad yaml", vec![("content/comments/hello/1.yaml", "author: X\ndate: 2024-01-02\nbody: \"unclosed\n".into())], "error: content/comments/hello/1.yaml:3: YAML: found unexpected end of stream, while scanning a quoted scalar: the quoted value that starts on this line is never closed"),
        case("comment file no body", vec![("content/comments/hello/1.yaml", "author: X\ndate: 2024-01-02\n".into())], "error: content/comments/hello/1.yaml:1: comment by X has no body: add `body:` with the comment's text"),
        case("comment file bad date", vec![("content/comments/hello/1.md", "---\nauthor: X\ndate: 2024-02-31\n---\nHi\n".into())], "error: content/comments/hello/1.md:3: comment by X: `2024-02-31` is not a real date or time: check the month, day and hour"),
        case("comment file bad date yaml", vec![("content/comments/hello/1.yaml", "author: G\ndate: notadate\nbody: x".into())], "error: content/comments/hello/1.yaml:2: comment by G: `notadate` is not a date"),
        case("comment file blank body", vec![("content/comments/hello/1.yaml", "name: G\ndate: 2024-01-02\n\nmessage: \"  \"\n".into())], "error: content/comments/hello/1.yaml:4: comment by G has no body"),
        case("comment file empty", vec![("content/comments/hello/1.yaml", "\n".into())], "error: content/comments/hello/1.yaml:1: comment file is empty: give it author, date and body"),
        case("inline comment no date", vec![(p, post("title: A\ndate: 2024-01-01\ncomments:\n  - author: Y\n    body: hi\n"))], "error: content/posts/p.md:5: comment by Y has no date: add `date: YYYY-MM-DD`"),
        case("inline comment bad date", vec![(p, post("title: P\ndate: 2020-01-01\ncomments:\n  - author: A\n    date: 2020-01-02\n    body: ok\n  - author: B\n    date: bogus\n    body: x\n"))], "error: content/posts/p.md:9: comment by B: `bogus` is not a date"),
        case("inline comment no date, second entry", vec![(p, post("title: P\ndate: 2020-01-01\ncomments:\n- author: A\n  date: 2020-01-02\n  body: ok\n-\n  author: B\n  body: x\n"))], "error: content/posts/p.md:8: comment by B has no date"),
        case("site.toml syntax", vec![("site.toml", "title = \"T\nbase_url = \"https://example.org\"\n".into())], "error: site.toml:1: invalid basic string, expected `\"` (fix the TOML syntax or the value's type)"),
        case("site.toml missing base_url", vec![("site.toml", "title = \"T\"\n".into())], "error: site.toml: missing required key `base_url`: add e.g. base_url = \"https://example.com\""),
        case("site.toml bad base_url", vec![("site.toml", "title = \"T\"\nbase_url = \"example.org\"\n".into())], "error: site.toml:2: base_url `example.org` must start with http:// or https://"),
        case("site.toml zero per page", vec![("site.toml", format!("{SITE}posts_per_page = 0\n"))], "error: site.toml:3: posts_per_page must be a whole number from 1 to 1000000, not 0"),
        case("site.toml wrong type", vec![("site.toml", format!("{SITE}posts_per_page = \"ten\"\n"))], "error: site.toml:3: invalid type: string \"ten\", expected a whole number (fix the TOML syntax or the value's type)"),
        case("site.toml permalink token", vec![("site.toml", format!("{SITE}permalink = \"/:title/\"\n"))], "error: site.toml:3: unknown permalink token `:title` in `/:title/`: use :year, :month, :day and :slug"),
        case("site.toml timezone", vec![("site.toml", format!("{SITE}timezone = \"Mars/Olympus\"\n"))], "error: site.toml:3: unknown timezone `Mars/Olympus`: use an IANA name such as \"UTC\" or \"America/Chicago\""),
        case("site.toml feed format", vec![("site.toml", format!("{SITE}[feeds]\nformats = [\"rss\", \"gopher\"]\n"))], "error: site.toml:4: unknown feed format `gopher`: use \"rss\", \"atom\" or \"json\""),
        case("missing theme", vec![("site.toml", format!("{SITE}theme = \"nope\"\n"))], "error: site.toml:3: theme `nope` not found: no folder themes/nope/ (available: default)"),
        case("unknown highlight theme", vec![("site.toml", format!("{SITE}[highlight]\ntheme = \"Nope\"\n"))], "error: site.toml:4: [highlight] theme: "),
        case("theme without templates", vec![("site.toml", format!("{SITE}theme = \"bare\"\n")), ("themes/bare/static/x.css", String::new())], "error: content/posts/hello.md: template `post.html` does not exist (needed here): add it to themes/bare/templates/ or to templates/"),
        case("custom template missing", vec![(p, post("title: A\ndate: 2024-01-01\ntemplate: wide.html\n"))], "error: content/posts/p.md:4: template `wide.html` does not exist (needed here): add it to templates/"),
        case("template syntax", vec![("templates/post.html", "line one\n{% if post.title %}\nunclosed\n".into())], "error: templates/post.html:"),
        case("template unknown variable", vec![("templates/post.html", "ok\n{{ post.nope.deeper }}\n".into())], "error: templates/post.html:2: "),
        case("alias over a feed's folder", vec![(p, post("title: A\ndate: 2024-01-01\naliases: [\"/rss.xml/\"]\n"))], "error: content/posts/p.md:4: an alias writes `rss.xml/index.html`, which needs `rss.xml` as a folder, but the site feed writes a file there: change a slug, permalink or alias so they differ"),
        case("alias inside its own page", vec![(p, post("title: A\ndate: 2024-01-01\naliases: [\"/posts/p/index.html/\"]\n"))], "error: content/posts/p.md:4: an alias writes `posts/p/index.html/index.html`, which needs `posts/p/index.html` as a folder, but content/posts/p.md:2 writes a file there"),
        case("static file over the posts folder", vec![("static/posts", "x".into())], "error: content/posts/hello.md:2: writes `posts/hello/index.html`, which needs `posts` as a folder, but static/posts writes a file there"),
        case("slug named like the home page", vec![("site.toml", format!("{SITE}permalink = \"/:slug/\"\n")), (p, post("title: A\ndate: 2024-01-01\nslug: index.html\n"))], "error: content/posts/p.md:4: writes `index.html/index.html`, which needs `index.html` as a folder, but the home page listing writes a file there"),
        case("slug too long", vec![(p, post(&format!("title: A\ndate: 2024-01-01\nslug: {}\n", "s".repeat(300))))], "error: content/posts/p.md:4: makes a file or folder name of 300 bytes (`ssssssssssssssssssssssssssssssssssssssss…`), and file systems take 255 at most"),
        case("tag too long", vec![(p, post(&format!("title: A\ndate: 2024-01-01\ntags: [ok, {}]\n", "tag".repeat(100))))], "error: content/posts/p.md:4: this tag makes a folder name of 300 bytes"),
        case("series too long", vec![(p, post(&format!("title: A\ndate: 2024-01-01\nseries: {}\npart: 1\n", "日本".repeat(50))))], "error: content/posts/p.md:4: this series name makes a folder name of "),
        case("flow nesting far too deep", vec![(p, post(&format!("title: A\ndate: 2024-01-01\nextra: {}{}\n", "[".repeat(50_000), "]".repeat(50_000))))], "error: content/posts/p.md:4: front matter: more than 1000 `[` or `{` are open at once here, and values nest 128 levels deep at most: close them sooner"),
        case("non-utf8 body", vec![(p, "---\ntitle: A\ndate: 2024-01-01\n---\nok\n".into())], "error: content/posts/p.md:6: the file is not valid UTF-8 (the first bad byte is on this line): save it as UTF-8"),
    ]
}

fn snapshot_outside(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = tree(root)
        .into_keys()
        .filter(|k| !k.starts_with("public/"))
        .collect();
    names.sort();
    names
}

#[test]
fn broken_sites_fail_with_file_and_line_and_keep_public() {
    let mut failures = Vec::new();
    for case in cases() {
        let site = tempfile::tempdir().unwrap();
        write(site.path(), "site.toml", SITE);
        write(site.path(), "content/posts/hello.md", POST);
        let first = lanyard(site.path(), &["build"]);
        assert!(
            first.status.success(),
            "{}: valid base failed: {}",
            case.name,
            stderr(&first)
        );
        let before = tree(&site.path().join("public"));
        for (rel, bytes) in &case.files {
            let path = site.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut bytes = bytes.clone();
            if case.name == "non-utf8 body" {
                bytes.extend_from_slice(b"\xff\xfe bad\n");
            }
            std::fs::write(path, bytes).unwrap();
        }
        let outside_before = snapshot_outside(site.path());
        let out = lanyard(site.path(), &["build"]);
        let err = stderr(&out);
        let code = out.status.code();
        if code != Some(1) {
            failures.push(format!("{}: exit {code:?}, stderr:\n{err}", case.name));
            continue;
        }
        if err.contains("panicked") {
            failures.push(format!("{}: panicked:\n{err}", case.name));
        }
        if !err.lines().any(|l| l.starts_with(case.expected)) {
            failures.push(format!(
                "{}: expected a line starting with\n  {}\ngot:\n{err}",
                case.name, case.expected
            ));
        }
        if tree(&site.path().join("public")) != before {
            failures.push(format!("{}: public/ changed", case.name));
        }
        if snapshot_outside(site.path()) != outside_before {
            failures.push(format!("{}: files were written outside public/", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn non_utf8_file_name_is_named() {
    use std::os::unix::ffi::OsStrExt;
    let site = minimal_site();
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff.md");
    std::fs::write(site.path().join("content/posts").join(name), POST).unwrap();
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "error: content/posts/bad-\u{FFFD}.md: file name is not valid UTF-8: rename the file"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn symlink_loop_in_content_is_named() {
    let site = minimal_site();
    std::os::unix::fs::symlink("..", site.path().join("content/posts/loop")).unwrap();
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: content/posts/loop") && err.contains(": symbolic link loop"),
        "{err}"
    );
}

#[test]
fn missing_site_toml_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = lanyard(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: site.toml: no site.toml in"), "{err}");
    // There was no ./public to leave as it was.
    assert!(
        err.ends_with("Build failed with 1 error; nothing was written.\n"),
        "{err}"
    );
    assert_eq!(entries(dir.path()), Vec::<String>::new());
}

#[test]
fn an_output_path_that_is_a_file_is_refused_before_rendering() {
    let site = minimal_site();
    write(site.path(), "public", "a file, not a folder");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .arg("build")
        .current_dir(site.path())
        .env("LANYARD_TIMINGS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err,
        "error: ./public: this is a file, not a folder: remove or rename it, or build into another \
         folder with -o DIR\nBuild failed with 1 error; ./public was left as it was.\n",
        "no stage ran, not even reading site.toml"
    );
    assert_eq!(
        std::fs::read_to_string(site.path().join("public")).unwrap(),
        "a file, not a folder"
    );
    assert_eq!(entries(site.path()), ["content", "public", "site.toml"]);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(lanyard(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        lanyard(dir.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(lanyard(dir.path(), &[]).status.code(), Some(2));
    // The settings of --external mean nothing without it.
    for flag in ["--timeout", "--concurrency"] {
        let out = lanyard(dir.path(), &["check", flag, "5"]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
    }
    // A title `new post` cannot make a file name of is a wrong argument too, however it is wrong.
    for title in ["", "   ", "?!...", "—", "-"] {
        let out = lanyard(dir.path(), &["new", "post", title]);
        assert_eq!(out.status.code(), Some(2), "{title:?}: {}", stderr(&out));
    }
}

#[test]
fn wrong_flag_values_exit_2_and_say_which_flag() {
    let site = minimal_site();
    let cases: [(&[&str], &str); 4] = [
        (&["build", "--base-url", "notaurl"], "--base-url"),
        (&["build", "--base-url", ""], "--base-url"),
        (&["build", "--root", "no/such/folder"], "--root"),
        (&["new", "post", "   "], "<TITLE>"),
    ];
    for (args, flag) in cases {
        let out = lanyard(site.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{args:?}: {}", stderr(&out));
    }
    assert!(
        !site.path().join("public").exists(),
        "nothing is built on a usage error"
    );
}

#[test]
fn unknown_front_matter_key_warns_with_suggestion() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/p.md",
        &post("title: A\ndate: 2024-01-01\ntgas: [x]\n"),
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(
            "warning: content/posts/p.md:4: unknown front matter key `tgas` (did you mean `tags`?)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn keys_from_other_generators_point_to_lanyards_key() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/p.md",
        &post("title: A\ndate: 2024-01-01\ncategories: [b]\nlastMod: 2024-01-02\nlayout: post\npermalink: /2019/05/old.html\nurl: \"my-post\"\nauthors: [a]\nfrobnicate: 1\n"),
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for expected in [
        "warning: content/posts/p.md:4: unknown front matter key `categories`: did you mean `tags`? (lanyard has tags only; put other custom values under `extra:`)",
        "warning: content/posts/p.md:5: unknown front matter key `lastMod`: did you mean `updated`? (",
        "warning: content/posts/p.md:6: unknown front matter key `layout`: did you mean `template`? (lanyard renders posts with `post.html` and pages with `page.html` by itself, so this line can go;",
        "warning: content/posts/p.md:7: unknown front matter key `permalink`: did you mean `aliases`? (",
        "warning: content/posts/p.md:8: unknown front matter key `url`: did you mean `slug`? (",
        "warning: content/posts/p.md:9: unknown front matter key `authors`: did you mean `author`? (",
        // No near or known match: the message stays as it was.
        "warning: content/posts/p.md:10: unknown front matter key `frobnicate`: put custom values under `extra:`\n",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

/// Shortcodes and Liquid tags moved over from Hugo, Jekyll or Zola are published as text: the build
/// says so at the first one's line, once per file, and leaves code alone.
#[test]
fn another_generators_template_syntax_is_warned_about() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/moved.md",
        "---\ntitle: Moved\ndate: 2024-01-01\n---\nIntro.\n\n{{< figure src=\"cover.png\" >}}\n\n\
         Code `{{< ok >}}` is fine.\n\n```\n{% raw %}{{ page.title }}{% endraw %}\n```\n\n\
         See {% post_url 2010-07-21-name %}.\n\nMaths {{1}} is quiet.\n",
    );
    write(
        site.path(),
        "content/posts/clean.md",
        "---\ntitle: Clean\ndate: 2024-01-02\n---\nShow `{% raw %}` in code only.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("warning:")).collect::<Vec<_>>(),
        ["warning: content/posts/moved.md:7: `{{< figure src=\"cover.png\" >}}` looks like a Hugo shortcode, which lanyard does not run: it is published as text (and one more at line 15); write the Markdown or HTML it stands for, or put it in `code` to show it"]
    );
    let out = lanyard(site.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("moved.md:7:"), "{}", stderr(&out));
}

/// What a site moved over from Jekyll, Hugo or Zola brings that lanyard does not read is named, with
/// what to do: a root `_posts/`, a section `_index.md`, a tag string that was meant as a list.
#[test]
fn leftovers_of_other_generators_are_named() {
    let site = minimal_site();
    write(
        site.path(),
        "_posts/2024-01-01-old.md",
        &post("title: Old\ndate: 2024-01-01\n"),
    );
    write(
        site.path(),
        "content/posts/_index.md",
        &post("title: Posts\n"),
    );
    write(
        site.path(),
        "content/posts/tagged.md",
        &post("title: Tagged\ndate: 2024-01-02\ntags: \"liquid, jekyll\"\naliases: [/old/, /feed.xml]\nweight: 3\n"),
    );
    let out = lanyard(site.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for expected in [
        "warning: _posts: ignored: `_posts/` is Jekyll's folder, which lanyard does not read; move its files to content/posts/",
        "warning: content/posts/_index.md: not published: `_index.md` is a Hugo or Zola section page, which lanyard does not have",
        "warning: content/posts/tagged.md:4: the tag `liquid, jekyll` holds a comma, so it is one tag; for several, write a list: `tags: [liquid, jekyll]`",
        "warning: content/posts/tagged.md:6: `weight` orders pages in the menu; posts are listed by date, so it is not used here",
        "warning: content/posts/tagged.md:5: alias `/feed.xml` looks like a feed's address, but an alias is an HTML redirect page, which feed readers do not follow",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!site.path().join("public/posts/_index").exists());
    assert_eq!(
        err.matches("looks like a feed's address").count(),
        1,
        "{err}"
    );
}

/// Jekyll's `published: false` hides a post as `draft: true` does: moved over, it stays hidden.
#[test]
fn published_false_is_a_draft() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/hidden.md",
        &post("title: Hidden\ndate: 2024-01-01\npublished: false\n"),
    );
    write(
        site.path(),
        "content/posts/shown.md",
        &post("title: Shown\ndate: 2024-01-02\npublished: true\n"),
    );
    let out = lanyard(site.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("published"), "{err}");
    assert!(site.path().join("public/posts/shown/index.html").exists());
    assert!(!site.path().join("public/posts/hidden").exists());
    let feed = std::fs::read_to_string(site.path().join("public/rss.xml")).unwrap();
    assert!(!feed.contains("Hidden"), "{feed}");
    let out = lanyard(site.path(), &["build", "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.path().join("public/posts/hidden/index.html").exists());
}

#[test]
fn output_folder_that_holds_the_site_is_refused() {
    let site = minimal_site();
    let out = lanyard(site.path(), &["build", "-o", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refusing to use this output folder"),
        "{}",
        stderr(&out)
    );
    assert!(site.path().join("content/posts/hello.md").exists());
}

#[test]
fn a_folder_of_other_files_is_never_taken_over() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/p.md",
        &post("title: A\ndate: 2024-01-01\n"),
    );
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "thesis.docx", "chapter one");
    write(home.path(), "photos/cat.jpg", "meow");
    write(home.path(), "proj/.git/HEAD", "ref: refs/heads/main");
    let before = tree(home.path());
    let out = lanyard(site.path(), &["build", "-o", home.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to replace this folder"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("thesis.docx"), "{}", stderr(&out));
    assert_eq!(
        tree(home.path()),
        before,
        "the folder is left exactly as it was"
    );
}

#[test]
fn a_lanyard_output_is_replaced_whole_and_an_unmarked_old_one_adopted() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/p.md",
        &post("title: A\ndate: 2024-01-01\n"),
    );
    let public = site.path().join("public");
    assert!(lanyard(site.path(), &["build"]).status.success());
    assert!(
        public.join(".lanyard-output").is_file(),
        "every output is marked"
    );

    // Marked: whatever the site does not produce goes, even at the top.
    write(&public, "junk.html", "left by hand");
    assert!(lanyard(site.path(), &["build"]).status.success());
    assert!(!public.join("junk.html").exists());

    // Unmarked, but every top-level entry is the site's (an older lanyard's output): adopted.
    std::fs::remove_file(public.join(".lanyard-output")).unwrap();
    write(&public, "posts/gone/index.html", "a post since deleted");
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!public.join("posts/gone").exists());
    assert!(public.join(".lanyard-output").is_file());
}

/// Run `build` in `site`, which must fail with exit code 1; what it printed on stderr.
fn build_fails(site: &Path) -> String {
    let out = lanyard(site, &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

#[test]
fn a_content_folder_that_is_a_file_or_a_dangling_link_is_an_error() {
    let site = minimal_site();
    assert!(lanyard(site.path(), &["build"]).status.success());
    let before = tree(&site.path().join("public"));
    std::fs::remove_dir_all(site.path().join("content/posts")).unwrap();
    write(site.path(), "content/posts", "not a folder");
    let err = build_fails(site.path());
    assert!(
        err.contains("error: content/posts: this must be a folder"),
        "{err}"
    );
    assert_eq!(tree(&site.path().join("public")), before, "public/ kept");
    #[cfg(unix)]
    {
        std::fs::remove_file(site.path().join("content/posts")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/posts", site.path().join("content/posts"))
            .unwrap();
        let out = lanyard(site.path(), &["build"]);
        assert!(
            stderr(&out).contains("error: content/posts: this must be a folder"),
            "{}",
            stderr(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn named_pipes_are_errors_not_hangs() {
    let mkfifo = |path: &Path| {
        let status = std::process::Command::new("mkfifo").arg(path).status();
        status.is_ok_and(|s| s.success())
    };
    let site = minimal_site();
    if !mkfifo(&site.path().join("content/posts/pipe.md")) {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    let err = build_fails(site.path());
    assert!(
        err.contains("content/posts/pipe.md: could not read: it is a named pipe"),
        "{err}"
    );
    std::fs::remove_file(site.path().join("content/posts/pipe.md")).unwrap();
    std::fs::remove_file(site.path().join("site.toml")).unwrap();
    assert!(mkfifo(&site.path().join("site.toml")));
    // A pipe nobody writes to would block a read forever.
    let err = build_fails(site.path());
    assert!(err.contains("site.toml: this is not a file"), "{err}");
}

#[test]
fn a_static_file_over_a_generated_one_says_to_rename_it() {
    let site = minimal_site();
    write(site.path(), "static/404.html", "<p>mine</p>");
    let err = build_fails(site.path());
    assert!(err.contains("rename or remove the static file"), "{err}");
    assert!(!err.contains("slug"), "{err}");
}

#[test]
fn a_missing_front_matter_template_is_reported_at_its_line() {
    let site = minimal_site();
    write(
        site.path(),
        "content/pages/contact.md",
        "---\ntitle: Contact\ntemplate: nope.html\n---\nWrite to us.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(
        stderr(&out)
            .contains("error: content/pages/contact.md:3: template `nope.html` does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_partial_themes_default_folder_says_it_hides_the_built_in_theme() {
    let site = minimal_site();
    write(site.path(), "themes/default/static/style.css", "body {}");
    let err = build_fails(site.path());
    assert_eq!(
        err.matches("replaces the built-in theme whole").count(),
        1,
        "said once:\n{err}"
    );
}

#[test]
fn toml_front_matter_is_told_apart_from_none() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/hugo.md",
        "+++\ntitle = \"From Hugo\"\ndate = 2024-01-02\n+++\nText.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("content/posts/hugo.md:1: no front matter")
            && stderr(&out).contains("TOML between `+++` lines is not read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_update_before_the_post_was_published_is_warned_about() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/p.md",
        "---\ntitle: P\ndate: 2025-06-01\nupdated: 2025-05-01\n---\nText.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: content/posts/p.md:4: `updated` is earlier than `date`"),
        "{}",
        stderr(&out)
    );
}
