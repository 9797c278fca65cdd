//! Property tests: the parsers and path builders that see author input never panic, and no path built
//! from content can leave the output folder.

use std::path::{Component, Path};

use lanyard::content::{dates, frontmatter, slug};
use lanyard::output::url_path_to_file;
use proptest::prelude::*;

fn stays_inside(rel: &str) -> bool {
    !rel.starts_with('/')
        && !rel.contains('\\')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn normalize_and_split_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = frontmatter::normalize(&bytes) {
            if let Ok(split) = frontmatter::split(&text) {
                prop_assert!(text.ends_with(split.body));
                if let Some(front) = split.front {
                    prop_assert!(text.contains(front));
                    prop_assert!(split.body_line > split.front_line);
                }
            }
        }
    }

    #[test]
    fn split_finds_front_matter_around_any_body(title in "[a-zA-Z0-9 ]{1,20}", body in "(?s).{0,200}") {
        let text = format!("---\ntitle: {title}\n---\n{body}");
        let split = frontmatter::split(&text).unwrap();
        let front = format!("title: {title}\n");
        prop_assert_eq!(split.front, Some(front.as_str()));
        prop_assert_eq!(split.body, body.as_str());
    }

    #[test]
    fn front_matter_parse_never_panics(yaml in "(?s)[a-z:\\[\\]{}\\-\"' \n0-9#|>&*!%@`,.]{0,200}") {
        let _ = frontmatter::parse::<frontmatter::FrontMatter>(&yaml, 2);
        let _ = frontmatter::keys(&yaml, 2);
    }

    #[test]
    fn dates_never_panic(text in "\\PC{0,40}") {
        let _ = dates::parse(&text, chrono_tz::Tz::UTC);
        let _ = dates::split_date_prefix(&text);
    }

    #[test]
    fn slugify_yields_url_safe_words(text in "\\PC{0,60}") {
        let s = slug::slugify(&text);
        prop_assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        prop_assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"));
        let t = slug::tag_slug(&text);
        prop_assert!(!t.is_empty() && stays_inside(&t));
    }

    #[test]
    fn explicit_slugs_stay_one_segment(text in "\\PC{0,40}") {
        if let Ok(s) = slug::explicit_slug(&text) {
            prop_assert!(stays_inside(&s));
            prop_assert!(!s.contains('/') && !s.contains("..") && !s.starts_with('.'));
        }
    }

    #[test]
    fn url_paths_never_escape(path in "/[a-zA-Z0-9./%\\\\:_~ -]{0,60}") {
        if let Ok(file) = url_path_to_file(&path) {
            prop_assert!(stays_inside(&file), "{} -> {}", path, file);
        }
    }

    #[test]
    fn encoded_traversal_is_always_refused(prefix in "[a-z/]{0,10}", dots in prop_oneof![Just(".."), Just("%2e%2e"), Just("%2E%2e"), Just(".%2e"), Just("%2e.")], suffix in "[a-z/]{0,10}") {
        let path = format!("/{prefix}/{dots}/{suffix}");
        prop_assert!(url_path_to_file(&path).is_err(), "{}", path);
    }

    #[test]
    fn markdown_never_panics(md in "(?s)[#*_`\\[\\]()!<>|\\-+=~:\n a-z0-9{}]{0,300}") {
        let h = lanyard::markdown::Highlighter::new();
        let _ = lanyard::markdown::render(&md, &h);
        let safe = lanyard::markdown::render_comment(&md);
        prop_assert!(!safe.to_ascii_lowercase().contains("<script"));
    }
}
