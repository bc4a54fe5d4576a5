//! Lesson 9, the static web server: what it sends back for every request a browser, curl or a
//! hostile client can send, checked as raw bytes on loopback (curl would tidy `/../` away).

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use harness::http::{self, Connection, Response};
use harness::{Process, server};

use crate::browser::cdp::Browser;

/// The secret that every traversal aims at: a file next to the root, not in it.
const SECRET: &[u8] = b"the secret outside the root";

/// A site to serve: every kind of file, a folder, a Chinese name, and beside it the secret.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("site");
        let files: [(&str, &[u8]); 9] = [
            ("index.html", b"<!DOCTYPE html><title>t</title><p>index</p>"),
            ("style.css", b"p { color: green }"),
            ("script.js", b"console.log(1)"),
            (
                "picture.png",
                include_bytes!("../crates/lesson9/site/images/tcp.png"),
            ),
            ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
            ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            ("讲义.txt", "讲义说：HTTP 是 TCP 上的文本。".as_bytes()),
            ("%2e%2e", b"a file named %2e%2e"),
            ("docs/index.html", b"<p>docs</p>"),
        ];
        for (name, bytes) in files {
            let path = root.join(name);
            fs::create_dir_all(path.parent().expect("inside the root")).expect("a folder");
            fs::write(path, bytes).expect("a file in a temporary folder");
        }
        let every_byte: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        fs::write(root.join("bytes.bin"), every_byte).expect("a file");
        fs::write(dir.path().join("secret.txt"), SECRET).expect("a file");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret.txt", root.join("escape.txt")).expect("a link");
            std::os::unix::fs::symlink("style.css", root.join("inner.css")).expect("a link");
        }
        Self { _dir: dir, root }
    }

    fn file(&self, name: &str) -> Vec<u8> {
        fs::read(self.root.join(name)).expect("the site's file")
    }

    /// Lesson 9 of `design` serving this site, with `args` after `--root`.
    fn serve(&self, design: &str, args: &[&str]) -> (Process, SocketAddr) {
        let root = self.root.to_str().expect("a temporary path is UTF-8");
        let mut all = vec!["--design", design, "--root", root];
        all.extend_from_slice(args);
        server("lesson9", &all)
    }
}

/// Lesson 9 of `design` serving its own site.
fn serve_shipped(design: &str) -> (Process, SocketAddr) {
    server("lesson9", &["--design", design])
}

/// The designs of lesson 9's server (`--design`), which promise the same behaviour: each
/// test of behaviour runs against both at once, each on a thread named after it, so that a
/// failure says which design broke (`thread '--design tokio' panicked`).
const DESIGNS: [&str; 2] = ["threads", "tokio"];

/// Runs `test` against each of [`DESIGNS`], at once; fails if it failed for either.
fn each_design(test: impl Fn(&'static str) + Sync) {
    thread::scope(|scope| {
        for design in DESIGNS {
            let test = &test;
            thread::Builder::new()
                .name(format!("--design {design}"))
                .spawn_scoped(scope, move || test(design))
                .expect("a thread for each design");
        }
    });
}

fn request(method: &str, target: &str, headers: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: test\r\n{headers}\r\n").into_bytes()
}

/// Every kind of file comes back byte for byte, with its length and the type a browser needs:
/// a style sheet as text/css (served as anything else, a browser ignores it), text with its
/// charset, an image as an image, and bytes of every value unchanged.
#[test]
fn every_kind_of_file_comes_back_exact_with_its_length_and_type() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        for (target, name, content_type) in [
            ("/", "index.html", "text/html; charset=utf-8"),
            ("/style.css", "style.css", "text/css; charset=utf-8"),
            ("/script.js", "script.js", "text/javascript; charset=utf-8"),
            ("/picture.png", "picture.png", "image/png"),
            ("/photo.jpg", "photo.jpg", "image/jpeg"),
            ("/logo.svg", "logo.svg", "image/svg+xml"),
            ("/bytes.bin", "bytes.bin", "application/octet-stream"),
            (
                "/%E8%AE%B2%E4%B9%89.txt",
                "讲义.txt",
                "text/plain; charset=utf-8",
            ),
        ] {
            let response = http::get(address, target);
            let expected = site.file(name);
            assert_eq!(response.status, 200, "{target}: {}", response.head);
            assert!(
                response.body == expected,
                "{target}: the body is not the file's bytes"
            );
            assert_eq!(
                response.header("Content-Length"),
                Some(&*expected.len().to_string())
            );
            assert_eq!(
                response.header("Content-Type"),
                Some(content_type),
                "{target}"
            );
        }
    });
}

/// A request cut into one-byte writes, each its own segment (TCP_NODELAY), gets the same
/// response as the request sent in one write: the server reads until the empty line, however
/// many `recv` calls that takes.
#[test]
fn a_request_sent_a_byte_at_a_time_gets_the_same_response() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let bytes = request("GET", "/style.css", "User-Agent: one byte at a time\r\n");
        let whole = http::exchange(address, &bytes);
        let mut connection = Connection::open(address);
        for byte in &bytes {
            connection.send(std::slice::from_ref(byte));
        }
        let split = connection.response(false);
        assert_eq!(split.stable_head(), whole.stable_head());
        assert_eq!(split.body, whole.body);
        assert_eq!(split.body, site.file("style.css"));
    });
}

/// Two requests in one write (pipelining) get two responses, in order: what came after the
/// first head is kept for the second, not thrown away with the first `recv`.
#[test]
fn pipelined_requests_are_answered_in_order() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let mut both = request("GET", "/style.css", "");
        both.extend(request("GET", "/script.js", "Connection: close\r\n"));
        let mut connection = Connection::open(address);
        connection.send(&both);
        assert_eq!(connection.response(false).body, site.file("style.css"));
        assert_eq!(connection.response(false).body, site.file("script.js"));
        assert!(
            connection.closed(),
            "closed after the second, which asked for it"
        );
    });
}

/// HTTP/1.1 keeps the connection open for the next request unless the client says
/// `Connection: close`, and the response says it closes; HTTP/1.0 always closes.
#[test]
fn keep_alive_unless_asked_to_close_and_http_1_0_closes() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let mut kept = Connection::open(address);
        for _ in 0..3 {
            let response = kept.send(&request("GET", "/", "")).response(false);
            assert_eq!(response.status, 200);
            assert_eq!(response.header("Connection"), None, "{}", response.head);
        }
        assert!(!kept.closed_within(Duration::from_millis(300)), "kept open");

        let mut closing = Connection::open(address);
        let response = closing
            .send(&request("GET", "/", "Connection: close\r\n"))
            .response(false);
        assert_eq!(response.header("Connection"), Some("close"));
        assert!(closing.closed());

        let mut old = Connection::open(address);
        let response = old.send(b"GET / HTTP/1.0\r\n\r\n").response(false);
        assert_eq!(
            (response.status, response.header("Connection")),
            (200, Some("close"))
        );
        assert!(old.closed());
    });
}

/// HEAD gets the head GET would get, with the same Content-Length, and no body: the next
/// bytes on the connection are the next response's status line.
#[test]
fn head_gets_the_headers_and_no_body() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let mut connection = Connection::open(address);
        let mut both = request("HEAD", "/bytes.bin", "");
        both.extend(request("GET", "/style.css", ""));
        connection.send(&both);
        let head = connection.response(true);
        assert_eq!(head.status, 200);
        assert_eq!(head.header("Content-Length"), Some("70000"));
        let next = connection.response(false);
        assert_eq!(next.body, site.file("style.css"), "no body came between");
    });
}

/// What a server must refuse, with the status RFC 9110 gives it, a page, a Content-Length,
/// and never a panic: a missing file (404), another method (405, saying which are allowed),
/// garbage and heads that break the grammar (400), another version (505). After a malformed
/// head the server says `Connection: close` and closes, as it cannot tell where the next
/// request would start; it is still there, serving, after each.
#[test]
fn bad_requests_get_their_status_and_the_server_stays() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &[]);
        let cases: [(&[u8], u16); 12] = [
            (b"GET /no-such-file.html HTTP/1.1\r\nHost: t\r\n\r\n", 404),
            (b"POST / HTTP/1.1\r\nHost: t\r\n\r\n", 405),
            (b"DELETE /index.html HTTP/1.1\r\nHost: t\r\n\r\n", 405),
            (b"hello\r\n\r\n", 400),
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
            (b"GET /\xc4\xe3 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: t\r\nbroken header\r\n\r\n", 400),
            (b"GET index.html HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            (b"GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
            (
                b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n",
                400,
            ),
        ];
        for (bytes, status) in cases {
            let mut connection = Connection::open(address);
            let response = connection.send(bytes).response(false);
            let shown = String::from_utf8_lossy(bytes);
            assert_eq!(response.status, status, "{shown:?}: {}", response.head);
            // After a malformed head, where the next request would start is a guess: the server
            // says it closes, and does. A request it understood but refused leaves it open.
            let closes = !matches!(status, 404 | 405);
            assert_eq!(
                response.header("Connection") == Some("close"),
                closes,
                "{shown:?}: {}",
                response.head
            );
            assert!(!closes || connection.closed(), "{shown:?}: still open");
            assert_eq!(
                response.header("Content-Type"),
                Some("text/html; charset=utf-8")
            );
            assert!(String::from_utf8_lossy(&response.body).contains(&status.to_string()));
            if status == 405 {
                assert_eq!(response.header("Allow"), Some("GET, HEAD"));
            }
        }
        assert_eq!(http::get(address, "/").status, 200, "still serving");
        assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
        server.expect_line("→ 505");
    });
}

/// A request line over 8 KiB gets 414 and a head over 16 KiB gets 431, at once, while the
/// client is still sending: the server answers without buffering the rest, and its close
/// (shutdown, then reading what still comes) does not turn into a reset that would destroy
/// the response before the client reads it.
#[test]
fn oversized_heads_get_414_and_431_while_still_sending() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let long_line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(9 * 1024));
        let many_headers = format!(
            "GET / HTTP/1.1\r\nHost: t\r\n{}",
            "X-Filler: aaaaaaaa\r\n".repeat(1000)
        );
        // Just under each limit is served: the limits are 8 KiB and 16 KiB, not less.
        let query = "a".repeat(8 * 1024 - "GET /? HTTP/1.1".len());
        let headers = "X-Filler: aaaaaaaa\r\n".repeat(390);
        let under = request("GET", &format!("/?{query}"), &headers);
        assert_eq!(
            http::exchange(address, &under).status,
            200,
            "just under both limits"
        );
        for (start, status) in [(long_line, 414), (many_headers, 431)] {
            let mut connection = Connection::open(address);
            connection.send(start.as_bytes());
            let response = connection.response(false);
            assert_eq!(response.status, status, "{}", response.head);
            assert_eq!(response.header("Connection"), Some("close"));
            // More of the endless head keeps coming after the refusal; the server reads it away.
            let _ = connection.stream().write_all(&[b'a'; 64 * 1024]);
            assert!(connection.closed(), "closed after {status}");
        }
        assert_eq!(http::get(address, "/").status, 200, "still serving");
    });
}

/// No target reaches the secret beside the root: `..` plain, percent-encoded, with an encoded
/// slash or a backslash, a NUL, a link pointing out. Double encoding is decoded once, so
/// `%252e%252e` names a file called `%2e%2e` (here there is one), never `..`. A doubled slash
/// is a path under the root. Each gets the status the lesson gives it.
#[test]
fn no_path_reaches_a_file_outside_the_root() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let mut cases = vec![
            ("/../secret.txt", 403),
            ("/docs/../../secret.txt", 403),
            ("/%2e%2e/secret.txt", 403),
            ("/%2E%2E/secret.txt", 403),
            ("/..%2fsecret.txt", 403),
            ("/docs%2f..%2f..%2fsecret.txt", 403),
            ("/..\\secret.txt", 403),
            ("/%5c..%5csecret.txt", 403),
            ("/secret.txt%00.html", 400),
            ("/%00", 400),
            ("//secret.txt", 404),
            ("//etc/passwd", 404),
            ("/%252e%252e", 200),
            ("/%252e%252e/secret.txt", 404),
        ];
        if cfg!(unix) {
            cases.push(("/escape.txt", 403));
        }
        for (target, status) in cases {
            let response = http::get(address, target);
            assert_eq!(response.status, status, "{target}: {}", response.head);
            assert!(
                !response
                    .body
                    .windows(SECRET.len())
                    .any(|window| window == SECRET),
                "{target} reached the secret"
            );
        }
        assert_eq!(
            http::get(address, "/%252e%252e").body,
            b"a file named %2e%2e"
        );
    });
}

/// A link that stays inside the root is served like the file it points to.
#[cfg(unix)]
#[test]
fn a_link_inside_the_root_is_served() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let response = http::get(address, "/inner.css");
        assert_eq!(
            (response.status, response.body),
            (200, site.file("style.css"))
        );
    });
}

/// A Chinese file name comes percent-encoded in UTF-8, as every browser sends it, and is
/// found; the same name encoded in GBK is not UTF-8 and gets 400, never a guess.
#[test]
fn chinese_names_in_utf8_are_found_and_gbk_gets_400() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let found = http::get(address, "/%E8%AE%B2%E4%B9%89.txt");
        assert_eq!((found.status, found.body), (200, site.file("讲义.txt")));
        let (gbk, _, _) = encoding_rs::GBK.encode("讲义");
        let encoded: String = gbk.iter().map(|byte| format!("%{byte:02X}")).collect();
        assert_eq!(encoded, "%BD%B2%D2%E5");
        assert_eq!(http::get(address, &format!("/{encoded}.txt")).status, 400);
    });
}

/// A folder asked for with its slash gets its index.html; without it, a 301 to the path with
/// the slash, so that the page's relative links resolve inside the folder.
#[test]
fn a_folder_gets_its_index_and_without_its_slash_a_redirect() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let moved = http::get(address, "/docs?x=1");
        assert_eq!(moved.status, 301);
        assert_eq!(moved.header("Location"), Some("/docs/"));
        assert_eq!(
            http::get(address, "/docs/").body,
            site.file("docs/index.html")
        );
        assert_eq!(http::get(address, "/").body, site.file("index.html"));
        // Empty segments and `.` add nothing; a file is not a folder, with or without a name
        // after it; a name too long for the file system is no file either.
        assert_eq!(
            http::get(address, "//.//style.css").body,
            site.file("style.css")
        );
        let too_long = format!("/{}", "a".repeat(300));
        for target in ["/style.css/", "/style.css/x", &too_long] {
            assert_eq!(http::get(address, target).status, 404, "{target}");
        }
    });
}

/// If-Modified-Since no older than the file gets 304 with no body; an older date, or one that
/// is not a valid HTTP date, gets the file.
#[test]
fn if_modified_since_gets_304_and_a_bad_date_is_ignored() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let first = http::get(address, "/style.css");
        let modified = first
            .header("Last-Modified")
            .expect("a file has its date")
            .to_owned();
        let mut connection = Connection::open(address);
        let since = format!("If-Modified-Since: {modified}\r\n");
        let unchanged = connection
            .send(&request("GET", "/style.css", &since))
            .response(false);
        assert_eq!(unchanged.status, 304, "{}", unchanged.head);
        let old = "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n";
        let changed = connection
            .send(&request("GET", "/style.css", old))
            .response(false);
        assert_eq!(
            (changed.status, changed.body),
            (200, site.file("style.css"))
        );
        let bad = "If-Modified-Since: yesterday\r\n";
        assert_eq!(
            connection
                .send(&request("GET", "/style.css", bad))
                .response(false)
                .status,
            200
        );
    });
}

/// `Range` asks for part of a file (a video player jumping ahead, a download resuming): 206
/// with exactly those bytes and where they sit, on a connection that stays open for the next
/// request; a range past the end is 416; several ranges, another unit or a changed file
/// (`If-Range` not its date) get the whole file; HEAD ignores a range.
#[test]
fn a_range_gets_206_with_exactly_those_bytes() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let bytes = site.file("bytes.bin");
        let mut connection = Connection::open(address);
        for (range, first, last) in [
            ("bytes=0-9", 0, 9),
            ("bytes=69990-", 69990, 69999),
            ("bytes=-5", 69995, 69999),
            ("bytes=65530-99999", 65530, 69999),
            // More than the first chunk, and not to the end: the rest stops where it ends.
            ("bytes=100-68999", 100, 68999),
        ] {
            let asked = format!("Range: {range}\r\n");
            let part = connection
                .send(&request("GET", "/bytes.bin", &asked))
                .response(false);
            assert_eq!(part.status, 206, "{range}: {}", part.head);
            let place = format!("bytes {first}-{last}/70000");
            assert_eq!(part.header("Content-Range"), Some(&*place), "{range}");
            assert!(part.body == bytes[first..=last], "{range}: not those bytes");
        }
        let past = connection
            .send(&request("GET", "/bytes.bin", "Range: bytes=70000-\r\n"))
            .response(false);
        assert_eq!(past.status, 416, "{}", past.head);
        assert_eq!(past.header("Content-Range"), Some("bytes */70000"));

        let modified = http::get(address, "/bytes.bin");
        assert_eq!(modified.header("Accept-Ranges"), Some("bytes"));
        let date = modified.header("Last-Modified").expect("a file's date");
        let same = format!("Range: bytes=0-0\r\nIf-Range: {date}\r\n");
        let changed = "Range: bytes=0-0\r\nIf-Range: Thu, 01 Jan 1970 00:00:00 GMT\r\n";
        for (headers, status) in [
            (&*same, 206),
            (changed, 200),
            ("Range: bytes=0-1,5-6\r\n", 200),
            ("Range: items=0-9\r\n", 200),
        ] {
            let response = connection
                .send(&request("GET", "/bytes.bin", headers))
                .response(false);
            assert_eq!(response.status, status, "{headers:?}: {}", response.head);
        }
        let head = connection
            .send(&request("HEAD", "/bytes.bin", "Range: bytes=0-9\r\n"))
            .response(true);
        assert_eq!(
            (head.status, head.header("Content-Length")),
            (200, Some("70000"))
        );
    });
}

/// A request with a body (the server reads none) is answered, then the connection closes:
/// the body, here a hidden second request for the secret, is never read as a request.
#[test]
fn a_body_is_never_taken_for_the_next_request() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let smuggled = b"GET /../secret.txt HTTP/1.1\r\nHost: t\r\n\r\n";
        let mut bytes = request(
            "POST",
            "/",
            &format!("Content-Length: {}\r\n", smuggled.len()),
        );
        bytes.extend_from_slice(smuggled);
        let mut connection = Connection::open(address);
        let response = connection.send(&bytes).response(false);
        assert_eq!(response.status, 405);
        assert_eq!(response.header("Connection"), Some("close"));
        assert!(connection.closed(), "one response, then the close");
    });
}

/// A head that trickles in a byte at a time is closed with 408 when the timeout passes,
/// counted from the start of the head, not from its last byte: a slowloris cannot hold a
/// connection by sending just often enough. Meanwhile other clients are served.
#[test]
fn a_slow_head_gets_408_at_its_deadline_while_others_are_served() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &["--timeout", "1"]);
        let mut slow = Connection::open(address);
        let started = Instant::now();
        let trickle = slow.stream().try_clone().expect("a socket can be cloned");
        let trickler = thread::spawn(move || {
            // The adversary: a byte every 100 ms, each well within the timeout, for 5 s.
            for &byte in
                b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            {
                if (&trickle).write_all(&[byte]).is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(100));
            }
        });
        assert_eq!(
            http::get(address, "/").status,
            200,
            "served beside the slow one"
        );
        let response = slow.response(false);
        let waited = started.elapsed();
        assert_eq!(response.status, 408, "{}", response.head);
        assert!(
            waited >= Duration::from_millis(900),
            "not before the timeout: {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(4),
            "at the deadline, not at the end: {waited:?}"
        );
        assert!(slow.closed());
        trickler
            .join()
            .expect("the trickler ends when the server closes");
    });
}

/// A keep-alive connection that sends nothing after its response is closed when the timeout
/// passes, quietly (no 408: nobody asked for anything), and the server says so.
#[test]
fn an_idle_connection_is_closed_after_the_timeout() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &["--timeout", "0.5"]);
        let mut idle = Connection::open(address);
        assert_eq!(
            idle.send(&request("GET", "/", "")).response(false).status,
            200
        );
        assert!(idle.closed(), "closed when idle");
        server.expect_line("idle for 0.5 s, closing");
    });
}

/// A file far bigger than memory would like is streamed: its bytes arrive all, and the
/// server's resident memory stays within a few MiB of where it began while it sends.
#[cfg(target_os = "linux")]
#[test]
fn a_big_file_is_streamed_in_little_memory() {
    each_design(|design| {
        const SIZE: u64 = 256 * 1024 * 1024;
        let site = Site::new();
        let big = fs::File::create(site.root.join("big.bin")).expect("a file");
        big.set_len(SIZE).expect("a sparse file costs no disk");
        let (server, address) = site.serve(design, &[]);
        let resident = || {
            course::process::memory(server.id())
                .expect("the server's /proc entry")
                .resident_kib
        };
        let before = resident();
        let mut connection = Connection::open(address);
        let head = connection
            .send(&request("GET", "/big.bin", ""))
            .response(true);
        assert_eq!(head.header("Content-Length"), Some(&*SIZE.to_string()));
        let mut most = before;
        let mut next_look = SIZE;
        connection.discard_body(SIZE, |left| {
            if left <= next_look {
                most = most.max(resident());
                next_look = left.saturating_sub(16 * 1024 * 1024);
            }
        });
        assert!(
            most < before + 8 * 1024,
            "resident memory grew from {before} KiB to {most} KiB while sending 256 MiB"
        );
    });
}

/// The server prints one line per request: the client, the method and path, the status, the
/// bytes of body sent.
#[test]
fn the_log_has_a_line_per_request() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &[]);
        server.expect_line(&format!("serving the folder: {}", site.root.display()));
        let mut connection = Connection::open(address);
        connection
            .send(&request("GET", "/style.css", "Connection: close\r\n"))
            .response(false);
        let me = connection.stream().local_addr().expect("connected");
        let line = server.expect_line(&format!("{me} GET /style.css"));
        assert!(
            line.ends_with("→ 200 OK，正文 body 18 字节 bytes"),
            "{line}"
        );

        // A line that is no request is logged as it came (its first line), with its status.
        let mut garbage = Connection::open(address);
        garbage.send(b"hello there\r\n\r\n").response(false);
        let me = garbage.stream().local_addr().expect("connected");
        server.expect_line(&format!("{me} hello there → 400 Bad Request"));

        // Ends without a request: a close before any byte, a close in the middle of a head, a
        // reset; each is said as it is.
        let quiet = Connection::open(address);
        let me = quiet.stream().local_addr().expect("connected");
        drop(quiet);
        server.expect_line(&format!("client closed the connection: {me}"));
        let mut halfway = Connection::open(address);
        halfway.send(b"GET / HT");
        let me = halfway.stream().local_addr().expect("connected");
        drop(halfway);
        server.expect_line(&format!("in the middle of a head: {me}, 8 字节 bytes"));
        let mut reset = Connection::open(address);
        reset.send(b"GET / HT");
        let me = reset.stream().local_addr().expect("connected");
        // The server has read the part (nothing left unread on its side), so the reset meets it
        // waiting in recv.
        await_unread_on_server(address, me);
        socket2::SockRef::from(reset.stream())
            .set_linger(Some(Duration::ZERO))
            .expect("SO_LINGER on a TCP socket");
        drop(reset);
        server.expect_line(&format!("receive failed, closing {me}: ConnectionReset"));
    });
}

/// Waits until the server has received everything each of `clients` sent and every thread of
/// it sleeps: the accept loop in accept, and each connection waiting in recv. Its threads are
/// the `threads` it started with and, for the threads' design, one for each client (tokio's
/// design serves them all on its one thread).
#[cfg(target_os = "linux")]
fn await_waiting_in_recv(
    server: &Process,
    design: &str,
    address: SocketAddr,
    clients: &[SocketAddr],
    threads: usize,
) {
    for &client in clients {
        await_unread_on_server(address, client);
    }
    let threads = match design {
        "threads" => threads + clients.len(),
        _ => threads,
    };
    let deadline = Instant::now() + harness::TIMEOUT;
    let waiting =
        |states: Vec<char>| states.len() == threads && states.iter().all(|&state| state == 'S');
    while !course::process::thread_states(server.id()).is_some_and(waiting) {
        assert!(
            Instant::now() < deadline,
            "the server's threads never all slept"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// How many threads `server` has (before any connection: the accept loop and Ctrl-C's).
#[cfg(target_os = "linux")]
fn threads_of(server: &Process) -> usize {
    course::process::threads(server.id()).expect("Linux shows a process's threads")
}

/// Waits until the server's end of the connection from `client` holds no unread byte: the
/// server has received everything sent so far.
fn await_unread_on_server(server: SocketAddr, client: SocketAddr) {
    let row =
        course::kernel::await_connection(server, client, |row| row.unread == 0, harness::TIMEOUT)
            .expect("Linux exposes the kernel's TCP table");
    assert!(
        row.is_some_and(|row| row.unread == 0),
        "the server read what was sent"
    );
}

/// The default root is the lesson's own site: its page links a style sheet, an image and a
/// script, and each is there with its type.
#[test]
fn the_shipped_site_has_its_page_style_image_and_script() {
    each_design(|design| {
        let (_server, address) = serve_shipped(design);
        let page = http::get(address, "/");
        let text = String::from_utf8(page.body).expect("the page is UTF-8");
        for (link, content_type) in [
            ("style.css", "text/css; charset=utf-8"),
            ("images/tcp.png", "image/png"),
            ("script.js", "text/javascript; charset=utf-8"),
            ("%E8%AE%B2%E4%B9%89.txt", "text/plain; charset=utf-8"),
            ("docs/", "text/html; charset=utf-8"),
        ] {
            assert!(
                text.contains(&format!("\"{link}\"")),
                "the page links {link}"
            );
            let response = http::get(address, &format!("/{link}"));
            assert_eq!(response.status, 200, "{link}");
            assert_eq!(
                response.header("Content-Type"),
                Some(content_type),
                "{link}"
            );
        }
    });
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic: a bad port or
/// host, a root that is not there or not a folder, a timeout that is not a positive number.
#[test]
fn bad_arguments_get_a_clear_line() {
    harness::cli::assert_bad_address_refused("lesson9");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let file = file.to_str().expect("the repository's path is UTF-8");
    for (args, expected) in [
        (["--root", "/no/such/folder"], "no such folder"),
        (["--root", file], "not a folder"),
        (["--timeout", "0"], "not a number of seconds"),
        (["--timeout", "soon"], "not a number of seconds"),
        (["--design", "fast"], "invalid value 'fast'"),
    ] {
        let output = harness::command("lesson9")
            .args(args)
            .output()
            .expect("it runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected) && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

/// `--help` starts in Chinese and explains every option.
#[test]
fn help_explains_every_option() {
    harness::cli::assert_help(
        "lesson9",
        "第 9 课：HTTP 与静态网页服务器",
        &["--host", "--port", "--root", "--timeout", "--design"],
    );
}

/// Every response carries the date (RFC 9110 §6.6.1: a server with a clock must send it) and
/// the server's name.
#[test]
fn every_response_has_a_date_and_the_servers_name() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let response: Response = http::get(address, "/");
        assert!(
            response.head.starts_with("HTTP/1.1 200 OK\r\n"),
            "{}",
            response.head
        );
        assert!(response.header("Date").is_some() && response.header("Server") == Some("lesson9"));
    });
}

/// A real client: curl fetches every kind of file in one run, byte for byte with its type,
/// and reuses the one connection for all of them (keep-alive: it connects once, then
/// `num_connects` is 0).
#[test]
fn curl_fetches_every_kind_of_file_on_one_connection() {
    let test = "lesson9::curl_fetches_every_kind_of_file_on_one_connection";
    let Some(curl) = harness::tools::tool("curl", test) else {
        return;
    };
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let names = [
            "index.html",
            "style.css",
            "picture.png",
            "bytes.bin",
            "讲义.txt",
        ];
        let targets = [
            "/",
            "/style.css",
            "/picture.png",
            "/bytes.bin",
            "/%E8%AE%B2%E4%B9%89.txt",
        ];
        let saved = tempfile::tempdir().expect("a temporary folder");
        let mut command = std::process::Command::new(&curl);
        command.args(["--silent", "--show-error", "--write-out"]);
        command.arg("%{http_code} %{num_connects} %{content_type}\\n");
        for (n, target) in targets.iter().enumerate() {
            command
                .arg("--output")
                .arg(saved.path().join(n.to_string()));
            command.arg(format!("http://{address}{target}"));
        }
        let output = command.output().expect("curl runs");
        let report = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{report}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), names.len(), "{report}");
        for (n, (name, line)) in names.iter().zip(&lines).enumerate() {
            let connects = if n == 0 { "1" } else { "0" };
            assert!(
                line.starts_with(&format!("200 {connects} ")),
                "{name}: {line}"
            );
            let kept = fs::read(saved.path().join(n.to_string())).expect("curl saved it");
            assert!(
                kept == site.file(name),
                "{name}: curl did not get the file's bytes"
            );
        }
        assert!(lines[1].ends_with("text/css; charset=utf-8"), "{report}");
        assert!(lines[2].ends_with("image/png"), "{report}");
    });
}

/// The students' own baseline, `python3 -m http.server`, serving the same site: it follows a
/// link out of its folder and sends the secret, and it answers in HTTP/1.0 and closes after
/// each response, so the second of two pipelined requests is never answered. Lesson 9 refuses
/// the link with 403 and answers both, on the one connection (the tests above).
#[test]
fn python_http_server_follows_a_link_out_and_closes_after_each_response() {
    let test = "lesson9::python_http_server_follows_a_link_out_and_closes_after_each_response";
    let Some(python3) = harness::tools::tool("python3", test) else {
        return;
    };
    let site = Site::new();
    let mut command = std::process::Command::new(python3);
    command.args([
        "-u",
        "-m",
        "http.server",
        "0",
        "--bind",
        "127.0.0.1",
        "--directory",
    ]);
    command.arg(&site.root);
    let mut python = harness::spawn_command("python3 -m http.server", command);
    let line = python.expect_line("Serving HTTP on 127.0.0.1 port ");
    let port = line
        .split_whitespace()
        .nth(5)
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| python.fail(&format!("no port in {line:?}")));
    let address = SocketAddr::from(([127, 0, 0, 1], port));

    let escaped = http::get(address, "/escape.txt");
    assert_eq!(
        (escaped.status, &*escaped.body),
        (200, SECRET),
        "{}",
        escaped.head
    );

    let mut both = request("GET", "/style.css", "");
    both.extend(request("GET", "/script.js", ""));
    let mut connection = Connection::open(address);
    connection.send(&both);
    let first = connection.response(false);
    assert!(first.head.starts_with("HTTP/1.0 200"), "{}", first.head);
    assert!(
        connection.try_response(false).is_err(),
        "no second response: it closed"
    );
}

/// A real browser: headless Chromium loads the shipped site's page from lesson 9, and with it
/// the style sheet (applied: the page's font is the sheet's), the image (decoded: 64 pixels
/// wide) and the script (run: it marked its line), with no request failing and nothing on the
/// console. A browser applies a style sheet or runs a script only of the right Content-Type.
#[test]
fn a_browser_loads_the_page_with_its_style_image_and_script() {
    let test = "lesson9::a_browser_loads_the_page_with_its_style_image_and_script";
    let Some(chromium) = harness::tools::tool("chromium", test) else {
        return;
    };
    each_design(|design| {
        let (_server, address) = serve_shipped(design);
        let mut browser = Browser::launch(&chromium).unwrap_or_else(|error| panic!("{error}"));
        let events = browser
            .load(&format!("http://{address}/"))
            .unwrap_or_else(|error| panic!("{error}"));
        // Chromium asks for /favicon.ico by itself; the site has none, and a 404 is the answer.
        let problems: Vec<String> = crate::browser::load_problems(&events)
            .into_iter()
            .filter(|problem| !problem.contains("/favicon.ico"))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        let (seen, _) = browser
            .evaluate(
                r#"({
                    font: getComputedStyle(document.body).fontFamily,
                    image: document.getElementById("picture").naturalWidth,
                    script: document.getElementById("script").className,
                })"#,
            )
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(seen["font"], "sans-serif", "{seen}");
        assert_eq!(seen["image"], 64, "{seen}");
        assert_eq!(seen["script"], "ran", "{seen}");
    });
}

/// A web server is started again and again while its site is written. After an HTTP/1.0
/// request the server closes first, so the kernel holds that connection in TIME_WAIT on the
/// server's port; stopped and started on the same port, lesson 9 binds beside it at once
/// (SO_REUSEADDR, lesson 3) and serves.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn restarts_at_once_beside_its_own_time_wait() {
    each_design(|design| {
        let (first, address) = serve_shipped(design);
        let mut connection = Connection::open(address);
        let client = connection
            .stream()
            .local_addr()
            .expect("a connected socket");
        let response = connection.send(b"GET / HTTP/1.0\r\n\r\n").response(false);
        assert_eq!(response.status, 200, "{}", response.head);
        assert!(connection.closed(), "HTTP/1.0: the server closes first");
        drop(connection);
        harness::notes::await_kernel_state(address, client, course::kernel::TcpState::TimeWait);
        drop(first);

        let port = address.port().to_string();
        let mut again = harness::spawn("lesson9", &["--design", design, "--port", &port]);
        assert_eq!(again.listening_address(), address, "the same port, at once");
        assert_eq!(http::get(address, "/").status, 200, "and it serves");
    });
}

/// Step 11: closing with bytes unread sends a reset, not a FIN (lesson 5), and a reset can
/// destroy the response before the client reads it. Here the client sends a body the server
/// never reads, after the response that says the server closes: the server reads it away
/// and waits for the client's own close, so the client reads the whole response and then
/// 0 bytes, a FIN, never a reset.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn the_close_is_a_fin_even_while_the_client_is_still_sending() {
    each_design(|design| {
        let site = Site::new();
        let (_server, address) = site.serve(design, &[]);
        let mut connection = Connection::open(address);
        let me = connection.stream().local_addr().expect("connected");
        let body = vec![b'x'; 64 * 1024];
        let length = format!("Content-Length: {}\r\n", body.len());
        let response = connection
            .send(&request("POST", "/", &length))
            .response(false);
        assert_eq!(
            response.header("Connection"),
            Some("close"),
            "{}",
            response.head
        );
        // The server's FIN is here (the client's end is in CLOSE_WAIT) before the body goes.
        harness::notes::await_kernel_state(me, address, course::kernel::TcpState::CloseWait);
        connection.send(&body).finish_sending();
        // Both ends have closed (or a reset ended it): the kernel has no row for it any more.
        let state = course::kernel::await_state(me, address, None, harness::TIMEOUT)
            .expect("Linux exposes the kernel's TCP table");
        assert_eq!(state, None, "the connection ended");
        let (more, end) = connection.read_to_end();
        assert!(
            more == 0 && end.is_ok(),
            "{more} bytes more, then {end:?}: not a FIN"
        );
    });
}

/// A client that never closes its end after the server's FIN is waited for, reading what
/// it sends, for 2 s and no longer; then the server lets it go with a line saying so.
#[test]
fn a_client_that_never_closes_is_let_go_after_two_seconds() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &[]);
        let began = Instant::now();
        let mut connection = Connection::open(address);
        let me = connection.stream().local_addr().expect("connected");
        connection.send(&request("GET", "/style.css", "Connection: close\r\n"));
        assert_eq!(connection.response(false).status, 200);
        assert!(connection.closed(), "the server's FIN");
        server.expect_line(&format!("{me} 2 秒内没有关闭"));
        assert!(
            began.elapsed() >= Duration::from_secs(2),
            "{:?}",
            began.elapsed()
        );
    });
}

/// Ctrl-Z and then `fg` in the server's terminal (SIGSTOP, SIGCONT): on Linux, a `recv`
/// waiting with a timeout (SO_RCVTIMEO) returns EINTR when the process goes on (signal(7)).
/// The server receives again, and the client whose head was half sent gets its response.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_z_and_fg_leave_a_half_sent_request_served() {
    each_design(|design| {
        let site = Site::new();
        let (server, address) = site.serve(design, &[]);
        let threads = threads_of(&server);
        let mut connection = Connection::open(address);
        let me = connection.stream().local_addr().expect("connected");
        connection.send(b"GET /style.css HTTP/1.1\r\n");
        await_waiting_in_recv(&server, design, address, &[me], threads);
        server.stop();
        server.signal(child::Signal::Continue);
        let response = connection.send(b"Host: t\r\n\r\n").response(false);
        assert_eq!(response.body, site.file("style.css"));
    });
}

/// A client that asks for a big file and never reads cannot hold the server's thread (or
/// task) in a send forever: once the sockets' buffers are full and nothing moves for the
/// timeout, the send gives up, the server says so and closes, and it goes on serving.
#[test]
fn a_client_that_never_reads_is_given_up_after_the_timeout() {
    each_design(|design| {
        let site = Site::new();
        let big = fs::File::create(site.root.join("big.bin")).expect("a file");
        big.set_len(256 * 1024 * 1024)
            .expect("a sparse file costs no disk");
        let (mut server, address) = site.serve(design, &["--timeout", "1"]);
        let mut stalled = Connection::open(address);
        let me = stalled.stream().local_addr().expect("connected");
        let began = Instant::now();
        stalled.send(&request("GET", "/big.bin", ""));
        let line = server.expect_line(&format!("response not sent whole, closing {me}"));
        assert!(
            began.elapsed() >= Duration::from_secs(1),
            "not before the timeout: {:?}, {line}",
            began.elapsed()
        );
        assert_eq!(http::get(address, "/").status, 200, "and it serves on");
    });
}

/// Out of file descriptors (EMFILE), `accept` fails: the server says so and tries again, and
/// the client waiting in the kernel's queue is served once a descriptor is free. Ctrl-C still
/// stops it while `accept` keeps failing: it takes no new connection and says at once that it
/// waits for the request in flight, which is answered, and it exits with 0.
#[cfg(target_os = "linux")]
#[test]
fn accept_errors_are_reported_and_ctrl_c_still_stops() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &["--timeout", "60"]);
        crate::servers::room_for_one_more_descriptor(&server);

        // A preconnect takes the one descriptor; the next client waits in the kernel's queue.
        let first = Connection::open(address);
        let mut second = Connection::open(address);
        second.send(b"GET /docs HTTP/1.1\r\n");
        let line = server.expect_line("accept failed");
        assert!(line.contains("os error 24"), "EMFILE: {line}");
        // The first one leaves, and its descriptor goes to the second.
        drop(first);
        let me = second.stream().local_addr().expect("connected");
        await_unread_on_server(address, me);

        // Ctrl-C while a third waits in the queue, and accept fails again and again. The
        // answer to the second needs no descriptor (a folder's redirect opens no file).
        let third = Connection::open(address);
        server.expect_line("accept failed");
        server.signal(child::Signal::Interrupt);
        server.expect_line("no new connections; waiting for 1 connection");
        let response = second.send(b"Host: t\r\n\r\n").response(false);
        assert_eq!(response.status, 301, "{}", response.head);
        assert_eq!(response.header("Connection"), Some("close"));
        assert!(server.wait_exit().success(), "exit 0: {}", server.stdout());
        drop(third);
    });
}

/// A file that shrinks while it is sent (an editor rewrote it, say) cannot keep the length
/// its head promised; the server closes the connection after what it had, the one way
/// HTTP/1.1 has to tell the client that the body is incomplete.
#[test]
fn a_file_cut_short_while_it_is_sent_ends_the_connection() {
    each_design(|design| {
        const SIZE: u64 = 64 * 1024 * 1024;
        let site = Site::new();
        let big = fs::File::create(site.root.join("big.bin")).expect("a file");
        big.set_len(SIZE).expect("a sparse file costs no disk");
        // An idle close would come only after a minute, long after the reads below give up.
        let (_server, address) = site.serve(design, &["--timeout", "60"]);
        let mut connection = Connection::open(address);
        let head = connection
            .send(&request("GET", "/big.bin", ""))
            .response(true);
        assert_eq!(head.header("Content-Length"), Some(&*SIZE.to_string()));
        // The client has read nothing of the body, so at most the sockets' buffers of it are
        // out: far less than 64 MiB.
        big.set_len(0).expect("a file can be cut");
        let (received, end) = connection.read_to_end();
        assert!(received < SIZE, "{received} bytes");
        assert!(end.is_ok(), "closed after {received} bytes: {end:?}");
    });
}

/// Ctrl-C (SIGINT) with idle connections open: a browser's preconnect that has sent nothing
/// and a kept-alive connection between requests. Each is closed at once with a FIN, not after
/// the head timeout (a minute here) and not by the stop's grace running out; the server says
/// so for each and exits with 0.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_closes_idle_connections_at_once_and_exits_0() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &["--timeout", "60"]);
        let threads = threads_of(&server);
        let mut preconnect = Connection::open(address);
        let mut kept = Connection::open(address);
        let response = kept.send(&request("GET", "/style.css", "")).response(false);
        assert_eq!(response.header("Connection"), None, "kept alive");
        let clients = [&preconnect, &kept]
            .map(|connection| connection.stream().local_addr().expect("connected"));
        await_waiting_in_recv(&server, design, address, &clients, threads);
        server.signal(child::Signal::Interrupt);
        for connection in [&mut preconnect, &mut kept] {
            let me = connection.stream().local_addr().expect("connected");
            let (more, end) = connection.read_to_end();
            assert!(more == 0 && end.is_ok(), "{me}: {more} bytes, then {end:?}");
        }
        assert!(server.wait_exit().success(), "exit 0: {}", server.stdout());
        let stdout = server.stdout();
        for me in clients {
            assert!(
                stdout.contains(&format!("closing an idle connection: {me}\n")),
                "{stdout}"
            );
        }
        assert!(stdout.contains("server stopped"), "{stdout}");
        assert!(!stdout.contains("did not end in time"), "{stdout}");
    });
}

/// Ctrl-C while two requests are in flight (half of each head has come): the server says it
/// waits for those two, takes no new connection, answers each, its response saying
/// `Connection: close`, closes each with a FIN, and exits with 0.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_answers_the_requests_in_flight_then_exits_0() {
    each_design(|design| {
        let site = Site::new();
        let (mut server, address) = site.serve(design, &["--timeout", "60"]);
        let threads = threads_of(&server);
        let mut connections = [Connection::open(address), Connection::open(address)];
        for connection in &mut connections {
            connection.send(b"GET /style.css HTTP/1.1\r\n");
        }
        let clients = connections
            .each_ref()
            .map(|connection| connection.stream().local_addr().expect("connected"));
        await_waiting_in_recv(&server, design, address, &clients, threads);
        server.signal(child::Signal::Interrupt);
        server.expect_line("no new connections; waiting for 2 connections");
        assert!(
            std::net::TcpStream::connect(address).is_err(),
            "the listening socket is closed"
        );
        for mut connection in connections {
            let response = connection.send(b"Host: t\r\n\r\n").response(false);
            assert_eq!(response.body, site.file("style.css"));
            assert_eq!(response.header("Connection"), Some("close"));
            let (more, end) = connection.read_to_end();
            assert!(more == 0 && end.is_ok(), "{more} bytes, then {end:?}");
        }
        assert!(server.wait_exit().success(), "exit 0: {}", server.stdout());
    });
}
