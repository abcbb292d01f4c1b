//! The verify dialog (`v`): who must have signed — a signer already seen (CI builds offered once,
//! as an anchored pattern), the Notation trust policy (when Notary Project signatures are
//! seen), a typed identity and issuer (exact or regexp), or a key file — and
//! whether the signatures or the attestations (of an optional predicate type) are verified.
//! Signers seen are listed by how many builds they signed, most first, and the default is the
//! signer in force (the command line's or the settings'), else the majority's: Enter never
//! picks an odd one by accident, and odd ones are marked.
//! Pure: keys in, a decision out; the update turns a decision into effects.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::compare::identity::identity_choices;
use crate::compare::signatures_of;
use crate::inventory::layer::{Decoded, LayerContent};
use crate::inventory::model::ArtifactKind;
use crate::verify::identity::Matcher;

use super::effect::{Evidence, SignerSpec, VerifySpec};
use super::tag::TagEntry;
use super::text_field::TextField;

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
    /// Builds seen signed by this signer (0 for the signer in force, when none is seen).
    pub signatures: usize,
    /// The signer in force (the command line's, the settings', or the last one picked).
    pub current: bool,
    /// Signed far fewer builds than the majority's signer: worth a second look.
    pub odd: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyDialog {
    pub mode: Mode,
    pub field: Field,
    /// The signer in force first, then every signer seen, most builds first.
    pub choices: Vec<Choice>,
    pub selected: usize,
    pub identity: TextField,
    pub issuer: TextField,
    pub regexp: bool,
    pub key_path: TextField,
    pub attestations: bool,
    /// Empty: any predicate type.
    pub predicate: TextField,
    /// Why the last Enter could not start a verification (kept until the next edit).
    pub error: Option<String>,
    /// A key file being read and checked before the verification starts: the request and the
    /// verification to run once it is good.
    pub pending: Option<(u64, VerifySpec)>,
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
        let mut seen: Vec<Choice> = signers_seen(tags)
            .into_iter()
            .chain(notation_choice(tags))
            .collect();
        // Most builds first; ties in the order seen (identity, then issuer).
        seen.sort_by_key(|c| std::cmp::Reverse(c.signatures));
        let top = seen.first().map_or(0, |c| c.signatures);
        for c in &mut seen {
            c.odd = c.signatures * 2 <= top && c.signatures < top;
        }
        let mut choices: Vec<Choice> = Vec::new();
        if let Some(c) = current {
            let found = seen.iter().position(|s| s.signer == c.signer);
            let mut choice = match found {
                Some(i) => seen.remove(i),
                None => Choice {
                    signer: c.signer.clone(),
                    signatures: 0,
                    current: false,
                    odd: false,
                },
            };
            choice.current = true;
            choices.push(choice);
        }
        choices.extend(seen);
        let (attestations, predicate) = match current.map(|c| &c.evidence) {
            Some(Evidence::Attestations { predicate }) => (true, predicate.clone()),
            _ => (false, None),
        };
        VerifyDialog {
            mode: Mode::Seen,
            field: Field::Choice,
            choices,
            selected: 0,
            identity: TextField::default(),
            issuer: TextField::default(),
            regexp: false,
            key_path: TextField::default(),
            attestations,
            predicate: TextField::new(predicate.as_deref().unwrap_or_default()),
            error: None,
            pending: None,
        }
    }

    /// The dialog opened on the key file tab (a key-signed build's "verify for this signer").
    pub fn for_key(current: Option<&VerifySpec>, tags: &[TagEntry]) -> VerifyDialog {
        let mut dialog = VerifyDialog::new(current, tags);
        dialog.mode = Mode::Key;
        dialog.field = Field::KeyPath;
        dialog
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
                let (identity, issuer) = (self.identity.text().trim(), self.issuer.text().trim());
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
                let path = self.key_path.text().trim();
                if path.is_empty() {
                    return Err("type the path of a PEM public key".into());
                }
                SignerSpec::KeyFile(PathBuf::from(path))
            }
        };
        let evidence = if self.attestations {
            let p = self.predicate.text().trim();
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
        let identity = self.identity.text().trim();
        if self.mode != Mode::Typed || !self.regexp || identity.is_empty() {
            return None;
        }
        match Matcher::regex(identity) {
            Ok(m) => m.warning("the identity"),
            Err(e) => Some(e),
        }
    }

    /// Applies a key; `page` is how many choices are shown at once.
    pub fn key(&mut self, key: KeyEvent, page: usize) -> Decision {
        let code = key.code;
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
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
            KeyCode::PageUp if self.field == Field::Choice => {
                self.selected = self.selected.saturating_sub(page.max(1));
            }
            KeyCode::PageDown if self.field == Field::Choice => {
                self.selected = (self.selected + page.max(1)).min(self.last_choice());
            }
            KeyCode::Home | KeyCode::Char('g') if self.field == Field::Choice => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') if self.field == Field::Choice => {
                self.selected = self.last_choice();
            }
            _ if self.field.is_text() => {
                if let Some(t) = self.text_mut()
                    && t.key(key)
                {
                    self.error = None;
                }
            }
            KeyCode::Char('q' | 'v') if plain => return Decision::Close,
            KeyCode::Char('k') if plain => self.up(),
            KeyCode::Char('j') if plain => self.down(),
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => self.toggle(),
            _ => {}
        }
        Decision::Stay
    }

    /// Bracketed paste into the focused text field.
    pub fn paste(&mut self, text: &str) {
        if let Some(t) = self.text_mut() {
            t.insert(text);
            self.error = None;
        }
    }

    fn last_choice(&self) -> usize {
        self.choices.len().saturating_sub(1)
    }

    fn text_mut(&mut self) -> Option<&mut TextField> {
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
            self.identity = TextField::new(identity);
            self.issuer = TextField::new(issuer);
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
            // On the pick list too: the signer picked stays picked.
            Field::Evidence | Field::Choice => self.attestations = !self.attestations,
            _ => {}
        }
    }
}

/// "Notation trust policy", offered when a loaded tag has Notary Project signatures (counted
/// in builds).
pub fn notation_choice(tags: &[TagEntry]) -> Option<Choice> {
    let builds = tags
        .iter()
        .filter_map(TagEntry::image)
        .filter(|i| {
            i.all_artifacts()
                .iter()
                .any(|a| a.kind == ArtifactKind::NotationSignature)
        })
        .count();
    (builds > 0).then_some(Choice {
        signer: SignerSpec::NotationPolicy { config: None },
        signatures: builds,
        current: false,
        odd: false,
    })
}

/// Every certificate identity and issuer on a signature (not copied from another image) or an
/// attestation of a loaded tag, counted once per build, CI builds grouped into one anchored
/// pattern (see [`identity_choices`]).
pub fn signers_seen(tags: &[TagEntry]) -> Vec<Choice> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for image in tags.iter().filter_map(TagEntry::image) {
        let mut build: BTreeSet<(String, String)> = BTreeSet::new();
        for signature in signatures_of(image).into_iter().filter(|s| s.counted()) {
            if let Some(signer) = signature.signer.filter(|s| s.notation.is_none())
                && let Some(issuer) = signer.issuer
            {
                build.insert((signer.identity, issuer));
            }
        }
        for artifact in image.all_artifacts() {
            for layer in &artifact.layers {
                let cert = match &layer.content {
                    LayerContent::Attestation(att) => match &att.material.certificate {
                        Some(Decoded::Ok(cert)) => Some(cert),
                        _ => None,
                    },
                    LayerContent::Bundle { bundle, .. } => {
                        bundle.ok().and_then(|b| b.leaf_certificate())
                    }
                    _ => None,
                };
                if let Some(cert) = cert
                    && let (Some(identity), Some(issuer)) = (cert.identity(), cert.oidc_issuer())
                {
                    build.insert((identity.to_owned(), issuer.to_owned()));
                }
            }
        }
        seen.extend(build);
    }
    identity_choices(seen.iter().map(|(i, s)| (i.as_str(), s.as_str())))
        .into_iter()
        .map(|c| Choice {
            signer: SignerSpec::Identity {
                identity: c.identity,
                identity_is_regexp: c.is_regexp,
                issuer: c.issuer,
            },
            signatures: c.signatures,
            current: false,
            odd: false,
        })
        .collect()
}
