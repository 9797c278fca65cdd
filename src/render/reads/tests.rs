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

/// A listed post as templates see it (every key a summary has).
fn summary_value(n: u32) -> serde_json::Value {
    serde_json::json!({
        "title": format!("Post {n}"), "slug": format!("post-{n}"), "path": format!("/posts/post-{n}/"),
        "url": format!("https://example.com/posts/post-{n}/"), "date": "2024-01-02T00:00:00+00:00",
        "date_display": "January 2, 2024", "year": 2024,
        "series": if n % 2 == 0 { serde_json::json!({ "title": "S", "part": n, "path": "/series/s/" }) } else { serde_json::Value::Null },
        "comment_count": n, "draft": false, "updated": null,
        "author": { "id": "ann", "name": "Ann" },
        "tags": [{ "name": "events", "slug": "events", "path": "/tags/events/" }],
        "summary_html": format!("<p>Summary {n}</p>"), "has_more": true, "word_count": 100 + n,
        "reading_time": 1, "views": { "card": format!("<div>card {n}</div>"), "row": format!("<li>row {n}</li>") },
    })
}

/// `value` with the keys `fields` leaves out removed.
fn prune(value: &mut serde_json::Value, fields: &Fields) {
    if let (serde_json::Value::Object(object), Fields::Only(keep)) = (value, fields) {
        object.retain(|key, _| keep.contains(key));
    }
}

/// The context a page gets, pruned as `slots` says when given.
fn page_context(slots: Option<&Slots>) -> tera::Context {
    let mut pages = vec![summary_value(1), summary_value(2)];
    let mut related = vec![summary_value(3), summary_value(4)];
    let mut post = summary_value(5);
    if let Some(slots) = slots {
        pages.iter_mut().for_each(|p| prune(p, &slots.listed));
        related.iter_mut().for_each(|p| prune(p, &slots.related));
    }
    let object = post.as_object_mut().unwrap();
    object.insert("content_html".into(), "<p>Body</p>".into());
    object.insert("related".into(), related.into());
    object.insert("toc".into(), serde_json::json!([]));
    if let Some(slots) = slots {
        prune(&mut post, &slots.post);
    }
    let mut ctx = tera::Context::new();
    ctx.insert(
        "paginator",
        &serde_json::json!({ "pages": pages, "current": 1 }),
    );
    ctx.insert("post", &post);
    ctx
}

/// What a template may do with a listed post `p`: name fields, test them, loop over them, hand the
/// post to a macro, an include, a filter, `set`, `in` or a subscript.
const ELEMENT_PIECES: &[&str] = &[
    "{{ p.title }}",
    "{{ p.path }}{{ p.word_count }}",
    "{% if p.series %}S{{ p.series.part }}{% endif %}",
    "{% if p.updated is defined %}U{% endif %}",
    "{{ p.tags | length }}",
    "{% for t in p.tags %}{{ t.name }},{% endfor %}",
    "{{ p | json_encode }}",
    "{% for k, v in p %}{{ k }};{% endfor %}",
    "{% set q = p %}{{ q.slug }}",
    "{{ m::show(x=p) }}",
    "{{ m::dump(x=p) }}",
    "{{ p.views.card | safe }}",
    "{% if p %}T{% endif %}",
    "{{ p | length }}",
    "{% set key = \"url\" %}{{ p[key] }}",
    "{{ p[\"reading_time\"] }}",
    "{% include \"inc\" %}",
    "{{ \"year\" in p }}",
    "{{ p.author.name | default(value=\"-\") }}",
    "{{ p.missing | default(value=\"none\") }}",
    "{{ p.missing }}",
];

/// What a template may do with `post` itself.
const POST_PIECES: &[&str] = &[
    "{{ post.title }}",
    "{{ post.content_html | safe }}",
    "{{ post.related | length }}",
    "{{ post | json_encode }}",
    "{% for k, v in post %}{{ k }};{% endfor %}",
    "{% for r in post.related %}{{ r.views.row | safe }}{% endfor %}",
    "{{ m::show(x=post) }}",
    "{% if post.draft %}D{% endif %}",
];

proptest::proptest! {
    /// Whatever a template does, it renders the same with the fields the analysis keeps as with all.
    #[test]
    fn a_template_renders_alike_with_only_the_fields_it_reads(
        listed in proptest::collection::vec(0..ELEMENT_PIECES.len(), 0..4),
        related in proptest::collection::vec(0..ELEMENT_PIECES.len(), 0..4),
        own in proptest::collection::vec(0..POST_PIECES.len(), 0..3),
    ) {
        let pieces = |picked: &[usize], from: &[&str]| picked.iter().map(|&i| from[i]).collect::<String>();
        let main = format!(
            "{{% import \"m\" as m %}}{{% for p in paginator.pages %}}[{}]{{% endfor %}}|\
             {{% for p in post.related %}}({}){{% endfor %}}|{}",
            pieces(&listed, ELEMENT_PIECES),
            pieces(&related, ELEMENT_PIECES),
            pieces(&own, POST_PIECES),
        );
        let mut tera = Tera::default();
        tera.add_raw_templates([
            ("main", main.as_str()),
            ("m", "{% macro show(x) %}{{ x.date }}{% endmacro show %}\
                   {% macro dump(x) %}{{ x | json_encode }}{% endmacro dump %}"),
            ("inc", "{{ p.summary_html | safe }}"),
        ]).unwrap();
        let slots = Slots::of(&tera, "main");
        let full = tera.render("main", &page_context(None)).map_err(|e| e.to_string());
        let pruned = tera.render("main", &page_context(Some(&slots))).map_err(|e| e.to_string());
        proptest::prop_assert_eq!(full.is_ok(), pruned.is_ok(), "{}\n{:?}", main, slots);
        if let (Ok(full), Ok(pruned)) = (full, pruned) {
            proptest::prop_assert_eq!(full, pruned, "{}\n{:?}", main, slots);
        }
    }
}
