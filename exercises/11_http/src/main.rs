//! # 练习 11：HTTP 与静态网页服务器 / Exercise 11: HTTP and a static web server
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 11`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 11`.

// 还有 todo!() 时，它后面的代码执行不到；写完后可以删掉这一行。
// While a todo!() is left, the code after it is unreachable; delete this line when you are done.
#![allow(
    unreachable_code,
    unused_variables,
    unused_imports,
    unused_mut,
    dead_code
)]

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

use clap::Parser;
use course::options::ServerOptions;
use socket2::{Domain, Socket, Type};

/// 练习 11：静态网页服务器——一个连接一个线程，只发 --root 目录下的文件。
/// Exercise 11: a static web server: a thread per connection, serving only the files under --root.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9494>,

    /// 网站的根目录：只有它下面的文件会被发出去 / the site's root directory: only the files under it are served
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

/// The longest request line, without its line end: a longer one is answered with 414.
const MAX_REQUEST_LINE: usize = 8192;
/// The longest request head, the empty line that ends it included: a longer one gets 431.
const MAX_HEAD: usize = 16384;
/// How much of a file is read, and sent, at a time.
const CHUNK: usize = 16 * 1024;

// 这部分已经写好：监听、一个连接一个线程（第 4 课）。
// 只有读请求头（第 7 步）和路径（第 9 步）留给你。
// Already written: listening, a thread per connection (lesson 4). Only reading the head (step 7)
// and the path (step 9) are left to you.
fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(address, &args.root),
        course::Role::ReusingServer { address },
    )
}

fn run(address: SocketAddr, root: &Path) -> io::Result<()> {
    // The root as the OS names it, every symlink followed: a file is served only if its own
    // such name starts with this one.
    let root = root.canonicalize().map_err(|error| {
        io::Error::new(
            error.kind(),
            format!("网站根目录 the root {}: {error}", root.display()),
        )
    })?;
    let root = Arc::new(root);

    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 2. 设置端口号复用。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;
    // 3. 绑定端口号。 Python: bind(("", 9494))
    tcp_server_socket.bind(&address.into())?;
    // 4. 设置监听。 Python: listen(128)
    tcp_server_socket.listen(128)?;

    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    loop {
        // 5. 循环等待接收客户端的连接请求。 Python: accept()
        let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
        let ip_port = course::addr_text(&ip_port);
        // 6. 为这个连接创建一个子线程。 Python: threading.Thread(target=handle_client_request, …).start()
        let root = Arc::clone(&root);
        thread::spawn(move || handle_client_request(service_client_socket, ip_port, &root));
    }
}

/// Serves one connection's requests, one after the other, until one of them ends it.
fn handle_client_request(service_client_socket: Socket, ip_port: String, root: &Path) {
    // Bytes received and not used yet: the rest of a recv after a head is the next request's.
    let mut pending = Vec::new();
    loop {
        let keep_open = match read_head(&service_client_socket, &mut pending) {
            Ok(Head::Complete(head)) => serve(&service_client_socket, &ip_port, &head, root),
            // The client left, before a request or in the middle of one: nobody to answer.
            Ok(Head::Closed) => break,
            Ok(Head::TooLarge(status)) => {
                send_page(&service_client_socket, status, None, false, true).map(|sent| {
                    println!("{ip_port} - - → {} ({sent} 字节 bytes)", status.code());
                    false
                })
            }
            Err(error) => Err(error),
        };
        match keep_open {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                println!(
                    "{ip_port} 连接出错 connection failed: {:?}: {error}",
                    error.kind()
                );
                break;
            }
        }
    }
    // 12. 关闭这个连接。 Python: service_client_socket.close()
    drop(service_client_socket);
}

// ---------------------------------------------------------------------------------------------
// 7. 读请求头 Reading the request head
// ---------------------------------------------------------------------------------------------

/// What reading a request head gave.
enum Head {
    /// The head, up to and including the empty line that ends it.
    Complete(Vec<u8>),
    /// The client closed the connection before the head was whole.
    Closed,
    /// The request line or the head passed its limit: 414 or 431.
    TooLarge(Status),
}

/// Step 7: Receives until `pending` holds a whole head, takes the head out of it and leaves the rest
/// (the start of the next request) in it. Answers a limit passed as soon as it is passed.
fn read_head(service_client_socket: &Socket, pending: &mut Vec<u8>) -> io::Result<Head> {
    let mut recv_data = [0u8; 4096];
    // 7. 一直接收，直到 pending 里有一个完整的请求头（到第一个空行为止）。一次 recv 可能只拿到几个
    //    字节，也可能拿到两个请求：每一轮先看已经收到的字节，再 recv。
    //    - skip_empty_lines(pending)：去掉请求行前面的空行；
    //    - first_line(pending) 长于 MAX_REQUEST_LINE：Head::TooLarge(Status::UriTooLong)（414）；
    //    - head_end(pending) 找到了结尾 end：end 大于 MAX_HEAD 是 Status::HeadersTooLarge（431）；
    //      否则用 drain 从 pending 里取出前 end 个字节，返回 Head::Complete(请求头)：后面的字节
    //      留在 pending 里，它们是下一个请求的开头；
    //    - 还没有结尾，pending 却已经有 MAX_HEAD 字节：431，不再等；
    //    - 然后 recv 一次，把收到的接在 pending 后面；recv 返回 0 字节：对方关闭了，Head::Closed。
    //    Receive until pending holds a whole head (up to its first empty line). One recv may
    //    bring a few bytes, or two requests: each time round look at what has come, then recv.
    //    - skip_empty_lines(pending) drops the empty lines before the request line;
    //    - a first_line(pending) longer than MAX_REQUEST_LINE: Head::TooLarge(Status::UriTooLong);
    //    - head_end(pending) found the end, end: above MAX_HEAD is Status::HeadersTooLarge (431);
    //      else take the first end bytes out of pending with drain and return
    //      Head::Complete(head): the bytes after it stay in pending, the next request's start;
    //    - no end yet, but MAX_HEAD bytes in pending: 431, without waiting any longer;
    //    - then recv once, appending what came to pending; 0 bytes from recv: the client
    //      closed, Head::Closed.
    //    Python: while b"\r\n\r\n" not in data: chunk = recv(4096); data += chunk
    todo!("第 7 步 step 7: 收到请求头结束为止 receive until the head ends")
}

/// Drops the empty lines before a request line (RFC 9112 §2.2): `\r\n` or a bare `\n`.
fn skip_empty_lines(pending: &mut Vec<u8>) {
    loop {
        let blank = if pending.starts_with(b"\r\n") {
            2
        } else if pending.starts_with(b"\n") {
            1
        } else {
            return;
        };
        pending.drain(..blank);
    }
}

/// The first line of `bytes` without its line end; all of them if no line end has come yet.
fn first_line(bytes: &[u8]) -> &[u8] {
    let line = bytes.split(|byte| *byte == b'\n').next().unwrap_or(bytes);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Where the head in `bytes` ends, just after its empty line (`\r\n\r\n`, `\n\n` or `\n\r\n`),
/// if that line has come.
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().find_map(|(at, byte)| {
        let after = &bytes[at + 1..];
        match byte {
            b'\n' if after.starts_with(b"\n") => Some(at + 2),
            b'\n' if after.starts_with(b"\r\n") => Some(at + 3),
            _ => None,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// 8. 解析请求 Parsing the request
// ---------------------------------------------------------------------------------------------

/// The parts of a request this server uses.
struct Request {
    method: String,
    target: String,
    /// The server closes the connection after the response: HTTP/1.0, `Connection: close`, or
    /// a body it will not read.
    close: bool,
}

/// Step 8: The request line and the headers, or the status that refuses them.
fn parse(head: &[u8]) -> Result<Request, Status> {
    let mut lines = head
        .split(|byte| *byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = lines.next().unwrap_or_default();
    let request_line = std::str::from_utf8(request_line)
        .ok()
        .filter(|line| line.is_ascii())
        .ok_or(Status::BadRequest)?;
    let [method, target, version] = request_line.split(' ').collect::<Vec<_>>()[..] else {
        return Err(Status::BadRequest);
    };
    if !is_token(method) || target.is_empty() {
        return Err(Status::BadRequest);
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ if is_http_version(version) => return Err(Status::VersionNotSupported),
        _ => return Err(Status::BadRequest),
    };
    let mut hosts = 0;
    let mut close = http10;
    for line in lines.filter(|line| !line.is_empty()) {
        let colon = line.iter().position(|byte| *byte == b':');
        let Some(colon) = colon else {
            return Err(Status::BadRequest);
        };
        let name = std::str::from_utf8(&line[..colon]).unwrap_or_default();
        if !is_token(name) {
            return Err(Status::BadRequest);
        }
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case("connection") {
            close |= value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"));
        } else if name.eq_ignore_ascii_case("content-length") {
            close |= value != "0";
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            close = true;
        }
    }
    if !http10 && hosts != 1 {
        return Err(Status::BadRequest);
    }
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        close,
    })
}

/// A token (RFC 9110 §5.6.2): a method or a header's name.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// `HTTP/x.y` with one digit each side of the dot: a version, if not one this server speaks.
fn is_http_version(version: &str) -> bool {
    match version.as_bytes() {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] => {
            major.is_ascii_digit() && minor.is_ascii_digit()
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// 9. 路径：解码一次，检查，留在根目录里 The path: decoded once, checked, kept under the root
// ---------------------------------------------------------------------------------------------

/// What a request's path names under the root.
enum Found {
    /// A file, by its canonical name.
    File(PathBuf),
    /// A directory asked for without its `/`: where to send the client instead.
    Directory(String),
}

/// Step 9: The file that `path` (the target, its query cut off) names under `root` (canonical).
fn resolve(root: &Path, path: &str) -> Result<Found, Status> {
    // 9. 把路径变成根目录下的一个文件：file_under(root, path)（第 9.2 步）拼出文件名，
    //    inside(root, &file)（第 9.3 步）确认它还在根目录里。不是目录：Found::File。是目录时：path
    //    以 / 结尾，发它的 index.html（也要经过 inside）；不以 / 结尾，返回
    //    Found::Directory(path 加上 /)，serve 回复 301 和 Location。
    //    Turn the path into a file under the root: file_under(root, path) (step 9.2) builds its
    //    name, inside(root, &file) (step 9.3) makes sure it is still under the root. Not a
    //    directory: Found::File. A directory: if path ends in /, its index.html (through inside
    //    too); if not, Found::Directory(path with a / added), which serve answers with 301.
    //    Python: if os.path.isdir(file): file = os.path.join(file, "index.html")
    todo!("第 9 步 step 9: 文件、index.html 或 301 / the file, index.html or 301")
}

/// Step 9.1: One segment of the path, percent-decoded once: `%` and two hex digits become the byte they
/// name, every other byte stays. `None` when a `%` is not followed by two hex digits.
fn percent_decode(segment: &str) -> Option<Vec<u8>> {
    // 9.1 % 和两个十六进制数字变成它们表示的那个字节（hex_digit 已经写好），别的字节照抄。% 后面
    //     不是两个十六进制数字：None（serve 回复 400）。只解码一次：%252e 变成 %2e，不是 .。
    //     % and two hex digits become the byte they name (hex_digit is written), every other
    //     byte stays. A % not followed by two hex digits: None (400). Once only: %252e becomes
    //     %2e, not a dot.
    //     Python: urllib.parse.unquote_to_bytes(segment)（它放过坏的 % / it lets a bad % through）
    todo!("第 9.1 步 step 9.1: 百分号解码一段，一次 percent-decode a segment, once")
}

/// The value of one hex digit, either case.
fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// Step 9.2: `root` joined with the path's segments, each decoded once and checked: not UTF-8 or
/// holding NUL is 400; `..`, or a `/` or `\` inside a segment, is 403. Empty segments and `.`
/// name nothing.
fn file_under(root: &Path, path: &str) -> Result<PathBuf, Status> {
    // 9.2 按 / 切开原始的路径，每一段先解码（第 9.1 步，None 是 Status::BadRequest），再检查：不是
    //     UTF-8、含有 NUL：Status::BadRequest（400）；是 ..，或者含有 /（来自 %2F）或 \：
    //     Status::Forbidden（403）；空段和 . 跳过；其余的用 PathBuf::push 接在 root 后面。
    //     Split the raw path on /, decode each segment (step 9.1; None is Status::BadRequest),
    //     then check it: not UTF-8, or holding NUL: Status::BadRequest (400); `..`, or holding a
    //     / (from %2F) or a \: Status::Forbidden (403); skip empty segments and `.`; push the
    //     others onto root with PathBuf::push.
    //     Python: for segment in path.split("/"): name = unquote_to_bytes(segment).decode()
    todo!("第 9.2 步 step 9.2: 解码、检查每一段，接在根目录后面 decode and check each segment")
}

/// Step 9.3: `file` as the OS names it, every symlink followed, if that lies under `root`; else 403.
/// A file that is not there is 404 (`status_of`).
fn inside(root: &Path, file: &Path) -> Result<PathBuf, Status> {
    // 9.3 规范化 file（canonicalize：跟随每个符号链接）；出错时返回 status_of(&error)（找不到是
    //     404，不许读是 403）。规范化之后以 root 开头（Path::starts_with 按整段比较）才返回它；否则
    //     是一个指向根目录外的符号链接：Status::Forbidden。
    //     Canonicalize file (every symlink followed); on an error return status_of(&error)
    //     (missing is 404, permission denied 403). Return it only if it starts with root
    //     (Path::starts_with compares whole components); else a symlink led out: Forbidden.
    //     Python: real = os.path.realpath(file); if os.path.commonpath([real, root]) != root: 403
    todo!("第 9.3 步 step 9.3: 规范化，留在根目录里 canonicalize, and stay under the root")
}

/// The status for a file that could not be opened or found.
fn status_of(error: &io::Error) -> Status {
    if error.kind() == io::ErrorKind::PermissionDenied {
        Status::Forbidden
    } else {
        Status::NotFound
    }
}

// ---------------------------------------------------------------------------------------------
// 10, 11. 响应 The response
// ---------------------------------------------------------------------------------------------

/// Answers one request head; whether the connection stays open for the next.
fn serve(
    service_client_socket: &Socket,
    ip_port: &str,
    head: &[u8],
    root: &Path,
) -> io::Result<bool> {
    let request = match parse(head) {
        Ok(request) => request,
        Err(status) => {
            let sent = send_page(service_client_socket, status, None, false, status.closes())?;
            println!("{ip_port} - - → {} ({sent} 字节 bytes)", status.code());
            return Ok(!status.closes());
        }
    };
    let head_only = request.method == "HEAD";
    let path = request.target.split('?').next().unwrap_or_default();
    let found = if request.method != "GET" && !head_only {
        Err(Status::MethodNotAllowed)
    } else if path.starts_with('/') {
        resolve(root, path)
    } else {
        Err(Status::BadRequest)
    };
    let (status, sent) = match found {
        Ok(Found::File(file)) => match File::open(&file) {
            Ok(opened) => {
                let sent = send_file(
                    service_client_socket,
                    opened,
                    &file,
                    head_only,
                    request.close,
                )?;
                (Status::Ok, sent)
            }
            Err(error) => {
                let status = status_of(&error);
                let sent = send_page(
                    service_client_socket,
                    status,
                    None,
                    head_only,
                    request.close,
                )?;
                (status, sent)
            }
        },
        Ok(Found::Directory(location)) => {
            let status = Status::MovedPermanently;
            let location = Some(("Location", location.as_str()));
            let sent = send_page(
                service_client_socket,
                status,
                location,
                head_only,
                request.close,
            )?;
            (status, sent)
        }
        Err(status) => {
            let allow = (status == Status::MethodNotAllowed).then_some(("Allow", "GET, HEAD"));
            let close = request.close || status.closes();
            let sent = send_page(service_client_socket, status, allow, head_only, close)?;
            (status, sent)
        }
    };
    let (method, target) = (&request.method, &request.target);
    println!(
        "{ip_port} {method} {target} → {} ({sent} 字节 bytes)",
        status.code()
    );
    Ok(!request.close && !status.closes())
}

/// Sends a 200 head and, unless `head_only`, the file in chunks; the body's bytes sent.
fn send_file(
    mut service_client_socket: &Socket,
    file: File,
    path: &Path,
    head_only: bool,
    close: bool,
) -> io::Result<u64> {
    let length = file.metadata()?.len();
    let headers = [
        ("Content-Type", content_type(path).to_owned()),
        ("Content-Length", length.to_string()),
    ];
    send_head(service_client_socket, Status::Ok, &headers, close)?;
    if head_only {
        return Ok(0);
    }
    // Never more than the head promised, should the file grow meanwhile.
    let mut file = file.take(length);
    let mut chunk = vec![0u8; CHUNK];
    let mut sent = 0;
    loop {
        let read = file.read(&mut chunk)?;
        if read == 0 {
            return Ok(sent);
        }
        // 11. 一块一块地发送文件，每块都发完。 Python: sendall(chunk)
        service_client_socket.write_all(&chunk[..read])?;
        sent += read as u64;
    }
}

/// Sends a status's small HTML page (unless `head_only`), with one more header if given; the
/// body's bytes sent.
fn send_page(
    mut service_client_socket: &Socket,
    status: Status,
    extra: Option<(&str, &str)>,
    head_only: bool,
    close: bool,
) -> io::Result<u64> {
    let body = page(status);
    let mut headers = vec![
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        ("Content-Length", body.len().to_string()),
    ];
    headers.extend(extra.map(|(name, value)| (name, value.to_owned())));
    send_head(service_client_socket, status, &headers, close)?;
    if head_only {
        return Ok(0);
    }
    // 11. 发送页面。 Python: sendall(body)
    service_client_socket.write_all(body.as_bytes())?;
    Ok(body.len() as u64)
}

/// Step 10: The status line, the headers (`Connection: close` last when the server will close), and
/// the empty line, in one write.
fn send_head(
    mut service_client_socket: &Socket,
    status: Status,
    headers: &[(&str, String)],
    close: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", status.code(), status.reason());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    // 10. 发送响应头。 Python: sendall(head.encode())
    service_client_socket.write_all(head.as_bytes())
}

/// The page that comes with a status: its code and name, in Chinese and English.
fn page(status: Status) -> String {
    let (code, zh, reason) = (status.code(), status.zh(), status.reason());
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{code} {reason}</title></head>\n\
         <body><h1>{code} {zh} / {reason}</h1></body></html>\n"
    )
}

/// The Content-Type of a file, by its extension, in either case.
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The statuses this server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    MovedPermanently,
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UriTooLong,
    HeadersTooLarge,
    VersionNotSupported,
}

impl Status {
    fn code(self) -> u16 {
        match self {
            Self::Ok => 200,
            Self::MovedPermanently => 301,
            Self::BadRequest => 400,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::UriTooLong => 414,
            Self::HeadersTooLarge => 431,
            Self::VersionNotSupported => 505,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::MovedPermanently => "Moved Permanently",
            Self::BadRequest => "Bad Request",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::MethodNotAllowed => "Method Not Allowed",
            Self::UriTooLong => "URI Too Long",
            Self::HeadersTooLarge => "Request Header Fields Too Large",
            Self::VersionNotSupported => "HTTP Version Not Supported",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Self::Ok => "成功",
            Self::MovedPermanently => "已永久移动",
            Self::BadRequest => "请求有误",
            Self::Forbidden => "禁止访问",
            Self::NotFound => "找不到",
            Self::MethodNotAllowed => "不支持这个方法",
            Self::UriTooLong => "网址太长",
            Self::HeadersTooLarge => "请求头太大",
            Self::VersionNotSupported => "不支持这个 HTTP 版本",
        }
    }

    /// Whether the server closes the connection after this status, whatever the request said:
    /// after a head it could not read, it cannot know where the next request starts.
    fn closes(self) -> bool {
        matches!(
            self,
            Self::BadRequest | Self::UriTooLong | Self::HeadersTooLarge | Self::VersionNotSupported
        )
    }
}
