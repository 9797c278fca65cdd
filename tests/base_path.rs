//! URLs of a site published under a base path (`base_url = "https://ex.com/blog/"`, a GitHub project
//! page) and of non-ASCII slugs, through the real binary.

mod common;

use std::path::Path;

use common::{lanyard, stderr, write};

/// A site published at `https://ex.com/blog/`: posts that link to each other root-relatively, in
/// Markdown and in raw HTML, a page, a series with a description, tags, an author with a root-relative
/// `url`, an alias and two home pages.
fn blog_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"T\"\nbase_url = \"https://ex.com/blog/\"\nposts_per_page = 1\n\
         [feeds]\nformats = [\"rss\", \"atom\", \"json\"]\n\
         [authors.ann]\nname = \"Ann\"\nurl = \"/about/\"\n",
    );
    write(
        root,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\nseries: S\npart: 1\nauthor: ann\n\
         aliases: [\"/2019/old.html\"]\n---\n\
         See [b](/posts/b/#later), [about](/about/), ![pic](/img/p.png) and <a href=\"/tags/x/\">x</a>.\n\n\
         Relative [b too](../b/) and [elsewhere](https://example.org/).\n",
    );
    write(
        root,
        "content/posts/b.md",
        "---\ntitle: B\ndate: 2024-02-01\ntags: [x]\nseries: S\npart: 2\n---\nBack to [a](/posts/a/).\n\n## Later\n\nText.\n",
    );
    write(
        root,
        "content/series/s.md",
        "---\ntitle: S\n---\nStart at [part one](/posts/a/).\n",
    );
    write(
        root,
        "content/pages/about.md",
        "---\ntitle: About\n---\nUs.\n",
    );
    write(root, "static/img/p.png", "png");
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `href`, `src`, `srcset` and `poster` value of the HTML files under `dir`, with its file.
fn url_attributes(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, bytes) in common::tree(dir) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=\"", "src=\"", "srcset=\"", "poster=\""] {
            for (at, _) in html.match_indices(attr) {
                let value = &html[at + attr.len()..];
                let value = &value[..value.find('"').unwrap()];
                out.push((file.clone(), value.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_link_of_every_page_carries_the_base_path() {
    let site = blog_site();
    let root = site.path();
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Every internal link resolves: the build's link check strips the base path again.
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let public = root.join("public");
    // The output folder is what gets deployed at /blog/: its layout does not change.
    for file in [
        "index.html",
        "page/2/index.html",
        "posts/a/index.html",
        "about/index.html",
        "tags/x/index.html",
        "series/s/index.html",
        "authors/ann/index.html",
        "2019/old.html",
        "rss.xml",
        "style.css",
    ] {
        assert!(public.join(file).is_file(), "{file}");
    }
    assert!(!public.join("blog").exists());
    let root_relative: Vec<_> = url_attributes(&public)
        .into_iter()
        .filter(|(_, url)| url.starts_with('/') && !url.starts_with("//"))
        .collect();
    assert!(root_relative.len() > 50, "{root_relative:?}");
    for (file, url) in &root_relative {
        assert!(
            url == "/blog" || url.starts_with("/blog/"),
            "{file}: `{url}` does not carry the base path"
        );
    }

    let post = read(&public, "posts/a/index.html");
    for expected in [
        // The author's Markdown and raw HTML links.
        "href=\"/blog/posts/b/#later\"",
        "href=\"/blog/about/\"",
        "src=\"/blog/img/p.png\"",
        "<a href=\"/blog/tags/x/\">x</a>",
        // Relative and outside links stay as written.
        "href=\"../b/\"",
        "href=\"https://example.org/\"",
        // What the theme writes.
        "<link rel=\"stylesheet\" href=\"/blog/style.css\">",
        "<link rel=\"stylesheet\" href=\"/blog/highlight.css\">",
        "<link rel=\"icon\" href=\"/blog/favicon.svg\"",
        "title=\"T (RSS)\" href=\"/blog/rss.xml\"",
        "<link rel=\"canonical\" href=\"https://ex.com/blog/posts/a/\">",
        "<meta property=\"og:url\" content=\"https://ex.com/blog/posts/a/\">",
        "href=\"/blog/series/s/\"",
        "href=\"/blog/tags/x/\" rel=\"tag\"",
        "href=\"/blog/authors/ann/\" rel=\"author\"",
        "<a href=\"/blog/\" rel=\"home\">",
    ] {
        assert!(post.contains(expected), "{expected}\n{post}");
    }
    let home = read(&public, "index.html");
    assert!(
        home.contains("<a href=\"/blog/\" rel=\"home\" aria-current=\"page\">"),
        "{home}"
    );
    assert!(
        home.contains("href=\"/blog/page/2/\" rel=\"next\""),
        "{home}"
    );
    let series = read(&public, "series/s/index.html");
    assert!(
        series.contains("<a href=\"/blog/posts/a/\">part one</a>"),
        "{series}"
    );
    let author = read(&public, "authors/ann/index.html");
    assert!(
        author.contains("href=\"/blog/about/\" rel=\"me\""),
        "{author}"
    );
    // Absolute URLs already carried the base path, and still do (once).
    let alias = read(&public, "2019/old.html");
    assert!(
        alias.contains("url=https://ex.com/blog/posts/a/"),
        "{alias}"
    );
    let sitemap = read(&public, "sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://ex.com/blog/posts/a/</loc>"),
        "{sitemap}"
    );
    let rss = read(&public, "rss.xml");
    assert!(
        rss.contains("href=\"https://ex.com/blog/posts/b/#later\""),
        "{rss}"
    );
    assert!(!rss.contains("/blog/blog/"), "{rss}");
    // Summaries on listings link absolutely, under the base path.
    let tag = read(&public, "tags/x/page/2/index.html");
    assert!(!tag.contains("/blog/blog/"), "{tag}");
}

#[test]
fn a_site_at_the_root_of_its_host_links_from_the_root() {
    let site = blog_site();
    let root = site.path();
    let out = lanyard(root, &["build", "--base-url", "https://ex.com"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let post = read(&root.join("public"), "posts/a/index.html");
    assert!(post.contains("href=\"/posts/b/#later\""), "{post}");
    assert!(post.contains("href=\"/style.css\""), "{post}");
    assert!(!post.contains("/blog"), "{post}");
}

#[test]
fn links_that_leave_the_base_path_are_broken() {
    let site = blog_site();
    let root = site.path();
    // From /blog/posts/a/, three levels up is the host's root, outside the site.
    write(
        root,
        "content/posts/c.md",
        "---\ntitle: C\ndate: 2024-03-01\n---\n[up](../../../about/) and [fine](../../about/)\n",
    );
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: content/posts/c.md:5: broken link [up](../../../about/): the address leads to `/about/`, outside `/blog/` where the site is published"),
        "{err}"
    );
    assert!(!err.contains("[fine]"), "{err}");
    let check = lanyard(root, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
}

#[test]
fn a_link_that_spells_out_the_base_path_is_told_to_drop_it() {
    let site = blog_site();
    let root = site.path();
    write(
        root,
        "content/posts/c.md",
        "---\ntitle: C\ndate: 2024-03-01\n---\n[b](/blog/posts/b/) and [gone](/blog/posts/gone/)\n",
    );
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: content/posts/c.md:5: broken link [b](/blog/posts/b/): no page or file at `/blog/posts/b/`; write `/posts/b/`: links start at the site's root and lanyard adds the base path `/blog` itself"),
        "{err}"
    );
    // Without the base path the address is not built either: no such hint.
    assert!(
        err.contains("[gone](/blog/posts/gone/): no page or file at `/blog/posts/gone/`")
            && !err.contains("write `/posts/gone/`"),
        "{err}"
    );
}

#[test]
fn theme_links_without_the_base_path_are_broken() {
    let site = blog_site();
    let root = site.path();
    write(
        root,
        "templates/404.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>x</title>\n\
         <link rel=\"stylesheet\" href=\"{{ site.base_path }}/style.css\"></head><body>\n\
         <a href=\"{{ \"/tags/\" | rel_url }}\">tags</a> <a href=\"https://ex.com/\">host</a>\n\
         <a href=\"/archive/\">archive</a>\n</body></html>\n",
    );
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: templates/404.html:5: broken link `/archive/` on `/blog/404.html`: it leaves `/blog/`"),
        "{err}"
    );
    assert_eq!(err.matches("broken link").count(), 1, "{err}");
    let page = read(&root.join("public"), "404.html");
    assert!(page.contains("href=\"/blog/style.css\""), "{page}");
    assert!(page.contains("href=\"/blog/tags/\""), "{page}");
    // `check_links = "error"` makes it fail the build; `check` reports it as an error.
    let check = lanyard(root, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("error: templates/404.html:5: broken link `/archive/`"),
        "{}",
        stderr(&check)
    );
    let toml = read(root, "site.toml")
        .replace("posts_per_page", "check_links = \"error\"\nposts_per_page");
    write(root, "site.toml", &toml);
    let failed = lanyard(root, &["build"]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
}

#[test]
fn non_ascii_slugs_are_percent_encoded_in_absolute_urls() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"T\"\nbase_url = \"https://ex.com\"\n[feeds]\nformats = [\"rss\", \"atom\", \"json\"]\n",
    );
    write(
        root,
        "content/posts/cafe/index.md",
        "---\ntitle: Café\ndate: 2024-01-01\nslug: \"Café\"\n---\nHello ![p](p.png).\n",
    );
    write(root, "content/posts/cafe/p.png", "png");
    write(
        root,
        "content/posts/plain.md",
        "---\ntitle: Plain\ndate: 2024-01-02\n---\n[encoded](/posts/Caf%C3%A9/) and [as typed](/posts/Café/).\n",
    );
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Both spellings of the link find the page.
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let public = root.join("public");
    let encoded = "https://ex.com/posts/Caf%C3%A9/";
    assert!(public.join("posts/Café/index.html").is_file());
    let sitemap = read(&public, "sitemap.xml");
    assert!(
        sitemap.contains(&format!("<loc>{encoded}</loc>")),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://ex.com/posts/plain/</loc>"),
        "{sitemap}"
    );
    let rss = read(&public, "rss.xml");
    assert!(rss.contains(&format!("<link>{encoded}</link>")), "{rss}");
    assert!(rss.contains(&format!(">{encoded}</guid>")), "{rss}");
    assert!(rss.contains(&format!("{encoded}p.png")), "{rss}");
    let atom = read(&public, "atom.xml");
    assert!(atom.contains(&format!("<id>{encoded}</id>")), "{atom}");
    assert!(atom.contains(&format!("href=\"{encoded}\"")), "{atom}");
    let json: serde_json::Value = serde_json::from_str(&read(&public, "feed.json")).unwrap();
    let item = &json["items"][1];
    assert_eq!(item["url"], encoded, "{json}");
    assert_eq!(item["id"], encoded, "{json}");
    for file in [&sitemap, &rss, &atom] {
        assert!(!file.contains("Café/"), "{file}");
    }
    let page = read(&public, "posts/Café/index.html");
    assert!(
        page.contains(&format!("<link rel=\"canonical\" href=\"{encoded}\">")),
        "{page}"
    );
    assert!(
        page.contains(&format!("<meta property=\"og:url\" content=\"{encoded}\">")),
        "{page}"
    );
    let check = lanyard(root, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn later_listing_pages_say_their_number_in_the_title_and_404_has_no_canonical() {
    let site = blog_site();
    let root = site.path();
    let out = lanyard(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = root.join("public");
    let title = |rel: &str| {
        let html = read(&public, rel);
        let start = html.find("<title>").unwrap() + "<title>".len();
        html[start..html.find("</title>").unwrap()].to_string()
    };
    assert_eq!(title("index.html"), "T");
    assert_eq!(title("page/2/index.html"), "Page 2 — T");
    assert_eq!(title("tags/x/index.html"), "Tagged “x” — T");
    assert_eq!(title("tags/x/page/2/index.html"), "Tagged “x”, page 2 — T");
    let not_found = read(&public, "404.html");
    assert!(!not_found.contains("rel=\"canonical\""), "{not_found}");
    assert!(read(&public, "index.html").contains("rel=\"canonical\""));
}
