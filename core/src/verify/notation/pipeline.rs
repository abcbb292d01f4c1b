//! One signature through the validations, in the spec's order, each recorded with the action
//! its statement's level gives it: a failure that is enforced fails the signature and ends the
//! run (the rest are reported as not evaluated), one that is logged is kept as logged and the
//! run goes on, one the level skips is reported as skipped.

use super::certchain::ChainCert;
use super::{Failure, NotationContext, authenticity, integrity, timestamp};
use crate::artifact::encoding::rfc3339;
use crate::artifact::notation::Envelope;
use crate::inventory::model::ImageReport;
use crate::trust::notation::{Action, Statement, Validation};
use crate::verify::check::Checks;
use crate::verify::report::SignatureVerdict;

/// The checks of one signature under a statement, as they are recorded.
struct Run<'a> {
    statement: &'a Statement,
    checks: Checks,
    /// The enforced failure that ended the run.
    stopped: Option<&'static str>,
}

impl Run<'_> {
    /// Records one check of `validation`; returns whether it passed or only logged.
    fn record(
        &mut self,
        name: &'static str,
        validation: Validation,
        result: impl FnOnce() -> Result<String, Failure>,
    ) -> bool {
        if let Some(earlier) = self.stopped {
            self.checks.skip(
                name,
                format!("not evaluated: {earlier} failed and is enforced"),
            );
            return false;
        }
        let action = self.statement.level.action(validation);
        if action == Action::Skip {
            self.checks.skip(
                name,
                format!(
                    "statement {:?} skips {} (level {})",
                    self.statement.name,
                    validation.key(),
                    self.statement.level.name
                ),
            );
            return true;
        }
        let failure = match result() {
            Ok(detail) => {
                self.checks.pass(name, detail);
                return true;
            }
            Err(f) => f,
        };
        let how = if action == Action::Enforce {
            "enforced"
        } else {
            "logged"
        };
        let reason = format!(
            "{} [trust policy statement {:?}, level {}: {} is {how}]",
            failure.reason,
            self.statement.name,
            self.statement.level.name,
            validation.key()
        );
        if action == Action::Enforce {
            self.stopped = Some(name);
            match (failure.expected, failure.actual) {
                (Some(e), Some(a)) => self.checks.mismatch(name, reason, e, a),
                _ => self.checks.fail(name, reason),
            }
            false
        } else {
            self.checks
                .log(name, reason, failure.expected, failure.actual);
            true
        }
    }
}

/// A signature whose envelope did not parse: integrity fails (always enforced).
pub fn malformed(statement: &Statement, place: String, reason: &str) -> SignatureVerdict {
    let mut run = Run {
        statement,
        checks: Checks::default(),
        stopped: None,
    };
    run.record("integrity", Validation::Integrity, || {
        Err(Failure::new(format!("the envelope is malformed: {reason}")))
    });
    SignatureVerdict::new(place, None, run.checks)
}

/// The validations of one envelope on `image` under `statement`.
pub fn verify_envelope(
    ctx: &NotationContext,
    statement: &Statement,
    image: &ImageReport,
    envelope: &Envelope,
    place: String,
) -> SignatureVerdict {
    let mut run = Run {
        statement,
        checks: Checks::default(),
        stopped: None,
    };
    let mut chain: Vec<ChainCert> = Vec::new();
    run.record("integrity", Validation::Integrity, || {
        integrity::check(envelope).map(|(c, detail)| {
            chain = c;
            detail
        })
    });
    let signer = chain.first().map(|leaf| leaf.subject.clone());
    run.record("subject", Validation::Integrity, || {
        integrity::check_subject(
            envelope,
            &image.digest.to_string(),
            &image.media_type,
            image.size,
        )
    });
    let scheme = envelope.signing_scheme.as_deref().unwrap_or_default();
    run.record("authenticity", Validation::Authenticity, || {
        authenticity::check_store(statement, &ctx.trust.store, scheme, &chain)
    });
    run.record("trusted identity", Validation::Authenticity, || {
        chain
            .first()
            .ok_or_else(|| Failure::new("no signing certificate"))
            .and_then(|leaf| authenticity::check_identity(statement, leaf))
    });
    let now = ctx.clock.now();
    run.record("expiry", Validation::Expiry, || match &envelope.expiry {
        None => Ok("the signature carries no expiry".into()),
        Some(e) if now < e.unix => Ok(format!("the signature expires at {}", e.text)),
        Some(e) => Err(Failure::mismatch(
            "the signature has expired",
            format!("verification before {}", e.text),
            rfc3339(now),
        )),
    });
    run.record(
        "authentic timestamp",
        Validation::AuthenticTimestamp,
        || timestamp::check(statement, &ctx.trust.store, envelope, &chain, now),
    );
    run.record("revocation", Validation::Revocation, || revocation(&chain));
    SignatureVerdict::new(place, signer, run.checks)
}

/// Revocation (`trust-store-trust-policy.md`, "Certificate Revocation Evaluation"): a
/// certificate that names no OCSP responder or CRL has nothing to check and counts as not
/// revoked (notation: non-revocable); one that names them cannot be checked offline, which the
/// spec treats as "revocation unavailable": a failure, enforced or logged as the level says.
fn revocation(chain: &[ChainCert]) -> Result<String, Failure> {
    let named: Vec<String> = chain
        .iter()
        .filter_map(|c| {
            let sources = c.revocation_sources();
            (!sources.is_empty()).then(|| format!("{:?} ({})", c.subject, sources.join(", ")))
        })
        .collect();
    if named.is_empty() {
        Ok("no certificate of the chain names an OCSP responder or CRL: nothing to check".into())
    } else {
        Err(Failure::new(format!(
            "not checked (offline): sigscope makes no network requests beyond the registry; \
             revocation status of {} is unavailable",
            named.join(", ")
        )))
    }
}
