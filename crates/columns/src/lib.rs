//! # `columns`: what fits a terminal
//!
//! No line a person must read is wider than [`MAX_COLUMNS`] terminal columns, so that two
//! terminals side by side never wrap. [`width`] says how wide a line is on the screen (a CJK
//! character takes two columns, as `unicode-width` counts them), and [`fit`] cuts a line into
//! lines that fit. The lessons (through `course`), the runner (`practice`), the tour and the
//! tests' checks all use these two, so what is measured and what is cut never disagree.
//!
//! The cutting is `textwrap`'s: it breaks where Unicode's line-breaking rules (UAX #14) allow,
//! which is at a space and between two Chinese characters, but never before a closing `，` or
//! `。`, so a long run of Chinese is cut too.

/// The widest line a person should have to read, in terminal columns.
pub const MAX_COLUMNS: usize = 100;

/// How many terminal columns `text` takes: two for each CJK character.
pub fn width(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// `line` cut into lines of at most [`MAX_COLUMNS`] columns, the first starting with `first`
/// and the others with `rest` (spaces that line them up under the first, usually). A line
/// that fits comes back as it is, with `first` before it. A word wider than the room (a long
/// path) stays whole: a path cut in two cannot be copied.
pub fn fit(line: &str, first: &str, rest: &str) -> Vec<String> {
    // However deep the indent, leave room for some text.
    let room = MAX_COLUMNS.max(width(first).max(width(rest)) + 20);
    let options = textwrap::Options::new(room)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        // Greedy, as the eye reads: each line takes all the words it can.
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        // A hyphen is part of a flag or a name (`--lesson`, `non-blocking`), not a place to cut.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let lines: Vec<String> = textwrap::wrap(line, options)
        .into_iter()
        .map(|line| line.trim_end().to_owned())
        .collect();
    if lines.is_empty() {
        vec![first.trim_end().to_owned()]
    } else {
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_takes_two_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("汉字"), 4);
        assert_eq!(width("，"), 2);
        assert_eq!(width("✓ 完成 done"), 11);
    }

    /// A short line is only indented, with its inner spaces kept (cargo's `9 |     x`).
    #[test]
    fn a_line_that_fits_is_kept() {
        assert_eq!(fit("9 |     x", "  ", "  "), ["  9 |     x"]);
        assert_eq!(fit("", "    ", "    "), [""]);
    }

    /// A long line is cut at spaces, each piece within the limit and indented as asked.
    #[test]
    fn a_long_line_is_cut_at_spaces() {
        let long = "word ".repeat(30); // 149 columns
        let lines = fit(long.trim_end(), "* ", "  ");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0].matches("word").count(),
            19,
            "as many as fit: {lines:?}"
        );
        assert!(lines[0].starts_with("* word"), "{lines:?}");
        assert!(lines[1].starts_with("  word"), "{lines:?}");
        assert!(
            lines.iter().all(|line| width(line) <= MAX_COLUMNS),
            "{lines:?}"
        );
    }

    /// A run of Chinese without a space is cut between two characters, never before a `，`,
    /// and nothing is lost.
    #[test]
    fn a_run_of_chinese_is_cut_between_characters() {
        let run = "服务端要在绑定之前设置，".repeat(10); // 220 columns, no space
        let lines = fit(&run, "", "");
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(
                width(line) <= MAX_COLUMNS,
                "{} columns: {line}",
                width(line)
            );
            assert!(
                !line.starts_with('，'),
                "a line starts with a comma: {lines:?}"
            );
        }
        assert_eq!(lines.concat(), run);
    }

    /// A line never starts with closing punctuation (`。` `）`) nor ends with an opening `（`:
    /// the character beside it goes along to the next line.
    #[test]
    fn punctuation_stays_with_its_neighbour() {
        let before_paren = format!("{}（吗）", "汉".repeat(49)); // `（` would end the line
        assert_eq!(
            fit(&before_paren, "", ""),
            ["汉".repeat(49), "（吗）".to_owned()]
        );
        let full_stop = format!("{}。", "汉字".repeat(25)); // `。` would start a line
        let lines = fit(&full_stop, "", "");
        assert_eq!(lines, ["汉字".repeat(24) + "汉", "字。".to_owned()]);
    }

    /// Chinese beside English is cut at the space or between two characters, whichever fills
    /// the line: a lesson's advice reads on as far as the edge.
    #[test]
    fn chinese_beside_english_fills_the_line() {
        let mixed = format!("{} SO_REUSEADDR 帮不上忙", "汉".repeat(40));
        assert_eq!(
            fit(&mixed, "", ""),
            ["汉".repeat(40) + " SO_REUSEADDR 帮不上", "忙".to_owned()]
        );
    }

    /// A word wider than the room stays whole rather than cut where it cannot be copied.
    #[test]
    fn a_long_word_stays_whole() {
        let path = "x".repeat(MAX_COLUMNS + 10);
        let lines = fit(&format!("see {path}"), "", "");
        assert_eq!(lines, ["see".to_owned(), path]);
    }
}
