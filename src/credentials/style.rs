//! How a credential connector's calls carry its credentials: one code path per style the
//! catalog names (`[api.credential]`), never one per provider. The values are the
//! connection's configuration (non-secret) and its one secret, by credential name.

use super::jwt;
use crate::catalog::binding::{CredentialAuth, CredentialStyle};
use base64::Engine;
use serde_json::{Map, Value};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error("the credential '{0}' is missing: replace the credentials")]
    Missing(String),
    #[error("the stored key cannot sign: {0}")]
    Key(#[from] jwt::JwtError),
    #[error("the credential holds characters that cannot be sent")]
    Unsendable,
}

/// A connection's credentials by name: its configuration plus its secret.
pub struct Values<'a> {
    pub config: &'a Map<String, Value>,
    pub secret_name: &'a str,
    pub secret: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> Option<String> {
        if name == self.secret_name {
            return Some(self.secret.to_owned());
        }
        self.config.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

/// What a request gains: headers, and for the path style a prefix under the base path.
#[derive(Default)]
pub struct Applied {
    pub headers: Vec<(String, String)>,
}

/// Applies the style to one request: adds its headers, or moves its path under the
/// credential's prefix (`base_path` is the API base's path, which the prefix follows).
pub fn apply(
    auth: &CredentialAuth,
    values: &Values<'_>,
    url: &mut Url,
    base_path: &str,
) -> Result<Applied, StyleError> {
    let mut applied = Applied::default();
    let header = auth.header.clone().unwrap_or_else(|| "authorization".into());
    match auth.style {
        CredentialStyle::Header => applied.headers.push((header, render(&auth.value, values, None)?)),
        CredentialStyle::Basic => {
            let pair = render(&auth.value, values, None)?;
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            applied.headers.push((header, format!("Basic {encoded}")));
        }
        CredentialStyle::Path => {
            let prefix = render(&auth.value, values, None)?;
            let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b':' | b'_' | b'-' | b'.');
            if !prefix.starts_with('/') || !prefix.bytes().all(safe) || prefix.contains("..") {
                return Err(StyleError::Unsendable);
            }
            let base = base_path.trim_end_matches('/');
            let rest = url.path().strip_prefix(base).unwrap_or(url.path()).to_owned();
            url.set_path(&format!("{base}{prefix}{rest}"));
        }
        CredentialStyle::KeyPairJwt => {
            let key =
                auth.key.as_deref().and_then(|k| values.get(k)).ok_or_else(|| StyleError::Missing("key".into()))?;
            let subject = render(auth.subject.as_deref().unwrap_or_default(), values, None)?;
            let token = jwt::sign(&key, &subject, crate::store::now())?;
            applied.headers.push((header, render(&auth.value, values, Some(&token))?));
        }
    }
    for (name, template) in &auth.headers {
        applied.headers.push((name.clone(), render(template, values, None)?));
    }
    if applied.headers.iter().any(|(_, v)| v.bytes().any(|b| b < 0x20 || b == 0x7f)) {
        return Err(StyleError::Unsendable);
    }
    Ok(applied)
}

/// `{name}`, `{name|upper}`, `{name|first_label}` (the text before the first dot: a
/// Snowflake account locator without its region) and `{=jwt}`.
pub fn render(template: &str, values: &Values<'_>, jwt: Option<&str>) -> Result<String, StyleError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c).ok_or(StyleError::Unsendable)?;
        let inner = &rest[open + 1..close];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default();
        let mut value = match name {
            "=jwt" => jwt.map(str::to_owned).ok_or_else(|| StyleError::Missing("jwt".into()))?,
            _ => values.get(name).ok_or_else(|| StyleError::Missing(name.to_owned()))?,
        };
        for filter in parts {
            value = match filter {
                "upper" => value.to_uppercase(),
                "first_label" => value.split('.').next().unwrap_or_default().to_owned(),
                _ => return Err(StyleError::Unsendable),
            };
        }
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The credential names a template uses (for the catalog check).
pub fn names(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let name = rest[open + 1..close].split('|').next().unwrap_or_default();
        if !name.starts_with('=') {
            out.push(name.to_owned());
        }
        rest = &rest[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(style: CredentialStyle, value: &str) -> CredentialAuth {
        CredentialAuth {
            style,
            value: value.into(),
            header: None,
            headers: Default::default(),
            key: None,
            subject: None,
        }
    }

    #[test]
    fn basic_auth_joins_the_named_credentials() {
        let config = Map::from_iter([("account_sid".to_owned(), Value::String("AC1".into()))]);
        let values = Values { config: &config, secret_name: "auth_token", secret: "tok" };
        let mut url = Url::parse("https://api.twilio.com/x").unwrap();
        let applied =
            apply(&auth(CredentialStyle::Basic, "{account_sid}:{auth_token}"), &values, &mut url, "").unwrap();
        assert_eq!(applied.headers, vec![("authorization".to_owned(), "Basic QUMxOnRvaw==".to_owned())]);
    }

    #[test]
    fn a_path_token_goes_right_after_the_base_path_and_nowhere_else() {
        let config = Map::new();
        let values = Values { config: &config, secret_name: "bot_token", secret: "123:AAx" };
        let mut url = Url::parse("http://127.0.0.1:9/sandbox/api/telegram/getMe").unwrap();
        apply(&auth(CredentialStyle::Path, "/bot{bot_token}"), &values, &mut url, "/sandbox/api/telegram").unwrap();
        assert_eq!(url.path(), "/sandbox/api/telegram/bot123:AAx/getMe");
        let sneaky = Values { config: &config, secret_name: "bot_token", secret: "1/../../admin" };
        let mut url = Url::parse("https://api.telegram.org/getMe").unwrap();
        assert!(apply(&auth(CredentialStyle::Path, "/bot{bot_token}"), &sneaky, &mut url, "").is_err());
    }

    #[test]
    fn filters_reshape_an_account_for_a_jwt_subject() {
        let config = Map::from_iter([
            ("account".to_owned(), Value::String("xy12345.us-east-2.aws".into())),
            ("user".to_owned(), Value::String("ada".into())),
        ]);
        let values = Values { config: &config, secret_name: "private_key", secret: "" };
        assert_eq!(render("{account|first_label|upper}.{user|upper}", &values, None).unwrap(), "XY12345.ADA");
        assert_eq!(names("Bearer {api_key} {=jwt} {a|upper}"), vec!["api_key", "a"]);
    }
}
