//! The rules for lesson pages in `CONTRIBUTING.md`, checked, so that pages, code and tests
//! never drift apart:
//!
//! - a citation `` [test: `FILE::FN`](…) `` names a `#[test] fn FN` in `tests/FILE.rs`, and is a
//!   link to that test's section of its listing in the page's book,
//!   `lessons/LANGUAGE/listings/tests-FILE.md`;
//! - the test listings are what `cargo xtask listings` writes now (`harness::listings`);
//! - each lesson package has a Chinese and an English page, and each cites every test of its
//!   lesson;
//! - a Rust block is an exact excerpt of an anchored region of the source, or is marked as not
//!   being one;
//! - every page is in the book's summary;
//! - each lesson has one title, the registry's: its pages' headings, its summary entry and its
//!   row of the contents read it, and each page opens with the one header made from the
//!   registry;
//! - each exercise's page shows its README as a page, whose relative links resolve both in its
//!   folder and in the book;
//! - relative links and images in the pages, the README and the exercises' READMEs resolve;
//! - the commands the README shows name packages and `just` recipes that exist;
//! - the memory figures lessons 7 and 8 give for ten thousand clients are those of lesson 7's
//!   table of the designs (one source of numbers).
//!
//! Markdown is read with pulldown-cmark, the parser mdBook itself uses, so a fence, a link or
//! a code span is one here exactly when it is one in the book.
//!
//! Each check is a function over a page's path and text, so the unit tests at the bottom can
//! feed it a broken page and see it fail: no check passes because it looked at nothing.
//! A failure names the page and line, and shows what was expected beside what was found.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Component, Path, PathBuf};

use course::lessons::Lesson;
use harness::excerpt::anchored_region;
use harness::listings::{self, Language, SUITES, suite_tests, test_functions};
use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

// ---------------------------------------------------------------------------------------------
// The checks on the real tree
// ---------------------------------------------------------------------------------------------

/// Every `[test: `FILE::FN`]` citation in the pages names an existing `#[test] fn` in `tests/FILE.rs`.
#[test]
fn every_cited_test_exists() {
    let tests = TestIndex::load();
    let problems = pages()
        .iter()
        .chain([&readme()])
        .flat_map(|page| check_citations(page, &tests))
        .collect();
    report(problems);
}

/// Every citation is a link to its test's own section of the test listings (a reader clicks
/// through to the test), and that section is there.
#[test]
fn every_citation_links_to_its_tests_section() {
    let pages = pages();
    let listings: BTreeMap<String, String> = pages
        .iter()
        .map(|page| (page.path.clone(), page.text.clone()))
        .collect();
    let cited: usize = pages.iter().map(|page| citations(page).0.len()).sum();
    assert!(cited > 100, "expected the pages' citations, got {cited}");
    let problems = pages
        .iter()
        .chain([&readme()])
        .flat_map(|page| check_citation_links(page, &listings))
        .collect();
    report(problems);
}

/// The test listings of both books (`lessons/LANGUAGE/listings/tests-*.md`) are what `cargo xtask listings` writes
/// now: a section per test, with the sentences that cite it and its lines. A test that moved,
/// a sentence that changed or a new citation makes them stale, and this says to run it.
#[test]
fn the_test_listings_are_as_cargo_xtask_listings_writes_them() {
    let generated = harness::listings::generate_in(root());
    assert!(
        ["zh", "en"].iter().all(|language| {
            generated.iter().any(|listing| {
                listing.path == format!("lessons/{language}/listings/tests-lesson1.md")
            })
        }),
        "expected lesson 1's test listing among {:?}",
        generated
            .iter()
            .map(|listing| &listing.path)
            .collect::<Vec<_>>()
    );
    report(check_listings_fresh(
        &generated,
        &harness::listings::on_disk(root()),
    ));
}

/// Each lesson package has both pages, and each page cites every test in `tests/lessonN.rs`.
#[test]
fn every_lesson_has_both_pages_citing_all_its_tests() {
    let tests = TestIndex::load();
    let pages = pages();
    let lessons = lesson_packages();
    assert!(
        lessons.contains("lesson1"),
        "expected crates/lesson1 among the lesson packages, got {lessons:?}"
    );
    let problems = lessons
        .iter()
        .flat_map(|lesson| check_lesson_pages(lesson, &pages, &tests))
        .collect();
    report(problems);
}

/// Every Rust block is an exact excerpt of the anchored region it names, or is marked not-source.
#[test]
fn every_rust_block_is_quoted_from_the_source() {
    let read = |path: &str| fs::read_to_string(root().join(path)).ok();
    let pages = pages();
    let quoted: usize = pages.iter().map(|page| code_blocks(&page.text).len()).sum();
    assert!(quoted > 0, "expected code blocks in the pages, got none");
    report(
        pages
            .iter()
            .flat_map(|page| check_code_blocks(page, read))
            .collect(),
    );
}

/// Every excerpt has a visible caption naming its file, linked to the file's listing page.
#[test]
fn every_excerpt_has_a_caption_linking_its_listing() {
    let pages = pages();
    let books: BTreeMap<Language, BTreeMap<String, String>> = Language::ALL
        .into_iter()
        .map(|language| (language, listing_pages(&pages, language)))
        .collect();
    for (language, listings) in &books {
        assert!(
            listings.contains_key("crates/lesson1/src/main.rs"),
            "expected a listing page for crates/lesson1/src/main.rs in {language:?}, got {listings:?}"
        );
    }
    report(
        pages
            .iter()
            .flat_map(|page| check_captions(page, &books[&listings::language_of(&page.path)]))
            .collect(),
    );
}

/// Every page under `lessons/` is in a book: listed in the summary of its language's book,
/// `lessons/zh/SUMMARY.md` or `lessons/en/SUMMARY.md`.
#[test]
fn every_page_is_in_the_summary() {
    let pages = pages();
    let names: Vec<String> = pages.iter().map(|page| page.path.clone()).collect();
    let mut problems = Vec::new();
    for language in LANGUAGES {
        let path = format!("lessons/{language}/SUMMARY.md");
        let summary = pages
            .iter()
            .find(|page| page.path == path)
            .unwrap_or_else(|| panic!("{path} is the {language} book's summary (scripts/book)"));
        problems.extend(check_summary(summary, &names));
    }
    problems.extend(
        names
            .iter()
            .filter(|name| {
                !LANGUAGES
                    .iter()
                    .any(|l| name.starts_with(&format!("lessons/{l}/")))
            })
            .filter(|name| name.starts_with("lessons/"))
            .map(|name| {
                Problem::at(
                    name,
                    0,
                    "a page in neither book
    expected: under lessons/zh/ or lessons/en/",
                )
            }),
    );
    report(problems);
}

/// No line of Chinese prose (in the pages, the README and the exercises' READMEs, which the
/// book shows as pages) is broken between two Chinese characters: a browser shows such a
/// soft line break as a space (Chromium does not drop it, as CSS Text 3 allows), so a page
/// would read "线程、 再把" where the source read "线程、" and "再把" on two lines.
#[test]
fn chinese_prose_is_not_broken_between_two_chinese_characters() {
    let mut problems = Vec::new();
    for page in pages().iter().chain([&readme()]).chain(&exercise_readmes()) {
        problems.extend(breaks_between_wide_characters(page));
    }
    report(problems);
}

/// The soft line breaks of `page` with a wide (CJK) character on both sides.
fn breaks_between_wide_characters(page: &Page) -> Vec<Problem> {
    let starts = line_starts(&page.text);
    let mut problems = Vec::new();
    let mut before: Option<char> = None;
    let mut pending_break: Option<(usize, char)> = None;
    for (event, range) in events(&page.text) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                if let (Some((offset, last)), Some(next)) = (pending_break, text.chars().next())
                    && harness::width(&last.to_string()) == 2
                    && harness::width(&next.to_string()) == 2
                {
                    problems.push(Problem::at(
                        &page.path,
                        line_of(&starts, offset),
                        format!("a line break between {last} and {next}: join the two lines"),
                    ));
                }
                pending_break = None;
                before = text.chars().last();
            }
            Event::SoftBreak => pending_break = before.map(|last| (range.start, last)),
            _ => {
                pending_break = None;
                before = None;
            }
        }
    }
    problems
}

/// Every relative link and image in the pages, the README and the exercises' READMEs points at
/// a file that exists.
#[test]
fn every_relative_link_resolves() {
    let exists = |path: &Path| root().join(path).exists();
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages().iter().chain([&readme()]).chain(&exercise_readmes()) {
        checked += links(&page.text).len();
        problems.extend(check_links(page, exists));
    }
    assert!(checked > 0, "expected links in the pages, got none");
    report(problems);
}

/// Every command the README shows names a package, test file or `just` recipe that exists.
#[test]
fn every_readme_command_exists() {
    let justfile = fs::read_to_string(root().join("justfile")).expect("the justfile exists");
    let known = Known {
        packages: workspace_packages(),
        recipes: just_recipes(&justfile),
        test_files: TestIndex::load().files.keys().cloned().collect(),
    };
    let readme = readme();
    assert!(
        !commands(&readme.text).is_empty(),
        "expected commands in README.md, got none"
    );
    report(check_readme_commands(&readme, &known));
}

/// `just` alone lists the recipes with their doc comments: a student reads every line of it,
/// so none may be wider than a terminal's 100 columns (each recipe's Chinese and English share
/// one line).
#[test]
fn every_line_of_just_list_fits_a_terminal() {
    let justfile = fs::read_to_string(root().join("justfile")).expect("the justfile exists");
    let lines: Vec<&str> = justfile.lines().collect();
    // (signature as `just --list` prints it, doc comment) for each recipe with a comment.
    let documented: Vec<(String, &str)> = lines
        .windows(2)
        .filter_map(|pair| {
            let doc = pair[0].strip_prefix("# ")?;
            let (head, _) = pair[1].split_once(':')?;
            let name = head.split_whitespace().next()?;
            is_recipe_name(name).then(|| (head.trim().to_owned(), doc))
        })
        .collect();
    assert!(
        documented.len() >= 5,
        "expected documented recipes, got {documented:?}"
    );
    let column = documented
        .iter()
        .map(|(head, _)| head.len())
        .max()
        .unwrap_or(0);
    let too_wide: Vec<String> = documented
        .iter()
        .map(|(head, doc)| format!("    {head:column$} # {doc}"))
        .filter(|line| harness::width(line) > harness::MAX_COLUMNS)
        .collect();
    assert!(
        too_wide.is_empty(),
        "too wide for a terminal:\n{}",
        too_wide.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Loading the tree
// ---------------------------------------------------------------------------------------------

/// A Markdown file: its path relative to the workspace root (with `/`), and its text.
#[derive(Debug, Clone)]
struct Page {
    path: String,
    text: String,
}

impl Page {
    fn new(path: &str, text: &str) -> Self {
        Page {
            path: path.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// The memory figures for ten thousand clients that lessons 7 and 8 state in their prose all
/// come from one place, the table of the designs on lesson 7's page: each `N MiB` in a sentence
/// about ten thousand clients is that table's RSS for the lesson the sentence names last.
#[test]
fn ten_thousand_client_memory_figures_come_from_lesson7s_table() {
    let pages = pages();
    let page = |path: &str| {
        pages
            .iter()
            .find(|page| page.path == path)
            .unwrap_or_else(|| panic!("{path} is in the course"))
    };
    let zh_table = designs_rss_at_ten_thousand(&page("lessons/zh/lesson7.md").text);
    assert!(
        zh_table.len() >= 3,
        "expected lesson 7's table of the designs (lessons 4, 7, 8 at 10000 clients), got {zh_table:?}"
    );
    assert_eq!(
        zh_table,
        designs_rss_at_ten_thousand(&page("lessons/en/lesson7.md").text),
        "the two lesson 7 pages show different RSS figures"
    );
    let mut problems = Vec::new();
    for language in ["zh", "en"] {
        for lesson in [7, 8] {
            let page = page(&format!("lessons/{language}/lesson{lesson}.md"));
            problems.extend(check_memory_figures(page, lesson, &zh_table));
        }
    }
    report(problems);
}

/// The header of lesson 7's table of the designs, which ends with each server's RSS.
const DESIGNS_HEADER: &str =
    "| server | clients | round trips/s | p50 µs | p99 µs | threads | RSS MiB |";

/// Lesson number → RSS in MiB at 10000 clients, from the table of the designs in `text`.
fn designs_rss_at_ten_thousand(text: &str) -> BTreeMap<u32, f64> {
    text.lines()
        .skip_while(|line| !line.starts_with(DESIGNS_HEADER))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let lesson = cells.first()?.strip_prefix("lesson")?.parse().ok()?;
            (*cells.get(1)? == "10000").then_some(())?;
            Some((lesson, cells.last()?.parse().ok()?))
        })
        .collect()
}

/// Checks every `N MiB` in the sentences of `page` that speak of ten thousand clients, from
/// that phrase on, against `table`'s figure for the lesson named last before it (`lesson`, the
/// page's own, until the sentence names another). A page that states none is a problem too:
/// the check must not pass by looking at nothing.
fn check_memory_figures(page: &Page, lesson: u32, table: &BTreeMap<u32, f64>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (line, sentence) in prose_sentences(&page.text) {
        let lower = sentence.to_lowercase();
        let Some(start) = ["一万", "ten thousand"]
            .iter()
            .filter_map(|phrase| lower.find(phrase))
            .min()
        else {
            continue;
        };
        let mut current = lesson;
        let rest = &lower[start..];
        for (at, _) in rest.char_indices() {
            let tail = &rest[at..];
            if let Some(named) = lesson_named_at(tail) {
                current = named;
            }
            let Some(stated) = mib_figure_at(rest, at) else {
                continue;
            };
            checked += 1;
            let wanted = table.get(&current).copied();
            let agrees =
                wanted.is_some_and(|rss| (stated - rss).abs() < 0.05 || stated == rss.round());
            if !agrees {
                problems.push(Problem::at(
                    &page.path,
                    line,
                    format!(
                        "{stated} MiB for lesson {current} at ten thousand clients; lesson 7's table \
                         says {wanted:?} MiB: {sentence}"
                    ),
                ));
            }
        }
    }
    if checked == 0 {
        problems.push(Problem::at(
            &page.path,
            0,
            "no MiB figure for ten thousand clients found: did the sentence change?",
        ));
    }
    problems
}

/// The lesson that `text` names at its start: `第 4 课` or `lesson 4`.
fn lesson_named_at(text: &str) -> Option<u32> {
    let number = text
        .strip_prefix("第 ")
        .or_else(|| text.strip_prefix("lesson "))?;
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    let after = &number[digits.len()..];
    (after.starts_with(" 课") || text.starts_with("lesson ")).then_some(())?;
    digits.parse().ok()
}

/// The number that starts at `at` in `text` and is followed by ` MiB`, if one does.
fn mib_figure_at(text: &str, at: usize) -> Option<f64> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let number: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if number.is_empty() || !text[at + number.len()..].starts_with(" mib") {
        return None;
    }
    number.parse().ok()
}

/// The prose of `text` cut into sentences (after `。`, and after a `.` that ends a line or
/// comes before a space, so that `lesson7.md` stays whole), each with the line it starts on;
/// the lines of a paragraph are joined with spaces, their indentation dropped.
fn prose_sentences(text: &str) -> Vec<(usize, String)> {
    let mut sentences = Vec::new();
    let mut sentence = String::new();
    let mut first_line = 0;
    for (number, line) in prose_lines(text) {
        // A blank line (the end of a paragraph or a heading) ends a sentence too.
        if line.trim().is_empty() && !sentence.trim().is_empty() {
            sentences.push((first_line, std::mem::take(&mut sentence)));
        }
        let mut chars = line.trim().chars().peekable();
        while let Some(c) = chars.next() {
            if sentence.is_empty() {
                first_line = number;
            }
            sentence.push(c);
            let full_stop = c == '.' && chars.peek().is_none_or(|next| next.is_whitespace());
            if c == '。' || full_stop {
                sentences.push((first_line, std::mem::take(&mut sentence)));
            }
        }
        if !sentence.is_empty() {
            sentence.push(' ');
        }
    }
    sentences.push((first_line, sentence));
    sentences
}

/// A page and its twin in the other book (`lessons/zh/X.md`, `lessons/en/X.md`) both exist, and
/// give their sections the same ids in the same order: the language picker
/// (theme/language-switch.js) keeps the reader's place by the id of the section they are in,
/// so each Chinese heading names its id after the English one's
/// (`## 规则 9：半关闭 {#rule-9-half-close}`).
#[test]
fn twin_pages_give_their_sections_the_same_ids() {
    let pages = pages();
    let mut problems = Vec::new();
    for page in pages
        .iter()
        .filter(|page| page.path.starts_with("lessons/zh/"))
    {
        if page.path.ends_with("/SUMMARY.md") {
            continue;
        }
        let twin_path = page.path.replacen("lessons/zh/", "lessons/en/", 1);
        match pages.iter().find(|other| other.path == twin_path) {
            Some(twin) => problems.extend(check_twin_ids(page, twin)),
            None => problems.push(Problem::at(
                &page.path,
                0,
                format!("a page without its twin\n    expected: {twin_path}\n    got:      none"),
            )),
        }
    }
    for page in pages
        .iter()
        .filter(|page| page.path.starts_with("lessons/en/"))
    {
        let twin_path = page.path.replacen("lessons/en/", "lessons/zh/", 1);
        if !pages.iter().any(|other| other.path == twin_path) {
            problems.push(Problem::at(
                &page.path,
                0,
                format!("a page without its twin\n    expected: {twin_path}\n    got:      none"),
            ));
        }
    }
    report(problems);
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.md` file under `lessons/`, sorted.
fn pages() -> Vec<Page> {
    let mut found = Vec::new();
    markdown_files(&root().join("lessons"), &mut found);
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            Page {
                path: relative(&path),
                text,
            }
        })
        .collect()
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry
            .expect("a directory entry that was just listed")
            .path();
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "md") {
            found.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    let inside = path
        .strip_prefix(root())
        .expect("every page is inside the workspace");
    inside.to_string_lossy().replace('\\', "/")
}

fn readme() -> Page {
    let text = fs::read_to_string(root().join("README.md")).expect("README.md exists");
    Page::new("README.md", &text)
}

/// The lesson packages, as the course's registry (`course::lessons`) lists them.
fn lesson_packages() -> BTreeSet<String> {
    course::lessons::LESSONS
        .iter()
        .map(|lesson| lesson.package.to_owned())
        .collect()
}

/// Whether `name` is a lesson crate's name, `lessonN`.
fn is_lesson_package(name: &str) -> bool {
    name.strip_prefix("lesson")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The names of the workspace's packages: each `crates/*/Cargo.toml`'s `name`, and the root's.
fn workspace_packages() -> BTreeSet<String> {
    let mut manifests = vec![root().join("Cargo.toml")];
    for entry in fs::read_dir(root().join("crates")).expect("crates/ exists") {
        let manifest = entry
            .expect("an entry just listed")
            .path()
            .join("Cargo.toml");
        if manifest.exists() {
            manifests.push(manifest);
        }
    }
    manifests
        .iter()
        .filter_map(|manifest| harness::manifest::package_name(&fs::read_to_string(manifest).ok()?))
        .collect()
}

/// The registry (`course::lessons`) names every lesson crate of the workspace, and no other.
#[test]
fn the_registry_lists_every_lesson_crate() {
    let on_disk: BTreeSet<String> = workspace_packages()
        .into_iter()
        .filter(|name| is_lesson_package(name))
        .collect();
    assert_eq!(
        on_disk,
        lesson_packages(),
        "crates/lessonN against course::lessons"
    );
}

/// Every file of `tests/` is a module of the one test binary (`tests/main.rs`), and every lesson
/// of the registry has one: with one binary, cargo no longer finds a test file by itself, so a
/// file left out of `tests/main.rs` would never run, and nothing else would say so.
#[test]
fn every_test_file_is_a_module_of_the_proofs() {
    let main = fs::read_to_string(root().join("tests/main.rs")).expect("tests/main.rs");
    let declared: BTreeSet<String> = main
        .lines()
        .filter_map(|line| line.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_owned)
        .collect();
    let on_disk: BTreeSet<String> = fs::read_dir(root().join("tests"))
        .expect("tests/ exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|name| name != "main")
        .collect();
    assert_eq!(
        declared, on_disk,
        "the modules of tests/main.rs against the files of tests/"
    );
    for package in lesson_packages() {
        assert!(
            declared.contains(&package),
            "tests/{package}.rs, a module of tests/main.rs"
        );
    }
}

/// The shared suites of `tests/servers.rs` run against exactly the servers the registry says
/// promise them: `serves_many!` in each server of many clients' test file, `serves_on_one_thread!`
/// in each one-thread server's, and in no other.
#[test]
fn the_suites_run_against_the_registrys_servers() {
    let invoking = |suite: &str| -> BTreeSet<String> {
        lesson_packages()
            .into_iter()
            .filter(|module| {
                fs::read_to_string(root().join(format!("tests/{module}.rs")))
                    .is_ok_and(|source| source.contains(&format!("{suite}!(\"{module}\");")))
            })
            .collect()
    };
    let owned = |names: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        names.map(str::to_owned).collect()
    };
    assert_eq!(
        invoking("serves_many"),
        owned(&mut course::lessons::servers_of_many()),
        "serves_many! against course::lessons' servers of many clients"
    );
    assert_eq!(
        invoking("serves_on_one_thread"),
        owned(&mut course::lessons::one_thread_servers()),
        "serves_on_one_thread! against course::lessons' one-thread servers"
    );
    let servers = fs::read_to_string(root().join("tests/servers.rs")).expect("tests/servers.rs");
    for suite in SUITES {
        assert!(
            !suite_tests(&servers, suite).is_empty(),
            "{suite} lists its tests in tests/servers.rs"
        );
    }
}

/// Each book's summary and contents page list each lesson of the registry, and no other,
/// by its one title: the summary's entry and the contents' row read `第 N 课：{title_zh}` in
/// the Chinese book and `Lesson N: {title_en}` in the English one exactly, and the summary
/// lists its listing page.
#[test]
fn the_contents_list_the_registrys_lessons() {
    let read = |path: &str| {
        let text = fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        Page::new(path, &text)
    };
    let mut problems = Vec::new();
    for language in LANGUAGES {
        problems.extend(check_contents(
            &read(&format!("lessons/{language}/SUMMARY.md")),
            &read(&format!("lessons/{language}/README.md")),
            course::lessons::LESSONS,
            language,
        ));
    }
    report(problems);
}

/// Every lesson page opens alike: its heading is the registry's title (`# 第 N 课：{title_zh}`,
/// `# Lesson N: {title_en}`), and the line under it is the one header, made from the registry
/// ([`lesson_header`]): the other language, the notes' section, the lessons it builds on, its
/// code, its tests, the contents.
#[test]
fn every_lesson_page_opens_with_its_title_and_header() {
    let pages = pages();
    let mut problems = Vec::new();
    for lesson in course::lessons::LESSONS {
        for language in LANGUAGES {
            let path = format!("lessons/{language}/{}.md", lesson.package);
            match pages.iter().find(|page| page.path == path) {
                Some(page) => problems.extend(check_page_opening(page, lesson, language)),
                None => problems.push(Problem::at(&path, 0, "the lesson's page is missing")),
            }
        }
    }
    report(problems);
}

/// Each exercise's page in each book (`lessons/LANGUAGE/listings/exerciseN.md`) shows its README as a
/// page, not as code: included outside a code block, its one `#` heading the page's title and
/// the rest nested under it, and each of its relative links a reference link that resolves on
/// a code-hosting site by the README's own definition and in the book by the page's, to the
/// same file's place in the book ([`check_exercise_page`]).
#[test]
fn every_exercise_page_shows_its_readme_as_a_page() {
    let pages = pages();
    let readmes = exercise_readmes();
    assert!(
        readmes.len() == course::lessons::exercises().len() && !readmes.is_empty(),
        "expected a README for each exercise of course::lessons"
    );
    let mut problems = Vec::new();
    for (index, readme) in readmes.iter().enumerate() {
        for language in Language::ALL {
            let listings = listing_pages(&pages, language);
            let path = format!("{}/exercise{}.md", listings::dir(language), index + 1);
            match pages.iter().find(|page| page.path == path) {
                Some(page) => {
                    problems.extend(check_exercise_page(page, readme, index + 1, &listings));
                }
                None => problems.push(Problem::at(&path, 0, "the exercise's page is missing")),
            }
        }
    }
    report(problems);
}

/// No program or test outside the registry keeps its own list of lessons or exercises, or
/// their count: a new lesson is one row in `course::lessons`. Looked for: two or more lesson
/// packages or exercise directories written out in one `[…]` on one line, and the number of lessons or of
/// exercises beside the word lesson or exercise (`1..=N`, `[_; N]`). Not looked in: the lessons
/// themselves and the registry. A line that names several lessons for another reason says so
/// with `lesson-list:` (a comment on it or the line before); the tour's scenes name the
/// programs each one runs.
#[test]
fn no_lesson_list_outside_the_registry() {
    let lessons = course::lessons::LESSONS.len();
    let exercises = course::lessons::exercises().len();
    let counts: Vec<String> = [lessons, exercises]
        .iter()
        .flat_map(|n| [format!("1..={n}"), format!("; {n}]")])
        .collect();
    let mut problems = Vec::new();
    for path in rust_sources() {
        let name = relative(&path);
        if name.starts_with("crates/lesson") || name == "crates/course/src/lessons.rs" {
            continue;
        }
        let text = fs::read_to_string(&path).expect("a source file just listed");
        let mut previous = "";
        for (index, line) in text.lines().enumerate() {
            let exempt = line.contains("lesson-list:")
                || previous.contains("lesson-list:")
                || (name == "crates/tour/src/main.rs"
                    && line.trim_start().starts_with("packages:"));
            previous = line;
            if exempt {
                continue;
            }
            let lower = line.to_lowercase();
            let listed = quoted_names(line, is_lesson_package) >= 2
                || quoted_names(line, is_exercise_dir) >= 2;
            let counted = (lower.contains("lesson") || lower.contains("exercise"))
                && counts.iter().any(|count| line.contains(count.as_str()));
            if listed || counted {
                problems.push(Problem::at(
                    &name,
                    index + 1,
                    format!(
                        "a list or count of lessons outside course::lessons\n    expected: read it from course::lessons\n    got:      {}",
                        line.trim()
                    ),
                ));
            }
        }
    }
    report(problems);
}

/// The `course::options` structs that hold a server's port.
const OPTIONS: [&str; 2] = ["ServerOptions", "ListenOptions"];

/// Each lesson's program is as the registry describes it: its server's default port
/// (`ServerOptions<PORT>`, or `ListenOptions<PORT>` for a server with no text encoding, as
/// lesson 9's HTTP), and whether it tells `course::finish` that it set SO_REUSEADDR
/// (`Role::ReusingServer`, so that a busy port's advice fits it).
#[test]
fn every_lesson_is_as_the_registry_says() {
    let mut problems = Vec::new();
    for lesson in course::lessons::LESSONS {
        let dir = root().join("crates").join(lesson.package).join("src");
        let mut sources = Vec::new();
        rust_files(&dir, &mut sources);
        let text: String = sources
            .iter()
            .map(|path| fs::read_to_string(path).expect("a source file just listed"))
            .collect();
        // `ServerOptions<9090>` or `ListenOptions<9494>`: the options a server's port is in.
        let with_port = |port: &str| OPTIONS.map(|options| format!("{options}<{port}"));
        let port = lesson.port.map(|port| format!("{port}>"));
        let facts = [
            (
                "its default port",
                port.as_deref()
                    .is_none_or(|port| with_port(port).iter().any(|name| text.contains(name))),
                port.as_deref()
                    .map_or_else(String::new, |port| with_port(port).join(" or ")),
            ),
            (
                "no server port of its own",
                port.is_some() || with_port("").iter().all(|name| !text.contains(name)),
                "no ServerOptions<PORT> or ListenOptions<PORT>".to_owned(),
            ),
            (
                "whether it sets SO_REUSEADDR",
                text.contains("Role::ReusingServer") == lesson.reuses_address,
                format!("Role::ReusingServer: {}", lesson.reuses_address),
            ),
        ];
        for (what, holds, expected) in facts {
            if !holds {
                problems.push(Problem::at(
                    &relative(&dir),
                    0,
                    format!("{what} differs from course::lessons\n    expected: {expected}"),
                ));
            }
        }
    }
    report(problems);
}

/// Nothing is left to write: `cargo xtask new-lesson` marks each place whose content only a
/// person can write (a page's prose, a test's claim, an exercise's check) with
/// `harness::to_write::MARK`, and this test lists every one still marked, file by file.
#[test]
fn nothing_is_left_to_write() {
    let problems = harness::to_write::scan(root())
        .into_iter()
        .map(|left| {
            let message = format!(
                "left to write\n    expected: the content, in place of {:?}\n    got:      {}",
                harness::to_write::MARK,
                left.text.trim()
            );
            Problem::at(&left.path, left.line, message)
        })
        .collect();
    report(problems);
}

/// The most string literals that `is_name` accepts in one `[…]` list on `line`.
fn quoted_names(line: &str, is_name: fn(&str) -> bool) -> usize {
    line.split('[')
        .skip(1)
        .map(|list| {
            let list = list.split(']').next().unwrap_or_default();
            list.split('"')
                .skip(1)
                .step_by(2)
                .filter(|literal| is_name(literal))
                .collect::<BTreeSet<_>>()
                .len()
        })
        .max()
        .unwrap_or(0)
}

/// Whether `name` is an exercise's directory, `NN_name`.
fn is_exercise_dir(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 3
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b'_'
        && name[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The workspace's Rust files: `crates/`, `tests/`, `solutions/` (not `target/`).
fn rust_sources() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in ["crates", "tests", "solutions/check.rs"] {
        rust_files(&root().join(dir), &mut found);
    }
    found
}

fn rust_files(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|name| name != "target") {
            rust_files(&path, found);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Problems and how they are shown
// ---------------------------------------------------------------------------------------------

/// One broken rule: where (page and line, 0 when it concerns the whole page), and what.
#[derive(Debug)]
struct Problem {
    path: String,
    line: usize,
    message: String,
}

impl Problem {
    fn at(path: &str, line: usize, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path, self.message),
            line => write!(f, "{}:{line}: {}", self.path, self.message),
        }
    }
}

/// Fails the test listing every problem, or passes when there are none.
fn report(problems: Vec<Problem>) {
    if problems.is_empty() {
        return;
    }
    let mut text = format!("\n{} problem(s):\n", problems.len());
    for problem in &problems {
        let _ = writeln!(text, "\n{problem}");
    }
    panic!("{text}");
}

/// "expected" and "got" side by side, one row per line, differing rows marked with `!`.
fn side_by_side(expected: &str, got: &str) -> String {
    // `split`, not `lines`: a trailing empty line is a difference worth showing.
    let left: Vec<&str> = expected.split('\n').collect();
    let right: Vec<&str> = got.split('\n').collect();
    let width = left
        .iter()
        .map(|line| harness::width(line))
        .chain([harness::width("expected")])
        .max()
        .unwrap_or(0);
    let mut text = format!("\n      {} │ got\n", pad("expected", width));
    for row in 0..left.len().max(right.len()) {
        let (l, r) = (left.get(row), right.get(row));
        let mark = if l == r { ' ' } else { '!' };
        let _ = writeln!(
            text,
            "{mark}{:>4} {} │ {}",
            row + 1,
            pad(l.copied().unwrap_or("∅"), width),
            r.copied().unwrap_or("∅")
        );
    }
    text
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(harness::width(text));
    format!("{text}{}", " ".repeat(fill))
}

// ---------------------------------------------------------------------------------------------
// Reading Markdown: fenced code blocks, the lines outside them, inline code spans
// ---------------------------------------------------------------------------------------------

/// A fenced code block: the line its opening fence is on (1-based), its info string, its body
/// (the fence's indentation removed), and the line just before the fence.
#[derive(Debug)]
struct CodeBlock {
    line: usize,
    info: String,
    body: String,
    before: String,
}

impl CodeBlock {
    /// The language: the info string's first word, `rust` in `rust,ignore`.
    fn language(&self) -> &str {
        self.info.split([',', ' ', '\t']).next().unwrap_or_default()
    }

    /// The attributes after the language, `ignore` in `rust,ignore`.
    fn attributes(&self) -> Vec<&str> {
        self.info
            .split([',', ' ', '\t'])
            .skip(1)
            .filter(|word| !word.is_empty())
            .collect()
    }
}

/// Where each line of `text` starts, to turn the parser's byte offsets into line numbers.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The 1-based line holding byte `offset`.
fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&start| start <= offset)
}

/// The page as pulldown-cmark (the parser mdBook uses) reads it, each event with its bytes.
fn events(text: &str) -> impl Iterator<Item = (Event<'_>, std::ops::Range<usize>)> {
    Parser::new_ext(text, Options::all()).into_offset_iter()
}

/// The fenced code blocks of a page, in order. An unclosed block runs to the end of the page,
/// as in CommonMark.
fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let starts = line_starts(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut open: Option<CodeBlock> = None;
    for (event, range) in events(text) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = line_of(&starts, range.start);
                open = Some(CodeBlock {
                    line,
                    info: info.trim().to_owned(),
                    body: String::new(),
                    before: line
                        .checked_sub(2)
                        .and_then(|index| lines.get(index))
                        .map(|before| before.trim().to_owned())
                        .unwrap_or_default(),
                });
            }
            Event::Text(body) => {
                if let Some(block) = open.as_mut() {
                    block.body.push_str(&body);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(mut block) = open.take() {
                    if block.body.ends_with('\n') {
                        block.body.pop();
                    }
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// The lines outside fenced code blocks (fences included), with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let starts = line_starts(text);
    let mut in_code = BTreeSet::new();
    let mut opened = None;
    for (event, range) in events(text) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => opened = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = opened.take() {
                    let last = line_of(&starts, range.end.saturating_sub(1).max(start));
                    in_code.extend(line_of(&starts, start)..=last);
                }
            }
            _ => {}
        }
    }
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(number, _)| !in_code.contains(number))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// (a) Citations name tests that exist
// ---------------------------------------------------------------------------------------------

/// The `#[test]` functions of each `tests/FILE.rs`, by file stem, with the tests a suite of
/// `tests/servers.rs` makes in the first lesson that invokes it (lesson 4 for `serves_many!`,
/// whose pages explain them); and the same suite's tests in the later lessons that invoke it,
/// which a page may cite but need not.
struct TestIndex {
    files: BTreeMap<String, Vec<String>>,
    borrowed: BTreeMap<String, Vec<String>>,
}

impl TestIndex {
    fn load() -> Self {
        let mut files = BTreeMap::new();
        for entry in fs::read_dir(root().join("tests")).expect("tests/ exists") {
            let path = entry.expect("an entry just listed").path();
            if path.extension().is_some_and(|ext| ext == "rs")
                && let (Some(stem), Ok(source)) = (path.file_stem(), fs::read_to_string(&path))
            {
                files.insert(stem.to_string_lossy().into_owned(), test_functions(&source));
            }
        }
        // A suite of tests/servers.rs invoked in a lesson's file (`serves_many!("lesson7");`)
        // makes each of its tests one of that lesson's.
        let servers = fs::read_to_string(root().join("tests/servers.rs")).unwrap_or_default();
        let mut borrowed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for suite in SUITES {
            let invoking: Vec<String> = course::lessons::LESSONS
                .iter()
                .map(|lesson| lesson.package.to_owned())
                .filter(|module| {
                    fs::read_to_string(root().join(format!("tests/{module}.rs")))
                        .is_ok_and(|source| source.contains(&format!("{suite}!(\"{module}\")")))
                })
                .collect();
            for (at, module) in invoking.iter().enumerate() {
                let owner = if at == 0 { &mut files } else { &mut borrowed };
                owner
                    .entry(module.clone())
                    .or_default()
                    .extend(suite_tests(&servers, suite));
            }
        }
        TestIndex { files, borrowed }
    }

    /// The tests of `file` a page may cite: its own and those it borrows from a suite.
    fn citable(&self, file: &str) -> Option<Vec<String>> {
        let own = self.files.get(file)?;
        let borrowed = self.borrowed.get(file).into_iter().flatten();
        Some(own.iter().chain(borrowed).cloned().collect())
    }
}

/// A citation: where it is, the `FILE::FN` it names, and where it links (the `(…)` right
/// after it), if it is a link.
#[derive(Debug)]
struct Citation {
    line: usize,
    file: String,
    function: String,
    link: Option<String>,
}

/// The citations of a page, and a problem for each `[test:` that is not written
/// `` [test: `FILE::FN`] ``.
fn citations(page: &Page) -> (Vec<Citation>, Vec<Problem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (line, text) in prose_lines(&page.text) {
        for (at, _) in text.match_indices("[test:") {
            let rest = &text[at..];
            let parsed = rest
                .strip_prefix("[test: `")
                .and_then(|rest| rest.split_once("`]"))
                .and_then(|(name, after)| Some((name.split_once("::")?, after)))
                .filter(|((file, function), _)| is_identifier(file) && is_identifier(function));
            match parsed {
                Some(((file, function), after)) => found.push(Citation {
                    line,
                    file: file.to_owned(),
                    function: function.to_owned(),
                    link: after
                        .strip_prefix('(')
                        .and_then(|link| link.split_once(')'))
                        .map(|(link, _)| link.to_owned()),
                }),
                None => {
                    let shown: String = rest.chars().take(60).collect();
                    problems.push(Problem::at(
                        &page.path,
                        line,
                        format!(
                            "malformed citation\n    expected: [test: `FILE::FN`](LINK)\n    got:      {shown}"
                        ),
                    ));
                }
            }
        }
    }
    (found, problems)
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_citations(page: &Page, tests: &TestIndex) -> Vec<Problem> {
    let (found, mut problems) = citations(page);
    for citation in found {
        let file = format!("tests/{}.rs", citation.file);
        let message = match tests.citable(&citation.file) {
            None => format!(
                "cites a test in a file that does not exist\n    expected: {file} to exist\n    got:      no such file"
            ),
            Some(functions) if !functions.contains(&citation.function) => format!(
                "cites a test that does not exist\n    expected: one of the #[test] fns in {file}: {}\n    got:      {}",
                functions.join(", "),
                citation.function
            ),
            Some(_) => continue,
        };
        problems.push(Problem::at(&page.path, citation.line, message));
    }
    problems
}

/// Each citation on `page` is a link to its test's section of the test listings, which
/// `listings` (path → text) has: `[test: `FILE::FN`](…/tests-FILE.md#ANCHOR)`.
fn check_citation_links(page: &Page, listings: &BTreeMap<String, String>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for citation in citations(page).0 {
        let (file, function) = (&citation.file, &citation.function);
        let expected = harness::listings::citation_link(&page.path, file, function);
        let cited = format!("[test: `{file}::{function}`]");
        let message = match &citation.link {
            None => format!(
                "a citation that is not a link\n    expected: {cited}(LINK), LINK being\n    \
                 {expected}\n    got:      {cited}"
            ),
            Some(link) if *link != expected => format!(
                "a citation that links to the wrong place\n    expected:\n    {expected}\n    \
                 got:\n    {link}"
            ),
            Some(_) => {
                let listing = listings::listing_path(listings::language_of(&page.path), file);
                let section = format!("{{#{}}}", harness::listings::anchor(file, function));
                if listings
                    .get(&listing)
                    .is_some_and(|text| text.contains(&section))
                {
                    continue;
                }
                format!(
                    "the cited test has no section on its listing\n    expected: a heading \
                     {section}\n    in:       {listing}\n    got:      none: run `{}`",
                    harness::listings::COMMAND
                )
            }
        };
        problems.push(Problem::at(&page.path, citation.line, message));
    }
    problems
}

/// Each listing `generated` holds is on disk as it is, and no other test listing is.
fn check_listings_fresh(
    generated: &[harness::listings::Listing],
    on_disk: &BTreeMap<String, String>,
) -> Vec<Problem> {
    let command = harness::listings::COMMAND;
    let mut problems = Vec::new();
    for listing in generated {
        let Some(text) = on_disk.get(&listing.path) else {
            problems.push(Problem::at(
                &listing.path,
                0,
                format!(
                    "a test listing is missing\n    expected: the page `{command}` writes\n    \
                     got:      no such file: run `{command}`"
                ),
            ));
            continue;
        };
        let wanted: Vec<&str> = listing.text.split('\n').collect();
        let got: Vec<&str> = text.split('\n').collect();
        let Some(at) = (0..wanted.len().max(got.len())).find(|&at| wanted.get(at) != got.get(at))
        else {
            continue;
        };
        let shown = |lines: &[&str]| clip(lines.get(at).copied().unwrap_or("∅"), 80);
        problems.push(Problem::at(
            &listing.path,
            at + 1,
            format!(
                "out of date: run `{command}`\n    expected: {}\n    got:      {}",
                shown(&wanted),
                shown(&got)
            ),
        ));
    }
    for path in on_disk.keys() {
        if !generated.iter().any(|listing| listing.path == *path) {
            problems.push(Problem::at(
                path,
                0,
                format!(
                    "a test listing of a module no page cites\n    expected: no such file\n    \
                     got:      the file: run `{command}`, which removes it"
                ),
            ));
        }
    }
    problems
}

/// `line`, cut to at most `columns` columns (a CJK character counts two) with `…`.
fn clip(line: &str, columns: usize) -> String {
    if harness::width(line) <= columns {
        return line.to_owned();
    }
    let mut out = String::new();
    for c in line.chars() {
        if harness::width(&out) + harness::width(&c.to_string()) >= columns {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

// ---------------------------------------------------------------------------------------------
// (b) Each lesson has both pages, each citing every test of the lesson
// ---------------------------------------------------------------------------------------------

fn check_lesson_pages(lesson: &str, pages: &[Page], tests: &TestIndex) -> Vec<Problem> {
    let mut problems = Vec::new();
    let lesson_tests = tests.files.get(lesson).cloned().unwrap_or_default();
    for language in ["zh", "en"] {
        let path = format!("lessons/{language}/{lesson}.md");
        let Some(page) = pages.iter().find(|page| page.path == path) else {
            problems.push(Problem::at(
                &path,
                0,
                format!("crates/{lesson} exists, so this page must too\n    expected: {path}\n    got:      no such page"),
            ));
            continue;
        };
        let cited: BTreeSet<String> = citations(page)
            .0
            .into_iter()
            .filter(|citation| citation.file == lesson)
            .map(|citation| citation.function)
            .collect();
        let missing: Vec<&String> = lesson_tests
            .iter()
            .filter(|name| !cited.contains(*name))
            .collect();
        if !missing.is_empty() {
            let mut message = format!(
                "does not cite every test of tests/{lesson}.rs\n    expected (tests/{lesson}.rs) │ got (cited on the page)\n"
            );
            for name in &lesson_tests {
                let mark = if cited.contains(name) {
                    "✓"
                } else {
                    "✗ missing"
                };
                let _ = writeln!(message, "    {lesson}::{name} │ {mark}");
            }
            problems.push(Problem::at(&path, 0, message));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// (c) Rust blocks are exact excerpts of anchored regions
// ---------------------------------------------------------------------------------------------

const SOURCE_MARK: &str = "<!-- source: ";
const NOT_SOURCE_MARK: &str = "<!-- not-source -->";
/// A whole file shown on a listing page (`lessons/LANGUAGE/listings/`), by mdBook's `{{#include PATH}}`,
/// or some of its lines (`<!-- listing: PATH:FIRST:LAST -->`, `{{#include PATH:FIRST:LAST}}`).
const LISTING_MARK: &str = "<!-- listing: ";

/// What a `<!-- listing: PATH -->` line names: the path, with its lines if it names some.
fn listing_target(line: &str) -> Option<&str> {
    line.strip_prefix(LISTING_MARK)?
        .strip_suffix("-->")
        .map(str::trim)
}

/// The path of a listing's target, and the lines `PATH:FIRST:LAST` names (from 1, both in).
fn listed_lines(target: &str) -> (&str, Option<(usize, usize)>) {
    let mut parts = target.rsplitn(3, ':');
    let (last, first, path) = (parts.next(), parts.next(), parts.next());
    match (
        path,
        first.and_then(|n| n.parse().ok()),
        last.and_then(|n| n.parse().ok()),
    ) {
        (Some(path), Some(first), Some(last)) => (path, Some((first, last))),
        _ => (target, None),
    }
}

/// A listing block holds only `{{#include PATH}}` (or `{{#include PATH:FIRST:LAST}}`, as its
/// marker names them), PATH written relative to the page, and the file (and those lines of it)
/// exists: the book shows the file as it is, so it cannot drift either.
fn check_listing(
    page: &Page,
    block: &CodeBlock,
    target: &str,
    read: &impl Fn(&str) -> Option<String>,
) -> Vec<Problem> {
    let depth = Path::new(&page.path)
        .parent()
        .map_or(0, |dir| dir.components().count());
    let (path, lines) = listed_lines(target);
    let range = lines.map_or(String::new(), |(first, last)| format!(":{first}:{last}"));
    let expected = format!("{{{{#include {}{path}{range}}}}}", "../".repeat(depth));
    let mut problems = Vec::new();
    if block.body != expected {
        problems.push(Problem::at(
            &page.path,
            block.line,
            format!(
                "a listing block only includes its file\n    expected: {expected}\n    got:      {}",
                block.body
            ),
        ));
    }
    let Some(source) = read(path) else {
        problems.push(Problem::at(
            &page.path,
            block.line - 1,
            format!("the listed file does not exist\n    expected: {path} (relative to the workspace root)\n    got:      no such file"),
        ));
        return problems;
    };
    let count = source.lines().count();
    if let Some((first, last)) = lines
        && !(1 <= first && first <= last && last <= count)
    {
        problems.push(Problem::at(
            &page.path,
            block.line - 1,
            format!(
                "the listed lines are not in the file\n    expected: lines within 1–{count} of \
                 {path}\n    got:      {first}–{last}"
            ),
        ));
    }
    problems
}

fn check_code_blocks(page: &Page, read: impl Fn(&str) -> Option<String>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let blocks = code_blocks(&page.text);
    let mut problem = |line: usize, message: String| {
        problems.push(Problem::at(&page.path, line, message));
    };
    // A marker must announce a Rust block; one that announces nothing is a mistake too.
    let block_lines: BTreeSet<usize> = blocks
        .iter()
        .filter(|block| matches!(block.language(), "rust" | "rs"))
        .map(|block| block.line)
        .collect();
    let all_block_lines: BTreeSet<usize> = blocks.iter().map(|block| block.line).collect();
    for (line, text) in prose_lines(&page.text) {
        let text = text.trim();
        let announces_nothing = if text.starts_with(LISTING_MARK) {
            !all_block_lines.contains(&(line + 1))
        } else {
            (text.starts_with(SOURCE_MARK) || text == NOT_SOURCE_MARK)
                && !block_lines.contains(&(line + 1))
        };
        if announces_nothing {
            problem(
                line,
                format!(
                    "a marker with no Rust block after it\n    expected: ```rust on line {}\n    got:      {text}",
                    line + 1
                ),
            );
        }
    }
    for block in &blocks {
        if let Some(path) = listing_target(&block.before) {
            problems.extend(check_listing(page, block, path, &read));
        }
    }
    let mut problem = |line: usize, message: String| {
        problems.push(Problem::at(&page.path, line, message));
    };
    for block in blocks.iter().filter(|block| {
        matches!(block.language(), "rust" | "rs") && listing_target(&block.before).is_none()
    }) {
        if block.before == NOT_SOURCE_MARK {
            if block.info != "rust,ignore" {
                problem(
                    block.line,
                    format!(
                        "a not-source block must be ignored by rustdoc\n    expected: ```rust,ignore\n    got:      ```{}",
                        block.info
                    ),
                );
            }
            continue;
        }
        let Some(target) = block
            .before
            .strip_prefix(SOURCE_MARK)
            .and_then(|rest| rest.strip_suffix("-->"))
            .map(str::trim)
        else {
            problem(
                block.line,
                format!(
                    "a Rust block without its source on the line before\n    expected: <!-- source: PATH#ANCHOR --> (or <!-- not-source --> and ```rust,ignore)\n    got:      {}",
                    if block.before.is_empty() {
                        "(blank line)"
                    } else {
                        &block.before
                    }
                ),
            );
            continue;
        };
        let Some((path, anchor)) = target.split_once('#') else {
            problem(
                block.line - 1,
                format!(
                    "a source marker without an anchor\n    expected: PATH#ANCHOR\n    got:      {target}"
                ),
            );
            continue;
        };
        if block.attributes().contains(&"ignore") {
            problem(
                block.line,
                format!(
                    "an excerpt of the source is real code\n    expected: ```rust\n    got:      ```{}",
                    block.info
                ),
            );
        }
        let Some(source) = read(path) else {
            problem(
                block.line - 1,
                format!(
                    "the source file does not exist\n    expected: {path} (relative to the workspace root)\n    got:      no such file"
                ),
            );
            continue;
        };
        match anchored_region(&source, anchor) {
            Err(why) => problem(
                block.line - 1,
                format!("the anchor is not in the source: {path}: {why}"),
            ),
            Ok(region) if region != block.body => problem(
                block.line,
                format!(
                    "the block is not the region `{anchor}` of {path}, line for line:{}",
                    side_by_side(&region, &block.body)
                ),
            ),
            Ok(_) => {}
        }
    }
    problems
}

/// Each file shown whole on a listing page, and that page's path.
fn listing_pages(pages: &[Page], language: Language) -> BTreeMap<String, String> {
    let mut listed = BTreeMap::new();
    let book = format!("{}/", listings::dir(language));
    for page in pages.iter().filter(|page| page.path.starts_with(&book)) {
        for (_, line) in prose_lines(&page.text) {
            if let Some(target) = listing_target(line.trim()) {
                listed.insert(listed_lines(target).0.to_owned(), page.path.clone());
            }
        }
    }
    listed
}

/// The caption an excerpt of `file` has on `page`, as in the Rust Book's listings: the file's
/// name, linked to its heading on the listing page (mdBook's id: the heading's letters and
/// digits, lowercased), after a label in the page's language ([`caption_label`]).
fn caption(page: &str, file: &str, listing: &str) -> String {
    let link = listings::relative_link(page, listing);
    let id: String = file
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let label = caption_label(page);
    format!("<span class=\"filename\">{label}[`{file}`]({link}#{id})</span>")
}

/// A caption's label in the language of `page`: `Filename:` on an English page (`lessons/en/`),
/// `文件名：` on a Chinese one (`lessons/zh/`), and both on any other page, which has both
/// languages.
fn caption_label(page: &str) -> &'static str {
    if page.starts_with("lessons/en/") {
        "Filename: "
    } else if page.starts_with("lessons/zh/") {
        "文件名："
    } else {
        "文件名 Filename: "
    }
}

/// The line before each `<!-- source: FILE#ANCHOR -->` is FILE's caption, linked to the
/// listing page that shows FILE whole.
fn check_captions(page: &Page, listings: &BTreeMap<String, String>) -> Vec<Problem> {
    let lines: Vec<&str> = page.text.lines().collect();
    let mut problems = Vec::new();
    for (number, line) in prose_lines(&page.text) {
        let Some(file) = line
            .trim()
            .strip_prefix(SOURCE_MARK)
            .and_then(|rest| rest.split('#').next())
        else {
            continue;
        };
        let Some(listing) = listings.get(file) else {
            problems.push(Problem::at(
                &page.path,
                number,
                format!(
                    "no listing page shows the excerpt's file\n    expected: <!-- listing: {file} --> on a page in the book's listings/\n    got:      none"
                ),
            ));
            continue;
        };
        let expected = caption(&page.path, file, listing);
        let got = number
            .checked_sub(2)
            .and_then(|index| lines.get(index))
            .copied()
            .unwrap_or("");
        if got.trim() != expected {
            problems.push(Problem::at(
                &page.path,
                number,
                format!(
                    "an excerpt without its caption on the line before\n    expected: {expected}\n    got:      {got}"
                ),
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Twin pages' section ids
// ---------------------------------------------------------------------------------------------

/// The ids of the headings below the title (`##` and deeper) of `text`, with their lines: a
/// heading's own `{#id}`, or the id mdBook gives its text.
fn section_ids(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut heading: Option<(usize, Option<String>, String)> = None;
    for (event, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) if level as usize > 1 => {
                let line = text[..range.start].lines().count() + 1;
                heading = Some((line, id.map(|id| id.to_string()), String::new()));
            }
            Event::Text(piece) | Event::Code(piece) => {
                if let Some((_, _, plain)) = heading.as_mut() {
                    plain.push_str(&piece);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((line, id, plain)) = heading.take() {
                    found.push((line, id.unwrap_or_else(|| listings::heading_id(&plain))));
                }
            }
            _ => {}
        }
    }
    found
}

/// `page` and `twin` have the same section ids, in the same order: the first that differs is
/// reported on both.
fn check_twin_ids(page: &Page, twin: &Page) -> Vec<Problem> {
    let (ours, theirs) = (section_ids(&page.text), section_ids(&twin.text));
    let differing = ours
        .iter()
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(theirs.iter().map(Some).chain(std::iter::repeat(None)))
        .take(ours.len().max(theirs.len()))
        .find(|(a, b)| a.map(|(_, id)| id) != b.map(|(_, id)| id));
    let Some((a, b)) = differing else {
        return Vec::new();
    };
    let shown = |entry: Option<&(usize, String)>| {
        entry.map_or("no more sections".to_owned(), |(_, id)| format!("#{id}"))
    };
    let message = |other: &Page, own, theirs| {
        format!(
            "a section whose id differs from its twin's, so the language picker loses the place\n    \
             expected: {theirs}, as {} has (or give both headings the same {{#id}})\n    got:      {own}",
            other.path
        )
    };
    vec![
        Problem::at(
            &page.path,
            a.map_or(0, |(line, _)| *line),
            message(twin, shown(a), shown(b)),
        ),
        Problem::at(
            &twin.path,
            b.map_or(0, |(line, _)| *line),
            message(page, shown(b), shown(a)),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// (d) Every page is in the summary
// ---------------------------------------------------------------------------------------------

/// `pages` are workspace-relative paths; those under `lessons/` must be linked from the summary.
fn check_summary(summary: &Page, pages: &[String]) -> Vec<Problem> {
    let base = parent_dir(&summary.path);
    let listed: BTreeSet<PathBuf> = links(&summary.text)
        .into_iter()
        .filter_map(|link| local_target(&link.target).map(|file| normalize(&base.join(file))))
        .collect();
    pages
        .iter()
        .filter(|page| page.starts_with(&format!("{}/", base.display())) && **page != summary.path)
        .filter(|page| !listed.contains(&normalize(Path::new(page))))
        .map(|page| {
            Problem::at(
                &summary.path,
                0,
                format!(
                    "a page is missing from the book\n    expected: a line linking {}\n    got:      no link to it",
                    page.trim_start_matches(&format!("{}/", base.display()))
                ),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// (e) Relative links and images resolve
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Link {
    line: usize,
    target: String,
}

/// The link and image targets of a page, as the parser finds them: `[text](target)`,
/// `![alt](target)`, `[label]: target`, and HTML `href="…"` / `src="…"`; not those in code.
fn links(text: &str) -> Vec<Link> {
    let starts = line_starts(text);
    let mut found = Vec::new();
    let parser = Parser::new_ext(text, Options::all());
    for (_, definition) in parser.reference_definitions().iter() {
        found.push(Link {
            line: line_of(&starts, definition.span.start),
            target: definition.dest.to_string(),
        });
    }
    for (event, range) in parser.into_offset_iter() {
        let line = line_of(&starts, range.start);
        match event {
            // A link through a reference definition is counted once, at its definition.
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) if matches!(link_type, LinkType::Inline | LinkType::Autolink) => {
                found.push(Link {
                    line,
                    target: dest_url.to_string(),
                });
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for attribute in ["href=\"", "src=\""] {
                    for (at, _) in html.match_indices(attribute) {
                        let rest = &html[at + attribute.len()..];
                        found.push(Link {
                            line: line_of(&starts, range.start + html[..at].matches('\n').count()),
                            target: rest.split('"').next().unwrap_or_default().to_owned(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|link| link.line);
    found
}

/// The file part of a link to something local, or `None` for a URL or a same-page `#anchor`.
fn local_target(target: &str) -> Option<&str> {
    let has_scheme = target.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    let file = target.split(['#', '?']).next().unwrap_or_default();
    (!has_scheme && !file.is_empty()).then_some(file)
}

fn parent_dir(path: &str) -> PathBuf {
    Path::new(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `a/b/../c` as `a/c`; a `..` that would leave the workspace is kept, and fails to resolve.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

fn check_links(page: &Page, exists: impl Fn(&Path) -> bool) -> Vec<Problem> {
    let base = parent_dir(&page.path);
    let mut problems = Vec::new();
    for link in links(&page.text) {
        if link.target.is_empty() {
            problems.push(Problem::at(&page.path, link.line, "a link with no target"));
            continue;
        }
        let Some(file) = local_target(&link.target) else {
            continue;
        };
        if file.starts_with('/') {
            problems.push(Problem::at(
                &page.path,
                link.line,
                format!("an absolute path works on one site only\n    expected: a path relative to {}\n    got:      {}", page.path, link.target),
            ));
            continue;
        }
        let resolved = normalize(&base.join(file));
        let escapes = resolved.components().next() == Some(Component::ParentDir);
        if escapes || !exists(&resolved) {
            problems.push(Problem::at(
                &page.path,
                link.line,
                format!(
                    "a link that does not resolve\n    expected: a file at {} (the link relative to the page)\n    got:      nothing there for ({})",
                    resolved.display(),
                    link.target
                ),
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// (f) One title per lesson, one header, and the exercises' pages
// ---------------------------------------------------------------------------------------------

/// The pages' two languages, Chinese first.
const LANGUAGES: [&str; 2] = ["zh", "en"];

/// A lesson's one title in `language`, as its page's heading, its summary entry and its row of
/// the contents read it: `第 N 课：{title_zh}`, `Lesson N: {title_en}`.
fn lesson_title(lesson: &Lesson, language: &str) -> String {
    let n = lesson.number;
    if language == "zh" {
        format!("第 {n} 课：{}", lesson.title_zh)
    } else {
        format!("Lesson {n}: {}", lesson.title_en)
    }
}

/// The line under a lesson page's title, one format for every page, made from the registry:
/// the page in the other language, the notes' section (or beyond the notes), the lessons it
/// builds on, its code's and its tests' listings, and the contents.
fn lesson_header(lesson: &Lesson, language: &str) -> String {
    let zh = language == "zh";
    let package = lesson.package;
    let mut parts = vec![if zh {
        format!("[English](../en/{package}.md)")
    } else {
        format!("[中文](../zh/{package}.md)")
    }];
    parts.push(match (lesson.notes_section, zh) {
        (Some(section), true) => format!("讲义第 {section} 节"),
        (Some(section), false) => format!("Notes, section {section}"),
        (None, true) => "讲义之外".to_owned(),
        (None, false) => "Beyond the notes".to_owned(),
    });
    if !lesson.builds_on.is_empty() {
        let links: Vec<String> = lesson
            .builds_on
            .iter()
            .map(|k| {
                if zh {
                    format!("[第 {k} 课](lesson{k}.md)")
                } else {
                    format!("[Lesson {k}](lesson{k}.md)")
                }
            })
            .collect();
        parts.push(if zh {
            format!("先修：{}", links.join("、"))
        } else {
            format!("Builds on: {}", links.join(", "))
        });
    }
    let (code, tests, contents) = if zh {
        ("代码", "测试", "目录")
    } else {
        ("Code", "Tests", "Contents")
    };
    parts.push(format!(
        "{code} [`crates/{package}`](listings/{package}.md)"
    ));
    parts.push(format!(
        "{tests} [`tests/{package}.rs`](listings/tests-{package}.md)"
    ));
    parts.push(format!("[{contents}](README.md)"));
    format!("> {}", parts.join(" · "))
}

/// A lesson page's first four lines: its title, a blank line, the header, a blank line.
fn check_page_opening(page: &Page, lesson: &Lesson, language: &str) -> Vec<Problem> {
    let expected = [
        format!("# {}", lesson_title(lesson, language)),
        String::new(),
        lesson_header(lesson, language),
        String::new(),
    ];
    let got: Vec<&str> = page.text.lines().collect();
    let mut problems = Vec::new();
    for (index, expected) in expected.iter().enumerate() {
        let line = got.get(index).copied().unwrap_or_default();
        if line == expected {
            continue;
        }
        let what = match index {
            0 => "the page's title is not the lesson's title in course::lessons",
            2 => "the line under the title is not the header every lesson page opens with",
            _ => "the title and the header are each followed by a blank line",
        };
        problems.push(Problem::at(
            &page.path,
            index + 1,
            format!("{what}\n    expected: {expected}\n    got:      {line}"),
        ));
    }
    problems
}

/// An inline link of a page: its line, its text as written, and its target.
#[derive(Debug)]
struct Linked {
    line: usize,
    text: String,
    target: String,
}

fn inline_links(text: &str) -> Vec<Linked> {
    let starts = line_starts(text);
    events(text)
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                ..
            }) => {
                let written = text[range.clone()].strip_prefix('[')?;
                let (label, _) = written.rsplit_once("](")?;
                Some(Linked {
                    line: line_of(&starts, range.start),
                    text: label.to_owned(),
                    target: dest_url.to_string(),
                })
            }
            _ => None,
        })
        .collect()
}

/// The summary's entries and the contents' table rows of the book in `language` name each
/// lesson of `lessons` by its title, and no other lesson; the summary lists each lesson's
/// listing page.
fn check_contents(
    summary: &Page,
    contents: &Page,
    lessons: &[Lesson],
    language: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let rows: Vec<Linked> = {
        let lines: Vec<&str> = contents.text.lines().collect();
        inline_links(&contents.text)
            .into_iter()
            .filter(|link| {
                lines
                    .get(link.line - 1)
                    .is_some_and(|line| line.starts_with('|'))
            })
            .collect()
    };
    for (page, links, what) in [
        (summary, inline_links(&summary.text), "entry in the summary"),
        (contents, rows, "row of the contents"),
    ] {
        {
            let prefix = "lesson";
            let mut listed = BTreeSet::new();
            for link in &links {
                let Some(n) = link
                    .target
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(".md"))
                    .and_then(|n| n.parse::<u8>().ok())
                else {
                    continue;
                };
                let Some(lesson) = lessons.iter().find(|lesson| lesson.number == n) else {
                    problems.push(Problem::at(
                        &page.path,
                        link.line,
                        format!(
                            "a lesson that course::lessons does not have\n    got:      [{}]({})",
                            link.text, link.target
                        ),
                    ));
                    continue;
                };
                listed.insert(n);
                let title = lesson_title(lesson, language);
                if link.text != title {
                    problems.push(Problem::at(
                        &page.path,
                        link.line,
                        format!(
                            "a lesson's {what} is not its title in course::lessons\n    \
                             expected: [{title}]({})\n    got:      [{}]({})",
                            link.target, link.text, link.target
                        ),
                    ));
                }
            }
            for lesson in lessons
                .iter()
                .filter(|lesson| !listed.contains(&lesson.number))
            {
                problems.push(Problem::at(
                    &page.path,
                    0,
                    format!(
                        "a lesson of course::lessons is missing\n    expected: [{}]({prefix}{}.md)",
                        lesson_title(lesson, language),
                        lesson.number
                    ),
                ));
            }
        }
    }
    for lesson in lessons {
        let entry = format!("(listings/{}.md)", lesson.package);
        if !summary.text.contains(&entry) {
            problems.push(Problem::at(
                &summary.path,
                0,
                format!("a lesson's listing page is missing\n    expected: a line linking {entry}"),
            ));
        }
    }
    problems
}

/// Each exercise's README, as `course::lessons` orders the exercises.
fn exercise_readmes() -> Vec<Page> {
    course::lessons::exercises()
        .iter()
        .map(|dir| {
            let path = format!("exercises/{dir}/README.md");
            let text = fs::read_to_string(root().join(&path))
                .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
            Page::new(&path, &text)
        })
        .collect()
}

/// The headings of a page, outside code: each one's line and level (1 for `#`).
fn headings(text: &str) -> Vec<(usize, usize)> {
    let starts = line_starts(text);
    events(text)
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Heading { level, .. }) => {
                Some((line_of(&starts, range.start), level as usize))
            }
            _ => None,
        })
        .collect()
}

/// A link target as a place: the file (from the workspace root, resolved against the page at
/// `from`) and the fragment; a bare `#fragment` is a place on that page.
fn place(from: &str, target: &str) -> (PathBuf, Option<String>) {
    let (file, fragment) = match target.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment.to_owned())),
        None => (target, None),
    };
    let file = if file.is_empty() {
        PathBuf::from(from)
    } else {
        normalize(&parent_dir(from).join(file))
    };
    (file, fragment)
}

/// Where the book shows the file at `file` (from the root): a page of the book is itself, at
/// the same fragment; a file shown whole on a listing page is that page, at its heading.
fn place_in_the_book(
    (file, fragment): &(PathBuf, Option<String>),
    listings: &BTreeMap<String, String>,
) -> Option<(PathBuf, Option<String>)> {
    let name = file.to_string_lossy().replace('\\', "/");
    if name.starts_with("lessons/") && name.ends_with(".md") {
        return Some((file.clone(), fragment.clone()));
    }
    let listing = listings.get(&name)?;
    Some((
        PathBuf::from(listing),
        Some(harness::listings::heading_id(&name)),
    ))
}

/// How the page at `from` links to `place`.
fn link_to(from: &str, (file, fragment): &(PathBuf, Option<String>)) -> String {
    let file = file.to_string_lossy().replace('\\', "/");
    let fragment = fragment
        .as_ref()
        .map(|f| format!("#{f}"))
        .unwrap_or_default();
    if file == from {
        fragment
    } else {
        format!(
            "{}{fragment}",
            harness::listings::relative_link(from, &file)
        )
    }
}

/// Exercise `number`'s page shows its README as a page: the README is included outside any
/// code block; its first line is its one `#` heading (`# 练习 N：… / Exercise N: …`), the
/// page's title, each other heading at most one level under the one before, and the page adds
/// no title of its own. Each relative link of the README is a reference link (`[text][label]`)
/// that the README defines, relative to its folder, for a code-hosting site, and that the page
/// defines before the include, relative to itself, for the book (CommonMark uses a label's first
/// definition), at the same file's place in the book ([`place_in_the_book`]); the page defines
/// no label the README does not use.
fn check_exercise_page(
    page: &Page,
    readme: &Page,
    number: usize,
    listings: &BTreeMap<String, String>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let language = listings::language_of(&page.path);
    let code = language.code();
    let include = format!(
        "{{{{#include {}:{code}}}}}",
        harness::listings::relative_link(&page.path, &readme.path)
    );
    let Some(included_at) = prose_lines(&page.text)
        .into_iter()
        .find(|(_, line)| line.trim() == include)
        .map(|(line, _)| line)
    else {
        problems.push(Problem::at(
            &page.path,
            0,
            format!(
                "the exercise's README is not shown as a page\n    expected: a line {include}, \
                 outside any code block\n    got:      none"
            ),
        ));
        return problems;
    };

    let title = readme.text.lines().next().unwrap_or_default();
    if !(title.starts_with(&format!("# 练习 {number}："))
        && title.contains(&format!("/ Exercise {number}: ")))
    {
        problems.push(Problem::at(
            &readme.path,
            1,
            format!(
                "the README's first line is its title, the page's\n    expected: # 练习 {number}：… / \
                 Exercise {number}: …\n    got:      {title}"
            ),
        ));
    }
    let mut previous = 1;
    for (line, level) in headings(&readme.text).into_iter().skip(1) {
        if level == 1 || level > previous + 1 {
            problems.push(Problem::at(
                &readme.path,
                line,
                format!(
                    "a heading that does not nest under the one before (level {previous})\n    \
                     expected: level 2 to {}\n    got:      level {level}",
                    previous + 1
                ),
            ));
        }
        previous = level;
    }
    // The page's one title: the README's, in the page's language, just before the README's
    // half in that language (between `ANCHOR: zh` and `ANCHOR_END: zh`, or `en`).
    let own_title = title
        .trim_start_matches("# ")
        .split_once("/ Exercise ")
        .map(|(zh, en)| {
            language
                .pick(zh.trim_end(), &format!("Exercise {en}"))
                .to_owned()
        })
        .unwrap_or_default();
    let titles: Vec<usize> = headings(&page.text)
        .into_iter()
        .filter(|(_, level)| *level == 1)
        .map(|(line, _)| line)
        .collect();
    let title_line = page
        .text
        .lines()
        .position(|line| line == format!("# {own_title}"));
    if titles.len() != 1 || title_line.map(|at| at + 1) != titles.first().copied() {
        problems.push(Problem::at(
            &page.path,
            titles.get(1).or(titles.first()).copied().unwrap_or(0),
            format!(
                "the page's title is not the README's, in the page's language, once\n    \
                 expected: # {own_title}\n    got:      {} titles",
                titles.len()
            ),
        ));
    }
    for marker in [
        format!("<!-- ANCHOR: {code} -->"),
        format!("<!-- ANCHOR_END: {code} -->"),
    ] {
        if !readme.text.lines().any(|line| line == marker) {
            problems.push(Problem::at(
                &readme.path,
                0,
                format!(
                    "the README's {code} half is not marked for {}\n    expected: a line {marker}\n    \
                     got:      none",
                    page.path
                ),
            ));
        }
    }

    // The README's relative links: each a reference link, defined in the README.
    let starts = line_starts(&readme.text);
    let mut undefined = Vec::new();
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let parser = Parser::new_with_broken_link_callback(
        &readme.text,
        Options::all(),
        Some(|link: pulldown_cmark::BrokenLink<'_>| {
            if matches!(link.link_type, LinkType::Reference | LinkType::Collapsed) {
                undefined.push((link.span.start, link.reference.to_string()));
            }
            None
        }),
    );
    let definitions: BTreeMap<String, String> = parser
        .reference_definitions()
        .iter()
        .map(|(label, definition)| (label.to_lowercase(), definition.dest.to_string()))
        .collect();
    for (event, range) in parser.into_offset_iter() {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            id,
            ..
        }) = event
        else {
            continue;
        };
        if local_target(&dest_url).is_none() && !dest_url.starts_with('#') {
            continue;
        }
        let line = line_of(&starts, range.start);
        match link_type {
            LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                used.entry(id.to_lowercase()).or_insert(line);
            }
            _ => problems.push(Problem::at(
                &readme.path,
                line,
                format!(
                    "a relative link written inline resolves on a code-hosting site or in the book, \
                     not both\n    expected: a reference link, [text][label], with [label]: {dest_url} \
                     at the README's end and its place in the book on {}\n    got:      ({dest_url})",
                    page.path
                ),
            )),
        }
    }
    for (offset, label) in undefined {
        problems.push(Problem::at(
            &readme.path,
            line_of(&starts, offset),
            format!("a reference link whose label is not defined\n    expected: [{label}]: TARGET at the README's end"),
        ));
    }

    // The page's definitions: the same labels, first, at the same places in the book.
    let page_starts = line_starts(&page.text);
    let page_parser = Parser::new_ext(&page.text, Options::all());
    let page_definitions: BTreeMap<String, (usize, String)> = page_parser
        .reference_definitions()
        .iter()
        .map(|(label, definition)| {
            (
                label.to_lowercase(),
                (
                    line_of(&page_starts, definition.span.start),
                    definition.dest.to_string(),
                ),
            )
        })
        .collect();
    for (label, line) in &used {
        let Some(target) = definitions.get(label) else {
            continue;
        };
        let on_github = place(&readme.path, target);
        let Some(expected) = place_in_the_book(&on_github, listings) else {
            problems.push(Problem::at(
                &readme.path,
                *line,
                format!(
                    "a link to a file the book does not show\n    expected: a page of lessons/, or a \
                     file a listing page shows whole\n    got:      [{label}]: {target}"
                ),
            ));
            continue;
        };
        let expected_link = link_to(&page.path, &expected);
        match page_definitions.get(label) {
            None => problems.push(Problem::at(
                &page.path,
                0,
                format!(
                    "the page does not define [{label}], so the README's own definition, relative \
                     to its folder, leaves the book\n    expected: [{label}]: {expected_link} before \
                     line {included_at}"
                ),
            )),
            Some((at, _)) if *at > included_at => problems.push(Problem::at(
                &page.path,
                *at,
                format!(
                    "[{label}] is defined after the README is included, so the README's own \
                     definition comes first and is used\n    expected: before line {included_at}"
                ),
            )),
            Some((at, dest)) if place(&page.path, dest) != expected => {
                problems.push(Problem::at(
                    &page.path,
                    *at,
                    format!(
                        "[{label}] goes elsewhere in the book than the README's link ({target})\n    \
                         expected: [{label}]: {expected_link}\n    got:      [{label}]: {dest}"
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    for (label, (at, _)) in &page_definitions {
        if !used.contains_key(label) {
            problems.push(Problem::at(
                &page.path,
                *at,
                format!("[{label}] is defined, but the README does not use it"),
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// The README's commands exist
// ---------------------------------------------------------------------------------------------

/// What a command may name.
struct Known {
    packages: BTreeSet<String>,
    recipes: BTreeSet<String>,
    test_files: BTreeSet<String>,
}

/// The recipe names of a justfile: lines at column 0 of the form `name args…:`.
fn just_recipes(justfile: &str) -> BTreeSet<String> {
    justfile
        .lines()
        .filter(|line| !line.starts_with([' ', '\t', '#', '@', '[']) && !line.contains(":="))
        .filter_map(|line| {
            let (head, _) = line.split_once(':')?;
            let name = head.split_whitespace().next()?;
            is_recipe_name(name).then(|| name.to_owned())
        })
        .collect()
}

fn is_recipe_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The `cargo …` and `just …` commands a page shows: lines of `sh` blocks and inline code spans.
fn commands(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut is_command = |line: usize, text: &str| {
        let text = text.split(" #").next().unwrap_or_default().trim();
        if text.starts_with("cargo ") || text == "just" || text.starts_with("just ") {
            found.push((line, text.to_owned()));
        }
    };
    for block in code_blocks(text) {
        if matches!(block.language(), "sh" | "shell" | "bash" | "console") {
            for (offset, line) in block.body.lines().enumerate() {
                is_command(block.line + 1 + offset, line.trim_start_matches("$ "));
            }
        }
    }
    let starts = line_starts(text);
    for (event, range) in events(text) {
        if let Event::Code(code) = event {
            is_command(line_of(&starts, range.start), &code);
        }
    }
    found
}

fn check_readme_commands(readme: &Page, known: &Known) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (line, command) in commands(&readme.text) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let after = |flag: &str| {
            words
                .iter()
                .position(|word| *word == flag)
                .and_then(|at| words.get(at + 1))
        };
        let mut missing = |what: &str, name: &str, choices: &BTreeSet<String>| {
            if !choices.contains(name) {
                problems.push(Problem::at(
                    &readme.path,
                    line,
                    format!(
                        "`{command}` names a {what} that does not exist\n    expected: one of {}\n    got:      {name}",
                        choices.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        };
        match words.first() {
            Some(&"cargo") => {
                if let Some(package) = after("-p").or_else(|| after("--package")) {
                    missing("package", package, &known.packages);
                }
                if let Some(test) = after("--test") {
                    missing("test file", test, &known.test_files);
                }
            }
            Some(&"just") => {
                if let Some(recipe) = words.get(1).filter(|word| !word.starts_with('-')) {
                    missing("just recipe", recipe, &known.recipes);
                }
            }
            _ => {}
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Each check fails on a broken page: the checks themselves, tested
// ---------------------------------------------------------------------------------------------

mod checks_fail_on_bad_input {
    use super::*;

    fn index() -> TestIndex {
        let source = "/// doc\n#[test]\nfn works() {}\n\n#[test]\n#[ignore = \"slow\"]\nfn slow_one() {}\n\n\
                      #[test]\n#[cfg_attr(\n    not(unix),\n    ignore = \"split\"\n)]\nfn split_attribute() {}\n\n\
                      fn helper() {}\n";
        TestIndex {
            files: BTreeMap::from([("lesson9".to_owned(), test_functions(source))]),
            borrowed: BTreeMap::new(),
        }
    }

    fn lines_named(problems: &[Problem]) -> Vec<usize> {
        problems.iter().map(|problem| problem.line).collect()
    }

    /// Twins whose sections have different ids, or one section more, are reported on both
    /// pages at the first that differs; explicit ids that agree pass.
    #[test]
    fn twins_with_different_section_ids_fail() {
        let zh = "# 第 9 课\n\n## 运行 {#running-it}\n\n### 平台 {#platform-notes}\n";
        let en = "# Lesson 9\n\n## Running it\n\n### Platform notes\n";
        let check = |zh: &str, en: &str| {
            check_twin_ids(
                &Page::new("lessons/zh/lesson9.md", zh),
                &Page::new("lessons/en/lesson9.md", en),
            )
        };
        assert!(check(zh, en).is_empty(), "{:#?}", check(zh, en));
        let problems = check(&zh.replace(" {#platform-notes}", ""), en);
        let places: Vec<(&str, usize)> = problems
            .iter()
            .map(|problem| (problem.path.as_str(), problem.line))
            .collect();
        assert_eq!(
            places,
            [("lessons/zh/lesson9.md", 5), ("lessons/en/lesson9.md", 5)],
            "{problems:#?}"
        );
        assert!(
            problems[0].message.contains("expected: #platform-notes"),
            "{problems:#?}"
        );
        assert!(
            problems[0].message.contains("got:      #平台"),
            "{problems:#?}"
        );
        let problems = check(zh, &format!("{en}\n## More\n"));
        assert!(
            problems[0].message.contains("expected: #more") && problems[0].line == 0,
            "{problems:#?}"
        );
    }

    /// A MiB figure for ten thousand clients that is not the table's, for the lesson the
    /// sentence names, is reported; the table's figure, rounded or not, passes; a page that
    /// states none is reported too.
    #[test]
    fn memory_figures_that_are_not_the_tables_fail() {
        let table = designs_rss_at_ten_thousand(&format!(
            "{DESIGNS_HEADER}\n|---|\n| lesson4 | 10000 | 1 | 1 | 1 | 10001 | 107.9 |\n\
             | lesson8 | 10000 | 1 | 1 | 1 | 1 | 24.4 |\n| lesson8 | 1000 | 1 | 1 | 1 | 1 | 5.6 |\n"
        ));
        assert_eq!(table, BTreeMap::from([(4, 107.9), (8, 24.4)]));
        let check =
            |text: &str| check_memory_figures(&Page::new("lessons/zh/lesson8.md", text), 8, &table);
        assert!(check("一万个客户端时 24 MiB，第 4 课要\n107.9 MiB。").is_empty());
        assert!(
            check("At ten thousand, 24 MiB, where lesson 4 needs 108 MiB. Then 99 MiB.").is_empty()
        );
        let wrong = check("一万个客户端时 25 MiB。\n\n第 4 课要一万个线程、99 MiB。");
        assert_eq!(lines_named(&wrong), [1, 3], "{wrong:?}");
        assert_eq!(lines_named(&check("No figures at all.")), [0]);
    }

    /// The test index finds `#[test]` fns past doc comments and attributes, and no helpers.
    #[test]
    fn test_functions_are_found_past_attributes() {
        assert_eq!(
            index().files["lesson9"],
            ["works", "slow_one", "split_attribute"]
        );
    }

    /// A citation of a missing test, of a missing file, or in a malformed form is reported.
    #[test]
    fn citations_of_missing_tests_fail() {
        let page = Page::new(
            "lessons/en/lesson9.md",
            "It works [test: `lesson9::works`].\n\
             Not this [test: `lesson9::nope`].\n\
             Nor this [test: `lesson8::works`].\n\
             ```text\n[test: `lesson9::inside_code_is_not_a_citation`]\n```\n\
             Malformed [test: lesson9::works].\n",
        );
        let problems = check_citations(&page, &index());
        assert_eq!(lines_named(&problems), [7, 2, 3], "{problems:#?}");
        assert!(problems[1].message.contains("expected: one of"));
        let good = Page::new(
            "p.md",
            "[test: `lesson9::works`] [test: `lesson9::slow_one`]",
        );
        assert!(check_citations(&good, &index()).is_empty());
    }

    /// A citation that is not a link, that links to another page or another test's section,
    /// or to a section its listing does not have, is reported; one linked to its test's own
    /// section passes, from any page's directory.
    #[test]
    fn citations_that_are_not_links_to_their_section_fail() {
        let listing = "lessons/en/listings/tests-lesson9.md";
        let listings = BTreeMap::from([(
            listing.to_owned(),
            "### `lesson9::works` {#lesson9works}\n".to_owned(),
        )]);
        let page = Page::new(
            "lessons/en/lesson9.md",
            "Linked [test: `lesson9::works`](listings/tests-lesson9.md#lesson9works).\n\
             Not linked [test: `lesson9::works`].\n\
             Another section [test: `lesson9::works`](listings/tests-lesson9.md#lesson9slow_one).\n\
             Another page [test: `lesson9::works`](listings/lesson9.md#lesson9works).\n\
             No section [test: `lesson9::slow_one`](listings/tests-lesson9.md#lesson9slow_one).\n",
        );
        let problems = check_citation_links(&page, &listings);
        assert_eq!(lines_named(&problems), [2, 3, 4, 5], "{problems:#?}");
        for (problem, expected) in problems.iter().zip([
            "a citation that is not a link",
            "got:\n    listings/tests-lesson9.md#lesson9slow_one",
            "got:\n    listings/lesson9.md#lesson9works",
            "has no section on its listing",
        ]) {
            assert!(
                problem.message.contains(expected),
                "{expected:?} in {problem:#?}"
            );
        }
        assert!(
            problems[0]
                .message
                .contains("\n    listings/tests-lesson9.md#lesson9works\n"),
            "{problems:#?}"
        );
        let contents = Page::new(
            "lessons/en/README.md",
            "[test: `lesson9::works`](listings/tests-lesson9.md#lesson9works)",
        );
        assert!(check_citation_links(&contents, &listings).is_empty());
    }

    /// A listing that is not what the generator writes now, one it would write that is not
    /// there, and one it no longer writes are each reported, with the command that fixes them.
    #[test]
    fn listings_not_as_generated_fail() {
        let listing = |path: &str, text: &str| harness::listings::Listing {
            path: path.to_owned(),
            text: text.to_owned(),
        };
        let generated = [
            listing("lessons/listings/tests-lesson1.md", "# One\n\nsame\n"),
            listing(
                "lessons/listings/tests-lesson2.md",
                "# Two\n\n{{#include x.rs:1:9}}\n",
            ),
            listing("lessons/listings/tests-lesson3.md", "# Three\n"),
        ];
        let on_disk = BTreeMap::from([
            (generated[0].path.clone(), generated[0].text.clone()),
            (
                generated[1].path.clone(),
                "# Two\n\n{{#include x.rs:1:8}}\n".to_owned(),
            ),
            (
                "lessons/listings/tests-lesson4.md".to_owned(),
                "# Four\n".to_owned(),
            ),
        ]);
        let fresh = BTreeMap::from([(generated[0].path.clone(), generated[0].text.clone())]);
        assert!(check_listings_fresh(&generated[..1], &fresh).is_empty());
        let problems = check_listings_fresh(&generated, &on_disk);
        let named: Vec<(&str, usize)> = problems
            .iter()
            .map(|problem| (problem.path.as_str(), problem.line))
            .collect();
        assert_eq!(
            named,
            [
                ("lessons/listings/tests-lesson2.md", 3),
                ("lessons/listings/tests-lesson3.md", 0),
                ("lessons/listings/tests-lesson4.md", 0)
            ],
            "{problems:#?}"
        );
        assert!(
            problems[0]
                .message
                .contains("got:      {{#include x.rs:1:8}}")
        );
        for problem in &problems {
            assert!(
                problem.message.contains("run `cargo xtask listings`"),
                "{problem}"
            );
            harness::assert_lines_fit("a problem", &problem.to_string());
        }
    }

    /// A missing page, or a page that leaves a lesson's test uncited, is reported.
    #[test]
    fn a_page_missing_or_not_citing_every_test_fails() {
        let zh = Page::new(
            "lessons/zh/lesson9.md",
            "[test: `lesson9::works`] [test: `lesson9::slow_one`] [test: `lesson9::split_attribute`]",
        );
        let en = Page::new("lessons/en/lesson9.md", "Only [test: `lesson9::works`].");
        let problems = check_lesson_pages("lesson9", &[zh.clone(), en.clone()], &index());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].path, "lessons/en/lesson9.md");
        assert!(problems[0].message.contains("✗ missing"));
        let problems = check_lesson_pages("lesson9", std::slice::from_ref(&zh), &index());
        assert_eq!(problems[0].path, "lessons/en/lesson9.md");
        assert!(problems[0].message.contains("no such page"));
        let en = Page::new("lessons/en/lesson9.md", &zh.text);
        assert!(check_lesson_pages("lesson9", &[zh, en], &index()).is_empty());
    }

    const SOURCE: &str = "fn main() {\n    // ANCHOR: body\n    let a = 1;\n    // ANCHOR: inner\n    let b = 2;\n    // ANCHOR_END: inner\n    // ANCHOR_END: body\n}\n";

    fn read(path: &str) -> Option<String> {
        (path == "src/x.rs").then(|| SOURCE.to_owned())
    }

    /// The region excludes nested anchor lines, is dedented, and a missing anchor is an error.
    #[test]
    fn anchored_regions_exclude_anchor_lines() {
        assert_eq!(
            anchored_region(SOURCE, "body"),
            Ok("let a = 1;\nlet b = 2;".to_owned())
        );
        assert_eq!(
            anchored_region(SOURCE, "inner"),
            Ok("let b = 2;".to_owned())
        );
        let nested = "fn f() {\n    // ANCHOR: loop\n    loop {\n\n        step();\n    }\n    // ANCHOR_END: loop\n}\n";
        assert_eq!(
            anchored_region(nested, "loop"),
            Ok("loop {\n\n    step();\n}".to_owned())
        );
        assert!(anchored_region(SOURCE, "absent").is_err());
    }

    /// An excerpt without its caption, or with a caption naming or linking elsewhere, or
    /// labelled in the other language, is reported; so is an excerpt of a file no listing page
    /// shows.
    #[test]
    fn excerpts_without_their_caption_fail() {
        let listings =
            BTreeMap::from([("src/x.rs".to_owned(), "lessons/listings/x.md".to_owned())]);
        let block = "<!-- source: src/x.rs#inner -->\n```rust\nlet b = 2;\n```\n";
        let good = format!(
            "<span class=\"filename\">文件名：[`src/x.rs`](../listings/x.md#srcxrs)</span>\n{block}"
        );
        let page = |text: &str| Page::new("lessons/zh/lesson9.md", text);
        assert!(check_captions(&page(&good), &listings).is_empty());
        // An English page's caption is English, and the Chinese one is wrong there.
        let english = good.replace("文件名：", "Filename: ");
        let en_page = |text: &str| Page::new("lessons/en/lesson9.md", text);
        assert!(check_captions(&en_page(&english), &listings).is_empty());
        let problems = check_captions(&en_page(&good), &listings);
        let wanted = "expected: <span class=\"filename\">Filename: ";
        assert!(
            problems.iter().any(|p| p.message.contains(wanted)),
            "expected the English caption on an English page, got {problems:#?}"
        );
        let cases = [
            (block.to_owned(), "an excerpt without its caption"),
            (
                good.replace("x.md#", "y.md#"),
                "an excerpt without its caption",
            ),
            (
                good.replace("[`src/x.rs`]", "[`src/y.rs`]"),
                "expected: <span",
            ),
            (
                good.replace("src/x.rs#inner", "src/z.rs#inner"),
                "no listing page shows",
            ),
            (english, "expected: <span class=\"filename\">文件名："),
        ];
        for (text, expected) in cases {
            let problems = check_captions(&page(&text), &listings);
            assert!(
                problems.iter().any(|p| p.message.contains(expected)),
                "expected a problem containing {expected:?} for {text:?}, got {problems:#?}"
            );
        }
    }

    /// A listing block that includes another file, or a file that is not there, or other lines
    /// than its marker names, or lines the file does not have, is reported.
    #[test]
    fn listing_blocks_include_only_their_existing_file() {
        let page = |text: &str| Page::new("lessons/listings/x.md", text);
        let good = "<!-- listing: src/x.rs -->\n```rust\n{{#include ../../src/x.rs}}\n```\n";
        assert!(check_code_blocks(&page(good), read).is_empty());
        let lines = "<!-- listing: src/x.rs:2:8 -->\n```rust,listing\n{{#include ../../src/x.rs:2:8}}\n```\n";
        assert!(check_code_blocks(&page(lines), read).is_empty());
        let cases = [
            // Written relative to the root, not to the page.
            (
                "<!-- listing: src/x.rs -->\n```rust\n{{#include src/x.rs}}\n```\n",
                "expected: {{#include ../../src/x.rs}}",
            ),
            // A copy of the file instead of the include.
            (
                "<!-- listing: src/x.rs -->\n```rust\nfn main() {}\n```\n",
                "got:      fn main() {}",
            ),
            // A file that does not exist.
            (
                "<!-- listing: src/y.rs -->\n```rust\n{{#include ../../src/y.rs}}\n```\n",
                "the listed file does not exist",
            ),
            // A marker with no block after it.
            (
                "<!-- listing: src/x.rs -->\n\ntext\n",
                "no Rust block after it",
            ),
            // Lines the marker names, included as other lines or as the whole file.
            (
                "<!-- listing: src/x.rs:2:4 -->\n```rust\n{{#include ../../src/x.rs:2:5}}\n```\n",
                "expected: {{#include ../../src/x.rs:2:4}}",
            ),
            (
                "<!-- listing: src/x.rs:2:4 -->\n```rust\n{{#include ../../src/x.rs}}\n```\n",
                "expected: {{#include ../../src/x.rs:2:4}}",
            ),
            // Lines past the file's end (it has 8), or backwards.
            (
                "<!-- listing: src/x.rs:7:9 -->\n```rust\n{{#include ../../src/x.rs:7:9}}\n```\n",
                "got:      7–9",
            ),
            (
                "<!-- listing: src/x.rs:4:2 -->\n```rust\n{{#include ../../src/x.rs:4:2}}\n```\n",
                "got:      4–2",
            ),
        ];
        for (text, expected) in cases {
            let problems = check_code_blocks(&page(text), read);
            assert!(
                problems.iter().any(|p| p.message.contains(expected)),
                "expected a problem containing {expected:?} for {text:?}, got {problems:#?}"
            );
        }
    }

    /// A retyped, unannounced, wrongly marked or dangling Rust block is reported.
    #[test]
    fn rust_blocks_not_quoted_exactly_fail() {
        let good = "<!-- source: src/x.rs#inner -->\n```rust\nlet b = 2;\n```\n\n<!-- not-source -->\n```rust,ignore\nlet sketch = ();\n```\n";
        assert!(check_code_blocks(&Page::new("p.md", good), read).is_empty());
        let cases = [
            // Retyped: one character differs.
            (
                "<!-- source: src/x.rs#inner -->\n```rust\nlet b = 3;\n```\n",
                2,
                "   1 let b = 2; │ let b = 3;",
            ),
            // Quoted with the source's indentation, which mdBook's include would remove.
            (
                "<!-- source: src/x.rs#inner -->\n```rust\n    let b = 2;\n```\n",
                2,
                "   1 let b = 2; │     let b = 2;",
            ),
            // Not announced.
            ("Text\n```rust\nlet b = 2;\n```\n", 2, "got:      Text"),
            // Announced with a blank line between.
            (
                "<!-- source: src/x.rs#inner -->\n\n```rust\n    let b = 2;\n```\n",
                1,
                "no Rust block after it",
            ),
            // Not-source but not ignored.
            (
                "<!-- not-source -->\n```rust\nlet b = 2;\n```\n",
                2,
                "expected: ```rust,ignore",
            ),
            // Unknown anchor, unknown file, no anchor.
            (
                "<!-- source: src/x.rs#nope -->\n```rust\n```\n",
                1,
                "no line `// ANCHOR: nope`",
            ),
            (
                "<!-- source: src/y.rs#inner -->\n```rust\n```\n",
                1,
                "src/y.rs",
            ),
            (
                "<!-- source: src/x.rs -->\n```rust\n```\n",
                1,
                "without an anchor",
            ),
            // A `rs` block cannot slip past as another language.
            ("```rs\nfn main() {}\n```\n", 1, "without its source"),
            // Extra line at the end.
            (
                "<!-- source: src/x.rs#inner -->\n```rust\nlet b = 2;\n\n```\n",
                2,
                "!   2 ∅",
            ),
        ];
        for (text, line, needle) in cases {
            let problems = check_code_blocks(&Page::new("p.md", text), read);
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == line && p.message.contains(needle)),
                "for page\n{text}\nexpected a problem on line {line} containing {needle:?}, got {problems:#?}"
            );
        }
    }

    /// A page of a book that its summary does not link is reported; the other book's pages are
    /// its own summary's.
    #[test]
    fn a_page_missing_from_the_summary_fails() {
        let summary = Page::new(
            "lessons/zh/SUMMARY.md",
            "# Summary\n\n[目录](README.md)\n\n- [One](lesson1.md)\n- [Draft]()\n",
        );
        let pages = [
            "lessons/zh/SUMMARY.md".to_owned(),
            "lessons/zh/README.md".to_owned(),
            "lessons/zh/lesson1.md".to_owned(),
            "lessons/en/lesson1.md".to_owned(),
            "lessons/zh/lesson2.md".to_owned(),
        ];
        let problems = check_summary(&summary, &pages);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].message.contains("linking lesson2.md"),
            "{problems:#?}"
        );
        assert!(check_summary(&summary, &pages[..4]).is_empty());
    }

    /// Links and images to missing files, outside the tree or with absolute paths are reported;
    /// URLs, anchors and code are not links to check.
    #[test]
    fn links_that_do_not_resolve_fail() {
        let exists = |path: &Path| {
            [
                "lessons/zh/lesson1.md",
                "crates/lesson1/src/main.rs",
                "lessons/img/a.svg",
            ]
            .iter()
            .any(|known| Path::new(known) == path)
        };
        let page = Page::new(
            "lessons/en/lesson1.md",
            "[zh](../zh/lesson1.md#top) [code](../../crates/lesson1/src/main.rs) ![a](../img/a.svg \"A\")\n\
             [web](https://example.com) [here](#section) `[not](a link)`\n\
             [gone](../zh/lesson2.md)\n\
             ![img](img/b.svg)\n\
             [far](../../../outside.md)\n\
             [abs](/README.md)\n\
             \n\
             [ref]: ../zh/lesson3.md\n\
             <img src=\"../img/c.svg\">\n\
             ```text\n[in code](nowhere.md)\n```\n\
             [empty]()\n",
        );
        let problems = check_links(&page, exists);
        assert_eq!(
            lines_named(&problems),
            [3, 4, 5, 6, 8, 9, 13],
            "{problems:#?}"
        );
        assert!(problems[0].message.contains("lessons/zh/lesson2.md"));
    }

    /// A README command naming a package, test file or recipe that does not exist is reported.
    #[test]
    fn readme_commands_that_do_not_exist_fail() {
        let known = Known {
            packages: BTreeSet::from(["tour".to_owned(), "lesson1".to_owned()]),
            recipes: just_recipes(
                "# comment\ndefault:\n    @just --list\n\ntest:\n    cargo test\n\nlesson N *ARGS:\n    cargo run\nx := \"1\"\n",
            ),
            test_files: BTreeSet::from(["pages".to_owned()]),
        };
        assert_eq!(
            known.recipes,
            BTreeSet::from(["default".to_owned(), "test".to_owned(), "lesson".to_owned()])
        );
        let readme = Page::new(
            "README.md",
            "Run `cargo run -p tour` then `cargo run -p lesson7`.\n\
             ```sh\n\
             cargo test --workspace\n\
             just test        # all\n\
             just book\n\
             just lesson 1\n\
             cargo test --test nope\n\
             just\n\
             ```\n",
        );
        let problems = check_readme_commands(&readme, &known);
        assert_eq!(lines_named(&problems), [5, 7, 1], "{problems:#?}");
        assert!(problems[0].message.contains("got:      book"));
        assert!(problems[2].message.contains("got:      lesson7"));
    }

    /// A lesson beyond the notes that builds on two earlier ones, as a registry row.
    const LESSON9: Lesson = Lesson {
        number: 9,
        package: "lesson9",
        title_zh: "测试",
        title_en: "a test",
        builds_on: &[4, 7],
        notes_section: None,
        port: None,
        reuses_address: false,
        serves_many: false,
        one_thread: false,
        exercises: &["11_demo"],
    };

    fn named(problems: &[Problem]) -> Vec<(&str, usize)> {
        problems
            .iter()
            .map(|problem| (problem.path.as_str(), problem.line))
            .collect()
    }

    /// A summary entry or a contents row whose title is not the registry's, a lesson missing
    /// from either, a lesson the registry does not have and a missing listing are reported;
    /// entries and rows that read the registry's titles pass.
    #[test]
    fn contents_not_reading_the_registrys_titles_fail() {
        let summary = "# Summary\n\n- [Lesson 9: a test](lesson9.md)\n  \
                       - [Program](listings/lesson9.md)\n";
        let contents = "| lesson | notes | program |\n|---|---|---|\n\
                        | [Lesson 9: a test](lesson9.md) | beyond | [code](listings/lesson9.md) |\n\n\
                        Prose may say [lesson 9](lesson9.md) as it likes.\n";
        let check = |summary: &str, contents: &str| {
            check_contents(
                &Page::new("lessons/en/SUMMARY.md", summary),
                &Page::new("lessons/en/README.md", contents),
                &[LESSON9],
                "en",
            )
        };
        let problems = check(summary, contents);
        assert!(problems.is_empty(), "{problems:#?}");
        let problems = check(&summary.replace("9: a test]", "9: an exam]"), contents);
        assert_eq!(
            named(&problems),
            [("lessons/en/SUMMARY.md", 3)],
            "{problems:#?}"
        );
        assert!(
            problems[0].message.contains(
                "expected: [Lesson 9: a test](lesson9.md)\n    got:      [Lesson 9: an exam]"
            ),
            "{problems:#?}"
        );
        let problems = check(summary, &contents.replace("Lesson 9: a test]", "A test]"));
        assert_eq!(
            named(&problems),
            [("lessons/en/README.md", 3)],
            "{problems:#?}"
        );
        let problems = check(
            &summary.replace("- [Lesson 9: a test](lesson9.md)\n", ""),
            contents,
        );
        assert_eq!(
            named(&problems),
            [("lessons/en/SUMMARY.md", 0)],
            "{problems:#?}"
        );
        assert!(
            problems[0]
                .message
                .contains("is missing\n    expected: [Lesson 9: a test](lesson9.md)")
        );
        let problems = check(
            &format!("{summary}- [Lesson 10: extra](lesson10.md)\n"),
            contents,
        );
        assert_eq!(
            named(&problems),
            [("lessons/en/SUMMARY.md", 5)],
            "{problems:#?}"
        );
        let problems = check(
            &summary.replace("(listings/lesson9.md)", "(listings/other.md)"),
            contents,
        );
        assert_eq!(
            named(&problems),
            [("lessons/en/SUMMARY.md", 0)],
            "{problems:#?}"
        );
    }

    /// The one header, made from the registry: the notes' section or beyond the notes, and the
    /// lessons built on only where there are some. A page whose title is not the registry's, or
    /// whose header is in another format or on two lines, is reported with the line expected.
    #[test]
    fn a_page_not_opening_with_its_title_and_header_fails() {
        let header = lesson_header(&LESSON9, "zh");
        assert_eq!(
            header,
            "> [English](../en/lesson9.md) · 讲义之外 · 先修：[第 4 课](lesson4.md)、[第 7 课](lesson7.md) \
             · 代码 [`crates/lesson9`](listings/lesson9.md) · 测试 [`tests/lesson9.rs`](listings/tests-lesson9.md) \
             · [目录](README.md)"
        );
        let first = Lesson {
            number: 1,
            package: "lesson1",
            notes_section: Some(1),
            builds_on: &[],
            ..LESSON9
        };
        assert_eq!(
            lesson_header(&first, "en"),
            "> [中文](../zh/lesson1.md) · Notes, section 1 · Code [`crates/lesson1`](listings/lesson1.md) \
             · Tests [`tests/lesson1.rs`](listings/tests-lesson1.md) · [Contents](README.md)"
        );
        let good = format!("# 第 9 课：测试\n\n{header}\n\n## 讲义这一节说了什么\n");
        let check = |text: &str| {
            check_page_opening(&Page::new("lessons/zh/lesson9.md", text), &LESSON9, "zh")
        };
        assert!(check(&good).is_empty(), "{:#?}", check(&good));
        let cases = [
            (
                good.replace("# 第 9 课：测试", "# 第 9 课：测试——另一个标题"),
                vec![1],
                "expected: # 第 9 课：测试\n",
            ),
            (
                good.replace(
                    &header,
                    "> English: [Lesson 9](../en/lesson9.md) · 前面的课：[第 7 课](lesson7.md)",
                ),
                vec![3],
                "not the header every lesson page opens with",
            ),
            (
                good.replace(" · 代码", " ·\n> 代码"),
                vec![3, 4],
                "expected: > [English]",
            ),
            (
                good.replace("\n\n>", "\n>"),
                vec![2, 3, 4],
                "followed by a blank line",
            ),
        ];
        for (text, lines, expected) in cases {
            let problems = check(&text);
            assert_eq!(lines_named(&problems), lines, "{problems:#?}");
            assert!(
                problems
                    .iter()
                    .any(|problem| problem.message.contains(expected)),
                "{expected:?} in {problems:#?}"
            );
        }
    }

    /// An exercise page that shows its README as code, a README without its title or with a
    /// heading that does not nest, a page with a title of its own, a relative link written
    /// inline, a label the README does not define, a label the page does not define, defines
    /// after the include or points elsewhere, a label the README does not use, and a link to a
    /// file the book does not show are each reported; a README and page written as the course
    /// writes them pass.
    #[test]
    fn an_exercise_readme_not_shown_as_a_page_fails() {
        let readme = "# 练习 9：演示 / Exercise 9: a demo\n\n<!-- ANCHOR: zh -->\n\
                      第 9 课（[`crates/lesson9`][lesson-code]，[中文页面][lesson-zh]）\n\n\
                      ## 任务\n\n写 [`src/main.rs`][starter]，见 [Rust](https://doc.rust-lang.org/book/)。\n\n\
                      ### 提示\n<!-- ANCHOR_END: zh -->\n\n<!-- ANCHOR: en -->\n## The task\n\
                      <!-- ANCHOR_END: en -->\n\n\
                      [lesson-code]: ../../crates/lesson9/src/main.rs\n\
                      [lesson-zh]: ../../lessons/zh/lesson9.md\n\
                      [starter]: src/main.rs\n";
        let page = "<!-- the README as a page -->\n\n\
                    [lesson-code]: lesson9.md#crateslesson9srcmainrs\n\
                    [lesson-zh]: ../lesson9.md\n\
                    [starter]: #exercises09_demosrcmainrs\n\n\
                    # 练习 9：演示\n\n\
                    {{#include ../../../exercises/09_demo/README.md:zh}}\n\n\
                    ## `exercises/09_demo/src/main.rs`\n\n\
                    <!-- listing: exercises/09_demo/src/main.rs -->\n```rust,listing\n\
                    {{#include ../../../exercises/09_demo/src/main.rs}}\n```\n";
        let listings = BTreeMap::from([
            (
                "crates/lesson9/src/main.rs".to_owned(),
                "lessons/zh/listings/lesson9.md".to_owned(),
            ),
            (
                "exercises/09_demo/src/main.rs".to_owned(),
                "lessons/zh/listings/exercise9.md".to_owned(),
            ),
        ]);
        let check = |page: &str, readme: &str| {
            check_exercise_page(
                &Page::new("lessons/zh/listings/exercise9.md", page),
                &Page::new("exercises/09_demo/README.md", readme),
                9,
                &listings,
            )
        };
        let problems = check(page, readme);
        assert!(problems.is_empty(), "{problems:#?}");
        let starter = "[starter]: #exercises09_demosrcmainrs\n";
        let include = "{{#include ../../../exercises/09_demo/README.md:zh}}";
        let cases = [
            // As code, the way the pages showed it before.
            (
                page.replace(include, &format!("````markdown\n{include}\n````")),
                readme.to_owned(),
                "not shown as a page",
            ),
            (
                page.to_owned(),
                readme.replace("# 练习 9：", "# 练习 8："),
                "expected: # 练习 9：…",
            ),
            (
                page.to_owned(),
                readme.replace("## 任务", "# 任务"),
                "does not nest",
            ),
            (
                page.to_owned(),
                readme.replace("### 提示", "#### 提示"),
                "does not nest",
            ),
            (
                format!("# 练习 9\n\n{page}"),
                readme.to_owned(),
                "not the README's, in the page's language, once",
            ),
            // The README's whole title, or the English one on a Chinese page.
            (
                page.replace("# 练习 9：演示\n", "# 练习 9：演示 / Exercise 9: a demo\n"),
                readme.to_owned(),
                "expected: # 练习 9：演示\n",
            ),
            (
                page.replace("# 练习 9：演示\n", "# Exercise 9: a demo\n"),
                readme.to_owned(),
                "expected: # 练习 9：演示\n",
            ),
            // The whole README again, or the English half.
            (
                page.replace(":zh}}", "}}"),
                readme.to_owned(),
                "not shown as a page",
            ),
            (
                page.replace("README.md:zh", "README.md:en"),
                readme.to_owned(),
                "not shown as a page",
            ),
            (
                page.to_owned(),
                readme.replace("<!-- ANCHOR_END: zh -->\n", ""),
                "expected: a line <!-- ANCHOR_END: zh -->",
            ),
            (
                page.to_owned(),
                readme.replace("[`src/main.rs`][starter]", "[`src/main.rs`](src/main.rs)"),
                "got:      (src/main.rs)",
            ),
            (
                page.to_owned(),
                readme.replace("[starter]: src/main.rs\n", ""),
                "label is not defined",
            ),
            (
                page.replace(starter, ""),
                readme.to_owned(),
                "does not define [starter]",
            ),
            (
                format!("{}\n{starter}", page.replace(starter, "")),
                readme.to_owned(),
                "defined after the README is included",
            ),
            (
                page.replace("../lesson9.md", "../../en/lesson9.md"),
                readme.to_owned(),
                "expected: [lesson-zh]: ../lesson9.md",
            ),
            (
                page.replace(
                    "lesson9.md#crateslesson9srcmainrs",
                    "../../crates/lesson9/src/main.rs",
                ),
                readme.to_owned(),
                "expected: [lesson-code]: lesson9.md#crateslesson9srcmainrs",
            ),
            (
                format!("[extra]: ../../en/lesson9.md\n{page}"),
                readme.to_owned(),
                "[extra] is defined, but the README does not use it",
            ),
            (
                page.to_owned(),
                readme.replace("src/main.rs\n", "Cargo.toml\n"),
                "a file the book does not show",
            ),
        ];
        for (page, readme, expected) in cases {
            let problems = check(&page, &readme);
            assert!(
                problems
                    .iter()
                    .any(|problem| problem.message.contains(expected)),
                "expected a problem containing {expected:?}, got {problems:#?}"
            );
        }
    }

    /// Failures show expected and got side by side, and CJK text keeps the columns aligned.
    #[test]
    fn side_by_side_marks_the_differing_rows() {
        let shown = side_by_side("你好\nsame", "hello\nsame\nextra");
        let rows: Vec<&str> = shown.lines().skip(2).collect();
        assert_eq!(
            rows,
            [
                "!   1 你好     │ hello",
                "    2 same     │ same",
                "!   3 ∅        │ extra"
            ]
        );
    }
}
