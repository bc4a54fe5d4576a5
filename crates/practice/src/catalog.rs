//! The exercises, in order: where each lives, what it is, its hints and its checks.

use crate::checks::{self, Check};

pub struct Exercise {
    pub number: u8,
    /// The directory under `exercises/` and `solutions/`.
    pub dir: &'static str,
    /// The short name a student may type instead of the number.
    pub name: &'static str,
    pub title: &'static str,
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
        hints: &[
            "第 5、6 步：accept 放在循环里之后，谁来和这个客户端收发？std::thread::spawn 的闭包要拿走套接字的\
             所有权，需要哪个关键字？ / Steps 5 and 6: with accept in a loop, who talks to the client? The \
             closure given to std::thread::spawn must own the socket: which keyword does that?",
            "第 7、8 步：recv 返回 Ok(0) 是什么意思？recv 返回 Err（对方重置了连接）时，应该结束整个服务器，\
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
        hints: &[
            "第 4 步：如果在 recv 后面写 ?，连接被重置时会发生什么？要分辨结果，就要先把 io::Result 留在手里。 \
             / Step 4: with ? after recv, what happens on a reset? To tell the outcomes apart, keep the \
             io::Result in hand first.",
            "第 5 步：Ok(0)、Ok(n)、Err(e) 各是什么意思？e.kind() 和哪个 io::ErrorKind 比较？ / Step 5: what do \
             Ok(0), Ok(n) and Err(e) each mean? Compare e.kind() with which io::ErrorKind?",
        ],
        checks: checks::CLOSE,
    },
    Exercise {
        number: 6,
        dir: "06_split_char",
        name: "split",
        title: "被拆成两半的汉字：每个连接一个解码器 / the split character: one decoder per connection",
        hints: &[
            "第 8.1 步：讲义的 recv_data.decode(\"gbk\") 每次都从头解码。半个字符要留到下一次 recv，\
             就得有个东西在两次 recv 之间记住它：它该在循环里面创建，还是外面？Encoding 的哪个方法给你一个 \
             Decoder？ / Step 8.1: the notes' recv_data.decode(\"gbk\") starts afresh every time. To keep a \
             half character for the next recv, something must remember it between recvs: is it made inside \
             the loop or outside? Which method of Encoding gives you a Decoder?",
            "第 8.2 步：Decoder 的哪个方法把字节解码进一个 String？它只往 String 的空余容量里写，\
             max_utf8_buffer_length 告诉你要多大；它的 last 参数什么时候该是 true？ / Step 8.2: which \
             Decoder method decodes bytes into a String? It writes into spare capacity only, and \
             max_utf8_buffer_length says how much; when should its last argument be true?",
        ],
        checks: checks::SPLIT,
    },
    Exercise {
        number: 7,
        dir: "07_half_close",
        name: "half_close",
        title: "半关闭：告诉服务端“我发完了”，再收下回复 / the half-close: say \"that is all\", then get the reply",
        hints: &[
            "第 4 步：close（在 Rust 里是丢弃套接字）把两个方向都关了，之后还能 recv 吗？socket2 的哪个方法只关闭\
             一个方向，std::net::Shutdown 的哪个值是“发送”？ / Step 4: close (dropping the socket, in Rust) \
             ends both directions; could you recv after it? Which socket2 method ends one direction only, and \
             which std::net::Shutdown value is \"sending\"?",
            "第 5、6 步：回复可能分好几次到达，一次 recv 只拿到一部分。怎么知道服务端已经发完了？recv 返回\
             几个字节时该结束循环？ / Steps 5 and 6: the reply may arrive in several pieces, one recv taking \
             only part. How do you know the server has finished? For what byte count should the loop end?",
        ],
        checks: checks::HALF_CLOSE,
    },
    Exercise {
        number: 8,
        dir: "08_framing",
        name: "framing",
        title: "长度前缀分帧：read_frame 和 write_frame / length-prefix framing: read_frame and write_frame",
        hints: &[
            "第 7.1 步：一次 read 最多拿到你要的那么多字节，也可能更少，比如只有 1 个。std::io::Read 的哪个方法\
             一直读到缓冲区满为止？连接在读满之前就结束了，它报哪个 io::ErrorKind？4 个字节怎样按大端变成 u32？ \
             / Step 7.1: one read brings at most what you ask for, and maybe less, even 1 byte. Which \
             std::io::Read method reads until the buffer is full? Which io::ErrorKind does it give when the \
             stream ends first? How do 4 bytes become a big-endian u32?",
            "第 7.2 步：对方说内容有 4 GiB，你就分配 4 GiB 吗？检查长度应该在 vec![0; length] 之前还是之后？ \
             / Step 7.2: a peer says 4 GiB are coming; do you make room for 4 GiB? Does the check go before \
             vec![0; length], or after?",
            "第 8 步：长度前缀是内容的字节数还是字符数？to_be_bytes 和 to_le_bytes 哪个是网络字节序？\
             为什么要先拼好整帧再用一次 write_all 发出？ / Step 8: is the prefix the payload's bytes or its \
             characters? Which is network byte order, to_be_bytes or to_le_bytes? Why build the whole frame \
             and send it with one write_all?",
        ],
        checks: checks::FRAMING,
    },
    Exercise {
        number: 9,
        dir: "09_event_loop",
        name: "event_loop",
        title: "事件循环里的 WouldBlock / the event loop's WouldBlock",
        hints: &[
            "第 8 步：五个客户端在同一刻连上，边沿触发的 poll 通知几次？只 accept 一次，另外四个连接什么时候才会被接受？\
             accept 返回哪个 io::ErrorKind 时，才说明队列空了？ / Step 8: five clients connect in the same instant; how many \
             times does an edge-triggered poll report it? Accept once, and when are the other four accepted? Which \
             io::ErrorKind from accept says the queue is empty?",
            "第 9 步：64 KiB 的消息，一次 read 最多拿走 1024 字节。剩下的字节还在内核里，poll 会再通知你吗？\
             读到 0 字节和读到 WouldBlock 各是什么意思？ / Step 9: of a 64 KiB message one read takes at most 1024 \
             bytes. The rest waits in the kernel: will poll tell you again? What do 0 bytes and WouldBlock each mean?",
            "第 10 步：非阻塞的 write 返回 Ok(n) 时，n 一定等于 unsent.len() 吗？发出去的那部分怎样从 Vec 的开头去掉？\
             WouldBlock 时剩下的去哪儿了，谁在套接字可写时再发？ / Step 10: when a non-blocking write returns Ok(n), is \
             n always unsent.len()? How do you remove what went from the front of a Vec? On WouldBlock, where does \
             the rest stay, and who sends it when the socket is writable?",
        ],
        checks: checks::EVENT_LOOP,
    },
    Exercise {
        number: 10,
        dir: "10_tokio",
        name: "tokio",
        title: "tokio 服务端：每个客户端一个任务，Ctrl-C 时从容退出 / the tokio server: a task per client, a graceful Ctrl-C",
        hints: &[
            "第 8–10 步：AsyncReadExt 的 read 返回的是什么，要怎样才能拿到结果？read 返回 Ok(0) 是什么意思？\
             为什么回复用 write_all 而不是 write？ / Steps 8 to 10: what does AsyncReadExt's read return, and what \
             gets you its result? What does Ok(0) mean? Why write_all for the reply, not write?",
            "第 11、12 步：Ctrl-C 之后，谁去关闭每个客户端的连接，run 怎样告诉它们？watch 通道的 send 之后，还要等什么，\
             程序才能以退出码 0 结束？一个任务关闭了连接却不 break，会怎样？ / Steps 11 and 12: after Ctrl-C, who \
             closes each client's connection, and how does run tell them? After the watch channel's send, what must \
             run wait for before exiting with code 0? What if a task closes its connection but does not break?",
        ],
        checks: checks::TOKIO,
    },
    Exercise {
        number: 11,
        dir: "11_http",
        name: "http",
        title: "HTTP 与静态网页服务器 / HTTP and a static web server",
        hints: &[
            "第 7 步：一次 recv 一定拿到整个请求头吗？请求头在哪里结束，结尾之后同一次 recv 收到的字节属于谁，\
             下一轮要从哪里接着读？为什么上限要在每次 recv 之后就检查，而不是等到空行？ / Step 7: does one recv \
             always bring the whole head? Where does the head end, whose are the bytes the same recv brought after \
             it, and where does the next request start? Why check the limits after every recv, not at the empty line?",
            "第 9.1、9.2 步：%252e%252e 解码一次是什么，解码两次又是什么？该在解码之前还是之后检查 ..？\
             %2F 解码之后，这一段里多了什么字符？ / Steps 9.1 and 9.2: what is %252e%252e decoded once, and \
             twice? Do you check for .. before decoding or after? What does a segment hold once %2F is decoded?",
            "第 9 和 9.3 步：根目录里一个指向 ../secret.txt 的符号链接，名字里没有 ..，怎样才看得出它走出了根目录？\
             /sub 是目录时，浏览器怎样解析页面里的相对链接，所以为什么要 301 到 /sub/？ / Steps 9 and 9.3: a symlink \
             in the root to ../secret.txt has no .. in its name; what shows that it leads out of the root? When /sub \
             is a directory, how would a browser resolve the page's relative links, so why a 301 to /sub/?",
        ],
        checks: checks::HTTP,
    },
];

impl Exercise {
    /// The lesson (crate `lessonN`, page `lessons/*/lessonN.md`) it practises, as
    /// `course::lessons` says: the lesson that lists this exercise's directory.
    pub fn lesson(&self) -> u8 {
        course::lessons::LESSONS
            .iter()
            .find(|lesson| lesson.exercises.contains(&self.dir))
            .map_or(0, |lesson| lesson.number)
    }
}

/// The exercise a student named: its number (`1`, `01`) or its name (`client`, `01_client`).
pub fn find(name: &str) -> Option<&'static Exercise> {
    let name = name.trim();
    EXERCISES.iter().find(|exercise| {
        name.parse::<u8>().ok() == Some(exercise.number)
            || name.eq_ignore_ascii_case(exercise.name)
            || name.eq_ignore_ascii_case(exercise.dir)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exercises here are those `course::lessons` lists, in order, each practising a lesson.
    #[test]
    fn the_catalog_is_the_registrys() {
        let dirs: Vec<&str> = EXERCISES.iter().map(|exercise| exercise.dir).collect();
        assert_eq!(dirs, course::lessons::exercises());
        for (index, exercise) in EXERCISES.iter().enumerate() {
            assert_eq!(usize::from(exercise.number), index + 1, "{}", exercise.dir);
            assert_ne!(exercise.lesson(), 0, "{} practises no lesson", exercise.dir);
        }
    }
}
