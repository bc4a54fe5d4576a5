//! The charts of `loadgen bench-http`'s table (lesson 9's page): the 1 KiB page's requests
//! per second, and the 1 MiB file's throughput, both with kept-alive clients (python's
//! `keep-alive*`, which it closes anyway, included), drawn as lessons 4 and 7's are.

use crate::charts::{self, Charts, Language, Layout};

/// The first line of the table `loadgen bench-http` prints.
pub const HEADER: &str =
    "| server | file | style | clients | req/s | MB/s | p50 µs | p99 µs | errors |";

/// One row of the table, as printed: what the charts draw from it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub server: String,
    pub file: String,
    pub style: String,
    pub clients: usize,
    pub rate: u64,
    pub megabytes_per_second: f64,
}

/// Lesson 9's two charts.
pub const HTTP: Charts<TableRow> = Charts {
    header: HEADER,
    parse: parse_table,
    drawn: &[
        ("rate", page_rate_chart),
        ("throughput", file_throughput_chart),
    ],
};

/// The rows of the first table in `markdown` whose header is [`HEADER`]; a row that failed
/// (no figures) ends nothing but is left out.
pub fn parse_table(markdown: &str) -> Vec<TableRow> {
    markdown
        .lines()
        .skip_while(|line| !line.starts_with(HEADER))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            Some(TableRow {
                server: (*cells.first()?).to_owned(),
                file: (*cells.get(1)?).to_owned(),
                style: (*cells.get(2)?).to_owned(),
                clients: cells.get(3)?.parse().ok()?,
                rate: cells.get(4)?.parse().ok()?,
                megabytes_per_second: cells.get(5)?.parse().ok()?,
            })
        })
        .collect()
}

/// The rows of `file` with kept-alive clients, as bars of `value`.
fn kept_alive(rows: &[TableRow], file: &str, value: fn(&TableRow) -> u64) -> Vec<charts::Row> {
    rows.iter()
        .filter(|row| row.file == file && row.style.starts_with("keep-alive"))
        .map(|row| charts::Row {
            server: row.server.clone(),
            clients: row.clients,
            rate: value(row),
            p99_micros: 0,
        })
        .collect()
}

/// Requests per second for the 1 KiB page.
fn page_rate_chart(rows: &[TableRow], language: Language, layout: Layout) -> String {
    let title = match language {
        Language::Zh => "1 KiB 页面：C 个保持连接的客户端时每秒的请求数（越高越好）",
        Language::En => {
            "The 1 KiB page: requests per second, C keep-alive clients (higher is better)"
        }
    };
    charts::bars(
        &kept_alive(rows, "1 KiB", |row| row.rate),
        title,
        language,
        layout,
    )
}

/// MB/s of body for the 1 MiB file.
fn file_throughput_chart(rows: &[TableRow], language: Language, layout: Layout) -> String {
    let title = match language {
        Language::Zh => "1 MiB 文件：C 个保持连接的客户端时每秒的兆字节数（越高越好）",
        Language::En => "The 1 MiB file: MB per second, C keep-alive clients (higher is better)",
    };
    let megabytes = |row: &TableRow| row.megabytes_per_second.round() as u64;
    charts::bars(
        &kept_alive(rows, "1 MiB", megabytes),
        title,
        language,
        layout,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::page_checks;

    /// Lesson 9's page holds the table, the same in both languages, and the committed charts
    /// are drawn from it; the page shows each as a `<picture>`; its text can be read.
    #[test]
    fn lesson9s_charts_are_drawn_from_its_pages_table() {
        page_checks::committed_charts_are_the_tables(&HTTP, "lesson9", 24);
        page_checks::pages_show_the_narrow_charts(&HTTP, "lesson9");
        page_checks::text_is_large_enough(&HTTP, "lesson9");
    }

    /// The table is read as printed, a failed row left out; only kept-alive rows of the
    /// chart's file are drawn, python's `keep-alive*` among them.
    #[test]
    fn the_http_table_is_read_as_printed() {
        let text = format!(
            "{HEADER}\n|---|\n\
             | nginx | 1 KiB | keep-alive | 100 | 118617 | 121.5 | 792 | 1121 | 0 |\n\
             | python http.server | 1 KiB | keep-alive* | 100 | 63 | 0.1 | 1 | 2 | 56 |\n\
             | nginx | 1 KiB | close | 100 | 31678 | 32.4 | 3079 | 5633 | 0 |\n\
             | x | 1 MiB | keep-alive | 1 | 失败 failed | | | | |\n\
             | nginx | 1 MiB | keep-alive | 100 | 4103 | 4302.0 | 1 | 2 | 0 |\n\
             \nafter\n| y | 1 KiB | keep-alive | 1 | 5 | 5.0 | 1 | 1 | 0 |\n"
        );
        let rows = parse_table(&text);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[3].megabytes_per_second, 4302.0);
        let page = page_rate_chart(&rows, Language::En, Layout::Wide);
        assert!(
            page.contains(">118617</text>") && page.contains(">63</text>"),
            "{page}"
        );
        assert!(!page.contains(">31678</text>"), "a close row drawn: {page}");
        let file = file_throughput_chart(&rows, Language::Zh, Layout::Narrow);
        assert!(
            file.contains(">4302</text>") && !file.contains(">121</text>"),
            "{file}"
        );
    }
}
