//! The command line itself: help with examples on every command, exit code 2 for a wrong one.

mod helpers;

use std::path::Path;

use helpers::*;

fn run(args: &[&str]) -> std::process::Output {
    lanyard_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        &["build"][..],
        &["check"],
        &["new", "post"],
        &["new"],
        &["init"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{command:?}");
        assert!(
            stdout(&out).contains("Examples:"),
            "{command:?}: {}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("--root <DIR>") || command == ["new"],
            "{command:?} takes --root"
        );
    }
}

#[test]
fn an_unknown_command_exits_2_with_a_hint() {
    let out = run(&["chek"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("unknown_command", stderr(&out));
}

#[test]
fn a_negative_limit_is_told_its_range() {
    for (args, expected) in [
        (
            ["check", "--external", "--timeout", "-1"],
            "-1 is not in 1..=600",
        ),
        (
            ["check", "--external", "--concurrency", "-3"],
            "-3 is not in 1..=64",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn wrong_arguments_exit_2() {
    for args in [
        &["new", "post"][..],
        &["check", "--timeout", "0", "--external"],
        &["build", "--nope"],
        &["new", "page", "x"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--help"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
