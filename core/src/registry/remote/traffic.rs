//! What a run asks of a registry, counted by kind, and the rate limit the registry states.
//!
//! Docker Hub (and registries that copy it) answer every manifest request with
//! `ratelimit-limit: 100;w=21600` and `ratelimit-remaining: 76;w=21600` (the IETF RateLimit
//! header fields' draft syntax: a quota, then parameters such as the window in seconds). The
//! last statement seen is kept; a registry that states none has no budget to show.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::header::HeaderMap;
use serde::Serialize;

/// The kinds of request a registry serves, as the distribution API names its endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `GET /v2/<name>/tags/list` (each page).
    TagList,
    /// `HEAD /v2/<name>/manifests/<reference>`: the digest alone.
    ManifestHead,
    /// `GET /v2/<name>/manifests/<reference>`.
    ManifestGet,
    /// `GET /v2/<name>/blobs/<digest>` (a redirect to blob storage included).
    Blob,
    /// `GET /v2/<name>/referrers/<digest>` (the OCI 1.1 referrers API).
    Referrers,
    /// Anything else (the token handshake's `/v2/` probe and token requests).
    Other,
}

impl RequestKind {
    /// The kind of a request to `url` with `method`.
    pub fn of(method: &reqwest::Method, url: &str) -> RequestKind {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        if path.contains("/tags/list") {
            RequestKind::TagList
        } else if path.contains("/manifests/") {
            if method == reqwest::Method::HEAD {
                RequestKind::ManifestHead
            } else {
                RequestKind::ManifestGet
            }
        } else if path.contains("/blobs/") {
            RequestKind::Blob
        } else if path.contains("/referrers/") {
            RequestKind::Referrers
        } else {
            RequestKind::Other
        }
    }
}

/// A registry's statement of its rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    /// Requests left in the current window.
    pub remaining: u64,
    /// Requests allowed per window.
    pub limit: u64,
    /// The window, in seconds, when the registry states it (`;w=21600`).
    pub window_seconds: Option<u64>,
}

impl RateLimit {
    /// The limit stated by `headers`, if both fields are there and read as numbers.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let field = |name: &str| headers.get(name)?.to_str().ok().and_then(quota);
        let (limit, window) = field("ratelimit-limit")?;
        let (remaining, remaining_window) = field("ratelimit-remaining")?;
        Some(RateLimit {
            remaining,
            limit,
            window_seconds: window.or(remaining_window),
        })
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {} requests left", self.remaining, self.limit)?;
        match self.window_seconds {
            Some(w) if w % 3600 == 0 => write!(f, " per {} h", w / 3600),
            Some(w) => write!(f, " per {w} s"),
            None => Ok(()),
        }
    }
}

/// `100;w=21600` → (100, Some(21600)); `100` → (100, None).
fn quota(value: &str) -> Option<(u64, Option<u64>)> {
    let mut parts = value.split(';').map(str::trim);
    let count = parts.next()?.parse().ok()?;
    let window = parts
        .filter_map(|p| p.strip_prefix("w="))
        .find_map(|w| w.parse().ok());
    Some((count, window))
}

/// Below this many requests left, requests go one at a time ([`Traffic::low_budget`]).
pub const LOW_BUDGET: u64 = 32;

/// The requests of a run, by kind, shared by every source opened with the same options.
#[derive(Debug, Default)]
pub struct Traffic {
    tag_lists: AtomicU64,
    manifest_heads: AtomicU64,
    manifest_gets: AtomicU64,
    blobs: AtomicU64,
    referrers: AtomicU64,
    other: AtomicU64,
    /// Answers 429 (too many requests) or 503 that were waited out and retried.
    throttled: AtomicU64,
    rate_limit: Mutex<Option<RateLimit>>,
}

/// A snapshot of [`Traffic`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrafficSummary {
    /// Pages of the tag list.
    pub tag_lists: u64,
    /// Manifests asked for their digest only (a tag already known from an earlier run).
    pub manifest_heads: u64,
    /// Manifests read (images, indexes, signature and attestation manifests, fallback tags).
    pub manifest_gets: u64,
    /// Blobs read (configs, signature and attestation layers, bundles).
    pub blobs: u64,
    /// Calls of the OCI 1.1 referrers API.
    pub referrers: u64,
    /// The rest: the token handshake's requests.
    pub other: u64,
    /// Answers 429 or 503 that were waited out and asked again.
    pub throttled: u64,
    /// The rate limit the registry last stated, if it states one.
    pub rate_limit: Option<RateLimit>,
}

impl TrafficSummary {
    /// Every request counted.
    pub fn total(&self) -> u64 {
        self.tag_lists
            + self.manifest_heads
            + self.manifest_gets
            + self.blobs
            + self.referrers
            + self.other
    }
}

impl std::fmt::Display for TrafficSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: {} tag list, {} manifest HEAD, {} manifest GET, {} blob, {} referrers, {} other",
            self.total(),
            self.tag_lists,
            self.manifest_heads,
            self.manifest_gets,
            self.blobs,
            self.referrers,
            self.other
        )?;
        if self.throttled > 0 {
            write!(f, "; {} throttled and retried", self.throttled)?;
        }
        match &self.rate_limit {
            Some(rate) => write!(f, "; rate limit: {rate}"),
            None => Ok(()),
        }
    }
}

impl Traffic {
    /// Counts one request.
    pub fn count(&self, kind: RequestKind) {
        let counter = match kind {
            RequestKind::TagList => &self.tag_lists,
            RequestKind::ManifestHead => &self.manifest_heads,
            RequestKind::ManifestGet => &self.manifest_gets,
            RequestKind::Blob => &self.blobs,
            RequestKind::Referrers => &self.referrers,
            RequestKind::Other => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes an answer: its rate-limit statement, and whether it throttled the request.
    pub fn answered(&self, headers: &HeaderMap, throttled: bool) {
        if throttled {
            self.throttled.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(rate) = RateLimit::from_headers(headers)
            && let Ok(mut last) = self.rate_limit.lock()
        {
            *last = Some(rate);
        }
    }

    /// Whether the registry has stated a budget so low that requests should go one at a
    /// time: a run of 16 connections would otherwise overshoot it into 429s.
    pub fn low_budget(&self) -> bool {
        self.rate_limit
            .lock()
            .ok()
            .and_then(|r| *r)
            .is_some_and(|r| r.remaining < LOW_BUDGET)
    }

    /// The counts so far.
    pub fn summary(&self) -> TrafficSummary {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        TrafficSummary {
            tag_lists: n(&self.tag_lists),
            manifest_heads: n(&self.manifest_heads),
            manifest_gets: n(&self.manifest_gets),
            blobs: n(&self.blobs),
            referrers: n(&self.referrers),
            other: n(&self.other),
            throttled: n(&self.throttled),
            rate_limit: self.rate_limit.lock().ok().and_then(|r| *r),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::Method;
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    /// Docker Hub's statement, and the forms that are no statement at all.
    #[test]
    fn docker_hubs_rate_limit_headers_are_read() {
        let hub = headers(&[
            ("ratelimit-limit", "100;w=21600"),
            ("ratelimit-remaining", "76;w=21600"),
        ]);
        let rate = RateLimit::from_headers(&hub).unwrap();
        assert_eq!(
            rate,
            RateLimit {
                remaining: 76,
                limit: 100,
                window_seconds: Some(21600)
            }
        );
        assert_eq!(rate.to_string(), "76 of 100 requests left per 6 h");
        let plain = headers(&[("ratelimit-limit", "5000"), ("ratelimit-remaining", "12")]);
        assert_eq!(
            RateLimit::from_headers(&plain).unwrap().to_string(),
            "12 of 5000 requests left"
        );
        for broken in [
            headers(&[("ratelimit-limit", "100;w=21600")]),
            headers(&[("ratelimit-limit", "many"), ("ratelimit-remaining", "1")]),
            headers(&[("ratelimit-limit", "100"), ("ratelimit-remaining", "-1")]),
            HeaderMap::new(),
        ] {
            assert_eq!(RateLimit::from_headers(&broken), None, "{broken:?}");
        }
    }

    #[test]
    fn a_budget_is_low_below_the_threshold_only() {
        let traffic = Traffic::default();
        assert!(!traffic.low_budget(), "no statement: no budget");
        let left = |n: u64| {
            headers(&[
                ("ratelimit-limit", "100;w=21600"),
                ("ratelimit-remaining", &format!("{n};w=21600")),
            ])
        };
        traffic.answered(&left(LOW_BUDGET), false);
        assert!(!traffic.low_budget());
        traffic.answered(&left(LOW_BUDGET - 1), false);
        assert!(traffic.low_budget());
        // An answer without a statement leaves the last one in force.
        traffic.answered(&HeaderMap::new(), false);
        assert!(traffic.low_budget());
    }

    #[test]
    fn requests_are_counted_by_the_endpoint_they_ask() {
        let base = "https://r.example/v2/acme/app";
        let cases = [
            (
                Method::GET,
                format!("{base}/tags/list?n=100"),
                RequestKind::TagList,
            ),
            (
                Method::HEAD,
                format!("{base}/manifests/v1"),
                RequestKind::ManifestHead,
            ),
            (
                Method::GET,
                format!("{base}/manifests/sha256:ab"),
                RequestKind::ManifestGet,
            ),
            (
                Method::GET,
                format!("{base}/blobs/sha256:ab"),
                RequestKind::Blob,
            ),
            (
                Method::GET,
                format!("{base}/referrers/sha256:ab"),
                RequestKind::Referrers,
            ),
            (
                Method::GET,
                "https://r.example/v2/".to_owned(),
                RequestKind::Other,
            ),
        ];
        let traffic = Traffic::default();
        for (method, url, kind) in &cases {
            assert_eq!(RequestKind::of(method, url), *kind, "{method} {url}");
            traffic.count(*kind);
        }
        traffic.answered(
            &headers(&[("ratelimit-limit", "10"), ("ratelimit-remaining", "9")]),
            true,
        );
        assert!(traffic.low_budget(), "9 left: one request at a time");
        let summary = traffic.summary();
        assert_eq!(summary.total(), 6);
        assert_eq!(summary.throttled, 1);
        assert_eq!(
            summary.to_string(),
            "6 requests: 1 tag list, 1 manifest HEAD, 1 manifest GET, 1 blob, 1 referrers, 1 other; \
             1 throttled and retried; rate limit: 9 of 10 requests left"
        );
    }
}
