//! What a lesson's experiments print, and the summary table that ends a full run (lessons 5
//! and 6). No socket calls here: an experiment makes its own and hands each return value to
//! [`Report::observe`], which prints it exactly as the OS gave it (`Ok(5 bytes)`,
//! `Err(BrokenPipe: Broken pipe (os error 32))`).
//!
//! Every line starts with a fixed marker (`观察 observed:`, `状态 states:`, `结论 verdict:`, and
//! in the summary the experiment's kind and number), so that the lessons' tests can read what a
//! run saw.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::kernel::{self, TcpState, Unavailable};
use socket2::SockAddr;

/// How long to wait for a transition the kernel makes after the call that caused it returned.
/// Generous for a loaded machine; on an idle one the transition takes microseconds.
const SETTLE: Duration = Duration::from_secs(5);

/// A value the OS handed back, as the experiments print it.
pub trait Shown {
    fn shown(&self) -> String;
}

impl Shown for usize {
    fn shown(&self) -> String {
        crate::count(*self, "byte", "bytes")
    }
}

impl Shown for () {
    fn shown(&self) -> String {
        "()".to_owned()
    }
}

impl Shown for SockAddr {
    fn shown(&self) -> String {
        crate::addr_text(self)
    }
}

/// `Ok(…)`, or `Err(Kind: the OS's words (os error N))`.
pub fn outcome<T: Shown>(result: &io::Result<T>) -> String {
    match result {
        Ok(value) => format!("Ok({})", value.shown()),
        Err(error) => format!("Err({:?}: {error})", error.kind()),
    }
}

/// The same, shorter, for the summary table: `Ok(5 bytes)`, `Err(BrokenPipe, os error 32)`.
pub fn short<T: Shown>(result: &io::Result<T>) -> String {
    match result {
        Ok(value) => format!("Ok({})", value.shown()),
        Err(error) => match error.raw_os_error() {
            Some(code) => format!("Err({:?}, os error {code})", error.kind()),
            None => format!("Err({:?})", error.kind()),
        },
    }
}

/// Whether `result` is an error of this kind.
pub fn failed_with<T>(result: &io::Result<T>, kinds: &[io::ErrorKind]) -> bool {
    matches!(result, Err(error) if kinds.contains(&error.kind()))
}

/// An IP socket address out of socket2's `SockAddr` (every socket here is IPv4).
pub fn ip(addr: &SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket()
        .ok_or_else(|| io::Error::other(format!("not an IP address: {addr:?}")))
}

/// One end of a TCP connection as the kernel's table names it: its local and remote address.
/// Taken while the socket is open, because a closed socket can no longer be asked.
pub struct End {
    label: &'static str,
    local: SocketAddr,
    remote: SocketAddr,
}

impl End {
    /// The two ends of one connection, from each socket's own local address.
    pub fn pair(
        client_label: &'static str,
        client: &SockAddr,
        server_label: &'static str,
        server: &SockAddr,
    ) -> io::Result<(End, End)> {
        let (client, server) = (ip(client)?, ip(server)?);
        Ok((
            End {
                label: client_label,
                local: client,
                remote: server,
            },
            End {
                label: server_label,
                local: server,
                remote: client,
            },
        ))
    }

    /// The local port of this end.
    pub fn port(&self) -> u16 {
        self.local.port()
    }

    /// A listening socket, which the kernel lists with the remote address 0.0.0.0:0.
    pub fn listener(label: &'static str, local: &SockAddr) -> io::Result<End> {
        Ok(End {
            label,
            local: ip(local)?,
            remote: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        })
    }
}

/// Whether an experiment showed its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Fails,
    /// The setup needed for the rule failed (say, the fixed port is taken), so it shows nothing.
    NotShown,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Holds => "成立 holds",
            Self::Fails => "不成立 does not hold",
            Self::NotShown => "未验证 not shown",
        })
    }
}

/// What a lesson calls its experiments, in Chinese and English: lesson 5 tests the notes'
/// rules (`规则 rule`), lesson 6 runs experiments (`实验 experiment`).
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub zh: &'static str,
    pub en: &'static str,
}

/// One experiment's run: prints as it goes and keeps what the summary table needs.
pub struct Report {
    number: u8,
    name: &'static str,
    verdict: Verdict,
    observed: String,
    /// Each end's states in the order seen, without repeats: `client ESTABLISHED→FIN_WAIT2`.
    walks: Vec<(&'static str, Vec<String>)>,
    no_view: Option<Unavailable>,
}

/// One row of the summary table.
pub struct Row {
    number: u8,
    name: &'static str,
    observed: String,
    verdict: Verdict,
    states: String,
}

impl Report {
    /// Prints the experiment's heading and what it sets out to show.
    pub fn begin(kind: Kind, number: u8, name: &'static str, rule: &str) -> Self {
        crate::say!();
        crate::say!("== {} {number} {} {number}: {name} ==", kind.zh, kind.en);
        crate::print_both(rule, "   ", "   ");
        Report {
            number,
            name,
            verdict: Verdict::Fails,
            observed: String::new(),
            walks: Vec::new(),
            no_view: None,
        }
    }

    /// Prints what was done and what the OS returned, and gives back the printed outcome.
    pub fn observe<T: Shown>(&mut self, what: &str, result: &io::Result<T>) -> String {
        let text = outcome(result);
        print_observed(what, &text);
        text
    }

    /// Prints an observation that is not a socket call's return value.
    pub fn note(&mut self, what: &str, value: impl fmt::Display) {
        print_observed(what, &value.to_string());
    }

    /// Prints both ends' addresses once, so the states below can be found with `ss -tan`.
    pub fn connection(&mut self, client: &End, server: &End) {
        crate::say!(
            "  连接 connection: {} {} <-> {} {}",
            client.label,
            client.local,
            server.label,
            server.local
        );
    }

    /// Prints the state of each end as the kernel reports it right now.
    pub fn states(&mut self, ends: &[&End]) {
        // Waiting for nothing: a single read of the kernel's table for all ends.
        let now = ends.iter().map(|end| (*end, None)).collect::<Vec<_>>();
        let seen = kernel::await_states(&Self::wanted(&now), Duration::ZERO);
        self.print_states(ends, seen);
    }

    /// Prints the state of each end once the kernel reports the state given beside it (`None`:
    /// the connection is gone, CLOSED), or after a bounded wait, whatever it is then. For
    /// transitions the kernel makes after the call that caused them has returned.
    pub fn states_after(&mut self, ends: &[(&End, Option<TcpState>)]) {
        let seen = kernel::await_states(&Self::wanted(ends), SETTLE);
        let ends: Vec<&End> = ends.iter().map(|(end, _)| *end).collect();
        self.print_states(&ends, seen);
    }

    fn wanted(
        ends: &[(&End, Option<TcpState>)],
    ) -> Vec<(SocketAddr, SocketAddr, Option<TcpState>)> {
        ends.iter()
            .map(|(end, state)| (end.local, end.remote, *state))
            .collect()
    }

    fn print_states(&mut self, ends: &[&End], seen: Result<Vec<Option<TcpState>>, Unavailable>) {
        let names: Vec<String> = match seen {
            Ok(states) => states
                .into_iter()
                .map(|state| state.map_or("CLOSED".to_owned(), |s| s.to_string()))
                .collect(),
            Err(unavailable) => {
                if self.no_view.is_none() {
                    crate::print_fit(&format!("（{unavailable}）"), "  ", "   ");
                }
                self.no_view = Some(unavailable);
                vec!["unavailable".to_owned(); ends.len()]
            }
        };
        let mut line = String::from("状态 states:");
        for (end, name) in ends.iter().zip(names) {
            line.push_str(&format!(" {}={name}", end.label));
            match self.walks.iter_mut().find(|(label, _)| *label == end.label) {
                Some((_, walk)) if walk.last() == Some(&name) => {}
                Some((_, walk)) => walk.push(name),
                None => self.walks.push((end.label, vec![name])),
            }
        }
        crate::print_fit(&line, "  ", "               ");
    }

    /// Records whether the rule held, and what the summary table says was observed.
    pub fn conclude(&mut self, holds: bool, observed: String) {
        self.verdict = if holds {
            Verdict::Holds
        } else {
            Verdict::Fails
        };
        self.observed = observed;
    }

    /// Records whether the rule held as [`Report::conclude`] does, from its parts: it held if
    /// every part did. Each part is named by its condition as the lesson writes it, and the
    /// ones that did not hold are added to what was observed, so that a student on a system
    /// where the rule breaks reads which part broke.
    pub fn conclude_if_all(&mut self, parts: &[(&str, bool)], observed: String) {
        let broken: Vec<&str> = parts
            .iter()
            .filter(|(_, held)| !held)
            .map(|(name, _)| *name)
            .collect();
        let observed = if broken.is_empty() {
            observed
        } else {
            format!("{observed}; 不成立的 not so: {}", broken.join(", "))
        };
        self.conclude(broken.is_empty(), observed);
    }

    /// Records that the experiment could not show its rule, and why.
    pub fn not_shown(&mut self, observed: String) {
        self.verdict = Verdict::NotShown;
        self.observed = observed;
    }

    /// Prints the verdict line and hands back the summary row.
    pub fn finish(self) -> Row {
        crate::say!("  结论 verdict: {} {}", self.name, self.verdict);
        let states = match self.no_view {
            Some(_) => "看不到 no view on this platform".to_owned(),
            None => self
                .walks
                .iter()
                .map(|(label, walk)| format!("{label} {}", walk.join("→")))
                .collect::<Vec<_>>()
                .join("; "),
        };
        Row {
            number: self.number,
            name: self.name,
            observed: self.observed,
            verdict: self.verdict,
            states,
        }
    }
}

/// The summary that ends a full run: per experiment, in order, a line with its verdict, then
/// what it observed and, where it watched any, the TCP states each end went through. Short
/// lines rather than one table row, so that none is wider than a terminal: a part after a `; `
/// goes on a line of its own.
pub fn summary(kind: Kind, rows: &[Row]) {
    crate::say!();
    crate::say!("总结 summary:");
    for row in rows {
        crate::say!(
            "{} {} {} {}: {}",
            kind.zh,
            kind.en,
            row.number,
            row.name,
            row.verdict
        );
        print_parts("   结果 result:", &row.observed);
        if !row.states.is_empty() {
            print_parts("   TCP 状态 states:", &row.states);
        }
    }
}

/// `label` and the first part of `text`, then each further `; `-separated part on a line of its
/// own, lined up under the first; a part too wide for one line goes on the next ones.
fn print_parts(label: &str, text: &str) {
    crate::say!("{}", parts_lines(label, text).join("\n"));
}

/// The lines [`print_parts`] prints.
fn parts_lines(label: &str, text: &str) -> Vec<String> {
    let indent = " ".repeat(crate::width(label) + 1);
    let mut lines = Vec::new();
    for (index, part) in text.split("; ").enumerate() {
        let first = if index == 0 {
            format!("{label} ")
        } else {
            indent.clone()
        };
        lines.extend(crate::fit(part, &first, &indent));
    }
    lines
}

/// `  观察 observed: WHAT -> WHAT THE OS RETURNED` on one line where it fits; otherwise what
/// was done, then `-> …` on the line below, so the OS's words are never cut from their arrow.
fn print_observed(what: &str, text: &str) {
    const MARKER: &str = "  观察 observed: ";
    let line = format!("{MARKER}{what} -> {text}");
    if crate::width(&line) <= crate::MAX_COLUMNS {
        crate::say!("{line}");
    } else {
        crate::print_fit(what, MARKER, "    ");
        crate::print_fit(&format!("-> {text}"), "    ", "       ");
    }
}

/// A lesson's `--list`: per experiment its number, the name to run it by and what it shows,
/// in columns; the English goes under the Chinese where both do not fit on one line.
pub fn list(experiments: &[(u8, &str, &str)]) {
    crate::say!("{}", list_lines(experiments).join("\n"));
}

/// The lines [`list`] prints.
fn list_lines(experiments: &[(u8, &str, &str)]) -> Vec<String> {
    let numbers = experiments.iter().map(|(n, ..)| n.to_string().len());
    let names = experiments.iter().map(|(_, name, _)| name.len());
    let (numbers, names) = (numbers.max().unwrap_or(1), names.max().unwrap_or(0) + 1);
    let mut lines = Vec::new();
    for (number, name, about) in experiments {
        let first = format!("{number:>numbers$}. {name:<names$} ");
        lines.extend(crate::print::both(
            about,
            &first,
            &" ".repeat(crate::width(&first)),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the OS returned, as the experiments print it (in full, and short for the summary),
    /// and whether it was an error of a kind the rule expects.
    #[test]
    fn results_are_shown_as_the_os_returned_them() {
        let bytes: io::Result<usize> = Ok(5);
        let reset: io::Result<usize> = Err(io::Error::from_raw_os_error(104));
        let eof: io::Result<usize> = Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(outcome(&bytes), "Ok(5 bytes)");
        assert_eq!(short(&bytes), "Ok(5 bytes)");
        assert_eq!(outcome(&Ok(())), "Ok(())");
        assert!(
            outcome(&reset).starts_with("Err(ConnectionReset: "),
            "{}",
            outcome(&reset)
        );
        assert_eq!(short(&reset), "Err(ConnectionReset, os error 104)");
        assert_eq!(short(&eof), "Err(UnexpectedEof)");
        let address = SockAddr::from(SocketAddr::from(([127, 0, 0, 1], 8989)));
        assert_eq!(address.shown(), "127.0.0.1:8989");
        let reset_kinds = [io::ErrorKind::ConnectionReset];
        assert!(failed_with(&reset, &reset_kinds));
        assert!(!failed_with(&eof, &reset_kinds));
        assert!(!failed_with(&bytes, &reset_kinds));
    }

    /// A summary's parts after the first go on lines of their own, lined up under it.
    #[test]
    fn parts_line_up_under_the_first() {
        assert_eq!(
            parts_lines("   结果 result:", "2 sends; 1 recv; Ok(30 bytes)"),
            [
                "   结果 result: 2 sends",
                "                1 recv",
                "                Ok(30 bytes)"
            ]
        );
    }

    /// `--list` puts what each experiment shows in one column, whatever the name's length;
    /// the English goes under the Chinese, in that column, where both do not fit one line.
    #[test]
    fn the_list_lines_up_in_columns() {
        let long = "很长的说明".repeat(8);
        let lines = list_lines(&[
            (1, "glued", "粘包 / glued"),
            (10, "partial-send", &format!("{long} / a long English line")),
        ]);
        assert_eq!(
            lines,
            [
                " 1. glued         粘包 / glued".to_owned(),
                format!("10. partial-send  {long}"),
                "                  a long English line".to_owned(),
            ]
        );
    }

    /// An end is named by its local address; its port is that address's.
    #[test]
    fn an_end_knows_its_port() {
        let client = SockAddr::from(SocketAddr::from(([127, 0, 0, 1], 40000)));
        let server = SockAddr::from(SocketAddr::from(([127, 0, 0, 1], 8999)));
        let (client_end, server_end) =
            End::pair("client", &client, "server", &server).expect("IP addresses");
        assert_eq!((client_end.port(), server_end.port()), (40000, 8999));
        assert_eq!(End::listener("listener", &server).expect("IP").port(), 8999);
    }

    /// The report's verdict and observation after `conclude_if_all`: built in place, so that
    /// the test prints no heading or verdict line into the test run's output.
    fn concluded(parts: &[(&str, bool)]) -> Report {
        let mut report = Report {
            number: 1,
            name: "test",
            verdict: Verdict::NotShown,
            observed: String::new(),
            walks: Vec::new(),
            no_view: None,
        };
        report.conclude_if_all(parts, "seen".to_owned());
        report
    }

    /// A rule holds only when every part does; the parts that did not are named.
    #[test]
    fn a_rule_holds_when_all_its_parts_do() {
        let all = concluded(&[("a", true), ("b", true)]);
        assert_eq!(
            (all.verdict, all.observed.as_str()),
            (Verdict::Holds, "seen")
        );
        for (parts, broken) in [
            (&[("a", false), ("b", true)], "a"),
            (&[("a", true), ("b", false)], "b"),
            (&[("a", false), ("b", false)], "a, b"),
        ] {
            let row = concluded(parts);
            assert_eq!(row.verdict, Verdict::Fails, "{parts:?}");
            assert_eq!(row.observed, format!("seen; 不成立的 not so: {broken}"));
        }
    }
}
