//! The sandbox as an OAuth 1.0a provider (RFC 5849), the way Trello is one: temporary
//! credentials at `request_token`, the consent screen at `authorize` (the same one as for
//! OAuth 2.0), token credentials at `access_token`. Every request must carry a valid
//! HMAC-SHA1 signature made with the sandbox client's consumer secret (and the token's
//! secret once there is a token); anything else is refused with 401, as Trello does, with
//! the reason in plain text. Token credentials do not expire: they live until revoked.

use super::consent::{Asked, Decision, choose, refuse, show_asked};
use super::request::{AuthorizeError, split_scopes};
use super::{CLIENT_SECRET, digest, new_secret};
use crate::catalog::{AuthKind, Catalog, Connector};
use crate::http::AppState;
use crate::oauth::signature;
use crate::store::{
    NewSandboxAccessToken, NewSandboxGrant, NewSandboxOAuth1Token, OAUTH1_ACCESS, OAUTH1_REQUEST, SandboxOAuth1Token,
    StoreError, now,
};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Temporary credentials live this long, consent included.
pub const REQUEST_TOKEN_TTL_SECS: i64 = 600;
/// How far a signature's timestamp may be from the sandbox's clock.
const CLOCK_SKEW_SECS: i64 = 300;
/// Token credentials do not expire; their access-token row needs a date all the same.
const NEVER_SECS: i64 = 100 * 365 * 24 * 3600;

/// Why a request was refused: 401 for anything about credentials or signatures, 400 for
/// a malformed request.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            Self::Store(e) => {
                tracing::error!(error = %e, "the sandbox OAuth 1.0a provider failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "the sandbox failed; it has been logged".to_owned())
            }
        };
        let mut response = (status, [(header::CACHE_CONTROL, "no-store")], text).into_response();
        if status == StatusCode::UNAUTHORIZED {
            let challenge = "OAuth realm=\"patchbay sandbox\"".parse().expect("static header");
            response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// The OAuth 1.0a connector a consumer key plays (`sandbox-trello`).
pub fn client<'a>(catalog: &'a Catalog, consumer_key: &str) -> Option<&'a Connector> {
    let id = consumer_key.strip_prefix(super::CLIENT_PREFIX)?;
    catalog.get(id).filter(|c| c.auth.kind == AuthKind::Oauth1)
}

/// A request whose signature checked out.
pub struct Verified<'c> {
    pub connector: &'c Connector,
    /// The protocol parameters, decoded.
    pub oauth: Vec<(String, String)>,
    /// The token it was signed with, and what the sandbox knows of it.
    pub token: Option<(String, SandboxOAuth1Token)>,
}

impl Verified<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.oauth.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// Checks a request's signature (RFC 5849 §3.2) as the sandbox received it: `uri` is its
/// path and query, which the client signed under patchbay's public URL; `form` is the
/// body's parameters when it is form-encoded.
pub async fn verify<'c>(
    state: &'c AppState,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<Verified<'c>, Refusal> {
    let unauthorized = |m: &str| Refusal::Unauthorized(m.to_owned());
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let oauth = signature::parse_authorization(value)
        .ok_or_else(|| unauthorized("send a signed OAuth 1.0a request: Authorization: OAuth oauth_consumer_key=…"))?;
    let get = |name: &str| oauth.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let key = get("oauth_consumer_key").ok_or_else(|| unauthorized("oauth_consumer_key is missing"))?;
    let connector = client(&state.catalog, key).ok_or_else(|| unauthorized("invalid key"))?;
    if get("oauth_signature_method") != Some(signature::METHOD) {
        return Err(unauthorized("oauth_signature_method must be HMAC-SHA1"));
    }
    let stamp: i64 =
        get("oauth_timestamp").and_then(|t| t.parse().ok()).ok_or_else(|| unauthorized("invalid timestamp"))?;
    if (stamp - now()).abs() > CLOCK_SKEW_SECS {
        return Err(unauthorized("the timestamp is too far from the sandbox's clock"));
    }
    let nonce = get("oauth_nonce").ok_or_else(|| unauthorized("oauth_nonce is missing"))?;
    let given = get("oauth_signature").ok_or_else(|| unauthorized("oauth_signature is missing"))?;
    let token = match get("oauth_token") {
        Some(t) => {
            let known = state.store.sandbox_oauth1_token(&digest(t)).await?;
            let known =
                known.filter(|k| k.connector == connector.id.as_str()).ok_or_else(|| unauthorized("invalid token"))?;
            Some((t.to_owned(), known))
        }
        None => None,
    };
    let url = url::Url::parse(&format!("{}{uri}", state.settings.public_url()))
        .map_err(|_| Refusal::BadRequest("the request URL is malformed".into()))?;
    let mut params = signature::query_params(&url);
    params.extend(form.iter().cloned());
    params.extend(oauth.iter().cloned());
    let token_secret = token.as_ref().map_or("", |(_, k)| k.secret.as_str());
    if !signature::verify(&signature::base_string(method, &url, &params), given, CLIENT_SECRET, token_secret) {
        return Err(unauthorized("invalid signature"));
    }
    // RFC 5849 §3.3: a nonce is used once per client, token and timestamp; checked after
    // the signature, so that nobody can use up another client's nonces.
    let token_part = get("oauth_token").unwrap_or_default();
    let nonce_key = digest(&format!("{key}\n{token_part}\n{stamp}\n{nonce}"));
    if !state.store.first_sandbox_oauth1_nonce(&nonce_key, stamp + 2 * CLOCK_SKEW_SECS).await? {
        return Err(unauthorized("the nonce was already used: a replayed request"));
    }
    Ok(Verified { connector, oauth, token })
}

/// `POST /sandbox/oauth1/request_token`: temporary credentials for a signed request whose
/// callback is patchbay's registered one.
pub async fn request_token(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Result<Response, Refusal> {
    let signed = verify(&state, "POST", &uri, &headers, &[]).await?;
    if signed.token.is_some() {
        return Err(Refusal::BadRequest("a request token is asked for without a token".into()));
    }
    let callback =
        signed.param("oauth_callback").ok_or_else(|| Refusal::BadRequest("oauth_callback is missing".into()))?;
    let registered = state.settings.redirect_uri();
    let rest = callback.strip_prefix(registered.as_str());
    if !rest.is_some_and(|r| r.is_empty() || r.starts_with('?')) {
        return Err(Refusal::BadRequest(format!("oauth_callback must be {registered}, with any query")));
    }
    let at = now();
    state.store.purge_expired_sandbox_oauth1(at).await?;
    let (token, secret) = (new_secret("sbx_tmp_"), new_secret("sbx_tmps_"));
    let row = NewSandboxOAuth1Token {
        token_hash: &digest(&token),
        kind: OAUTH1_REQUEST,
        connector: signed.connector.id.as_str(),
        secret: &secret,
        callback,
        scopes: &[],
        account: None,
        expires_at: at + REQUEST_TOKEN_TTL_SECS,
    };
    state.store.insert_sandbox_oauth1_token(row, at).await?;
    Ok(form_answer(&[("oauth_token", &token), ("oauth_token_secret", &secret), ("oauth_callback_confirmed", "true")]))
}

/// `POST /sandbox/oauth1/access_token`: token credentials for consented temporary ones and
/// their verifier; the temporary credentials are spent by the first attempt.
pub async fn access_token(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Result<Response, Refusal> {
    let signed = verify(&state, "POST", &uri, &headers, &[]).await?;
    let invalid = |m: &str| Refusal::Unauthorized(m.to_owned());
    let Some((token, temporary)) = &signed.token else { return Err(invalid("oauth_token is missing")) };
    let at = now();
    if temporary.kind != OAUTH1_REQUEST || temporary.expires_at <= at {
        return Err(invalid("invalid token: it is not an unexpired request token"));
    }
    let verifier = signed.param("oauth_verifier").ok_or_else(|| invalid("oauth_verifier is missing"))?;
    if temporary.verifier_hash.as_deref() != Some(digest(verifier).as_str()) {
        return Err(invalid("invalid verifier"));
    }
    if !state.store.spend_sandbox_oauth1(&digest(token), at).await? {
        return Err(invalid("the request token was already used"));
    }
    let scopes = temporary.scopes()?;
    let email = temporary.account_email.clone().unwrap_or_default();
    let name = temporary.account_name.clone().unwrap_or_default();
    let connector = signed.connector.id.as_str();
    let (access, secret) = (new_secret("sbx_at_"), new_secret("sbx_ats_"));
    let grant = NewSandboxGrant {
        connector,
        scopes: &scopes,
        account_email: &email,
        account_name: &name,
        // OAuth 1.0a has no refresh token: this one is never handed out.
        refresh_hash: &digest(&new_secret("sbx_none_")),
        code_hash: None,
    };
    let expires_at = at + NEVER_SECS;
    let access_row = NewSandboxAccessToken { token_hash: &digest(&access), scopes: &scopes, expires_at };
    state.store.create_sandbox_grant(grant, access_row, at).await?;
    let row = NewSandboxOAuth1Token {
        token_hash: &digest(&access),
        kind: OAUTH1_ACCESS,
        connector,
        secret: &secret,
        callback: "",
        scopes: &scopes,
        account: Some((&email, &name)),
        expires_at,
    };
    state.store.insert_sandbox_oauth1_token(row, at).await?;
    Ok(form_answer(&[("oauth_token", &access), ("oauth_token_secret", &secret)]))
}

fn form_answer(pairs: &[(&str, &str)]) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    ([(header::CONTENT_TYPE, "application/x-www-form-urlencoded"), (header::CACHE_CONTROL, "no-store")], body)
        .into_response()
}

/// A consent request: the temporary token, and what the client asks with it.
struct Consent {
    token: String,
    connector: String,
    callback: String,
    scopes: Vec<String>,
    fields: Vec<(&'static str, String)>,
}

impl Consent {
    async fn parse(state: &AppState, pairs: &[(String, String)]) -> Result<Self, AuthorizeError> {
        let page = |message: &str| AuthorizeError::Page { title: "Unknown sign-in", message: message.to_owned() };
        let one = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
        let token = one("oauth_token")
            .ok_or_else(|| page("The request does not say which sign-in it is (oauth_token is missing)."))?;
        let known = state.store.sandbox_oauth1_token(&digest(token)).await.ok().flatten();
        let usable = known.filter(|k| {
            k.kind == OAUTH1_REQUEST && k.expires_at > now() && k.used_at.is_none() && k.verifier_hash.is_none()
        });
        let known = usable
            .ok_or_else(|| page("This sign-in is unknown, expired or already finished. Start again from the app."))?;
        let connector = state.catalog.get(&known.connector).ok_or_else(|| page("This sign-in names no connector."))?;
        let param = connector.auth.scope_param.as_str();
        let mut scopes: Vec<String> = Vec::new();
        for scope in one(param).map(split_scopes).into_iter().flatten() {
            if connector.permission(scope).is_none() {
                return Err(page(&format!(
                    "'{scope}' is not one of {}'s permissions.",
                    super::provider_name(connector)
                )));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        let mut fields = vec![("oauth_token", token.to_owned()), ("scope", scopes.join(","))];
        // Trello's own authorize parameters, ignored by the sandbox but kept on the form.
        for extra in ["name", "expiration"] {
            if let Some(v) = one(extra) {
                fields.push((extra, v.to_owned()));
            }
        }
        Ok(Self { token: token.to_owned(), connector: known.connector, callback: known.callback, scopes, fields })
    }

    fn asked(&self) -> Asked<'_> {
        Asked {
            connector: &self.connector,
            scopes: &self.scopes,
            redirect_uri: &self.callback,
            login_hint: None,
            select_account: false,
            fields: self.fields.clone(),
            action: "/sandbox/oauth1/authorize",
        }
    }

    /// The callback with these parameters added to the query it already has.
    fn back(&self, pairs: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&self.callback).expect("a registered callback parses");
        url.query_pairs_mut().extend_pairs(pairs);
        url.to_string()
    }
}

/// `GET /sandbox/oauth1/authorize?oauth_token=…&scope=read,write&name=…&expiration=never`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match Consent::parse(&state, &pairs).await {
        Ok(consent) => show_asked(&state, &headers, &consent.asked()).await,
        Err(refusal) => refuse(refusal),
    }
}

/// `POST /sandbox/oauth1/authorize`: Allow sends the verifier back; Cancel says `denied`.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let consent = match Consent::parse(&state, &pairs).await {
        Ok(consent) => consent,
        Err(refusal) => return refuse(refusal),
    };
    match choose(&state, &headers, &pairs, &consent.asked()).await {
        Decision::Page(page) => page,
        Decision::Cancel => {
            if let Err(e) = state.store.delete_sandbox_oauth1_token(&digest(&consent.token)).await {
                return crate::http::pages::PageError::internal(e).into_response();
            }
            Redirect::to(&consent.back(&[("denied", &consent.token)])).into_response()
        }
        Decision::Allow(account) => {
            let verifier = new_secret("sbx_ver_");
            let account_pair = (account.email.as_str(), account.name.as_str());
            let hash = digest(&consent.token);
            match state.store.consent_sandbox_oauth1(&hash, &digest(&verifier), &consent.scopes, account_pair).await {
                Ok(true) => {
                    Redirect::to(&consent.back(&[("oauth_token", &consent.token), ("oauth_verifier", &verifier)]))
                        .into_response()
                }
                Ok(false) => refuse(AuthorizeError::Page {
                    title: "Unknown sign-in",
                    message: "This sign-in was already finished. Start again from the app.".into(),
                }),
                Err(e) => crate::http::pages::PageError::internal(e).into_response(),
            }
        }
    }
}

/// Form-encoded body parameters, which a signature covers.
pub fn form_params(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        url::form_urlencoded::parse(body).into_owned().collect()
    } else {
        Vec::new()
    }
}
