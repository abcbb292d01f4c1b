//! Who made one signature, as compared across builds: the attributes of a Fulcio certificate
//! (or a Notary Project signer) that should stay the same from one build to the next.

use serde::Serialize;

/// The attributes compared across builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// The signer's identity (the certificate SAN), without a workflow's per-build ref.
    Identity,
    /// The OIDC issuer (Fulcio extension `.8`, or `.1` in older certificates).
    Issuer,
    /// The CA that issued the signing certificate (its subject DN).
    CertificateAuthority,
    /// The source repository URI (Fulcio `.12`).
    SourceRepository,
    /// The workflow that signed (the build config URI, Fulcio `.18`, without its ref).
    Workflow,
    /// Where the build ran: `github-hosted` or `self-hosted` (Fulcio `.11`).
    Runner,
    /// The event that started the build (`push`, `workflow_dispatch`; Fulcio `.20`).
    Trigger,
}

impl Attribute {
    /// Every attribute, in the order tables show them.
    pub const ALL: [Attribute; 7] = [
        Attribute::Identity,
        Attribute::Issuer,
        Attribute::CertificateAuthority,
        Attribute::SourceRepository,
        Attribute::Workflow,
        Attribute::Runner,
        Attribute::Trigger,
    ];

    /// The attribute's name as tables show it.
    pub fn label(self) -> &'static str {
        match self {
            Attribute::Identity => "identity",
            Attribute::Issuer => "issuer",
            Attribute::CertificateAuthority => "certificate authority",
            Attribute::SourceRepository => "source repository",
            Attribute::Workflow => "workflow",
            Attribute::Runner => "runner",
            Attribute::Trigger => "trigger",
        }
    }
}

/// Who made one signature: its certificate's identity and claims (or a Notary Project signer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// The SAN as it stands.
    pub identity: String,
    /// The OIDC issuer that vouched for the identity.
    pub issuer: Option<String>,
    /// The signing certificate's issuer DN.
    pub certificate_authority: String,
    /// The source repository URI.
    pub source_repository: Option<String>,
    /// The workflow (build config URI), without its `@ref`.
    pub workflow: Option<String>,
    /// The git ref built (`refs/tags/v1.2.0`); differs per build by design.
    pub git_ref: Option<String>,
    /// The commit built; differs per build by design.
    pub commit: Option<String>,
    /// `github-hosted` or `self-hosted`.
    pub runner: Option<String>,
    /// The triggering event.
    pub trigger: Option<String>,
    /// The signing certificate (DER), to check its CA against a trusted root.
    #[serde(skip)]
    pub certificate: Vec<u8>,
    /// A Notary Project signer: its signing scheme and, when countersigned, the timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notation: Option<NotationSigner>,
}

/// What a Notary Project signature says of its signer beyond the certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NotationSigner {
    /// `notary.x509` or `notary.x509.signingAuthority`.
    pub signing_scheme: String,
    /// `JWS` or `COSE`.
    pub envelope: String,
    /// The claimed signing time (or the authentic signing time).
    pub signing_time: Option<String>,
    /// The RFC 3161 countersignature's genTime, when there is one (decoded, not verified).
    pub timestamp: Option<String>,
}

impl Signer {
    /// A Notary Project signer: the leaf's subject DN is its identity, the signing scheme
    /// stands for the issuer.
    pub(super) fn from_notation(view: &crate::artifact::notation::NotationView) -> Option<Signer> {
        let leaf = view.certificates.first()?.as_ref().ok()?;
        let e = &view.envelope;
        Some(Signer {
            identity: leaf.subject.clone(),
            issuer: Some(format!(
                "notation {}",
                e.signing_scheme.as_deref().unwrap_or("(no signing scheme)")
            )),
            certificate_authority: leaf.issuer.clone(),
            notation: Some(NotationSigner {
                signing_scheme: e.signing_scheme.clone().unwrap_or_default(),
                envelope: e.format.name().to_owned(),
                signing_time: e.claimed_signing_time().map(|t| t.text.clone()),
                timestamp: view
                    .timestamp
                    .as_ref()
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| t.gen_time_rfc3339.clone()),
            }),
            ..Signer::default()
        })
    }

    /// The compared value of `attribute` (the identity without its per-build `@ref`).
    pub fn value(&self, attribute: Attribute) -> Option<&str> {
        match attribute {
            Attribute::Identity => Some(strip_ref(&self.identity)),
            Attribute::Issuer => self.issuer.as_deref(),
            Attribute::CertificateAuthority => Some(&self.certificate_authority),
            Attribute::SourceRepository => self.source_repository.as_deref(),
            Attribute::Workflow => self.workflow.as_deref(),
            Attribute::Runner => self.runner.as_deref(),
            Attribute::Trigger => self.trigger.as_deref(),
        }
    }
}

/// `https://…/release.yml@refs/tags/v1` → `https://…/release.yml`.
pub fn strip_ref(uri: &str) -> &str {
    match uri.rfind("@refs/") {
        Some(i) => &uri[..i],
        None => uri,
    }
}
