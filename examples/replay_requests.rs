//! The registry's ceiling for a given set of requests, for `scripts/bench`: `cargo run --release
//! --example replay_requests -- REGISTRY REQUESTS_FILE CONNECTIONS`.
//!
//! REQUESTS_FILE holds one `METHOD PATH` per line (as the registry's access log records them).
//! They are replayed over CONNECTIONS keep-alive connections at once, each answer read in full
//! and dropped — no parsing, no verification — so the time is what the registry needs to serve
//! exactly those requests on this machine, beside the cheapest possible client. A manifest
//! request sends the same `Accept` list sigscope sends. Prints `REQUESTS SECONDS PER_SECOND`.

use std::time::Instant;

use futures_util::StreamExt as _;
use futures_util::stream;
use sigscope::registry::manifest::ACCEPTED_MANIFESTS;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, registry, file, connections] = args.as_slice() else {
        return Err("usage: replay_requests REGISTRY REQUESTS_FILE CONNECTIONS".into());
    };
    let connections: usize = connections.parse()?;
    let requests: Vec<(reqwest::Method, String)> = std::fs::read_to_string(file)?
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(method, path)| Ok((method.parse()?, format!("http://{registry}{path}"))))
        .collect::<Result<_>>()?;
    sigscope::registry::remote::install_crypto_provider();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let accept = ACCEPTED_MANIFESTS.join(", ");
    let started = Instant::now();
    let failures = stream::iter(&requests)
        .map(|(method, url)| {
            let request = client.request(method.clone(), url);
            let request = if url.contains("/manifests/") {
                request.header(reqwest::header::ACCEPT, accept.as_str())
            } else {
                request
            };
            async move {
                match request.send().await {
                    Ok(response) => response.bytes().await.is_err(),
                    Err(_) => true,
                }
            }
        })
        .buffer_unordered(connections)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} {seconds:.3} {:.0}",
        requests.len(),
        requests.len() as f64 / seconds
    );
    if failures > 0 {
        return Err(format!("{failures} requests failed").into());
    }
    Ok(())
}
