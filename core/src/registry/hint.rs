//! What to try when a registry cannot be read, added to the error a user sees (CLI and TUI):
//! a TLS handshake answered in plain HTTP ("received corrupt message of type
//! InvalidContentType") means the registry speaks HTTP, and an HTTP 401 or 403 means
//! credentials are missing or refused.

/// The hint for an error message, when one helps.
pub fn hint(message: &str) -> Option<&'static str> {
    let plain_http = [
        "InvalidContentType",
        "corrupt message",
        "wrong version number",
        "http request to an https server",
    ];
    if plain_http.iter().any(|m| message.contains(m)) {
        return Some("the registry answered in plain HTTP: did you mean --allow-http-registry?");
    }
    if message.contains("authentication required or refused") {
        return Some("credentials: docker login, or --registry-username and --registry-password");
    }
    None
}

/// `message` with its hint (once) after it.
pub fn with_hint(message: &str) -> String {
    match hint(message) {
        Some(h) if !message.contains(h) => format!("{message} ({h})"),
        _ => message.to_owned(),
    }
}

/// The hint as it ends an error message: ` (…)` or nothing.
pub fn suffix(message: &str) -> String {
    hint(message).map(|h| format!(" ({h})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_to_plain_http_and_401_get_their_hints_once() {
        let tls = "https://127.0.0.1:5000/v2/: error sending request: received corrupt message of type InvalidContentType";
        assert!(with_hint(tls).ends_with("did you mean --allow-http-registry?)"));
        assert_eq!(with_hint(&with_hint(tls)), with_hint(tls));
        let auth = "reg/app: authentication required or refused (HTTP 401)";
        assert!(with_hint(auth).contains("docker login"));
        assert_eq!(with_hint("reg/app: not found"), "reg/app: not found");
    }
}
