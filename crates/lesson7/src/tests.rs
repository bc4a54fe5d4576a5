//! What no test from outside can reach: one `serve` call whose pause ends with every reply
//! sent at once, while the client sends nothing more. From outside, that needs about 3 MB
//! waiting unread (64 KiB of 21-byte replies, one per 1 KiB read) and a send buffer that takes
//! all 64 KiB at once; here the connection starts paused, on real loopback sockets.

use std::io::{Read as _, Write as _};
use std::time::Instant;

use super::*;

/// How many bytes the client has sent when `serve` is called: they wait unread.
const WAITING: usize = 10_000;

#[test]
fn a_pause_whose_replies_all_go_reads_on() {
    let (mut client, accepted) = loopback_pair();
    client.write_all(&[b'x'; WAITING]).expect("send");
    await_unread(&accepted, WAITING);
    // Room for every reply at once: the pause ends in one send.
    let socket = socket2::SockRef::from(&accepted);
    socket.set_send_buffer_size(1 << 20).expect("SO_SNDBUF");
    accepted.set_nonblocking(true).expect("non-blocking");
    let mut stream = TcpStream::from_std(accepted);
    let poll = Poll::new().expect("a poll instance");
    let token = Token(0);
    poll.registry()
        .register(&mut stream, token, Interest::READABLE)
        .expect("register");
    let mut server = Server {
        connections: HashMap::new(),
        next_token: 1,
        reply: b"ok".to_vec(),
        encoding: encoding_rs::GBK,
        show_would_block: false,
    };
    let connection = Connection {
        stream,
        ip_port: "test".to_owned(),
        decoder: encoding_rs::GBK.new_decoder_without_bom_handling(),
        unsent: vec![b'.'; MAX_UNSENT],
        watching_writable: false,
        peer_closed: false,
    };
    server.connections.insert(token, connection);
    // On a thread of its own, so that a serve that never returns fails the test in time.
    let (done, served) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        server.serve(token, poll.registry());
        let _ = done.send(server);
    });
    let mut server = served
        .recv_timeout(Duration::from_secs(10))
        .expect("serve returns once the socket has nothing more to read");
    // The bytes that waited were reported once, before the pause; no event says so again.
    let connection = server.connections.get_mut(&token).expect("still open");
    let mut left = [0u8; 1];
    let read = connection.stream.read(&mut left);
    assert!(
        read.as_ref()
            .is_err_and(|error| error.kind() == io::ErrorKind::WouldBlock),
        "after its replies went, serve must read what waited: {read:?}"
    );
}

/// A connected client and the server's end of it, both blocking.
fn loopback_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let address = listener.local_addr().expect("bound");
    let client = std::net::TcpStream::connect(address).expect("connect");
    let (accepted, _) = listener.accept().expect("accept");
    (client, accepted)
}

/// Waits until `wanted` bytes wait unread in `stream`.
fn await_unread(stream: &std::net::TcpStream, wanted: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut peeked = vec![0u8; wanted];
    while stream.peek(&mut peeked).expect("peek") < wanted {
        assert!(Instant::now() < deadline, "{wanted} bytes never arrived");
    }
}
