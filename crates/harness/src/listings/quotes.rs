//! The sentences of a page that cite tests: read with pulldown-cmark and mdBook's options, so
//! that a heading's id, a code span and a link are here what they are in the book.

use std::collections::HashSet;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One sentence of a page (or, where `;` splits it, one clause) that cites tests, as Markdown
/// fit to quote on another page: its citations and links taken out, its code spans kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The page, from the workspace root (`lessons/zh/lesson2.md`).
    pub page: String,
    /// What to call the page: its title up to the colon (`第 2 课`, `Lesson 2`).
    pub page_label: String,
    /// The heading the sentence is under (level 2 or deeper), if any: its text as Markdown and
    /// the id mdBook gives it.
    pub section: Option<(String, String)>,
    pub text: String,
    /// The tests it cites, `(module, function)`, in order.
    pub cites: Vec<(String, String)>,
}

/// The options mdBook 0.5 parses a page with (`mdbook-markdown`'s `new_cmark_parser`, with
/// its defaults): its heading ids come from the text these make.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// A piece of a block's inline content.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Code(String),
    Cite(String, String),
}

/// A citation written as a link: `` [test: `MODULE::FN`](…) ``, parsed from the link's text.
fn citation_in(text: &[Piece]) -> Option<(String, String)> {
    let [Piece::Text(label), Piece::Code(name)] = text else {
        return None;
    };
    (label.trim() == "test:").then_some(())?;
    let (module, function) = name.split_once("::")?;
    let identifier =
        |word: &str| !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '_');
    (identifier(module) && identifier(function)).then(|| (module.to_owned(), function.to_owned()))
}

/// Every sentence or clause of `text`, the page at `page`, that cites a test written as a link.
pub fn quotes(page: &str, text: &str) -> Vec<Quote> {
    let mut reader = Reader::default();
    for event in Parser::new_ext(text, options()) {
        reader.event(event);
    }
    reader.flush();
    let label = reader.title.as_deref().map(page_label).unwrap_or_default();
    reader
        .found
        .into_iter()
        .map(|quote| Quote {
            page: page.to_owned(),
            page_label: label.clone(),
            ..quote
        })
        .collect()
}

/// A page's title up to its colon: `第 2 课` of `第 2 课：只服务一次的 TCP 服务端`.
fn page_label(title: &str) -> String {
    let cut = [title.find('：'), title.find(": ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(title.len());
    title[..cut].trim().to_owned()
}

/// The id mdBook gives a heading of this text (`mdbook-html`'s `id_from_content`).
pub fn heading_id(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The events of a page, gathered block by block into its citing sentences.
#[derive(Default)]
struct Reader {
    /// The inline content of the block being read; links' content apart, until they end.
    pieces: Vec<Piece>,
    links: Vec<Vec<Piece>>,
    /// Inside a code block, an image, or a heading (whose text goes to `heading`).
    in_code: bool,
    in_image: usize,
    heading: Option<(Option<String>, HeadingLevel, Vec<Piece>, String)>,
    used_ids: HashSet<String>,
    title: Option<String>,
    section: Option<(String, String)>,
    /// The last sentence of the last block of prose in this section, which a block that is
    /// only a citation (under the output it proves) quotes.
    previous: Option<String>,
    /// The quotes found, their page and its label still to fill in.
    found: Vec<Quote>,
}

impl Reader {
    fn push(&mut self, piece: Piece) {
        if let Some((_, _, pieces, plain)) = self.heading.as_mut() {
            if let Piece::Text(text) | Piece::Code(text) = &piece {
                plain.push_str(text);
            }
            pieces.push(piece);
        } else {
            let pieces = self.links.last_mut().unwrap_or(&mut self.pieces);
            // One text, as it reads: the parser hands a smart quote over as a text of its own.
            if let (Some(Piece::Text(last)), Piece::Text(text)) = (pieces.last_mut(), &piece) {
                last.push_str(text);
            } else {
                pieces.push(piece);
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if self.in_code || self.in_image > 0 {
            match event {
                Event::End(TagEnd::CodeBlock) => self.in_code = false,
                Event::Start(Tag::Image { .. }) => self.in_image += 1,
                Event::End(TagEnd::Image) => self.in_image -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Text(text) => self.push(Piece::Text(text.into_string())),
            Event::Code(code) => self.push(Piece::Code(code.into_string())),
            Event::SoftBreak | Event::HardBreak => self.push(Piece::Text(" ".to_owned())),
            Event::Start(Tag::Link { .. }) => self.links.push(Vec::new()),
            Event::End(TagEnd::Link) => {
                let inside = self.links.pop().unwrap_or_default();
                match citation_in(&inside) {
                    Some((module, function)) => self.push(Piece::Cite(module, function)),
                    // Any other link is quoted as its text: its target is relative to its page.
                    None => inside.into_iter().for_each(|piece| self.push(piece)),
                }
            }
            Event::Start(Tag::Image { .. }) => self.in_image = 1,
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.in_code = true;
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.flush();
                self.heading = Some((
                    id.map(|id| id.into_string()),
                    level,
                    Vec::new(),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::DefinitionListTitle) => {
                self.flush();
                self.heading = Some((None, HeadingLevel::H6, Vec::new(), String::new()));
            }
            Event::End(TagEnd::DefinitionListTitle) => {
                // A term gets an id too (mdBook counts it with the headings), but is no section.
                if let Some((_, _, pieces, plain)) = self.heading.take() {
                    self.unique(heading_id(&plain));
                    self.pieces = pieces;
                    self.flush();
                }
            }
            // Emphasis, strong and struck text are quoted as plain text.
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript,
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            Event::InlineHtml(_) | Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
            // Any other start or end is a block's: what was read so far is a block of its own.
            Event::Start(_) | Event::End(_) => self.flush(),
            _ => {}
        }
    }

    fn found(&mut self, text: String, cites: Vec<(String, String)>) {
        self.found.push(Quote {
            page: String::new(),
            page_label: String::new(),
            section: self.section.clone(),
            text,
            cites,
        });
    }

    fn unique(&mut self, id: String) -> String {
        if self.used_ids.insert(id.clone()) {
            return id;
        }
        (1..)
            .map(|counter| format!("{id}-{counter}"))
            .find(|candidate| self.used_ids.insert(candidate.clone()))
            .expect("some suffix is free")
    }

    fn end_heading(&mut self) {
        let Some((id, level, pieces, plain)) = self.heading.take() else {
            return;
        };
        // An explicit `{#id}` is the heading's as it is; mdBook does not count it.
        let id = id.unwrap_or_else(|| self.unique(heading_id(&plain)));
        let shown = render(&pieces);
        if level == HeadingLevel::H1 {
            self.title.get_or_insert(plain);
            self.section = None;
        } else {
            self.section = Some((shown, id));
        }
        self.previous = None;
    }

    /// Ends the block read so far: its citing sentences are found.
    fn flush(&mut self) {
        let pieces = std::mem::take(&mut self.pieces);
        let cites: Vec<(String, String)> = pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Cite(module, function) => Some((module.clone(), function.clone())),
                _ => None,
            })
            .collect();
        let sentences = split(pieces, |text, at, _| is_sentence_end(text, at));
        if !sentences.iter().flatten().any(has_words) {
            // A block that is only citations proves the sentence before it (and the output
            // shown under that sentence).
            if !cites.is_empty() {
                let text = self.previous.clone().unwrap_or_default();
                self.found(text, cites);
            }
            return;
        }
        self.previous = sentences.last().map(|sentence| render(sentence));
        if cites.is_empty() {
            return;
        }
        for sentence in sentences {
            // A semicolon parts clauses where it follows a citation: the page cited each
            // clause for itself (`… first [test: a]; whichever … [test: b].`).
            let clauses = split(sentence.clone(), |text, at, after_cite| {
                after_cite
                    && text[..at].trim().is_empty()
                    && matches!(text[at..].chars().next(), Some(';' | '；'))
            });
            for clause in &clauses {
                let cites: Vec<(String, String)> = clause
                    .iter()
                    .filter_map(|piece| match piece {
                        Piece::Cite(module, function) => Some((module.clone(), function.clone())),
                        _ => None,
                    })
                    .collect();
                if cites.is_empty() {
                    continue;
                }
                // A clause that is only its citation quotes the sentence it is in.
                let text = Some(render(clause))
                    .filter(|text| text.chars().any(char::is_alphanumeric))
                    .unwrap_or_else(|| render(&sentence));
                self.found(text, cites);
            }
        }
    }
}

/// Whether the character at byte `at` of `text` ends a sentence: `。！？`, or `.!?` before a
/// space or the end of the text, but not the dot of `e.g.` or `i.e.`.
fn is_sentence_end(text: &str, at: usize) -> bool {
    let Some(c) = text[at..].chars().next() else {
        return false;
    };
    if matches!(c, '。' | '！' | '？') {
        return true;
    }
    if !matches!(c, '.' | '!' | '?') {
        return false;
    }
    let after = &text[at + c.len_utf8()..];
    let word = text[..at]
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    after.chars().next().is_none_or(char::is_whitespace)
        && !["e.g", "i.e", "vs", "cf"].contains(&word.to_lowercase().as_str())
}

/// `pieces` cut after each character where `ends` says a part ends (given a text, a byte in
/// it, and whether the piece before the text is a citation). A citation that opens a part,
/// before any of its words, belongs to the part before it: `… exactly. [test: …] Next`.
fn split(pieces: Vec<Piece>, ends: impl Fn(&str, usize, bool) -> bool) -> Vec<Vec<Piece>> {
    let mut parts: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut after_cite = false;
    for piece in pieces {
        let cite = matches!(piece, Piece::Cite(..));
        let before_cite = std::mem::replace(&mut after_cite, cite);
        let Piece::Text(text) = piece else {
            let count = parts.len();
            let opening = !parts[count - 1].iter().any(has_words);
            let to = if opening && matches!(piece, Piece::Cite(..)) && count > 1 {
                count - 2
            } else {
                count - 1
            };
            parts[to].push(piece);
            continue;
        };
        let mut start = 0;
        for (at, c) in text.char_indices() {
            if ends(&text, at, before_cite) {
                let end = at + c.len_utf8();
                let part = parts.last_mut().expect("there is always a part");
                part.push(Piece::Text(text[start..end].to_owned()));
                parts.push(Vec::new());
                start = end;
            }
        }
        if start < text.len() {
            let part = parts.last_mut().expect("there is always a part");
            part.push(Piece::Text(text[start..].to_owned()));
        }
    }
    parts.retain(|part| !part.is_empty());
    parts
}

fn has_words(piece: &Piece) -> bool {
    match piece {
        Piece::Text(text) => text.chars().any(char::is_alphanumeric),
        Piece::Code(_) => true,
        Piece::Cite(..) => false,
    }
}

/// Closing punctuation, before which the space a removed citation leaves goes too.
const CLOSING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', '。', '，', '；', '：', '！', '？', '）', '、',
];

/// `pieces` as one line of Markdown: text escaped, code spans kept, citations left out, runs
/// of spaces made one, no space before closing punctuation, and no punctuation at either end
/// that joined it to the clause before or after.
fn render(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                for c in text.chars() {
                    let c = if c.is_whitespace() { ' ' } else { c };
                    if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
                        continue;
                    }
                    // A citation taken out leaves no space before closing punctuation, nor
                    // between two Chinese characters (where a line break stood beside it).
                    let wide = |c: char| crate::width(&c.to_string()) == 2;
                    let between_wide = wide(c)
                        && out
                            .strip_suffix(' ')
                            .and_then(|before| before.chars().next_back())
                            .is_some_and(wide);
                    if (CLOSING.contains(&c) || between_wide) && out.ends_with(' ') {
                        out.pop();
                    }
                    // Nor a comma or semicolon that stood before it, at a sentence's end.
                    if ".!?。！？".contains(c) && out.ends_with([',', ';', ':', '，', '；', '：'])
                    {
                        out.pop();
                    }
                    escape_into(&mut out, c);
                }
            }
            Piece::Code(code) => out.push_str(&code_span(code)),
            Piece::Cite(..) => {}
        }
    }
    let trimmed = out
        .trim_start_matches(|c: char| c == ' ' || ",;:，；：、".contains(c))
        .trim_end_matches(|c: char| c == ' ' || ",;，；、".contains(c));
    trimmed.to_owned()
}

/// Appends `c`, escaped where Markdown would read it as syntax.
fn escape_into(out: &mut String, c: char) {
    if matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|' | '{' | '}'
    ) {
        out.push('\\');
    }
    out.push(c);
}

/// `code` as a code span, with a fence longer than any run of backticks inside it.
fn code_span(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || code.starts_with(' ') || code.ends_with(' ') {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(quotes: &[Quote]) -> Vec<&str> {
        quotes.iter().map(|quote| quote.text.as_str()).collect()
    }

    const CITE_A: &str = "[test: `lesson9::a`](../listings/tests-lesson9.md#lesson9a)";
    const CITE_B: &str = "[test: `lesson9::b`](../listings/tests-lesson9.md#lesson9b)";

    /// A citation's sentence is quoted without its citations and links, its code spans kept;
    /// a semicolon parts clauses, each quoted for its own citations.
    #[test]
    fn a_citation_quotes_its_sentence_or_clause() {
        let page = format!(
            "# Lesson 9: a test\n\nIntro. The **server** prints \"hi!\" and `recv` counts {CITE_A}. \
             Then [lesson 3](lesson3.md) says\nmore {CITE_A}; and *more* {CITE_B}; done.\n\n\
             ```text\n{CITE_A}\n```\n\n## Running it\n\n- A list item {CITE_A} {CITE_B}.\n"
        );
        let quotes = quotes("lessons/en/lesson9.md", &page);
        assert_eq!(
            texts(&quotes),
            [
                "The server prints “hi!” and `recv` counts.",
                "Then lesson 3 says more",
                "and more",
                "A list item."
            ]
        );
        assert_eq!(quotes[0].cites, [("lesson9".to_owned(), "a".to_owned())]);
        assert_eq!(quotes[3].cites.len(), 2);
        assert_eq!(quotes[0].page_label, "Lesson 9");
        assert_eq!(quotes[0].section, None);
        assert_eq!(
            quotes[3].section,
            Some(("Running it".to_owned(), "running-it".to_owned()))
        );
    }

    /// Chinese sentences end at `。`; a clause that is only a citation quotes its sentence; a
    /// citation after its sentence's full stop still belongs to it.
    #[test]
    fn chinese_sentences_and_stray_citations() {
        let page = format!(
            "# 第 9 课：测试\n\n## 运行\n\n服务端打印地址 {CITE_A}。然后退出；{CITE_B}。\n\n\
             不能指望\n{CITE_A}\n（括号里）；不分开 {CITE_B}。\n\n\
             It works. {CITE_A} Next one.\n\n\
             Run it, and see:\n\n```text\nout\n```\n\n{CITE_B}\n"
        );
        let quotes = quotes("lessons/zh/lesson9.md", &page);
        assert_eq!(
            texts(&quotes),
            [
                "服务端打印地址。",
                "然后退出。",
                "不能指望（括号里）；不分开。",
                "It works.",
                "Run it, and see:"
            ]
        );
        assert_eq!(quotes[0].page_label, "第 9 课");
        assert_eq!(
            quotes[0].section,
            Some(("运行".to_owned(), "运行".to_owned()))
        );
    }

    /// Heading ids are mdBook's: lowercased letters, digits, `_` and `-`, a space a `-`, a
    /// repeated id numbered, an explicit `{#id}` kept.
    #[test]
    fn headings_get_mdbooks_ids() {
        assert_eq!(
            heading_id("Python → socket2 → std::net"),
            "python--socket2--stdnet"
        );
        assert_eq!(
            heading_id("What goes wrong, and why"),
            "what-goes-wrong-and-why"
        );
        let page =
            format!("# T\n\n## Same\n\n## Same\n\n{CITE_A}\n\n## Own {{#mine}}\n\nx {CITE_B}\n");
        let quotes = quotes("p.md", &page);
        let ids: Vec<&str> = quotes
            .iter()
            .filter_map(|quote| Some(quote.section.as_ref()?.1.as_str()))
            .collect();
        assert_eq!(ids, ["same-1", "mine"]);
    }

    /// Text that Markdown would read as syntax is escaped; a code span with backticks gets a
    /// longer fence.
    #[test]
    fn quotes_are_markdown_that_reads_back_the_same() {
        let quote = render(&[
            Piece::Text("a *b* <c> [d] e_f".to_owned()),
            Piece::Code("x`y".to_owned()),
        ]);
        assert_eq!(quote, "a \\*b\\* \\<c\\> \\[d\\] e\\_f`` x`y ``");
    }
}
