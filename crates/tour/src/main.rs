//! # 课程之旅 / The tour
//!
//! `cargo run -p tour` runs the whole course on this machine, one lesson after another: each
//! lesson's server and client on 127.0.0.1, every server on a port the operating system picks
//! (`--port 0`, its address read from the line it prints first), and every line any program
//! prints labelled with who printed it, such as `[lesson2 server] …` or `[lesson1 client] …`.
//! Between lessons it waits for Enter when stdin is a terminal, and runs straight through when
//! it is not, so tests and CI can run it too. `--lesson N` shows lesson N alone: the programs
//! it needs (lesson 1's client for a server) run in its scene, and no other lesson's scene.
//! Every line is cut to fit a terminal ([`columns::fit`]), running on under its label.
//!
//! Each lesson's binary comes from `child::workspace_binary`, which builds it first, so the tour never
//! shows a stale program. Every lesson is built before the first program runs (the line
//! [`BUILT`] says when), so compile time never counts against a program's bounded wait. A
//! lesson that is not in the workspace yet, or does not build, is skipped with a line saying so.
//!
//! Left out on purpose: the tour checks nothing (the tests in `tests/` prove each lesson; the
//! tour only shows them), and it makes no socket call of its own except asking the OS for a free
//! port for lesson 5, whose experiments bind a fixed one.

use std::collections::HashMap;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use clap::Parser;
use wait_timeout::ChildExt;

/// 课程之旅：在本机依次运行每一课的服务端和客户端，每行输出都标明是哪个程序打印的；
/// 在终端里运行时，每课之间按回车继续，否则一口气跑完。
///
/// The course tour: runs each lesson's server and client in turn on this machine, every line
/// labelled with the program that printed it; in a terminal it waits for Enter between lessons,
/// otherwise it runs straight through.
#[derive(Parser)]
#[command(name = "tour", help_template = HELP, disable_help_flag = true)]
struct Args {
    /// 显示帮助 / print help
    #[arg(short, long, action = clap::ArgAction::Help)]
    help: Option<bool>,

    /// 只运行这几课，可以重复（如 --lesson 2 --lesson 4）；不写则全部运行 / run only these lessons, repeatable (e.g. --lesson 2 --lesson 4); all when omitted
    #[arg(long = "lesson", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=i64::from(course::lessons::last())))]
    lessons: Vec<u8>,
}

/// `--help`'s layout, with its headings in both languages (clap's own are English only).
const HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

选项 Options:
{options}
";

/// The line printed once every lesson the tour shows is built, before the first one runs.
const BUILT: &str = "[tour] 构建完成，开始运行 / built, now running";

/// How long one program may take before the tour gives up on it. Generous: a passing run
/// takes well under a second per program once built.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A server that runs forever is stopped once it has printed nothing for this long.
const QUIET: Duration = Duration::from_millis(500);

/// One stop of the tour: the lessons it shows, its title, the packages it runs, and how.
struct Scene {
    lessons: &'static [u8],
    title: &'static str,
    packages: &'static [&'static str],
    run: fn(&mut Tour) -> Result<(), String>,
}

/// Every lesson of `course::lessons` is in exactly one scene (a unit test checks).
const SCENES: &[Scene] = &[
    Scene {
        lessons: &[1, 2],
        title: "第 1、2 课：客户端和单次服务端 / Lessons 1 and 2: a client and a single-shot server",
        packages: &["lesson1", "lesson2"],
        run: lessons_1_and_2,
    },
    Scene {
        lessons: &[3],
        title: "第 3 课：TIME_WAIT 占住端口，SO_REUSEADDR 照样绑定 / Lesson 3: TIME_WAIT holds the port, SO_REUSEADDR binds anyway",
        // Lesson 2's refused restart is shown too when lesson 2 is (its scene builds it).
        packages: &["lesson1", "lesson3"],
        run: lesson_3,
    },
    Scene {
        lessons: &[4],
        title: "第 4 课：多线程服务端，两个客户端同时聊天 / Lesson 4: a threaded server, two clients at once",
        packages: &["lesson1", "lesson4"],
        run: lesson_4,
    },
    Scene {
        lessons: &[5],
        title: "第 5 课：关闭的语义，每条规则一个实验 / Lesson 5: what closing means, one experiment per rule",
        packages: &["lesson5"],
        run: lesson_5,
    },
    Scene {
        lessons: &[6],
        title: "第 6 课：TCP 没有消息边界：五个实验，然后分帧 / Lesson 6: no message boundaries: five experiments, then framing",
        packages: &["lesson6"],
        run: lesson_6,
    },
    Scene {
        lessons: &[7],
        title: "第 7 课：一个线程、一个事件循环，看得见 WouldBlock / Lesson 7: one thread, an event loop, WouldBlock in sight",
        packages: &["lesson1", "lesson7"],
        run: lesson_7,
    },
    Scene {
        lessons: &[8],
        title: "第 8 课：tokio，每个客户端一个任务，Ctrl-C 从容退出 / Lesson 8: tokio, a task per client, a graceful Ctrl-C",
        packages: &["lesson1", "lesson8"],
        run: lesson_8,
    },
    Scene {
        lessons: &[9],
        title: "第 9 课：HTTP 与静态网页服务器 / Lesson 9: HTTP and a static web server",
        packages: &["lesson1", "lesson9"],
        run: lesson_9,
    },
];

fn main() -> ExitCode {
    let args = Args::parse();
    let mut tour = Tour::new(args.lessons.clone());
    let chosen: Vec<&Scene> = SCENES
        .iter()
        .filter(|scene| scene.lessons.iter().any(|n| tour.shows(*n)))
        .collect();
    say("[tour] 课程之旅：每一课的程序在本机 127.0.0.1 上运行，每行前面标出是谁打印的");
    say(
        "[tour] the course tour: each lesson's programs run on 127.0.0.1, each line labelled with who printed it",
    );
    // Everything is built before the first program starts, so that no compile time falls
    // inside a program's run (whose waits are bounded), and the tests can start their clock at
    // the line below.
    for scene in &chosen {
        for package in scene.packages {
            tour.binary(package);
        }
    }
    say(BUILT);
    let mut failed = false;
    for (index, scene) in chosen.iter().enumerate() {
        if index > 0 {
            tour.pause();
        }
        say("");
        // Chinese and English on lines of their own: together they would not fit a terminal.
        let (zh, en) = scene.title.split_once(" / ").unwrap_or((scene.title, ""));
        say(&format!("[tour] ==== {zh}"));
        say(&format!("[tour] ==== {en}"));
        if let Err(why) = (scene.run)(&mut tour) {
            say("[tour] 这一课没能演示完");
            say(&format!("[tour] this lesson could not be shown: {why}"));
            failed = true;
        }
    }
    say("");
    say(&tour.summary());
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

// ---------------------------------------------------------------------------------------------
// The scenes
// ---------------------------------------------------------------------------------------------

/// Lesson 2's server answers one message from lesson 1's client, then both close.
fn lessons_1_and_2(tour: &mut Tour) -> Result<(), String> {
    let (Some(client), Some(server)) = (tour.binary("lesson1"), tour.binary("lesson2")) else {
        return Ok(());
    };
    tour.last_port = Some(exchange(&client, &server, "lesson2", 0)?);
    Ok(())
}

/// Lesson 2 restarted on the port it just used fails while the old connection waits in
/// TIME_WAIT (shown when lesson 2 is); lesson 3, which sets SO_REUSEADDR, restarts on its own
/// port at once. (On Linux the socket left in TIME_WAIT must have set SO_REUSEADDR too, so
/// lesson 3 is restarted after lesson 3, not after lesson 2.)
fn lesson_3(tour: &mut Tour) -> Result<(), String> {
    let Some(lesson3) = tour.binary("lesson3") else {
        return Ok(());
    };
    let Some(client) = tour.binary("lesson1") else {
        return Ok(());
    };
    if tour.shows(2)
        && let Some(lesson2) = tour.binary("lesson2")
    {
        let port = match tour.last_port {
            Some(port) => port,
            None => {
                say(
                    "[tour] 先让第 2 课和客户端完成一次交换 / first, one exchange between lesson 2 and the client",
                );
                exchange(&client, &lesson2, "lesson2", 0)?
            }
        };
        say(&format!(
            "[tour] 立刻在刚才的端口 {port} 上重启第 2 课（没有 SO_REUSEADDR）/ restart lesson 2 at once on the port it just used, {port} (no SO_REUSEADDR)"
        ));
        let mut again = Program::start("lesson2 server", &lesson2, "lesson2", &port_args(port))?;
        match again.address_or_exit()? {
            Some(_) => {
                say(
                    "[tour] 这次第 2 课绑定成功了：旧连接已经不在 TIME_WAIT 里 / lesson 2 bound this time: the old connection is no longer in TIME_WAIT",
                );
                again.stop()?;
            }
            None => again.wait()?,
        }
    }
    say(
        "[tour] 第 3 课设置了 SO_REUSEADDR：先完成一次交换 / lesson 3 sets SO_REUSEADDR: first, one exchange",
    );
    let port = exchange(&client, &lesson3, "lesson3", 0)?;
    say(&format!(
        "[tour] 立刻在同一个端口 {port} 上重启第 3 课 / restart lesson 3 at once on the same port {port}"
    ));
    exchange(&client, &lesson3, "lesson3", port)?;
    Ok(())
}

/// Two clients talk to lesson 4's server at the same time, each sending two messages.
fn lesson_4(tour: &mut Tour) -> Result<(), String> {
    let (Some(server), Some(client)) = (tour.binary("lesson4"), tour.binary("lesson1")) else {
        return Ok(());
    };
    let mut server = Program::start("lesson4 server", &server, "lesson4", &port_args(0))?;
    let port = server.address()?.port().to_string();
    let mut first = Program::start(
        "lesson1 client A",
        &client,
        "lesson1",
        &["--port", &port, "我是小黑", "第二条消息"],
    )?;
    let mut second = Program::start(
        "lesson1 client B",
        &client,
        "lesson1",
        &["--port", &port, "我是小白", "再见"],
    )?;
    first.wait()?;
    second.wait()?;
    server.stop()
}

/// Lesson 5 runs every experiment and prints its summary table.
fn lesson_5(tour: &mut Tour) -> Result<(), String> {
    let Some(lesson5) = tour.binary("lesson5") else {
        return Ok(());
    };
    let port = free_port()?.to_string();
    Program::start("lesson5", &lesson5, "lesson5", &["--port", &port])?.wait()
}

/// Lesson 6 runs its five experiments, then its framed client sends three messages in one
/// write to its framed server, which prints each whole and answers each.
fn lesson_6(tour: &mut Tour) -> Result<(), String> {
    let Some(lesson6) = tour.binary("lesson6") else {
        return Ok(());
    };
    Program::start("lesson6", &lesson6, "lesson6", &[] as &[&str])?.wait()?;
    let server_args = ["server", "--port", "0"];
    let mut server = Program::start("lesson6 server", &lesson6, "lesson6", &server_args)?;
    let port = server.address()?.port().to_string();
    let client_args = ["client", "--port", &port, "你好", "粘在一起的", "三条消息"];
    Program::start("lesson6 client", &lesson6, "lesson6", &client_args)?.wait()?;
    server.stop()
}

/// Two clients talk to lesson 7's one-thread server, which shows each `WouldBlock`.
fn lesson_7(tour: &mut Tour) -> Result<(), String> {
    let (Some(server), Some(client)) = (tour.binary("lesson7"), tour.binary("lesson1")) else {
        return Ok(());
    };
    let server_args = ["--port", "0", "--show-would-block"];
    let mut server = Program::start("lesson7 server", &server, "lesson7", &server_args)?;
    let port = server.address()?.port().to_string();
    let mut first = Program::start(
        "lesson1 client A",
        &client,
        "lesson1",
        &["--port", &port, "一个线程", "很多客户端"],
    )?;
    let mut second = Program::start(
        "lesson1 client B",
        &client,
        "lesson1",
        &["--port", &port, "我也在"],
    )?;
    first.wait()?;
    second.wait()?;
    server.stop()
}

/// A client stays connected to lesson 8's server; Ctrl-C (SIGINT) makes the server close it
/// cleanly and exit with 0. The server half-closes (a FIN) and waits for the client's own
/// close; lesson 1's `--stdin` client, waiting for a line, would see the FIN only when it next
/// sends, so once the server says its FIN is out the tour ends the client's stdin (Ctrl-D) and
/// the client closes: a clean close, not the server's grace running out.
fn lesson_8(tour: &mut Tour) -> Result<(), String> {
    let (Some(server), Some(client)) = (tour.binary("lesson8"), tour.binary("lesson1")) else {
        return Ok(());
    };
    let mut server = Program::start("lesson8 server", &server, "lesson8", &port_args(0))?;
    let port = server.address()?.port().to_string();
    let mut client = Program::start(
        "lesson1 client",
        &client,
        "lesson1",
        &["--port", &port, "--stdin"],
    )?;
    client.type_line("还在吗？")?;
    client.wait_for_line("reply")?;
    server.interrupt()?;
    server.wait_for_line("FIN sent to")?;
    client.close_stdin();
    server.wait()?;
    client.wait()
}

/// Lesson 1's client speaks HTTP to lesson 9's server: a request is only bytes, so the client
/// that sent "你好" in lesson 1 sends two requests on one connection. The first, HEAD, is
/// answered and the connection stays open (keep-alive); the second asks for a missing page
/// with `Connection: close` and gets 404, and the server closes. The server logs a line per
/// request; Ctrl-C then stops it, gracefully, with exit code 0.
fn lesson_9(tour: &mut Tour) -> Result<(), String> {
    let (Some(server), Some(client)) = (tour.binary("lesson9"), tour.binary("lesson1")) else {
        return Ok(());
    };
    let mut server = Program::start("lesson9 server", &server, "lesson9", &port_args(0))?;
    let port = server.address()?.port().to_string();
    let first = "HEAD / HTTP/1.1\r\nHost: tour\r\n\r\n";
    let second = "GET /missing HTTP/1.1\r\nHost: tour\r\nConnection: close\r\n\r\n";
    let client_args = ["--port", &port, "--encoding", "utf-8", first, second];
    let mut client = Program::start("lesson1 client", &client, "lesson1", &client_args)?;
    client.wait()?;
    server.wait_for_line("404")?;
    server.interrupt()?;
    server.wait()
}

/// Starts `server_package` on `port` (0: the OS picks), has lesson 1's client type one line
/// to it (`--stdin`), and returns the port used once both have exited.
///
/// The client keeps its stdin open until the single-shot server has exited, as a student
/// would before pressing Ctrl-D, so the server always closes first and the TIME_WAIT lands on
/// the server's port. Closing right after the reply (lesson 1's default) races with the
/// server's close, and when the client wins, the TIME_WAIT is on the client's side instead.
fn exchange(client: &Path, server: &Path, server_package: &str, port: u16) -> Result<u16, String> {
    let label = format!("{server_package} server");
    let mut server = Program::start(&label, server, server_package, &port_args(port))?;
    let port = server.address()?.port();
    let mut client = Program::start(
        "lesson1 client",
        client,
        "lesson1",
        &["--port", &port.to_string(), "--stdin"],
    )?;
    client.type_line("你好，服务端！我是课程之旅。")?;
    server.wait()?;
    say(
        "[tour] 服务端先关闭了连接；现在客户端按 Ctrl-D，关闭它那一端 / the server closed first; now the client gets Ctrl-D and closes its end",
    );
    client.close_stdin();
    client.wait()?;
    Ok(port)
}

/// `arg` as a student would type it in bash: as it is when it is one plain word, in single
/// quotes when it holds a space, and as `$'…'` with `\r` and `\n` when it holds a line end.
fn shell_word(arg: &str) -> String {
    if arg.contains(['\r', '\n']) {
        let escaped = arg.replace('\\', "\\\\").replace('\'', "\\'");
        format!("$'{}'", escaped.replace('\r', "\\r").replace('\n', "\\n"))
    } else if arg.contains(' ') {
        format!("'{arg}'")
    } else {
        arg.to_owned()
    }
}

fn port_args(port: u16) -> [String; 2] {
    ["--port".to_owned(), port.to_string()]
}

/// A port that was free a moment ago, for lesson 5's fixed-port experiment.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("no free port on 127.0.0.1: {error}"))
}

// ---------------------------------------------------------------------------------------------
// The tour's state: which lessons exist and are built, whether to pause
// ---------------------------------------------------------------------------------------------

struct Tour {
    root: PathBuf,
    interactive: bool,
    /// The lessons asked for with `--lesson`; none: all of them.
    chosen: Vec<u8>,
    binaries: HashMap<&'static str, Option<PathBuf>>,
    /// The port lesson 2 last served on, which lesson 3's scene tries to reuse.
    last_port: Option<u16>,
}

impl Tour {
    fn new(chosen: Vec<u8>) -> Self {
        Tour {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
            interactive: io::stdin().is_terminal(),
            chosen,
            binaries: HashMap::new(),
            last_port: None,
        }
    }

    /// Whether lesson `n` is shown: asked for, or no lesson was asked for.
    fn shows(&self, n: u8) -> bool {
        self.chosen.is_empty() || self.chosen.contains(&n)
    }

    /// The fresh binary of `package`, or `None` (said once) when it is not there or does not build.
    fn binary(&mut self, package: &'static str) -> Option<PathBuf> {
        if let Some(known) = self.binaries.get(package) {
            return known.clone();
        }
        let manifest = self.root.join("crates").join(package).join("Cargo.toml");
        let binary = if !manifest.exists() {
            say(&format!(
                "[tour] {package} 还没有加入课程，跳过 / {package} is not available yet (no crates/{package}): skipped"
            ));
            None
        } else {
            say(&format!("[tour] 构建 building {package} …"));
            match build_quietly(package) {
                Ok(path) => Some(path),
                Err(why) => {
                    say(&format!(
                        "[tour] {package} 还不能构建，跳过 / {package} is not available yet (it does not build): skipped"
                    ));
                    for line in why.lines().take(8) {
                        say(&format!("[tour]   {line}"));
                    }
                    None
                }
            }
        };
        self.binaries.insert(package, binary.clone());
        binary
    }

    /// In a terminal, waits for Enter; otherwise goes straight on.
    fn pause(&self) {
        if !self.interactive {
            return;
        }
        say("");
        say("[tour] 按回车继续下一课 / press Enter for the next lesson");
        let mut line = String::new();
        // End of input or an unreadable terminal only means: go on.
        let _ = io::stdin().lock().read_line(&mut line);
    }

    fn summary(&self) -> String {
        let mut shown: Vec<&str> = Vec::new();
        let mut skipped: Vec<&str> = Vec::new();
        let mut names: Vec<(&&str, &Option<PathBuf>)> = self.binaries.iter().collect();
        names.sort();
        for (name, binary) in names {
            match binary {
                Some(_) => shown.push(name),
                None => skipped.push(name),
            }
        }
        format!(
            "[tour] 结束 done: 运行了 ran {}; 跳过 skipped {}",
            list(&shown),
            list(&skipped)
        )
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(", ")
    }
}

/// The lesson's binary, built first (`child::workspace_binary`), or why the build failed.
fn build_quietly(package: &str) -> Result<PathBuf, String> {
    child::workspace_binary(package)
}

// ---------------------------------------------------------------------------------------------
// A lesson program running, its output labelled
// ---------------------------------------------------------------------------------------------

/// A lesson program started by the tour; killed if the tour drops it while it still runs.
struct Program {
    label: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    readers: Vec<JoinHandle<()>>,
}

impl Program {
    /// Starts `binary` with `args`, showing the command a student would type.
    fn start(
        label: &str,
        binary: &Path,
        package: &str,
        args: &[impl AsRef<str>],
    ) -> Result<Self, String> {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let typed: Vec<String> = args.iter().map(|arg| shell_word(arg)).collect();
        say(&format!(
            "[tour] $ cargo run -p {package} -- {}",
            typed.join(" ")
        ));
        let mut child = Command::new(binary)
            .args(&args)
            // Piped, so the tour can type for a client started with `--stdin`; the other
            // programs never read it.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("could not start {}: {error}", binary.display()))?;
        let (sender, lines) = mpsc::channel();
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(forward(label, stdout, Some(sender)));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(forward(label, stderr, None));
        }
        let stdin = child.stdin.take();
        Ok(Program {
            label: label.to_owned(),
            child,
            stdin,
            lines,
            readers,
        })
    }

    /// Types `line` and Enter into the program's stdin, showing it as typed.
    fn type_line(&mut self, line: &str) -> Result<(), String> {
        say(&format!("[tour] {} ⌨ {line}", self.label));
        let stdin = self.stdin.as_mut().ok_or("stdin is already closed")?;
        writeln!(stdin, "{line}")
            .map_err(|error| format!("could not type into {}: {error}", self.label))
    }

    /// Closes the program's stdin, as Ctrl-D does in a terminal.
    fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits for the "listening on ADDR" line and parses ADDR.
    fn address(&mut self) -> Result<SocketAddr, String> {
        self.address_or_exit()?
            .ok_or_else(|| format!("{} exited without listening", self.label))
    }

    /// The address the server reports, or `None` when it exits first (a failed bind).
    fn address_or_exit(&mut self) -> Result<Option<SocketAddr>, String> {
        loop {
            match self.lines.recv_timeout(TIMEOUT) {
                Ok(line) if line.contains("listening on") => {
                    let word = line.split_whitespace().last().unwrap_or_default();
                    return word
                        .parse()
                        .map(Some)
                        .map_err(|_| format!("no address at the end of {line:?}"));
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "{} did not say where it listens within {TIMEOUT:?}",
                        self.label
                    ));
                }
            }
        }
    }

    /// Waits until the program prints a line containing `needle`.
    fn wait_for_line(&mut self, needle: &str) -> Result<(), String> {
        loop {
            match self.lines.recv_timeout(TIMEOUT) {
                Ok(line) if line.contains(needle) => return Ok(()),
                Ok(_) => {}
                Err(_) => {
                    return Err(format!("{} printed no {needle:?} line", self.label));
                }
            }
        }
    }

    /// Presses Ctrl-C for the program: SIGINT, where there are signals.
    fn interrupt(&mut self) -> Result<(), String> {
        say(&format!("[tour] {} ⌨ Ctrl-C", self.label));
        interrupt(&self.child)
            .map_err(|error| format!("could not interrupt {}: {error}", self.label))
    }

    /// Waits for the program to exit and for all its output, and says how it exited.
    fn wait(&mut self) -> Result<(), String> {
        let status = match self.child.wait_timeout(TIMEOUT) {
            Ok(Some(status)) => status,
            Ok(None) => return Err(format!("{} did not exit within {TIMEOUT:?}", self.label)),
            Err(error) => return Err(format!("could not wait for {}: {error}", self.label)),
        };
        self.join_readers();
        let code = status
            .code()
            .map_or_else(|| status.to_string(), |code| code.to_string());
        say(&format!(
            "[tour] {} 已退出，退出码 {code} / exited with code {code}",
            self.label
        ));
        Ok(())
    }

    /// Stops a server that runs forever, once it has been quiet for a moment.
    fn stop(&mut self) -> Result<(), String> {
        while self.lines.recv_timeout(QUIET).is_ok() {}
        // It may have exited by itself already; then there is nothing to kill.
        let _ = self.child.kill();
        self.child
            .wait()
            .map_err(|error| format!("could not wait for {}: {error}", self.label))?;
        self.join_readers();
        say(&format!("[tour] 停止了 stopped {}", self.label));
        Ok(())
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            // A reader ends at end of output, which follows the exit; it does not panic.
            let _ = reader.join();
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // A program still running when its scene failed must not outlive the tour.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `child` SIGINT, as Ctrl-C in its terminal would. Windows has no SIGINT to send one
/// process: the error says so, and the tour ends the server instead.
fn interrupt(child: &Child) -> io::Result<()> {
    ::child::signal(child.id(), ::child::Signal::Interrupt)
}

/// Prints each line of `stream` labelled, and hands it to `lines` if given.
fn forward(
    label: &str,
    stream: impl Read + Send + 'static,
    lines: Option<Sender<String>>,
) -> JoinHandle<()> {
    let label = label.to_owned();
    let each = move |line: String| {
        say(&format!("[{label}] {line}"));
        if let Some(sender) = &lines {
            // The tour may have stopped listening for lines; printing goes on regardless.
            let _ = sender.send(line);
        }
        true
    };
    child::pipes::read_lines(stream, each, || {})
}

/// One line on stdout, cut to fit a terminal: a labelled line (`[lesson2 server]   text`) runs
/// on under its text. A closed stdout (`tour | head`) must not end the tour with a panic.
fn say(line: &str) {
    let mut out = io::stdout().lock();
    for line in columns::fit(line, "", &" ".repeat(hang(line))) {
        let _ = writeln!(out, "{line}");
    }
}

/// Where the text of a labelled line starts: after `[label] ` and the spaces that follow it.
fn hang(line: &str) -> usize {
    let label = match line.split_once("] ") {
        Some((label, _)) if line.starts_with('[') => label.len() + 2,
        _ => 0,
    };
    let indent = line[label..].len() - line[label..].trim_start().len();
    columns::width(&line[..label]) + indent
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lesson has its scene, one only, and every scene shows lessons that exist.
    #[test]
    fn every_lesson_is_in_one_scene() {
        for lesson in course::lessons::LESSONS {
            let scenes = SCENES
                .iter()
                .filter(|scene| scene.lessons.contains(&lesson.number))
                .count();
            assert_eq!(scenes, 1, "lesson {} is in {scenes} scenes", lesson.number);
        }
        for scene in SCENES {
            assert!(
                scene
                    .lessons
                    .iter()
                    .all(|&n| course::lessons::lesson(n).is_some()),
                "{}",
                scene.title
            );
        }
    }
}
