//! A `ClusterImagePolicy` `KeyRef` (an authority's `key`, a keyless `ca-cert`): validated as
//! `KeyRef.Validate` and `common.ValidateKMS`, then the key material the webhook would load.

use serde_json::{Map, Value};

use super::{STRICT, refused};
use crate::policy::document::{NoteKind, Notes, PolicyError, child, string};

/// The namespace policy-controller is usually deployed in: a `secretRef.namespace` must be it.
const SYSTEM_NAMESPACE: &str = "cosign-system";

pub(super) enum KeyMaterial {
    /// PEM keys, and a hash algorithm other than SHA-256 when one is named.
    Keys(Vec<crate::verify::key::PublicKey>, Option<String>),
    /// A secret or KMS key: not readable offline.
    Elsewhere(String),
}

/// `KeyRef.Validate`, then the key material.
pub(super) fn key_ref(
    key: &Map<String, Value>,
    at: &str,
    notes: &mut Notes,
) -> Result<KeyMaterial, PolicyError> {
    STRICT.known_fields(key, at, &["data", "secretRef", "kms", "hashAlgorithm"])?;
    let data = string(key, "data", at)?.unwrap_or_default();
    let kms = string(key, "kms", at)?.unwrap_or_default();
    let secret = child(key, "secretRef", at)?;
    let given = usize::from(!data.is_empty())
        + usize::from(!kms.is_empty())
        + usize::from(secret.is_some());
    if given == 0 {
        return Err(refused(
            at,
            "expected exactly one, got neither: data, kms, secretref",
        ));
    }
    if given > 1 {
        return Err(refused(
            at,
            "expected exactly one, got both: data, kms, secretref",
        ));
    }
    let hash = string(key, "hashAlgorithm", at)?.unwrap_or_default();
    let hash = hash.trim().to_ascii_lowercase();
    if !["", "sha224", "sha256", "sha384", "sha512"].contains(&hash.as_str()) {
        return Err(refused(
            &format!("{at}.hashAlgorithm"),
            format!("invalid value: {hash}: unknown digest algorithm"),
        ));
    }
    if !kms.is_empty() {
        validate_kms(&kms, &format!("{at}.kms"))?;
        notes.add(
            &format!("{at}.kms"),
            NoteKind::Unsupported,
            "a KMS key cannot be read offline: \"could not check\"",
        );
        return Ok(KeyMaterial::Elsewhere(format!(
            "key.kms {kms} cannot be read offline"
        )));
    }
    if let Some(secret) = secret {
        let sp = format!("{at}.secretRef");
        STRICT.known_fields(secret, &sp, &["name", "namespace"])?;
        if let Some(ns) =
            string(secret, "namespace", &sp)?.filter(|n| !n.is_empty() && n != SYSTEM_NAMESPACE)
        {
            return Err(refused(
                &format!("{sp}.namespace"),
                format!(
                    "invalid value: {ns}: secretref.namespace is invalid. If set, it should use the \
                     same namespace where the policy-controller was deployed ({SYSTEM_NAMESPACE})"
                ),
            ));
        }
        notes.add(
            &sp,
            NoteKind::Unsupported,
            "a Kubernetes secret cannot be read offline: \"could not check\"",
        );
        return Ok(KeyMaterial::Elsewhere(
            "key.secretRef cannot be read offline".into(),
        ));
    }
    // cryptoutils.UnmarshalPEMToPublicKey: the first PEM block must be a public key.
    let keys = first_public_key(&data).ok_or_else(|| {
        refused(
            &format!("{at}.data"),
            "invalid value: data (not a PEM public key)",
        )
    })?;
    let hash = (!hash.is_empty() && hash != "sha256").then_some(hash);
    Ok(KeyMaterial::Keys(keys, hash))
}

/// The first PEM block of `data` as a public key, as `cryptoutils.UnmarshalPEMToPublicKey`
/// reads it: the webhook's `KeyRef` holds that one key, whatever follows it.
fn first_public_key(data: &str) -> Option<Vec<crate::verify::key::PublicKey>> {
    let first = pem::parse_many(data).ok()?.into_iter().next()?;
    if first.tag() != "PUBLIC KEY" {
        return None;
    }
    crate::verify::key::PublicKey::from_spki_der(first.contents())
        .ok()
        .map(|k| vec![k])
}

/// `common.ValidateKMS`: a supported provider prefix; AWS references in one of the AWS forms.
fn validate_kms(kms: &str, at: &str) -> Result<(), PolicyError> {
    const PROVIDERS: &[&str] = &["awskms://", "azurekms://", "hashivault://", "gcpkms://"];
    if !PROVIDERS.iter().any(|p| kms.starts_with(p)) {
        return Err(refused(
            at,
            format!(
                "invalid value: {kms}: malformed KMS format, should be prefixed by any of the \
                 supported providers: [{}]",
                PROVIDERS.join(" ")
            ),
        ));
    }
    if !kms.starts_with("awskms://") {
        return Ok(());
    }
    let invalid = |why: &str| refused(at, format!("invalid value: {kms}: {why}"));
    // validateAWSKMS: `awskms://ENDPOINT/KEY`, the endpoint optional, the key an ARN.
    let parts: Vec<&str> = kms.split('/').collect();
    if parts.len() < 4 {
        return Err(invalid(
            "malformed AWS KMS format 'awskms://$ENDPOINT/$KEYID'",
        ));
    }
    let uuid =
        r"m?r?k?-?[A-Fa-f0-9]{8}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{12}";
    let arn = r"arn:(?:aws|aws-us-gov|aws-cn):kms:[a-z0-9-]+:\d{12}:";
    let forms = [
        format!("^awskms://([^/]*)/({uuid})$"),
        format!("^awskms://([^/]*)/({arn}key/{uuid})$"),
        "^awskms://([^/]*)/((alias/.*))$".to_owned(),
        format!("^awskms://([^/]*)/({arn}(alias/.*))$"),
    ];
    let format_error =
        "kms key should be in the format awskms://[ENDPOINT]/[ID/ALIAS/ARN] (endpoint optional)";
    if !forms
        .iter()
        .any(|f| regex::Regex::new(f).is_ok_and(|r| r.is_match(kms)))
    {
        return Err(invalid(format_error));
    }
    let endpoint = parts[2];
    if endpoint.starts_with("arn") || endpoint.starts_with("alias") {
        return Err(invalid(format_error));
    }
    // net.SplitHostPort: one colon, or a bracketed IPv6 address and a port.
    let host_port = match endpoint.strip_prefix('[') {
        Some(rest) => rest
            .split_once("]:")
            .is_some_and(|(_, port)| !port.contains(':')),
        None => endpoint.matches(':').count() == 1,
    };
    if !endpoint.is_empty() && !host_port {
        return Err(invalid(&format!("malformed endpoint: address {endpoint}")));
    }
    // arn.Parse on the part before the next slash: `arn:P:S:R:A:RESOURCE`, key or alias.
    let sections: Vec<&str> = parts[3].splitn(6, ':').collect();
    if sections.len() < 6 || sections[0] != "arn" {
        return Err(invalid(
            "failed to parse either key or alias arn: arn: invalid prefix",
        ));
    }
    if sections[5] != "key" && sections[5] != "alias" {
        return Err(invalid(&format!("Got ARN resource {}", sections[5])));
    }
    Ok(())
}
