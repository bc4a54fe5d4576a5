//! # 第 3 课：设置端口复用的单次服务端 / Lesson 3: the single-shot server with SO_REUSEADDR
//!
//! Notes, section 2, as written: lesson 2 plus the notes' `setsockopt(SOL_SOCKET, SO_REUSEADDR,
//! True)` between creating the socket and binding it, and nothing else new, so that
//! `diff crates/lesson2/src/main.rs crates/lesson3/src/main.rs` is the lesson. Run it
//! (`cargo run -p lesson3`), then the lesson-1 client (`cargo run -p lesson1`), then this server
//! again at once: it binds, and the kernel's table it prints still holds the old connection in
//! TIME_WAIT. SO_REUSEADDR does not end TIME_WAIT; it lets a new listener bind beside it.
//!
//! On Linux both sockets need the option: the one that left the TIME_WAIT behind and the new
//! one. That is why the notes set it in the server itself, every time it starts: right after
//! lesson 2 has served a client, lesson 3 cannot take the port either.
//!
//! Why `socket2` and not `std::net::TcpListener`: on Unix, `TcpListener::bind` quietly sets
//! `SO_REUSEADDR` before it binds. Here the option is one visible line, as in the notes.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ServerOptions;
use socket2::{Domain, Socket, Type};

/// 第 3 课：TCP 服务端——和第 2 课一样，但设置了端口复用（SO_REUSEADDR），退出后可以马上重启。
/// Lesson 3: the lesson-2 server with port reuse (SO_REUSEADDR): it can be restarted at once.
#[derive(Parser)]
#[command(name = "lesson3")]
struct Args {
    #[command(flatten)]
    options: ServerOptions<8989>,

    /// 回复后先半关闭，读完客户端的数据再关闭，不发 RST（讲义里没有）
    /// / after the reply, half-close (shut the sending side), read what the client still sends until it closes too, then close:
    /// no unread data, so no reset (not in the notes)
    #[arg(long)]
    half_close: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, args.half_close, address),
        course::Role::ReusingServer { address },
    )
}

fn run(options: &ServerOptions<8989>, half_close: bool, address: SocketAddr) -> io::Result<()> {
    let encoding = options.encoding;

    // ANCHOR: create
    // 1. 创建 TCP 服务端套接字：地址族跟随 --host（IPv4 → AF_INET，IPv6 → AF_INET6），
    //    Type::STREAM 即 SOCK_STREAM（TCP）。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the TCP server socket: its address family follows --host (IPv4 → AF_INET,
    //    IPv6 → AF_INET6); Type::STREAM is SOCK_STREAM (TCP).
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 1.1 设置端口号复用（SOL_SOCKET 层的 SO_REUSEADDR 选项，值为 true），让程序退出后
    //     端口号立即可以再绑定。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    //     Set port reuse (the SOL_SOCKET level's SO_REUSEADDR option, to true), so that
    //     the port can be bound again as soon as the program exits.
    tcp_server_socket.set_reuse_address(true)?;
    // ANCHOR_END: create

    // ANCHOR: listen
    // 2. 给程序绑定端口号（讲义说明 1）。 Python: bind(("", 8989))
    //    Bind the program to its port (the notes' remark 1).
    tcp_server_socket.bind(&address.into())?;

    // 3. 设置监听：128 是内核替我们排队、等待 accept 的连接数上限（讲义说明 2）。
    //    listen 之后这个套接字只负责接受连接，不能收发消息。 Python: listen(128)
    //    Listen: 128 caps how many connections the kernel queues for us, waiting for
    //    accept (the notes' remark 2). After listen this socket only accepts connections;
    //    it cannot send or receive messages.
    tcp_server_socket.listen(128)?;
    // ANCHOR_END: listen

    // ANCHOR: show
    // 一个 IP 套接字的本地地址总是 IP 地址；--port 0 时这里才知道内核挑了哪个端口。
    // An IP socket's local address is always an IP address; with --port 0, this is where
    // we learn which port the kernel picked.
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);
    // 看一眼内核的套接字表：这个端口上除了我们的 LISTEN，还有没有旧连接（TIME_WAIT）。
    // A look at the kernel's socket table: besides our LISTEN, does this port still hold
    // old connections (TIME_WAIT)?
    course::kernel::show_port(bound.port());
    // ANCHOR_END: show

    // ANCHOR: accept
    // 4. 等待客户端建立连接：三次握手完成后 accept 才返回，得到一个专门和这个客户端
    //    通信的新套接字，以及客户端的 IP 地址和端口号（讲义说明 3）。 Python: accept()
    //    Wait for a client to connect: accept returns once a three-way handshake has
    //    completed, with a new socket for talking to this one client, and the client's IP
    //    address and port (the notes' remark 3).
    let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
    println!(
        "客户端的 IP 地址和端口号 client address: {}",
        course::addr_text(&ip_port)
    );
    // ANCHOR_END: accept

    // ANCHOR: recv
    // 5. 接收客户端发送的数据，这次最多 1024 字节（讲义说明 5）。 Python: recv(1024)
    //    Receive what the client sent, at most 1024 bytes this time (the notes' remark 5).
    let mut recv_data = [0u8; 1024];
    let recv_data_length = service_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..recv_data_length];
    println!("接收数据的长度为 received {recv_data_length} 字节 bytes");

    // 6. 对二进制数据进行解码。 Python: recv_data.decode("gbk")
    //    Decode the binary data.
    let (recv_content, had_errors) = encoding.decode_without_bom_handling(recv_data);
    println!("接收客户端的数据为 received text: {recv_content}");
    if had_errors {
        println!(
            "（有些字节不是合法的 {name}，显示为 �：两端的编码不一致？）\n\
             （some bytes are not valid {name} and show as �: do both sides use the same encoding?）",
            name = encoding.name()
        );
    }
    // ANCHOR_END: recv

    // ANCHOR: reply
    // 7. 准备回复并用同一种编码转成字节，发送给客户端（讲义说明 4）。
    //    Prepare the reply, encode it as bytes with the same encoding, and send it to the
    //    client (the notes' remark 4).
    //    Python: send(send_data)
    //    收到 0 字节说明客户端没发数据就关闭了连接，那就不回复了（讲义第 4 节第 7点）。
    //    0 bytes received means the client closed the connection without sending
    //    anything: then there is no reply (the notes, section 4, point 7).
    if recv_data_length > 0 {
        let (send_data, _, _) = encoding.encode("ok, 问题正在处理中...");
        let sent = service_client_socket.send(&send_data)?;
        println!(
            "已发送 sent {sent} 字节 bytes ({}): ok, 问题正在处理中...",
            encoding.name()
        );
    } else {
        println!("客户端没有发送数据就关闭了连接 / the client closed without sending anything");
    }
    // ANCHOR_END: reply

    // ANCHOR: half_close
    // 讲义里没有这一步，给了 --half-close 才做：先只关发送方向
    // （FIN，客户端读到 0 字节），再把客户端还在发的读完丢弃，
    // 直到它也关闭（recv 返回 0）。close 时没有没读的数据，
    // 就不会变成 RST；先发 FIN 的仍是服务端，TIME_WAIT 仍在这边。
    // Not in the notes, and only with --half-close: first shut only the sending side (a
    // FIN: the client reads 0 bytes), then read and drop whatever the client still sends,
    // until it closes too (recv returns 0). With nothing unread at close, the close does
    // not turn into a RST; the server still sent the first FIN, so TIME_WAIT stays here.
    // Python: shutdown(SHUT_WR)，然后 recv(1024) 直到 b""
    //         shutdown(SHUT_WR), then recv(1024) until b""
    if half_close {
        service_client_socket.shutdown(std::net::Shutdown::Write)?;
        let mut discarded = 0;
        let mut discard = [0u8; 1024];
        loop {
            let buffer = course::as_uninit(&mut discard);
            match service_client_socket.recv(buffer)? {
                0 => break,
                length => discarded += length,
            }
        }
        println!(
            "客户端也关闭了 the client closed too \
             (discarded {discarded} bytes)"
        );
    }
    // ANCHOR_END: half_close

    // ANCHOR: close
    // 8. 关闭服务与客户端的套接字，终止和这个客户端的通信（讲义说明 6）。socket2 在值被
    //    丢弃（drop）时调用 close(2)。先关闭的一方要在 TIME_WAIT 里等一会儿：服务端回复后
    //    马上关闭，通常就是它，于是端口被占住。 Python: service_client_socket.close()
    //    Close the socket that serves the client, ending the conversation with it (the
    //    notes' remark 6). socket2 calls close(2) when the value is dropped. The end that
    //    closes first waits a while in TIME_WAIT: the server closes right after its
    //    reply, so it is usually that end, and the port stays taken.
    drop(service_client_socket);
    // 9. 关闭服务端的套接字，不再接受新的连接。 Python: tcp_server_socket.close()
    //    Close the server socket: no new connections are accepted.
    drop(tcp_server_socket);
    println!("已关闭 closed: 服务端退出 / the server exits");
    Ok(())
    // ANCHOR_END: close
}
