//! Registry scopes (`trust-store-trust-policy.md`, "OCI Trust Policy Constraints"): each in
//! one statement, `*` alone in its statement, every other one a fully qualified repository.

use super::policy::Statement;

/// Each scope in one statement; `*` alone in its statement; others fully qualified
/// repositories (`domain/repository`, no tag, no `*`).
pub fn check_scopes(statements: &[Statement]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for s in statements {
        if s.registry_scopes.is_empty() {
            return Err(format!("statement {:?} has no registry scopes", s.name));
        }
        if s.registry_scopes.len() > 1 && s.registry_scopes.iter().any(|r| r == "*") {
            return Err(format!(
                "statement {:?}: the scope \"*\" cannot be listed with others",
                s.name
            ));
        }
        for scope in &s.registry_scopes {
            if scope != "*" {
                valid_scope(scope)?;
            }
            if !seen.insert(scope.clone()) {
                return Err(format!(
                    "registry scope {scope:?} is in more than one statement"
                ));
            }
        }
    }
    Ok(())
}

/// A fully qualified repository, as notation-go's `validateRegistryScopeFormat` (after
/// distribution's reference grammar) accepts it.
pub fn valid_scope(scope: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "registry scope {scope:?} is not a fully qualified repository (domain.com/my/repository, no tag)"
        )
    };
    if scope.contains('*') {
        return Err(bad());
    }
    let (domain, path) = scope.split_once('/').ok_or_else(bad)?;
    let domain_ok = {
        let (host, port) = domain.split_once(':').unwrap_or((domain, "1"));
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    };
    let path_ok = !path.is_empty()
        && path.split('/').all(|component| {
            !component.is_empty()
                && component.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
                && component
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
                && component
                    .bytes()
                    .last()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        });
    if domain_ok && path_ok {
        Ok(())
    } else {
        Err(bad())
    }
}
