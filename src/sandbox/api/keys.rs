//! How the sandbox checks a credential connector's calls, as the provider would: the
//! credentials must be the sandbox's test values (listed on its developer console page,
//! `/sandbox/console/<connector>`), carried in the provider's own style: a header, HTTP
//! Basic, a path prefix (Telegram's `/bot<token>`), or a key-pair JWT whose signature and
//! fingerprint match the test key (Snowflake). Anything else is refused with a 401.

use crate::catalog::Connector;
use crate::catalog::binding::CredentialStyle;
use crate::credentials::{jwt, style};
use axum::http::HeaderMap;
use serde_json::{Map, Value};

/// The sandbox's test values of a connector's credentials, by name.
pub fn test_values(connector: &Connector) -> Map<String, Value> {
    connector
        .auth
        .credentials
        .iter()
        .filter_map(|c| Some((c.name.clone(), Value::String(normalised(c, c.sandbox.as_deref()?)))))
        .collect()
}

/// A typed value as patchbay stores it (a workspace URL becomes its host).
fn normalised(credential: &crate::catalog::Credential, value: &str) -> String {
    match credential.format {
        crate::catalog::CredentialFormat::UrlHost => {
            url::Url::parse(value).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
        }
        _ => value.to_owned(),
    }
}

/// The path under the connector's base once the credentials check out, or why not.
pub fn check<'p>(connector: &Connector, headers: &HeaderMap, path: &'p str) -> Result<&'p str, &'static str> {
    let auth = connector.api.as_ref().and_then(|a| a.credential.as_ref()).ok_or("this API takes no credentials")?;
    let values = test_values(connector);
    let secret = connector.auth.secret_credential().ok_or("this API takes no credentials")?;
    let secret_value = values.get(&secret.name).and_then(Value::as_str).unwrap_or_default();
    let expected = style::Values { config: &values, secret_name: &secret.name, secret: secret_value };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let auth_header = auth.header.as_deref().unwrap_or("authorization");
    for (name, template) in &auth.headers {
        if style::render(template, &expected, None).ok().as_deref() != Some(header(name)) {
            return Err("a required credential header is missing or wrong");
        }
    }
    match auth.style {
        CredentialStyle::Header => {
            let want = style::render(&auth.value, &expected, None).map_err(|_| "the sandbox has no test value")?;
            (header(auth_header) == want).then_some(path).ok_or("the API key is unknown")
        }
        CredentialStyle::Basic => {
            use base64::Engine;
            let want = style::render(&auth.value, &expected, None).map_err(|_| "the sandbox has no test value")?;
            let sent = header(auth_header).strip_prefix("Basic ").unwrap_or_default();
            let decoded = base64::engine::general_purpose::STANDARD.decode(sent.trim()).unwrap_or_default();
            (decoded == want.as_bytes()).then_some(path).ok_or("authenticate with the account's credentials")
        }
        CredentialStyle::Path => {
            let prefix = style::render(&auth.value, &expected, None).map_err(|_| "the sandbox has no test value")?;
            match path.strip_prefix(&prefix) {
                Some(rest) if rest.starts_with('/') => Ok(rest),
                _ => Err("Unauthorized"),
            }
        }
        CredentialStyle::KeyPairJwt => {
            let token = header(auth_header).strip_prefix("Bearer ").ok_or("JWT token is invalid.")?;
            let pem = auth.key.as_deref().and_then(|k| values.get(k)).and_then(Value::as_str).unwrap_or_default();
            let key = jwt::private_key(pem).map_err(|_| "the sandbox has no test key")?;
            let public = key.to_public_key();
            let claims = jwt::verify(token.trim(), &public).ok_or("JWT token is invalid.")?;
            let subject = style::render(auth.subject.as_deref().unwrap_or_default(), &expected, None)
                .map_err(|_| "the sandbox has no test value")?;
            let issuer = format!("{subject}.{}", jwt::fingerprint(&public).map_err(|_| "JWT token is invalid.")?);
            let now = crate::store::now();
            let fits = claims["sub"] == subject.as_str()
                && claims["iss"] == issuer.as_str()
                && claims["exp"].as_i64().is_some_and(|exp| exp > now && exp <= now + 3600)
                && claims["iat"].as_i64().is_some_and(|iat| iat <= now + 60);
            fits.then_some(path).ok_or("JWT token is invalid.")
        }
    }
}

/// A path value that names a credential (WhatsApp's phone number id) must be the test
/// value, as a provider answers an id that is not the account's.
pub fn foreign_id(connector: &Connector, params: &Map<String, Value>) -> Option<String> {
    let values = test_values(connector);
    params.iter().find_map(|(name, sent)| {
        let want = values.get(name)?;
        (want != sent).then(|| crate::catalog::template::text_of(sent))
    })
}
