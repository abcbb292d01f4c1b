//! Opening the source a [`Target`] names: a remote registry or an OCI layout.

use super::credentials::Credentials;
use super::layout::OciLayout;
use super::manifest::Descriptor;
use super::remote::{RemoteOptions, RemoteRegistry};
use super::{FetchedManifest, Limits, RegistryError, Source};
use crate::reference::Digest;
use crate::target::Target;

/// Either kind of source, chosen at run time.
pub enum AnySource {
    Remote(Box<RemoteRegistry>),
    Layout(OciLayout),
}

impl AnySource {
    /// Opens the source for `target`.
    pub fn open(target: &Target, options: RemoteOptions) -> Result<AnySource, RegistryError> {
        match target {
            Target::Repository { repository } | Target::Image { repository, .. } => Ok(
                AnySource::Remote(Box::new(RemoteRegistry::new(repository.clone(), options)?)),
            ),
            Target::Layout { path, .. } => {
                Ok(AnySource::Layout(OciLayout::open(path, options.limits)?))
            }
        }
    }

    /// HTTP requests made so far (0 for layouts).
    pub fn requests_made(&self) -> u64 {
        match self {
            AnySource::Remote(r) => r.requests_made(),
            AnySource::Layout(_) => 0,
        }
    }
}

impl Source for AnySource {
    fn name(&self) -> String {
        match self {
            AnySource::Remote(r) => r.name(),
            AnySource::Layout(l) => l.name(),
        }
    }

    fn limits(&self) -> &Limits {
        match self {
            AnySource::Remote(r) => r.limits(),
            AnySource::Layout(l) => l.limits(),
        }
    }

    async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        match self {
            AnySource::Remote(r) => r.list_tags().await,
            AnySource::Layout(l) => l.list_tags().await,
        }
    }

    async fn fetch_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        match self {
            AnySource::Remote(r) => r.fetch_manifest(reference).await,
            AnySource::Layout(l) => l.fetch_manifest(reference).await,
        }
    }

    async fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        match self {
            AnySource::Remote(r) => r.fetch_blob(descriptor, limit).await,
            AnySource::Layout(l) => l.fetch_blob(descriptor, limit).await,
        }
    }

    async fn referrers_api(
        &self,
        subject: &Digest,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        match self {
            AnySource::Remote(r) => r.referrers_api(subject).await,
            AnySource::Layout(l) => l.referrers_api(subject).await,
        }
    }

    fn referrers_by_subject_scan(&self) -> bool {
        match self {
            AnySource::Remote(r) => r.referrers_by_subject_scan(),
            AnySource::Layout(l) => l.referrers_by_subject_scan(),
        }
    }

    fn notes(&self) -> Vec<String> {
        match self {
            AnySource::Remote(r) => r.notes(),
            AnySource::Layout(l) => l.notes(),
        }
    }
}

/// Credentials as cosign chooses them: explicit flags first, then the docker config.
pub fn choose_credentials(
    username: Option<&str>,
    password: Option<&str>,
    token: Option<&str>,
    registry: &str,
) -> Result<Credentials, super::credentials::CredentialError> {
    if let Some(token) = token {
        return Ok(Credentials::Bearer(token.to_owned()));
    }
    if let (Some(u), Some(p)) = (username, password) {
        return Ok(Credentials::Basic {
            username: u.to_owned(),
            password: p.to_owned(),
        });
    }
    match super::credentials::default_docker_config_path() {
        Some(path) => super::credentials::from_docker_config(&path, registry),
        None => Ok(Credentials::Anonymous),
    }
}
