//! The command-line checks every lesson passes: a bad value gets one clear line and exit code
//! 2, never a panic; `--help` starts in Chinese and explains every option.

use predicates::prelude::*;

use crate::command;

/// Bad values for the options the lessons share (`course::options`), each with a phrase its
/// refusal must contain.
const BAD_ARGUMENTS: [([&str; 2], &str); 4] = [
    (["--port", "abc"], "is not a port"),
    (["--port", "70000"], "is not a port"),
    (["--encoding", "klingon"], "unknown encoding"),
    (
        ["--host", "127.0.0.1:8989"],
        "not an IP address or host name",
    ),
];

/// `package` refuses each bad `--port`, `--encoding` and `--host` with one clear line, exit
/// code 2 and no panic.
pub fn assert_bad_arguments_refused(package: &str) {
    assert_refused(package, &BAD_ARGUMENTS);
}

/// `package`, whose options are only where it listens (`course::options::ListenOptions`),
/// refuses each bad `--port` and `--host` with one clear line, exit code 2 and no panic.
pub fn assert_bad_address_refused(package: &str) {
    let address_only: Vec<_> = BAD_ARGUMENTS
        .into_iter()
        .filter(|([option, _], _)| *option != "--encoding")
        .collect();
    assert_refused(package, &address_only);
}

fn assert_refused(package: &str, bad: &[([&str; 2], &str)]) {
    for &(args, expected) in bad {
        command(package)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected))
            .stderr(predicate::str::contains("panicked").not());
    }
}

/// `package --help` succeeds, starts with `heading` (the Chinese title) and names every one of
/// `mentions` (options, or values such as experiment names).
pub fn assert_help(package: &str, heading: &str, mentions: &[&str]) {
    let assert = command(package).arg("--help").assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(heading),
        "{package} --help\n    expected: starts with {heading:?}\n    got:      {:?}",
        stdout.lines().next().unwrap_or_default()
    );
    for mention in mentions {
        assert!(
            stdout.contains(mention),
            "{package} --help\n    expected: mentions {mention:?}\n    got:\n{stdout}"
        );
    }
}
