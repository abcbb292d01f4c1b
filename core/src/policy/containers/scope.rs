//! The scopes of a `policy.json` and the order containers/image looks them up in
//! (`policy_eval.go`, `DockerReferenceIdentity`, `DockerReferenceNamespaces`).

use super::identity::DockerReference;
use crate::policy::glob::ImageName;

/// A scope of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `default`
    Global,
    /// `transports.docker[""]`
    TransportDefault,
    /// `transports.docker[SCOPE]`
    Docker(String),
}

/// The scopes containers/image looks up for a docker reference, most specific first
/// (`DockerReferenceIdentity` then `DockerReferenceNamespaces`): the reference, its name and
/// each parent namespace down to the host, then `*.` wildcards of the host's domains with the
/// port removed.
pub fn lookup_order(image: &DockerReference) -> Vec<String> {
    let mut out = Vec::new();
    match (&image.tag, &image.digest) {
        (Some(t), None) => out.push(format!("{}:{t}", image.name)),
        (None, Some(d)) => out.push(format!("{}@{d}", image.name)),
        // A reference with both (or neither) has no identity of its own.
        _ => {}
    }
    let mut name = image.name.as_str();
    loop {
        out.push(name.to_owned());
        match name.rfind('/') {
            Some(i) => name = &name[..i],
            None => break,
        }
    }
    let mut host = name.split(':').next().unwrap_or(name);
    while let Some(i) = host.find('.') {
        host = &host[i + 1..];
        out.push(format!("*.{host}"));
    }
    out
}

impl Scope {
    /// How specifically this scope names `image` (higher wins), or `None` when it does not.
    pub fn specificity(&self, image: &ImageName) -> Option<usize> {
        let scope = match self {
            Scope::Global => return Some(0),
            Scope::TransportDefault => return Some(1),
            Scope::Docker(s) => s.as_str(),
        };
        let order = lookup_order(&DockerReference::of_image(image));
        order
            .iter()
            .position(|s| s == scope)
            .map(|i| 2 + order.len() - i)
    }

    /// The scope as `policy.json` writes it (`default`, `transports.docker["…"]`).
    pub fn describe(&self) -> String {
        match self {
            Scope::Global => "default".into(),
            Scope::TransportDefault => "transports.docker[\"\"]".into(),
            Scope::Docker(s) => format!("transports.docker[{s:?}]"),
        }
    }
}
