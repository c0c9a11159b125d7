//! Talking to a provider with the oauth2 crate: the authorization URL (PKCE S256, state,
//! scopes in the provider's own parameter and separator, extra parameters), the code and
//! refresh-token exchanges, and reading which account was connected.

use super::http::{HttpError, ProviderHttp, split_scopes};
use super::provider::Provider;
use crate::catalog::{ClientAuth, HttpMethod, NO_SCOPE_PARAM};
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Everything a provider's token answer carries besides the standard fields (Notion's
/// `owner`, Slack's `team`), kept to read the account from when there is no userinfo.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawFields(pub Map<String, Value>);
impl ExtraTokenFields for RawFields {}

type TokenAnswer = StandardTokenResponse<RawFields, BasicTokenType>;
type OAuthClient = Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why a token request failed, in words for the chat.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// `invalid_grant`: a wrong, used or expired code, or a refresh token that was revoked.
    #[error("{0} did not accept the authorization (it may have expired, been used already, or been revoked)")]
    Rejected(String),
    #[error("{0} refused patchbay's client credentials; an administrator needs to check them")]
    BadClient(String),
    #[error("{0} did not answer in time")]
    Timeout(String),
    #[error("{name} had a problem ({detail}); try again in a moment")]
    Provider { name: String, detail: String, transient: bool },
    #[error("{0} is not configured correctly: {1}")]
    Config(String, String),
}

impl TokenError {
    /// Worth retrying later (5xx, 429, timeouts), as opposed to needing the person again.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout(_) | Self::Provider { transient: true, .. })
    }
}

/// A successful exchange.
#[derive(Clone, Debug)]
pub struct Granted {
    pub tokens: crate::connections::TokenSet,
    pub expires_in: Option<u64>,
    /// As returned; `None` when the provider did not say.
    pub scopes: Option<Vec<String>>,
    pub raw: Map<String, Value>,
}

fn oauth_client(p: &Provider, redirect_uri: &str) -> Result<OAuthClient, TokenError> {
    let config = |e: String| TokenError::Config(p.name.clone(), e);
    let mut client = Client::new(ClientId::new(p.client_id.clone()))
        .set_auth_uri(AuthUrl::new(p.authorization_url.clone()).map_err(|e| config(e.to_string()))?)
        .set_token_uri(TokenUrl::new(p.token_url.clone()).map_err(|e| config(e.to_string()))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| config(e.to_string()))?)
        .set_auth_type(match p.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Body => AuthType::RequestBody,
        });
    if let Some(secret) = &p.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    Ok(client)
}

/// The URL to send the person to, and the PKCE verifier to keep server-side.
pub fn authorize_url(
    p: &Provider,
    redirect_uri: &str,
    state: &str,
    scopes: &[String],
    switch_account: bool,
) -> Result<(String, Option<String>), TokenError> {
    let client = oauth_client(p, redirect_uri)?;
    let state = state.to_owned();
    let mut req = client.authorize_url(move || CsrfToken::new(state));
    let joined = scopes.join(&p.scope_separator);
    if !joined.is_empty() && p.scope_param != NO_SCOPE_PARAM {
        req = if p.scope_param == "scope" {
            req.add_scope(Scope::new(joined))
        } else {
            req.add_extra_param(p.scope_param.clone(), joined)
        };
    }
    let mut params = p.params.clone();
    if switch_account {
        params.extend(p.switch_account_params.clone());
    }
    for (k, v) in &params {
        req = req.add_extra_param(k.clone(), v.clone());
    }
    let verifier = if p.pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        req = req.set_pkce_challenge(challenge);
        Some(verifier.secret().to_owned())
    } else {
        None
    };
    let (url, _) = req.url();
    Ok((url.to_string(), verifier))
}

pub async fn exchange_code(
    http: &ProviderHttp,
    p: &Provider,
    redirect_uri: &str,
    code: &str,
    verifier: Option<String>,
) -> Result<Granted, TokenError> {
    let client = oauth_client(p, redirect_uri)?;
    let mut request = client.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(v) = verifier {
        request = request.set_pkce_verifier(PkceCodeVerifier::new(v));
    }
    for (k, v) in &p.token_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let answer = request.request_async(http).await.map_err(|e| token_error(&p.name, e))?;
    Ok(granted(answer, None))
}

/// Uses a refresh token. Providers that rotate answer with a new one; the others keep the
/// old one valid, so it is carried over.
pub async fn refresh(
    http: &ProviderHttp,
    p: &Provider,
    redirect_uri: &str,
    refresh_token: &str,
) -> Result<Granted, TokenError> {
    let client = oauth_client(p, redirect_uri)?;
    let token = RefreshToken::new(refresh_token.to_owned());
    let answer =
        client.exchange_refresh_token(&token).request_async(http).await.map_err(|e| token_error(&p.name, e))?;
    Ok(granted(answer, Some(refresh_token)))
}

fn granted(answer: TokenAnswer, old_refresh: Option<&str>) -> Granted {
    let scopes = answer.scopes().map(|s| s.iter().flat_map(|x| split_scopes(x)).collect());
    let tokens = crate::connections::TokenSet {
        access_token: answer.access_token().secret().to_owned(),
        refresh_token: answer.refresh_token().map(|r| r.secret().to_owned()).or_else(|| old_refresh.map(str::to_owned)),
        token_type: answer.token_type().as_ref().to_lowercase(),
        token_secret: None,
    };
    Granted {
        tokens,
        expires_in: answer.expires_in().map(|d| d.as_secs()),
        scopes,
        raw: answer.extra_fields().0.clone(),
    }
}

fn token_error(name: &str, e: RequestTokenError<HttpError, BasicErrorResponse>) -> TokenError {
    let name = name.to_owned();
    match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant => TokenError::Rejected(name),
            BasicErrorResponseType::InvalidClient | BasicErrorResponseType::UnauthorizedClient => {
                TokenError::BadClient(name)
            }
            other => {
                let detail = match r.error_description() {
                    Some(d) => format!("{}: {d}", other.as_ref()),
                    None => other.as_ref().to_owned(),
                };
                let transient = matches!(other.as_ref(), "temporarily_unavailable" | "server_error" | "slow_down");
                TokenError::Provider { name, detail, transient }
            }
        },
        RequestTokenError::Request(HttpError::Timeout) => TokenError::Timeout(name),
        RequestTokenError::Request(other) => TokenError::Provider { name, detail: other.to_string(), transient: true },
        RequestTokenError::Parse(_, body) => {
            // A non-JSON error page: a 5xx or 429 from a proxy in front of the provider.
            let detail = String::from_utf8_lossy(&body).chars().take(80).collect::<String>();
            TokenError::Provider { name, detail: format!("an unexpected answer: {detail}"), transient: true }
        }
        RequestTokenError::Other(detail) => {
            let transient = !detail.contains("Content-Type");
            TokenError::Provider { name, detail, transient }
        }
    }
}

/// The connected account's name or email: from the userinfo endpoint when the provider
/// has one, else from the token answer; `None` when neither says.
pub async fn account_of(
    http: &ProviderHttp,
    p: &Provider,
    tokens: &crate::connections::TokenSet,
    raw: &Map<String, Value>,
) -> Option<String> {
    let from_token = pick(&Value::Object(raw.clone()), &p.account_fields);
    let Some(url) = &p.userinfo_url else { return from_token };
    let (method, req) = match p.userinfo_method {
        HttpMethod::Get => ("GET", http.client().get(url)),
        HttpMethod::Post => ("POST", http.client().post(url).header("content-type", "application/json").body("null")),
    };
    let req = match &p.oauth1 {
        Some(_) => {
            let parsed = url::Url::parse(url).ok()?;
            req.header("authorization", super::oauth1::sign(p, tokens, method, &parsed, &[]))
        }
        None => req.bearer_auth(&tokens.access_token),
    };
    let answer = req.header("accept", "application/json").send().await.ok()?;
    if !answer.status().is_success() {
        return from_token;
    }
    let body: Value = answer.json().await.ok()?;
    pick(&body, &p.account_fields).or(from_token)
}

fn pick(value: &Value, pointers: &[String]) -> Option<String> {
    pointers.iter().find_map(|ptr| match value.pointer(ptr)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::config::{ConnectorSettings, Settings};
    use std::time::Duration;
    use wiremock::matchers::{body_string_contains, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// The catalog's entry for `connector` with test credentials and endpoints under `base`.
    fn provider(connector: &str, base: &str) -> Provider {
        let mut settings = Settings::default();
        settings.connectors.insert(
            connector.into(),
            ConnectorSettings {
                client_id: Some("client-1".into()),
                client_secret: Some(secrecy::SecretString::from("secret-1")),
                authorization_url: Some(format!("{base}/authorize")),
                token_url: Some(format!("{base}/token")),
                allow_insecure_endpoints: true,
                ..ConnectorSettings::default()
            },
        );
        let catalog = Catalog::embedded().unwrap();
        Provider::resolve(catalog.get(connector).unwrap(), &settings).unwrap()
    }

    #[test]
    fn zoom_is_asked_for_no_scopes_because_its_app_settings_hold_them() {
        let scopes = ["user:read:user".to_owned(), "meeting:write:meeting".to_owned()];
        let (zoom, _) =
            authorize_url(&provider("zoom", "https://p.example"), "https://pb.example/cb", "s", &scopes, false)
                .unwrap();
        assert!(!zoom.contains("scope="), "{zoom}");
        assert!(zoom.contains("code_challenge_method=S256"), "Zoom documents PKCE: {zoom}");
        let (gmail, _) =
            authorize_url(&provider("gmail", "https://p.example"), "https://pb.example/cb", "s", &scopes, false)
                .unwrap();
        assert!(gmail.contains("scope=user%3Aread%3Auser+meeting%3Awrite%3Ameeting"), "{gmail}");
    }

    #[tokio::test]
    async fn shopify_asks_for_an_expiring_offline_token_on_the_code_exchange() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("expiring=1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "shpat_1", "expires_in": 3600, "refresh_token": "shprt_1", "scope": "read_orders"
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_request"})))
            .mount(&server)
            .await;
        let http = ProviderHttp::new(Duration::from_secs(2), Duration::from_secs(5), None).unwrap();
        let shopify = provider("shopify", &server.uri());
        let granted = exchange_code(&http, &shopify, "https://pb.example/cb", "code-1", None).await.unwrap();
        assert_eq!(
            granted.tokens.refresh_token.as_deref(),
            Some("shprt_1"),
            "an expiring token comes with a refresh token"
        );
        let gmail = provider("gmail", &server.uri());
        let refused = exchange_code(&http, &gmail, "https://pb.example/cb", "code-1", None).await;
        assert!(refused.is_err(), "the server takes only exchanges that ask for an expiring token");
    }
}
