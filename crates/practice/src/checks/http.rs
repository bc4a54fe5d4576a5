//! Exercise 11, HTTP and a static web server: the check serves a site of its own (`site`) with
//! the student's server and compares every response, byte for byte, with what the exercise's
//! rules say (`wire`): requests whole, a byte at a time and pipelined, the limits on a head,
//! the path decoded once and never leaving the root, and the connection kept or closed.

mod site;
mod wire;

use std::net::SocketAddr;

use site::{BLOB, FILES, HTML, OCTET, Site};
use wire::{Cut, Exchange, exchange, exchange_then_quiet};

use super::{Check, Checker, connect, listening_address};
use crate::program::Program;
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "GET / 一次发出：200，Content-Length、Content-Type 和 index.html 的字节 / GET / in one write: 200, \
                Content-Length, Content-Type and index.html's bytes",
        run: a_whole_get,
    },
    Check {
        title: "同样的请求一次一个字节地到达：同样的响应 / the same request, a byte per write: the same response",
        run: a_byte_at_a_time,
    },
    Check {
        title: "两个请求在一次写里（管线化）：两个响应，次序不变 / two requests in one write (pipelining): two \
                responses, in order",
        run: pipelined_requests,
    },
    Check {
        title: "HEAD 只有响应头；各种扩展名的 Content-Type；二进制文件一个字节不差 / HEAD is the head alone; \
                Content-Type by extension; a binary file byte for byte",
        run: heads_types_and_bytes,
    },
    Check {
        title: "坏的请求：400、404、405、505，错误之后该关的连接关掉 / bad requests: 400, 404, 405, 505, and the \
                connection closed after the errors that close it",
        run: bad_requests,
    },
    Check {
        title: "百分号解码，每段一次：%69、中文文件名找得到，GBK、%00、坏的 % 是 400 / percent-decoding, once a \
                segment: %69 and a Chinese name are found; GBK, %00 and a bad % are 400",
        run: decoding,
    },
    Check {
        title: "跳出根目录：..、%2e%2e、%2f、反斜杠、%252e、符号链接，一个也不发出 secret.txt / leaving the root: \
                .., %2e%2e, %2f, backslashes, %252e, a symlink: none serves secret.txt",
        run: traversal,
    },
    Check {
        title: "目录：/sub 是 301 到 /sub/，/sub/ 是它的 index.html / directories: /sub is a 301 to /sub/, and /sub/ \
                its index.html",
        run: directories,
    },
    Check {
        title: "上限：请求行超过 8 KiB 是 414，请求头超过 16 KiB 是 431，不等它结束；服务端照常服务 / limits: a request \
                line over 8 KiB is 414, a head over 16 KiB is 431, without waiting for its end; the server serves on",
        run: limits,
    },
    Check {
        title: "保持连接：HTTP/1.1 默认保持，Connection: close、HTTP/1.0 和带正文的请求之后关闭 / keep-alive: HTTP/1.1 \
                keeps the connection, Connection: close, HTTP/1.0 and a request with a body close it",
        run: keep_alive,
    },
    Check {
        title: "客户端什么也不发，或者发了半个请求头就关闭：不回复，服务端照常服务 / a client that sends nothing, or half a \
                head, and closes: no response, and the server serves on",
        run: clients_that_leave,
    },
];

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

fn a_whole_get(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    // Nothing at all is a head never read whole; a wrong response, a path resolved wrongly
    // (unless the bytes point at another step: `wire::exchange`).
    let head_never_read = |failure: Failure| {
        if failure.step == Some("9") && failure.got.contains("no response") {
            failure.step("7")
        } else {
            failure
        }
    };
    let get = ok_get("/", "index.html", "9");
    exchange(&mut client, &get, Cut::Whole).map_err(head_never_read)?;
    let get = ok_get("/index.html", "index.html", "9");
    exchange(&mut client, &get, Cut::Whole).map_err(head_never_read)
}

fn a_byte_at_a_time(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    exchange(&mut client, &ok_get("/", "index.html", "7"), Cut::Bytewise)?;
    let request = b"GET /style.css HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    let css = Exchange {
        request: request.to_vec(),
        ..ok_get("/style.css", "style.css", "7")
    };
    exchange(&mut client, &css, Cut::Bytewise)?;
    // Lines may end in a bare LF, and empty lines may come before the request line.
    let bare = Exchange {
        request: b"\r\n\nGET /app.js HTTP/1.1\nHost: localhost\n\n".to_vec(),
        what: "请求行前有空行，各行以 \\n 结尾：照样是 GET /app.js / empty lines before the request line, \
               lines ending in \\n: still GET /app.js"
            .to_owned(),
        ..ok_get("/app.js", "app.js", "7")
    };
    exchange(&mut client, &bare, Cut::Bytewise)
}

fn pipelined_requests(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let first = ok_get("/style.css", "style.css", "7");
    let second = ok_get("/%E4%BD%A0%E5%A5%BD.txt", "你好.txt", "7");
    let mut both = first.request.clone();
    both.extend_from_slice(&second.request);
    let mut responses = first.response.clone();
    responses.extend_from_slice(&second.response);
    // One after the other first: a server that closes after each response is keep-alive's
    // mistake (step 12), not the pipelining's.
    let mut client = connect(address, "5")?;
    exchange(&mut client, &first, Cut::Whole)?;
    exchange(&mut client, &second, Cut::Whole)?;
    let mut client = connect(address, "5")?;
    let pipelined = Exchange {
        request: both,
        response: responses.clone(),
        closes: true,
        what: "两个请求在一次写里，然后 shutdown(Write)：先是 style.css 的响应，再是 你好.txt 的；请求头后面的字节是下一个请求 \
               / two requests in one write, then shutdown(Write): style.css's response, then 你好.txt's; the bytes \
               after a head are the next request"
            .to_owned(),
        step: "7",
    };
    exchange(&mut client, &pipelined, Cut::ThenShutdown)?;
    // The second request cut inside its request line, the first whole before it.
    let mut client = connect(address, "5")?;
    let split = Exchange {
        what: "第一个请求和第二个的开头在一次写里，第二个的其余部分在下一次：两个响应 / the first request and the start of \
               the second in one write, the rest of the second in the next: two responses"
            .to_owned(),
        closes: false,
        ..pipelined
    };
    let cut = [first.request.len() + 6];
    exchange(&mut client, &split, Cut::At(&cut))
}

fn heads_types_and_bytes(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, mut program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    let index = file("index.html");
    let head = Exchange {
        request: b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
        response: ok_head(index.len(), HTML, false),
        closes: false,
        what: "HEAD / → 和 GET 一样的响应头（一样的 Content-Length），没有正文；接着同一个连接上的 GET 照常 / HEAD / → \
               the head GET gets (the same Content-Length), no body; a GET on the connection after it is answered"
            .to_owned(),
        step: "11",
    };
    exchange_then_quiet(&mut client, &head, Cut::Whole)?;
    exchange(
        &mut client,
        &ok_get("/style.css", "style.css", "11"),
        Cut::Whole,
    )?;
    let missing = Exchange {
        request: b"HEAD /missing.html HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
        response: page_response(NOT_FOUND, None, true, false),
        closes: false,
        what:
            "HEAD /missing.html → 404 的响应头，没有正文 / HEAD /missing.html → 404's head, no body"
                .to_owned(),
        step: "11",
    };
    exchange_then_quiet(&mut client, &missing, Cut::Whole)?;
    for (name, _, _) in FILES {
        let target = target_of(name);
        exchange(&mut client, &ok_get(&target, name, "10"), Cut::Whole)?;
    }
    let blob = Exchange {
        what: format!(
            "GET /{BLOB} → {} 字节的二进制文件，每个字节都不差（每块都用 write_all 发完）/ GET /{BLOB} → {} bytes of \
             binary, every one exact (each chunk sent whole, with write_all)",
            site::blob().len(),
            site::blob().len()
        ),
        ..get_exchange(&format!("/{BLOB}"), &site::blob(), OCTET, "11")
    };
    exchange(&mut client, &blob, Cut::Whole)?;
    // The log line counts the body's bytes, every chunk's.
    let logged = format!("GET /{BLOB} → 200 ({} 字节 bytes)", site::blob().len());
    program
        .expect_line(
            &logged,
            &format!("服务端为这个请求打印一行 the server logs the request: …{logged}"),
        )
        .map(drop)
        .map_err(|failure| failure.step("11"))
}

fn bad_requests(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    let cases: &[(&[u8], Status, &str)] = &[
        (
            b"GET /missing.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
            NOT_FOUND,
            "a file that is not there",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            NOT_ALLOWED,
            "POST",
        ),
        (
            b"get / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            NOT_ALLOWED,
            "get, in lower case",
        ),
        (
            b"M-SEARCH / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            NOT_ALLOWED,
            "M-SEARCH, a token",
        ),
    ];
    for &(request, status, why) in cases {
        let allow = (status == NOT_ALLOWED).then_some("Allow: GET, HEAD\r\n");
        let case = Exchange {
            request: request.to_vec(),
            response: page_response(status, allow, false, false),
            closes: false,
            what: format!(
                "{why} → {} {}，连接保持 / the connection stays open",
                status.0, status.1
            ),
            step: "8",
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    // Each of these closes the connection: a new one for each.
    let closing: &[(&[u8], Status, &str)] = &[
        (
            b"GET  / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            BAD,
            "two spaces in the request line",
        ),
        (
            b"GET / HTTP/1.1 x\r\nHost: localhost\r\n\r\n",
            BAD,
            "four parts in the request line",
        ),
        (
            b"G@T / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            BAD,
            "a method that is not a token",
        ),
        (b"GET / HTTP/1.1\r\n\r\n", BAD, "HTTP/1.1 with no Host"),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            BAD,
            "two Host headers",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nNo colon\r\n\r\n",
            BAD,
            "a header with no colon",
        ),
        (
            b"GET / HTTP/1.1\r\nHost : localhost\r\n\r\n",
            BAD,
            "a space before the colon",
        ),
        (
            b"GET / HTTP/1.1\r\n: empty\r\nHost: localhost\r\n\r\n",
            BAD,
            "an empty header name",
        ),
        (
            b"GET index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
            BAD,
            "a target without /",
        ),
        (
            "GET /你好.txt HTTP/1.1\r\nHost: localhost\r\n\r\n".as_bytes(),
            BAD,
            "a request line not ASCII",
        ),
        (
            b"GET / HTTP/abc\r\nHost: localhost\r\n\r\n",
            BAD,
            "HTTP/abc",
        ),
        (
            b"GET / HTTP/x.1\r\nHost: localhost\r\n\r\n",
            BAD,
            "HTTP/x.1",
        ),
        (
            b"GET / HTTP/1.x\r\nHost: localhost\r\n\r\n",
            BAD,
            "HTTP/1.x",
        ),
        (
            b"GET / FOO\r\nHost: localhost\r\n\r\n",
            BAD,
            "FOO for a version",
        ),
        (
            b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n",
            VERSION,
            "HTTP/2.0",
        ),
        (
            b"GET / HTTP/1.2\r\nHost: localhost\r\n\r\n",
            VERSION,
            "HTTP/1.2",
        ),
    ];
    for &(request, status, why) in closing {
        let mut client = connect(address, "5")?;
        let case = Exchange {
            request: request.to_vec(),
            response: page_response(status, None, false, true),
            closes: true,
            what: format!("{why} → {} {}，Connection: close", status.0, status.1),
            step: "8",
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    Ok(())
}

fn decoding(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    let found: &[(&str, &str, &str)] = &[
        ("/%69ndex.html", "index.html", "9.1"),
        ("/sub/%70%61ge.html", "sub/page.html", "9.1"),
        ("/st%79le.css", "style.css", "9.1"),
        ("/%61pp%2Ejs", "app.js", "9.1"),
        ("/index.html?x=%zz", "index.html", "9.1"),
        ("/%E4%BD%A0%E5%A5%BD.txt", "你好.txt", "9.2"),
        ("/%e4%bd%a0%e5%a5%bd.txt", "你好.txt", "9.2"),
    ];
    for &(target, name, step) in found {
        exchange(&mut client, &ok_get(target, name, step), Cut::Whole)?;
    }
    let refused: &[(&str, &str, &str)] = &[
        (
            "/%zz",
            "9.1",
            "% 后面不是十六进制数字 % not followed by hex digits",
        ),
        (
            "/index.html%",
            "9.1",
            "最后一个 % 后面什么也没有 nothing after the last %",
        ),
        ("/%4", "9.1", "% 后面只有一位 only one digit after %"),
        (
            "/%+1.html",
            "9.1",
            "% 后面是 + 和一位数字 % followed by + and a digit",
        ),
        (
            "/%C4%E3%BA%C3.txt",
            "9.2",
            "“你好”的 GBK 字节，不是 UTF-8 / 你好 in GBK, not UTF-8",
        ),
        (
            "/%FF",
            "9.2",
            "一个不是 UTF-8 的字节 a byte that is not UTF-8",
        ),
        ("/%00", "9.2", "NUL"),
        (
            "/index.html%00.txt",
            "9.2",
            "文件名里的 NUL / a NUL inside a name",
        ),
    ];
    for &(target, step, why) in refused {
        let request = get_request(target);
        let mut client = connect(address, "5")?;
        let case = Exchange {
            request: request.clone(),
            response: page_response(BAD, None, false, true),
            closes: true,
            what: format!("GET {target} → 400 Bad Request：{why}"),
            step,
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    Ok(())
}

fn traversal(checker: &mut Checker) -> Result<(), Failure> {
    let (site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    let forbidden = |why: &str| format!("403 Forbidden：{why}");
    let cases: Vec<(&str, Status, &str, String)> = vec![
        ("/../secret.txt", FORBIDDEN, "9.2", forbidden("..")),
        ("/sub/../../secret.txt", FORBIDDEN, "9.2", forbidden("..")),
        ("/%2e%2e/secret.txt", FORBIDDEN, "9.2", forbidden("%2e%2e 解码成 decodes to ..")),
        ("/..%2fsecret.txt", FORBIDDEN, "9.2", forbidden("..%2f：段里有 / a / inside a segment")),
        (
            "/%252e%252e/secret.txt",
            NOT_FOUND,
            "9.2",
            "404 Not Found：%252e%252e 只解码一次，是名字 %2e%2e，不是 .. / decoded once it is the name %2e%2e, not .."
                .to_owned(),
        ),
        ("/..\\secret.txt", FORBIDDEN, "9.2", forbidden("段里有 \\ / a \\ inside a segment")),
        ("/%5c..%5csecret.txt", FORBIDDEN, "9.2", forbidden("%5c 解码成 decodes to \\")),
        (
            "/sub/../index.html",
            FORBIDDEN,
            "9.2",
            forbidden("..，哪怕它没有走出根目录 even where it stays inside the root"),
        ),
        (
            "/sub%2Fpage.html",
            FORBIDDEN,
            "9.2",
            forbidden("%2F 解码成段里的 / / %2F decodes to a / inside a segment"),
        ),
        (
            "//secret.txt",
            NOT_FOUND,
            "9.2",
            "404 Not Found：空段什么也不是，这是根目录下的 secret.txt / an empty segment is nothing: secret.txt under \
             the root"
                .to_owned(),
        ),
    ];
    for (target, status, step, what) in cases {
        let request = get_request(target);
        let case = Exchange {
            request: request.clone(),
            response: page_response(status, None, false, false),
            closes: false,
            what: format!("GET {target} → {what}"),
            step,
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    if site.symlinks {
        let alias = Exchange {
            what: "GET /sub/alias.html → 200：符号链接指向根目录里的 index.html / a symlink to index.html, inside the \
                   root"
                .to_owned(),
            ..ok_get("/sub/alias.html", "index.html", "9.3")
        };
        exchange(&mut client, &alias, Cut::Whole)?;
        let request = get_request("/link.txt");
        let link = Exchange {
            request: request.clone(),
            response: page_response(FORBIDDEN, None, false, false),
            closes: false,
            what: "GET /link.txt → 403 Forbidden：符号链接指向根目录外的 secret.txt，规范化之后的路径不在根目录下 / a \
                   symlink to secret.txt outside the root: the canonical path is not under the root"
                .to_owned(),
            step: "9.3",
        };
        exchange(&mut client, &link, Cut::Whole)?;
    }
    Ok(())
}

fn directories(checker: &mut Checker) -> Result<(), Failure> {
    let (site, _program, address) = serve_site(checker)?;
    let mut client = connect(address, "5")?;
    for (target, location) in [
        ("/sub", "/sub/"),
        ("/sub?page=2", "/sub/"),
        ("/./sub", "/./sub/"),
    ] {
        let request = get_request(target);
        let header = format!("Location: {location}\r\n");
        let case = Exchange {
            request: request.clone(),
            response: page_response(MOVED, Some(&header), false, false),
            closes: false,
            what: format!(
                "GET {target} → 301 Moved Permanently，Location: {location}（目录要以 / 结尾，查询不要 / a directory \
                 ends in /, the query left off)"
            ),
            step: "9",
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    for target in ["/sub/", "/sub/?page=2", "/sub//", "/./sub/./"] {
        let case = Exchange {
            what: format!("GET {target} → 200，sub/index.html / sub/index.html"),
            ..ok_get(target, "sub/index.html", "9")
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    let request = get_request("/empty/");
    let empty = Exchange {
        request: request.clone(),
        response: page_response(NOT_FOUND, None, false, false),
        closes: false,
        what: "GET /empty/ → 404：目录里没有 index.html / the directory has no index.html"
            .to_owned(),
        step: "9",
    };
    exchange(&mut client, &empty, Cut::Whole)?;
    if let Some(name) = site.unreadable() {
        let request = get_request(&format!("/{name}"));
        let locked = Exchange {
            request: request.clone(),
            response: page_response(FORBIDDEN, None, false, false),
            closes: false,
            what: format!(
                "GET /{name} → 403：文件不许读 the file may not be read (permission denied)"
            ),
            step: "9",
        };
        exchange(&mut client, &locked, Cut::Whole)?;
    }
    Ok(())
}

fn limits(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let tail = " HTTP/1.1";
    let line_of = |length: usize| {
        let mut line = String::from("GET /");
        line.push_str(&"a".repeat(length - line.len() - tail.len()));
        line.push_str(tail);
        line
    };
    // A request line of exactly 8192 bytes is within the limit: a name not found.
    let longest = format!("{}\r\nHost: localhost\r\n\r\n", line_of(8192));
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: longest.into_bytes(),
        response: page_response(NOT_FOUND, None, false, false),
        closes: false,
        what: "请求行正好 8192 字节（不算 \\r\\n）：没有超过上限，404 / a request line of exactly 8192 bytes (\\r\\n not \
               counted): within the limit, 404"
            .to_owned(),
        step: "7",
    };
    exchange(&mut client, &case, Cut::Whole)?;
    let too_long = format!("{}\r\nHost: localhost\r\n\r\n", line_of(8193));
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: too_long.into_bytes(),
        response: page_response(URI_TOO_LONG, None, false, true),
        closes: true,
        what: "请求行 8193 字节 a request line of 8193 bytes → 414 URI Too Long，Connection: close"
            .to_owned(),
        step: "7",
    };
    exchange(&mut client, &case, Cut::Whole)?;
    // Without its end: answered as soon as the line is too long, not when the head ends.
    let endless = line_of(9000);
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: endless.into_bytes(),
        what: "9000 字节的请求行，没有行尾，客户端等着：马上 414，不等请求头结束 / a request line of 9000 bytes with no \
               line end, the client waiting: 414 at once, without waiting for the head's end"
            .to_owned(),
        ..case
    };
    exchange(&mut client, &case, Cut::Whole)?;

    let head_of = |length: usize| {
        let start = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: ";
        let end = "\r\n\r\n";
        format!(
            "{start}{}{end}",
            "p".repeat(length - start.len() - end.len())
        )
    };
    let largest = head_of(16384);
    let mut client = connect(address, "5")?;
    let case = Exchange {
        what: "请求头正好 16384 字节（连同结尾的空行）：没有超过上限，200 / a head of exactly 16384 bytes (its empty \
               line included): within the limit, 200"
            .to_owned(),
        request: largest.into_bytes(),
        ..ok_get("/", "index.html", "7")
    };
    exchange(&mut client, &case, Cut::Whole)?;
    let too_large = head_of(16385);
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: too_large.into_bytes(),
        response: page_response(TOO_LARGE, None, false, true),
        closes: true,
        what: "请求头 16385 字节 a head of 16385 bytes → 431 Request Header Fields Too Large，Connection: close"
            .to_owned(),
        step: "7",
    };
    exchange(&mut client, &case, Cut::Whole)?;
    // Its end in a piece of its own, after 16000 bytes: the recv that passes the limit brings
    // the empty line with it.
    let too_large = head_of(16385);
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: too_large.into_bytes(),
        what: "请求头 16385 字节，先发 16000 字节，停一下再发其余的（连同空行）：还是 431 / a head of 16385 \
               bytes, 16000 of them first, the rest (its empty line with it) after a pause: 431 still"
            .to_owned(),
        ..case
    };
    exchange(&mut client, &case, Cut::At(&[16000]))?;
    // Without its end, after a first empty line (skipped) and a first byte alone.
    let endless = format!("\r\n{}", &head_of(20000)[..16384]);
    let mut client = connect(address, "5")?;
    let case = Exchange {
        request: endless.into_bytes(),
        what: "16384 字节的请求头还没有结束，客户端等着：马上 431，不等它结束 / 16384 bytes of a head that has not \
               ended, the client waiting: 431 at once, without waiting for the end"
            .to_owned(),
        ..case
    };
    exchange(&mut client, &case, Cut::At(&[3]))?;
    let mut client = connect(address, "5")?;
    let after = Exchange {
        what: "之后新的连接：GET / → 200，服务端照常服务 / a new connection after them: GET / → 200, the server \
               serves on"
            .to_owned(),
        ..ok_get("/", "index.html", "7")
    };
    exchange(&mut client, &after, Cut::Whole)
}

fn keep_alive(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, _program, address) = serve_site(checker)?;
    let index = file("index.html");
    let get = |headers: &str, version: &str| format!("GET / {version}\r\n{headers}\r\n");
    let kept: &[(&str, &str)] = &[
        (
            "Host: localhost\r\nConnection: keep-alive\r\n",
            "Connection: keep-alive",
        ),
        (
            "Host: localhost\r\nContent-Length: 0\r\n",
            "Content-Length: 0",
        ),
    ];
    let mut client = connect(address, "5")?;
    for &(headers, why) in kept {
        let request = get(headers, "HTTP/1.1");
        let case = Exchange {
            request: request.clone().into_bytes(),
            response: ok_response(&index, HTML, false),
            closes: false,
            what: format!("HTTP/1.1，{why}：200，连接保持 / 200, the connection stays open"),
            step: "12",
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    let closed: &[(&str, &str, &str)] = &[
        (
            "Host: localhost\r\nConnection: close\r\n",
            "HTTP/1.1",
            "Connection: close",
        ),
        (
            "Host: localhost\r\nConnection:  Keep-Alive, CLOSE \r\n",
            "HTTP/1.1",
            "Connection: Keep-Alive, CLOSE",
        ),
        ("", "HTTP/1.0", "HTTP/1.0，没有 Host / with no Host"),
        (
            "Connection: keep-alive\r\n",
            "HTTP/1.0",
            "HTTP/1.0，Connection: keep-alive",
        ),
        (
            "Host: localhost\r\nContent-Length: 5\r\n",
            "HTTP/1.1",
            "Content-Length: 5（服务端不读正文 the server reads no body）",
        ),
        (
            "Host: localhost\r\nTransfer-Encoding: chunked\r\n",
            "HTTP/1.1",
            "Transfer-Encoding: chunked",
        ),
    ];
    for &(headers, version, why) in closed {
        let request = get(headers, version);
        let mut client = connect(address, "5")?;
        let case = Exchange {
            request: request.clone().into_bytes(),
            response: ok_response(&index, HTML, true),
            closes: true,
            what: format!("{why} → 200，Connection: close"),
            step: "12",
        };
        exchange(&mut client, &case, Cut::Whole)?;
    }
    Ok(())
}

fn clients_that_leave(checker: &mut Checker) -> Result<(), Failure> {
    let (_site, mut program, address) = serve_site(checker)?;
    drop(connect(address, "5")?);
    let mut half = connect(address, "5")?;
    let case = Exchange {
        request: b"GET / HTTP/1.1\r\nHos".to_vec(),
        response: Vec::new(),
        closes: true,
        what: "半个请求头，然后 shutdown(Write)：没有响应，服务端关闭连接 / half a head, then shutdown(Write): no \
               response, and the server closes the connection"
            .to_owned(),
        step: "7",
    };
    exchange(&mut half, &case, Cut::ThenShutdown)?;
    let mut after = connect(address, "5")?;
    exchange(&mut after, &ok_get("/", "index.html", "7"), Cut::Whole)?;
    program
        .still_running("服务端还在运行 the server still runs")
        .map_err(|failure| failure.step("7"))
}

// ---------------------------------------------------------------------------------------------
// The server, and the responses the rules call for
// ---------------------------------------------------------------------------------------------

/// Builds the site, starts the student's server on it, and waits for its "listening on" line.
fn serve_site(checker: &mut Checker) -> Result<(Site, Program, SocketAddr), Failure> {
    let site = Site::build()?;
    let root = site.root_arg()?.to_owned();
    let mut program = checker.start(&["--port", "0", "--root", &root])?;
    let address = listening_address(&mut program, "4")?;
    Ok((site, program, address))
}

/// A status: its code, reason phrase and Chinese name, as the exercise's pages say them.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Status(u16, &'static str, &'static str);

const MOVED: Status = Status(301, "Moved Permanently", "已永久移动");
const BAD: Status = Status(400, "Bad Request", "请求有误");
const FORBIDDEN: Status = Status(403, "Forbidden", "禁止访问");
const NOT_FOUND: Status = Status(404, "Not Found", "找不到");
const NOT_ALLOWED: Status = Status(405, "Method Not Allowed", "不支持这个方法");
const URI_TOO_LONG: Status = Status(414, "URI Too Long", "网址太长");
const TOO_LARGE: Status = Status(431, "Request Header Fields Too Large", "请求头太大");
const VERSION: Status = Status(505, "HTTP Version Not Supported", "不支持这个 HTTP 版本");

/// The page that comes with a status, as the starter's `page` writes it.
fn page(status: Status) -> String {
    let Status(code, reason, zh) = status;
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{code} {reason}</title></head>\n\
         <body><h1>{code} {zh} / {reason}</h1></body></html>\n"
    )
}

/// The response with a status's page: `extra` is one more header line, after Content-Length.
fn page_response(status: Status, extra: Option<&str>, head_only: bool, close: bool) -> Vec<u8> {
    let body = page(status);
    let mut response = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {HTML}\r\nContent-Length: {}\r\n{}",
        status.0,
        status.1,
        body.len(),
        extra.unwrap_or_default()
    );
    if close {
        response.push_str("Connection: close\r\n");
    }
    response.push_str("\r\n");
    if !head_only {
        response.push_str(&body);
    }
    response.into_bytes()
}

fn ok_head(length: usize, content_type: &str, close: bool) -> Vec<u8> {
    let close = if close { "Connection: close\r\n" } else { "" };
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n{close}\r\n"
    )
    .into_bytes()
}

fn ok_response(body: &[u8], content_type: &str, close: bool) -> Vec<u8> {
    let mut response = ok_head(body.len(), content_type, close);
    response.extend_from_slice(body);
    response
}

/// `GET target` with a Host header.
fn get_request(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes()
}

/// `GET target`, answered with 200 and `name`'s bytes and Content-Type.
fn ok_get(target: &str, name: &str, step: &'static str) -> Exchange {
    let (_, bytes, content_type) = FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .copied()
        .unwrap_or((name, b"", OCTET));
    get_exchange(target, bytes, content_type, step)
}

fn get_exchange(target: &str, body: &[u8], content_type: &str, step: &'static str) -> Exchange {
    Exchange {
        request: get_request(target),
        response: ok_response(body, content_type, false),
        closes: false,
        what: format!(
            "GET {target} → 200 OK，Content-Type: {content_type}，Content-Length: {}，正文是文件的字节 / the file's \
             bytes as the body",
            body.len()
        ),
        step,
    }
}

/// A file's bytes, from the site's table.
fn file(name: &str) -> Vec<u8> {
    FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|(_, bytes, _)| bytes.to_vec())
        .unwrap_or_default()
}

/// The target that names a file: its name, percent-encoded where it is not ASCII.
fn target_of(name: &str) -> String {
    let mut target = String::from("/");
    for byte in name.bytes() {
        if byte.is_ascii() {
            target.push(char::from(byte));
        } else {
            target.push_str(&format!("%{byte:02X}"));
        }
    }
    target
}
