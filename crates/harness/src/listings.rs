//! The test listing pages, `lessons/LANGUAGE/listings/tests-MODULE.md` (one in each book),
//! which `cargo xtask listings` writes and
//! `pages::the_test_listings_are_as_cargo_xtask_listings_writes_them` holds to what it would
//! write now.
//!
//! A page cites a test as a link to the test's own section of its module's listing in the
//! page's language:
//! `` [test: `lesson2::restart_without_reuse_fails`](listings/tests-lesson2.md#lesson2restart_without_reuse_fails) ``
//! ([`citation`]). The listing of a module of `tests/` that the pages cite has a section per
//! test, under a heading whose id is the test's [`anchor`]: the sentences of that language's
//! pages that cite it, each linked back to the page and heading it is under, then the test's
//! lines, included by range (`{{#include ../../../tests/lesson2.rs:137:160}}`), so the book
//! shows them as they are. The
//! lines of the file that belong to no test (its doc, imports, helpers) come last, so every
//! line of the file is on the page. A lesson that invokes a suite of `tests/servers.rs`
//! (`serves_many!("lesson7")`) gets a second part, `tests/servers.rs`, with a section for each
//! test the suite makes for it (`lesson7::a_reset_ends_only_that_client`), showing the
//! function the test calls.

mod quotes;
mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

pub use quotes::{Quote, heading_id, options, quotes};
pub use source::{
    Item, SUITES, function_in, suite_tests, suites_invoked, test_functions, tests_in,
};

/// The command that writes the listings.
pub const COMMAND: &str = "cargo xtask listings";

pub use course::lessons::Language;

/// The language of the page at `path` (from the workspace root): the book it is in, and
/// Chinese for a page in neither, the course's first language.
pub fn language_of(path: &str) -> Language {
    if path.starts_with("lessons/en/") {
        Language::En
    } else {
        Language::Zh
    }
}

/// Where the listings of `language` are, from the workspace root.
pub fn dir(language: Language) -> String {
    format!("lessons/{}/listings", language.code())
}

/// The listing page of `module`'s tests in `language`, from the workspace root.
pub fn listing_path(language: Language, module: &str) -> String {
    format!("{}/tests-{module}.md", dir(language))
}

/// The id of the test's section on its listing: `lesson2restart_without_reuse_fails` for
/// `lesson2::restart_without_reuse_fails`, the id mdBook would give a heading of that name.
pub fn anchor(module: &str, function: &str) -> String {
    heading_id(&format!("{module}::{function}"))
}

/// The path from the page at `from` to the file at `to`, both from the workspace root.
pub fn relative_link(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let from = &from[..from.len() - 1];
    let to: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to.len() - 1);
    let mut link = "../".repeat(from.len() - common);
    link.push_str(&to[common..].join("/"));
    link
}

/// Where a citation on the page at `page` links: the test's section of its listing in the
/// page's language.
pub fn citation_link(page: &str, module: &str, function: &str) -> String {
    format!(
        "{}#{}",
        relative_link(page, &listing_path(language_of(page), module)),
        anchor(module, function)
    )
}

/// A citation of `module::function` as the page at `page` writes it.
pub fn citation(page: &str, module: &str, function: &str) -> String {
    format!(
        "[test: `{module}::{function}`]({})",
        citation_link(page, module, function)
    )
}

/// A listing page: its path from the workspace root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub path: String,
    pub text: String,
}

/// (module, function) → the quotes that cite it, each once, in the pages' order.
type Citing = BTreeMap<(String, String), Vec<Quote>>;

/// The quotes of the pages (path from the root, text) of `language` that cite tests.
fn citing_in(pages: &[(String, String)], language: Language) -> Citing {
    let mut citing = Citing::new();
    for (path, text) in pages
        .iter()
        .filter(|(path, _)| language_of(path) == language)
    {
        for quote in quotes(path, text) {
            for cite in &quote.cites {
                let list = citing.entry(cite.clone()).or_default();
                if !list.contains(&quote) {
                    list.push(quote.clone());
                }
            }
        }
    }
    citing
}

/// The listings, in both languages, of every module of `tests/` that `pages` (path from the
/// root, text) cite, reading the test files with `read` (a path from the root).
pub fn generate(pages: &[(String, String)], read: &dyn Fn(&str) -> Option<String>) -> Vec<Listing> {
    let citing: BTreeMap<Language, Citing> = Language::ALL
        .into_iter()
        .map(|language| (language, citing_in(pages, language)))
        .collect();
    let modules: BTreeSet<&String> = citing
        .values()
        .flat_map(|quotes| quotes.keys().map(|(module, _)| module))
        .collect();
    let page_paths: BTreeSet<&str> = pages.iter().map(|(path, _)| path.as_str()).collect();
    let servers = read("tests/servers.rs").unwrap_or_default();
    let sources: BTreeMap<&String, String> = modules
        .into_iter()
        .filter_map(|module| Some((module, read(&format!("tests/{module}.rs"))?)))
        .collect();
    // The tests each module's suites make for it.
    let suite_made: BTreeMap<&str, BTreeSet<String>> = sources
        .iter()
        .map(|(module, source)| {
            let names = suites_invoked(module, source)
                .into_iter()
                .flat_map(|suite| suite_tests(&servers, suite))
                .collect();
            (module.as_str(), names)
        })
        .collect();
    let mut listings = Vec::new();
    for language in Language::ALL {
        for (module, source) in &sources {
            let path = listing_path(language, module);
            let text = Page {
                language,
                module,
                path: &path,
                citing: &citing[&language],
                suite_made: &suite_made,
                pages: &page_paths,
            }
            .render(source, &servers);
            listings.push(Listing { path, text });
        }
    }
    listings
}

/// The listings as they would be written now in the workspace at `root`.
pub fn generate_in(root: &Path) -> Vec<Listing> {
    generate(&citing_pages(root), &|path| {
        fs::read_to_string(root.join(path)).ok()
    })
}

/// Whether the page at `path` (from the root) is a listing or a book's summary, which cite no
/// test themselves.
pub fn is_listing_or_summary(path: &str) -> bool {
    Language::ALL.into_iter().any(|language| {
        path.starts_with(&format!("{}/", dir(language)))
            || path == format!("lessons/{}/SUMMARY.md", language.code())
    })
}

/// The pages whose sentences may cite tests: every `.md` under `lessons/` but the listings and
/// the books' summaries, sorted by path.
pub fn citing_pages(root: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    markdown_under(root, &root.join("lessons"), &mut found);
    found.retain(|(path, _)| !is_listing_or_summary(path));
    found.sort();
    found
}

/// The test listings in the workspace at `root` now (`lessons/LANGUAGE/listings/tests-*.md`).
pub fn on_disk(root: &Path) -> BTreeMap<String, String> {
    let mut found = Vec::new();
    for language in Language::ALL {
        markdown_under(root, &root.join(dir(language)), &mut found);
    }
    found
        .into_iter()
        .filter(|(path, _)| {
            Language::ALL
                .into_iter()
                .any(|language| path.starts_with(&format!("{}/tests-", dir(language))))
        })
        .collect()
}

fn markdown_under(root: &Path, dir: &Path, found: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_under(root, &path, found);
        } else if path.extension().is_some_and(|ext| ext == "md")
            && let (Ok(inside), Ok(text)) = (path.strip_prefix(root), fs::read_to_string(&path))
        {
            found.push((inside.to_string_lossy().replace('\\', "/"), text));
        }
    }
}

/// What [`write`] changed, by path from the root.
#[derive(Debug, Default)]
pub struct Changes {
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

/// Writes the listings of the workspace at `root` that differ from what [`generate_in`] makes,
/// and removes the test listings it no longer makes.
pub fn write(root: &Path) -> io::Result<Changes> {
    let generated = generate_in(root);
    let mut stale = on_disk(root);
    let mut changes = Changes::default();
    for listing in &generated {
        if stale.remove(&listing.path).as_ref() != Some(&listing.text) {
            fs::write(root.join(&listing.path), &listing.text)?;
            changes.written.push(listing.path.clone());
        }
    }
    for path in stale.into_keys() {
        fs::remove_file(root.join(&path))?;
        changes.removed.push(path);
    }
    Ok(changes)
}

/// One listing page being written.
struct Page<'a> {
    language: Language,
    module: &'a str,
    path: &'a str,
    citing: &'a Citing,
    suite_made: &'a BTreeMap<&'a str, BTreeSet<String>>,
    pages: &'a BTreeSet<&'a str>,
}

impl Page<'_> {
    fn render(&self, source: &str, servers: &str) -> String {
        let module = self.module;
        let language = self.language;
        let mut text = String::new();
        let lesson = lesson_number(module);
        let _ = match lesson {
            Some(n) => writeln!(
                text,
                "{}",
                language.pick(
                    &format!("# 第 {n} 课的测试"),
                    &format!("# Lesson {n}'s tests")
                )
            ),
            None => writeln!(
                text,
                "{}",
                language.pick(
                    &format!("# `tests/{module}.rs` 里的测试"),
                    &format!("# The tests in `tests/{module}.rs`")
                )
            ),
        };
        let _ = writeln!(
            text,
            "\n<!-- {} -->\n\n{}",
            language.pick(
                &format!("由 `{COMMAND}` 写出，不要手改"),
                &format!("written by `{COMMAND}`: do not edit by hand")
            ),
            language.pick(
                "每个测试一节：先是引用它的句子，各自链接回所在的页面，然后是它的代码，原样摘自仓库；\
                 文件里不属于任何测试的行在最后。",
                "A section per test: first the sentences that cite it, each linked back to its \
                 page, then its code, as it is in the repository; the lines of the file that \
                 belong to no test come last."
            )
        );
        let page = format!("lessons/{}/{module}.md", language.code());
        if let Some(n) = lesson
            && self.pages.contains(page.as_str())
        {
            let _ = writeln!(
                text,
                "\n[{}]({})",
                language.pick(&format!("第 {n} 课"), &format!("Lesson {n}")),
                relative_link(self.path, &page)
            );
        }
        let file = format!("tests/{module}.rs");
        self.part(&mut text, &file, source, &tests_in(source));
        let suites = suites_invoked(module, source);
        if !suites.is_empty() {
            let mut items: Vec<Item> = suites
                .iter()
                .flat_map(|suite| suite_tests(servers, suite))
                .filter_map(|name| function_in(servers, &name))
                .collect();
            items.sort_by_key(|item| item.first);
            items.dedup();
            let macros: Vec<String> = suites
                .iter()
                .map(|suite| format!("`{suite}!(\"{module}\")`"))
                .collect();
            let (whose_zh, whose_en) = match lesson {
                Some(n) => (format!("第 {n} 课"), format!("lesson {n}")),
                None => (format!("`{module}`"), format!("`{module}`")),
            };
            let explained = match language {
                Language::Zh => format!(
                    "几个服务端共用的行为测试：`{file}` 里的 {} 把下面的每个函数变成{whose_zh}的一个测试。",
                    macros.join("、")
                ),
                Language::En => format!(
                    "The behaviour tests servers share: {} in `{file}` make each function below a \
                     test of {whose_en}.",
                    macros.join(" and ")
                ),
            };
            let _ = writeln!(text, "\n## `tests/servers.rs`\n\n{explained}");
            self.part(&mut text, "tests/servers.rs", servers, &items);
        }
        text
    }

    /// The sections of `items`, tests of this module from `file`, then the rest of `file`.
    fn part(&self, text: &mut String, file: &str, source: &str, items: &[Item]) {
        let module = self.module;
        if file != "tests/servers.rs" {
            let _ = writeln!(text, "\n## `{file}`");
        }
        for item in items {
            let name = &item.name;
            let _ = writeln!(
                text,
                "\n### `{module}::{name}` {{#{}}}\n",
                anchor(module, name)
            );
            let key = (module.to_owned(), name.clone());
            let quotes = self.citing.get(&key).map_or(&[][..], Vec::as_slice);
            for quote in quotes {
                let _ = writeln!(text, "{}", self.quoted(quote));
            }
            // A suite's test is the same test in each lesson that runs it: where the pages
            // cite it for another lesson, its section there has their sentences.
            let elsewhere: Vec<&str> = self
                .suite_made
                .iter()
                .filter(|(other, made)| {
                    *other != &module
                        && made.contains(name)
                        && self
                            .suite_made
                            .get(module)
                            .is_some_and(|own| own.contains(name))
                        && self
                            .citing
                            .contains_key(&((**other).to_owned(), name.clone()))
                })
                .map(|(other, _)| *other)
                .collect();
            for other in &elsewhere {
                let (zh, en) = match lesson_number(other) {
                    Some(n) => (format!("第 {n} 课"), format!("lesson {n}")),
                    None => (format!("`{other}`"), format!("`{other}`")),
                };
                let link = citation_link(self.path, other, name);
                let same = match self.language {
                    Language::Zh => format!("{zh}的同一个测试："),
                    Language::En => format!("The same test of {en}: "),
                };
                let _ = writeln!(text, "- {same}[`{other}::{name}`]({link})");
            }
            if quotes.is_empty() && elsewhere.is_empty() {
                let _ = writeln!(
                    text,
                    "{}",
                    self.language.pick("没有页面引用它。", "No page cites it.")
                );
            }
            self.block(text, file, item.first, item.last);
        }
        let lines: Vec<&str> = source.lines().collect();
        let mut shown = vec![false; lines.len()];
        for item in items {
            shown[item.first - 1..item.last].fill(true);
        }
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        while at < lines.len() {
            if shown[at] {
                at += 1;
                continue;
            }
            let start = at;
            while at < lines.len() && !shown[at] {
                at += 1;
            }
            // The run without the blank lines at its ends.
            let blank = |index: &usize| lines[*index].trim().is_empty();
            let first = (start..at).find(|index| !blank(index));
            let last = (start..at).rev().find(|index| !blank(index));
            if let (Some(first), Some(last)) = (first, last) {
                runs.push((first + 1, last + 1));
            }
        }
        if runs.is_empty() {
            return;
        }
        let (heading, explained) = match self.language {
            Language::Zh => (
                "文件的其余部分".to_owned(),
                format!("`{file}` 里不属于上面任何一个测试的行，按顺序。"),
            ),
            Language::En => (
                "The rest of the file".to_owned(),
                format!("The lines of `{file}` that belong to none of the tests above, in order."),
            ),
        };
        let _ = writeln!(
            text,
            "\n### {heading} {{#{}-rest}}\n\n{explained}",
            heading_id(file)
        );
        for (first, last) in runs {
            self.block(text, file, first, last);
        }
    }

    /// Lines `first` to `last` of `file`, included by range, with a caption naming them.
    fn block(&self, text: &mut String, file: &str, first: usize, last: usize) {
        let include = relative_link(self.path, file);
        let lines = match (self.language, first == last) {
            (Language::Zh, true) => format!("第 {first} 行"),
            (Language::Zh, false) => format!("第 {first}–{last} 行"),
            (Language::En, true) => format!("line {first}"),
            (Language::En, false) => format!("lines {first}–{last}"),
        };
        let _ = writeln!(
            text,
            "\n<span class=\"filename\">{lines}</span>\n<!-- listing: {file}:{first}:{last} -->\n\
             ```rust,listing\n{{{{#include {include}:{first}:{last}}}}}\n```"
        );
    }

    /// A quote as a list item: its page and heading, linked, then the sentence.
    fn quoted(&self, quote: &Quote) -> String {
        let mut label = if quote.page_label.is_empty() {
            quote.page.clone()
        } else {
            quote.page_label.clone()
        };
        let mut link = relative_link(self.path, &quote.page);
        if let Some((heading, id)) = &quote.section {
            let _ = write!(label, " · {heading}");
            let _ = write!(link, "#{id}");
        }
        let separator = match (quote.text.is_empty(), language_of(&quote.page)) {
            (true, _) => "",
            (false, Language::Zh) => "：",
            (false, Language::En) => ": ",
        };
        format!("- [{label}]({link}){separator}{}", quote.text)
    }
}

/// `N` of a lesson's module, `lessonN`.
fn lesson_number(module: &str) -> Option<u32> {
    module
        .strip_prefix("lesson")
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Links go from one page to another through their common directory.
    #[test]
    fn links_are_relative_to_the_citing_page() {
        assert_eq!(
            relative_link(
                "lessons/zh/lesson2.md",
                "lessons/zh/listings/tests-lesson2.md"
            ),
            "listings/tests-lesson2.md"
        );
        assert_eq!(
            relative_link("lessons/en/listings/exercise7.md", "lessons/zh/lesson5.md"),
            "../../zh/lesson5.md"
        );
        assert_eq!(
            relative_link("README.md", "lessons/en/listings/tests-lesson5.md"),
            "lessons/en/listings/tests-lesson5.md"
        );
        assert_eq!(
            relative_link("lessons/zh/listings/tests-lesson2.md", "tests/lesson2.rs"),
            "../../../tests/lesson2.rs"
        );
        // A page cites the listing of its own book.
        assert_eq!(
            citation("lessons/en/lesson2.md", "lesson2", "ipv6_loopback_works"),
            "[test: `lesson2::ipv6_loopback_works`]\
             (listings/tests-lesson2.md#lesson2ipv6_loopback_works)"
        );
        assert_eq!(
            citation_link("lessons/zh/README.md", "lesson5", "works"),
            "listings/tests-lesson5.md#lesson5works"
        );
    }

    /// A listing has a section per test, with the sentences citing it linked back and its
    /// lines included by range; the suite's tests a lesson invokes; and the rest of each file.
    #[test]
    fn a_listing_shows_each_test_with_its_citing_sentences() {
        let lesson = "//! Lesson 9.\n\nserves_many!(\"lesson9\");\n\n/// Doc.\n#[test]\nfn works() {\n    \
                      helper();\n}\n\nfn helper() {}\n\n#[test]\nfn uncited() {}\n";
        let servers = "macro_rules! serves_many {\n    ($package:literal) => {\n        \
                       named_tests!(servers, $package;\n            shared,\n        );\n    };\n}\n\n\
                       /// Shared.\npub(crate) fn shared(package: &str) {\n    let _ = package;\n}\n";
        let zh = "lessons/zh/lesson9.md".to_owned();
        let en = "lessons/en/lesson9.md".to_owned();
        let pages = [
            (
                zh.clone(),
                format!(
                    "# 第 9 课：测试\n\n## 运行\n\n它能用 {}。共用的 {}。\n",
                    citation(&zh, "lesson9", "works"),
                    citation(&zh, "lesson9", "shared")
                ),
            ),
            (
                en.clone(),
                format!(
                    "# Lesson 9: a test\n\nIt works {}.\n",
                    citation(&en, "lesson9", "works")
                ),
            ),
        ];
        let ten = "lessons/en/lesson10.md".to_owned();
        let pages = [
            pages[0].clone(),
            pages[1].clone(),
            (
                ten.clone(),
                format!(
                    "# Lesson 10\n\nOwn {}.\n",
                    citation(&ten, "lesson10", "own")
                ),
            ),
        ];
        let read = |path: &str| match path {
            "tests/lesson9.rs" => Some(lesson.to_owned()),
            "tests/lesson10.rs" => {
                Some("serves_many!(\"lesson10\");\n\n#[test]\nfn own() {}\n".to_owned())
            }
            "tests/servers.rs" => Some(servers.to_owned()),
            _ => None,
        };
        let listings = generate(&pages, &read);
        let paths: Vec<&str> = listings
            .iter()
            .map(|listing| listing.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "lessons/zh/listings/tests-lesson10.md",
                "lessons/zh/listings/tests-lesson9.md",
                "lessons/en/listings/tests-lesson10.md",
                "lessons/en/listings/tests-lesson9.md"
            ]
        );
        // The suite's test that lesson 10's pages do not cite points to lesson 9's, cited
        // (by the Chinese page only).
        assert!(
            listings[0].text.contains(
                "\n### `lesson10::shared` {#lesson10shared}\n\n\
                 - 第 9 课的同一个测试：[`lesson9::shared`](tests-lesson9.md#lesson9shared)\n"
            ),
            "{}",
            listings[0].text
        );
        assert!(
            listings[2]
                .text
                .contains("\n### `lesson10::shared` {#lesson10shared}\n\nNo page cites it.\n"),
            "{}",
            listings[2].text
        );
        // Each book's listing quotes the sentences of its own language only.
        let (zh, en) = (&listings[1].text, &listings[3].text);
        for (text, expected) in [
            (zh, "# 第 9 课的测试\n"),
            (zh, "\n[第 9 课](../lesson9.md)\n"),
            (
                zh,
                "\n### `lesson9::works` {#lesson9works}\n\n\
                 - [第 9 课 · 运行](../lesson9.md#运行)：它能用。\n\n\
                 <span class=\"filename\">第 5–9 行</span>\n\
                 <!-- listing: tests/lesson9.rs:5:9 -->\n```rust,listing\n\
                 {{#include ../../../tests/lesson9.rs:5:9}}\n```\n",
            ),
            (
                zh,
                "\n### `lesson9::uncited` {#lesson9uncited}\n\n没有页面引用它。\n",
            ),
            (zh, "{{#include ../../../tests/lesson9.rs:1:3}}"),
            (zh, "{{#include ../../../tests/lesson9.rs:11:11}}"),
            (zh, "\n## `tests/servers.rs`\n"),
            (
                zh,
                "\n### `lesson9::shared` {#lesson9shared}\n\n\
                 - [第 9 课 · 运行](../lesson9.md#运行)：共用的。\n",
            ),
            (zh, "{{#include ../../../tests/servers.rs:9:12}}"),
            (zh, "{{#include ../../../tests/servers.rs:1:7}}"),
            (en, "# Lesson 9's tests\n"),
            (
                en,
                "\n### `lesson9::works` {#lesson9works}\n\n\
                 - [Lesson 9](../lesson9.md): It works.\n\n\
                 <span class=\"filename\">lines 5–9</span>\n",
            ),
            (
                en,
                "\n### `lesson9::shared` {#lesson9shared}\n\nNo page cites it.\n",
            ),
        ] {
            assert!(text.contains(expected), "expected {expected:?} in\n{text}");
        }
        assert!(!en.contains("它能用"), "{en}");
        assert!(!zh.contains("It works"), "{zh}");
    }
}
