//! A remote registry speaking the OCI distribution API.
//!
//! The token handshake (anonymous or with credentials, Bearer challenge or Basic) is done by
//! oci-client; every content request is made here, so sizes are capped before reading, digests
//! checked after, and the referrers API told apart from its fallback.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LINK};
use reqwest::{Method, StatusCode};
use tokio::sync::RwLock;

use super::credentials::Credentials;
use super::manifest::{ACCEPTED_MANIFESTS, Descriptor, Manifest, OCI_INDEX};
use super::{FetchedManifest, Limits, RegistryError, Source, check_declared_size, check_digest};
use crate::reference::Digest;
use crate::target::{DOCKER_HUB, Repository};

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Use plain HTTP (cosign's `--allow-http-registry`).
    pub allow_http: bool,
    /// Extra trusted CA certificates (PEM), beside the system roots.
    pub ca_certificates_pem: Vec<Vec<u8>>,
    pub credentials: Credentials,
    pub limits: Limits,
}

/// One repository on a remote registry.
pub struct RemoteRegistry {
    repository: Repository,
    base: String,
    http: reqwest::Client,
    oci: oci_client::Client,
    credentials: Credentials,
    token: RwLock<Option<String>>,
    limits: Limits,
    requests: AtomicU64,
}

const USER_AGENT: &str = concat!("sigscope/", env!("CARGO_PKG_VERSION"));

/// Installs ring as rustls' process-wide crypto provider (once; later calls are no-ops).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl RemoteRegistry {
    pub fn new(repository: Repository, options: RemoteOptions) -> Result<Self, RegistryError> {
        install_crypto_provider();
        let what = repository.to_string();
        let api_host = if repository.registry == DOCKER_HUB {
            "registry-1.docker.io".to_owned()
        } else {
            repository.registry.clone()
        };
        let scheme = if options.allow_http { "http" } else { "https" };
        let mut http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.limits.connect_timeout)
            .read_timeout(options.limits.read_timeout);
        let mut extra = Vec::new();
        for pem in &options.ca_certificates_pem {
            let cert =
                reqwest::Certificate::from_pem(pem).map_err(|e| RegistryError::Transport {
                    what: what.clone(),
                    reason: format!("bad --registry-cacert: {e}"),
                })?;
            http = http.add_root_certificate(cert);
            extra.push(oci_client::client::Certificate {
                encoding: oci_client::client::CertificateEncoding::Pem,
                data: pem.clone(),
            });
        }
        let http = http.build().map_err(|e| RegistryError::Transport {
            what: what.clone(),
            reason: e.to_string(),
        })?;
        let oci = oci_client::Client::new(oci_client::client::ClientConfig {
            protocol: if options.allow_http {
                oci_client::client::ClientProtocol::Http
            } else {
                oci_client::client::ClientProtocol::Https
            },
            extra_root_certificates: extra,
            connect_timeout: Some(options.limits.connect_timeout),
            read_timeout: Some(options.limits.read_timeout),
            ..Default::default()
        });
        Ok(RemoteRegistry {
            base: format!("{scheme}://{api_host}/v2/{}", repository.path),
            repository,
            http,
            oci,
            credentials: options.credentials,
            token: RwLock::new(None),
            limits: options.limits,
            requests: AtomicU64::new(0),
        })
    }

    /// How many HTTP requests this source has made (content and auth).
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Runs oci-client's token handshake for pull access to this repository.
    async fn authorize(&self) -> Result<(), RegistryError> {
        let auth = match &self.credentials {
            Credentials::Anonymous => oci_client::secrets::RegistryAuth::Anonymous,
            Credentials::Basic { username, password } => {
                oci_client::secrets::RegistryAuth::Basic(username.clone(), password.clone())
            }
            Credentials::Bearer(token) => {
                *self.token.write().await = Some(token.clone());
                return Ok(());
            }
        };
        let reference = oci_client::Reference::with_tag(
            self.repository.registry.clone(),
            self.repository.path.clone(),
            "latest".to_owned(),
        );
        self.requests.fetch_add(2, Ordering::Relaxed);
        let token = self
            .oci
            .auth(&reference, &auth, oci_client::RegistryOperation::Pull)
            .await
            .map_err(|e| self.auth_error(e.to_string()))?;
        *self.token.write().await = token;
        Ok(())
    }

    fn auth_error(&self, detail: String) -> RegistryError {
        RegistryError::Unauthorized {
            what: self.repository.to_string(),
            status: 401,
            hint: format!(": {}", scrub(&detail, &self.credentials)),
        }
    }

    /// Sends a request with authorization, re-running the handshake once on 401.
    async fn send(
        &self,
        method: Method,
        url: &str,
        accept: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut authorized_again = false;
        let mut retries = 0u32;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url)
                .header(ACCEPT, accept);
            if let Some(token) = self.token.read().await.as_ref() {
                request = request.header(AUTHORIZATION, format!("Bearer {token}"));
            } else if let Credentials::Basic { username, password } = &self.credentials {
                request = request.basic_auth(username, Some(password));
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = match request.send().await {
                Ok(response) => response,
                // A refused or reset connection is retried like 503 (every request here is an
                // idempotent GET or HEAD); a timeout is not: the registry is stalling.
                Err(e) if is_retryable(&e) && retries < MAX_RETRIES => {
                    tokio::time::sleep(backoff(retries)).await;
                    retries += 1;
                    continue;
                }
                Err(e) => return Err(self.transport_error(url, &e)),
            };
            if response.status() == StatusCode::UNAUTHORIZED && !authorized_again {
                authorized_again = true;
                self.authorize().await?;
                continue;
            }
            // Rate limits and overload (RFC 6585 §4, RFC 9110 §15.6.4): wait as told, within a
            // bound, then try again a few times before reporting the status.
            let busy = matches!(
                response.status(),
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            );
            if busy && retries < MAX_RETRIES {
                let wait = retry_after(response.headers()).unwrap_or_else(|| backoff(retries));
                retries += 1;
                tokio::time::sleep(wait).await;
                continue;
            }
            return Ok(response);
        }
    }

    /// Maps a non-success status to an error naming `what`.
    async fn status_error(&self, what: &str, response: reqwest::Response) -> RegistryError {
        let status = response.status();
        let body = read_capped(what, response, 4096).await.unwrap_or_default();
        // Secrets are scrubbed from the whole message before it is shortened, so no part of
        // one survives the cut.
        let detail = registry_error_message(&body)
            .map(|m| {
                let clean: String = scrub(&m, &self.credentials).chars().take(200).collect();
                format!(": {clean}")
            })
            .unwrap_or_default();
        match status {
            StatusCode::NOT_FOUND => RegistryError::NotFound {
                what: what.to_owned(),
            },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RegistryError::Unauthorized {
                what: what.to_owned(),
                status: status.as_u16(),
                hint: detail,
            },
            _ => RegistryError::Http {
                what: what.to_owned(),
                status: status.as_u16(),
                detail,
            },
        }
    }

    fn transport_error(&self, url: &str, e: &reqwest::Error) -> RegistryError {
        let reason = if e.is_timeout() && e.is_connect() {
            format!(
                "no connection within the connect timeout of {} s ({})",
                self.limits.connect_timeout.as_secs_f32(),
                transport_reason(e)
            )
        } else if e.is_timeout() {
            format!(
                "no answer within the read timeout of {} s ({})",
                self.limits.read_timeout.as_secs_f32(),
                transport_reason(e)
            )
        } else {
            transport_reason(e)
        };
        RegistryError::Transport {
            what: strip_query(url),
            reason: scrub(&reason, &self.credentials),
        }
    }

    fn what(&self, kind: &str, reference: &str) -> String {
        format!("{kind} {}@{reference}", self.repository)
    }
}

impl Source for RemoteRegistry {
    fn name(&self) -> String {
        self.repository.to_string()
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        let what = format!("tags of {}", self.repository);
        let mut url = format!("{}/tags/list?n={}", self.base, self.limits.tag_page_size);
        let mut tags = Vec::new();
        for _ in 0..self.limits.max_tag_pages {
            let response = self.send(Method::GET, &url, "application/json").await?;
            if !response.status().is_success() {
                return Err(self.status_error(&what, response).await);
            }
            let next = next_link(response.headers());
            let body = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
            #[derive(serde::Deserialize)]
            struct TagList {
                tags: Option<Vec<String>>,
            }
            let page: TagList = crate::artifact::error::parse_json(&what, &body)
                .map_err(|e| RegistryError::malformed(&what, e))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(link) => url = self.resolve_link(&link),
                None => return Ok(tags),
            }
        }
        Err(RegistryError::LimitReached {
            what,
            reason: format!("more than {} pages of tags", self.limits.max_tag_pages),
        })
    }

    async fn fetch_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let what = self.what("manifest", reference);
        let url = format!("{}/manifests/{reference}", self.base);
        let response = self
            .send(Method::GET, &url, &ACCEPTED_MANIFESTS.join(", "))
            .await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let headers = response.headers().clone();
        let bytes = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
        let digest = match reference.parse::<Digest>() {
            Ok(expected) => {
                check_digest(&what, &expected, &bytes)?;
                expected
            }
            Err(_) => {
                let computed = Digest::sha256_of(&bytes);
                let claimed = headers
                    .get("docker-content-digest")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<Digest>().ok());
                if let Some(claimed) = claimed {
                    check_digest(&what, &claimed, &bytes)?;
                }
                computed
            }
        };
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let media_type = Manifest::parse(content_type, &bytes)
            .map(|m| m.media_type().to_owned())
            .unwrap_or_else(|_| content_type.to_owned());
        Ok(FetchedManifest {
            digest,
            media_type,
            bytes,
        })
    }

    async fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let what = self.what("blob", &descriptor.digest.to_string());
        check_declared_size(&what, descriptor, limit)?;
        let url = format!("{}/blobs/{}", self.base, descriptor.digest);
        let response = self.send(Method::GET, &url, "*/*").await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let bytes = read_capped(&what, response, descriptor.size).await?;
        check_digest(&what, &descriptor.digest, &bytes)?;
        Ok(bytes)
    }

    async fn referrers_api(
        &self,
        subject: &Digest,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        let what = self.what("referrers", &subject.to_string());
        let url = format!("{}/referrers/{subject}", self.base);
        let response = self.send(Method::GET, &url, OCI_INDEX).await?;
        let status = response.status();
        // distribution-spec "Listing Referrers": a registry without the API answers 404;
        // some answer 400/405/501 for the unknown route.
        if matches!(status.as_u16(), 400 | 404 | 405 | 501) {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let bytes = read_capped(&what, response, self.limits.max_manifest_bytes).await?;
        match Manifest::parse(OCI_INDEX, &bytes).map_err(|e| RegistryError::malformed(&what, e))? {
            Manifest::Index { manifests, .. } => Ok(Some(manifests)),
            Manifest::Image { .. } => Err(RegistryError::malformed(
                &what,
                "the referrers API answered with an image manifest, not an index",
            )),
        }
    }
}

impl RemoteRegistry {
    /// A `Link: <url>; rel="next"` target, relative to the registry host.
    fn resolve_link(&self, link: &str) -> String {
        if link.starts_with("http://") || link.starts_with("https://") {
            return link.to_owned();
        }
        let origin_end = self.base.find("/v2/").unwrap_or(self.base.len());
        format!("{}{link}", &self.base[..origin_end])
    }
}

/// How often a 429 or 503 is retried before it is reported.
const MAX_RETRIES: u32 = 3;
/// The longest wait honoured from a `Retry-After` header.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// `Retry-After` in seconds (the HTTP-date form is treated as absent), capped.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_WAIT))
}

/// Exponential backoff: 250 ms, 500 ms, 1 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.min(4))
}

/// Reads a body, refusing more than `limit` bytes (by Content-Length first, then by count).
async fn read_capped(
    what: &str,
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, RegistryError> {
    if let Some(len) = response.content_length()
        && len > limit
    {
        return Err(RegistryError::TooLarge {
            what: what.to_owned(),
            size: len,
            limit,
        });
    }
    let mut body = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| RegistryError::Transport {
                what: what.to_owned(),
                reason: transport_reason(&e),
            })?;
        let Some(chunk) = chunk else { break };
        body.extend_from_slice(&chunk);
        if body.len() as u64 > limit {
            return Err(RegistryError::TooLarge {
                what: what.to_owned(),
                size: body.len() as u64,
                limit,
            });
        }
    }
    Ok(body)
}

/// `<url>; rel="next"` from a Link header (RFC 8288), as distribution paginates tags.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(LINK)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

/// The first message of a distribution error body `{"errors":[{"code","message"}]}`.
fn registry_error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let first = value.get("errors")?.get(0)?;
    let code = first.get("code").and_then(|c| c.as_str()).unwrap_or("");
    let message = first.get("message").and_then(|m| m.as_str()).unwrap_or("");
    let text = format!("{code} {message}").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Whether a failed request is worth another try: the connection was refused, reset or closed
/// before an answer, but not timed out.
fn is_retryable(e: &reqwest::Error) -> bool {
    !e.is_timeout() && (e.is_connect() || e.is_request())
}

fn transport_reason(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

/// Removes any secret of `credentials` from `text`.
fn scrub(text: &str, credentials: &Credentials) -> String {
    credentials
        .secrets()
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |t, s| t.replace(s, "<redacted>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_capped() {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(reqwest::header::RETRY_AFTER, "3600".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_WAIT));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_secs(1));
    }

    #[test]
    fn next_link_reads_distribution_pagination() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            "</v2/a/tags/list?last=v2&n=2>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("/v2/a/tags/list?last=v2&n=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn registry_errors_are_summarised_and_secrets_scrubbed() {
        let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"bad pw hunter2"}]}"#;
        let msg = registry_error_message(body).unwrap();
        let creds = Credentials::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert_eq!(scrub(&msg, &creds), "UNAUTHORIZED bad pw <redacted>");
    }
}
