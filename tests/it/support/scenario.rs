//! The scenario repository: a realistic `acme/app` published into the test registry with real
//! cosign and oras, which later tests inspect, verify and compare against cosign.
//!
//! | tag | what is attached |
//! |---|---|
//! | v1.0.0 … v1.5.0 | keyless `.sig` by the release workflow (CI identity) |
//! | v1.4.0 | + a key-signed SLSA v1 attestation as a sigstore bundle referrer (real `cosign attest --new-bundle-format`) |
//! | v1.5.0 | + key-signed `.att` attestations: SLSA v1, SPDX, CycloneDX, custom; a `.sbom`; a key `.sig` on the `.att` manifest |
//! | v1.3.0 | + a Notary Project JWS signature referrer (shown, not verified) |
//! | v1.6.0 | keyless `.sig` by a person (email identity) |
//! | v1.7.0 | keyless `.sig` claiming the CI identity, from a CA nobody trusts |
//! | v1.8.0 | `.sig` by a cosign key pair, with annotations env=prod, team=platform |
//! | v1.9.0-rc1 | nothing: unsigned |
//! | v2.0.0, latest | multi-arch index (amd64, arm64), keyless `.sig` by CI on the index |
//! | v2.1.0 | cosign v3 style: keyless sigstore bundle (DSSE) as an OCI 1.1 referrer via the fallback tag |
//! | v2.2.0-mismatched | v1.0.0's `.sig` copied onto it: the payload names another digest |
//! | v2.3.0-tampered | keyless `.sig` whose stored payload is not the signed one |
//! | v3.0.0 | cosign v3's default `sign --key`: a DSSE bundle referrer (cosign sign predicate) |
//! | v3.1.0 | a keyless CI bundle (cosign v3's image-signature statement) attached by cosign v3 |
//! | v3.2.0 | cosign v3's default `attest --key` (SLSA v1): a DSSE bundle referrer |
//! | v3.3.0-oci11 | cosign v3 `sign --key --registry-referrers-mode=oci-1-1`: a simple-signing referrer |
//! | (orphan) | a key `.sig` whose image was deleted |
//!
//! The legacy material is written by cosign 2.5 (what registries hold from before cosign v3);
//! the v3.x tags by cosign v3 with its defaults (offline: a signing config without services).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::json;
use sigscope::artifact::in_toto::Statement;
use sigscope::reference::Digest;
use sigscope_core::fixture::{
    CertificateAuthority, CosignTrustFiles, GithubWorkflow, Identity, LogEntry, SigningOptions,
    VirtualSigstore,
};

use super::SIGNED_AT;
use super::layout::{ImageSpec, Layout, Written};
use super::predicates;
use super::publish::{
    attach_keyless, attach_signature_files, copy_to_registry, cosign_payload, simple_image,
};
use super::registry::{Registry, RegistryKind};
use super::tools::{Tools, run_ok};

/// Where the shared scenario lives in the shared registry.
pub const SCENARIO_REPOSITORY: &str = "scenario/app";
/// The GitHub repository the CI identity builds from.
pub const CI_REPOSITORY: &str = "acme/app";
/// cosign `--certificate-identity-regexp` matching every release build of the CI workflow.
pub const CI_IDENTITY_REGEXP: &str =
    r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v[0-9.]+$";
/// The person who signed one build by hand.
pub const HUMAN_EMAIL: &str = "alice@acme.example";
pub const HUMAN_ISSUER: &str = "https://accounts.google.com";
/// The predicate type cosign v3 puts in its image-signature statements.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Who signed a tag's legacy `.sig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    Ci,
    Human,
    UntrustedCa,
    Key,
    Nobody,
}

/// What one cosign's `verify` says of a tag, per signer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdicts {
    /// With the CI identity regexp.
    pub ci: bool,
    /// With the human email identity.
    pub human: bool,
    /// With `--key`.
    pub key: bool,
}

/// One tag and what real cosign is expected to say about it: cosign v3 (the reference, with
/// `--experimental-oci11`, which sigscope's default matches) and cosign 2.5.
#[derive(Debug, Clone)]
pub struct TagCase {
    pub tag: &'static str,
    pub digest: Digest,
    pub signer: Signer,
    /// cosign v3's `verify` with the CI identity regexp accepts it.
    pub verifies_ci: bool,
    /// cosign v3's `verify` with the human email identity accepts it.
    pub verifies_human: bool,
    /// cosign v3's `verify --key` accepts it.
    pub verifies_key: bool,
    /// cosign 2.5's `verify` verdicts (with `--experimental-oci11`), where they differ.
    pub cosign2: Verdicts,
    /// cosign v3's `verify-attestation --key --type T` accepts these T.
    pub key_attestations: Vec<&'static str>,
    /// A keyless sigstore bundle referrer (cosign v3 style) is attached.
    pub keyless_bundle_referrer: bool,
    /// The keyless signatures and attestations minted for this tag.
    pub minted: Vec<Minted>,
}

/// What the fixture minted for one keyless signature: what decoding must find again.
#[derive(Debug, Clone)]
pub struct Minted {
    pub identity: Identity,
    pub log_index: u64,
    pub integrated_time: i64,
    /// DER of the leaf certificate.
    pub certificate: Vec<u8>,
}

/// The published scenario and the trust material to check it.
pub struct Scenario {
    kind: RegistryKind,
    /// `127.0.0.1:PORT/scenario/app`
    pub repository: String,
    pub work: PathBuf,
    pub tags: Vec<TagCase>,
    /// The digest of the deleted image whose `.sig` remains.
    pub orphan_subject: Digest,
    /// cosign's environment-variable trust for the scenario's private Sigstore.
    pub trust: CosignTrustFiles,
    /// The same trust as a trusted_root.json.
    pub trusted_root: PathBuf,
    pub cosign_key: PathBuf,
    pub cosign_public_key: PathBuf,
}

impl Scenario {
    /// The scenario in this test binary's shared distribution registry (no referrers API),
    /// built once.
    pub fn shared() -> &'static Scenario {
        Scenario::on(RegistryKind::Distribution)
    }

    /// The scenario in this test binary's shared registry of `kind`, built once per kind.
    pub fn on(kind: RegistryKind) -> &'static Scenario {
        static SHARED: [OnceLock<Scenario>; 2] = [OnceLock::new(), OnceLock::new()];
        kind.cell(&SHARED)
            .get_or_init(|| Scenario::build(Registry::shared_of(kind), SCENARIO_REPOSITORY))
    }

    /// Which registry holds this scenario.
    pub fn kind(&self) -> RegistryKind {
        self.kind
    }

    pub fn case(&self, tag: &str) -> &TagCase {
        self.tags
            .iter()
            .find(|c| c.tag == tag)
            .unwrap_or_else(|| panic!("no scenario tag {tag}"))
    }

    /// `REG/repo@digest` of a tag.
    pub fn image(&self, tag: &str) -> String {
        format!("{}@{}", self.repository, self.case(tag).digest)
    }

    pub fn ci_identity(version: &str, run_id: u64) -> Identity {
        Identity::github(&GithubWorkflow {
            repository: CI_REPOSITORY.into(),
            workflow_path: ".github/workflows/release.yml".into(),
            git_ref: format!("refs/tags/{version}"),
            sha: hex::encode(&Digest::sha256_of(version.as_bytes()).bytes()[..20]),
            trigger: "push".into(),
            runner_environment: "github-hosted".into(),
            run_id,
            repository_id: 5001,
            owner_id: 9001,
        })
    }

    pub fn human_identity() -> Identity {
        Identity::email(HUMAN_EMAIL, HUMAN_ISSUER)
    }

    /// Publishes the scenario into `registry` under `repository`.
    pub fn build(registry: &Registry, repository: &str) -> Scenario {
        Builder::new(registry, repository).build()
    }
}

const DAY: u64 = 86_400;
const CI_TAGS: &[&str] = &["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0"];
const SINGLE_TAGS: &[&str] = &[
    "v1.0.0",
    "v1.1.0",
    "v1.2.0",
    "v1.3.0",
    "v1.4.0",
    "v1.5.0",
    "v1.6.0",
    "v1.7.0",
    "v1.8.0",
    "v1.9.0-rc1",
    "v2.1.0",
    "v2.2.0-mismatched",
    "v2.3.0-tampered",
    "v3.0.0",
    "v3.1.0",
    "v3.2.0",
    "v3.3.0-oci11",
    "orphan-src",
];

struct Builder<'a> {
    registry: &'a Registry,
    repository: String,
    work: PathBuf,
    sigstore: VirtualSigstore,
    /// A CA nobody trusts, whose signatures still go to the trusted logs.
    rogue_ca: CertificateAuthority,
    digests: Vec<(&'static str, Digest)>,
    minted: Vec<(String, Minted)>,
}

impl<'a> Builder<'a> {
    fn new(registry: &'a Registry, repository: &str) -> Builder<'a> {
        let work = tempfile::Builder::new()
            .prefix("sigscope-scenario-")
            .tempdir()
            .expect("scenario dir")
            .keep();
        let epoch = SIGNED_AT - 90 * DAY;
        Builder {
            registry,
            repository: repository.to_owned(),
            work,
            sigstore: VirtualSigstore::new("scenario", epoch).expect("sigstore"),
            rogue_ca: CertificateAuthority::new("rogue fulcio", epoch).expect("rogue CA"),
            digests: Vec::new(),
            minted: Vec::new(),
        }
    }

    fn record(&mut self, tag: &str, identity: &Identity, entry: &LogEntry, certificate: &[u8]) {
        self.minted.push((
            tag.to_owned(),
            Minted {
                identity: identity.clone(),
                log_index: entry.log_index,
                integrated_time: entry.integrated_time,
                certificate: certificate.to_vec(),
            },
        ));
    }

    fn image(&self, tag: &str) -> String {
        let digest = &self
            .digests
            .iter()
            .find(|(t, _)| *t == tag)
            .unwrap_or_else(|| panic!("tag {tag} not published"))
            .1;
        format!("{}@{digest}", self.registry.repo(&self.repository))
    }

    fn digest(&self, tag: &str) -> Digest {
        self.digests
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, d)| d.clone())
            .expect("digest")
    }

    fn publish_images(&mut self) {
        let mut layout = Layout::create(&self.work.join("layout"));
        for (day, tag) in SINGLE_TAGS.iter().enumerate() {
            let mut spec = simple_image(tag, "amd64");
            spec.created = format!("2026-09-{:02}T12:00:00Z", 1 + day % 28);
            let m = layout.put_image(&spec);
            layout.tag(tag, &m);
            self.digests.push((tag, m.digest));
        }
        let amd64 = simple_image("v2.0.0", "amd64");
        let arm64 = simple_image("v2.0.0", "arm64");
        let children: Vec<(Written, &ImageSpec)> = vec![
            (layout.put_image(&amd64), &amd64),
            (layout.put_image(&arm64), &arm64),
        ];
        let index = layout.put_index(&children);
        layout.tag("v2.0.0", &index);
        layout.tag("latest", &index);
        self.digests.push(("v2.0.0", index.digest.clone()));
        self.digests.push(("latest", index.digest));
        for (tag, _) in self.digests.clone() {
            copy_to_registry(&layout, tag, self.registry, &self.repository);
        }
    }

    /// cosign 2.5, the writer of the legacy material.
    fn cosign_in_work(&self) -> std::process::Command {
        let mut cmd = Tools::get().cosign2();
        cmd.current_dir(&self.work);
        cmd
    }

    /// `cosign SUB` (v3) in the work folder, signing offline: a signing config with no services
    /// (no Fulcio, Rekor or TSA) and the scenario's trusted root, instead of TUF.
    fn cosign3(&self, sub: &str) -> std::process::Command {
        let root = self.write(
            "trusted_root.json",
            &self.sigstore.trusted_root().expect("trusted root"),
        );
        super::cosigns::cosign3_offline(&self.work, sub, &root)
    }

    /// What cosign v3 writes by default, on four tags.
    fn cosign_v3_tags(&mut self) {
        // `cosign sign --key`: a DSSE bundle of the sign predicate, as a referrer.
        let image = self.image("v3.0.0");
        run_ok(self.cosign3("sign").args(["--key", "cosign.key", &image]));
        // A keyless image signature as cosign v3 makes it (an in-toto v1 statement with the sign
        // predicate, logged in Rekor), minted by the fixture and attached by cosign v3 itself.
        let bundle = self.keyless_sign_bundle("v3.1.0", 1031, 31);
        run_ok(
            Tools::get()
                .cosign()
                .current_dir(&self.work)
                .args(["attach", "signature", "--bundle"])
                .arg(bundle)
                .arg(self.image("v3.1.0")),
        );
        // `cosign attest --key`: an SLSA v1 bundle referrer.
        let slsa = self.write(
            "slsa-3.2.json",
            &predicates::slsa_v1(
                CI_REPOSITORY,
                "refs/tags/v3.2.0",
                "3".repeat(40).as_str(),
                1032,
            ),
        );
        let image = self.image("v3.2.0");
        run_ok(
            self.cosign3("attest")
                .args([
                    "--key",
                    "cosign.key",
                    "--type",
                    "slsaprovenance1",
                    "--predicate",
                ])
                .arg(slsa)
                .arg(&image),
        );
        // `--registry-referrers-mode=oci-1-1`: the legacy simple-signing manifest as a referrer
        // (experimental in cosign v3, and only without the bundle format).
        let image = self.image("v3.3.0-oci11");
        run_ok(
            Tools::get()
                .cosign()
                .current_dir(&self.work)
                .env("COSIGN_EXPERIMENTAL", "1")
                .args([
                    "sign",
                    "--key",
                    "cosign.key",
                    "--new-bundle-format=false",
                    "--use-signing-config=false",
                    "--tlog-upload=false",
                    "--registry-referrers-mode=oci-1-1",
                    &image,
                ]),
        );
    }

    fn write(&self, name: &str, value: &serde_json::Value) -> PathBuf {
        let path = self.work.join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(value).expect("json")).expect("write");
        path
    }

    fn key_attest(&self, tag: &str, kind: &str, predicate: &Path, new_bundle: bool) {
        let image = self.image(tag);
        let mut cmd = self.cosign_in_work();
        cmd.args([
            "attest",
            "--yes",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            "--type",
            kind,
        ])
        .arg("--predicate")
        .arg(predicate);
        if new_bundle {
            cmd.arg("--new-bundle-format");
        }
        run_ok(cmd.arg(&image));
    }

    fn build(mut self) -> Scenario {
        self.publish_images();
        run_ok(self.cosign_in_work().args(["generate-key-pair"]));
        let work = self.work.clone();

        // CI builds, a day apart.
        for (i, tag) in CI_TAGS.iter().enumerate() {
            let image = self.image(tag);
            let at = SIGNED_AT + i as u64 * DAY;
            let identity = Scenario::ci_identity(tag, 1000 + i as u64);
            let sig = attach_keyless(
                &mut self.sigstore,
                &identity,
                &image,
                at,
                SigningOptions::default(),
                &work,
            );
            self.record(tag, &identity, &sig.entry, &sig.certificate);
        }
        // A person, a rogue CA claiming the CI identity.
        let image = self.image("v1.6.0");
        let sig = attach_keyless(
            &mut self.sigstore,
            &Scenario::human_identity(),
            &image,
            SIGNED_AT + 6 * DAY,
            SigningOptions::default(),
            &work,
        );
        self.record("v1.6.0", &sig.identity, &sig.entry, &sig.certificate);
        self.rogue_signature("v1.7.0");
        // A key pair with annotations.
        let image = self.image("v1.8.0");
        run_ok(self.cosign_in_work().args([
            "sign",
            "--yes",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            "-a",
            "env=prod",
            "-a",
            "team=platform",
            &image,
        ]));
        // The multi-arch index, signed by CI.
        let image = self.image("v2.0.0");
        let sig = attach_keyless(
            &mut self.sigstore,
            &Scenario::ci_identity("v2.0.0", 1020),
            &image,
            SIGNED_AT + 20 * DAY,
            SigningOptions::default(),
            &work,
        );
        self.record("v2.0.0", &sig.identity, &sig.entry, &sig.certificate);
        self.record("latest", &sig.identity, &sig.entry, &sig.certificate);

        // Attestations on v1.5.0 (legacy .att) and a real cosign bundle referrer on v1.4.0.
        let slsa = self.write(
            "slsa.json",
            &predicates::slsa_v1(
                CI_REPOSITORY,
                "refs/tags/v1.5.0",
                "5".repeat(40).as_str(),
                1005,
            ),
        );
        let spdx = self.write("spdx.json", &predicates::spdx("acme/app:v1.5.0"));
        let cdx = self.write("cyclonedx.json", &predicates::cyclonedx("acme/app:v1.5.0"));
        let review = self.write("review.json", &predicates::custom_review());
        self.key_attest("v1.5.0", "slsaprovenance1", &slsa, false);
        self.key_attest("v1.5.0", "spdxjson", &spdx, false);
        self.key_attest("v1.5.0", "cyclonedx", &cdx, false);
        self.key_attest("v1.5.0", predicates::CUSTOM_PREDICATE_TYPE, &review, false);
        run_ok(
            self.cosign_in_work()
                .arg("attach")
                .arg("sbom")
                .arg("--sbom")
                .arg(&spdx)
                .args(["--type", "spdx", &self.image("v1.5.0")]),
        );
        let slsa14 = self.write(
            "slsa-1.4.json",
            &predicates::slsa_v1(
                CI_REPOSITORY,
                "refs/tags/v1.4.0",
                "4".repeat(40).as_str(),
                1004,
            ),
        );
        self.key_attest("v1.4.0", "slsaprovenance1", &slsa14, true);
        // A signature on the attestation manifest itself (a referrer of a referrer).
        let att_tag = format!(
            "{}:{}.att",
            self.registry.repo(&self.repository),
            self.digest("v1.5.0").cosign_tag_stem()
        );
        let att_digest = run_ok(
            Tools::get()
                .oras()
                .args(["resolve", "--plain-http", &att_tag]),
        );
        let signed_attestation = format!(
            "{}@{}",
            self.registry.repo(&self.repository),
            att_digest.trim()
        );
        run_ok(self.cosign_in_work().args([
            "sign",
            "--yes",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            &signed_attestation,
        ]));

        self.attach_keyless_bundle_referrer("v2.1.0");
        self.cosign_v3_tags();
        self.attach_notation("v1.3.0");
        self.mismatched("v2.2.0-mismatched", "v1.0.0");
        self.tampered("v2.3.0-tampered");
        let orphan_subject = self.orphan("orphan-src");

        let trust = self
            .sigstore
            .write_cosign_trust(&work)
            .expect("trust files");
        let trusted_root = self.write(
            "trusted_root.json",
            &self.sigstore.trusted_root().expect("trusted root"),
        );
        let tags = self.cases();
        Scenario {
            kind: self.registry.kind(),
            repository: self.registry.repo(&self.repository),
            work: work.clone(),
            tags,
            orphan_subject,
            trust,
            trusted_root,
            cosign_key: work.join("cosign.key"),
            cosign_public_key: work.join("cosign.pub"),
        }
    }

    /// A keyless image signature of `tag` as cosign v3 makes one (an in-toto v1 statement with
    /// the sign predicate, logged in Rekor) by the CI identity, `day` days after the epoch;
    /// written to `TAG.sigstore.json` in the work folder.
    fn keyless_sign_bundle(&mut self, tag: &str, run_id: u64, day: u64) -> PathBuf {
        let statement = Statement::about(
            &self.registry.repo(&self.repository),
            &self.digest(tag),
            COSIGN_SIGN_PREDICATE,
            serde_json::Value::Null,
        );
        let att = self
            .sigstore
            .attest(
                &Scenario::ci_identity(tag, run_id),
                &statement,
                SIGNED_AT + day * DAY,
                SigningOptions::default(),
            )
            .expect("attestation");
        self.record(tag, &att.identity, &att.entry, &att.certificate);
        let bundle = self.sigstore.dsse_bundle(&att).expect("bundle");
        self.write(&format!("{tag}.sigstore.json"), &bundle)
    }

    /// cosign v3's image signature: a DSSE bundle over an in-toto statement about the image,
    /// stored as an OCI 1.1 referrer (through the referrers API where the registry has one, else
    /// oras maintains the `sha256-<hex>` fallback tag).
    fn attach_keyless_bundle_referrer(&mut self, tag: &str) {
        let file = self.keyless_sign_bundle(tag, 1021, 21);
        let file = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        run_ok(Tools::get().oras().current_dir(&self.work).args([
            "attach",
            "--plain-http",
            "--no-tty",
            "--distribution-spec",
            self.registry.kind().oras_distribution_spec(),
            "--artifact-type",
            BUNDLE_MEDIA_TYPE,
            "-a",
            "dev.sigstore.bundle.content=dsse-envelope",
            "-a",
            &format!("dev.sigstore.bundle.predicateType={COSIGN_SIGN_PREDICATE}"),
            &self.image(tag),
            &format!("{file}:{BUNDLE_MEDIA_TYPE}"),
        ]));
    }

    /// A signature claiming the CI identity, from the rogue CA, logged in the trusted logs.
    fn rogue_signature(&mut self, tag: &str) {
        let image = self.image(tag);
        let payload = cosign_payload(&image);
        let sig = self
            .sigstore
            .sign_with_ca(
                &self.rogue_ca,
                &Scenario::ci_identity(tag, 1007),
                &payload,
                SIGNED_AT + 7 * DAY,
                SigningOptions::default(),
            )
            .expect("rogue signature");
        self.record(tag, &sig.identity, &sig.entry, &sig.certificate);
        attach_signature_files(
            &self.rogue_ca.chain_pem(),
            &sig,
            &payload,
            &image,
            &self.work,
        );
    }

    /// A Notary Project JWS signature referrer (its signature bytes are not a real signature:
    /// sigscope shows notation signatures but does not verify them).
    fn attach_notation(&self, tag: &str) {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let digest = self.digest(tag);
        let protected = json!({
            "alg": "ES256",
            "crit": ["io.cncf.notary.signingScheme"],
            "cty": "application/vnd.cncf.notary.payload.v1+json",
            "io.cncf.notary.signingScheme": "notary.x509",
            "io.cncf.notary.signingTime": "2026-09-04T12:00:00Z",
        });
        let payload = json!({"targetArtifact": {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest.to_string(),
            "size": 1,
        }});
        let ca = &self.sigstore.ca;
        let envelope = json!({
            "payload": URL_SAFE_NO_PAD.encode(payload.to_string()),
            "protected": URL_SAFE_NO_PAD.encode(protected.to_string()),
            "header": {
                "x5c": [STANDARD.encode(&ca.intermediate.der), STANDARD.encode(&ca.root.der)],
                "io.cncf.notary.signingAgent": "notation-go/1.3.0",
            },
            "signature": URL_SAFE_NO_PAD.encode([7u8; 64]),
        });
        self.write("notation.jws", &envelope);
        run_ok(Tools::get().oras().current_dir(&self.work).args([
            "attach",
            "--plain-http",
            "--no-tty",
            "--distribution-spec",
            self.registry.kind().oras_distribution_spec(),
            "--artifact-type",
            "application/vnd.cncf.notary.signature",
            &self.image(tag),
            "notation.jws:application/jose+json",
        ]));
    }

    /// Copies `from`'s `.sig` onto `tag`: a valid signature for another image.
    fn mismatched(&mut self, tag: &str, from: &str) {
        let copied: Vec<Minted> = self
            .minted
            .iter()
            .filter(|(t, _)| t == from)
            .map(|(_, m)| m.clone())
            .collect();
        for m in copied {
            self.minted.push((tag.to_owned(), m));
        }
        let repo = self.registry.repo(&self.repository);
        let source = format!("{repo}:{}.sig", self.digest(from).cosign_tag_stem());
        let target = format!("{repo}:{}.sig", self.digest(tag).cosign_tag_stem());
        run_ok(Tools::get().oras().args([
            "cp",
            "--from-plain-http",
            "--to-plain-http",
            "--no-tty",
            &source,
            &target,
        ]));
    }

    /// A keyless signature over the real payload, stored with an altered payload.
    fn tampered(&mut self, tag: &str) {
        let image = self.image(tag);
        let payload = cosign_payload(&image);
        let sig = self
            .sigstore
            .sign(
                &Scenario::ci_identity(tag, 1023),
                &payload,
                SIGNED_AT + 23 * DAY,
                SigningOptions::default(),
            )
            .expect("signature");
        self.record(tag, &sig.identity, &sig.entry, &sig.certificate);
        let mut altered: serde_json::Value =
            serde_json::from_slice(&payload).expect("payload json");
        altered["optional"] = json!({"note": "altered after signing"});
        let altered = serde_json::to_vec(&altered).expect("json");
        attach_signature_files(
            &self.sigstore.ca.chain_pem(),
            &sig,
            &altered,
            &image,
            &self.work,
        );
    }

    /// Signs `tag` with the key, then deletes the image so only the `.sig` remains.
    fn orphan(&self, tag: &str) -> Digest {
        let image = self.image(tag);
        run_ok(self.cosign_in_work().args([
            "sign",
            "--yes",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            &image,
        ]));
        run_ok(
            Tools::get()
                .oras()
                .args(["manifest", "delete", "--plain-http", "--force", &image]),
        );
        self.digest(tag)
    }

    fn cases(&self) -> Vec<TagCase> {
        let case = |tag: &'static str, signer: Signer| {
            let verdicts = Verdicts {
                ci: signer == Signer::Ci,
                human: signer == Signer::Human,
                key: signer == Signer::Key,
            };
            TagCase {
                tag,
                digest: self.digest(tag),
                signer,
                verifies_ci: verdicts.ci,
                verifies_human: verdicts.human,
                verifies_key: verdicts.key,
                cosign2: verdicts,
                key_attestations: Vec::new(),
                keyless_bundle_referrer: false,
                minted: self
                    .minted
                    .iter()
                    .filter(|(t, _)| t == tag)
                    .map(|(_, m)| m.clone())
                    .collect(),
            }
        };
        let none = Verdicts::default();
        let mut cases: Vec<TagCase> = CI_TAGS.iter().map(|t| case(t, Signer::Ci)).collect();
        cases.push(case("v1.6.0", Signer::Human));
        cases.push(case("v1.7.0", Signer::UntrustedCa));
        cases.push(case("v1.8.0", Signer::Key));
        cases.push(case("v1.9.0-rc1", Signer::Nobody));
        cases.push(case("v2.0.0", Signer::Ci));
        cases.push(case("latest", Signer::Ci));
        // cosign v3 verifies the keyless bundle; cosign 2.5's verify reads no bundles.
        cases.push(TagCase {
            keyless_bundle_referrer: true,
            verifies_ci: true,
            cosign2: none,
            ..case("v2.1.0", Signer::Nobody)
        });
        // v1.0.0's CI signature, on another image: cosign must refuse it.
        cases.push(TagCase {
            verifies_ci: false,
            cosign2: none,
            ..case("v2.2.0-mismatched", Signer::Ci)
        });
        cases.push(TagCase {
            verifies_ci: false,
            cosign2: none,
            ..case("v2.3.0-tampered", Signer::Ci)
        });
        cases.push(case("v3.0.0", Signer::Key));
        cases.push(TagCase {
            keyless_bundle_referrer: true,
            ..case("v3.1.0", Signer::Ci)
        });
        // cosign v3's verify counts an attestation bundle as an image signature.
        cases.push(TagCase {
            key_attestations: vec!["slsaprovenance1"],
            ..case("v3.2.0", Signer::Key)
        });
        cases.push(case("v3.3.0-oci11", Signer::Key));
        for c in &mut cases {
            // cosign 2.5's verify reads no bundle at all.
            if matches!(c.tag, "v3.0.0" | "v3.1.0" | "v3.2.0") {
                c.cosign2 = none;
            }
        }
        if let Some(c) = cases.iter_mut().find(|c| c.tag == "v1.4.0") {
            // The key-signed SLSA bundle: cosign v3 reads only bundles once one is attached, so
            // the CI `.sig` does not count for it, and the attestation counts as a signature.
            c.verifies_ci = false;
            c.verifies_key = true;
            c.key_attestations = vec!["slsaprovenance1"];
        }
        if let Some(c) = cases.iter_mut().find(|c| c.tag == "v1.5.0") {
            c.key_attestations = vec![
                "slsaprovenance1",
                "spdxjson",
                "cyclonedx",
                predicates::CUSTOM_PREDICATE_TYPE,
            ];
        }
        cases
    }
}
