//! A minimal HTTP/1.1 keep-alive client shared by the emulator benchmarks, so that a measurement
//! is dominated by the server rather than by client-side machinery competing for the same cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub const AUTH: &str = "Bearer P2local:K2local";

pub struct Connection {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    host: String,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (read, write) = stream.into_split();
        Connection {
            reader: BufReader::new(read),
            writer: write,
            host: addr.to_string(),
        }
    }

    /// Sends one request and returns the response body; panics on anything but 200.
    pub async fn send(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Vec<u8> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {AUTH}\r\n",
            self.host
        );
        if let Some(body) = body {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body.unwrap_or_default());
        self.writer.write_all(&bytes).await.expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).await.expect("status line");
        let ok = line.starts_with("HTTP/1.1 200");
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await.expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("content-length");
            }
        }
        let mut answer = vec![0u8; length];
        self.reader.read_exact(&mut answer).await.expect("body");
        assert!(
            ok,
            "{method} {path}: unexpected answer {}",
            String::from_utf8_lossy(&answer)
        );
        answer
    }
}

/// One request of a run: method, path and optional JSON body.
pub type Request = (&'static str, String, Option<Vec<u8>>);

/// Sends requests `0..total` (built by `request`) over `connections` keep-alive connections, each
/// connection taking the next number as soon as it is free, and returns the time from the first
/// send to the last answer. Every answer must be a 200 with a body.
pub async fn fan_out(
    addr: std::net::SocketAddr,
    connections: usize,
    total: usize,
    request: impl Fn(usize) -> Request + Send + Sync + 'static,
) -> Duration {
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let mut opened = Vec::with_capacity(connections);
    for _ in 0..connections {
        opened.push(Connection::open(addr).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for mut conn in opened {
        let next = next.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let (method, path, body) = request(i);
                let answer = conn.send(method, &path, body.as_deref()).await;
                assert!(!answer.is_empty(), "{method} {path}: empty answer");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    started.elapsed()
}
