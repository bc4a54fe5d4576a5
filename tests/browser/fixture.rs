//! Two small books built as the course's are (`lessons/zh/`, `lessons/en/`, `lessons/img/`,
//! the course's `book.toml`, `scripts/book` and `theme/`), with a clean lesson in each and
//! pages, a print page and a root page broken for each rule (`each_rule_fails_on_a_broken_page`).
//!
//! Every page has its twin in the other book, as the course's have: a page without one would
//! fail the unresolved rule by its picker's link, whatever else it breaks. Most pages are the
//! same Markdown in both books; what breaks a built page that Markdown cannot (an arrow to the
//! other book, a sidebar unfolded, a print page from both books) is a small script on it.

use std::fs;
use std::path::Path;

use super::{copy_dir, repo};

/// A code block of two indented lines too long for a phone, short enough for the desktop.
const WRAPS: &str = "```text\nfn main() {\n    \
                     let words = [\"an indented line of words\", \
                     \"long enough to wrap on a phone\"];\n    \
                     println!(\"{words:?}\");\n}\n```";

/// A code line whose words, joined by punctuation, are longer than a phone's row: it wraps
/// inside one of them unless the page gives it somewhere else to break.
const SPLITS: &str = "```text\n    let reply = \
                      service_client_socket.set_read_timeout(Some(limit)).and_then(|()| \
                      service_client_socket.recv(&mut buffer));\n```";

/// A chart (an SVG image) whose text, 6 px at its own size, is too small wherever it is drawn.
const TINY_CHART: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"60\" \
                          viewBox=\"0 0 300 60\" font-family=\"sans-serif\" font-size=\"6\">\
                          <text x=\"10\" y=\"30\">small print</text></svg>\n";

/// Paragraphs enough to make a section taller than the window at 1280 px, so that a heading
/// scrolled to the top is the only one in the window's upper third.
const FILLER: &str = "A paragraph that fills the section, long enough to take two rows of the \
                      column at 1280 px, so that the next heading is well down the window.\n\n";

/// A chart drawn twice, as the course's are: wide for the desktop, narrow for a phone, with
/// text of 14 px in both.
fn chart(width: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"80\" \
         viewBox=\"0 0 {width} 80\" font-family=\"sans-serif\" font-size=\"14\">\
         <rect x=\"10\" y=\"10\" width=\"{bar}\" height=\"20\" fill=\"#4e79a7\"/>\
         <text x=\"10\" y=\"55\">round trips per second</text></svg>\n",
        bar = width - 20
    )
}

/// `## TITLE {#ID}` and a screenful of [`FILLER`], for each heading.
fn sections(headings: &[(&str, &str)]) -> String {
    headings
        .iter()
        .map(|(title, id)| format!("## {title} {{#{id}}}\n\n{}", FILLER.repeat(12)))
        .collect()
}

/// A script that runs once the page is parsed (after the theme's scripts, at the end of the
/// body, have made the picker), on the page but not in the print page that holds it too.
fn on_page(body: &str) -> String {
    format!(
        "<script>\nif (!location.pathname.endsWith('/print.html')) {{\n  \
         document.addEventListener('DOMContentLoaded', () => {{\n{body}\n  }});\n}}\n</script>\n"
    )
}

/// The clean lesson: every rule's material, none of it broken, in sections for the picker.
fn clean(title: &str) -> String {
    format!(
        "# {title}\n\nA short table, a short code block, and one that wraps on a phone.\n\n\
         | a | b |\n|---|---|\n| 1 | 2 |\n\n```text\nshort\n```\n\n{WRAPS}\n\n{SPLITS}\n\n\
         ```mermaid\nflowchart LR\n    A[\"one\"] --> B[\"two\"]\n```\n\n\
         A wide diagram, which a phone shows at a readable size, to be scrolled sideways.\n\n\
         ```mermaid\nsequenceDiagram\n    participant A as client A\n    \
         participant B as client B\n    participant M as main thread\n    \
         participant T as thread A\n    participant U as thread B\n    \
         A->>M: connect\n    M->>T: accept, then spawn thread A\n    T->>A: the reply\n    \
         B->>U: the second client's message\n```\n\n\
         <picture><source media=\"(max-width: 799px)\" srcset=\"../img/chart-narrow.svg\">\
         <img src=\"../img/chart.svg\" alt=\"a chart\"></picture>\n\n{}[Next](link.md)\n",
        sections(&[("One", "one"), ("Two", "two"), ("Three", "three")])
    )
}

/// The picker's lesson. The English page has a heading more than the Chinese one, and lacks
/// the Chinese one's middle heading: from the middle of either page the picker leads to a
/// heading that is not there or not in the same place. The Chinese page also sends the picker
/// to a heading when the reader has not scrolled.
fn picker(language: &str) -> String {
    if language == "zh" {
        let ids = [
            ("甲", "a"),
            ("乙", "b"),
            ("丙", "c"),
            ("丁", "d"),
            ("戊", "e"),
        ];
        format!(
            "# 第 2 课：换语言\n\n{}{}",
            sections(&ids),
            on_page(
                "    const link = document.querySelector('a.language-switch');\n    \
                 link.addEventListener('click', () => { if (!link.hash) { link.hash = 'a'; } });"
            )
        )
    } else {
        let ids = [("A", "a"), ("X", "x"), ("B", "b"), ("D", "d"), ("E", "e")];
        format!("# Lesson 2: the picker\n\n{}", sections(&ids))
    }
}

/// The print page's chapter. In the Chinese book's print page it prints itself twice (its
/// ids twice), adds the English book's chapter, and says the page is English.
fn printed(language: &str) -> String {
    const ENGLISH: &str = "A page of the English book, whose print page is right.";
    if language == "en" {
        return format!("# Print\n\n{ENGLISH}\n");
    }
    format!(
        "# 打印 {{#printed-zh}}\n\n中文书的一页，它的打印页坏了。\n\n<script>\n\
         if (location.pathname.endsWith('/print.html')) {{\n  \
         document.addEventListener('DOMContentLoaded', () => {{\n    \
         const main = document.querySelector('main');\n    \
         const start = document.getElementById('printed-zh');\n    const chapter = [start];\n    \
         for (let e = start.nextElementSibling; e && !e.matches('div[style*=\"break-before\"]'); \
         e = e.nextElementSibling) {{\n      \
         if (e.matches('h1, p')) {{ chapter.push(e); }}\n    }}\n    \
         const page = () => {{ const d = document.createElement('div'); \
         d.style.breakBefore = 'page'; return d; }};\n    \
         main.append(page(), ...chapter.map((e) => e.cloneNode(true)));\n    \
         const english = document.createElement('div');\n    \
         english.innerHTML = '<h1>Print</h1><p>{ENGLISH}</p>';\n    \
         main.append(page(), ...english.children);\n    \
         document.documentElement.lang = 'en';\n  }});\n}}\n</script>\n"
    )
}

/// The pages that are the same Markdown in both books, by name: one broken for each rule of
/// a page, and the two listings that the lessons' sidebar entries fold over.
fn shared_pages() -> Vec<(&'static str, String)> {
    let mut pages = vec![
        (
            "mermaid",
            "# Mermaid\n\nA `;` inside a message ends the statement.\n\n\
             ```mermaid\nsequenceDiagram\n    A->>B: one; two\n```\n"
                .to_owned(),
        ),
        (
            "link",
            "# Link\n\n[a page that is not there](missing.md)\n".to_owned(),
        ),
        (
            "small",
            "# Small\n\nToo wide to draw at full size.\n\n```mermaid\nflowchart LR\n    \
             A[\"one\"] --> B[\"two\"] --> C[\"three\"] --> D[\"four\"] --> E[\"five\"] --> \
             F[\"six\"] --> G[\"seven\"] --> H[\"eight\"] --> I[\"nine\"] --> J[\"ten\"]\n```\n"
                .to_owned(),
        ),
        (
            "fragment",
            "# Fragment\n\n[a heading that is not there](lesson1.md#nowhere)\n".to_owned(),
        ),
        (
            "outside",
            "# Outside\n\n[the code, outside the book](../../crates/lesson1/src/main.rs)\n"
                .to_owned(),
        ),
        (
            "image",
            "# Image\n\n![a chart that is not there](../img/missing.svg)\n".to_owned(),
        ),
        (
            "console",
            "# Console\n\n<script>console.error('something went wrong');</script>\n".to_owned(),
        ),
        (
            "exception",
            "# Exception\n\n<script>undefinedFunction();</script>\n".to_owned(),
        ),
        (
            "table",
            format!(
                "# Table\n\n| {} | {} |\n|---|---|\n| 1 | 2 |\n",
                "socket2::Socket::set_reuse_address".repeat(4),
                "std::net::TcpListener::bind".repeat(4)
            ),
        ),
        // TOML, which theme/course.css does not wrap (the Rust excerpts wrap on a phone).
        (
            "code",
            format!("# Code\n\n```toml\n{}\n```\n", "x".repeat(200)),
        ),
        // The block as it is without theme/code-lines.js: once that has run, the block's text
        // is put back as one text node.
        (
            "unhung",
            format!(
                "# Unhung\n\n{WRAPS}\n\n<script>\n\
                 document.addEventListener('DOMContentLoaded', () => {{\n  \
                 for (const code of document.querySelectorAll('pre > code')) {{\n    \
                 code.textContent = code.textContent;\n  }}\n}});\n</script>\n"
            ),
        ),
        // Lines as blocks: they still hang, but the copied text gets an empty line after each.
        (
            "copy",
            format!(
                "# Copy\n\n{WRAPS}\n\n\
                 <style>.code-line {{ display: block !important; }}</style>\n"
            ),
        ),
        // Without the theme's breaks at punctuation, the line wraps inside a word.
        (
            "split",
            format!(
                "# Split\n\n{SPLITS}\n\n<script>\n\
                 document.addEventListener('DOMContentLoaded', () => {{\n  \
                 for (const wbr of document.querySelectorAll('code wbr')) {{\n    \
                 wbr.remove();\n  }}\n}});\n</script>\n"
            ),
        ),
        // Mermaid told to write its labels at 6 px.
        (
            "tiny",
            "# Tiny\n\n```mermaid\n\
             %%{init: {\"themeVariables\": {\"fontSize\": \"6px\"}}}%%\nflowchart LR\n    \
             A[\"one\"] --> B[\"two\"]\n```\n"
                .to_owned(),
        ),
        (
            "chart",
            "# Chart\n\n![small print](../img/tiny.svg)\n".to_owned(),
        ),
        // A diagram and a chart whose buttons to open them full screen are hidden.
        (
            "noview",
            "# No view\n\n```mermaid\nflowchart LR\n    A[\"one\"] --> B[\"two\"]\n```\n\n\
             ![a chart](../img/chart-narrow.svg)\n\n\
             <style>.figure-open { display: none; }</style>\n"
                .to_owned(),
        ),
        // Keys do nothing here, as in the book before theme/search.js listened for S and /.
        (
            "nokeys",
            "# No keys\n\n<script>document.addEventListener('keydown', (e) => \
             e.stopImmediatePropagation(), true);</script>\n"
                .to_owned(),
        ),
        // Pagefind indexes the lessons and listings only: the search's pages.
        // A diagram, whose source the book's index leaves out and the fixture's does not.
        (
            "listings/diagram",
            "# Diagram\n\n```mermaid\nsequenceDiagram\n    participant A as client A\n    \
             participant B as client B\n    A->>B: hello\n```\n"
                .to_owned(),
        ),
        // The search marks zebrafish on this page, and the page takes the marks off again.
        (
            "listings/unmarked",
            "# Unmarked\n\nA zebrafish, marked when a search opens this page.\n\n<script>\n\
             document.addEventListener('DOMContentLoaded', () => {\n  \
             for (const mark of document.querySelectorAll('mark')) {\n    \
             mark.replaceWith(...mark.childNodes);\n  }\n});\n</script>\n"
                .to_owned(),
        ),
    ];
    pages.extend(book_breaking_pages());
    pages
}

/// The pages broken in what the books make of them: the language declared, the picker, the
/// arrows to the next and previous chapters, the sidebar's folds.
fn book_breaking_pages() -> Vec<(&'static str, String)> {
    vec![
        // Declares the other book's language.
        (
            "language",
            format!(
                "# Language\n\n{}",
                on_page(
                    "    document.documentElement.lang = \
                     location.pathname.includes('/zh/') ? 'en' : 'zh';"
                )
            ),
        ),
        // No picker.
        (
            "switch",
            format!(
                "# Switch\n\n{}",
                on_page("    document.querySelector('a.language-switch').remove();")
            ),
        ),
        // The desktop's next arrow and a phone's previous arrow lead to the other book.
        (
            "crossing",
            format!(
                "# Crossing\n\n{}",
                on_page(
                    "    const other = location.pathname.includes('/zh/') ? 'en' : 'zh';\n    \
                     for (const a of document.querySelectorAll(\
                     'a.nav-chapters.next, a.mobile-nav-chapters.previous')) {\n      \
                     a.href = `../${other}/lesson1.html`;\n    }"
                )
            ),
        ),
        // Every entry unfolded, and no toggles to fold them.
        (
            "unfolded",
            format!(
                "# Unfolded\n\n{}",
                on_page(
                    "    const sidebar = document.getElementById('mdbook-sidebar');\n    \
                     for (const item of sidebar.querySelectorAll('li')) {\n      \
                     item.classList.add('expanded');\n    }\n    \
                     for (const fold of sidebar.querySelectorAll('.chapter-fold-toggle')) {\n      \
                     fold.remove();\n    }"
                )
            ),
        ),
    ]
}

/// The root page, broken: `bookFor` takes the first language as written for a folder
/// (`zh-cn/`, `en-us/`, which are not there), and `?stay` links to the English book only.
const BROKEN_ROOT: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
    <title>fixture</title>\n<script>\nfunction bookFor(languages) {\n    \
    return String(languages[0]).toLowerCase() + \"/\";\n}\n\
    if (!new URLSearchParams(window.location.search).has(\"stay\")) {\n    \
    window.location.replace(bookFor(navigator.languages || [navigator.language || \"\"]));\n}\n\
    </script>\n</head>\n<body>\n<h1>fixture</h1>\n<ul><li><a href=\"en/\">English</a></li></ul>\n\
    </body>\n</html>\n";

/// `scripts/book` without its exclusion of diagrams from the index, as it was before: the
/// fixture's excerpts then show the source of the lessons' sequence diagrams.
fn book_script_indexing_diagrams() -> std::io::Result<String> {
    let script = fs::read_to_string(repo().join("scripts/book"))?;
    let exclusion = "--exclude-selectors \"pre.mermaid\" ";
    assert!(
        script.contains(exclusion),
        "scripts/book no longer passes {exclusion}to pagefind: update the fixture"
    );
    Ok(script.replace(exclusion, ""))
}

/// One book's sources: its lessons (lesson 1 clean, lesson 2 the picker's; the Chinese
/// sidebar numbers lesson 2 as lesson 3), each lesson with a listing folded under it, then the
/// broken pages.
fn write_book(src: &Path, language: &str) -> std::io::Result<()> {
    fs::create_dir_all(src.join("listings"))?;
    let (first, second) = if language == "zh" {
        ("第 1 课：干净的一页", "第 3 课：换语言")
    } else {
        ("Lesson 1: a clean page", "Lesson 2: the picker")
    };
    fs::write(src.join("lesson1.md"), clean(first))?;
    fs::write(src.join("lesson2.md"), picker(language))?;
    fs::write(src.join("printed.md"), printed(language))?;
    let mut summary = format!(
        "# Summary\n\n- [{first}](lesson1.md)\n  - [diagram](listings/diagram.md)\n\
         - [{second}](lesson2.md)\n  - [unmarked](listings/unmarked.md)\n- [printed](printed.md)\n"
    );
    for (name, text) in shared_pages() {
        fs::write(src.join(format!("{name}.md")), text)?;
        if !name.starts_with("listings/") {
            summary.push_str(&format!("- [{name}]({name}.md)\n"));
        }
    }
    fs::write(src.join("SUMMARY.md"), summary)
}

/// The two books' sources in `dir`, with the course's configuration, script and theme, and
/// the broken root page as `scripts/book-index.html`.
pub(super) fn write(dir: &Path) -> std::io::Result<()> {
    for language in ["zh", "en"] {
        write_book(&dir.join("lessons").join(language), language)?;
    }
    let img = dir.join("lessons/img");
    fs::create_dir_all(&img)?;
    fs::write(img.join("tiny.svg"), TINY_CHART)?;
    fs::write(img.join("chart.svg"), chart(600))?;
    fs::write(img.join("chart-narrow.svg"), chart(300))?;
    fs::create_dir_all(dir.join("scripts"))?;
    fs::write(dir.join("scripts/book"), book_script_indexing_diagrams()?)?;
    fs::write(dir.join("scripts/book-index.html"), BROKEN_ROOT)?;
    // The same theme and configuration as the course's books, so that a rule fails for what
    // the fixture breaks only.
    copy_dir(&repo().join("theme"), &dir.join("theme"))?;
    fs::copy(repo().join("book.toml"), dir.join("book.toml"))?;
    Ok(())
}
