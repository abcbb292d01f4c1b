//! How TUF metadata and targets reach sigscope: plain GETs to the mirror, and nothing else.
//!
//! The mirror gets no credentials of any kind — this client is built here, apart from the
//! registry's clients, and never sees a token, a password or a docker config (gh 2.92 sent its
//! GitHub token to TUF mirrors). Every body is bounded while it is read by the length the caller
//! allows (TUF's endless-data defence), connections and reads have timeouts (the slow-retrieval
//! defence), and each failure says whether the mirror could not be reached (which lets the
//! default public mirror fall back) or answered wrongly (which never does).

use std::time::Duration;

use reqwest::{StatusCode, Url};
use sigstore_tuf::transport::{FetchFuture, Repository};

const USER_AGENT: &str = concat!("sigscope/", env!("CARGO_PKG_VERSION"));

/// Why one request to the mirror failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchFailure {
    /// No connection, a timeout, or a server error: the mirror is not answering.
    #[error("{0}")]
    Unreachable(String),
    /// The mirror answered, but not with what was asked (an error status).
    #[error("{0}")]
    Answer(String),
    /// More bytes than the file may have: its pinned length, or the role's bound (an endless-data
    /// attack). A security failure of the role that names `file`.
    #[error("{reason}")]
    TooLong { file: String, reason: String },
}

/// A TUF mirror over HTTP(S): metadata at `<mirror>/`, targets at `<mirror>/targets/`.
#[derive(Debug, Clone)]
pub struct MirrorTransport {
    metadata: Url,
    targets: Url,
    client: reqwest::Client,
}

impl MirrorTransport {
    /// A transport for `mirror` whose connections and reads give up after `timeout`.
    pub fn new(mirror: &str, timeout: Duration) -> Result<MirrorTransport, String> {
        crate::registry::remote::install_crypto_provider();
        let metadata = Url::parse(&format!("{}/", mirror.trim_end_matches('/')))
            .map_err(|e| format!("bad mirror URL {mirror:?}: {e}"))?;
        if !matches!(metadata.scheme(), "http" | "https") {
            return Err(format!("bad mirror URL {mirror:?}: not http or https"));
        }
        let targets = metadata
            .join("targets/")
            .map_err(|e| format!("bad mirror URL {mirror:?}: {e}"))?;
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .build()
            .map_err(|e| format!("building the HTTP client for {mirror}: {e}"))?;
        Ok(MirrorTransport {
            metadata,
            targets,
            client,
        })
    }

    async fn get(
        &self,
        url: Url,
        file: &str,
        max_length: u64,
    ) -> Result<Option<Vec<u8>>, FetchFailure> {
        let unreachable = |e: reqwest::Error| {
            // reqwest's own text ("error sending request") hides the cause: DNS, refused, TLS.
            let mut text = format!("GET {url}: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            FetchFailure::Unreachable(text)
        };
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        // 404 is "no such file" (the end of the root chain); object stores answer 403 for it.
        if status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN {
            return Ok(None);
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(FetchFailure::Unreachable(format!("GET {url}: {status}")));
        }
        if !status.is_success() {
            return Err(FetchFailure::Answer(format!("GET {url}: {status}")));
        }
        let too_long = |len: u64| FetchFailure::TooLong {
            file: file.to_owned(),
            reason: format!(
                "GET {url}: limit reached: {len} bytes exceed the limit of {max_length}"
            ),
        };
        if let Some(len) = response.content_length()
            && len > max_length
        {
            return Err(too_long(len));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            let len = body.len() as u64 + chunk.len() as u64;
            if len > max_length {
                return Err(too_long(len));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Some(body))
    }

    fn fetch<'a>(&'a self, base: &Url, name: &'a str, max_length: u64) -> FetchFuture<'a> {
        let url = base.join(name);
        Box::pin(async move {
            let url = url.map_err(|e| {
                sigstore_tuf::Error::transport(format!("bad file name {name:?}: {e}"))
            })?;
            self.get(url, name, max_length)
                .await
                .map_err(|f| sigstore_tuf::Error::transport_with_source(f.to_string(), f))
        })
    }
}

impl Repository for MirrorTransport {
    fn fetch_metadata<'a>(&'a self, name: &'a str, max_length: u64) -> FetchFuture<'a> {
        self.fetch(&self.metadata, name, max_length)
    }

    fn fetch_target<'a>(&'a self, path: &'a str, max_length: u64) -> FetchFuture<'a> {
        self.fetch(&self.targets, path, max_length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_mirrors_are_accepted() {
        assert!(MirrorTransport::new("file:///etc", Duration::from_secs(1)).is_err());
        assert!(MirrorTransport::new("not a url", Duration::from_secs(1)).is_err());
        let t = MirrorTransport::new("https://tuf.example/repo", Duration::from_secs(1)).unwrap();
        assert_eq!(t.metadata.as_str(), "https://tuf.example/repo/");
        assert_eq!(t.targets.as_str(), "https://tuf.example/repo/targets/");
    }
}
