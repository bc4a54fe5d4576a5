//! Each book's search as a reader uses it (`theme/search.js` over the book's own Pagefind
//! index): what it finds and in what order, what its excerpts show, the keys that open it, and
//! the marks on the page a result opens.
//!
//! - **search**: a term finds nothing, or a result is a page that is not served;
//! - **ranking**: a term's first result is not the page that teaches it ([`CASES`]), in the
//!   ranking `courseSearch.rank` gives or in the box the reader types into; or a Chinese term's
//!   result whose excerpt does not hold the term as written (粘包 finding 包括);
//! - **excerpt**: an excerpt that shows a diagram's source (`participant A as …`, `-->`);
//! - **keys**: S or / pressed outside an input does not open the box with the focus in it;
//! - **highlight**: the page a result opens does not mark the searched term.

use serde_json::Value;

use super::cdp::Browser;
use super::serve::{self, Server};
use super::{Rule, event_problems};

/// Where the search is tried: a page of each language, the page whose keys are pressed, and
/// the term whose first result is opened to look for its marks.
pub(super) struct Plan<'a> {
    pub zh_page: &'a str,
    pub en_page: &'a str,
    pub keys_page: &'a str,
    pub highlight_term: &'a str,
}

/// A term a reader searches for, in which language's pages, the pages that may come first
/// (empty: any), and whether it must find anything.
struct Case {
    language: &'static str,
    term: &'static str,
    first: &'static [&'static str],
    finds: bool,
}

/// What readers look for, and the page that teaches it. TIME_WAIT has two homes: where it comes
/// from (lesson 3) and the rule about it (lesson 5, rule 12). "participant" begins every line
/// of a sequence diagram's source (and is in some prose), so it tries the excerpt rule.
const CASES: &[Case] = &[
    Case {
        language: "zh",
        term: "半关闭",
        first: &["zh/lesson5.html"],
        finds: true,
    },
    Case {
        language: "zh",
        term: "粘包",
        first: &["zh/lesson6.html"],
        finds: true,
    },
    Case {
        language: "zh",
        term: "套接字",
        first: &[],
        finds: true,
    },
    Case {
        language: "zh",
        term: "TIME_WAIT",
        first: &["zh/lesson3.html", "zh/lesson5.html"],
        finds: true,
    },
    Case {
        language: "zh",
        term: "Exercise 7",
        first: &["zh/listings/exercise7.html"],
        finds: true,
    },
    Case {
        language: "en",
        term: "half-close",
        first: &["en/lesson5.html"],
        finds: true,
    },
    // Each book has its own exercise pages, with the same bilingual title: an English reader
    // gets the English book's.
    Case {
        language: "en",
        term: "Exercise 7",
        first: &["en/listings/exercise7.html"],
        finds: true,
    },
    Case {
        language: "en",
        term: "TIME_WAIT",
        first: &["en/lesson3.html", "en/lesson5.html"],
        finds: true,
    },
    Case {
        language: "en",
        term: "participant",
        first: &[],
        finds: false,
    },
];

/// Words of a diagram's source, which no excerpt may show.
const DIAGRAM_SOURCE: &[&str] = &[
    "participant ",
    "-->",
    "->>",
    "sequenceDiagram",
    "flowchart ",
];

/// One result as the search gave it: the page's path in the book and the excerpt's text.
struct Hit {
    path: String,
    excerpt: String,
}

pub(super) fn problems(
    browser: &mut Browser,
    server: &Server,
    plan: &Plan,
) -> Result<Vec<(Rule, String)>, String> {
    let mut found = Vec::new();
    for case in CASES {
        let page = if case.language == "zh" {
            plan.zh_page
        } else {
            plan.en_page
        };
        found.extend(case_problems(browser, server, page, case)?);
    }
    found.extend(keys_problems(browser, server, plan.keys_page)?);
    found.extend(highlight_problems(
        browser,
        server,
        plan.zh_page,
        plan.highlight_term,
    )?);
    Ok(found)
}

/// The case's ranking from the page's API, then from its search box, with every rule applied.
fn case_problems(
    browser: &mut Browser,
    server: &Server,
    page: &str,
    case: &Case,
) -> Result<Vec<(Rule, String)>, String> {
    let mut found = Vec::new();
    for (how, script) in [("ranked", RANK), ("in the box", BOX)] {
        browser.load(&server.url(&format!("/{page}")))?;
        let (result, events) = browser.evaluate(&script.replace("TERM", &js_string(case.term)))?;
        let term = format!("{} ({how}, {page})", case.term);
        for (rule, detail) in event_problems(&events) {
            found.push((Rule::Search, format!("{term}: {rule}: {detail}")));
        }
        if let Some(error) = result["error"].as_str() {
            found.push((Rule::Search, format!("{term}: {error}")));
            continue;
        }
        let hits = hits_of(&result);
        // The ranking a reader gets (`--nocapture` shows it).
        let order: Vec<&str> = hits.iter().take(5).map(|h| h.path.as_str()).collect();
        println!("search {term}: {}", order.join(", "));
        found.extend(hit_problems(server, case, &term, &hits));
    }
    Ok(found)
}

fn hits_of(result: &Value) -> Vec<Hit> {
    result["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|hit| Hit {
            path: hit["path"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches('/')
                .to_owned(),
            excerpt: hit["excerpt"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}

fn hit_problems(server: &Server, case: &Case, term: &str, hits: &[Hit]) -> Vec<(Rule, String)> {
    let mut found = Vec::new();
    let Some(first) = hits.first() else {
        let rule = if case.first.is_empty() {
            Rule::Search
        } else {
            Rule::Ranking
        };
        if case.finds {
            found.push((rule, format!("{term}: no results")));
        }
        return found;
    };
    if !case.first.is_empty() && !case.first.contains(&first.path.as_str()) {
        let order: Vec<&str> = hits.iter().take(5).map(|h| h.path.as_str()).collect();
        found.push((
            Rule::Ranking,
            format!(
                "{term}: expected {} first, got {}",
                case.first.join(" or "),
                order.join(", ")
            ),
        ));
    }
    let chinese = case
        .term
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for hit in hits {
        if serve::status(&server.url(&format!("/{}", hit.path))) != Ok(200) {
            found.push((
                Rule::Search,
                format!("{term}: the result {} is not served", hit.path),
            ));
        }
        if chinese && !hit.excerpt.contains(case.term) {
            found.push((
                Rule::Ranking,
                format!(
                    "{term}: {} shows no {} in its excerpt: {}",
                    hit.path, case.term, hit.excerpt
                ),
            ));
        }
        if let Some(word) = DIAGRAM_SOURCE.iter().find(|w| hit.excerpt.contains(**w)) {
            found.push((
                Rule::Excerpt,
                format!(
                    "{term}: {}'s excerpt shows diagram source ({word:?}): {}",
                    hit.path, hit.excerpt
                ),
            ));
        }
    }
    found
}

/// S and /, pressed on the page with nothing focused, each open the box with the focus in it.
fn keys_problems(
    browser: &mut Browser,
    server: &Server,
    page: &str,
) -> Result<Vec<(Rule, String)>, String> {
    let mut found = Vec::new();
    for key in ["s", "/"] {
        browser.load(&server.url(&format!("/{page}")))?;
        let (result, _) = browser.evaluate(&KEYS.replace("KEY", &js_string(key)))?;
        if result["focused"] != true {
            found.push((
                Rule::Keys,
                format!(
                    "pressing {key:?} on {page} did not focus the search box: {}",
                    result["what"]
                ),
            ));
        }
    }
    Ok(found)
}

/// The box's first result for `term`, opened as a reader would, marks the term on its page.
fn highlight_problems(
    browser: &mut Browser,
    server: &Server,
    page: &str,
    term: &str,
) -> Result<Vec<(Rule, String)>, String> {
    browser.load(&server.url(&format!("/{page}")))?;
    let (result, _) = browser.evaluate(&BOX.replace("TERM", &js_string(term)))?;
    let Some(link) = result["hits"][0]["href"].as_str() else {
        return Ok(vec![(
            Rule::Highlight,
            format!("{term}: no result to open"),
        )]);
    };
    browser.load(link)?;
    let (marks, _) = browser.evaluate(MARKS)?;
    let marked = marks["texts"].as_array().into_iter().flatten();
    let wanted = term.to_lowercase();
    if !marked
        .clone()
        .any(|t| t.as_str().is_some_and(|t| t.to_lowercase() == wanted))
    {
        return Ok(vec![(
            Rule::Highlight,
            format!(
                "{term}: {link} opened with no mark on {term}; marks: {}",
                marks["texts"]
            ),
        )]);
    }
    if marks["firstVisible"] != true && !link.contains('#') {
        return Ok(vec![(
            Rule::Highlight,
            format!("{term}: {link}: the first mark is off screen"),
        )]);
    }
    Ok(Vec::new())
}

/// Loads `page` and types `term` into its search box, to be looked at.
pub(super) fn show_box(
    browser: &mut Browser,
    server: &Server,
    page: &str,
    term: &str,
) -> Result<(), String> {
    browser.load(&server.url(&format!("/{page}")))?;
    browser.evaluate(&BOX.replace("TERM", &js_string(term)))?;
    Ok(())
}

/// `term` as a JavaScript string literal.
fn js_string(term: &str) -> String {
    serde_json::to_string(term).expect("a string serializes to JSON")
}

/// The page's own ranking (theme/search.js over Pagefind's API): each result's path and the
/// excerpt's text.
const RANK: &str = r#"(async () => {
  try {
    if (!window.courseSearch) { return { error: 'no courseSearch on the page (theme/search.js)' }; }
    const results = await window.courseSearch.rank(TERM);
    const text = (html) => {
      const d = document.createElement('div');
      d.innerHTML = html;
      return d.textContent;
    };
    return { hits: results.map((r) => ({
      path: new URL(r.url, location.href).pathname, excerpt: text(r.excerpt) })) };
  } catch (error) {
    return { error: String(error) };
  }
})()"#;

/// The reader's way: open the search box, type TERM, wait for its answer, read the list.
const BOX: &str = r#"(async () => {
  const until = Date.now() + 20000;
  const wait = async (found) => {
    while (!found() && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return found();
  };
  const toggle = document.getElementById('course-search-toggle');
  if (!toggle) { return { error: 'no search button in the menu bar' }; }
  toggle.click();
  const input = await wait(() => document.querySelector('#course-search input'));
  if (!input) { return { error: 'the search box did not open' }; }
  input.value = TERM;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const status = document.querySelector('#course-search .course-search-status');
  if (!await wait(() => status && status.textContent !== '')) {
    return { error: 'the search box gave no answer within 20 s' };
  }
  const items = [...document.querySelectorAll('#course-search .course-search-result')];
  return { hits: items.map((item) => {
    const link = item.querySelector('a');
    return { path: new URL(link.href).pathname, href: link.href,
             excerpt: item.querySelector('p').textContent };
  }) };
})()"#;

/// Presses KEY with the focus on the page's body; says whether the search box took the focus.
const KEYS: &str = r#"(async () => {
  document.activeElement && document.activeElement.blur();
  const key = KEY;
  const press = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  document.body.dispatchEvent(press);
  const until = Date.now() + 5000;
  const focused = () =>
    document.activeElement && document.activeElement.id === 'course-search-input';
  while (!focused() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const box = document.getElementById('course-search');
  return { focused: focused() && box && !box.hidden,
           what: document.activeElement ? document.activeElement.tagName : null };
})()"#;

/// The marks the search left on the opened page, and whether the first is on screen.
const MARKS: &str = r#"(() => {
  const marks = [...document.querySelectorAll('main mark.course-hit')];
  const first = marks[0] && marks[0].getBoundingClientRect();
  return { texts: marks.map((m) => m.textContent),
           firstVisible: !!first && first.bottom > 0 && first.top < innerHeight };
})()"#;
