//! What can go wrong with a TUF repository, sorted by what sigscope may do about it: a security
//! failure (a signature, threshold, version, expiry, length or hash check) is final whatever the
//! source; an unreachable mirror lets the default public mirror fall back; everything else stops.

use super::transport::FetchFailure;

/// Why no trusted root came from a TUF repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TufError {
    /// A TUF check failed: the repository (or what is between it and us) is not to be trusted.
    /// Never a reason to fall back to an older or embedded root.
    #[error("TUF repository {mirror}: {role} check failed: {reason}")]
    Security {
        mirror: String,
        /// The role whose check failed: root, timestamp, snapshot, targets (a target's bytes are
        /// the targets role's pin).
        role: String,
        reason: String,
    },
    /// The mirror did not answer (no connection, timeout, server error).
    #[error("TUF mirror {mirror} unreachable: {reason}")]
    Unreachable { mirror: String, reason: String },
    /// The mirror answered wrongly (an error status, a missing file, too many bytes).
    #[error("TUF mirror {mirror}: {reason}")]
    Mirror { mirror: String, reason: String },
    /// The root to start from (`--tuf-root`, or an embedded one) is unusable.
    #[error("TUF root {origin}: {reason}")]
    Bootstrap { origin: String, reason: String },
    /// `--offline`, and nothing cached to use.
    #[error("offline: no TUF cache for {mirror}: {reason}")]
    Offline { mirror: String, reason: String },
}

impl TufError {
    /// Whether the default public mirror may fall back after this error (it could not be
    /// reached); never for a security failure.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, TufError::Unreachable { .. })
    }

    /// Sorts a sigstore-tuf error met while talking to `mirror`.
    pub fn from_tuf(mirror: &str, error: &sigstore_tuf::Error) -> TufError {
        use sigstore_tuf::Error as E;
        let security = |role: &str| TufError::Security {
            mirror: mirror.to_owned(),
            role: role.to_owned(),
            reason: chain(error),
        };
        match error {
            E::ThresholdNotMet { role, .. } | E::DuplicateSignature { role, .. } => {
                security(role_name(role))
            }
            E::Rollback { role, .. } | E::Expired { role, .. } | E::EqualVersion { role, .. } => {
                security(role_name(role))
            }
            E::BadRootVersion { .. } => security("root"),
            E::IntegrityMismatch(what) => security(pinned_role(what)),
            E::TargetNotFound(_) => security("targets"),
            E::Transport { source, message } => {
                match source
                    .as_deref()
                    .and_then(|s| s.downcast_ref::<FetchFailure>())
                {
                    Some(FetchFailure::Unreachable(reason)) => TufError::Unreachable {
                        mirror: mirror.to_owned(),
                        reason: reason.clone(),
                    },
                    Some(FetchFailure::TooLong { file, reason }) => TufError::Security {
                        mirror: mirror.to_owned(),
                        role: file_role(file).to_owned(),
                        reason: reason.clone(),
                    },
                    Some(FetchFailure::Answer(reason)) => TufError::Mirror {
                        mirror: mirror.to_owned(),
                        reason: reason.clone(),
                    },
                    None => TufError::Mirror {
                        mirror: mirror.to_owned(),
                        reason: message.clone(),
                    },
                }
            }
            // Unparsable or unverifiable metadata is an attack until shown otherwise.
            _ => security("metadata"),
        }
    }
}

/// An error and its causes, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The top-level role in sigstore-tuf's role labels ("snapshot (via timestamp)", "targets.json
/// (via snapshot)").
fn role_name(label: &str) -> &str {
    let first = label.split([' ', '.']).next().unwrap_or(label);
    match first {
        "root" | "timestamp" | "snapshot" | "targets" => first,
        _ => label,
    }
}

/// The role a fetched file belongs to: `N.root.json`, `timestamp.json`, `N.snapshot.json`,
/// `N.targets.json`; anything else is a target, which the targets role pins.
fn file_role(file: &str) -> &'static str {
    let name = file.rsplit('/').next().unwrap_or(file);
    let role = name.trim_end_matches(".json");
    let role = role.rsplit('.').next().unwrap_or(role);
    match (name.ends_with(".json"), role) {
        (true, "root") => "root",
        (true, "timestamp") => "timestamp",
        (true, "snapshot") => "snapshot",
        _ => "targets",
    }
}

/// The role whose pin a length or hash mismatch broke: snapshot.json is pinned by timestamp but
/// is the snapshot's bytes; targets.json by snapshot; any other file is a target.
fn pinned_role(what: &str) -> &'static str {
    if what.starts_with("snapshot") {
        "snapshot"
    } else {
        // "targets.json: …", "targets.json version … does not match snapshot pin", or a target
        // file ("trusted_root.json: sha256 mismatch"), which the targets role pins.
        "targets"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_sorted_by_role_and_kind() {
        let expired = sigstore_tuf::Error::Expired {
            role: "timestamp".into(),
            expires: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
        };
        let e = TufError::from_tuf("http://m", &expired);
        assert_eq!(
            e.to_string(),
            "TUF repository http://m: timestamp check failed: timestamp metadata expired at \
             2023-11-14T22:13:20Z"
        );
        let rollback = sigstore_tuf::Error::Rollback {
            role: "targets.json (via snapshot)".into(),
            trusted: 2,
            new: 1,
        };
        assert!(matches!(
            TufError::from_tuf("m", &rollback),
            TufError::Security { role, .. } if role == "targets"
        ));
        let hash = sigstore_tuf::Error::IntegrityMismatch("snapshot.json: sha256 mismatch".into());
        assert!(matches!(
            TufError::from_tuf("m", &hash),
            TufError::Security { role, .. } if role == "snapshot"
        ));
        let down = sigstore_tuf::Error::transport_with_source(
            "GET x",
            FetchFailure::Unreachable("connection refused".into()),
        );
        let e = TufError::from_tuf("m", &down);
        assert!(e.is_unreachable(), "{e}");
        let long = sigstore_tuf::Error::transport_with_source(
            "GET x",
            FetchFailure::TooLong {
                file: "7.snapshot.json".into(),
                reason: "limit reached".into(),
            },
        );
        assert!(matches!(
            TufError::from_tuf("m", &long),
            TufError::Security { role, .. } if role == "snapshot"
        ));
        assert_eq!(file_role("timestamp.json"), "timestamp");
        assert_eq!(file_role("3.root.json"), "root");
        assert_eq!(file_role("abc123.trusted_root.json"), "targets");
        let missing = sigstore_tuf::Error::transport("timestamp.json not found");
        assert!(!TufError::from_tuf("m", &missing).is_unreachable());
    }
}
