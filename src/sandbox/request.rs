//! The authorization request (RFC 6749 §4.1.1 with RFC 7636), parsed once and shared by
//! the consent screen and its form post, which re-sends it and is checked the same way.
//!
//! Errors follow RFC 6749 §4.1.2.1: while the client or its redirect URI is in doubt the
//! person sees an error page and nothing is sent anywhere (an open redirector otherwise);
//! once both are trusted, every other problem goes back to the client at its redirect URI.

use super::pkce::CodeChallenge;
use crate::catalog::Catalog;

/// A request the sandbox will show a consent screen for.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizeRequest {
    pub client_id: String,
    /// The catalog id of the connector the client plays.
    pub connector: String,
    pub redirect_uri: String,
    /// Requested scopes, in order, without repeats; each one is in the connector's catalog.
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub code_challenge: CodeChallenge,
    /// `prompt` asked for `select_account`: the account chooser comes first.
    pub select_account: bool,
    pub login_hint: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted: tell the person, send nothing back.
    #[error("{title}: {message}")]
    Page { title: &'static str, message: String },
    /// Tell the client, at its registered redirect URI.
    #[error("{}: {}", .0.error, .0.description)]
    Redirect(ErrorRedirect),
}

/// An RFC 6749 error answer, delivered by redirecting the browser to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub error: &'static str,
    pub description: String,
}

impl ErrorRedirect {
    pub fn url(&self) -> String {
        with_query(
            &self.redirect_uri,
            &[("error", self.error), ("error_description", &self.description)],
            self.state.as_deref(),
        )
    }
}

impl AuthorizeRequest {
    /// Parses the query (or the consent form) against the catalog and the one redirect URI
    /// registered for every sandbox client: patchbay's own callback. Parameters the
    /// sandbox does not know (access_type, include_granted_scopes, owner, audience, …) are
    /// accepted and ignored, as providers ignore each other's.
    pub fn parse(pairs: &[(String, String)], catalog: &Catalog, registered: &str) -> Result<Self, AuthorizeError> {
        let params = Params(pairs);
        let client_id = params.one("client_id").map_err(page)?.ok_or_else(|| {
            page_error("No client", "The request does not say which app is asking (client_id is missing).")
        })?;
        let Some(connector) = super::client(catalog, client_id) else {
            return Err(page_error(
                "Unknown sandbox client",
                &format!(
                    "The sandbox has no client '{client_id}'. Sandbox clients are named sandbox-<connector>, \
                     e.g. sandbox-gmail, for a connector that signs in with OAuth 2.0."
                ),
            ));
        };
        let redirect_uri = params.one("redirect_uri").map_err(page)?.ok_or_else(|| {
            page_error("No redirect URI", "The request does not say where to return to (redirect_uri is missing).")
        })?;
        if redirect_uri != registered {
            return Err(page_error(
                "Redirect URI not registered",
                &format!(
                    "{client_id} may only return to {registered}, not to {redirect_uri}. \
                     Nothing was sent back to the app."
                ),
            ));
        }
        let fail = |state: Option<&str>, error: &'static str, description: String| {
            AuthorizeError::Redirect(ErrorRedirect {
                redirect_uri: redirect_uri.to_owned(),
                state: state.map(str::to_owned),
                error,
                description,
            })
        };
        let state = params.one("state").map_err(|e| fail(None, "invalid_request", e))?;
        let invalid = |description: String| fail(state, "invalid_request", description);

        match params.one("response_type").map_err(invalid)? {
            Some("code") => {}
            Some(other) => {
                return Err(fail(
                    state,
                    "unsupported_response_type",
                    format!("response_type '{other}' is not supported: use code"),
                ));
            }
            None => return Err(invalid("response_type is missing: use code".into())),
        }
        let raw_challenge = params
            .one("code_challenge")
            .map_err(invalid)?
            .ok_or_else(|| invalid("PKCE is required: send code_challenge with code_challenge_method=S256".into()))?;
        match params.one("code_challenge_method").map_err(invalid)? {
            Some("S256") => {}
            Some(other) => {
                return Err(invalid(format!("code_challenge_method '{other}' is not allowed: use S256")));
            }
            None => return Err(invalid("code_challenge_method is missing (it would mean plain): use S256".into())),
        }
        let code_challenge = CodeChallenge::parse(raw_challenge)
            .ok_or_else(|| invalid("code_challenge is not a base64url SHA-256 (43 characters)".into()))?;

        let mut names = vec!["scope"];
        if connector.auth.scope_param != "scope" {
            names.push(connector.auth.scope_param.as_str());
        }
        let mut scopes: Vec<String> = Vec::new();
        for scope in names.iter().flat_map(|n| params.all(n)).flat_map(split_scopes) {
            if connector.permission(scope).is_none() {
                return Err(fail(
                    state,
                    "invalid_scope",
                    format!("scope '{scope}' is not one of {}'s", super::provider_name(connector)),
                ));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        let prompt = params.one("prompt").map_err(invalid)?.unwrap_or("");
        Ok(Self {
            client_id: client_id.to_owned(),
            connector: connector.id.as_str().to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: state.map(str::to_owned),
            code_challenge,
            select_account: prompt.split(' ').any(|p| p == "select_account"),
            login_hint: params.one("login_hint").map_err(invalid)?.map(str::to_owned),
        })
    }

    /// The request as hidden form fields, so that the consent form re-sends it whole.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scopes.join(" ")),
            ("code_challenge", self.code_challenge.as_str().to_owned()),
            ("code_challenge_method", "S256".to_owned()),
        ];
        if let Some(state) = &self.state {
            fields.push(("state", state.clone()));
        }
        if self.select_account {
            fields.push(("prompt", "select_account".to_owned()));
        }
        if let Some(hint) = &self.login_hint {
            fields.push(("login_hint", hint.clone()));
        }
        fields
    }

    /// Where Allow sends the browser.
    pub fn code_url(&self, code: &str) -> String {
        with_query(&self.redirect_uri, &[("code", code)], self.state.as_deref())
    }

    /// Where Cancel sends the browser.
    pub fn denied(&self) -> ErrorRedirect {
        ErrorRedirect {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
            error: "access_denied",
            description: "The person cancelled on the consent screen.".into(),
        }
    }
}

/// Scopes as any provider writes them: space- or comma-separated.
pub fn split_scopes(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([' ', ',']).filter(|s| !s.is_empty())
}

fn with_query(base: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    if let Some(state) = state {
        query.append_pair("state", state);
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", query.finish())
}

fn page_error(title: &'static str, message: &str) -> AuthorizeError {
    AuthorizeError::Page { title, message: message.to_owned() }
}

fn page(message: String) -> AuthorizeError {
    page_error("Malformed request", &message)
}

/// The request's parameters. An empty value counts as absent and a repeated one is an
/// error (RFC 6749 §3.1).
struct Params<'a>(&'a [(String, String)]);

impl<'a> Params<'a> {
    fn all(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    fn one(&self, name: &'a str) -> Result<Option<&'a str>, String> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() { Err(format!("{name} is given more than once")) } else { Ok(first) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &str = "http://127.0.0.1:8080/oauth/callback";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn parse(extra: &[(&str, &str)], drop: &[&str]) -> Result<AuthorizeRequest, AuthorizeError> {
        let base = [
            ("response_type", "code"),
            ("client_id", "sandbox-gmail"),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email https://www.googleapis.com/auth/gmail.send"),
            ("state", "st-1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        let pairs: Vec<(String, String)> = base
            .iter()
            .filter(|(k, _)| !drop.contains(k))
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AuthorizeRequest::parse(&pairs, &Catalog::embedded().unwrap(), CALLBACK)
    }

    fn redirected(r: Result<AuthorizeRequest, AuthorizeError>) -> ErrorRedirect {
        match r {
            Err(AuthorizeError::Redirect(e)) => e,
            other => panic!("expected an error redirect, got {other:?}"),
        }
    }

    #[test]
    fn a_sandbox_request_with_provider_extras_parses() {
        let extras = [("access_type", "offline"), ("prompt", "consent select_account"), ("owner", "user")];
        let r = parse(&extras, &[]).unwrap();
        assert_eq!(r.connector, "gmail");
        assert_eq!(r.scopes, ["openid", "email", "https://www.googleapis.com/auth/gmail.send"]);
        assert!(r.select_account);
        assert_eq!(r.code_url("c 1"), format!("{CALLBACK}?code=c+1&state=st-1"));
        let denied = r.denied().url();
        assert!(denied.starts_with(&format!("{CALLBACK}?error=access_denied&")) && denied.ends_with("&state=st-1"));
    }

    #[test]
    fn sandbox_scopes_may_be_comma_separated_or_in_the_connectors_own_parameter() {
        let slack = [
            ("client_id", "sandbox-slack"),
            ("user_scope", "chat:write,channels:history"),
            ("scope", ""),
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        let pairs: Vec<_> = slack.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let r = AuthorizeRequest::parse(&pairs, &Catalog::embedded().unwrap(), CALLBACK).unwrap();
        assert_eq!(r.scopes, ["chat:write", "channels:history"]);
        assert_eq!(r.state, None);
    }

    #[test]
    fn sandbox_requests_without_s256_pkce_go_back_as_invalid_request() {
        for (extra, drop) in [
            (vec![], vec!["code_challenge", "code_challenge_method"]),
            (vec![("code_challenge_method", "plain")], vec!["code_challenge_method"]),
            (vec![], vec!["code_challenge_method"]),
            (vec![("code_challenge", "nope")], vec!["code_challenge"]),
        ] {
            let e = redirected(parse(&extra, &drop));
            assert_eq!((e.error, e.state.as_deref()), ("invalid_request", Some("st-1")), "{extra:?} {drop:?}");
        }
    }

    #[test]
    fn sandbox_requests_with_other_mistakes_go_back_with_their_rfc_code() {
        assert_eq!(
            redirected(parse(&[("response_type", "token")], &["response_type"])).error,
            "unsupported_response_type"
        );
        assert_eq!(redirected(parse(&[("scope", "https://evil/scope")], &[])).error, "invalid_scope");
        assert_eq!(redirected(parse(&[("state", "again")], &[])).error, "invalid_request", "a repeated parameter");
    }

    #[test]
    fn sandbox_requests_from_unknown_clients_or_to_other_redirects_stay_on_an_error_page() {
        for (extra, drop) in [
            (vec![("client_id", "sandbox-nope")], vec!["client_id"]),
            (vec![], vec!["client_id"]),
            (vec![("redirect_uri", "https://evil.example/cb")], vec!["redirect_uri"]),
            (vec![("redirect_uri", "http://127.0.0.1:8080/oauth/callback/")], vec!["redirect_uri"]),
            (vec![], vec!["redirect_uri"]),
        ] {
            assert!(matches!(parse(&extra, &drop), Err(AuthorizeError::Page { .. })), "{extra:?} {drop:?}");
        }
    }

    #[test]
    fn the_sandbox_consent_form_resends_a_request_that_parses_to_the_same() {
        let r = parse(&[("prompt", "select_account"), ("login_hint", "a@b.c")], &[]).unwrap();
        let pairs: Vec<_> = r.form_fields().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(AuthorizeRequest::parse(&pairs, &Catalog::embedded().unwrap(), CALLBACK).unwrap(), r);
    }
}
