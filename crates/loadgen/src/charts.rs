//! The benchmark's two charts, drawn from the rows of its Markdown table, so a chart can never
//! show a number the table does not: round trips per second (bars, linear), and the p99
//! latency of one round trip (bars on a log scale, so that 76 µs and 19 000 µs both show).
//! Each chart is drawn in Chinese and in English, for the two pages, and in two layouts: wide,
//! one group of upright bars per number of clients, for a desktop's column; and narrow, the
//! groups one under another with their bars lying down, for a phone, where the wide one would
//! shrink to 47 % and its numbers to 5 px (the pages show it below 800 px, with a `<picture>`).
//! Plain SVG (no script, no web fonts), so code-hosting sites render it too.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// One row of the table: a server, a number of clients, and the two numbers charted, as the
/// table prints them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub server: String,
    pub clients: usize,
    pub rate: u64,
    pub p99_micros: u64,
}

/// The language of a chart's words.
pub use course::lessons::Language;

/// The header of the pages' tables of round trips.
pub const HEADER: &str = "| server | clients | round trips/s | p50 µs | p99 µs |";

/// How the header of the table `loadgen bench` prints begins: the same first five columns,
/// `rt/s` for short (`report::table`).
pub const PRINTED_HEADER: &str = "| server | clients | rt/s | p50 µs | p99 µs |";

/// The rows of the first table in `markdown` whose header starts with [`HEADER`] or
/// [`PRINTED_HEADER`].
pub fn parse_table(markdown: &str) -> Vec<Row> {
    markdown
        .lines()
        .skip_while(|line| !line.starts_with(HEADER) && !line.starts_with(PRINTED_HEADER))
        .skip(2)
        .map_while(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            Some(Row {
                server: (*cells.first()?).to_owned(),
                clients: cells.get(1)?.parse().ok()?,
                rate: cells.get(2)?.parse().ok()?,
                p99_micros: cells.get(4)?.parse().ok()?,
            })
        })
        .collect()
}

/// How a chart is laid out: for a desktop's column, or for a phone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 760 px wide: a group of upright bars per number of clients, side by side.
    Wide,
    /// 360 px wide (a phone's column): the groups one under another, their bars lying down,
    /// every text at 12 px or more at that width.
    Narrow,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::Wide, Layout::Narrow];

    /// What the layout adds to the chart's name in its file name.
    fn suffix(self) -> &'static str {
        match self {
            Layout::Wide => "",
            Layout::Narrow => "-narrow",
        }
    }
}

/// Where a page shows the narrow layout instead of the wide one: a `<picture>`'s
/// `<source media>`. Below 800 px the column is narrower than the wide chart's 760 px.
pub const NARROW_MEDIA: &str = "(max-width: 799px)";

/// How a chart is drawn from a table's rows.
pub type Draw<R = Row> = fn(&[R], Language, Layout) -> String;

/// The charts of one kind of benchmark table: how a page's table is found (its header's
/// first line) and read, and each chart, with its name in the file names.
pub struct Charts<R: 'static> {
    pub header: &'static str,
    pub parse: fn(&str) -> Vec<R>,
    pub drawn: &'static [(&'static str, Draw<R>)],
}

/// Lessons 4 and 7's two charts: round trips per second, and the p99 latency.
pub const ROUND_TRIPS: Charts<Row> = Charts {
    header: HEADER,
    parse: parse_table,
    drawn: &[("rate", rate_chart), ("p99", p99_chart)],
};

impl<R> Charts<R> {
    /// Writes `PREFIX-NAME.LANG.svg` and its narrow layout (`PREFIX-NAME-narrow.LANG.svg`)
    /// for each chart and both languages, `PREFIX` being the page's name and `-bench`
    /// (`lesson4-bench-rate.zh.svg`, …).
    pub fn write_all(
        &self,
        rows: &[R],
        directory: &Path,
        prefix: &str,
    ) -> io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for language in Language::ALL {
            for (name, chart) in self.drawn {
                for layout in Layout::ALL {
                    let path = directory.join(file_name(prefix, name, language, layout));
                    std::fs::write(&path, chart(rows, language, layout))?;
                    written.push(path);
                }
            }
        }
        Ok(written)
    }
}

/// `lesson4-bench-rate.zh.svg`, `lesson4-bench-rate-narrow.zh.svg`, …
pub fn file_name(prefix: &str, chart: &str, language: Language, layout: Layout) -> String {
    format!(
        "{prefix}-{chart}{}.{}.svg",
        layout.suffix(),
        language.code()
    )
}

/// How a page (under `lessons/zh/` or `lessons/en/`) shows a chart, up to its `alt`: a
/// `<picture>` of the narrow layout below 800 px and the wide one elsewhere, and where a
/// `<picture>` is not understood.
pub fn picture_opening(prefix: &str, chart: &str, language: Language) -> String {
    format!(
        "<picture><source media=\"{NARROW_MEDIA}\" srcset=\"../img/{}\"><img src=\"../img/{}\"",
        file_name(prefix, chart, language, Layout::Narrow),
        file_name(prefix, chart, language, Layout::Wide)
    )
}

/// The charts' prefix for a page: `lesson7-bench` for `…/lesson7.md`.
pub fn prefix_for(page: &Path) -> String {
    let stem = page
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("bench");
    format!("{stem}-bench")
}

/// Round trips per second, one group of bars per number of clients.
pub fn rate_chart(rows: &[Row], language: Language, layout: Layout) -> String {
    let title = match language {
        Language::Zh => "C 个客户端时每秒的往返次数（越高越好）",
        Language::En => "Round trips per second with C clients (higher is better)",
    };
    bars(rows, title, language, layout)
}

/// Each row's `rate` as a bar on a linear scale from 0, one group of bars per number of
/// clients, under `title`.
pub fn bars(rows: &[Row], title: &str, language: Language, layout: Layout) -> String {
    let highest = rows.iter().map(|r| r.rate as f64).fold(1.0, f64::max);
    let step = nice_step(highest / 5.0);
    let scale = Scale::Linear {
        top: (highest / step).ceil() * step,
        step,
    };
    draw(rows, title, language, layout, &scale, |row| row.rate)
}

/// The p99 latency of one round trip, in µs, on a log scale.
pub fn p99_chart(rows: &[Row], language: Language, layout: Layout) -> String {
    let title = match language {
        Language::Zh => "C 个客户端时单次往返的 p99 延迟，微秒，对数刻度（越低越好）",
        Language::En => {
            "p99 latency of one round trip, µs, log scale, with C clients (lower is better)"
        }
    };
    let values = rows.iter().map(|r| r.p99_micros.max(1) as f64);
    let lowest = values.clone().fold(f64::MAX, f64::min).min(10.0);
    let highest = values.fold(1.0, f64::max);
    let scale = Scale::Log {
        bottom: lowest.log10().floor() as i32,
        top: highest.log10().ceil().max(lowest.log10().floor() + 1.0) as i32,
    };
    draw(rows, title, language, layout, &scale, |row| row.p99_micros)
}

/// How values map to the height of the plot, 0 at the bottom and 1 at the top.
enum Scale {
    Linear {
        top: f64,
        step: f64,
    },
    /// Powers of ten, from 10^bottom to 10^top.
    Log {
        bottom: i32,
        top: i32,
    },
}

impl Scale {
    fn fraction(&self, value: f64) -> f64 {
        match *self {
            Scale::Linear { top, .. } => value / top,
            Scale::Log { bottom, top } => {
                (value.max(1.0).log10() - f64::from(bottom)) / f64::from(top - bottom)
            }
        }
    }

    /// The grid lines: each value, and whether it is labelled.
    fn grid(&self) -> Vec<(f64, bool)> {
        match *self {
            Scale::Linear { top, step } => {
                let count = (top / step).round() as usize;
                (0..=count).map(|k| (k as f64 * step, true)).collect()
            }
            Scale::Log { bottom, top } => (bottom..=top)
                .flat_map(|power| {
                    let decade = 10f64.powi(power);
                    let minor = [2.0, 5.0].map(|m| (m * decade, false));
                    std::iter::once((decade, true)).chain(if power < top {
                        minor.to_vec()
                    } else {
                        Vec::new()
                    })
                })
                .collect(),
        }
    }
}

/// The bars' colours, one per server, in the table's order.
const COLOURS: [&str; 4] = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1"];

/// The servers and the numbers of clients of the table, each once, in the table's order.
fn servers_and_clients(rows: &[Row]) -> (Vec<&str>, Vec<usize>) {
    let mut servers: Vec<&str> = Vec::new();
    let mut clients: Vec<usize> = Vec::new();
    for row in rows {
        if !servers.contains(&row.server.as_str()) {
            servers.push(&row.server);
        }
        if !clients.contains(&row.clients) {
            clients.push(row.clients);
        }
    }
    (servers, clients)
}

/// A server's name as SVG text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('>', "&gt;")
        .replace('<', "&lt;")
}

fn draw(
    rows: &[Row],
    title: &str,
    language: Language,
    layout: Layout,
    scale: &Scale,
    value_of: fn(&Row) -> u64,
) -> String {
    match layout {
        Layout::Wide => draw_wide(rows, title, language, scale, value_of),
        Layout::Narrow => draw_narrow(rows, title, language, scale, value_of),
    }
}

/// Grouped bars: one group per number of clients, one bar per server, each bar labelled with
/// its value as the table prints it.
fn draw_wide(
    rows: &[Row],
    title: &str,
    language: Language,
    scale: &Scale,
    value_of: fn(&Row) -> u64,
) -> String {
    const WIDTH: f64 = 760.0;
    const HEIGHT: f64 = 420.0;
    const LEFT: f64 = 80.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 60.0;
    const BOTTOM: f64 = 70.0;

    let (servers, clients) = servers_and_clients(rows);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |value: f64| TOP + plot_h * (1.0 - scale.fraction(value).clamp(0.0, 1.0));

    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13" lang="{lang}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{cx}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{title}</text>
"##,
        cx = WIDTH / 2.0,
        lang = language.code()
    );
    for (value, labelled) in scale.grid() {
        let colour = if labelled { "#cccccc" } else { "#eeeeee" };
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{py:.1}" y2="{py:.1}" stroke="{colour}"/>"##,
            x2 = WIDTH - RIGHT,
            py = y(value),
        );
        if labelled {
            let _ = write!(
                svg,
                r##"<text x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"##,
                tx = LEFT - 6.0,
                ty = y(value) + 4.0,
                label = grouped(value as u64)
            );
        }
        svg.push('\n');
    }
    let group_w = plot_w / clients.len().max(1) as f64;
    // Narrower bars for more servers: smaller and shorter labels (144k for 143552), so that
    // neighbours' numbers do not overlap. The table beside the chart has the exact figures.
    let crowded = servers.len() > 3;
    let label_size = if crowded { 10 } else { 11 };
    let bar_w = group_w * 0.8 / servers.len().max(1) as f64;
    for (group, &count) in clients.iter().enumerate() {
        let gx = LEFT + group_w * group as f64 + group_w * 0.1;
        for (index, server) in servers.iter().enumerate() {
            let Some(row) = rows
                .iter()
                .find(|r| r.clients == count && r.server == *server)
            else {
                continue;
            };
            let value = value_of(row);
            let label = if crowded {
                compact(value)
            } else {
                value.to_string()
            };
            let x = gx + bar_w * index as f64;
            let top = y(value as f64);
            let _ = writeln!(
                svg,
                r##"<rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-size="{label_size}">{label}</text>"##,
                w = bar_w - 2.0,
                h = HEIGHT - BOTTOM - top,
                c = COLOURS[index % COLOURS.len()],
                tx = x + bar_w / 2.0 - 1.0,
                ty = top - 4.0,
            );
        }
        let _ = writeln!(
            svg,
            r##"<text x="{x:.1}" y="{yy}" text-anchor="middle">C = {count}</text>"##,
            x = gx + group_w * 0.4,
            yy = HEIGHT - BOTTOM + 20.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{b}" stroke="#333333"/><line x1="{LEFT}" x2="{r}" y1="{b}" y2="{b}" stroke="#333333"/>"##,
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT
    );
    for (index, server) in servers.iter().enumerate() {
        let x = LEFT + 190.0 * index as f64;
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="{ly}" width="14" height="14" fill="{c}"/><text x="{tx}" y="{ty}">{name}</text>"##,
            ly = HEIGHT - 30.0,
            c = COLOURS[index % COLOURS.len()],
            tx = x + 20.0,
            ty = HEIGHT - 18.0,
            name = escape(server)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The same bars for a phone's column: the title on as many lines as it needs, the legend in
/// two columns, then one group per number of clients, one under another, headed `C = 10`, its
/// bars lying down and each labelled with its value as the table prints it; the scale's grid
/// runs down the groups, labelled at the top in short numbers (`50k`, `1M`).
fn draw_narrow(
    rows: &[Row],
    title: &str,
    language: Language,
    scale: &Scale,
    value_of: fn(&Row) -> u64,
) -> String {
    const WIDTH: f64 = 360.0;
    const SIDE: f64 = 8.0;
    // Room right of the longest bar for its label (1147336 at 12 px).
    const LABEL_ROOM: f64 = 58.0;
    const TITLE_SIZE: f64 = 14.0;
    const TITLE_LINE: f64 = 19.0;
    const LEGEND_LINE: f64 = 20.0;
    const HEADER: f64 = 20.0;
    const BAR: f64 = 15.0;
    const BAR_GAP: f64 = 3.0;
    const GROUP_GAP: f64 = 10.0;

    let (servers, clients) = servers_and_clients(rows);
    let lines = wrap_title(title, WIDTH - 2.0 * SIDE, TITLE_SIZE);
    let legend_top = 8.0 + TITLE_LINE * lines.len() as f64 + 6.0;
    let legend_rows = servers.len().div_ceil(2);
    let axis_y = legend_top + LEGEND_LINE * legend_rows as f64 + 16.0;
    let plot_top = axis_y + 8.0;
    let group_h = HEADER + (BAR + BAR_GAP) * servers.len() as f64 - BAR_GAP + GROUP_GAP;
    let plot_bottom = plot_top + group_h * clients.len() as f64 - GROUP_GAP;
    let height = (plot_bottom + 10.0).ceil();
    // Room left of the plot for half of the first grid label (`10`, `0`), centred on its line.
    let left = SIDE + 8.0;
    let right = WIDTH - SIDE - LABEL_ROOM;
    let x = |value: f64| left + (right - left) * scale.fraction(value).clamp(0.0, 1.0);

    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13" lang="{lang}">
<rect width="100%" height="100%" fill="#ffffff"/>
"##,
        lang = language.code()
    );
    for (k, line) in lines.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="{cx}" y="{ty}" text-anchor="middle" font-size="{TITLE_SIZE}" font-weight="bold">{line}</text>"##,
            cx = WIDTH / 2.0,
            ty = 8.0 + TITLE_LINE * (k as f64 + 1.0) - 4.0,
        );
    }
    for (index, server) in servers.iter().enumerate() {
        let lx = SIDE + (WIDTH - 2.0 * SIDE) / 2.0 * (index % 2) as f64;
        let ly = legend_top + LEGEND_LINE * (index / 2) as f64;
        let _ = writeln!(
            svg,
            r##"<rect x="{lx}" y="{ly}" width="13" height="13" fill="{c}"/><text x="{tx}" y="{ty}">{name}</text>"##,
            c = COLOURS[index % COLOURS.len()],
            tx = lx + 18.0,
            ty = ly + 11.0,
            name = escape(server)
        );
    }
    for (value, labelled) in scale.grid() {
        let colour = if labelled { "#cccccc" } else { "#eeeeee" };
        let _ = write!(
            svg,
            r##"<line x1="{gx:.1}" x2="{gx:.1}" y1="{plot_top}" y2="{plot_bottom}" stroke="{colour}"/>"##,
            gx = x(value),
        );
        if labelled {
            let _ = write!(
                svg,
                r##"<text x="{gx:.1}" y="{axis_y}" text-anchor="middle" font-size="12">{label}</text>"##,
                gx = x(value),
                label = short(value)
            );
        }
        svg.push('\n');
    }
    for (group, &count) in clients.iter().enumerate() {
        let top = plot_top + group_h * group as f64;
        let _ = writeln!(
            svg,
            r##"<text x="{SIDE}" y="{hy}" font-weight="bold">C = {count}</text>"##,
            hy = top + HEADER - 6.0,
        );
        for (index, server) in servers.iter().enumerate() {
            let Some(row) = rows
                .iter()
                .find(|r| r.clients == count && r.server == *server)
            else {
                continue;
            };
            let value = value_of(row);
            let end = x(value as f64);
            let by = top + HEADER + (BAR + BAR_GAP) * index as f64;
            let _ = writeln!(
                svg,
                r##"<rect x="{left}" y="{by:.1}" width="{w:.1}" height="{BAR}" fill="{c}"/><text x="{tx:.1}" y="{ty:.1}" font-size="12">{value}</text>"##,
                w = (end - left).max(1.0),
                c = COLOURS[index % COLOURS.len()],
                tx = end + 4.0,
                ty = by + BAR - 3.0,
            );
        }
    }
    let _ = writeln!(
        svg,
        r##"<line x1="{left}" x2="{left}" y1="{plot_top}" y2="{plot_bottom}" stroke="#333333"/>"##,
    );
    svg.push_str("</svg>\n");
    svg
}

/// A grid line's value in at most four characters: 500, 50k, 1.5M.
fn short(value: f64) -> String {
    let (number, unit) = if value >= 1e6 {
        (value / 1e6, "M")
    } else if value >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let number = format!("{number:.1}");
    format!("{}{unit}", number.trim_end_matches(".0"))
}

/// The title cut into lines no wider than `width` at `size` px, at its spaces, after its
/// commas, or before an opening bracket. Widths are estimated for bold type, generously: a CJK
/// character 1.1 em (a CJK font without a bold face is emboldened, which widens it), any other
/// 0.62 em.
fn wrap_title(title: &str, width: f64, size: f64) -> Vec<String> {
    let advance = |c: char| {
        if c.is_ascii() {
            0.62 * size
        } else {
            1.1 * size
        }
    };
    // The title's pieces, each ending where a line may end.
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    for c in title.chars() {
        if c == '（' && !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
        }
        piece.push(c);
        if matches!(c, ' ' | '，' | ',' | '、') {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    pieces.push(piece);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let wide = (line.clone() + piece.trim_end())
            .chars()
            .map(advance)
            .sum::<f64>();
        if !line.is_empty() && wide > width {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        line.push_str(&piece);
    }
    lines.push(line.trim_end().to_owned());
    lines
}

/// 19336 as `19 336`: the thousands apart, for both languages.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

/// A bar's label in at most four characters: 3517, 144k, 1.1M.
fn compact(value: u64) -> String {
    match value {
        0..10_000 => value.to_string(),
        10_000..999_500 => format!("{}k", (value + 500) / 1000),
        _ => format!("{:.1}M", value as f64 / 1e6),
    }
}

/// A round step for about five grid lines: 1, 2 or 5 times a power of ten.
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1800.0), 2000.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(10_000.0), 10_000.0);
    }

    /// Lesson 4's benchmark, and lesson 7's comparison of the designs: the pages that hold a
    /// benchmark table of round trips (lesson-list: not a list of lessons).
    const BENCHMARK_PAGES: [&str; 2] = ["lesson4", "lesson7"];

    fn pages_rows(language: &str, lesson: &str) -> Vec<Row> {
        page_checks::rows(&ROUND_TRIPS, language, lesson)
    }

    /// The committed charts are exactly what the pages' table draws, in each page's language:
    /// a chart and its table cannot disagree.
    #[test]
    fn the_committed_charts_are_drawn_from_the_pages_table() {
        for lesson in BENCHMARK_PAGES {
            page_checks::committed_charts_are_the_tables(&ROUND_TRIPS, lesson, 4);
        }
    }

    /// Each page shows each chart as a `<picture>`: the narrow layout on a phone, the wide
    /// one elsewhere (and where a `<picture>` is not understood).
    #[test]
    fn the_pages_show_the_narrow_charts_on_a_phone() {
        for lesson in BENCHMARK_PAGES {
            page_checks::pages_show_the_narrow_charts(&ROUND_TRIPS, lesson);
        }
    }

    /// No text of a chart is smaller than 10 px at the chart's own size (the wide charts are
    /// drawn at that size in a desktop's column), nor than 12 px in a narrow one (a phone's
    /// column is 360 px or a little less); and the narrow layout is a phone's width.
    #[test]
    fn the_charts_text_is_large_enough_to_read() {
        for lesson in BENCHMARK_PAGES {
            page_checks::text_is_large_enough(&ROUND_TRIPS, lesson);
        }
    }

    /// The narrow layout labels every bar with the table's number, as printed, and each
    /// group with its number of clients.
    #[test]
    fn the_narrow_charts_show_every_number_of_the_table() {
        let rows = pages_rows("zh", "lesson7");
        let rate = rate_chart(&rows, Language::En, Layout::Narrow);
        let p99 = p99_chart(&rows, Language::Zh, Layout::Narrow);
        for row in &rows {
            assert!(rate.contains(&format!(">{}</text>", row.rate)), "{row:?}");
            assert!(
                p99.contains(&format!(">{}</text>", row.p99_micros)),
                "{row:?}"
            );
            assert!(rate.contains(&format!(">C = {}</text>", row.clients)));
        }
        assert!(p99.contains(">pool of 8</text>"), "{p99}");
    }

    /// A long title goes on two lines in the narrow layout, cut at a space or after a comma.
    #[test]
    fn narrow_titles_are_wrapped() {
        let title =
            "p99 latency of one round trip, µs, log scale, with C clients (lower is better)";
        let en = wrap_title(title, 344.0, 14.0);
        assert_eq!(en.len(), 2, "{en:?}");
        assert_eq!(en.join(" "), title);
        let zh = wrap_title(
            "C 个客户端时单次往返的 p99 延迟，微秒，对数刻度（越低越好）",
            344.0,
            14.0,
        );
        assert_eq!(zh.len(), 2, "{zh:?}");
        assert!(zh.iter().all(|line| line.chars().count() < 30), "{zh:?}");
        assert_eq!(short(50_000.0), "50k");
        assert_eq!(short(1_000_000.0), "1M");
        assert_eq!(short(2500.0), "2.5k");
        assert_eq!(short(100.0), "100");
    }

    /// The table's rows are read as printed, and the reading stops at the table's end.
    #[test]
    fn the_table_is_parsed_as_printed() {
        let text = format!(
            "text\n\n{HEADER} errors |\n|---|---:|---:|---:|---:|---:|\n| lesson4 > file | 10 | 122758 | 76 | 170 | 0 |\n\nafter\n| x | 1 | 2 | 3 | 4 |\n"
        );
        assert_eq!(
            parse_table(&text),
            vec![Row {
                server: "lesson4 > file".to_owned(),
                clients: 10,
                rate: 122_758,
                p99_micros: 170
            }]
        );
    }

    /// The table `loadgen bench` prints is read as the pages' is, so that `bench --charts`
    /// draws its own run.
    #[test]
    fn the_printed_table_is_read_too() {
        let text = format!(
            "{PRINTED_HEADER} errors | threads |\n|---|\n| baseline | 1 | 18537 | 61 | 114 | 0 | 2 |\n"
        );
        assert_eq!(
            parse_table(&text),
            vec![Row {
                server: "baseline".to_owned(),
                clients: 1,
                rate: 18537,
                p99_micros: 114
            }]
        );
    }

    /// On the log scale each power of ten is the same height, and the labels are the table's.
    #[test]
    fn latency_is_drawn_on_a_log_scale_with_the_tables_numbers() {
        let scale = Scale::Log { bottom: 1, top: 5 };
        let step = |a: f64, b: f64| scale.fraction(b) - scale.fraction(a);
        assert!((step(10.0, 100.0) - step(1000.0, 10000.0)).abs() < 1e-9);
        let rows = vec![Row {
            server: "baseline".to_owned(),
            clients: 1,
            rate: 17513,
            p99_micros: 78,
        }];
        let svg = p99_chart(&rows, Language::Zh, Layout::Wide);
        assert!(svg.contains(">78</text>"), "{svg}");
        assert!(svg.contains("对数刻度"), "{svg}");
        assert!(rate_chart(&rows, Language::En, Layout::Wide).contains(">17513</text>"));
    }

    /// With four servers to a group the bars are narrow, and their labels short.
    #[test]
    fn crowded_bars_get_short_labels() {
        assert_eq!(
            [3517, 9999, 10_000, 143_552, 999_499, 999_500, 1_147_336].map(compact),
            ["3517", "9999", "10k", "144k", "999k", "1.0M", "1.1M"]
        );
        let rows: Vec<Row> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|server| Row {
                server: server.to_owned(),
                clients: 1000,
                rate: 143_552,
                p99_micros: 1_147_336,
            })
            .collect();
        assert!(rate_chart(&rows, Language::En, Layout::Wide).contains(">144k</text>"));
        assert!(p99_chart(&rows, Language::En, Layout::Wide).contains(">1.1M</text>"));
        assert!(rate_chart(&rows[..3], Language::En, Layout::Wide).contains(">143552</text>"));
    }
}

/// The checks of a benchmark page and its committed charts, for any kind of table (lessons
/// 4 and 7's round trips here, lesson 9's HTTP table in `http_charts`).
#[cfg(test)]
pub(crate) mod page_checks {
    use super::*;

    /// The rows of the benchmark table on `lessons/LANGUAGE/LESSON.md`.
    pub(crate) fn rows<R>(kind: &Charts<R>, language: &str, lesson: &str) -> Vec<R> {
        let page = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../lessons/{language}/{lesson}.md"));
        let text = std::fs::read_to_string(&page).expect("the lesson's page exists in the course");
        (kind.parse)(&text)
    }

    /// Both pages hold the same table, of at least `least` rows, and each committed chart
    /// is exactly what that table draws.
    pub(crate) fn committed_charts_are_the_tables<R: PartialEq + std::fmt::Debug>(
        kind: &Charts<R>,
        lesson: &str,
        least: usize,
    ) {
        let zh = rows(kind, "zh", lesson);
        assert!(
            zh.len() >= least,
            "expected the benchmark table on lessons/zh/{lesson}.md, got {zh:?}"
        );
        assert_eq!(
            zh,
            rows(kind, "en", lesson),
            "the two pages of {lesson} show different benchmark tables"
        );
        let img = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons/img");
        let prefix = format!("{lesson}-bench");
        for language in Language::ALL {
            for (name, chart) in kind.drawn {
                for layout in Layout::ALL {
                    let path = img.join(file_name(&prefix, name, language, layout));
                    let got = std::fs::read_to_string(&path).unwrap_or_default();
                    assert!(
                        got == chart(&zh, language, layout),
                        "{} is not the chart of the pages' table; redraw it with\n  \
                         cargo run -p loadgen -- charts --table lessons/zh/{lesson}.md --out lessons/img",
                        path.display()
                    );
                }
            }
        }
    }

    /// Each page shows each chart as a `<picture>` of its two layouts.
    pub(crate) fn pages_show_the_narrow_charts<R>(kind: &Charts<R>, lesson: &str) {
        for language in Language::ALL {
            let page = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../lessons/{}/{lesson}.md", language.code()));
            let text = std::fs::read_to_string(&page).expect("the lesson's page exists");
            for (name, _) in kind.drawn {
                let picture = picture_opening(&format!("{lesson}-bench"), name, language);
                assert!(
                    text.contains(&picture),
                    "{} should show its {name} chart as {picture} alt=\"…\"></picture>",
                    page.display()
                );
            }
        }
    }

    /// Every `font-size="…"` of an SVG, in px.
    fn font_sizes(svg: &str) -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect()
    }

    /// No text under 10 px in a wide chart, nor under 12 px in a narrow one, 360 px wide.
    pub(crate) fn text_is_large_enough<R>(kind: &Charts<R>, lesson: &str) {
        let rows = rows(kind, "zh", lesson);
        for language in Language::ALL {
            for (name, chart) in kind.drawn {
                for (layout, least) in [(Layout::Wide, 10.0), (Layout::Narrow, 12.0)] {
                    let svg = chart(&rows, language, layout);
                    let sizes = font_sizes(&svg);
                    assert!(
                        !sizes.is_empty() && sizes.iter().all(|&size| size >= least),
                        "{lesson} {name} {layout:?}: font sizes {sizes:?}, under {least}"
                    );
                }
                let narrow = chart(&rows, language, Layout::Narrow);
                assert!(
                    narrow.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\"")
                );
            }
        }
    }
}
