//! The two books, one per language (`scripts/book` builds `zh/` and `en/`), as a reader moves
//! in them and between them: the **crossing**, **picker**, **root**, **print** and **fold**
//! rules of the module above.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::cdp::Browser;
use super::serve::Server;

/// The books' folders.
pub(super) const BOOKS: [&str; 2] = ["zh", "en"];

/// The book a page is in: `zh` for `zh/listings/lesson1.html`; none for the root's page.
pub(super) fn book_of(page: &str) -> Option<&'static str> {
    BOOKS.into_iter().find(|book| {
        page.strip_prefix(book)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

fn other_book(book: &str) -> &'static str {
    if book == "zh" { "en" } else { "zh" }
}

/// The same page in the other book: `en/lesson5.html` for `zh/lesson5.html`.
fn twin_of(page: &str) -> Option<String> {
    let book = book_of(page)?;
    Some(format!("{}{}", other_book(book), &page[book.len()..]))
}

/// What the page says about one chapter: its first `<h1>`, and a hash of the text of its
/// headings `<h1>` and paragraphs, which tells the same chapter in the print page (the same
/// Markdown) from another, and a chapter from its twin (other words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Chapter {
    pub title: String,
    pub hash: String,
}

impl Chapter {
    fn of(value: &Value) -> Option<Chapter> {
        Some(Chapter {
            title: value["title"].as_str()?.to_owned(),
            hash: value["hash"].as_str()?.to_owned(),
        })
    }
}

/// `fingerprint(nodes)`: the [`Chapter`] that these elements of a page make. Not the text of
/// diagrams (Mermaid draws its labels as `<p>`, later on one page than on another) nor code.
const FINGERPRINT: &str = r#"
  const fingerprint = (nodes) => {
    const parts = [];
    let title = null;
    for (const node of nodes) {
      for (const e of [node, ...node.querySelectorAll('h1, p')]) {
        if (!e.matches('h1, p') || e.closest('svg, pre')) { continue; }
        const text = e.textContent.replace(/\s+/g, ' ').trim();
        if (title === null && e.matches('h1')) { title = text; }
        parts.push(text);
      }
    }
    const whole = parts.join('\n');
    let hash = 0x811c9dc5;
    for (let i = 0; i < whole.length; i += 1) {
      hash = Math.imul(hash ^ whole.charCodeAt(i), 0x01000193) >>> 0;
    }
    return { title: title || '', hash: `${hash.toString(16)}-${whole.length}` };
  };
"#;

/// What the rules below need of each page: mdBook's previous and next arrows, the sidebar's
/// entries that have entries under them, and the page's [`Chapter`].
const PAGE: &str = r#"(() => {
  FINGERPRINT
  const text = (e) => e.textContent.replace(/\s+/g, ' ').trim();
  const nav = [...document.querySelectorAll('a.nav-chapters, a.mobile-nav-chapters')].map((a) => ({
    what: `${a.classList.contains('mobile-nav-chapters') ? 'mobile' : 'desktop'} `
      + `${a.classList.contains('next') ? 'next' : 'previous'}`,
    url: a.href,
  }));
  const box = document.querySelector('#mdbook-sidebar .sidebar-scrollbox');
  const active = box && box.querySelector('a.active');
  // By the style, not by what is on screen: a phone's sidebar is hidden, folded or not.
  const hidden = (e) => !e || getComputedStyle(e).display === 'none';
  const folds = [];
  for (const item of box ? box.querySelectorAll('li.chapter-item') : []) {
    const children = item.querySelector(':scope > ol.section');
    if (!children || !children.querySelector(':scope > li.chapter-item')) { continue; }
    const link = item.querySelector(':scope > span > a:not(.chapter-fold-toggle)');
    folds.push({
      entry: link ? text(link) : item.innerText.trim().split('\n')[0],
      toggle: !hidden(item.querySelector(':scope > span > .chapter-fold-toggle')),
      open: !!active && item.contains(active),
      folded: hidden(children),
    });
  }
  const main = document.querySelector('main');
  return { nav, folds, chapter: main ? fingerprint([...main.children]) : null };
})()"#;

/// The facts of [`PAGE`], measured on the loaded page.
pub(super) fn page_facts(browser: &mut Browser) -> Result<Value, String> {
    Ok(browser
        .evaluate(&PAGE.replace("FINGERPRINT", FINGERPRINT))?
        .0)
}

/// The page's [`Chapter`], from its [`page_facts`].
pub(super) fn chapter_of(facts: &Value) -> Option<Chapter> {
    Chapter::of(&facts["chapter"])
}

/// **crossing**: mdBook's arrows to the previous and next chapter (the desktop's at the sides,
/// a phone's under the text) lead to a page of the page's own book.
pub(super) fn crossing_problems(page: &str, facts: &Value, server: &Server) -> Vec<String> {
    let Some(book) = book_of(page) else {
        return Vec::new();
    };
    let inside = server.url(&format!("/{book}/"));
    facts["nav"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let url = link["url"].as_str().unwrap_or("");
            (!url.starts_with(&inside)).then(|| {
                let what = link["what"].as_str().unwrap_or("");
                format!("the {what} chapter arrow leaves the {book}/ book: {url}")
            })
        })
        .collect()
}

/// **fold**: each sidebar entry with entries under it (a lesson's program and tests) has a
/// toggle, and is folded unless the open page is it or under it.
pub(super) fn fold_problems(page: &str, facts: &Value) -> Vec<String> {
    if book_of(page).is_none() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for fold in facts["folds"].as_array().into_iter().flatten() {
        let entry = fold["entry"].as_str().unwrap_or("");
        if fold["toggle"] != true {
            found.push(format!(
                "\"{entry}\" has entries under it but no fold toggle"
            ));
        }
        match (fold["open"] == true, fold["folded"] == true) {
            (false, false) => found.push(format!(
                "\"{entry}\" is unfolded, though the open page is not under it"
            )),
            (true, true) => found.push(format!(
                "\"{entry}\" is folded, though the open page is under it"
            )),
            _ => {}
        }
    }
    found
}

/// The pages whose picker is followed: each book's lessons and contents page.
pub(super) fn picker_is_followed(page: &str) -> bool {
    let Some(book) = book_of(page) else {
        return false;
    };
    let file = &page[book.len() + 1..];
    file == "README.html"
        || file
            .strip_prefix("lesson")
            .and_then(|rest| rest.strip_suffix(".html"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Waits until the page has stopped moving (diagrams drawn, figures framed, images and fonts
/// in), as the page measurements do: a diagram drawn late moves every heading under it.
const SETTLE: &str = r#"
  const until = Date.now() + 30000;
  const moving = () => document.querySelectorAll('pre.mermaid:not([data-processed])').length > 0
    || (document.querySelector('script[src*="figures"]')
      && document.documentElement.dataset.figures !== 'ready')
    || [...document.images].some((image) => !image.complete);
  while (moving() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (document.fonts) { await document.fonts.ready; }
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  await frame();
  await frame();
  const headings = () => [...document.querySelectorAll('main :is(h2, h3, h4, h5, h6)[id]')];
"#;

/// Scrolls the middle heading of the page to the top of the window, and says which heading
/// the reader is then reading: the last whose top is in the upper third of the window.
const SCROLL: &str = r#"(async () => {
  SETTLE
  const all = headings();
  if (all.length === 0) { return { ids: [] }; }
  const middle = Math.floor(all.length / 2);
  window.scrollTo(0, window.scrollY + all[middle].getBoundingClientRect().top);
  await frame();
  await frame();
  const read = all.filter((h) => h.getBoundingClientRect().top <= innerHeight / 3).pop();
  return { ids: all.map((h) => h.id), middle: all[middle].id, reading: read ? read.id : '' };
})()"#;

/// Follows the picker as a reader's click does (the pointer goes down on it, then it is
/// clicked), on the page as it is.
const CLICK: &str = r#"(() => {
  const link = document.querySelector('a.language-switch');
  if (!link) { return { error: 'no picker (a.language-switch) on the page' }; }
  link.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
  link.click();
  return { navigating: true };
})()"#;

/// Where the picker led: the page, its fragment, its headings, and whether the fragment
/// names an element.
const LANDED: &str = r#"(async () => {
  SETTLE
  const hash = decodeURIComponent(location.hash.slice(1));
  return { path: location.pathname, hash, ids: headings().map((h) => h.id),
           exists: hash !== '' && document.getElementById(hash) !== null,
           scrolled: window.scrollY };
})()"#;

/// **picker**: from the middle of `page` (a heading scrolled to the top) the picker leads to
/// the twin page at the same heading, which is there and the same in the order of its
/// headings; from the top of the page it leads to the twin's top.
pub(super) fn picker_problems(
    browser: &mut Browser,
    server: &Server,
    page: &str,
) -> Result<Vec<String>, String> {
    let twin = twin_of(page).ok_or_else(|| format!("{page} is in no book"))?;
    let url = server.url(&format!("/{page}"));
    let mut found = Vec::new();
    browser.load(&url)?;
    let (read, _) = browser.evaluate(&SCROLL.replace("SETTLE", SETTLE))?;
    let ids = strings(&read["ids"]);
    if !ids.is_empty() {
        match follow_picker(browser)? {
            Err(error) => found.push(error),
            Ok(landed) => found.extend(middle_problems(&twin, &read, &ids, &landed)),
        }
    }
    browser.load(&url)?;
    match follow_picker(browser)? {
        Err(error) => found.push(format!("from the top of the page: {error}")),
        Ok(landed) => found.extend(top_problems(&twin, &landed)),
    }
    Ok(found)
}

/// Clicks the picker and waits for the page it leads to: that page's [`LANDED`] facts, or
/// what kept the click from leading anywhere.
fn follow_picker(browser: &mut Browser) -> Result<Result<Value, String>, String> {
    let (clicked, _) = browser.follow(CLICK)?;
    if let Some(error) = clicked["error"].as_str() {
        return Ok(Err(error.to_owned()));
    }
    Ok(Ok(browser.evaluate(&LANDED.replace("SETTLE", SETTLE))?.0))
}

/// What is wrong with where the picker led from the heading being read.
fn middle_problems(twin: &str, read: &Value, ids: &[String], landed: &Value) -> Vec<String> {
    let reading = read["reading"].as_str().unwrap_or("");
    let path = landed["path"].as_str().unwrap_or("");
    let hash = landed["hash"].as_str().unwrap_or("");
    let from = format!(
        "scrolled to #{} (reading #{reading})",
        read["middle"].as_str().unwrap_or("")
    );
    let mut found = Vec::new();
    if path != format!("/{twin}") {
        found.push(format!("{from}, the picker led to {path}, not /{twin}"));
    }
    if hash != reading {
        found.push(format!("{from}, the picker led to #{hash}, not #{reading}"));
    }
    if hash.is_empty() {
        return found;
    }
    if landed["exists"] != true {
        found.push(format!("{from}: no element with id \"{hash}\" on {twin}"));
        return found;
    }
    let there = strings(&landed["ids"]);
    let here_at = ids.iter().position(|id| id == hash);
    let there_at = there.iter().position(|id| id == hash);
    if here_at != there_at {
        let place = |at: Option<usize>, of: usize| {
            at.map_or(format!("not a heading of {of}"), |k| {
                format!("heading {} of {of}", k + 1)
            })
        };
        found.push(format!(
            "{from}: #{hash} is {} here but {} on {twin}",
            place(here_at, ids.len()),
            place(there_at, there.len())
        ));
    }
    found
}

/// What is wrong with where the picker led from the top of the page.
fn top_problems(twin: &str, landed: &Value) -> Vec<String> {
    let path = landed["path"].as_str().unwrap_or("");
    let hash = landed["hash"].as_str().unwrap_or("");
    let mut found = Vec::new();
    if path != format!("/{twin}") {
        found.push(format!(
            "from the top of the page, the picker led to {path}, not /{twin}"
        ));
    }
    if !hash.is_empty() {
        found.push(format!(
            "from the top of the page, the picker led to #{hash}, not to the top of {twin}"
        ));
    } else if landed["scrolled"].as_f64().unwrap_or(0.0) > 1.0 {
        found.push(format!(
            "from the top of the page, {twin} opened scrolled by {} px",
            landed["scrolled"]
        ));
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The languages a browser may prefer, and the book the root page must choose for them.
const CHOICES: &[(&[&str], &str)] = &[
    (&["zh-CN"], "zh/"),
    (&["zh-TW", "en"], "zh/"),
    (&["en-US"], "en/"),
    (&["fr", "en-GB"], "en/"),
    (&["fr"], "zh/"),
];

/// The root page with `?stay`: its `bookFor` for each of [`CHOICES`] and where its links go.
const ROOT: &str = r#"(() => ({
  chosen: typeof bookFor === 'function' ? CHOICES.map((languages) => String(bookFor(languages)))
    : null,
  links: [...document.querySelectorAll('a[href]')].filter((a) => a.getClientRects().length > 0)
    .map((a) => new URL(a.href).pathname),
}))()"#;

/// **root**: the root page chooses the book of the reader's languages, sends the browser to a
/// page of a book, and with `?stay` offers both.
pub(super) fn root_problems(browser: &mut Browser, server: &Server) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    browser.load(&server.url("/index.html?stay"))?;
    let choices: Vec<Vec<&str>> = CHOICES.iter().map(|(l, _)| l.to_vec()).collect();
    let choices = serde_json::to_string(&choices).map_err(|e| e.to_string())?;
    let (root, _) = browser.evaluate(&ROOT.replace("CHOICES", &choices))?;
    match root["chosen"].as_array() {
        None => found.push("index.html defines no function bookFor".to_owned()),
        Some(chosen) => {
            for ((languages, wanted), got) in CHOICES.iter().zip(chosen) {
                if got.as_str() != Some(wanted) {
                    found.push(format!("bookFor({languages:?}) is {got}, not \"{wanted}\""));
                }
            }
        }
    }
    let links = strings(&root["links"]);
    for book in BOOKS {
        let folder = format!("/{book}/");
        if !links
            .iter()
            .any(|l| *l == folder || *l == format!("{folder}index.html"))
        {
            found.push(format!(
                "index.html?stay shows no link to the {book}/ book; its links: {links:?}"
            ));
        }
    }
    browser.load(&server.url("/index.html"))?;
    let (path, book_page) = settled_location(browser)?;
    if !(book_page && BOOKS.iter().any(|b| path.starts_with(&format!("/{b}/")))) {
        found.push(format!(
            "loading /index.html landed on {path}, which is no page of either book"
        ));
    }
    Ok(found)
}

/// Where the tab is once the root page has sent it on (it replaces itself while it loads), and
/// whether that is a page of a book (mdBook's, which sets `path_to_root`): each look that finds
/// the tab still on its way waits for the next page's `load` event.
fn settled_location(browser: &mut Browser) -> Result<(String, bool), String> {
    let script = "({ path: location.pathname, ready: document.readyState === 'complete', \
                  book: typeof path_to_root !== 'undefined' })";
    let mut last = (String::new(), false);
    // A redirection that goes on more than a few times is a loop: report where it was.
    for _ in 0..5 {
        // Err: a page being replaced has no context to run a script in.
        if let Ok((now, events)) = browser.evaluate(script) {
            last = (
                now["path"].as_str().unwrap_or("").to_owned(),
                now["book"] == true,
            );
            if now["ready"] == true && last.0 != "/index.html" {
                break;
            }
            if events.iter().any(|e| e["method"] == "Page.loadEventFired") {
                continue;
            }
        }
        // A root page that stays where it is never loads another: where it stayed is the
        // answer.
        if browser.wait_for_load().is_err() {
            break;
        }
    }
    Ok(last)
}

/// A book's print page: its language, its chapters (the parts of its `<main>` between the
/// page breaks mdBook puts between chapters), its sidebar's links and its ids on more than
/// one element (a link to one leads to the first, maybe in another chapter).
const PRINT: &str = r#"(() => {
  FINGERPRINT
  const main = document.querySelector('main');
  const chapters = [[]];
  for (const node of main ? main.children : []) {
    if (node.matches('div[style*="break-before"]')) {
      chapters.push([]);
    } else {
      chapters[chapters.length - 1].push(node);
    }
  }
  // Not the ids inside Mermaid's drawings, which it names by the diagram's own names (node A
  // of every flowchart is flowchart-A-0, on a page of two diagrams too) and no link aims at.
  const counts = new Map();
  for (const e of document.querySelectorAll('[id]')) {
    if (!e.closest('pre.mermaid')) { counts.set(e.id, (counts.get(e.id) || 0) + 1); }
  }
  const sidebar = [...document.querySelectorAll(
    '#mdbook-sidebar .sidebar-scrollbox a[href]:not(.chapter-fold-toggle)')].map((a) => a.href);
  return {
    lang: document.documentElement.lang,
    chapters: chapters.filter((c) => c.length > 0).map(fingerprint),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`),
    sidebar,
  };
})()"#;

/// **print**: `book`'s print page declares the book's language, holds each chapter of its
/// sidebar once and no chapter of the other book, and gives no id to two elements.
/// `chapters` are the [`Chapter`]s of every page loaded, by path.
pub(super) fn print_problems(
    browser: &mut Browser,
    server: &Server,
    book: &str,
    chapters: &BTreeMap<String, Chapter>,
) -> Result<Vec<String>, String> {
    browser.load(&server.url(&format!("/{book}/print.html")))?;
    let (print, _) = browser.evaluate(&PRINT.replace("FINGERPRINT", FINGERPRINT))?;
    let mut found = Vec::new();
    let lang = print["lang"].as_str().unwrap_or("");
    if lang.split('-').next() != Some(book) {
        found.push(format!(
            "<html lang=\"{lang}\"> on the {book}/ book's print page"
        ));
    }
    let printed: Vec<Chapter> = print["chapters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Chapter::of)
        .collect();
    let own = sidebar_pages(server, book, &print["sidebar"]);
    for page in &own {
        let Some(chapter) = chapters.get(page) else {
            found.push(format!("the sidebar's {page} was never loaded"));
            continue;
        };
        let times = printed.iter().filter(|p| p.hash == chapter.hash).count();
        if times != 1 {
            found.push(format!(
                "{page} (\"{}\") is printed {times} times",
                chapter.title
            ));
        }
    }
    found.extend(strangers(book, &own, &printed, chapters));
    let duplicates = strings(&print["duplicates"]);
    if !duplicates.is_empty() {
        found.push(format!(
            "{} id(s) on more than one element: {}",
            duplicates.len(),
            duplicates
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(found)
}

/// The printed chapters that are none of the book's own pages: the other book's, or nobody's.
fn strangers(
    book: &str,
    own: &BTreeSet<String>,
    printed: &[Chapter],
    chapters: &BTreeMap<String, Chapter>,
) -> Vec<String> {
    let ours: BTreeSet<&str> = own
        .iter()
        .filter_map(|page| chapters.get(page))
        .map(|c| c.hash.as_str())
        .collect();
    let mut found = Vec::new();
    for chapter in printed.iter().filter(|c| !ours.contains(c.hash.as_str())) {
        let theirs = chapters
            .iter()
            .find(|(page, c)| c.hash == chapter.hash && book_of(page) == Some(other_book(book)));
        found.push(match theirs {
            Some((page, _)) => format!(
                "a chapter of the other book is printed: {page} (\"{}\")",
                chapter.title
            ),
            None => format!(
                "a printed chapter is none of the sidebar's pages: \"{}\"",
                chapter.title
            ),
        });
    }
    found
}

/// The pages of `book` that its sidebar links to, as paths in the site (`zh/lesson1.html`).
fn sidebar_pages(server: &Server, book: &str, links: &Value) -> BTreeSet<String> {
    let root = server.url("/");
    strings(links)
        .iter()
        .filter_map(|url| url.strip_prefix(&root))
        .filter(|page| !page.contains('#') && book_of(page) == Some(book))
        .map(str::to_owned)
        .collect()
}
