//! # 练习 10：tokio 服务端 / Exercise 10: the tokio server
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 10`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 10`.

// 还有 todo!() 时，它后面的代码执行不到；写完后可以删掉这一行。
// While a todo!() is left, the code after it is unreachable; delete this line when you are done.
#![allow(
    unreachable_code,
    unused_variables,
    unused_imports,
    unused_mut,
    dead_code
)]

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use course::options::ServerOptions;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// 练习 10：tokio 服务端——每个客户端一个任务，Ctrl-C 时从容退出。
/// Exercise 10: the tokio server: a task per client, and a graceful exit on Ctrl-C.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9393>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

/// How long the shutdown waits for the clients' tasks to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

// 这部分已经写好，只有第 8–12 步留给你。
// Already written: only steps 8 to 12 are left to you.
fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    // One thread: the runtime runs every task on the thread that calls block_on.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = runtime.and_then(|runtime| runtime.block_on(run(address, args.options.encoding)));
    course::finish(result, course::Role::ReusingServer { address })
}

async fn run(address: SocketAddr, encoding: &'static Encoding) -> io::Result<()> {
    // 1–5. 创建、端口复用、绑定、监听，设为非阻塞后交给 tokio。 as in lesson 8
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    tcp_server_socket.bind(&address.into())?;
    tcp_server_socket.listen(128)?;
    tcp_server_socket.set_nonblocking(true)?;
    let listener = TcpListener::from_std(tcp_server_socket.into())?;
    course::announce_listening(listener.local_addr()?);

    // 停机信号：Ctrl-C 时发出 true，每个客户端的任务都在听。 The shutdown signal every task listens to.
    let (shutdown, shutting_down) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            // 6. 等待下一个连接。 7. 一个客户端一个任务。 Python (asyncio): create_task(handle(...))
            accepted = listener.accept() => match accepted {
                Ok((service_client_socket, ip_port)) => {
                    println!("客户端连接成功 client connected: {ip_port}");
                    let shutting_down = shutting_down.clone();
                    tasks.spawn(handle_client_request(
                        service_client_socket,
                        ip_port,
                        encoding,
                        shutting_down,
                    ));
                }
                Err(error) => println!("accept 失败 accept failed: {:?}: {error}", error.kind()),
            },
            // 结束了的任务在这里收走。一个任务崩溃了（比如还有没写完的 todo）是程序的错误：让整个程序结束。
            // Finished tasks are collected here. A task that panicked (an unwritten todo, say) is a
            // bug in the program: end the whole program with its panic.
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(error) = joined
                    && error.is_panic()
                {
                    std::panic::resume_unwind(error.into_panic());
                }
            }
            result = &mut ctrl_c => {
                result?;
                break;
            }
        }
    }

    // 12. 从容退出：关闭监听套接字（不再接受新连接），告诉每个任务关闭自己的客户端，
    //     等它们都结束（最多 SHUTDOWN_GRACE），以退出码 0 结束。
    //     A graceful exit: close the listener, tell every task to close its client, wait for
    //     them (SHUTDOWN_GRACE at most), and end with exit code 0.
    // 关闭监听套接字：drop(listener)。发出停机信号：shutdown.send(true)，每个任务的 shutting_down.changed()
    // 就会完成（第 11 步）。等 tasks 里的任务都结束（tasks.join_next().await 直到 None），最多等 SHUTDOWN_GRACE
    // （tokio::time::timeout）；等不到就打印一行。最后返回 Ok(())：course::finish 让程序以退出码 0 结束。
    // Close the listener: drop(listener). Send the signal: shutdown.send(true) completes every task's
    // shutting_down.changed() (step 11). Wait until every task in tasks has ended
    // (tasks.join_next().await until None), SHUTDOWN_GRACE at most (tokio::time::timeout), printing a
    // line if they did not. Then return Ok(()): course::finish ends the program with exit code 0.
    todo!("第 12 步 step 12: 从容退出 the graceful exit")
}

/// The notes' `handle_client_request`, as a task: serves one client until it goes offline,
/// or until the server shuts down.
async fn handle_client_request(
    mut service_client_socket: TcpStream,
    ip_port: SocketAddr,
    encoding: &'static Encoding,
    mut shutting_down: watch::Receiver<bool>,
) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let (send_data, _, _) = encoding.encode(REPLY);
    let mut recv_data = [0u8; 1024];
    loop {
        // 等接收和停机信号中先到的一个。 Whichever comes first: data, or the shutdown.
        let read = tokio::select! {
            read = receive(&mut service_client_socket, &mut recv_data) => read,
            _ = shutting_down.changed() => {
                // 11. 停机：关闭发送方向（对方读到 0 字节：FIN，不是 RST），打印，结束任务。
                //     Python (asyncio): writer.close(); await writer.wait_closed()
                //     用 service_client_socket.shutdown().await 关闭发送方向，打印下面这一行，然后 break。
                //     Close the sending direction with service_client_socket.shutdown().await, print
                //     this line, then break:
                //     println!("服务端关闭，断开客户端 server shutting down, closed {ip_port}");
                todo!("第 11 步 step 11: 关闭这个客户端 close this client")
            }
        };
        // 9. 收到 0 字节：客户端下线了；出错（重置）：只结束这个任务。
        //    Ok(0)：打印“客户端下线了 client offline: {ip_port}”，break。Ok(n)：收到 n 字节。Err：打印下面这一行，break。
        //    Ok(0): print "客户端下线了 client offline: {ip_port}" and break. Ok(n): n bytes came.
        //    Err: print this line and break:
        //    println!("接收失败 receive failed {ip_port}: {:?}: {error}", error.kind());
        let recv_data_length: usize = todo!(
            "第 9 步 step 9: 0 字节是下线，出错时结束 0 bytes is offline, an error ends the task"
        );
        let recv_content =
            course::encoding::decode_stream(&mut decoder, &recv_data[..recv_data_length], false);
        println!("收到 received {recv_data_length} 字节 bytes 来自 from {ip_port}: {recv_content}");

        // 10. 回复：write_all 发完为止，发送缓冲区满时 .await 让出线程。
        //     Python (asyncio): writer.write(...); await writer.drain()
        //     出错时打印一行，break。 On an error, print a line and break.
        todo!("第 10 步 step 10: 用 write_all 回复 reply with write_all");
    }
    // 任务结束，套接字被丢弃：close。 The task ends and the socket is dropped: close(2).
}

/// 8. 接收数据，最多 recv_data.len() 字节；没有数据时 .await 让出线程。
///    Receive up to the buffer's length; while nothing has come, `.await` gives the thread back.
///    Python (asyncio): await reader.read(1024)
async fn receive(service_client_socket: &mut TcpStream, recv_data: &mut [u8]) -> io::Result<usize> {
    todo!("第 8 步 step 8: 接收 read, with .await")
}
