//! The verify dialog (`v`): who must have signed — a signer already seen (CI builds offered once,
//! as an anchored pattern), the Notation trust policy (when Notary Project signatures are
//! seen), a typed identity and issuer (exact or regexp), or a key file — and
//! whether the signatures or the attestations (of an optional predicate type) are verified.
//! Pure: keys in, a decision out; the update turns a decision into effects.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use crate::compare::identity::identity_choices;
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::ArtifactKind;
use crate::verify::identity::Matcher;

use super::effect::{Evidence, SignerSpec, VerifySpec};
use super::state::TagEntry;

/// Where the signer comes from (Tab switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Seen,
    Typed,
    Key,
}

/// The focused row of the form (↑↓ move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Choice,
    Identity,
    Issuer,
    Matching,
    KeyPath,
    Evidence,
    Predicate,
}

impl Field {
    /// Rows that take typed characters.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Identity | Field::Issuer | Field::KeyPath | Field::Predicate
        )
    }
}

/// One signer offered in the pick list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub signer: SignerSpec,
    /// Signatures seen by this signer (0 for the policy already in force).
    pub signatures: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyDialog {
    pub mode: Mode,
    pub field: Field,
    /// The current signer first, then every signer seen.
    pub choices: Vec<Choice>,
    pub selected: usize,
    pub identity: String,
    pub issuer: String,
    pub regexp: bool,
    pub key_path: String,
    pub attestations: bool,
    /// Empty: any predicate type.
    pub predicate: String,
    /// Why the last Enter could not start a verification.
    pub error: Option<String>,
}

/// What a key press decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Stay,
    Close,
    Run(VerifySpec),
}

impl VerifyDialog {
    pub fn new(current: Option<&VerifySpec>, tags: &[TagEntry]) -> VerifyDialog {
        let mut choices: Vec<Choice> = current
            .map(|c| Choice {
                signer: c.signer.clone(),
                signatures: 0,
            })
            .into_iter()
            .collect();
        for seen in signers_seen(tags).into_iter().chain(notation_choice(tags)) {
            if !choices.iter().any(|c| c.signer == seen.signer) {
                choices.push(seen);
            }
        }
        let (attestations, predicate) = match current.map(|c| &c.evidence) {
            Some(Evidence::Attestations { predicate }) => (true, predicate.clone()),
            _ => (false, None),
        };
        VerifyDialog {
            mode: Mode::Seen,
            field: Field::Choice,
            choices,
            selected: 0,
            identity: String::new(),
            issuer: String::new(),
            regexp: false,
            key_path: String::new(),
            attestations,
            predicate: predicate.unwrap_or_default(),
            error: None,
        }
    }

    /// The rows of the current mode, top to bottom.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = match self.mode {
            Mode::Seen => vec![Field::Choice],
            Mode::Typed => vec![Field::Identity, Field::Issuer, Field::Matching],
            Mode::Key => vec![Field::KeyPath],
        };
        fields.push(Field::Evidence);
        if self.attestations {
            fields.push(Field::Predicate);
        }
        fields
    }

    /// The verification the form describes, or what is missing.
    pub fn spec(&self) -> Result<VerifySpec, String> {
        let signer = match self.mode {
            Mode::Seen => self
                .choices
                .get(self.selected)
                .map(|c| c.signer.clone())
                .ok_or("no signer seen yet: press Tab to type one")?,
            Mode::Typed => {
                let (identity, issuer) = (self.identity.trim(), self.issuer.trim());
                if identity.is_empty() || issuer.is_empty() {
                    return Err("type both an identity and an issuer".into());
                }
                if self.regexp {
                    Matcher::regex(identity)?;
                }
                SignerSpec::Identity {
                    identity: identity.to_owned(),
                    identity_is_regexp: self.regexp,
                    issuer: issuer.to_owned(),
                }
            }
            Mode::Key => {
                let path = self.key_path.trim();
                if path.is_empty() {
                    return Err("type the path of a PEM public key".into());
                }
                SignerSpec::KeyFile(PathBuf::from(path))
            }
        };
        let evidence = if self.attestations {
            let p = self.predicate.trim();
            Evidence::Attestations {
                predicate: (!p.is_empty()).then(|| p.to_owned()),
            }
        } else {
            Evidence::Signatures
        };
        Ok(VerifySpec { signer, evidence })
    }

    /// The warning for a typed regexp that is not anchored with `^…$` (or that does not compile).
    pub fn warning(&self) -> Option<String> {
        if self.mode != Mode::Typed || !self.regexp || self.identity.trim().is_empty() {
            return None;
        }
        match Matcher::regex(self.identity.trim()) {
            Ok(m) => m.warning("the identity"),
            Err(e) => Some(e),
        }
    }

    pub fn key(&mut self, code: KeyCode) -> Decision {
        let text = self.field.is_text();
        match code {
            KeyCode::Esc => return Decision::Close,
            KeyCode::Enter => match self.spec() {
                Ok(spec) => return Decision::Run(spec),
                Err(e) => self.error = Some(e),
            },
            KeyCode::Tab => self.switch(1),
            KeyCode::BackTab => self.switch(2),
            KeyCode::Up => self.up(),
            KeyCode::Down => self.down(),
            KeyCode::Backspace if text => {
                self.text_mut().map(String::pop);
            }
            KeyCode::Char(c) if text && !c.is_control() => {
                if let Some(t) = self.text_mut() {
                    t.push(c);
                }
            }
            KeyCode::Char('q' | 'v') => return Decision::Close,
            KeyCode::Char('k') => self.up(),
            KeyCode::Char('j') => self.down(),
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => self.toggle(),
            _ => {}
        }
        Decision::Stay
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.field {
            Field::Identity => Some(&mut self.identity),
            Field::Issuer => Some(&mut self.issuer),
            Field::KeyPath => Some(&mut self.key_path),
            Field::Predicate => Some(&mut self.predicate),
            _ => None,
        }
    }

    fn switch(&mut self, steps: usize) {
        const ORDER: [Mode; 3] = [Mode::Seen, Mode::Typed, Mode::Key];
        let i = ORDER.iter().position(|m| *m == self.mode).unwrap_or(0);
        self.mode = ORDER[(i + steps) % ORDER.len()];
        // Typing starts from the signer picked, ready to be edited.
        if self.mode == Mode::Typed
            && self.identity.is_empty()
            && self.issuer.is_empty()
            && let Some(SignerSpec::Identity {
                identity,
                identity_is_regexp,
                issuer,
            }) = self.choices.get(self.selected).map(|c| &c.signer)
        {
            self.identity = identity.clone();
            self.issuer = issuer.clone();
            self.regexp = *identity_is_regexp;
        }
        self.field = self.fields()[0];
        self.error = None;
    }

    fn up(&mut self) {
        if self.field == Field::Choice && self.selected > 0 {
            self.selected -= 1;
            return;
        }
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        self.field = fields[i.saturating_sub(1)];
    }

    fn down(&mut self) {
        if self.field == Field::Choice && self.selected + 1 < self.choices.len() {
            self.selected += 1;
            return;
        }
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        self.field = fields[(i + 1).min(fields.len() - 1)];
    }

    fn toggle(&mut self) {
        match self.field {
            Field::Matching => self.regexp = !self.regexp,
            Field::Evidence => self.attestations = !self.attestations,
            _ => {}
        }
    }
}

/// "Notation trust policy", offered when a loaded tag has Notary Project signatures.
pub fn notation_choice(tags: &[TagEntry]) -> Option<Choice> {
    let signatures = tags
        .iter()
        .filter_map(TagEntry::image)
        .flat_map(|i| i.all_artifacts())
        .filter(|a| a.kind == ArtifactKind::NotationSignature)
        .count();
    (signatures > 0).then_some(Choice {
        signer: SignerSpec::NotationPolicy { config: None },
        signatures,
    })
}

/// Every certificate identity and issuer on a signature or attestation of a loaded tag, CI
/// builds grouped into one anchored pattern (see [`identity_choices`]).
pub fn signers_seen(tags: &[TagEntry]) -> Vec<Choice> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for image in tags.iter().filter_map(TagEntry::image) {
        for artifact in image.all_artifacts() {
            for layer in &artifact.layers {
                let material = match &layer.content {
                    LayerContent::Signature(sig) => &sig.material,
                    LayerContent::Attestation(att) => &att.material,
                    _ => continue,
                };
                let Some(Decoded::Ok(cert)) = &material.certificate else {
                    continue;
                };
                if let (Some(identity), Some(issuer)) = (cert.identity(), cert.oidc_issuer()) {
                    seen.push((identity, issuer));
                }
            }
        }
    }
    identity_choices(seen)
        .into_iter()
        .map(|c| Choice {
            signer: SignerSpec::Identity {
                identity: c.identity,
                identity_is_regexp: c.is_regexp,
                issuer: c.issuer,
            },
            signatures: c.signatures,
        })
        .collect()
}
