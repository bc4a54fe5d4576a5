//! An HTTP/1.1 client for tests, as raw as a test needs: it sends exactly the bytes it is
//! given (curl would normalise `/../`, and a browser percent-encodes), and reads responses one
//! at a time off one connection, by their `Content-Length`, so that pipelined responses and a
//! connection that stays open (keep-alive) can be told apart from one that closes.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use crate::TIMEOUT;

/// One response: its status, its head as text, and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The status line and header lines, without the empty line.
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (case-insensitive), if the response has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The head without the headers that change from one response to the next (`Date`), so
    /// that two responses to the same request can be compared.
    pub fn stable_head(&self) -> String {
        self.head
            .lines()
            .filter(|line| !line.starts_with("Date:"))
            .collect::<Vec<_>>()
            .join("\r\n")
    }
}

/// A connection to an HTTP server.
pub struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    /// Connects to `address`; every read waits at most [`TIMEOUT`].
    pub fn open(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).expect("the server is listening");
        stream
            .set_read_timeout(Some(TIMEOUT))
            .expect("a timeout above zero is valid");
        stream
            .set_nodelay(true)
            .expect("a connected socket takes TCP_NODELAY");
        Self {
            reader: BufReader::new(stream),
        }
    }

    /// The socket, to write to or to look at.
    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Sends `bytes`, all of them, in one write.
    pub fn send(&mut self, bytes: &[u8]) -> &mut Self {
        self.reader
            .get_mut()
            .write_all(bytes)
            .expect("the server reads while it waits for a head");
        self
    }

    /// Reads one response; `to_head` says it answers a HEAD request, which has no body
    /// whatever its `Content-Length` says. Panics with what came if it is not a response.
    pub fn response(&mut self, to_head: bool) -> Response {
        self.try_response(to_head)
            .unwrap_or_else(|error| panic!("expected a response: {error}"))
    }

    /// Reads one response, or says why there was none (the connection closed first, a
    /// timeout, a head that is not HTTP).
    pub fn try_response(&mut self, to_head: bool) -> Result<Response, String> {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8];
            match self.reader.read(&mut byte) {
                Ok(0) => return Err(format!("closed after {:?}", String::from_utf8_lossy(&head))),
                Ok(_) => head.push(byte[0]),
                Err(error) => return Err(format!("{:?} after {head:?}", error.kind())),
            }
        }
        let head = String::from_utf8(head[..head.len() - 4].to_vec())
            .map_err(|error| format!("a head that is not UTF-8: {error}"))?;
        // HTTP/1.0 too: Python's http.server answers in it.
        let status = ["HTTP/1.1 ", "HTTP/1.0 "]
            .iter()
            .find_map(|version| head.strip_prefix(version))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not a status line: {head:?}"))?;
        let mut response = Response {
            status,
            head,
            body: Vec::new(),
        };
        let length: usize = response
            .header("Content-Length")
            .ok_or_else(|| format!("no Content-Length: {:?}", response.head))?
            .parse()
            .map_err(|error| format!("Content-Length: {error}"))?;
        if !to_head && status != 304 {
            response.body = vec![0; length];
            self.reader
                .read_exact(&mut response.body)
                .map_err(|error| format!("a body of {length} bytes: {:?}", error.kind()))?;
        }
        Ok(response)
    }

    /// Reads and counts a response's body without keeping it: for a file too big to hold.
    pub fn discard_body(&mut self, mut length: u64, mut each: impl FnMut(u64)) {
        while length > 0 {
            let buffer = self.reader.fill_buf().expect("the body keeps coming");
            assert!(
                !buffer.is_empty(),
                "closed with {length} bytes of body left"
            );
            let taken = buffer
                .len()
                .min(usize::try_from(length).unwrap_or(usize::MAX));
            self.reader.consume(taken);
            length -= taken as u64;
            each(length);
        }
    }

    /// Whether the server has closed its end: the next read returns 0 bytes (FIN), or a reset;
    /// waits at most `within` for either.
    pub fn closed_within(&mut self, within: Duration) -> bool {
        let stream = self.reader.get_ref();
        stream
            .set_read_timeout(Some(within))
            .expect("a timeout above zero is valid");
        let mut byte = [0u8];
        let closed = match self.reader.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => panic!("expected the end, got more bytes: {byte:?}"),
            Err(error) => !matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        };
        let _ = self.reader.get_ref().set_read_timeout(Some(TIMEOUT));
        closed
    }

    /// Reads to the end of what the server sends, waiting at most [`TIMEOUT`] for each
    /// read: how many bytes came, and how the stream ended (`Ok(())` for a FIN, the error
    /// for a reset or a timeout).
    pub fn read_to_end(&mut self) -> (u64, std::io::Result<()>) {
        let mut count = 0;
        loop {
            match self.reader.fill_buf() {
                Ok([]) => return (count, Ok(())),
                Ok(buffer) => {
                    let taken = buffer.len();
                    self.reader.consume(taken);
                    count += taken as u64;
                }
                Err(error) => return (count, Err(error)),
            }
        }
    }

    /// Whether the server closes its end within [`TIMEOUT`].
    pub fn closed(&mut self) -> bool {
        self.closed_within(TIMEOUT)
    }

    /// Shuts down the sending side: the server reads the end of the requests.
    pub fn finish_sending(&mut self) {
        let _ = self.reader.get_ref().shutdown(Shutdown::Write);
    }
}

/// `GET target` on a connection of its own, which closes after the response.
pub fn get(address: SocketAddr, target: &str) -> Response {
    Connection::open(address)
        .send(
            format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .response(false)
}

/// The response to `request`, sent whole on a connection of its own.
pub fn exchange(address: SocketAddr, request: &[u8]) -> Response {
    Connection::open(address).send(request).response(false)
}
