//! Driving C clients without a thread each: every client is a tokio task, and a few runtime
//! threads run them all, so ten thousand connections cost the load generator ten thousand
//! sockets and small tasks, not ten thousand stacks. The load generator must never be what
//! limits a measurement.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::{MESSAGE, REPLY};

/// How the clients of one measurement behave around their round trips.
#[derive(Clone, Copy)]
pub struct Style {
    /// Each connection does one untimed round trip before the clock starts, proving the server
    /// has accepted it (so the listen queue never overflows, and connecting is not measured).
    pub warm_up: bool,
    /// Each client stays connected until every client is done, so that the server can be
    /// looked at with all of them connected. A server that serves a fixed number of clients at
    /// a time (a thread pool) needs clients that leave when done instead, or it never ends.
    pub hold: bool,
}

/// What one measurement saw.
pub struct Outcome {
    pub elapsed: Duration,
    /// Every round trip's latency, unsorted.
    pub latencies: Vec<Duration>,
    pub errors: usize,
    /// What `look` returned while every client was connected (or, without `hold`, at the end).
    pub looked: Option<crate::ServerView>,
    /// What `look` returned just before the clock started.
    pub looked_before: Option<crate::ServerView>,
}

/// How long one round trip may take before the client gives up: a hung server fails the
/// measurement instead of hanging it.
pub(crate) const ROUND_TRIP_LIMIT: Duration = Duration::from_secs(30);

/// How many connections are opened (and warmed up) at a time: fewer than the listen queue
/// holds (128), since a full queue drops handshakes that are then retried only a second later.
pub(crate) const BATCH: usize = 100;

/// Opens `clients` connections, then lets every client do `round_trips` round trips at once,
/// and calls `look` before the clock starts and once every client has finished (while they are
/// still connected, with `style.hold`).
pub fn measure(
    address: SocketAddr,
    clients: usize,
    round_trips: usize,
    style: Style,
    look: impl Fn() -> Option<crate::ServerView>,
) -> io::Result<Outcome> {
    runtime()?.block_on(run(address, clients, round_trips, style, look))
}

/// The clients' runtime: a thread per core this process may use. `designs` and `bench-http`
/// keep it off the servers' cores, and available_parallelism counts only the cores it is
/// pinned to.
pub(crate) fn runtime() -> io::Result<tokio::runtime::Runtime> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
}

async fn run(
    address: SocketAddr,
    clients: usize,
    round_trips: usize,
    style: Style,
    look: impl Fn() -> Option<crate::ServerView>,
) -> io::Result<Outcome> {
    let streams = connect_all(address, clients, style.warm_up).await?;
    // Everyone starts together; with `hold`, everyone also waits at the end, still connected.
    let start = Arc::new(Barrier::new(clients + 1));
    let end = Arc::new(Barrier::new(if style.hold { clients + 1 } else { 1 }));
    let mut tasks = Vec::with_capacity(clients);
    for mut stream in streams {
        let (start, end) = (Arc::clone(&start), Arc::clone(&end));
        let hold = style.hold;
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let done = client(&mut stream, round_trips).await;
            end.wait().await;
            // A client that does not hold its connection closes it now, so that a server with a
            // fixed number of workers can take the next one.
            (done, hold.then_some(stream))
        }));
    }
    // Outside the timed part: with ten thousand threads to read, looking takes a while.
    let looked_before = look();
    start.wait().await;
    let began = Instant::now();
    let mut elapsed = None;
    let mut looked = None;
    if style.hold {
        end.wait().await;
        elapsed = Some(began.elapsed());
        looked = look();
    }
    let mut latencies = Vec::with_capacity(clients * round_trips);
    let mut errors = 0;
    let mut streams = Vec::with_capacity(clients);
    for task in tasks {
        match task.await {
            Ok(((done, error), stream)) => {
                latencies.extend(done);
                errors += usize::from(error.is_some());
                streams.push(stream);
            }
            Err(_) => errors += 1,
        }
    }
    let elapsed = elapsed.unwrap_or_else(|| began.elapsed());
    if !style.hold {
        looked = look();
    }
    drop(streams);
    Ok(Outcome {
        elapsed,
        latencies,
        errors,
        looked,
        looked_before,
    })
}

/// Connects `clients` times, in batches, each connection warmed up with one round trip when
/// asked, the connections of a batch at once.
async fn connect_all(
    address: SocketAddr,
    clients: usize,
    warm_up: bool,
) -> io::Result<Vec<TcpStream>> {
    let mut streams = Vec::with_capacity(clients);
    while streams.len() < clients {
        let batch = (clients - streams.len()).min(BATCH);
        let mut pending = Vec::with_capacity(batch);
        for _ in 0..batch {
            pending.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(address).await?;
                stream.set_nodelay(true)?;
                if warm_up && let (_, Some(error)) = client(&mut stream, 1).await {
                    return Err(error);
                }
                Ok::<_, io::Error>(stream)
            }));
        }
        for connecting in pending {
            streams.push(connecting.await.map_err(io::Error::other)??);
        }
    }
    Ok(streams)
}

/// One client: `round_trips` times, send the message and read the whole reply. Returns each
/// round trip's latency, and the error that stopped it early, if any.
async fn client(stream: &mut TcpStream, round_trips: usize) -> (Vec<Duration>, Option<io::Error>) {
    let mut latencies = Vec::with_capacity(round_trips);
    let mut reply = [0u8; REPLY.len()];
    for _ in 0..round_trips {
        let sent = Instant::now();
        let exchange = async {
            stream.write_all(MESSAGE).await?;
            stream.read_exact(&mut reply).await
        };
        match tokio::time::timeout(ROUND_TRIP_LIMIT, exchange).await {
            Ok(Ok(_)) if reply == REPLY => latencies.push(sent.elapsed()),
            Ok(Ok(_)) => return (latencies, Some(io::Error::other("unexpected reply"))),
            Ok(Err(error)) => return (latencies, Some(error)),
            Err(_) => {
                let error = io::Error::new(io::ErrorKind::TimedOut, "no reply within 30 s");
                return (latencies, Some(error));
            }
        }
    }
    (latencies, None)
}
