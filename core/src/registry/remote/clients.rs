//! The HTTP clients of one registry source, each built when first needed.
//!
//! A TLS client loads the system's trusted roots when it is built: every PEM file under
//! /etc/ssl/certs, about 15 ms and two thirds of a single-image `verify` process's CPU. A
//! plain-HTTP registry (`--allow-http-registry`, typically on loopback) never needs them, so its
//! requests go through a client without roots, and the TLS client is built only for the first
//! `https://` URL — a token realm, or a redirect to blob storage, which the plain client hands
//! back instead of following (see [`Clients::redirect_to_tls`]). oci-client's own client (the
//! token handshake) is likewise built on the first handshake: an anonymous registry that never
//! answers 401 never needs it.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::LOCATION;

use super::RemoteOptions;
use crate::registry::RegistryError;

const USER_AGENT: &str = concat!("sigscope/", env!("CARGO_PKG_VERSION"));

/// Redirects followed within one client, as reqwest's default policy.
const MAX_REDIRECTS: usize = 10;

pub(super) struct Clients {
    /// For `http://` URLs, when plain HTTP is allowed.
    plain: Option<reqwest::Client>,
    tls: OnceLock<reqwest::Client>,
    oci: OnceLock<oci_client::Client>,
    allow_http: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
    /// `--registry-cacert` certificates, checked when the source is opened.
    extra_roots: Vec<(reqwest::Certificate, Vec<u8>)>,
    /// The repository, for errors.
    what: String,
}

impl Clients {
    /// Checks the extra CA certificates and builds the plain client if plain HTTP is allowed.
    pub(super) fn new(options: &RemoteOptions, what: &str) -> Result<Self, RegistryError> {
        let extra_roots = options
            .ca_certificates_pem
            .iter()
            .map(|pem| {
                reqwest::Certificate::from_pem(pem)
                    .map(|cert| (cert, pem.clone()))
                    .map_err(|e| RegistryError::Transport {
                        what: what.to_owned(),
                        reason: format!("bad --registry-cacert: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut clients = Clients {
            plain: None,
            tls: OnceLock::new(),
            oci: OnceLock::new(),
            allow_http: options.allow_http,
            connect_timeout: options.limits.connect_timeout,
            read_timeout: options.limits.read_timeout,
            extra_roots,
            what: what.to_owned(),
        };
        if options.allow_http {
            // No roots: this client never completes a TLS handshake, because it stops at any
            // redirect to https:// and is never given an https:// URL.
            let plain = clients
                .builder()
                .tls_certs_only(Vec::new())
                .redirect(reqwest::redirect::Policy::custom(|attempt| {
                    if attempt.url().scheme() != "http" {
                        attempt.stop()
                    } else if attempt.previous().len() >= MAX_REDIRECTS {
                        attempt.error("too many redirects")
                    } else {
                        attempt.follow()
                    }
                }))
                .build()
                .map_err(|e| clients.build_error(&e))?;
            clients.plain = Some(plain);
        }
        Ok(clients)
    }

    fn builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
    }

    fn build_error(&self, e: &reqwest::Error) -> RegistryError {
        RegistryError::Transport {
            what: self.what.clone(),
            reason: e.to_string(),
        }
    }

    /// The client for `url`: the plain one for `http://`, else the TLS one (built now if this is
    /// the first `https://` URL).
    pub(super) fn for_url(&self, url: &str) -> Result<&reqwest::Client, RegistryError> {
        if let Some(plain) = &self.plain
            && url.starts_with("http://")
        {
            return Ok(plain);
        }
        if let Some(tls) = self.tls.get() {
            return Ok(tls);
        }
        let mut builder = self.builder();
        for (cert, _) in &self.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        let built = builder.build().map_err(|e| self.build_error(&e))?;
        Ok(self.tls.get_or_init(|| built))
    }

    /// oci-client, for the token handshake (built on the first handshake).
    pub(super) fn oci(&self) -> &oci_client::Client {
        self.oci.get_or_init(|| {
            oci_client::Client::new(oci_client::client::ClientConfig {
                protocol: if self.allow_http {
                    oci_client::client::ClientProtocol::Http
                } else {
                    oci_client::client::ClientProtocol::Https
                },
                extra_root_certificates: self
                    .extra_roots
                    .iter()
                    .map(|(_, pem)| oci_client::client::Certificate {
                        encoding: oci_client::client::CertificateEncoding::Pem,
                        data: pem.clone(),
                    })
                    .collect(),
                connect_timeout: Some(self.connect_timeout),
                read_timeout: Some(self.read_timeout),
                ..Default::default()
            })
        })
    }

    /// The `https://` location a plain-HTTP response redirects to, which the plain client did
    /// not follow: the caller asks again with the TLS client.
    pub(super) fn redirect_to_tls(&self, response: &reqwest::Response) -> Option<String> {
        if self.plain.is_none() || !response.status().is_redirection() {
            return None;
        }
        let location = response.headers().get(LOCATION)?.to_str().ok()?;
        location
            .starts_with("https://")
            .then(|| location.to_owned())
    }
}
