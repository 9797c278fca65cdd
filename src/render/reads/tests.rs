use super::*;

fn only(keys: &[&str]) -> Fields {
    Fields::Only(keys.iter().map(|k| k.to_string()).collect())
}

/// The slots of `main` in a theme made of `templates` (name, source).
fn slots(templates: &[(&str, &str)]) -> Slots {
    let mut tera = Tera::default();
    tera.add_raw_templates(templates.iter().copied()).unwrap();
    Slots::of(&tera, templates[0].0)
}

fn listed(source: &str) -> Fields {
    slots(&[("main", source)]).listed
}

#[test]
fn a_listing_that_shows_views_reads_only_views() {
    let s = listed(
        "{% if paginator.pages | length > 0 %}{% for p in paginator.pages %}\
         {{ p.views.card | safe }}{% endfor %}{% endif %}{{ paginator.current }}",
    );
    assert_eq!(s, only(&["views"]));
}

#[test]
fn fields_read_through_the_loop_variable_are_kept() {
    let s = listed(
        "{% for p in paginator.pages %}{{ p.title }}{% if p.series %}{{ p.series.title }}{% endif %}\
         {% if p.updated is defined %}u{% endif %}{% endfor %}",
    );
    assert_eq!(s, only(&["series", "title", "updated"]));
}

#[test]
fn reading_a_summary_whole_keeps_everything() {
    for source in [
        "{% for p in paginator.pages %}{{ p | json_encode }}{% endfor %}",
        "{% for p in paginator.pages %}{% if p %}x{% endif %}{% endfor %}",
        "{% for p in paginator.pages %}{{ p | length }}{% endfor %}",
        "{% for p in paginator.pages %}{% set q = p %}{% endfor %}",
        "{% for p in paginator.pages %}{% for k, v in p %}{{ k }}{% endfor %}{% endfor %}",
        "{% for p in paginator.pages %}{{ p[key] }}{% endfor %}",
        "{% for p in paginator.pages %}{{ p == 1 }}{% endfor %}",
        "{% for p in paginator.pages %}{{ 'x' in p }}{% endfor %}",
        "{% for p in paginator.pages | reverse %}{{ p.title }}{% endfor %}",
        "{{ paginator.pages.0 | json_encode }}",
        "{{ paginator | json_encode }}",
        "{{ __tera_context }}",
        "{% set all = paginator %}",
    ] {
        assert_eq!(listed(source), Fields::All, "{source}");
    }
}

#[test]
fn the_containers_length_and_truth_read_no_field() {
    let s = listed(
        "{% if paginator.pages %}{{ paginator.pages | length }}{% endif %}\
         {% if not paginator.pages and paginator.next %}n{% endif %}",
    );
    assert_eq!(s, only(&[]));
}

#[test]
fn subscripts_with_literals_read_what_they_name() {
    assert_eq!(
        listed("{{ paginator.pages.0.title }}{{ paginator.pages[1].path }}"),
        Fields::All,
        "a subscript reads the whole of what it subscripts"
    );
    assert_eq!(listed("{{ paginator.pages.0.title }}"), only(&["title"]));
}

#[test]
fn macro_arguments_are_followed_into_the_macro() {
    let s = slots(&[
        (
            "main",
            "{% import \"m.html\" as m %}{% for p in paginator.pages %}{{ m::card(p=p) }}{% endfor %}\
             {{ m::pagination(paginator=paginator) }}",
        ),
        (
            "m.html",
            "{% macro card(p) %}{{ p.title }}{{ self::tags(list=p.tags) }}{% endmacro card %}\
             {% macro tags(list) %}{% for t in list %}{{ t.name }}{% endfor %}{% endmacro tags %}\
             {% macro pagination(paginator) %}{{ paginator.next }}{% endmacro pagination %}",
        ),
    ]);
    assert_eq!(s.listed, only(&["tags", "title"]));
}

#[test]
fn a_macro_argument_read_whole_keeps_everything() {
    let s = slots(&[
        (
            "main",
            "{% import \"m.html\" as m %}{% for p in paginator.pages %}{{ m::dump(p=p) }}{% endfor %}",
        ),
        (
            "m.html",
            "{% macro dump(p) %}{{ p | json_encode }}{% endmacro dump %}",
        ),
    ]);
    assert_eq!(s.listed, Fields::All);
}

#[test]
fn recursive_macros_end_and_read_their_arguments_whole() {
    let s = slots(&[
        (
            "main",
            "{% import \"m.html\" as m %}{{ m::toc(items=post.toc) }}\
             {% for p in post.related %}{{ p.title }}{% endfor %}",
        ),
        (
            "m.html",
            "{% macro toc(items) %}{% for i in items %}{{ i.title }}\
             {{ self::toc(items=i.children) }}{% endfor %}{% endmacro toc %}",
        ),
    ]);
    assert_eq!(s.post, only(&["related", "toc"]));
    assert_eq!(s.related, only(&["title"]));
}

#[test]
fn blocks_of_children_and_parents_and_includes_are_read() {
    let s = slots(&[
        (
            "child",
            "{% extends \"base\" %}{% block body %}{% for p in post.related %}\
             {% include \"row\" %}{% endfor %}{{ super() }}{% endblock body %}",
        ),
        (
            "base",
            "{{ post.title }}{% block body %}{{ post.date }}{% endblock body %}",
        ),
        ("row", "{{ p.path }}"),
    ]);
    assert_eq!(s.post, only(&["date", "related", "title"]));
    assert_eq!(s.related, only(&["path"]));
}

#[test]
fn an_included_template_that_extends_another_is_read_with_its_parent() {
    let s = slots(&[
        (
            "main",
            "{% for p in paginator.pages %}{% include \"card\" %}{% endfor %}",
        ),
        (
            "card",
            "{% extends \"frame\" %}{% block inner %}{{ p.title }}{% endblock inner %}",
        ),
        (
            "frame",
            "<div>{{ p.path }}{% block inner %}{% endblock inner %}</div>",
        ),
    ]);
    assert_eq!(s.listed, only(&["path", "title"]));
}

#[test]
fn a_set_variable_is_also_read_as_the_context_variable_of_its_name() {
    // After the `if`, `post` may be either one: the context's is assumed.
    let s = slots(&[(
        "main",
        "{% if x %}{% set post = 1 %}{% endif %}{{ post.title }}",
    )]);
    assert_eq!(s.post, only(&["title"]));
}

#[test]
fn a_missing_template_gives_up() {
    let tera = Tera::default();
    assert_eq!(Slots::of(&tera, "nope"), Slots::ALL);
}

#[test]
fn the_default_theme_shows_listed_posts_through_their_views() {
    let mut tera = Tera::default();
    let templates = crate::render::theme::embedded_files()
        .iter()
        .filter_map(|(rel, bytes)| {
            let name = rel.strip_prefix("templates/")?;
            Some((name, std::str::from_utf8(bytes).unwrap()))
        });
    tera.add_raw_templates(templates).unwrap();
    for listing in ["index.html", "tag.html"] {
        assert_eq!(
            Slots::of(&tera, listing).listed,
            only(&["views"]),
            "{listing}"
        );
    }
    let post = Slots::of(&tera, "post.html");
    assert_eq!(post.related, only(&["views"]));
    let Fields::Only(own) = &post.post else {
        panic!("post.html reads `post` whole");
    };
    assert!(own.contains("content_html") && own.contains("comments") && own.contains("title"));
    assert!(!own.contains("views"), "{own:?}");
}
