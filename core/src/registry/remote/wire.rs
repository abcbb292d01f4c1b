//! What travels on the wire: capped bodies, `Link` pagination, `Retry-After`, distribution
//! error bodies, and scrubbing secrets from anything that is shown.

use std::time::Duration;

use reqwest::header::{HeaderMap, LINK};

use crate::registry::RegistryError;
use crate::registry::credentials::Credentials;

/// How often a 429 or 503 is retried before it is reported.
pub(super) const MAX_RETRIES: u32 = 3;
/// The longest wait honoured from a `Retry-After` header.
pub(super) const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// `Retry-After` in seconds (the HTTP-date form is treated as absent), capped.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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
pub(super) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.min(4))
}

/// Reads a body, refusing more than `limit` bytes (by Content-Length first, then by count).
pub(super) async fn read_capped(
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
pub(super) fn next_link(headers: &HeaderMap) -> Option<String> {
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
pub(super) fn registry_error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let first = value.get("errors")?.get(0)?;
    let code = first.get("code").and_then(|c| c.as_str()).unwrap_or("");
    let message = first.get("message").and_then(|m| m.as_str()).unwrap_or("");
    let text = format!("{code} {message}").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Whether a failed request is worth another try: the connection was refused, reset or closed
/// before an answer, but not timed out.
pub(super) fn is_retryable(e: &reqwest::Error) -> bool {
    !e.is_timeout() && (e.is_connect() || e.is_request())
}

pub(super) fn transport_reason(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

pub(super) fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

/// Removes any secret of `credentials` from `text`.
pub(super) fn scrub(text: &str, credentials: &Credentials) -> String {
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
