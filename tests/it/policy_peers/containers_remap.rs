//! containers/image's remapIdentity tables (`policy_reference_match_test.go`:
//! TestPRMRemapIdentityRefMatchesPrefix, TestPRMRemapIdentityRemapReferencePrefix,
//! TestPRMRemapIdentityMatchesDockerReference) and `docker/policyconfiguration/naming_test.go`
//! (TestDockerReference: the scopes looked up for a reference).

use sigscope::policy::containers::{DockerReference, SignedIdentity, lookup_order, remap};

use super::containers_identity::{D, WHY};
use super::{Controller, Table};

const CI: Controller = Controller::Containers;

pub(super) fn remap_rows(t: &mut Table) {
    // TestPRMRemapIdentityRefMatchesPrefix: (ref, prefix, matches).
    let prefix_rows: &[(&str, &str, bool)] = &[
        ("docker.io/image", "docker.io", true),
        ("docker.io/image", "example.com", false),
        ("example.com:5000/image", "example.com:5000", true),
        ("example.com:50000/image", "example.com:5000", false),
        ("example.com:5000/image", "example.com", false),
        ("example.com/foo", "example.com", true),
        ("example.com/foo/bar", "example.com", true),
        ("example.com/foo/bar:baz", "example.com", true),
        ("docker.io/ns/image", "docker.io/library", false),
        ("example.com/library", "docker.io/library", false),
        ("docker.io/libraryy/image", "docker.io/library", false),
        ("docker.io/library/busybox", "docker.io/library", true),
        ("example.com/ns/image", "example.com/ns", true),
        ("example.com/ns2/image", "example.com/ns", false),
        ("example.com/n2/image", "example.com/ns", false),
        ("example.com", "example.com/library/busybox", false),
        ("example.com:5000/ns/image", "example.com/ns", false),
        ("example.com/ns/image", "example.com:5000/ns", false),
        (
            "docker.io/library/busybox",
            "docker.io/library/busybox",
            true,
        ),
        (
            "example.com/library/busybox",
            "docker.io/library/busybox",
            false,
        ),
        (
            "docker.io/library/busybox2",
            "docker.io/library/busybox",
            false,
        ),
        ("example.com/ns/image", "example.com/ns/image", true),
        ("example.com/ns/imag2", "example.com/ns/image", false),
        ("example.com/ns/imagee", "example.com/ns/image", false),
        ("example.com:5000/ns/image", "example.com/ns/image", false),
        ("example.com/ns/image", "example.com:5000/ns/image", false),
        ("example.com/ns/image:tag", "example.com/ns/image", true),
    ];
    let with_digest = [
        (format!("example.com/foo/bar{D}"), "example.com", true),
        (
            format!("example.com/ns/image{D}"),
            "example.com/ns/image",
            true,
        ),
        (
            format!("example.com/ns/image:tag{D}"),
            "example.com/ns/image",
            true,
        ),
    ];
    let all = prefix_rows
        .iter()
        .map(|(r, p, e)| ((*r).to_owned(), *p, *e))
        .chain(with_digest);
    for (reference, prefix, expected) in all {
        let intended = DockerReference::parse(&reference).unwrap();
        let rewritten = remap(prefix, "docker.io/library/signed-prefix", &intended);
        t.function(
            CI,
            &format!("containers/image policy_reference_match_test TestPRMRemapIdentityRefMatchesPrefix {reference} vs. {prefix}"),
            expected,
            Ok(rewritten.as_ref() != Some(&intended)),
            WHY,
        );
    }
    // TestPRMRemapIdentityRemapReferencePrefix: (prefix, signedPrefix, ref, result or "").
    let rewrite_rows: &[(&str, &str, &str, &str)] = &[
        (
            "mirror.example",
            "vendor.example",
            "mirror.example/ns/image:tag",
            "vendor.example/ns/image:tag",
        ),
        (
            "mirror.example",
            "vendor.example",
            "different.com/ns/image:tag",
            "different.com/ns/image:tag",
        ),
        (
            "mirror.example/ns",
            "vendor.example/vendor-ns",
            "mirror.example/different-ns/image:tag",
            "mirror.example/different-ns/image:tag",
        ),
        (
            "docker.io",
            "not-docker-signed.example/ns",
            "busybox",
            "not-docker-signed.example/ns/library/busybox",
        ),
        (
            "example.com/mirror",
            "example.com/vendor",
            "example.com/mirror/image:tag",
            "example.com/vendor/image:tag",
        ),
        (
            "example.com/ns/mirror",
            "example.com/ns/vendor",
            "example.com/ns/mirror:tag",
            "example.com/ns/vendor:tag",
        ),
        (
            "mirror.example",
            "vendor.example",
            "prefixmirror.example/ns/image:tag",
            "prefixmirror.example/ns/image:tag",
        ),
        (
            "docker.io",
            "not-docker-signed.example",
            "busybox",
            "not-docker-signed.example/library/busybox",
        ),
        (
            "docker.io/library",
            "not-docker-signed.example/ns",
            "busybox",
            "not-docker-signed.example/ns/busybox",
        ),
        (
            "docker.io/library/busybox",
            "not-docker-signed.example/ns/notbusybox",
            "busybox",
            "not-docker-signed.example/ns/notbusybox",
        ),
        (
            "mirror.example",
            "vendor.example",
            "mirror.example/image",
            "vendor.example/image",
        ),
        (
            "mirror.example",
            "vendor.example",
            "mirror.example/image:tag",
            "vendor.example/image:tag",
        ),
        (
            "mirror.example",
            "vendor.example",
            &format!("mirror.example/image{D}"),
            &format!("vendor.example/image{D}"),
        ),
        (
            "mirror.example",
            "vendor.example",
            &format!("mirror.example/image:tag{D}"),
            &format!("vendor.example/image:tag{D}"),
        ),
        (
            "mirror.example/ns/image",
            "vendor.example:5000",
            &format!("mirror.example/ns/image{D}"),
            "",
        ),
        (
            "mirror.example/ns/image",
            "vendor.example:5000",
            "mirror.example/ns/image:tag",
            "",
        ),
        (
            "mirror.example/ns/image",
            "notlocalhost",
            "mirror.example/ns/image:tag",
            "",
        ),
    ];
    for (prefix, signed, reference, expected) in rewrite_rows {
        let intended = DockerReference::parse(reference).unwrap();
        let got = remap(prefix, signed, &intended).map(|r| r.full());
        let id = format!(
            "containers/image policy_reference_match_test TestPRMRemapIdentityRemapReferencePrefix {prefix} -> {signed} on {reference}"
        );
        t.function(
            CI,
            &id,
            true,
            Ok(got.as_deref().unwrap_or("") == *expected),
            WHY,
        );
    }
    // TestPRMRemapIdentityMatchesDockerReference: (prefix, signedPrefix, image, signature, result).
    let match_rows: &[(&str, &str, &str, &str, bool)] = &[
        (
            "does-not-match.com",
            "does-not-match.rewritten",
            "busybox:latest",
            "busybox:latest",
            true,
        ),
        (
            "does-not-match.com",
            "does-not-match.rewritten",
            "busybox:latest",
            "notbusybox:latest",
            false,
        ),
        (
            "mirror.example",
            "public.com",
            "mirror.example/busybox:1",
            "public.com/busybox:1",
            true,
        ),
        (
            "mirror.example",
            "public.com",
            "mirror.example/busybox:1",
            "public.com/busybox:not1",
            false,
        ),
        (
            "mirror.example",
            "docker.io/library",
            "mirror.example/busybox:latest",
            "busybox:latest",
            true,
        ),
        (
            "mirror.example",
            "docker.io/library",
            "mirror.example/alpine:latest",
            "busybox:latest",
            false,
        ),
        (
            "docker.io/library",
            "original.com",
            "copied:latest",
            "original.com/copied:latest",
            true,
        ),
        (
            "docker.io/library",
            "original.com",
            "copied:latest",
            "original.com/ns/copied:latest",
            false,
        ),
        (
            "busybox",
            "example.com/busybox",
            "busybox:latest",
            "example.com/busybox:latest",
            false,
        ),
        (
            "docker.io/library/busybox",
            "busybox",
            "docker.io/library/busybox:latest",
            "busybox:latest",
            false,
        ),
        (
            "UPPERCASE",
            "example.com",
            "example.com/foo:latest",
            "example.com/foo:latest",
            true,
        ),
        (
            "example.com",
            "UPPERCASE",
            "example.com/foo:latest",
            "UPPERCASE/foo:latest",
            false,
        ),
    ];
    for (prefix, signed, image_ref, sig, expected) in match_rows {
        let identity = SignedIdentity::RemapIdentity {
            prefix: (*prefix).to_owned(),
            signed_prefix: (*signed).to_owned(),
        };
        let intended = DockerReference::parse(image_ref).unwrap();
        t.function(
            CI,
            &format!("containers/image policy_reference_match_test TestPRMRemapIdentityMatchesDockerReference {prefix} -> {signed}: {image_ref} vs. {sig}"),
            *expected,
            Ok(identity.matches(&intended, sig)),
            WHY,
        );
    }
}

/// naming_test TestDockerReference: the scopes looked up for a reference, most specific first.
pub(super) fn naming_rows(t: &mut Table) {
    let rows: &[(&str, &[&str])] = &[
        (
            "example.com/ns/repo",
            &[
                "example.com/ns/repo",
                "example.com/ns",
                "example.com",
                "*.com",
            ],
        ),
        (
            "example.com/repo",
            &["example.com/repo", "example.com", "*.com"],
        ),
        (
            "localhost/ns/repo",
            &["localhost/ns/repo", "localhost/ns", "localhost"],
        ),
        ("localhost/repo", &["localhost/repo", "localhost"]),
        (
            "notlocalhost/repo",
            &[
                "docker.io/notlocalhost/repo",
                "docker.io/notlocalhost",
                "docker.io",
                "*.io",
            ],
        ),
        (
            "docker.io/ns/repo",
            &["docker.io/ns/repo", "docker.io/ns", "docker.io", "*.io"],
        ),
        (
            "docker.io/library/repo",
            &[
                "docker.io/library/repo",
                "docker.io/library",
                "docker.io",
                "*.io",
            ],
        ),
        (
            "docker.io/repo",
            &[
                "docker.io/library/repo",
                "docker.io/library",
                "docker.io",
                "*.io",
            ],
        ),
        (
            "ns/repo",
            &["docker.io/ns/repo", "docker.io/ns", "docker.io", "*.io"],
        ),
        (
            "library/repo",
            &[
                "docker.io/library/repo",
                "docker.io/library",
                "docker.io",
                "*.io",
            ],
        ),
        (
            "repo",
            &[
                "docker.io/library/repo",
                "docker.io/library",
                "docker.io",
                "*.io",
            ],
        ),
        (
            "yet.another.example.com:8443/ns/repo",
            &[
                "yet.another.example.com:8443/ns/repo",
                "yet.another.example.com:8443/ns",
                "yet.another.example.com:8443",
                "*.another.example.com",
                "*.example.com",
                "*.com",
            ],
        ),
    ];
    for (name, expected) in rows {
        for suffix in [":tag", D] {
            let reference = DockerReference::parse(&format!("{name}{suffix}")).unwrap();
            let mut want = vec![format!("{}{suffix}", expected[0])];
            want.extend(expected.iter().map(|s| (*s).to_owned()));
            t.function(
                CI,
                &format!("containers/image policyconfiguration naming_test TestDockerReference {name}{suffix}"),
                true,
                Ok(lookup_order(&reference) == want),
                "scope lookup is a function of the reference (Docker Hub and other hosts)",
            );
        }
    }
}
