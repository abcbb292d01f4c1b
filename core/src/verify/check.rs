//! Checks and their outcomes: passed (with the fact established), failed (with the reason, and
//! the expected and actual values where there are two), or skipped (with why).

use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Passed {
        detail: String,
    },
    Failed {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        expected: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        actual: Option<String>,
    },
    Skipped {
        why: String,
    },
    /// What was to be checked is of a kind sigscope does not understand (a log entry of an
    /// unknown type, a newer format): the signature proves nothing either way, and the image
    /// is "could not check" unless another signature verifies.
    NotUnderstood {
        reason: String,
    },
    /// The check failed, and the policy only logs that failure (a Notary Project trust policy's
    /// `log` action): it does not fail the signature.
    Logged {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        expected: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        actual: Option<String>,
    },
}

impl Outcome {
    /// Reports list failures first, then logged failures, then the rest (stable within each).
    pub fn rank(&self) -> u8 {
        match self {
            Outcome::Failed { .. } => 0,
            Outcome::Logged { .. } => 1,
            Outcome::NotUnderstood { .. } => 1,
            Outcome::Passed { .. } | Outcome::Skipped { .. } => 2,
        }
    }
}

/// One named check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The ordered checks of one signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    pub fn pass(&mut self, name: &'static str, detail: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Passed {
                detail: detail.into(),
            },
        });
    }

    pub fn fail(&mut self, name: &'static str, reason: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Failed {
                reason: reason.into(),
                expected: None,
                actual: None,
            },
        });
    }

    pub fn mismatch(
        &mut self,
        name: &'static str,
        reason: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) {
        self.0.push(Check {
            name,
            outcome: Outcome::Failed {
                reason: reason.into(),
                expected: Some(expected.into()),
                actual: Some(actual.into()),
            },
        });
    }

    pub fn skip(&mut self, name: &'static str, why: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Skipped { why: why.into() },
        });
    }

    pub fn not_understood(&mut self, name: &'static str, reason: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::NotUnderstood {
                reason: reason.into(),
            },
        });
    }

    /// A failure the policy only logs (the signature can still verify).
    pub fn log(
        &mut self,
        name: &'static str,
        reason: impl Into<String>,
        expected: Option<String>,
        actual: Option<String>,
    ) {
        self.0.push(Check {
            name,
            outcome: Outcome::Logged {
                reason: reason.into(),
                expected,
                actual,
            },
        });
    }

    /// Whether a check could not be made because its subject was not understood.
    pub fn undetermined(&self) -> bool {
        self.0
            .iter()
            .any(|c| matches!(c.outcome, Outcome::NotUnderstood { .. }))
    }

    /// Records a result: `Ok(detail)` passes, `Err(reason)` fails.
    pub fn record(&mut self, name: &'static str, result: Result<String, String>) -> bool {
        match result {
            Ok(detail) => {
                self.pass(name, detail);
                true
            }
            Err(reason) => {
                self.fail(name, reason);
                false
            }
        }
    }

    /// No check failed or went unmade. (Skipped checks are only ever skipped on the user's
    /// explicit request, or after an enforced failure; logged failures do not count, as the
    /// policy asked.)
    pub fn all_passed(&self) -> bool {
        !self.0.is_empty()
            && self.0.iter().all(|c| {
                !matches!(
                    c.outcome,
                    Outcome::Failed { .. } | Outcome::NotUnderstood { .. }
                )
            })
    }

    /// The checks that failed or could not be made.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.0.iter().filter(|c| {
            matches!(
                c.outcome,
                Outcome::Failed { .. } | Outcome::NotUnderstood { .. }
            )
        })
    }
}
