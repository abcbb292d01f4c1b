//! What copied command lines and policies carry: the registry flag, the trusted root in force.

use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::demo;

const LINE: &str = "cosign verify --certificate-identity-regexp '^x$' --certificate-oidc-issuer https://i.example reg.example/app:v1\n";

fn demo_root() -> Arc<TrustedRoot> {
    Arc::new(TrustedRoot::from_json("demo", demo::trusted_root_json()).unwrap())
}

#[test]
fn the_public_good_line_is_as_generated_without_its_line_break() {
    let r = Reproduce::default();
    assert_eq!(r.cosign_line(LINE), LINE.trim_end());
    assert!(!r.cosign_line(LINE).ends_with('\n'));
}

#[test]
fn a_plain_http_registry_and_a_trusted_root_file_are_flags() {
    let r = Reproduce {
        allow_http: true,
        choice: Some(TrustChoice::File(PathBuf::from("/trust/my root.json"))),
        ..Reproduce::default()
    };
    assert_eq!(
        r.cosign_line(LINE),
        "cosign verify --allow-http-registry --trusted-root '/trust/my root.json' \
         --certificate-identity-regexp '^x$' --certificate-oidc-issuer https://i.example reg.example/app:v1"
    );
}

#[test]
fn cosign_variables_are_set_and_a_mirror_is_initialised_first() {
    let r = Reproduce {
        cosign: CosignTrustVariables {
            root_file: Some(PathBuf::from("/t/root.pem")),
            rekor_public_key: Some(PathBuf::from("/t/rekor.pub")),
            ct_log_public_key_file: None,
        },
        ..Reproduce::default()
    };
    assert!(
        r.cosign_line(LINE).starts_with(
            "SIGSTORE_ROOT_FILE=/t/root.pem SIGSTORE_REKOR_PUBLIC_KEY=/t/rekor.pub cosign verify "
        ),
        "{}",
        r.cosign_line(LINE)
    );
    let m = Reproduce {
        choice: Some(TrustChoice::Mirror {
            mirror: "https://tuf.example".into(),
            root: PathBuf::from("/t/root.json"),
        }),
        ..Reproduce::default()
    };
    assert!(m.cosign_line(LINE).starts_with(
        "cosign initialize --mirror https://tuf.example --root /t/root.json && cosign verify "
    ));
}

fn policies(choice: TrustChoice) -> (String, String) {
    let request = crate::policy::generate::Request {
        repository: "reg.example/app".into(),
        image: "reg.example/app:v1".into(),
        signer: crate::policy::generate::SignerSpec::Keyless {
            subject: crate::policy::generate::Subject::Exact("a@b.example".into()),
            issuer: "https://i.example".into(),
        },
        ignore_tlog: false,
    };
    let generate = |f| crate::policy::generate::generate_without_trust(&request, f).unwrap();
    let r = Reproduce {
        choice: Some(choice),
        root: Some(demo_root()),
        ..Reproduce::default()
    };
    (
        r.cluster_image_policy(&generate(
            crate::policy::generate::Format::ClusterImagePolicy,
        ))
        .unwrap(),
        r.kyverno(&generate(crate::policy::generate::Format::Kyverno))
            .unwrap(),
    )
}

#[test]
fn policies_carry_the_trusted_root_in_force() {
    let (cip, kyverno) = policies(TrustChoice::File(PathBuf::from("/t/trusted_root.json")));
    let docs: Vec<serde_json::Value> = cip
        .split("---\n")
        .map(|d| serde_norway::from_str(d).unwrap())
        .collect();
    assert_eq!(docs[0]["kind"], "TrustRoot");
    let name = docs[0]["metadata"]["name"].as_str().unwrap();
    assert!(docs[0]["spec"]["sigstoreKeys"]["certificateAuthorities"][0]["certChain"].is_string());
    assert_eq!(
        docs[1]["spec"]["authorities"][0]["keyless"]["trustRootRef"],
        name
    );
    assert_eq!(
        docs[1]["spec"]["authorities"][0]["ctlog"]["trustRootRef"],
        name
    );
    let k: serde_json::Value = serde_norway::from_str(&kyverno).unwrap();
    let keyless =
        &k["spec"]["rules"][0]["verifyImages"][0]["attestors"][0]["entries"][0]["keyless"];
    assert_ne!(
        keyless["rekor"]["url"], "https://rekor.sigstore.dev",
        "{kyverno}"
    );
    assert!(
        keyless["rekor"]["pubkey"]
            .as_str()
            .unwrap()
            .contains("PUBLIC KEY")
    );
    assert!(keyless["roots"].as_str().unwrap().contains("CERTIFICATE"));
    // A TUF instance is named by its mirror and root.
    let (cip, _) = policies(TrustChoice::Public(PublicInstance::Staging));
    assert!(cip.contains("tuf-repo-cdn.sigstage.dev"), "{cip}");
    // Public-good needs nothing.
    let (cip, kyverno) = policies(TrustChoice::Public(PublicInstance::PublicGood));
    assert!(!cip.contains("TrustRoot"));
    assert!(kyverno.contains("https://rekor.sigstore.dev"));
}
