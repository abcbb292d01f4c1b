//! One request to the registry: authorization (oci-client's token handshake, once more on 401),
//! retries of 429/503 as `Retry-After` says, and error statuses mapped to [`RegistryError`].

use std::sync::atomic::Ordering;

use reqwest::header::{ACCEPT, AUTHORIZATION};
use reqwest::{Method, StatusCode};

use super::RemoteRegistry;
use super::wire::{
    MAX_RETRIES, backoff, is_retryable, read_capped, registry_error_message, retry_after, scrub,
    strip_query, transport_reason,
};
use crate::registry::RegistryError;
use crate::registry::credentials::Credentials;

impl RemoteRegistry {
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
            .clients
            .oci()
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
    pub(super) async fn send(
        &self,
        method: Method,
        url: &str,
        accept: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut authorized_again = false;
        let mut retries = 0u32;
        // Set once a plain-HTTP registry has redirected to https:// (blob storage): another
        // origin, which gets no credentials, as reqwest's own redirects do.
        let mut redirected: Option<String> = None;
        loop {
            let target = redirected.as_deref().unwrap_or(url);
            let mut request = self
                .clients
                .for_url(target)?
                .request(method.clone(), target)
                .header(ACCEPT, accept);
            if redirected.is_none() {
                request = self.with_credentials(request).await;
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
                Err(e) => return Err(self.transport_error(target, &e)),
            };
            if redirected.is_none()
                && let Some(location) = self.clients.redirect_to_tls(&response)
            {
                redirected = Some(location);
                continue;
            }
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

    /// The request with this source's token, else its basic credentials.
    async fn with_credentials(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(token) = self.token.read().await.as_ref() {
            request.header(AUTHORIZATION, format!("Bearer {token}"))
        } else if let Credentials::Basic { username, password } = &self.credentials {
            request.basic_auth(username, Some(password))
        } else {
            request
        }
    }

    /// Maps a non-success status to an error naming `what`.
    pub(super) async fn status_error(
        &self,
        what: &str,
        response: reqwest::Response,
    ) -> RegistryError {
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
}
