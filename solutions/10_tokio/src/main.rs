//! # 练习 10：tokio 服务端（参考答案）/ Exercise 10: the tokio server (reference solution)
//!
//! Lesson 8: lesson 4's server again, with a task per client instead of a thread, on one
//! thread: where lesson 4's thread would block, `.await` gives the thread back to the runtime.
//! On Ctrl-C it stops accepting, tells every task to close its client with a FIN, waits for
//! them, and exits 0. The same steps as `crates/lesson8`, without its file-descriptor limits.

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
    drop(listener);
    println!(
        "收到 Ctrl-C：正在关闭 {} 个客户端 / Ctrl-C: closing {} clients",
        tasks.len(),
        tasks.len()
    );
    // A send fails only when no task is listening, and then there is nobody to tell.
    let _ = shutdown.send(true);
    let all_done = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, all_done)
        .await
        .is_err()
    {
        println!("有的客户端没有及时结束 some clients did not finish in time");
    }
    println!("服务端已退出 server stopped");
    Ok(())
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
                let _ = service_client_socket.shutdown().await;
                println!("服务端关闭，断开客户端 server shutting down, closed {ip_port}");
                break;
            }
        };
        // 9. 收到 0 字节：客户端下线了；出错（重置）：只结束这个任务。
        let recv_data_length = match read {
            Ok(0) => {
                println!("客户端下线了 client offline: {ip_port}");
                break;
            }
            Ok(length) => length,
            Err(error) => {
                println!(
                    "接收失败 receive failed {ip_port}: {:?}: {error}",
                    error.kind()
                );
                break;
            }
        };
        let recv_content =
            course::encoding::decode_stream(&mut decoder, &recv_data[..recv_data_length], false);
        println!("收到 received {recv_data_length} 字节 bytes 来自 from {ip_port}: {recv_content}");

        // 10. 回复：write_all 发完为止，发送缓冲区满时 .await 让出线程。
        //     Python (asyncio): writer.write(...); await writer.drain()
        if let Err(error) = service_client_socket.write_all(&send_data).await {
            println!(
                "回复发送失败 reply could not be sent {ip_port}: {:?}: {error}",
                error.kind()
            );
            break;
        }
    }
    // 任务结束，套接字被丢弃：close。 The task ends and the socket is dropped: close(2).
}

/// 8. 接收数据，最多 recv_data.len() 字节；没有数据时 .await 让出线程。
///    Receive up to the buffer's length; while nothing has come, `.await` gives the thread back.
///    Python (asyncio): await reader.read(1024)
async fn receive(service_client_socket: &mut TcpStream, recv_data: &mut [u8]) -> io::Result<usize> {
    service_client_socket.read(recv_data).await
}
