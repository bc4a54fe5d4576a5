//! The tests of a Rust source file, and the lines each one takes, read the way rustfmt lays
//! a file out: an item's doc comments and attributes sit right above its `fn`, and its body
//! ends with a `}` at the `fn`'s own indentation.

/// A function of a source file: its name, and the lines it takes, from the first of its doc
/// comments and attributes to its closing `}` (1-based, both included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub first: usize,
    pub last: usize,
}

/// The macros of `tests/servers.rs` that make a suite of tests for a lesson:
/// `serves_many!("lesson7")` in `tests/lesson7.rs` makes each of its tests one of lesson 7's.
pub const SUITES: [&str; 2] = ["serves_many", "serves_on_one_thread"];

/// The functions marked `#[test]` in `source`, in order. Attributes (rustfmt splits a long one
/// over several lines), doc comments and blank lines may stand between `#[test]` and its `fn`.
pub fn tests_in(source: &str) -> Vec<Item> {
    let lines: Vec<&str> = source.lines().collect();
    let mut items = Vec::new();
    let mut after_test = false;
    for (index, line) in lines.iter().enumerate() {
        let mut line = line.trim();
        if let Some(rest) = line.strip_prefix("#[test]") {
            after_test = true;
            line = rest.trim();
        }
        if !after_test || line.is_empty() || line.starts_with("//") {
            continue;
        }
        if let Some(name) = declared_fn(line) {
            after_test = false;
            // `fn $name()` in a macro that makes tests is not a test of this file.
            if !name.is_empty() {
                items.push(item_at(&lines, index, name));
            }
        }
    }
    items
}

/// The names of the functions marked `#[test]` in `source`, in order.
pub fn test_functions(source: &str) -> Vec<String> {
    tests_in(source).into_iter().map(|item| item.name).collect()
}

/// The function named `name` in `source` (`fn`, `pub fn`, `pub(crate) fn`), if there is one.
pub fn function_in(source: &str, name: &str) -> Option<Item> {
    let lines: Vec<&str> = source.lines().collect();
    let index = lines.iter().position(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        words
            .first()
            .is_some_and(|word| word.starts_with("fn") || word.starts_with("pub"))
            && declared_fn(line) == Some(name)
    })?;
    Some(item_at(&lines, index, name))
}

/// The test names a suite macro of `tests/servers.rs` lists: the words ending in a comma in the
/// `named_tests!` call of `macro_rules! SUITE`, each after its attributes.
pub fn suite_tests(servers: &str, suite: &str) -> Vec<String> {
    let Some((_, after)) = servers.split_once(&format!("macro_rules! {suite} {{")) else {
        return Vec::new();
    };
    let Some((_, list)) = after.split_once("$package;") else {
        return Vec::new();
    };
    let list = list.split(");").next().unwrap_or_default();
    list.lines()
        .filter_map(|line| line.trim().rsplit(' ').next()?.strip_suffix(','))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// The suites of `tests/servers.rs` that `source`, the test file of `module`, invokes for
/// itself (`serves_many!("lesson7");` in `tests/lesson7.rs`), in the order of [`SUITES`].
pub fn suites_invoked(module: &str, source: &str) -> Vec<&'static str> {
    SUITES
        .into_iter()
        .filter(|suite| source.contains(&format!("{suite}!(\"{module}\")")))
        .collect()
}

/// The name of the function `line` declares, if it declares one (`""` for `fn $name()`).
fn declared_fn(line: &str) -> Option<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|word| *word == "fn")?;
    let name = words.get(at + 1)?;
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    Some(&name[..end])
}

/// The item whose `fn` is on line `index` (0-based) of `lines`.
fn item_at(lines: &[&str], index: usize, name: &str) -> Item {
    let indent = indentation(lines[index]);
    // Up through the doc comments and attributes (and the lines of an attribute rustfmt split)
    // that stand right above the `fn`.
    let mut first = index;
    while first > 0 {
        let above = lines[first - 1];
        let trimmed = above.trim();
        let belongs = !trimmed.is_empty()
            && (trimmed.starts_with("//")
                || trimmed.starts_with("#[")
                || trimmed.starts_with(')')
                || trimmed.starts_with(']')
                || indentation(above) > indent);
        if !belongs {
            break;
        }
        first -= 1;
    }
    // Down to the `}` at the `fn`'s own indentation, or the `fn`'s line if it closes there.
    let closing = format!("{}}}", &lines[index][..indent]);
    let opens = lines[index].matches('{').count();
    let last = if opens > 0 && opens == lines[index].matches('}').count() {
        index
    } else {
        (index + 1..lines.len())
            .find(|&at| lines[at].trim_end() == closing)
            .unwrap_or(lines.len() - 1)
    };
    Item {
        name: name.to_owned(),
        first: first + 1,
        last: last + 1,
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
//! A file.

use std::io;

/// doc
#[test]
fn works() {}

#[test]
#[ignore = \"slow\"]
fn slow_one() {
    let x = {
        1
    };
}

/// Split.
#[cfg_attr(
    not(unix),
    ignore = \"split\"
)]
#[test]
fn split_attribute() {
    helper();
}
fn helper() {}

pub(crate) fn shared(package: &str) {
    let _ = package;
}
";

    /// Each test's lines run from its first doc comment or attribute to its closing brace;
    /// helpers are not tests.
    #[test]
    fn a_test_takes_its_docs_attributes_and_body() {
        let items = tests_in(SOURCE);
        let found: Vec<(&str, usize, usize)> = items
            .iter()
            .map(|item| (item.name.as_str(), item.first, item.last))
            .collect();
        assert_eq!(
            found,
            [
                ("works", 5, 7),
                ("slow_one", 9, 15),
                ("split_attribute", 17, 25)
            ]
        );
        assert_eq!(
            test_functions(SOURCE),
            ["works", "slow_one", "split_attribute"]
        );
    }

    /// A named function is found whatever its visibility, and a missing one is not.
    #[test]
    fn a_function_is_found_by_its_name() {
        assert_eq!(
            function_in(SOURCE, "shared"),
            Some(Item {
                name: "shared".to_owned(),
                first: 28,
                last: 30
            })
        );
        assert_eq!(
            function_in(SOURCE, "helper").map(|item| item.first),
            Some(26)
        );
        assert_eq!(function_in(SOURCE, "absent"), None);
    }

    /// A suite's tests are the names its `named_tests!` call lists; a file invokes a suite for
    /// itself only.
    #[test]
    fn suites_list_their_tests_and_are_invoked_by_name() {
        let servers = "macro_rules! serves_many {\n    ($package:literal) => {\n        \
                       named_tests!(servers, $package;\n            one,\n            \
                       #[cfg(unix)] two,\n        );\n    };\n}\n";
        assert_eq!(suite_tests(servers, "serves_many"), ["one", "two"]);
        assert!(suite_tests(servers, "serves_on_one_thread").is_empty());
        assert_eq!(
            suites_invoked("lesson7", "serves_many!(\"lesson7\");"),
            ["serves_many"]
        );
        assert!(suites_invoked("lesson8", "serves_many!(\"lesson7\");").is_empty());
    }
}
