//! Edits to the files a new lesson joins: each finds its place by a line the file already has
//! (a list's first line, a neighbour of the same kind), and fails with what it looked for when
//! the file has changed shape, so the scaffold stops before it writes anything.

/// `text` with `insertion` (whole lines) put just before the `];` that closes the list which
/// starts at the first line containing `start`.
pub fn before_list_end(text: &str, start: &str, insertion: &str) -> Result<String, String> {
    let begin = text
        .find(start)
        .ok_or_else(|| format!("no line with {start:?}"))?;
    let end = text[begin..]
        .find("\n];")
        .map(|at| begin + at + 1)
        .ok_or_else(|| format!("no `];` closing the list {start:?}"))?;
    Ok(splice(text, end, insertion))
}

/// `text` with `insertion` put after the last line that contains `needle`.
pub fn after_last_line_with(text: &str, needle: &str, insertion: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let line = lines
        .iter()
        .rposition(|line| line.contains(needle))
        .ok_or_else(|| format!("no line with {needle:?}"))?;
    Ok(splice(text, line_start(text, line + 1), insertion))
}

/// `text` with `insertion` put before the first line that is `line` once trimmed.
pub fn before_line(text: &str, line: &str, insertion: &str) -> Result<String, String> {
    let index = text
        .lines()
        .position(|candidate| candidate.trim() == line)
        .ok_or_else(|| format!("no line {line:?}"))?;
    Ok(splice(text, line_start(text, index), insertion))
}

/// `text` with `line` put into the first run of lines that start with `prefix`, in sorted
/// order, as rustfmt keeps `mod` and `use` lines.
pub fn into_sorted_run(text: &str, prefix: &str, line: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|candidate| candidate.starts_with(prefix))
        .ok_or_else(|| format!("no line starting with {prefix:?}"))?;
    let run = lines[first..]
        .iter()
        .take_while(|candidate| candidate.starts_with(prefix))
        .count();
    let index = lines[first..first + run]
        .iter()
        // By name, as rustfmt orders them: `mod lesson1;` before `mod lesson10;`, which a
        // comparison of whole lines (`;` after `0`) would turn round.
        .position(|candidate| candidate.trim_end_matches(';') > line.trim_end_matches(';'))
        .map_or(first + run, |at| first + at);
    Ok(splice(text, line_start(text, index), &format!("{line}\n")))
}

/// `text` with `insertion` put after the end of `fn name(…) { … }`: the first line that is
/// only `}` after its signature.
pub fn after_function(text: &str, name: &str, insertion: &str) -> Result<String, String> {
    let signature = format!("fn {name}(");
    let begin = text
        .find(&signature)
        .ok_or_else(|| format!("no {signature:?}"))?;
    let end = text[begin..]
        .find("\n}\n")
        .map(|at| begin + at + 3)
        .ok_or_else(|| format!("no end of {signature:?}"))?;
    Ok(splice(text, end, insertion))
}

/// The last `run: NAME,` of the list that starts at `start`: the function of its last entry.
pub fn last_run_in_list<'a>(text: &'a str, start: &str) -> Result<&'a str, String> {
    let begin = text
        .find(start)
        .ok_or_else(|| format!("no line with {start:?}"))?;
    let list = &text[begin..];
    let list = &list[..list.find("\n];").unwrap_or(list.len())];
    list.lines()
        .filter_map(|line| line.trim().strip_prefix("run: ")?.strip_suffix(','))
        .next_back()
        .ok_or_else(|| format!("no `run: NAME,` in {start:?}"))
}

/// The byte offset where line `index` (from 0) starts; the end of `text` past its last line.
fn line_start(text: &str, index: usize) -> usize {
    if index == 0 {
        return 0;
    }
    text.match_indices('\n')
        .nth(index - 1)
        .map_or(text.len(), |(at, _)| at + 1)
}

fn splice(text: &str, at: usize, insertion: &str) -> String {
    let mut spliced = String::with_capacity(text.len() + insertion.len());
    spliced.push_str(&text[..at]);
    spliced.push_str(insertion);
    spliced.push_str(&text[at..]);
    spliced
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str =
        "pub const A: &[u8] = &[\n    1,\n];\n\npub const B: &[u8] = &[\n    2,\n];\n";

    #[test]
    fn a_row_goes_at_the_end_of_its_own_list() {
        let edited = before_list_end(LIST, "pub const A", "    9,\n").unwrap();
        assert_eq!(
            edited,
            "pub const A: &[u8] = &[\n    1,\n    9,\n];\n\npub const B: &[u8] = &[\n    2,\n];\n"
        );
        assert!(before_list_end(LIST, "pub const C", "").is_err());
    }

    #[test]
    fn a_line_goes_after_the_last_of_its_kind() {
        let text = "- [a](zh/lesson1.md)\n- [b](zh/lesson2.md)\n\n# English\n";
        let edited = after_last_line_with(text, "](zh/lesson", "- [c](zh/lesson3.md)\n").unwrap();
        assert_eq!(
            edited,
            "- [a](zh/lesson1.md)\n- [b](zh/lesson2.md)\n- [c](zh/lesson3.md)\n\n# English\n"
        );
        let at_the_end = after_last_line_with("x\ny", "y", "z\n").unwrap();
        assert_eq!(
            at_the_end, "x\nyz\n",
            "a last line without its newline stays whole"
        );
    }

    #[test]
    fn a_mod_goes_in_sorted_order_within_its_run() {
        let text = "//! doc\n\nmod client;\nmod server;\n\nuse std::io;\nmod zeta;\n";
        let edited = into_sorted_run(text, "mod ", "mod demo;").unwrap();
        assert_eq!(
            edited,
            "//! doc\n\nmod client;\nmod demo;\nmod server;\n\nuse std::io;\nmod zeta;\n"
        );
        let last = into_sorted_run(text, "mod ", "mod tokio;").unwrap();
        assert!(last.contains("mod server;\nmod tokio;\n\n"), "{last}");
        // By name, as rustfmt orders them: lesson10 after lesson1, before lesson2.
        let lessons = "mod lesson1;\nmod lesson2;\nmod lesson9;\nmod mistakes;\n";
        let tenth = into_sorted_run(lessons, "mod lesson", "mod lesson10;").unwrap();
        assert!(
            tenth.starts_with("mod lesson1;\nmod lesson10;\nmod lesson2;\n"),
            "{tenth}"
        );
    }

    #[test]
    fn a_function_goes_after_the_one_named() {
        let text = "fn a() {\n    if x {\n    }\n}\n\nfn b() {}\n";
        let edited = after_function(text, "a", "\nfn c() {}\n").unwrap();
        assert_eq!(
            edited,
            "fn a() {\n    if x {\n    }\n}\n\nfn c() {}\n\nfn b() {}\n"
        );
    }

    #[test]
    fn the_last_entrys_function_is_found() {
        let text = "const S: &[S] = &[\n    S {\n        run: one,\n    },\n    S {\n        run: two,\n    },\n];\nrun: three,\n";
        assert_eq!(last_run_in_list(text, "const S").unwrap(), "two");
    }

    #[test]
    fn a_line_goes_before_the_one_named() {
        let text = "match n {\n    1 => a,\n    _ => b,\n}\n";
        let edited = before_line(text, "_ => b,", "    2 => c,\n").unwrap();
        assert_eq!(
            edited,
            "match n {\n    1 => a,\n    2 => c,\n    _ => b,\n}\n"
        );
    }
}
