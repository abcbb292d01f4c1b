//! containers/image's reference-match tables (`signature/policy_reference_match_test.go`):
//! prmExactMatchTestTable, prmRepositoryMatchTestTable, matchRepoDigestOrExactTestTable and
//! the remapIdentity tables, run as its tests run them (symmetric tables both ways, invalid
//! image references skipped); and `docker/policyconfiguration/naming_test.go` (scope lookup).

use sigscope::policy::containers::{DockerReference, SignedIdentity};

use super::{Controller, Table};

const CI: Controller = Controller::Containers;
pub(super) const WHY: &str = "reference matching is a function of two reference strings (Docker Hub names no loopback registry serves)";

const FULL_RHEL: &str = "registry.access.redhat.com/rhel7/rhel:7.2.3";
const UNTAGGED_RHEL: &str = "registry.access.redhat.com/rhel7/rhel";
pub(super) const D: &str =
    "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const D2: &str = "@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn exact_table() -> Vec<(String, String, bool)> {
    let s = |a: &str, b: &str, r: bool| (a.to_owned(), b.to_owned(), r);
    vec![
        s("busybox:latest", "busybox:latest", true),
        s(FULL_RHEL, FULL_RHEL, true),
        s(&format!("busybox{D}"), &format!("busybox{D}"), true),
        s("library/busybox:latest", "busybox:latest", true),
        s("docker.io/library/busybox:latest", "busybox:latest", true),
        s(&format!("library/busybox{D}"), &format!("busybox{D}"), true),
        s("busybox:latest", "busybox:notlatest", false),
        s("busybox:latest", "notbusybox:latest", false),
        s(
            "busybox:latest",
            "hostname/library/busybox:notlatest",
            false,
        ),
        s(
            "hostname/library/busybox:latest",
            "busybox:notlatest",
            false,
        ),
        s("busybox:latest", FULL_RHEL, false),
        s(&format!("busybox{D}"), &format!("notbusybox{D}"), false),
        s("busybox:latest", &format!("busybox{D}"), false),
        s(&format!("busybox{D}"), &format!("busybox{D2}"), false),
        s("busybox", "busybox:latest", false),
        s("busybox", &format!("busybox{D}"), false),
        s("busybox", "busybox", false),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:latest{D}"),
            true,
        ),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:latest{D2}"),
            false,
        ),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:notlatest{D}"),
            false,
        ),
        s(&format!("busybox:latest{D}"), &format!("busybox{D}"), false),
        s(&format!("busybox:latest{D}"), "busybox:latest", false),
        s(
            "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES",
            "busybox:latest",
            false,
        ),
        s("", "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES", false),
        s("INVALID", "INVALID", false),
    ]
}

fn repository_table() -> Vec<(String, String, bool)> {
    let s = |a: &str, b: &str, r: bool| (a.to_owned(), b.to_owned(), r);
    vec![
        s("busybox:latest", "busybox:latest", true),
        s(FULL_RHEL, FULL_RHEL, true),
        s(&format!("busybox{D}"), &format!("busybox{D}"), true),
        s("library/busybox:latest", "busybox:latest", true),
        s("docker.io/library/busybox:latest", "busybox:latest", true),
        s(&format!("library/busybox{D}"), &format!("busybox{D}"), true),
        s("busybox:latest", "busybox:notlatest", true),
        s(&format!("{FULL_RHEL}tagsuffix"), FULL_RHEL, true),
        s("library/busybox:latest", "busybox:notlatest", true),
        s("busybox:latest", "library/busybox:notlatest", true),
        s(
            "docker.io/library/busybox:notlatest",
            "busybox:latest",
            true,
        ),
        s(
            "busybox:notlatest",
            "docker.io/library/busybox:latest",
            true,
        ),
        s("busybox:latest", &format!("busybox{D}"), true),
        s(&format!("busybox{D}"), &format!("busybox{D2}"), true),
        s("busybox", "busybox:notlatest", true),
        s(FULL_RHEL, UNTAGGED_RHEL, true),
        s("busybox", &format!("busybox{D}"), true),
        s("library/busybox", "busybox", true),
        s("docker.io/library/busybox", "busybox", true),
        s("busybox:latest", "notbusybox:latest", false),
        s(
            "hostname/library/busybox:latest",
            "busybox:notlatest",
            false,
        ),
        s("busybox:latest", FULL_RHEL, false),
        s(&format!("busybox{D}"), &format!("notbusybox{D}"), false),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:latest{D}"),
            true,
        ),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:latest{D2}"),
            true,
        ),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:notlatest{D}"),
            true,
        ),
        s(&format!("busybox:latest{D}"), &format!("busybox{D}"), true),
        s(&format!("busybox:latest{D}"), "busybox:latest", true),
        s(
            "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES",
            "busybox:latest",
            false,
        ),
        s("", "UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES", false),
        s("INVALID", "INVALID", false),
    ]
}

fn repo_digest_or_exact_table() -> Vec<(String, String, bool)> {
    let s = |a: &str, b: &str, r: bool| (a.to_owned(), b.to_owned(), r);
    vec![
        s("busybox:latest", "busybox:notlatest", false),
        s(&format!("{FULL_RHEL}tagsuffix"), FULL_RHEL, false),
        s("library/busybox:latest", "busybox:notlatest", false),
        s("busybox:latest", "library/busybox:notlatest", false),
        s(
            "docker.io/library/busybox:notlatest",
            "busybox:latest",
            false,
        ),
        s(
            "busybox:notlatest",
            "docker.io/library/busybox:latest",
            false,
        ),
        s("busybox", "busybox:latest", false),
        s("busybox:latest", "busybox", false),
        s("busybox", &format!("busybox{D}"), false),
        s(&format!("busybox{D}"), "busybox", false),
        s(FULL_RHEL, UNTAGGED_RHEL, false),
        s("busybox", "busybox", false),
        s("busybox:latest", &format!("busybox{D}"), false),
        s(&format!("busybox{D}"), "busybox:latest", true),
        s(&format!("busybox{D}"), &format!("busybox{D2}"), true),
        s(&format!("busybox:latest{D}"), "busybox:latest", false),
        s(&format!("busybox:latest{D}"), "busybox:notlatest", false),
        s("busybox:latest", &format!("busybox:latest{D}"), false),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:latest{D2}"),
            false,
        ),
        s(
            &format!("busybox:latest{D}"),
            &format!("busybox:notlatest{D2}"),
            false,
        ),
    ]
}

/// The image side: `None` for references the tests skip (invalid image references never occur).
fn image(reference: &str) -> Option<DockerReference> {
    DockerReference::parse(reference)
}

pub fn rows(t: &mut Table) {
    let mut check =
        |table: &str, identity: &SignedIdentity, image_ref: &str, sig: &str, expected: bool| {
            let Some(intended) = image(image_ref) else {
                return;
            };
            t.function(
                CI,
                &format!(
                    "containers/image policy_reference_match_test {table} {image_ref} vs. {sig}"
                ),
                expected,
                Ok(identity.matches(&intended, sig)),
                WHY,
            );
        };
    // TestPRMMatchExactMatchesDockerReference, both ways.
    for (a, b, r) in exact_table() {
        check(
            "TestPRMMatchExactMatchesDockerReference",
            &SignedIdentity::MatchExact,
            &a,
            &b,
            r,
        );
        check(
            "TestPRMMatchExactMatchesDockerReference",
            &SignedIdentity::MatchExact,
            &b,
            &a,
            r,
        );
    }
    // TestPRMMatchRepositoryMatchesDockerReference, both ways.
    for (a, b, r) in repository_table() {
        check(
            "TestPRMMatchRepositoryMatchesDockerReference",
            &SignedIdentity::MatchRepository,
            &a,
            &b,
            r,
        );
        check(
            "TestPRMMatchRepositoryMatchesDockerReference",
            &SignedIdentity::MatchRepository,
            &b,
            &a,
            r,
        );
    }
    // TestPRMMatchRepoDigestOrExactMatchesDockerReference: the exact table's accepts, the
    // repository table's rejects, both ways, then the asymmetric table.
    let rde = SignedIdentity::MatchRepoDigestOrExact;
    for (a, b, r) in exact_table().into_iter().filter(|c| c.2) {
        check(
            "TestPRMMatchRepoDigestOrExactMatchesDockerReference",
            &rde,
            &a,
            &b,
            r,
        );
        check(
            "TestPRMMatchRepoDigestOrExactMatchesDockerReference",
            &rde,
            &b,
            &a,
            r,
        );
    }
    for (a, b, r) in repository_table().into_iter().filter(|c| !c.2) {
        check(
            "TestPRMMatchRepoDigestOrExactMatchesDockerReference",
            &rde,
            &a,
            &b,
            r,
        );
        check(
            "TestPRMMatchRepoDigestOrExactMatchesDockerReference",
            &rde,
            &b,
            &a,
            r,
        );
    }
    for (a, b, r) in repo_digest_or_exact_table() {
        check(
            "TestPRMMatchRepoDigestOrExactMatchesDockerReference",
            &rde,
            &a,
            &b,
            r,
        );
    }
    exact_reference_rows(t);
    super::containers_remap::remap_rows(t);
    super::containers_remap::naming_rows(t);
}

/// TestPRMExactReferenceMatchesDockerReference / TestPRMExactRepositoryMatchesDockerReference:
/// the configured reference is the first of the pair, invalid ones included.
fn exact_reference_rows(t: &mut Table) {
    let any_image = DockerReference::parse("unrelated.example/image:tag").unwrap();
    for (a, b, r) in exact_table() {
        for (config, sig) in [(&a, &b), (&b, &a)] {
            let identity = SignedIdentity::ExactReference {
                reference: config.clone(),
            };
            t.function(
                CI,
                &format!("containers/image policy_reference_match_test TestPRMExactReferenceMatchesDockerReference {config} vs. {sig}"),
                r,
                Ok(identity.matches(&any_image, sig)),
                WHY,
            );
        }
    }
    for (a, b, r) in repository_table() {
        for (config, sig) in [(&a, &b), (&b, &a)] {
            let identity = SignedIdentity::ExactRepository {
                repository: config.clone(),
            };
            t.function(
                CI,
                &format!("containers/image policy_reference_match_test TestPRMExactRepositoryMatchesDockerReference {config} vs. {sig}"),
                r,
                Ok(identity.matches(&any_image, sig)),
                WHY,
            );
        }
    }
}
