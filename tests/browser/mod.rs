//! The course's two books (one per language, `zh/` and `en/`, built by `scripts/book`) as a
//! reader gets them: built with mdBook, served over HTTP on 127.0.0.1, and every page loaded in
//! headless Chromium (Debian's `chromium`), one browser for all of them. `tests/pages.rs` checks
//! the Markdown; this checks what the browser makes of it.
//!
//! Every page is loaded but each book's `print.html` (every chapter again, and a print dialog:
//! the print rule's) and `toc.html` (the sidebar for readers without scripts). Each book's
//! `index.html` (mdBook's copy of its first chapter, where the root page sends a reader) and
//! `404.html` are pages like the others; the root's `index.html`, which sends the browser on,
//! is loaded as `index.html?stay`, which stays.
//!
//! A page fails on:
//! - **mermaid**: a diagram Mermaid could not draw ("Syntax error in text"), never drew, or
//!   had to draw at less than 75 % of its size to fit the column at 1280 px, or wider than
//!   the column there (a phone scrolls a wide diagram sideways; a desktop should not);
//! - **unresolved**: a link, image, script or stylesheet that the server answers with an error,
//!   that points outside the served book (a `file:` URL, a path into `crates/`), or whose
//!   `#fragment` names no element of the page it leads to;
//! - **console**: an error on the console or an uncaught exception;
//! - **too wide**: a table or code block wider than the text column at 1280 px, or at 400 px
//!   (a phone, where code and output wrap), which a reader has to scroll sideways;
//! - **language**: a page under `zh/` or `en/` that does not declare that language in
//!   `<html lang>` (screen readers, search and fonts go by it);
//! - **switch**: a page under `zh/` or `en/` without a visible link to the same page in the
//!   other book (`theme/language-switch.js`'s picker in the menu bar);
//! - **numbering**: a lesson in a book's sidebar not numbered from 1 in the book's language
//!   ("第 1 课", "Lesson 1"), as when mdBook numbers the lessons itself;
//! - **crossing**: an arrow to the previous or next chapter (mdBook's `.nav-chapters` at the
//!   sides, `.mobile-nav-chapters` under the text) that leads out of the page's book;
//! - **fold**: a sidebar entry with entries under it (a lesson's program and tests) without a
//!   fold toggle, unfolded though the open page is not under it, or folded though it is;
//! - **picker**: a lesson or contents page whose picker, followed at 1280 px with a heading in
//!   the middle of the page scrolled to the top, does not lead to the twin page at the heading
//!   being read (the last in the upper third of the window), or the twin has no element with
//!   that id, or not as the same heading in the order of its headings; or whose picker,
//!   followed from the top of the page, does not lead to the twin's top (`books.rs`);
//! - **root**: the root `index.html` whose `bookFor` picks the wrong book for a browser's
//!   languages (`zh-CN` and `zh-TW, en`: `zh/`; `en-US` and `fr, en-GB`: `en/`; `fr`: `zh/`),
//!   which does not send the browser to a page of a book, or whose `?stay` shows no link to
//!   one of the books;
//! - **print**: a book's `print.html` that does not declare the book's language, does not hold
//!   each chapter of the book's sidebar exactly once, holds a chapter of the other book, or
//!   gives one id to more than one element (but inside Mermaid's drawings, which name their
//!   parts by the diagram's names and which no link aims at);
//! - **search**, **ranking**, **excerpt**, **keys**, **highlight**: each book's search, tried
//!   on a page of each (`search.rs` says what each rule checks);
//! - **hang**: a code line that wraps (at 1280 or 400 px) whose continuation does not start
//!   right of the line's first non-space character, as an editor's soft wrap does
//!   (`theme/code-lines.js`): code wrapped to column 0 sits left of what it belongs to;
//! - **split**: a code line that wraps (at either width) inside an identifier
//!   (`handle_client_r` / `equest`) that would have fitted on a row of its own: wrapped code
//!   breaks at spaces and punctuation (`theme/code-lines.js` marks where);
//! - **copy**: a code block whose copy button (mdBook's, clicked) copies anything but the
//!   block's text as mdBook wrote it from the Markdown, at either width;
//! - **small text**: a diagram's or chart's text drawn under 10 CSS px, at either width: each
//!   SVG text's computed size times the scale its SVG is drawn at (a chart, an `<img>`, is
//!   measured on its file drawn at the image's size, the `<picture>`'s narrow one on a phone);
//! - **enlarge**: a diagram or chart that does not open full screen from its button and from
//!   a tap on it, at no less than its own size, holding the focus, and close on Escape, the
//!   focus back on the button (`theme/figures.js`).
//!
//! `each_rule_fails_on_a_broken_page` builds two small books as the course's are built (the
//! same `book.toml`, `scripts/book` and theme) with broken pages, a broken print page and a
//! broken root page (`fixture.rs`), and shows that each rule catches what is broken, and that a clean page in
//! each book passes: no rule passes because it looked at nothing.
//!
//! Without chromium, mdbook, mdbook-mermaid, pagefind or bash the tests say they skipped
//! (`harness::tools`); CI installs them and sets `COURSE_REQUIRE_TOOLS=1`, which turns a skip
//! into a failure.
//! `COURSE_SCREENSHOTS=DIR` also writes every page as PNGs (1600 px tiles) at 1280 and 400 px
//! (`COURSE_SCREENSHOT_PAGES=zh/lesson5,README`: only those).

mod books;
pub(crate) mod cdp;
mod fixture;
mod search;
mod serve;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use cdp::Browser;
use serve::Server;

/// The desktop width at which nothing may be wider than the text column.
const DESKTOP: u32 = 1280;
/// A phone's width: a second pass, where nothing may be wider than the column either.
const PHONE: u32 = 400;

/// Every page of the course's two books loads in Chromium and passes every rule above, and
/// each book's search finds what a reader looks for.
#[test]
fn every_page_reads_cleanly_in_chromium() {
    let Some(tools) = Tools::find("browser::every_page_reads_cleanly_in_chromium") else {
        return;
    };
    let work = tempfile::tempdir().expect("the OS gives a temporary directory");
    let source = work.path().join("course");
    copy_book_sources(repo(), &source).expect("the book's sources can be copied");
    let site = build(&source).unwrap_or_else(|e| panic!("{e}"));
    let plan = search::Plan {
        zh_page: "zh/lesson1.html",
        en_page: "en/lesson1.html",
        keys_page: "zh/lesson1.html",
        highlight_term: "半关闭",
    };
    let checked = check_site(&tools, &site, &plan).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        checked.pages >= 2 * 28,
        "only {} pages were loaded; each book has a contents page and nine lessons, each with \
         its program and tests",
        checked.pages
    );
    // The hang rule looked at something: on a phone, the excerpts and listings wrap.
    assert!(
        checked.wrapped_on_phone >= 100,
        "only {} wrapped code lines were measured at {PHONE} px",
        checked.wrapped_on_phone
    );
    report(&checked.problems);
}

/// Each rule fails on a page broken in its way, and a clean page passes every rule.
#[test]
fn each_rule_fails_on_a_broken_page() {
    let Some(tools) = Tools::find("browser::each_rule_fails_on_a_broken_page") else {
        return;
    };
    let work = tempfile::tempdir().expect("the OS gives a temporary directory");
    let source = work.path().join("fixture");
    fixture::write(&source).expect("the fixture books can be written");
    let site = build(&source).unwrap_or_else(|e| panic!("{e}"));
    // The fixture's indexes hold no page that teaches a term (no ranking can be right) and,
    // built without scripts/book's exclusion, the diagrams' source; its keys page swallows
    // keys, and the page its highlighted term opens (listings/unmarked.html) removes the marks.
    let plan = search::Plan {
        zh_page: "zh/lesson1.html",
        en_page: "en/lesson1.html",
        keys_page: "en/nokeys.html",
        highlight_term: "zebrafish",
    };
    let checked = check_site(&tools, &site, &plan).unwrap_or_else(|e| panic!("{e}"));

    // What each rule found on its broken page (`--nocapture` shows it).
    println!("{}", listing(&checked.problems));
    let mut missed: Vec<String> = EXPECTED
        .iter()
        .filter(|(page, rule, detail)| {
            !checked
                .problems
                .iter()
                .any(|p| p.page == *page && p.rule == *rule && p.detail.contains(detail))
        })
        .map(|(page, rule, detail)| format!("{page} should fail the {rule} rule ({detail:?})"))
        .collect();
    for clean in CLEAN {
        let failed: BTreeSet<Rule> = checked
            .problems
            .iter()
            .filter(|p| p.page == *clean)
            .map(|p| p.rule)
            .collect();
        if !failed.is_empty() {
            missed.push(format!("{clean} should pass, but failed {failed:?}"));
        }
    }
    assert!(
        missed.is_empty(),
        "{}\nall problems found:\n{}",
        missed.join("\n"),
        listing(&checked.problems)
    );
}

/// What the fixture breaks: the page (or the sidebar, the search, the root page) and the rule
/// that must fail on it, with words of the problem's detail ("": any), so that a rule of
/// several parts fails for each part.
const EXPECTED: &[(&str, Rule, &str)] = &[
    ("en/mermaid.html", Rule::Mermaid, "Syntax error"),
    ("en/small.html", Rule::Mermaid, ""),
    ("en/link.html", Rule::Unresolved, "missing.html"),
    ("en/outside.html", Rule::Unresolved, "crates/lesson1"),
    ("en/fragment.html", Rule::Unresolved, "nowhere"),
    ("en/image.html", Rule::Unresolved, "missing.svg"),
    ("en/console.html", Rule::Console, "something went wrong"),
    ("en/exception.html", Rule::Console, "undefinedFunction"),
    ("en/table.html", Rule::TooWide, "table"),
    ("en/code.html", Rule::TooWide, "code block"),
    ("zh/language.html", Rule::Language, "lang=\"en\""),
    ("en/language.html", Rule::Language, "lang=\"zh\""),
    ("zh/switch.html", Rule::Switch, ""),
    ("zh sidebar", Rule::Numbering, "lesson2.html"),
    ("zh/crossing.html", Rule::Crossing, "desktop next"),
    ("zh/crossing.html", Rule::Crossing, "mobile previous"),
    ("en/unfolded.html", Rule::Fold, "no fold toggle"),
    ("en/unfolded.html", Rule::Fold, "is unfolded"),
    ("zh/lesson2.html", Rule::Picker, "no element with id \"c\""),
    (
        "en/lesson2.html",
        Rule::Picker,
        "#b is heading 3 of 5 here but heading 2",
    ),
    (
        "zh/lesson2.html",
        Rule::Picker,
        "from the top of the page, the picker led to #a",
    ),
    (ROOT, Rule::Root, "bookFor([\"zh-CN\"])"),
    (ROOT, Rule::Root, "bookFor([\"fr\"])"),
    (ROOT, Rule::Root, "no link to the zh/ book"),
    (ROOT, Rule::Root, "no page of either book"),
    ("zh/print.html", Rule::Print, "lang=\"en\""),
    ("zh/print.html", Rule::Print, "printed 2 times"),
    (
        "zh/print.html",
        Rule::Print,
        "the other book is printed: en/printed.html",
    ),
    ("zh/print.html", Rule::Print, "printed-zh"),
    (SEARCH, Rule::Ranking, ""),
    (SEARCH, Rule::Excerpt, ""),
    (SEARCH, Rule::Keys, ""),
    (SEARCH, Rule::Highlight, ""),
    ("en/unhung.html", Rule::Hang, ""),
    ("en/split.html", Rule::Split, ""),
    ("en/copy.html", Rule::Copy, ""),
    ("en/tiny.html", Rule::SmallText, ""),
    ("en/chart.html", Rule::SmallText, ""),
    ("en/noview.html", Rule::Enlarge, ""),
];

/// The fixture's pages that pass every rule: each book's clean lesson, and the English book's
/// print page (the Chinese one is broken).
const CLEAN: &[&str] = &["zh/lesson1.html", "en/lesson1.html", "en/print.html"];

/// The tools the book's checks need, found on `PATH`.
/// `scripts/book` runs mdbook, mdbook-mermaid and pagefind by name.
struct Tools {
    chromium: PathBuf,
}

impl Tools {
    fn find(test: &str) -> Option<Tools> {
        for tool in ["mdbook", "mdbook-mermaid", "pagefind", "bash"] {
            harness::tools::tool(tool, test)?;
        }
        Some(Tools {
            chromium: harness::tools::tool("chromium", test)?,
        })
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies what mdBook reads into `to`, so that building never writes into the working tree
/// that others may be building too: the configuration, `lessons/`, and the sources that the
/// listing pages include whole (`{{#include ../../crates/…}}`).
fn copy_book_sources(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    fs::copy(from.join("book.toml"), to.join("book.toml"))?;
    for dir in [
        "lessons",
        "theme",
        "scripts",
        "crates",
        "tests",
        "exercises",
    ] {
        if from.join(dir).is_dir() {
            copy_dir(&from.join(dir), &to.join(dir))?;
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_name() == "target" {
            continue;
        } else if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Builds the book whose `book.toml` is in `source` with `scripts/book`, as `just book` does,
/// returning the directory of the HTML.
fn build(source: &Path) -> Result<PathBuf, String> {
    let out = source.join("html");
    run(Command::new("bash")
        .arg(source.join("scripts/book"))
        .arg(&out))?;
    Ok(out)
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// What a rule found wrong on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    Mermaid,
    Unresolved,
    Console,
    TooWide,
    Language,
    Switch,
    Numbering,
    Crossing,
    Fold,
    Picker,
    Root,
    Print,
    Search,
    Ranking,
    Excerpt,
    Keys,
    Highlight,
    Hang,
    Split,
    Copy,
    SmallText,
    Enlarge,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Mermaid => "mermaid",
            Rule::Unresolved => "unresolved",
            Rule::Console => "console",
            Rule::TooWide => "too wide",
            Rule::Language => "language",
            Rule::Switch => "switch",
            Rule::Numbering => "numbering",
            Rule::Crossing => "crossing",
            Rule::Fold => "fold",
            Rule::Picker => "picker",
            Rule::Root => "root",
            Rule::Print => "print",
            Rule::Search => "search",
            Rule::Ranking => "ranking",
            Rule::Excerpt => "excerpt",
            Rule::Keys => "keys",
            Rule::Highlight => "highlight",
            Rule::Hang => "hang",
            Rule::Split => "split",
            Rule::Copy => "copy",
            Rule::SmallText => "small text",
            Rule::Enlarge => "enlarge",
        })
    }
}

struct Problem {
    /// The page's path in the built book, such as `zh/lesson1.html`.
    page: String,
    rule: Rule,
    detail: String,
}

struct Checked {
    pages: usize,
    problems: Vec<Problem>,
    /// How many wrapped code lines the hang rule measured at [`PHONE`] width.
    wrapped_on_phone: u64,
}

fn listing(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {} [{}] {}", p.page, p.rule, p.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

fn report(problems: &[Problem]) {
    assert!(
        problems.is_empty(),
        "{} problem(s) a reader would see:\n{}",
        problems.len(),
        listing(problems)
    );
}

/// The HTML pages of the built books, as paths relative to the site with `/`. Each book's print
/// page (every chapter again, and a print dialog: [`books::print_problems`] looks at it) and
/// no-script table of contents are left out.
fn html_pages(site: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![site.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let relative = path.strip_prefix(site).unwrap_or(&path);
                let relative = relative.to_string_lossy().replace('\\', "/");
                let left_out = books::BOOKS.iter().any(|book| {
                    [format!("{book}/print.html"), format!("{book}/toc.html")].contains(&relative)
                });
                if !left_out {
                    found.push(relative);
                }
            }
        }
    }
    found.sort();
    found
}

/// Where the problems of a book's sidebar (the same on every page of the book) are reported:
/// `zh sidebar`.
fn sidebar_of(book: &str) -> String {
    format!("{book} sidebar")
}

/// Where the problems of the root page are reported.
const ROOT: &str = "index.html";

/// The address a page is loaded at: the root page with `?stay`, which keeps it from sending
/// the browser to a book.
fn address_of(page: &str) -> String {
    if page == ROOT {
        format!("/{ROOT}?stay")
    } else {
        format!("/{page}")
    }
}

/// Where the problems of the search are reported.
const SEARCH: &str = "search";

/// Serves `site`, loads each page in one Chromium, and applies every rule.
/// `plan` says where the search is tried.
fn check_site(tools: &Tools, site: &Path, plan: &search::Plan) -> Result<Checked, String> {
    let server = Server::start(site.to_path_buf()).map_err(|e| format!("serving: {e}"))?;
    let mut browser = Browser::launch(&tools.chromium)?;
    let pages = html_pages(site);
    let shots = Screenshots::from_env();
    let mut problems = Vec::new();
    browser.set_width(DESKTOP)?;
    let chapters = desktop_pass(&mut browser, &server, &pages, &shots, &mut problems)?;
    problems.extend(book_problems(&mut browser, &server, &pages, &chapters)?);
    // On a phone: the text column is narrow, but no table or code block may be wider, and
    // the code that wraps there must still hang and copy as written.
    browser.set_width(PHONE)?;
    let wrapped_on_phone = phone_pass(&mut browser, &server, &pages, &shots, &mut problems)?;
    for (rule, detail) in search::problems(&mut browser, &server, plan)? {
        problems.push(Problem {
            page: SEARCH.to_owned(),
            rule,
            detail,
        });
    }
    shots.search(&mut browser, &server, plan)?;
    // A missing image is both a failed request and an element pointing nowhere: say it once.
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert((p.page.clone(), p.rule, p.detail.clone())));
    Ok(Checked {
        pages: pages.len(),
        problems,
        wrapped_on_phone,
    })
}

/// Every rule on each page at [`DESKTOP`] width, and each book's sidebar numbering (on its
/// `index.html`). Returns what each page holds as a chapter, for the print rule.
fn desktop_pass(
    browser: &mut Browser,
    server: &Server,
    pages: &[String],
    shots: &Screenshots,
    problems: &mut Vec<Problem>,
) -> Result<BTreeMap<String, books::Chapter>, String> {
    let mut statuses = BTreeMap::new();
    let mut chapters = BTreeMap::new();
    for page in pages {
        let mut events = browser.load(&server.url(&address_of(page)))?;
        let (facts, more) = browser.evaluate(FACTS)?;
        events.extend(more);
        let book_facts = books::page_facts(browser)?;
        let mut found = event_problems(&events);
        found.extend(fact_problems(&facts, server, &mut statuses));
        found.extend(code_problems(&facts));
        found.extend(language_problems(page, &facts));
        let crossing = books::crossing_problems(page, &book_facts, server);
        found.extend(crossing.into_iter().map(|d| (Rule::Crossing, d)));
        let fold = books::fold_problems(page, &book_facts);
        found.extend(fold.into_iter().map(|d| (Rule::Fold, d)));
        problems.extend(found.into_iter().map(|(rule, detail)| Problem {
            page: page.clone(),
            rule,
            detail,
        }));
        if let Some(book) = books::book_of(page).filter(|b| *page == format!("{b}/index.html")) {
            problems.extend(
                numbering_problems(&facts)
                    .into_iter()
                    .map(|detail| Problem {
                        page: sidebar_of(book),
                        rule: Rule::Numbering,
                        detail,
                    }),
            );
        }
        if let Some(chapter) = books::chapter_of(&book_facts) {
            chapters.insert(page.clone(), chapter);
        }
        shots.take(browser, page, DESKTOP)?;
        problems.extend(enlarge_problems(browser, page, DESKTOP)?);
    }
    Ok(chapters)
}

/// The rules that follow links out of a page or look at the books whole: the picker from each
/// lesson and contents page, each book's print page, and the root page.
fn book_problems(
    browser: &mut Browser,
    server: &Server,
    pages: &[String],
    chapters: &BTreeMap<String, books::Chapter>,
) -> Result<Vec<Problem>, String> {
    let mut found = Vec::new();
    let mut add = |page: &str, rule, details: Vec<String>| {
        found.extend(details.into_iter().map(|detail| Problem {
            page: page.to_owned(),
            rule,
            detail,
        }));
    };
    for page in pages.iter().filter(|p| books::picker_is_followed(p)) {
        add(
            page,
            Rule::Picker,
            books::picker_problems(browser, server, page)?,
        );
    }
    for book in books::BOOKS {
        let details = books::print_problems(browser, server, book, chapters)?;
        add(&format!("{book}/print.html"), Rule::Print, details);
    }
    add(ROOT, Rule::Root, books::root_problems(browser, server)?);
    Ok(found)
}

/// The rules that a phone's narrow column can break, on each page at [`PHONE`] width.
/// Returns how many wrapped code lines the hang rule measured.
fn phone_pass(
    browser: &mut Browser,
    server: &Server,
    pages: &[String],
    shots: &Screenshots,
    problems: &mut Vec<Problem>,
) -> Result<u64, String> {
    let mut wrapped_on_phone = 0;
    for page in pages {
        browser.load(&server.url(&address_of(page)))?;
        let (facts, _) = browser.evaluate(FACTS)?;
        wrapped_on_phone += facts["wrapped"].as_u64().unwrap_or(0);
        let wide = facts["wide"].as_array().into_iter().flatten();
        let mut found: Vec<(Rule, String)> =
            wide.map(|w| (Rule::TooWide, describe_wide(w))).collect();
        found.extend(code_problems(&facts));
        problems.extend(found.into_iter().map(|(rule, detail)| Problem {
            page: page.clone(),
            rule,
            detail: format!("at {PHONE} px: {detail}"),
        }));
        print_smallest_text(page, &facts);
        shots.take(browser, page, PHONE)?;
        problems.extend(enlarge_problems(browser, page, PHONE)?);
    }
    Ok(wrapped_on_phone)
}

/// What a reader of a phone gets of each diagram and chart (`--nocapture` shows it).
fn print_smallest_text(page: &str, facts: &Value) {
    let figures: Vec<String> = facts["figures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let px = f["px"]
                .as_f64()
                .map_or("no text".to_owned(), |px| format!("{px:.1} px"));
            format!("{} {px}", f["what"].as_str().unwrap_or(""))
        })
        .collect();
    if !figures.is_empty() {
        println!(
            "{page} at {PHONE} px, smallest text: {}",
            figures.join(", ")
        );
    }
}

/// The screenshots `COURSE_SCREENSHOTS=DIR` asks for, of the pages whose path contains one of
/// `COURSE_SCREENSHOT_PAGES` (`zh/lesson5,README`; unset: all).
struct Screenshots {
    dir: Option<PathBuf>,
    wanted: String,
}

impl Screenshots {
    fn from_env() -> Screenshots {
        Screenshots {
            dir: std::env::var_os("COURSE_SCREENSHOTS").map(PathBuf::from),
            wanted: std::env::var("COURSE_SCREENSHOT_PAGES").unwrap_or_default(),
        }
    }

    fn pictured(&self, page: &str) -> bool {
        self.wanted.is_empty() || self.wanted.split(',').any(|w| page.contains(w))
    }

    /// The loaded page, if it is wanted, at `width`.
    fn take(&self, browser: &mut Browser, page: &str, width: u32) -> Result<(), String> {
        match &self.dir {
            Some(dir) if self.pictured(page) => save_screenshot(browser, dir, page, width),
            _ => Ok(()),
        }
    }

    /// The page the search checks ended on (the one their highlighted term opened, at
    /// [`PHONE`] width), then each book's search box with a term typed in, at both widths.
    fn search(
        &self,
        browser: &mut Browser,
        server: &Server,
        plan: &search::Plan,
    ) -> Result<(), String> {
        let Some(dir) = self.dir.as_ref().filter(|_| self.pictured(SEARCH)) else {
            return Ok(());
        };
        save_screenshot(browser, dir, "search-highlight", PHONE)?;
        for width in [DESKTOP, PHONE] {
            browser.set_width(width)?;
            for (name, page, term) in [
                ("search-zh", plan.zh_page, plan.highlight_term),
                ("search-en", plan.en_page, "half-close"),
                ("search-en-exercise7", plan.en_page, "Exercise 7"),
            ] {
                search::show_box(browser, server, page, term)?;
                save_screenshot(browser, dir, name, width)?;
            }
        }
        Ok(())
    }
}

/// Writes the page as PNG tiles `NAME-WIDTH-K.png`, each 1600 px tall, to look at.
fn save_screenshot(
    browser: &mut Browser,
    dir: &Path,
    page: &str,
    width: u32,
) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = page.trim_end_matches(".html").replace('/', "-");
    for (k, png) in browser.screenshots(1600.0)?.into_iter().enumerate() {
        let name = format!("{stem}-{width}-{k}.png");
        fs::write(dir.join(&name), png).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Waits until Mermaid has drawn every diagram (it marks each `data-processed`), the theme has
/// framed them (`theme/figures.js` marks the page `data-figures`), the images and the fonts
/// are in, then measures what the rules need.
const FACTS: &str = r#"(async () => {
  // The smallest text a reader can read without zooming, in CSS px.
  const MIN_TEXT_PX = 10;
  const until = Date.now() + 30000;
  const pending = () => document.querySelectorAll('pre.mermaid:not([data-processed])').length;
  const framing = () => document.querySelector('script[src*="figures"]')
    && document.documentElement.dataset.figures !== 'ready';
  const loading = () => [...document.images].some((image) => !image.complete);
  while ((pending() > 0 || framing() || loading()) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (document.fonts) { await document.fonts.ready; }
  const main = document.querySelector('main') || document.body;
  const column = main.getBoundingClientRect().width;
  const first = (text) => (text || '').trim().split('\n')[0].slice(0, 70);
  const wide = [];
  for (const table of main.querySelectorAll('table')) {
    const width = table.getBoundingClientRect().width;
    if (width > column + 1) {
      wide.push({ what: 'table', width, column, text: first(table.innerText) });
    }
  }
  for (const pre of main.querySelectorAll('pre:not(.mermaid)')) {
    const code = pre.querySelector('code') || pre;
    const width = Math.max(code.scrollWidth, pre.getBoundingClientRect().width);
    if (code.scrollWidth > code.clientWidth + 1 || pre.getBoundingClientRect().width > column + 1) {
      wide.push({ what: 'code block', width, column, text: first(code.innerText) });
    }
  }
  // Every source line of every code block that wraps: where its first non-space character
  // is drawn, and where its second row starts (the leftmost of its text's boxes on that row).
  // Measured on the text nodes, whatever elements a script put around the lines.
  const hang = [];
  const split = [];
  let wrapped = 0;
  const range = document.createRange();
  const identifier = /[A-Za-z0-9_]/;
  // Where a wrapped line's rows begin, by character: a row that begins between two characters
  // of an identifier cut it in two (`handle_client_r` / `equest`), unless the identifier is
  // longer than a row, which no break at a space or a punctuation mark can save.
  const splits = (code, pieces, text) => {
    const style = getComputedStyle(code);
    const right = code.getBoundingClientRect().right - parseFloat(style.paddingRight)
      - parseFloat(style.borderRightWidth);
    let index = 0;
    let bottom = null;
    for (const [node, start, end] of pieces) {
      for (let at = start; at < end; at += 1, index += 1) {
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        const box = [...range.getClientRects()].find((b) => b.width > 0);
        if (!box) { continue; }
        if (bottom !== null && box.top < bottom - box.height / 2) {
          bottom = Math.max(bottom, box.bottom);
          continue;
        }
        if (bottom !== null && identifier.test(text[index - 1] || '')
          && identifier.test(text[index])) {
          let from = index - 1;
          while (from > 0 && identifier.test(text[from - 1])) { from -= 1; }
          let to = index + 1;
          while (to < text.length && identifier.test(text[to])) { to += 1; }
          if ((to - from) * box.width <= right - box.left + 1) {
            split.push(`a wrapped line breaks inside \`${text.slice(from, to)}\` `
              + `(${text.slice(from, index)} / ${text.slice(index, to)}): ${text.trim().slice(0, 70)}`);
          }
        }
        bottom = box.bottom;
      }
    }
  };
  const measure = (code, pieces, text) => {
    const firstChar = text.search(/\S/);
    if (firstChar < 0) { return; }
    const boxes = [];
    let offset = 0;
    let firstLeft = null;
    for (const [node, start, end] of pieces) {
      range.setStart(node, start);
      range.setEnd(node, end);
      boxes.push(...[...range.getClientRects()].filter((box) => box.width > 0));
      if (firstLeft === null && firstChar < offset + end - start) {
        const at = start + firstChar - offset;
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        firstLeft = range.getBoundingClientRect().left;
      }
      offset += end - start;
    }
    const rows = [];
    for (const box of boxes) {
      const row = rows[rows.length - 1];
      if (!row || box.top >= row.bottom - box.height / 2) {
        rows.push({ left: box.left, bottom: box.bottom });
      } else {
        row.left = Math.min(row.left, box.left);
        row.bottom = Math.max(row.bottom, box.bottom);
      }
    }
    if (rows.length < 2) { return; }
    wrapped += 1;
    splits(code, pieces, text);
    if (!(rows[1].left > firstLeft + 1)) {
      hang.push(`a wrapped line goes on at x = ${Math.round(rows[1].left)}, not right of its first `
        + `character at x = ${Math.round(firstLeft)}: ${text.trim().slice(0, 70)}`);
    }
  };
  for (const code of main.querySelectorAll('pre:not(.mermaid) > code')) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let pieces = [];
    let text = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let start = 0; ;) {
        const newline = node.data.indexOf('\n', start);
        const end = newline < 0 ? node.data.length : newline;
        if (end > start) {
          pieces.push([node, start, end]);
          text += node.data.slice(start, end);
        }
        if (newline < 0) { break; }
        measure(code, pieces, text);
        pieces = [];
        text = '';
        start = newline + 1;
      }
    }
    measure(code, pieces, text);
  }
  // A page without the hanging indent has hundreds of such lines: a few say what is wrong.
  if (hang.length > 5) {
    hang.splice(5, hang.length - 5, `and ${hang.length - 5} more wrapped lines that do not hang`);
  }
  if (split.length > 5) {
    split.splice(5, split.length - 5, `and ${split.length - 5} more lines broken inside a word`);
  }
  // What each block's copy button copies, against the block as mdBook wrote it (the served
  // page, before any script). The button is clicked; mdBook's clipboard.js puts the text in
  // a focused text field and calls execCommand('copy'), which here records that field's text.
  const html = await (await fetch(location.href)).text();
  const served = new DOMParser().parseFromString(html, 'text/html');
  const written = [...served.querySelectorAll('main pre:not(.mermaid) > code')]
    .map((c) => c.textContent);
  const copy = [];
  const execCommand = document.execCommand;
  let copied = null;
  document.execCommand = () => {
    const field = document.activeElement;
    copied = field && 'value' in field ? field.value : null;
    return true;
  };
  try {
    [...main.querySelectorAll('pre:not(.mermaid) > code')].forEach((code, k) => {
      const button = code.parentElement.querySelector('.clip-button');
      copied = null;
      if (button) {
        button.click();
        // mdBook hides its "Copied!" tooltip when the pointer leaves the button.
        button.dispatchEvent(new MouseEvent('mouseout'));
      }
      if (copied !== written[k]) {
        const got = button ? JSON.stringify((copied || '').slice(0, 40)) : 'no copy button';
        copy.push(`the copy button of "${first(written[k])}" gives ${got}, not the text as written`);
      }
    });
  } finally {
    document.execCommand = execCommand;
  }
  const mermaid = [];
  // A diagram squeezed into the column is drawn too small to read; one wider than the column
  // has to be scrolled sideways (the theme lets it, on a phone).
  for (const svg of document.querySelectorAll('pre.mermaid svg')) {
    const natural = svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
    const drawn = svg.getBoundingClientRect().width;
    const pre = svg.closest('pre');
    if (natural > 0 && drawn / natural < 0.75) {
      mermaid.push(`a diagram drawn at ${Math.round(100 * drawn / natural)} % of its size`);
    } else if (drawn > column + 1 || pre.scrollWidth > pre.clientWidth + 1) {
      mermaid.push(`a diagram ${Math.round(drawn)} px wide in a ${Math.round(column)} px column`);
    }
  }
  // The text of every diagram and chart at the size it is drawn: each text's computed font
  // size times the scale its SVG is drawn at (the text's screen matrix). A chart is an image:
  // its SVG is measured drawn offscreen at the image's size, from the file the image shows.
  const smallest = (root) => {
    let found = null;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.data.trim() || !element || element.closest('style, title, desc')) { continue; }
      if (element.checkVisibility && !element.checkVisibility({ visibilityProperty: true })) {
        continue;
      }
      let graphic = element;
      while (graphic && !(graphic instanceof SVGGraphicsElement)) {
        graphic = graphic.parentElement;
      }
      const matrix = graphic && graphic.getScreenCTM();
      if (!matrix) { continue; }
      const px = parseFloat(getComputedStyle(element).fontSize) * Math.hypot(matrix.a, matrix.b);
      if (!found || px < found.px) { found = { px, text: node.data.trim().slice(0, 40) }; }
    }
    return found;
  };
  const figures = [];
  [...main.querySelectorAll('pre.mermaid svg')].forEach((svg, k) => {
    figures.push({ what: `diagram ${k + 1}`, text: smallest(svg) });
  });
  for (const image of main.querySelectorAll('img')) {
    const box = image.getBoundingClientRect();
    const source = image.currentSrc || image.src;
    // An image that did not load is the unresolved rule's.
    if (box.width === 0 || image.naturalWidth === 0 || !/\.svg([?#]|$)/.test(source)) { continue; }
    try {
      const file = await (await fetch(source)).text();
      const svg = new DOMParser().parseFromString(file, 'image/svg+xml').documentElement;
      svg.setAttribute('width', box.width);
      svg.setAttribute('height', box.height);
      const holder = document.createElement('div');
      holder.style.cssText = 'position: absolute; left: -30000px; top: 0;';
      holder.append(document.importNode(svg, true));
      document.body.append(holder);
      figures.push({ what: `chart ${source.split('/').pop()}`, text: smallest(holder) });
      holder.remove();
    } catch (error) {
      figures.push({ what: `chart ${source}`, text: null, error: String(error) });
    }
  }
  const small = [];
  for (const figure of figures) {
    if (figure.error) {
      small.push(`${figure.what} could not be measured: ${figure.error}`);
    } else if (figure.text && figure.text.px < MIN_TEXT_PX) {
      small.push(`${figure.what}: text drawn at ${figure.text.px.toFixed(1)} px, under `
        + `${MIN_TEXT_PX} px: "${figure.text.text}"`);
    }
  }
  for (const svg of document.querySelectorAll('svg[aria-roledescription="error"]')) {
    const text = [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ');
    mermaid.push(`diagram error: ${first(text)}`);
  }
  if (mermaid.length === 0 && document.body.innerText.includes('Syntax error in text')) {
    mermaid.push('diagram error: Syntax error in text');
  }
  const refs = [];
  for (const a of document.querySelectorAll('a[href]')) {
    refs.push({ kind: 'link', written: a.getAttribute('href'), url: a.href });
  }
  for (const e of document.querySelectorAll('img[src], script[src], iframe[src]')) {
    refs.push({ kind: e.tagName.toLowerCase(), written: e.getAttribute('src'), url: e.src });
  }
  // A <picture>'s other images (a chart's narrow drawing), one URL each.
  for (const e of document.querySelectorAll('source[srcset]')) {
    const written = e.getAttribute('srcset').trim().split(/\s+/)[0];
    refs.push({ kind: 'source', written, url: new URL(written, location.href).href });
  }
  for (const l of document.querySelectorAll('link[href]')) {
    refs.push({ kind: 'stylesheet or icon', written: l.getAttribute('href'), url: l.href });
  }
  // The same page in the other book: /en/listings/lesson1.html for /zh/listings/lesson1.html.
  const own = location.pathname.match(/^(.*)\/(zh|en)\/(.+)$/);
  let counterpart = null;
  if (own) {
    const other = `${location.origin}${own[1]}/${own[2] === 'zh' ? 'en' : 'zh'}/${own[3]}`;
    counterpart = [...document.querySelectorAll('a[href]')].some((a) =>
      a.href.split('#')[0] === other && a.getClientRects().length > 0 && a.innerText.trim() !== '');
  }
  // The chapters' entries: not the open page's headings under its entry, nor fold toggles.
  const sidebar = [...document.querySelectorAll(
    '#mdbook-sidebar a:not(.header-in-summary):not(.chapter-fold-toggle)')].map((a) =>
    ({ url: a.href, text: a.innerText.trim() }));
  return {
    pending: pending(), mermaid, wide, refs, lang: document.documentElement.lang, counterpart, sidebar,
    hang, split, wrapped, copy, small,
    figures: figures.map((f) => ({ what: f.what, px: f.text && f.text.px, text: f.text && f.text.text })),
  };
})()"#;

/// Opens each diagram and chart of the loaded page full screen, by its button (what Enter
/// or Space on it does) and by a tap on the figure, and closes it with Escape (see
/// [`ENLARGE`]); each thing that does not happen is an [`Rule::Enlarge`] problem.
fn enlarge_problems(browser: &mut Browser, page: &str, width: u32) -> Result<Vec<Problem>, String> {
    let (found, events) = browser.evaluate(ENLARGE)?;
    let mut problems: Vec<Problem> = found
        .as_array()
        .into_iter()
        .flatten()
        .map(|detail| Problem {
            page: page.to_owned(),
            rule: Rule::Enlarge,
            detail: format!("at {width} px: {}", detail.as_str().unwrap_or("")),
        })
        .collect();
    for (rule, detail) in event_problems(&events) {
        problems.push(Problem {
            page: page.to_owned(),
            rule,
            detail: format!("at {width} px, opening the figures: {detail}"),
        });
    }
    Ok(problems)
}

/// Every diagram and chart (an image not inside a link) has a visible button under it
/// (`theme/figures.js`); clicking it, and tapping the figure itself, opens a modal view that
/// holds the focus and shows the figure at no less than its own size, with no text under
/// 10 px; Escape closes it, gives the focus back to the button and puts the figure back as
/// it was.
const ENLARGE: &str = r#"(async () => {
  const MIN_TEXT_PX = 10;
  const problems = [];
  const main = document.querySelector('main') || document.body;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 50));
  const smallest = (svg) => {
    let found = Infinity;
    const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.data.trim() || !element || element.closest('style, title, desc')) { continue; }
      let graphic = element;
      while (graphic && !(graphic instanceof SVGGraphicsElement)) { graphic = graphic.parentElement; }
      const matrix = graphic && graphic.getScreenCTM();
      if (matrix) {
        found = Math.min(found,
          parseFloat(getComputedStyle(element).fontSize) * Math.hypot(matrix.a, matrix.b));
      }
    }
    return found;
  };
  const shownIn = (holder) => holder.querySelector('svg, img');
  const figures = [
    ...[...main.querySelectorAll('pre.mermaid svg')].map((svg, k) => [`diagram ${k + 1}`, svg]),
    ...[...main.querySelectorAll('img')].filter((img) => !img.closest('a') && img.naturalWidth > 0)
      .map((img) => [`chart ${(img.getAttribute('src') || '').split('/').pop()}`, img]),
  ];
  for (const [name, shown] of figures) {
    const figure = shown.closest('.figure');
    const button = figure && figure.querySelector('.figure-open');
    if (!button || !button.checkVisibility()) {
      problems.push(`${name}: no visible button opens it full screen`);
      continue;
    }
    const before = shown.getBoundingClientRect().width;
    for (const [how, target] of [['its button', button], ['a tap on it', shown]]) {
      target.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      await tick();
      const dialog = document.querySelector('dialog[open]');
      if (!dialog) {
        problems.push(`${name}: ${how} does not open it full screen`);
        continue;
      }
      const inView = shownIn(dialog);
      if (inView && inView.tagName.toLowerCase() === 'img' && !inView.complete) {
        await Promise.race([
          new Promise((resolve) => {
            inView.addEventListener('load', resolve, { once: true });
            inView.addEventListener('error', resolve, { once: true });
          }),
          new Promise((resolve) => setTimeout(resolve, 5000)),
        ]);
        await tick();
      }
      const natural = !inView ? 0 : inView.tagName.toLowerCase() === 'svg'
        ? inView.viewBox.baseVal.width : inView.naturalWidth;
      const drawn = inView ? inView.getBoundingClientRect().width : 0;
      if (!inView || !(drawn >= natural - 1)) {
        problems.push(`${name}: full screen, drawn ${Math.round(drawn)} px wide, less than its `
          + `own ${Math.round(natural)} px`);
      }
      if (inView && inView.tagName.toLowerCase() === 'svg' && smallest(inView) < MIN_TEXT_PX) {
        problems.push(`${name}: full screen, text at ${smallest(inView).toFixed(1)} px`);
      }
      if (!dialog.contains(document.activeElement)) {
        problems.push(`${name}: opened by ${how}, the focus is not in the full-screen view`);
      }
      (document.activeElement || dialog).dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
      await tick();
      if (dialog.open) {
        problems.push(`${name}: Escape does not close the full-screen view`);
        dialog.close();
        await tick();
      }
      if (document.activeElement !== button) {
        problems.push(`${name}: closed, the focus is not back on its button`);
      }
      if (!figure.contains(shown) || Math.abs(shown.getBoundingClientRect().width - before) > 1) {
        problems.push(`${name}: closed, it is not back in its place at its size`);
      }
    }
  }
  return problems;
})()"#;

/// Console errors, uncaught exceptions and failed requests, from the tab's events.
fn event_problems(events: &[Value]) -> Vec<(Rule, String)> {
    let mut requests = BTreeMap::new();
    let mut found = Vec::new();
    for event in events {
        let params = &event["params"];
        match event["method"].as_str().unwrap_or("") {
            "Runtime.exceptionThrown" => {
                let details = &params["exceptionDetails"];
                let text = details["exception"]["description"]
                    .as_str()
                    .or(details["text"].as_str())
                    .unwrap_or("an exception");
                found.push((Rule::Console, format!("uncaught: {}", first_line(text))));
            }
            "Runtime.consoleAPICalled"
                if matches!(params["type"].as_str(), Some("error" | "assert")) =>
            {
                let text: Vec<String> = params["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|arg| match &arg["value"] {
                        Value::String(s) => s.clone(),
                        Value::Null => arg["description"].as_str().unwrap_or("").to_owned(),
                        other => other.to_string(),
                    })
                    .collect();
                found.push((
                    Rule::Console,
                    format!("console.error: {}", first_line(&text.join(" "))),
                ));
            }
            // Failed loads are reported below, from the network events, with their URL.
            "Log.entryAdded"
                if params["entry"]["level"] == "error"
                    && params["entry"]["source"] != "network" =>
            {
                let text = params["entry"]["text"].as_str().unwrap_or("");
                found.push((Rule::Console, format!("logged: {}", first_line(text))));
            }
            "Network.requestWillBeSent" => {
                requests.insert(
                    params["requestId"].to_string(),
                    params["request"]["url"].as_str().unwrap_or("").to_owned(),
                );
            }
            "Network.responseReceived" => {
                let status = params["response"]["status"].as_u64().unwrap_or(0);
                if status >= 400 {
                    let url = params["response"]["url"].as_str().unwrap_or("");
                    found.push((Rule::Unresolved, format!("{url} answered {status}")));
                }
            }
            "Network.loadingFailed" if params["canceled"] != true => {
                let url = requests
                    .get(&params["requestId"].to_string())
                    .map_or("a request", String::as_str);
                let error = params["errorText"].as_str().unwrap_or("");
                found.push((Rule::Unresolved, format!("{url} failed: {error}")));
            }
            _ => {}
        }
    }
    found
}

/// What went wrong while a page loaded, one line each: an uncaught exception, a console
/// error, a request answered with an error or failed. For a page that is not the book's
/// (lesson 9's site, in `tests/lesson9.rs`).
pub(crate) fn load_problems(events: &[Value]) -> Vec<String> {
    event_problems(events)
        .into_iter()
        .map(|(rule, what)| format!("{rule}: {what}"))
        .collect()
}

/// Mermaid errors, wide blocks and links that do not resolve, from the measured facts.
fn fact_problems(
    facts: &Value,
    server: &Server,
    statuses: &mut BTreeMap<String, Result<u16, String>>,
) -> Vec<(Rule, String)> {
    let mut found = Vec::new();
    if facts["pending"].as_u64().unwrap_or(0) > 0 {
        found.push((
            Rule::Mermaid,
            format!("{} diagram(s) never drawn", facts["pending"]),
        ));
    }
    for error in facts["mermaid"].as_array().into_iter().flatten() {
        found.push((Rule::Mermaid, error.as_str().unwrap_or("").to_owned()));
    }
    for wide in facts["wide"].as_array().into_iter().flatten() {
        found.push((Rule::TooWide, describe_wide(wide)));
    }
    let origin = server.url("/");
    for reference in facts["refs"].as_array().into_iter().flatten() {
        let url = reference["url"].as_str().unwrap_or("");
        let written = reference["written"].as_str().unwrap_or("");
        let kind = reference["kind"].as_str().unwrap_or("");
        if url.starts_with(&origin) {
            let without_fragment = url.split('#').next().unwrap_or(url).to_owned();
            let status = statuses
                .entry(without_fragment.clone())
                .or_insert_with(|| serve::status(&without_fragment));
            match status {
                // A written `#id` is mdBook's anchor to a heading of the same page.
                Ok(200) if written.starts_with('#') => {}
                Ok(200) => {
                    if let Some(missing) = missing_fragment(server, url) {
                        found.push((
                            Rule::Unresolved,
                            format!("{kind} {written}: no element with id \"{missing}\" there"),
                        ));
                    }
                }
                Ok(code) => found.push((
                    Rule::Unresolved,
                    format!("{kind} {written} answered {code}"),
                )),
                Err(e) => found.push((Rule::Unresolved, format!("{kind} {written}: {e}"))),
            }
        } else if !(url.starts_with("https://")
            || url.starts_with("http://")
            || url.starts_with("mailto:")
            || url.starts_with("javascript:"))
        {
            found.push((
                Rule::Unresolved,
                format!("{kind} {written} leaves the served book ({url})"),
            ));
        }
    }
    found
}

/// Wrapped code lines that do not hang or that break inside a word, copy buttons that copy
/// something else, and diagrams or charts whose text is drawn too small to read.
fn code_problems(facts: &Value) -> Vec<(Rule, String)> {
    let found = |key: &str, rule: Rule| {
        facts[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(move |detail| (rule, detail.as_str().unwrap_or("").to_owned()))
    };
    found("hang", Rule::Hang)
        .chain(found("split", Rule::Split))
        .chain(found("copy", Rule::Copy))
        .chain(found("small", Rule::SmallText))
        .collect()
}

/// A page under `zh/` or `en/` declares that language and links to its other-language twin.
fn language_problems(page: &str, facts: &Value) -> Vec<(Rule, String)> {
    let Some(language) = ["zh", "en"]
        .into_iter()
        .find(|language| page.starts_with(&format!("{language}/")))
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let declared = facts["lang"].as_str().unwrap_or("");
    if declared.split('-').next() != Some(language) {
        found.push((
            Rule::Language,
            format!("<html lang=\"{declared}\"> on a page under {language}/"),
        ));
    }
    if facts["counterpart"] != true {
        found.push((
            Rule::Switch,
            "no visible link to the same page in the other language".to_owned(),
        ));
    }
    found
}

/// Each sidebar entry for `zh/lessonN.html` or `en/lessonN.html` reads "第 N 课…" or
/// "Lesson N…", with no number of mdBook's before it.
fn numbering_problems(facts: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for entry in facts["sidebar"].as_array().into_iter().flatten() {
        let url = entry["url"].as_str().unwrap_or("");
        let text = entry["text"].as_str().unwrap_or("");
        let Some((language, number)) = lesson_of(url) else {
            continue;
        };
        let expected = match language {
            "zh" => format!("第 {number} 课"),
            _ => format!("Lesson {number}"),
        };
        if !text.starts_with(&expected) {
            found.push(format!("{url}: expected \"{expected}…\", got \"{text}\""));
        }
    }
    found
}

/// `("zh", 3)` for a URL ending in `/zh/lesson3.html`.
fn lesson_of(url: &str) -> Option<(&str, u32)> {
    let path = url.split(['#', '?']).next()?;
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let language = parts.next().filter(|l| matches!(*l, "zh" | "en"))?;
    let number = file
        .strip_prefix("lesson")?
        .strip_suffix(".html")?
        .parse()
        .ok()?;
    Some((language, number))
}

/// The fragment of a link to a served page, when that page has no element with that id.
fn missing_fragment(server: &Server, url: &str) -> Option<String> {
    let (address, fragment) = url.split_once('#')?;
    let fragment = serve::percent_decode(fragment)?;
    if fragment.is_empty() {
        return None;
    }
    let target = address.strip_prefix(&server.url(""))?;
    let file = serve::file_for(&server.root, target)?;
    let html = fs::read_to_string(file).ok()?;
    (!html.contains(&format!("id=\"{fragment}\""))).then_some(fragment)
}

/// "table 1013 px wide in a 750 px column: …", from what the page measured.
fn describe_wide(wide: &Value) -> String {
    format!(
        "{} {} px wide in a {} px column: {}",
        wide["what"].as_str().unwrap_or(""),
        wide["width"].as_f64().unwrap_or(0.0).round(),
        wide["column"].as_f64().unwrap_or(0.0).round(),
        wide["text"].as_str().unwrap_or("")
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(160)
        .collect()
}
