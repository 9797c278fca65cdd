//! Template errors name the file and line where the template is wrong: the included template or macro
//! file the failure is in, a line even when Tera gives none, and the use that fails rather than the
//! first mention.

mod common;

use common::*;

/// Build a minimal site with `files` written over it; the build must fail (exit 1) and print exactly
/// one error line, which is returned.
fn build_error(files: &[(&str, &str)]) -> String {
    let dir = minimal_site();
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    let out = lanyard(dir.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    errors[0].to_string()
}

/// Assert that the error line starts with `prefix` (`error: templates/x.html:4: `).
fn assert_at(files: &[(&str, &str)], prefix: &str) {
    let line = build_error(files);
    assert!(
        line.starts_with(prefix),
        "expected `{prefix}…`, got:\n{line}"
    );
    assert!(line.ends_with("(fix the template)"), "{line}");
}

#[test]
fn error_in_an_included_template_names_that_file_and_line() {
    assert_at(
        &[
            ("templates/post.html", "line1\n{% include \"inc.html\" %}"),
            ("templates/inc.html", "a\nb\nc\n{{ nosuch }}"),
        ],
        "error: templates/inc.html:4: Variable `nosuch` not found",
    );
}

#[test]
fn error_in_a_nested_include_names_the_innermost_file() {
    assert_at(
        &[
            ("templates/post.html", "line1\n{% include \"inc.html\" %}"),
            ("templates/inc.html", "a\n{% include \"inner.html\" %}"),
            ("templates/inner.html", "z\n\n{{ nosuch }}"),
        ],
        "error: templates/inner.html:3: ",
    );
}

#[test]
fn error_in_a_macro_names_the_macro_file_and_line() {
    assert_at(
        &[
            (
                "templates/post.html",
                "{% import \"mac.html\" as m %}\nx\n{{ m::f(a=1) }}",
            ),
            (
                "templates/mac.html",
                "{% macro f(a) %}\nq\n{{ nosuch }}\n{% endmacro f %}",
            ),
        ],
        "error: templates/mac.html:3: Variable `nosuch` not found",
    );
}

#[test]
fn unknown_filter_in_a_macro_names_the_macro_file() {
    // Tera's message names neither the file nor the line: the macro namespace leads to the file.
    assert_at(
        &[
            (
                "templates/post.html",
                "{% import \"mac.html\" as m %}\nx\n{{ m::f(a=1) }}",
            ),
            (
                "templates/mac.html",
                "{% macro f(a) %}\nq\n{{ a | nofilt }}\n{% endmacro f %}",
            ),
        ],
        "error: templates/mac.html:3: Filter 'nofilt' not found",
    );
}

#[test]
fn unknown_filter_in_an_included_template_names_that_file() {
    assert_at(
        &[
            ("templates/post.html", "x\n{% include \"inc.html\" %}"),
            ("templates/inc.html", "a\n\n{{ 1 | nofilt }}"),
        ],
        "error: templates/inc.html:3: Filter 'nofilt' not found",
    );
}

#[test]
fn error_in_an_extended_parent_names_the_parent() {
    assert_at(
        &[
            (
                "templates/post.html",
                "{% extends \"layout.html\" %}\n{% block b %}\nok\n{% endblock b %}",
            ),
            (
                "templates/layout.html",
                "x\n{{ nosuch }}\n{% block b %}{% endblock b %}",
            ),
        ],
        "error: templates/layout.html:2: Variable `nosuch` not found",
    );
}

#[test]
fn error_in_a_theme_include_names_the_theme_file() {
    // A theme folder must hold every page template the build needs.
    let pages = ["404", "archive", "index", "series_list", "tags"]
        .map(|page| format!("themes/t/templates/{page}.html"));
    let mut files: Vec<(&str, &str)> = pages.iter().map(|p| (p.as_str(), "ok")).collect();
    files.extend([
        (
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org\"\ntheme = \"t\"\n",
        ),
        (
            "themes/t/templates/post.html",
            "x\n{% include \"parts/inc.html\" %}",
        ),
        ("themes/t/templates/parts/inc.html", "\n{{ nosuch }}"),
    ]);
    assert_at(&files, "error: themes/t/templates/parts/inc.html:2: ");
}

#[test]
fn unknown_filter_has_a_line() {
    assert_at(
        &[("templates/post.html", "a\nb\nc\n{{ post.title | nofilt }}")],
        "error: templates/post.html:4: Filter 'nofilt' not found",
    );
    assert_at(
        &[("templates/post.html", "nofilt\n{{ post.title|nofilt }}")],
        "error: templates/post.html:2: Filter 'nofilt' not found",
    );
}

#[test]
fn missing_include_has_a_line() {
    assert_at(
        &[("templates/post.html", "a\nb\n{% include \"nosuch.html\" %}")],
        "error: templates/post.html:3: Template '[nosuch.html]' not found",
    );
}

#[test]
fn missing_extends_parent_has_a_line() {
    assert_at(
        &[(
            "templates/post.html",
            "{# the layout #}\n\n{% extends \"nosuch.html\" %}\n{% block b %}x{% endblock b %}",
        )],
        "error: templates/post.html:3: Template 'post.html' is inheriting from 'nosuch.html'",
    );
}

#[test]
fn throw_has_a_line() {
    assert_at(
        &[("templates/post.html", "a\nb\n{{ throw(message=\"boom\") }}")],
        "error: templates/post.html:3: boom",
    );
}

#[test]
fn missing_variable_is_reported_where_it_fails_not_in_an_if() {
    assert_at(
        &[(
            "templates/post.html",
            "{% if post.extra.nope %}x{% endif %}\nok\n{{ post.extra.nope }}",
        )],
        "error: templates/post.html:3: Variable `post.extra.nope` not found",
    );
    assert_at(
        &[(
            "templates/post.html",
            "{{ post.extra.nope | default(value=1) }}\n{% if post.extra.nope is defined %}{% endif %}\n{% for x in post.extra.nope %}{% endfor %}",
        )],
        "error: templates/post.html:3: Variable `post.extra.nope` not found",
    );
}

#[test]
fn bad_filter_argument_is_reported_at_the_use_with_that_argument() {
    assert_at(
        &[(
            "templates/post.html",
            "{{ post.title | truncate(length=3) }}\nok\n{{ post.title | truncate(length=\"x\") }}",
        )],
        "error: templates/post.html:3: Filter `truncate` received an incorrect type for arg `length`: got `\"x\"`",
    );
}

#[test]
fn non_ascii_templates_are_searched_safely() {
    assert_at(
        &[(
            "templates/post.html",
            "é — ü\n{{ post.title | truncate(length=3) }}\n{# ünïcode #}{{ post.title | truncate(length=\"ü\") }}",
        )],
        "error: templates/post.html:3: ",
    );
}

#[test]
fn a_template_that_includes_itself_fails_at_its_include() {
    assert_at(
        &[
            ("templates/post.html", "{% include \"rec.html\" %}"),
            ("templates/rec.html", "<p>\n{% include \"rec.html\" %}</p>"),
        ],
        "error: templates/rec.html:2: the include of `rec.html` is nested 128 calls and includes deep",
    );
}

#[test]
fn a_macro_that_calls_itself_without_end_fails_in_its_file() {
    assert_at(
        &[
            (
                "templates/post.html",
                "{% import \"m.html\" as m %}\n{{ m::r(n=1) }}",
            ),
            (
                "templates/m.html",
                "{% macro r(n) %}\n<b>{{ self::r(n=n+1) }}</b>{% endmacro r %}",
            ),
        ],
        "error: templates/m.html:2: the call of `self::r` is nested 128 calls and includes deep",
    );
}

#[test]
fn a_macro_may_call_itself_a_hundred_times_with_a_loop_at_each_level() {
    let dir = minimal_site();
    write(
        dir.path(),
        "templates/post.html",
        "{% macro r(n) %}{% for i in [1] %}<b>{% if n > 0 %}{{ self::r(n=n-1) }}{% endif %}</b>{% endfor %}{% endmacro r %}\n{{ self::r(n=120) }}",
    );
    let out = lanyard(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("public/posts/hello/index.html")).unwrap();
    assert_eq!(page.matches("<b>").count(), 121);
}

#[test]
fn an_extends_loop_above_the_page_template_is_an_error_not_a_crash() {
    // `post.html` (built in) extends `base.html`, which extends itself: a Jinja habit for "extend
    // the theme's base".
    let line = build_error(&[("templates/base.html", "{% extends \"base.html\" %}")]);
    assert!(
        line.starts_with("error: templates/base.html: Circular extend detected"),
        "{line}"
    );
    let line = build_error(&[
        ("templates/post.html", "{% extends \"x.html\" %}"),
        ("templates/x.html", "{% extends \"y.html\" %}"),
        ("templates/y.html", "{% extends \"x.html\" %}"),
    ]);
    assert!(line.contains("Circular extend detected"), "{line}");
}

#[test]
fn an_unknown_translation_key_is_found_on_its_own_line() {
    // `t.nokey` fails as the `trans` call it is folded into; the later `trans(…)` with a value
    // from the page is not where the mistake is.
    assert_at(
        &[(
            "templates/post.html",
            "{{ post.title }}\n{{ t.nokey }}\n\n{{ trans(key=\"in_reply_to\", name=post.title) }}\n",
        )],
        "error: templates/post.html:2: no translation `nokey`",
    );
}
