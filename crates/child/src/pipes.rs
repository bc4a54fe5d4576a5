//! A child's output, read as it comes, on threads of its own: a pipe left unread fills, and a
//! program blocked on a full pipe looks like a program that hangs. The harness, the practice
//! runner's checks and the tour each read a child's stdout line by line and keep its stderr
//! as text; they do it here, the same way, and each decides what a line means to it.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// Reads `pipe` line by line on a thread of its own and hands each line to `each`, without
/// its `\n` or `\r\n`; bytes that are not UTF-8 show as `�` rather than end the reading, so a
/// program that prints raw bytes is still followed to its end. `each` returns `false` to stop
/// reading (its receiver has gone). `at_end` runs once the pipe is closed: the program ended
/// or closed its stdout.
pub fn read_lines(
    pipe: impl Read + Send + 'static,
    mut each: impl FnMut(String) -> bool + Send + 'static,
    at_end: impl FnOnce() + Send + 'static,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut raw = Vec::new();
        while matches!(reader.read_until(b'\n', &mut raw), Ok(read) if read > 0) {
            let line = String::from_utf8_lossy(&raw);
            if !each(line.trim_end_matches(['\n', '\r']).to_owned()) {
                return;
            }
            raw.clear();
        }
        at_end();
    })
}

/// Reads `pipe` to its end on a thread of its own, adding what it reads to `text` (not UTF-8:
/// `�`) as it comes, so that a caller sees the stderr so far while the program still runs.
/// After each piece, `each` gets the whole text so far (to spot a panic's message, say).
pub fn collect_text(
    mut pipe: impl Read + Send + 'static,
    text: Arc<Mutex<String>>,
    mut each: impl FnMut(&str) + Send + 'static,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read @ 1..) = pipe.read(&mut buffer) {
            let mut text = text.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&String::from_utf8_lossy(&buffer[..read]));
            each(&text);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Lines come without their ends, raw bytes as `�`, and the end is told after the last.
    #[test]
    fn lines_come_whole_and_the_end_is_told() {
        let (sender, lines) = mpsc::channel();
        let ended = sender.clone();
        let pipe: &[u8] = b"one\r\ntw\xffo\nlast";
        read_lines(
            pipe,
            move |line| sender.send(Some(line)).is_ok(),
            move || {
                let _ = ended.send(None);
            },
        )
        .join()
        .expect("the reader ends");
        let got: Vec<Option<String>> = lines.try_iter().collect();
        assert_eq!(
            got,
            [
                Some("one".to_owned()),
                Some("tw\u{FFFD}o".to_owned()),
                Some("last".to_owned()),
                None
            ]
        );
    }

    /// A reader told to stop reads no further line and does not tell the end.
    #[test]
    fn a_reader_stops_when_told() {
        let (sender, lines) = mpsc::channel();
        let ended = sender.clone();
        let pipe: &[u8] = b"one\ntwo\n";
        read_lines(
            pipe,
            move |line| {
                let _ = sender.send(Some(line));
                false
            },
            move || {
                let _ = ended.send(None);
            },
        )
        .join()
        .expect("the reader ends");
        let got: Vec<Option<String>> = lines.try_iter().collect();
        assert_eq!(got, [Some("one".to_owned())]);
    }

    /// The text grows as it is read, and each piece is shown with all that came before it.
    #[test]
    fn text_is_collected_as_it_comes() {
        let text = Arc::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let pieces = Arc::clone(&seen);
        let pipe: &[u8] = b"thread 'main' panicked\xff";
        collect_text(pipe, Arc::clone(&text), move |so_far| {
            pieces.lock().expect("not poisoned").push(so_far.to_owned());
        })
        .join()
        .expect("the reader ends");
        let text = text.lock().expect("not poisoned").clone();
        assert_eq!(text, "thread 'main' panicked\u{FFFD}");
        assert_eq!(seen.lock().expect("not poisoned").last(), Some(&text));
    }
}
