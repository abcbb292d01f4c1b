//! A TCP proxy on loopback that puts a network distance between a client and a server: every
//! byte is delivered `DELAY_MS` after it was read, in each direction (a round trip of twice
//! that), with no limit on bandwidth; a new connection first waits one round trip, as TCP's
//! handshake would. For `scripts/bench`'s latency table (issue 21).
//!
//!     cargo run --release --example delay_proxy -- UPSTREAM_ADDR DELAY_MS
//!
//! Prints the port it listens on (127.0.0.1), then serves until killed.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, upstream, delay_ms] = args.as_slice() else {
        eprintln!("usage: delay_proxy UPSTREAM_ADDR DELAY_MS");
        std::process::exit(2);
    };
    let delay = Duration::from_millis(delay_ms.parse().unwrap_or_else(|_| {
        eprintln!("delay_proxy: DELAY_MS must be a number of milliseconds");
        std::process::exit(2)
    }));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    loop {
        let (client, _) = listener.accept().await?;
        let upstream = upstream.clone();
        tokio::spawn(async move {
            // The handshake's round trip.
            tokio::time::sleep(delay * 2).await;
            let Ok(server) = TcpStream::connect(&upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(carry(client_read, server_write, delay));
            tokio::spawn(carry(server_read, client_write, delay));
        });
    }
}

/// Moves bytes from `from` to `to`, each chunk written `delay` after it was read. Reading never
/// waits for writing, so the delay adds latency, not a bandwidth limit.
async fn carry(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (chunks, mut due) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, bytes)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if chunks
                    .send((Instant::now() + delay, buffer[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(chunks);
    let _ = writer.await;
}
