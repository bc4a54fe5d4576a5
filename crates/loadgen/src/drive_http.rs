//! `loadgen http`'s clients: C tokio tasks, as in `drive`, each doing R GET requests one at a
//! time, on one kept-alive connection or on a new connection per request (`Connection:
//! close`). A client whose server closes after a response (HTTP/1.0, as Python's http.server
//! speaks it) connects again for the next request, as a browser would.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::drive::{self, BATCH};
use crate::http::{self, Failure, Reader};
use crate::measure::Measurement;

/// What one measurement asks for.
pub(crate) struct Plan<'a> {
    pub(crate) address: SocketAddr,
    pub(crate) path: &'a str,
    pub(crate) clients: usize,
    /// Requests per client.
    pub(crate) requests: usize,
    /// A new connection per request, each asking `Connection: close`.
    pub(crate) close: bool,
    /// How long one request may take before its client gives up: a hung server fails the
    /// client instead of hanging the measurement.
    pub(crate) limit: Duration,
    /// When set, a client starts no new request this long after the clock started: a slow
    /// server costs a benchmark seconds, not minutes.
    pub(crate) deadline: Option<Duration>,
}

/// One measurement: the times as lesson 4's are kept (a request is a round trip), and what is
/// HTTP's own: the body bytes, the connections opened, the first failure.
pub(crate) struct HttpMeasurement {
    pub(crate) times: Measurement,
    pub(crate) close: bool,
    pub(crate) body_bytes: u64,
    /// Connections opened, the untimed warm-up's included.
    pub(crate) connections: usize,
    /// The first failure a client met, with the request it met it on.
    pub(crate) first_failure: Option<String>,
}

impl HttpMeasurement {
    /// Megabytes (10⁶ bytes) of body a second.
    pub(crate) fn megabytes_per_second(&self) -> f64 {
        self.body_bytes as f64 / 1e6 / self.times.elapsed.as_secs_f64()
    }

    /// Kept-alive clients whose server closed the connection anyway and had to reconnect.
    pub(crate) fn server_closed(&self) -> bool {
        !self.close && self.connections > self.times.clients
    }

    /// The style as a word of the table.
    pub(crate) fn style(&self) -> &'static str {
        match (self.close, self.server_closed()) {
            (true, _) => "close",
            (false, false) => "keep-alive",
            (false, true) => "keep-alive*",
        }
    }
}

impl fmt::Display for HttpMeasurement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.times;
        let style = if self.close {
            "每个请求一个新连接 a connection per request"
        } else {
            "保持连接 keep-alive"
        };
        write!(
            f,
            "客户端 clients {} × 请求 requests {}, {style}\n  \
             {:.0} 每秒请求 requests/s, 正文 body {:.1} MB/s, p50 {} µs, p99 {} µs\n  \
             连接 connections {}, 错误 errors {}",
            m.clients,
            m.round_trips,
            m.rate(),
            self.megabytes_per_second(),
            m.percentile(0.50).as_micros(),
            m.percentile(0.99).as_micros(),
            self.connections,
            m.errors
        )
    }
}

/// Runs one measurement. A client's failure (a 404, a server that closed mid-body, one too
/// slow) stops that client, and is counted; it is an error only when the runtime cannot start.
pub(crate) fn measure(plan: &Plan) -> io::Result<HttpMeasurement> {
    drive::runtime()?.block_on(run(plan))
}

async fn run(plan: &Plan<'_>) -> io::Result<HttpMeasurement> {
    let request: Arc<[u8]> = http::request(plan.path, plan.address, plan.close).into();
    let clients = if plan.close {
        (0..plan.clients)
            .map(|_| Client::new(plan, &request))
            .collect()
    } else {
        connect_all(plan, &request).await?
    };
    // Everyone starts together, as in `drive`.
    let start = Arc::new(Barrier::new(plan.clients + 1));
    let mut tasks = Vec::with_capacity(plan.clients);
    for mut client in clients {
        let (start, requests, deadline) = (Arc::clone(&start), plan.requests, plan.deadline);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let stop_at = deadline.map(|after| Instant::now() + after);
            client.run(requests, stop_at).await;
            client
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut done = Vec::with_capacity(plan.clients);
    for task in tasks {
        done.push(task.await.map_err(io::Error::other)?);
    }
    let elapsed = began.elapsed();
    Ok(gather(plan, done, elapsed))
}

/// Every client's latencies, bytes, connections and failures, as one measurement.
fn gather(plan: &Plan, done: Vec<Client>, elapsed: Duration) -> HttpMeasurement {
    let mut latencies = Vec::with_capacity(plan.clients * plan.requests);
    let (mut body_bytes, mut connections, mut errors) = (0, 0, 0);
    let mut first_failure = None;
    for client in done {
        latencies.extend(client.latencies);
        body_bytes += client.body_bytes;
        connections += client.opened;
        if let Some(failure) = client.failure {
            errors += 1;
            first_failure.get_or_insert_with(|| format!("GET {}: {failure}", plan.path));
        }
    }
    latencies.sort_unstable();
    HttpMeasurement {
        times: Measurement {
            clients: plan.clients,
            round_trips: plan.requests,
            elapsed,
            latencies,
            errors,
            server: None,
            server_before: None,
        },
        close: plan.close,
        body_bytes,
        connections,
        first_failure,
    }
}

/// Opens every kept-alive connection before the clock starts, in batches (see `drive`), each
/// proved with one untimed request: the server has accepted it, and the path is served. A
/// client whose warm-up failed keeps its failure, and does nothing more.
async fn connect_all(plan: &Plan<'_>, request: &Arc<[u8]>) -> io::Result<Vec<Client>> {
    let mut clients = Vec::with_capacity(plan.clients);
    while clients.len() < plan.clients {
        let batch = (plan.clients - clients.len()).min(BATCH);
        let mut pending = Vec::with_capacity(batch);
        for _ in 0..batch {
            let mut client = Client::new(plan, request);
            pending.push(tokio::spawn(async move {
                client.failure = client.timed_get().await.err();
                client.latencies.clear();
                client.body_bytes = 0;
                client
            }));
        }
        for warming in pending {
            clients.push(warming.await.map_err(io::Error::other)?);
        }
    }
    Ok(clients)
}

/// One client: its connection (none yet, or none since the server closed the last one), and
/// what it measured.
struct Client {
    address: SocketAddr,
    request: Arc<[u8]>,
    close: bool,
    limit: Duration,
    connection: Option<Reader<TcpStream>>,
    latencies: Vec<Duration>,
    body_bytes: u64,
    opened: usize,
    failure: Option<Failure>,
}

impl Client {
    fn new(plan: &Plan, request: &Arc<[u8]>) -> Self {
        Client {
            address: plan.address,
            request: Arc::clone(request),
            close: plan.close,
            limit: plan.limit,
            connection: None,
            latencies: Vec::with_capacity(plan.requests),
            body_bytes: 0,
            opened: 0,
            failure: None,
        }
    }

    /// `requests` requests one after another, until the first failure (or one met warming
    /// up), or until `stop_at`.
    async fn run(&mut self, requests: usize, stop_at: Option<Instant>) {
        for _ in 0..requests {
            if self.failure.is_some() || stop_at.is_some_and(|stop| Instant::now() >= stop) {
                return;
            }
            if let Err(failure) = self.timed_get().await {
                self.failure = Some(failure);
                return;
            }
        }
    }

    /// One request, given the plan's limit to complete.
    async fn timed_get(&mut self) -> Result<(), Failure> {
        tokio::time::timeout(self.limit, self.get())
            .await
            .unwrap_or(Err(Failure::TimedOut(self.limit)))
    }

    /// One request and its whole response. Its latency runs from connecting (when a new
    /// connection is needed) to the body's last byte; waiting for the server's close after a
    /// response that closes is not part of it.
    async fn get(&mut self) -> Result<(), Failure> {
        let sent = Instant::now();
        let mut connection = match self.connection.take() {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        connection.get_mut().write_all(&self.request).await?;
        let response = connection.ok_response().await?;
        self.latencies.push(sent.elapsed());
        self.body_bytes += response.body_bytes;
        if response.closes || self.close {
            connection.until_closed().await
        } else {
            self.connection = Some(connection);
            Ok(())
        }
    }

    async fn connect(&mut self) -> Result<Reader<TcpStream>, Failure> {
        let stream = TcpStream::connect(self.address).await?;
        // The request is one write, but without Nagle it never waits for an ACK either.
        stream.set_nodelay(true)?;
        self.opened += 1;
        Ok(Reader::new(stream))
    }
}
