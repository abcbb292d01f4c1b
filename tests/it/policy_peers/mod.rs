//! The admission controllers' own table-driven tests, ported: each row is a policy and an image
//! (or a pure function's input) with the verdict the controller's test expects, run through
//! sigscope's reader and evaluator on images read from the loopback registry (or, where a row
//! names what a loopback registry cannot hold, in-process). Rows are written in our own words;
//! each names the peer test it comes from.
//!
//! scripts/test prints `policy peers: N/M` per controller from `policy-peers.log`; the tests
//! here assert that every row sigscope can express agrees, and that no row at all — expressible
//! or not — admits an image its controller denies or whose policy it refuses.

mod bed;
mod connaisseur;
mod containers;
mod containers_config;
mod containers_identity;
mod containers_remap;
mod kyverno;
mod kyverno_validation;
mod kyverno_wildcard;
mod policy_controller;
mod policy_controller_validation;

use std::sync::OnceLock;

use sigscope::policy::evaluate::{Decision, decide};
use sigscope::policy::read_policies;

pub use bed::{Bed, Image};

/// The controller a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    /// sigstore/policy-controller
    Sigstore,
    Kyverno,
    Containers,
    Connaisseur,
}

impl Controller {
    pub const ALL: [Controller; 4] = [
        Controller::Sigstore,
        Controller::Kyverno,
        Controller::Containers,
        Controller::Connaisseur,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Controller::Sigstore => "policy-controller",
            Controller::Kyverno => "Kyverno",
            Controller::Containers => "containers/image",
            Controller::Connaisseur => "Connaisseur",
        }
    }
}

/// What the controller's test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Admit,
    Deny,
    /// The controller refuses the policy (validation, schema, parse error).
    Refuse,
    /// The controller accepts the policy (a validation test's "valid" row).
    Accept,
    /// A pure function's answer (a glob matches, a reference matches).
    Is(bool),
}

/// What sigscope said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    Admitted,
    Denied,
    CouldNotCheck,
    Refused(String),
    Is(bool),
}

/// Where a row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// On images read from the loopback registry.
    Registry,
    /// In-process, because a loopback registry cannot hold what the row names (the reason).
    InProcess(&'static str),
    /// Run, but sigscope cannot reach the controller's verdict (the reason): it must still
    /// never admit what the controller denies.
    NotExpressible(&'static str),
}

/// One ported row and its outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub controller: Controller,
    pub id: String,
    pub expect: Expect,
    pub got: Got,
    pub place: Where,
}

impl Outcome {
    pub fn agrees(&self) -> bool {
        match (self.expect, &self.got) {
            (Expect::Admit, Got::Admitted)
            | (Expect::Deny, Got::Denied)
            | (Expect::Refuse, Got::Refused(_)) => true,
            (Expect::Accept, got) => !matches!(got, Got::Refused(_) | Got::Is(_)),
            (Expect::Is(a), Got::Is(b)) => a == *b,
            _ => false,
        }
    }

    /// sigscope admits what the controller denies, or evaluates a policy it refuses into an
    /// admission.
    pub fn fails_open(&self) -> bool {
        matches!(self.expect, Expect::Deny | Expect::Refuse) && self.got == Got::Admitted
    }
}

/// Rows of one table, gathered with their outcomes.
#[derive(Default)]
pub struct Table {
    pub outcomes: Vec<Outcome>,
}

impl Table {
    /// A policy row: `policy` read and decided on `image`.
    pub fn policy(
        &mut self,
        controller: Controller,
        id: &str,
        policy: &str,
        image: &Image,
        expect: Expect,
        place: Where,
    ) {
        let got = verdict(policy, image);
        self.push(controller, id, expect, got, place);
    }

    /// A pure function's row.
    pub fn function(
        &mut self,
        controller: Controller,
        id: &str,
        expect: bool,
        got: Result<bool, String>,
        reason: &'static str,
    ) {
        let got = match got {
            Ok(b) => Got::Is(b),
            Err(e) => Got::Refused(e),
        };
        self.push(
            controller,
            id,
            Expect::Is(expect),
            got,
            Where::InProcess(reason),
        );
    }

    /// A row whose input the function refuses (an invalid glob or reference): agrees when
    /// sigscope refuses it too.
    pub fn refusal(
        &mut self,
        controller: Controller,
        id: &str,
        got: Result<bool, String>,
        reason: &'static str,
    ) {
        let got = match got {
            Ok(b) => Got::Is(b),
            Err(e) => Got::Refused(e),
        };
        self.push(
            controller,
            id,
            Expect::Refuse,
            got,
            Where::InProcess(reason),
        );
    }

    pub fn push(
        &mut self,
        controller: Controller,
        id: &str,
        expect: Expect,
        got: Got,
        place: Where,
    ) {
        self.outcomes.push(Outcome {
            controller,
            id: id.to_owned(),
            expect,
            got,
            place,
        });
    }
}

/// sigscope's verdict on `image` under `policy`.
pub fn verdict(policy: &str, image: &Image) -> Got {
    let set = match read_policies(policy) {
        Ok(set) => set,
        Err(e) => return Got::Refused(e.to_string()),
    };
    let bed = Bed::get();
    let d = decide(
        &bed.environment(),
        &set,
        &image.name,
        &image.tag,
        &image.report,
    );
    match d.decision {
        Decision::Admitted => Got::Admitted,
        Decision::Denied => Got::Denied,
        Decision::CouldNotCheck => Got::CouldNotCheck,
    }
}

/// Every ported row, run once per test binary; the report file gets one line per row.
pub fn outcomes() -> &'static [Outcome] {
    static ALL: OnceLock<Vec<Outcome>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut table = Table::default();
        policy_controller::rows(&mut table);
        policy_controller_validation::rows(&mut table);
        kyverno::rows(&mut table);
        kyverno_validation::rows(&mut table);
        containers::rows(&mut table);
        containers_identity::rows(&mut table);
        connaisseur::rows(&mut table);
        for o in &table.outcomes {
            let (place, why) = match o.place {
                Where::Registry => ("registry", ""),
                Where::InProcess(why) => ("in-process", why),
                Where::NotExpressible(why) => ("not-expressible", why),
            };
            crate::support::report(
                "policy-peers.log",
                &format!(
                    "{}\t{}\t{place}\t{}\t{}\t{:?}\t{:?}\t{}",
                    o.controller.name(),
                    if o.agrees() { "agree" } else { "differ" },
                    if o.fails_open() { "fails-open" } else { "safe" },
                    o.id,
                    o.expect,
                    o.got,
                    why
                ),
            );
        }
        table.outcomes
    })
}

fn check(controller: Controller) {
    let rows: Vec<&Outcome> = outcomes()
        .iter()
        .filter(|o| o.controller == controller)
        .collect();
    assert!(!rows.is_empty(), "{} has no ported rows", controller.name());
    let wrong: Vec<String> = rows
        .iter()
        .filter(|o| !matches!(o.place, Where::NotExpressible(_)) && !o.agrees())
        .map(|o| format!("{}: expected {:?}, sigscope {:?}", o.id, o.expect, o.got))
        .collect();
    assert!(
        wrong.is_empty(),
        "{}: {} of {} expressible rows disagree:\n{}",
        controller.name(),
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

#[test]
fn policy_controller_peer_tables_agree() {
    check(Controller::Sigstore);
}

#[test]
fn kyverno_peer_tables_agree() {
    check(Controller::Kyverno);
}

#[test]
fn containers_image_peer_tables_agree() {
    check(Controller::Containers);
}

#[test]
fn connaisseur_peer_tables_agree() {
    check(Controller::Connaisseur);
}

/// The bar: across every ported table, sigscope never admits an image the controller
/// denies, nor evaluates into an admission a policy the controller refuses.
#[test]
fn no_peer_row_admits_what_its_controller_denies_or_refuses() {
    let open: Vec<String> = outcomes()
        .iter()
        .filter(|o| o.fails_open())
        .map(|o| {
            format!(
                "{} {}: expected {:?}, sigscope admitted",
                o.controller.name(),
                o.id,
                o.expect
            )
        })
        .collect();
    crate::support::report("policy-peers-open.log", &open.len().to_string());
    assert_eq!(open.len(), 0, "rows failing open:\n{}", open.join("\n"));
    for c in Controller::ALL {
        assert!(outcomes().iter().any(|o| o.controller == c), "{}", c.name());
    }
}
