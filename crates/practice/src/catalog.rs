//! The exercises, in order: where each lives, what it is, its hints and its checks.

use crate::checks::{self, Check};

pub struct Exercise {
    pub number: u8,
    /// The directory under `exercises/` and `solutions/`.
    pub dir: &'static str,
    /// The short name a student may type instead of the number.
    pub name: &'static str,
    pub title: &'static str,
    /// The lesson (crate `lessonN`, page `lessons/*/lessonN.md`) it practises.
    pub lesson: u8,
    /// Questions that point the way, not answers.
    pub hints: &'static [&'static str],
    pub checks: &'static [Check],
}

pub const EXERCISES: &[Exercise] = &[
    Exercise {
        number: 1,
        dir: "01_client",
        name: "client",
        title: "TCP 客户端 / the TCP client",
        lesson: 1,
        hints: &[
            "第 1 步：socket2 的 Socket::new 要三样东西：地址族、类型、协议。server 是 IPv4 还是 IPv6，\
             哪个 Domain 函数能从地址里看出来？ / Step 1: Socket::new takes a domain, a type and a protocol. \
             Which Domain function reads the family from an address?",
            "第 3 步：encoding.encode(…) 返回的不只是字节，还有什么？第 4.1 步：recv 要的缓冲区类型是什么，\
             course 里哪个函数能把 [0u8; 1024] 借给它？ / Step 3: what else does encoding.encode(…) return \
             besides the bytes? Step 4.1: what buffer type does recv want, and which course function lends \
             it [0u8; 1024]?",
            "第 5 步：Rust 里套接字什么时候被 close？不再用一个值时，怎样明确地结束它？ / Step 5: when does \
             Rust close a socket? How do you end a value explicitly?",
        ],
        checks: checks::CLIENT,
    },
    Exercise {
        number: 2,
        dir: "02_server",
        name: "server",
        title: "单次服务的 TCP 服务端 / the single-shot server",
        lesson: 2,
        hints: &[
            "第 2、3 步：bind 要的是 SockAddr，你手里的是 SocketAddr，怎么转换？listen 的参数是什么意思？ \
             / Steps 2 and 3: bind wants a SockAddr and you hold a SocketAddr; how do you convert? What does \
             listen's number mean?",
            "第 4 步：accept 返回两样东西，哪一个才能收发数据？监听套接字还能 recv 吗？ / Step 4: accept \
             returns two things; which one can send and receive? Can the listening socket recv?",
            "第 8、9 步：两个套接字都要关闭，先关哪一个？服务端先关闭连接，TIME_WAIT 留在哪一边？ / Steps 8 \
             and 9: both sockets must close; which first? When the server closes first, which side keeps \
             TIME_WAIT?",
        ],
        checks: checks::SERVER,
    },
    Exercise {
        number: 3,
        dir: "03_reuse",
        name: "reuse",
        title: "可以马上重启：SO_REUSEADDR / restart at once with SO_REUSEADDR",
        lesson: 3,
        hints: &[
            "服务端刚服务完一个客户端就退出，再启动时 bind 报 AddrInUse。内核表里这个端口上留下的是什么状态？ \
             / The server exits right after serving a client, and the next bind fails with AddrInUse. What \
             state does the kernel's table hold on that port?",
            "讲义的 setsockopt(SOL_SOCKET, SO_REUSEADDR, True) 在 socket2 里叫什么？它必须在 bind 之前还是之后？ \
             / What is the notes' setsockopt(SOL_SOCKET, SO_REUSEADDR, True) called in socket2? Before bind, \
             or after?",
        ],
        checks: checks::RESTART,
    },
    Exercise {
        number: 4,
        dir: "04_threads",
        name: "threads",
        title: "多任务版服务端：一个客户端一个线程 / the thread-per-client server",
        lesson: 4,
        hints: &[
            "第 5、6 步：accept 放在循环里之后，谁来和这个客户端收发？std::thread::spawn 的闭包要拿走套接字的 \
             所有权，需要哪个关键字？ / Steps 5 and 6: with accept in a loop, who talks to the client? The \
             closure given to std::thread::spawn must own the socket: which keyword does that?",
            "第 7、8 步：recv 返回 Ok(0) 是什么意思？recv 返回 Err（对方重置了连接）时，应该结束整个服务器， \
             还是只结束这个客户端的线程？ / Steps 7 and 8: what does Ok(0) from recv mean? When recv returns \
             Err (the peer reset), should the whole server end, or only this client's thread?",
        ],
        checks: checks::THREADS,
    },
    Exercise {
        number: 5,
        dir: "05_close",
        name: "close",
        title: "对方关闭还是重置？/ the peer closed, or reset?",
        lesson: 5,
        hints: &[
            "第 4 步：如果在 recv 后面写 ?，连接被重置时会发生什么？要分辨结果，就要先把 io::Result 留在手里。 \
             / Step 4: with ? after recv, what happens on a reset? To tell the outcomes apart, keep the \
             io::Result in hand first.",
            "第 5 步：Ok(0)、Ok(n)、Err(e) 各是什么意思？e.kind() 和哪个 io::ErrorKind 比较？ / Step 5: what do \
             Ok(0), Ok(n) and Err(e) each mean? Compare e.kind() with which io::ErrorKind?",
        ],
        checks: checks::CLOSE,
    },
];

/// The exercise a student named: its number (`1`, `01`) or its name (`client`, `01_client`).
pub fn find(name: &str) -> Option<&'static Exercise> {
    let name = name.trim();
    EXERCISES.iter().find(|exercise| {
        name.parse::<u8>().ok() == Some(exercise.number)
            || name.eq_ignore_ascii_case(exercise.name)
            || name.eq_ignore_ascii_case(exercise.dir)
    })
}
