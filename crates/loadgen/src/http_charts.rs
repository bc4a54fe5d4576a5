//! The charts of `loadgen bench-http`'s two tables (lesson 9's page): the 1 KiB page's
//! requests per second, and the 1 MiB file's MB of body per second, both with kept-alive
//! clients (python's `keep-alive*`, which it closes anyway, included), drawn as lessons 4 and
//! 7's are.

use crate::charts::{self, Charts, Language, Layout};

/// One of the bench's final tables: its header, and the name of its chart.
pub struct Table {
    pub header: &'static str,
    pub chart: &'static str,
}

/// The 1 KiB page's table (requests/s), then the 1 MiB file's (MB/s), as `bench-http` prints
/// them.
pub const TABLES: [Table; 2] = [
    Table {
        header: "| server | style | clients | req/s | p50 µs | p99 µs | errors |",
        chart: "rate",
    },
    Table {
        header: "| server | style | clients | MB/s | p50 µs | p99 µs | errors |",
        chart: "throughput",
    },
];

/// One row of a table, as printed: what the charts draw from it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// Which table: 0 for the page's, 1 for the file's ([`TABLES`]).
    pub table: usize,
    pub server: String,
    pub style: String,
    pub clients: usize,
    /// Requests per second, or MB/s.
    pub rate: f64,
}

/// Lesson 9's two charts.
pub const HTTP: Charts<TableRow> = Charts {
    header: TABLES[0].header,
    parse: parse_tables,
    drawn: &[
        (TABLES[0].chart, page_rate_chart),
        (TABLES[1].chart, file_throughput_chart),
    ],
};

/// The rows of both tables in `markdown`, each the first table under its header; a row that
/// failed (no figures) is left out.
pub fn parse_tables(markdown: &str) -> Vec<TableRow> {
    (0..TABLES.len())
        .flat_map(|table| parse_table(markdown, table))
        .collect()
}

fn parse_table(markdown: &str, table: usize) -> Vec<TableRow> {
    markdown
        .lines()
        .skip_while(|line| !line.starts_with(TABLES[table].header))
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
                table,
                server: (*cells.first()?).to_owned(),
                style: (*cells.get(1)?).to_owned(),
                clients: cells.get(2)?.parse().ok()?,
                rate: cells.get(3)?.parse().ok()?,
            })
        })
        .collect()
}

/// The kept-alive rows of one table, as bars.
fn kept_alive(rows: &[TableRow], table: usize) -> Vec<charts::Row> {
    rows.iter()
        .filter(|row| row.table == table && row.style.starts_with("keep-alive"))
        .map(|row| charts::Row {
            server: row.server.clone(),
            clients: row.clients,
            rate: row.rate.round() as u64,
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
    charts::bars(&kept_alive(rows, 0), title, language, layout)
}

/// MB of body per second for the 1 MiB file.
fn file_throughput_chart(rows: &[TableRow], language: Language, layout: Layout) -> String {
    let title = match language {
        Language::Zh => "1 MiB 文件：C 个保持连接的客户端时每秒的兆字节数（越高越好）",
        Language::En => "The 1 MiB file: MB per second, C keep-alive clients (higher is better)",
    };
    charts::bars(&kept_alive(rows, 1), title, language, layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::page_checks;

    /// Lesson 9's page holds the two tables, the same in both languages, and the committed
    /// charts are drawn from them; the page shows each as a `<picture>`; its text can be read.
    #[test]
    fn lesson9s_charts_are_drawn_from_its_pages_tables() {
        page_checks::committed_charts_are_the_tables(&HTTP, "lesson9", 24);
        page_checks::pages_show_the_narrow_charts(&HTTP, "lesson9");
        page_checks::text_is_large_enough(&HTTP, "lesson9");
    }

    /// The tables are read as printed, a failed row left out; only kept-alive rows of the
    /// chart's table are drawn, python's `keep-alive*` among them.
    #[test]
    fn the_http_tables_are_read_as_printed() {
        let [page, file] = [TABLES[0].header, TABLES[1].header];
        let text = format!(
            "{page}\n|---|\n\
             | nginx | keep-alive | 100 | 118617 | 792 | 1121 | 0 |\n\
             | python | keep-alive* | 100 | 63 | 1 | 2 | 56 |\n\
             | nginx | close | 100 | 31678 | 3079 | 5633 | 0 |\n\
             | x | keep-alive | 1 | 失败 failed | | | |\n\
             \n{file}\n|---|\n\
             | nginx | keep-alive | 100 | 4302.0 | 1 | 2 | 0 |\n\
             \nafter\n| y | keep-alive | 1 | 5 | 1 | 1 | 0 |\n"
        );
        let rows = parse_tables(&text);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!((rows[3].table, rows[3].rate), (1, 4302.0));
        let page = page_rate_chart(&rows, Language::En, Layout::Wide);
        assert!(
            page.contains(">118617</text>") && page.contains(">63</text>"),
            "{page}"
        );
        assert!(!page.contains(">31678</text>"), "a close row drawn: {page}");
        assert!(
            !page.contains(">4302</text>"),
            "the file's row drawn: {page}"
        );
        let file = file_throughput_chart(&rows, Language::Zh, Layout::Narrow);
        assert!(
            file.contains(">4302</text>") && !file.contains(">63</text>"),
            "{file}"
        );
    }
}
