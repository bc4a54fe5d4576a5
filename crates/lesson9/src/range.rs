//! Range requests (RFC 9110 §14): `Range: bytes=1000-1999` asks for part of a file, as a video
//! player does when the reader jumps ahead, or a download that resumes. The server answers
//! 206 with those bytes and a `Content-Range` saying where they sit in the file.

/// What a request's `Range` header asks of a file `length` bytes long.
#[derive(Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The whole file (200): no `Range`, or one this server does not serve. RFC 9110 lets a
    /// server ignore a range it does not understand, and it does so for several ranges at
    /// once (multipart/byteranges) and for units other than bytes.
    Whole,
    /// Bytes `first..=last` of the file (206).
    Part { first: u64, last: u64 },
    /// A range that starts at or past the end of the file (416).
    Unsatisfiable,
}

// ANCHOR: wanted
/// Reads `Range: bytes=FIRST-LAST`, `bytes=FIRST-` (to the end) or `bytes=-N` (the last N
/// bytes) for a file of `length` bytes. A LAST past the end means the end.
pub fn wanted(range: Option<&str>, length: u64) -> Wanted {
    // Anything that does not follow the grammar (`bytes=a-b`, `bytes=0-1,4-5`, `items=0-9`) is
    // ignored: the whole file.
    let Some(spec) = range.and_then(spec) else {
        return Wanted::Whole;
    };
    match spec {
        Spec::Last(0) => Wanted::Unsatisfiable,
        Spec::Last(_) if length == 0 => Wanted::Unsatisfiable,
        Spec::Last(count) => Wanted::Part {
            first: length.saturating_sub(count),
            last: length - 1,
        },
        Spec::From(first, Some(last)) if last < first => Wanted::Whole,
        Spec::From(first, _) if first >= length => Wanted::Unsatisfiable,
        Spec::From(first, last) => Wanted::Part {
            first,
            last: last.map_or(length - 1, |last| last.min(length - 1)),
        },
    }
}
// ANCHOR_END: wanted

/// One range as written: from a byte (to another, or to the end), or the last bytes.
enum Spec {
    From(u64, Option<u64>),
    Last(u64),
}

/// `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-N`; `None` for anything else.
fn spec(range: &str) -> Option<Spec> {
    let (first, last) = range.trim().strip_prefix("bytes=")?.split_once('-')?;
    let number = |text: &str| -> Option<u64> {
        let digits =
            !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
        digits.then(|| text.parse().ok()).flatten()
    };
    match (first.is_empty(), last.is_empty()) {
        (true, false) => Some(Spec::Last(number(last)?)),
        (false, true) => Some(Spec::From(number(first)?, None)),
        (false, false) => Some(Spec::From(number(first)?, Some(number(last)?))),
        (true, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(first: u64, last: u64) -> Wanted {
        Wanted::Part { first, last }
    }

    /// The three forms, a last byte past the end, and what is unsatisfiable or ignored.
    #[test]
    fn ranges_are_read_as_rfc_9110_writes_them() {
        for (range, expected) in [
            ("bytes=0-9", part(0, 9)),
            ("bytes=0-0", part(0, 0)),
            ("bytes=90-", part(90, 99)),
            ("bytes=99-", part(99, 99)),
            ("bytes=-10", part(90, 99)),
            ("bytes=-500", part(0, 99)),
            ("bytes=95-1000", part(95, 99)),
            (" bytes=10-19 ", part(10, 19)),
            ("bytes=100-", Wanted::Unsatisfiable),
            ("bytes=100-200", Wanted::Unsatisfiable),
            ("bytes=-0", Wanted::Unsatisfiable),
            ("bytes=5-2", Wanted::Whole),
            ("bytes=a-b", Wanted::Whole),
            ("bytes=1-2x", Wanted::Whole),
            ("bytes=+1-2", Wanted::Whole),
            ("bytes=0-1,4-5", Wanted::Whole),
            ("bytes=-", Wanted::Whole),
            ("bytes=5", Wanted::Whole),
            ("items=0-9", Wanted::Whole),
        ] {
            assert_eq!(wanted(Some(range), 100), expected, "{range}");
        }
        assert_eq!(wanted(None, 100), Wanted::Whole);
    }

    /// An empty file has no byte to give: every range of it is unsatisfiable.
    #[test]
    fn an_empty_file_satisfies_no_range() {
        for range in ["bytes=0-", "bytes=0-0", "bytes=-1"] {
            assert_eq!(
                wanted(Some(range), 0),
                Wanted::Unsatisfiable,
                "{range}"
            );
        }
    }
}
