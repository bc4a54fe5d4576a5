//! A fixed pool of worker threads, the Rust Book's final-chapter design: the main thread
//! accepts, and each connection waits in a queue for one of N workers, which serves it until
//! the client leaves. Fine for short requests; with long-lived connections, N idle clients
//! take every worker and everyone else waits. It is a benchmark series, not a lesson.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::REPLY;

/// Serves on `port` with `workers` threads, each taking the next waiting connection.
pub fn serve(port: u16, workers: usize) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("正在监听 listening on {}", listener.local_addr()?);
    let (queue, waiting) = mpsc::channel::<TcpStream>();
    let waiting = Arc::new(Mutex::new(waiting));
    for _ in 0..workers.max(1) {
        let waiting = Arc::clone(&waiting);
        thread::Builder::new().spawn(move || {
            loop {
                // The lock is held only while taking one connection off the queue.
                let next = waiting
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                let Ok(stream) = next else { return };
                serve_one(stream);
            }
        })?;
    }
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if queue.send(stream).is_err() {
                    return Err(io::Error::other("every worker has stopped"));
                }
            }
            // Out of descriptors, or a connection aborted before accept: try the next one.
            Err(_) => thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    Ok(())
}

/// Lesson 4's exchange without the printing: a reply per read, until the client leaves.
fn serve_one(mut stream: TcpStream) {
    let mut buffer = [0u8; 1024];
    while let Ok(read) = stream.read(&mut buffer) {
        if read == 0 || stream.write_all(REPLY).is_err() {
            break;
        }
    }
}
