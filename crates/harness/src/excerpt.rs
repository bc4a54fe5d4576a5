//! Excerpts of the lessons' sources, as the pages quote them: the region between
//! `// ANCHOR: name` and `// ANCHOR_END: name`. The pages' test compares each quoted block with
//! it, and `cargo xtask new-lesson` writes a new page's first excerpt with it, so the two never
//! disagree on what an excerpt is.

/// The lines between `// ANCHOR: name` and `// ANCHOR_END: name`, without any anchor lines,
/// dedented as mdBook's `{{#include file:name}}` does: the indentation all its non-blank lines
/// share is removed, so an excerpt from inside a function starts at column 0 on the page.
pub fn anchored_region(source: &str, anchor: &str) -> Result<String, String> {
    let start_mark = format!("// ANCHOR: {anchor}");
    let end_mark = format!("// ANCHOR_END: {anchor}");
    let lines: Vec<&str> = source.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == start_mark)
        .collect();
    let start = match starts[..] {
        [start] => start,
        [] => return Err(format!("no line `{start_mark}`")),
        _ => return Err(format!("`{start_mark}` appears {} times", starts.len())),
    };
    let end = (start + 1..lines.len())
        .find(|&i| lines[i].trim() == end_mark)
        .ok_or_else(|| format!("no line `{end_mark}` after `{start_mark}`"))?;
    let is_anchor = |line: &&str| {
        let line = line.trim();
        line.starts_with("// ANCHOR: ") || line.starts_with("// ANCHOR_END: ")
    };
    let region: Vec<&str> = lines[start + 1..end]
        .iter()
        .filter(|line| !is_anchor(line))
        .copied()
        .collect();
    Ok(dedent(&region))
}

/// `lines` without the leading whitespace that all the non-blank ones share; blank lines
/// become empty.
fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let dedented: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect();
    dedented.join("\n")
}
