//! The front channel: `GET /sandbox/oauth/authorize` shows a consent screen shaped like a
//! provider's ("Sandbox Gmail — patchbay demo wants to: …", read and write grouped, an
//! account chooser, Allow / Cancel) and `POST` acts on the choice. The form re-sends the
//! whole request, which is parsed and checked again, so nothing is kept between the two.
//!
//! Signing in to patchbay is not required (the sandbox has its own pretend accounts); when
//! someone is signed in, their address is the default account.

use super::account::{Account, DEMO_ACCOUNTS};
use super::request::{AuthorizeError, AuthorizeRequest};
use super::{CLIENT_NAME, grant, provider_name};
use crate::catalog::{Access, Accounts, Connector};
use crate::http::AppState;
use crate::http::pages::{PageError, render};
use crate::store::{UserRow, now};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

/// The radio value that means "the address typed in the text field".
const OTHER: &str = "other";

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let request = match AuthorizeRequest::parse(&pairs, &state.catalog, &state.settings.redirect_uri()) {
        Ok(request) => request,
        Err(refusal) => return refuse(refusal),
    };
    show_asked(&state, &headers, &request.asked()).await
}

/// The consent screen for a parsed request, OAuth 2.0's or OAuth 1.0a's.
pub(super) async fn show_asked(state: &AppState, headers: &HeaderMap, asked: &Asked<'_>) -> Response {
    let user = match signed_in(state, headers).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let offered = offered(asked, user.as_ref());
    let choice = Choice { selected: offered[0].email.clone(), other: String::new() };
    consent_page(state, asked, offered, choice, None).await
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let request = match AuthorizeRequest::parse(&pairs, &state.catalog, &state.settings.redirect_uri()) {
        Ok(request) => request,
        Err(refusal) => return refuse(refusal),
    };
    match choose(&state, &headers, &pairs, &request.asked()).await {
        Decision::Cancel => Redirect::to(&request.denied().url()).into_response(),
        Decision::Page(page) => page,
        Decision::Allow(account) => match grant::issue_code(&state.store, &request, &account, now()).await {
            Ok(code) => Redirect::to(&request.code_url(&code)).into_response(),
            Err(e) => PageError::internal(e).into_response(),
        },
    }
}

/// What a request asks the person, whichever protocol carries it.
pub(super) struct Asked<'a> {
    pub connector: &'a str,
    pub scopes: &'a [String],
    pub redirect_uri: &'a str,
    pub login_hint: Option<&'a str>,
    pub select_account: bool,
    /// The request as hidden form fields, so that the form re-sends it whole.
    pub fields: Vec<(&'static str, String)>,
    /// Where the form posts.
    pub action: &'static str,
}

impl AuthorizeRequest {
    fn asked(&self) -> Asked<'_> {
        Asked {
            connector: &self.connector,
            scopes: &self.scopes,
            redirect_uri: &self.redirect_uri,
            login_hint: self.login_hint.as_deref(),
            select_account: self.select_account,
            fields: self.form_fields(),
            action: "/sandbox/oauth/authorize",
        }
    }
}

/// What the person chose on the consent form.
pub(super) enum Decision {
    Cancel,
    Allow(Account),
    /// The form again, with what is wrong (or an error page).
    Page(Response),
}

/// Reads the consent form: Cancel, or Allow with the chosen account once it is a valid
/// one the provider would take.
pub(super) async fn choose(
    state: &AppState,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    asked: &Asked<'_>,
) -> Decision {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("");
    match field("decision") {
        "cancel" => return Decision::Cancel,
        "allow" => {}
        _ => {
            let page = PageError::new(StatusCode::BAD_REQUEST, "No decision", "Choose Allow or Cancel.");
            return Decision::Page(page.into_response());
        }
    }
    let user = match signed_in(state, headers).await {
        Ok(user) => user,
        Err(e) => return Decision::Page(e.into_response()),
    };
    let offered = offered(asked, user.as_ref());
    let choice = Choice { selected: field("account").to_owned(), other: field("other_email").to_owned() };
    // A typed address wins: typing one is a deliberate act, and without script the text
    // field cannot also tick its radio button.
    let email = if !choice.other.is_empty() || choice.selected == OTHER { &choice.other } else { &choice.selected };
    if email.is_empty() {
        let error = Some("Choose an account to continue.".into());
        return Decision::Page(consent_page(state, asked, offered, choice, error).await);
    }
    let name = offered.iter().find(|a| a.email.eq_ignore_ascii_case(email)).map(|a| a.name.clone());
    let account = match Account::parse(email, name.as_deref()) {
        Ok(account) => account,
        Err(e) => return Decision::Page(consent_page(state, asked, offered, choice, Some(e.to_string())).await),
    };
    if let Some(refusal) = refuses(state, asked, &account) {
        return Decision::Page(consent_page(state, asked, offered, choice, Some(refusal)).await);
    }
    Decision::Allow(account)
}

/// Why the provider this request plays would refuse the account at sign-in, if it would:
/// a connector that takes work or school accounts only (Microsoft's `organizations`
/// tenant) refuses a personal one, as the real sign-in page does.
fn refuses(state: &AppState, request: &Asked<'_>, account: &Account) -> Option<String> {
    let connector = state.catalog.get(request.connector)?;
    (connector.auth.accounts == Accounts::WorkOrSchool && account.is_personal()).then(|| {
        format!(
            "{} takes work or school accounts only, and {} is a personal account. Choose your work or school account.",
            provider_name(connector),
            account.email
        )
    })
}

/// The answer to a request the sandbox refuses: an error page, or an error redirect.
pub(super) fn refuse(refusal: AuthorizeError) -> Response {
    match refusal {
        AuthorizeError::Page { title, message } => {
            PageError::new(StatusCode::BAD_REQUEST, &format!("Sandbox: {title}"), &message).into_response()
        }
        AuthorizeError::Redirect(redirect) => Redirect::to(&redirect.url()).into_response(),
    }
}

/// The patchbay user signed in in this browser, if any: only a default for the account.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<UserRow>, PageError> {
    let jar = CookieJar::from_headers(headers);
    let Some(token) = crate::http::auth::cookies::session_token(&jar) else { return Ok(None) };
    Ok(crate::identity::sessions::user(&state.store, &token).await?)
}

/// The accounts to choose from, the default first: the `login_hint` the client sent,
/// then the signed-in person, then the ready-made demo accounts.
fn offered(request: &Asked<'_>, user: Option<&UserRow>) -> Vec<Account> {
    let hint = request.login_hint.and_then(|h| Account::parse(h, None).ok());
    let me = user.and_then(|u| Account::parse(&u.email, Some(&u.name)).ok());
    let demo = DEMO_ACCOUNTS.iter().filter_map(|(email, name)| Account::parse(email, Some(name)).ok());
    let mut accounts: Vec<Account> = Vec::new();
    for account in hint.into_iter().chain(me).chain(demo) {
        if !accounts.iter().any(|a| a.email.eq_ignore_ascii_case(&account.email)) {
            accounts.push(account);
        }
    }
    accounts
}

/// What the account chooser shows selected.
struct Choice {
    /// An offered address, or [`OTHER`].
    selected: String,
    other: String,
}

#[derive(Template)]
#[template(path = "sandbox/consent.html")]
struct ConsentPage<'a> {
    provider: String,
    connector_name: &'a str,
    initials: String,
    client_name: &'static str,
    read: Vec<PermissionView<'a>>,
    write: Vec<PermissionView<'a>>,
    accounts: Vec<AccountView>,
    other_checked: bool,
    other_email: String,
    /// The address the form will sign in as, unless changed.
    current: String,
    select_account: bool,
    /// Where Allow and Cancel lead: the redirect URI's host.
    return_to: String,
    fields: Vec<(&'static str, String)>,
    action: &'static str,
    error: Option<String>,
}

struct PermissionView<'a> {
    label: &'a str,
    scope: &'a str,
    /// Not granted before by this account (an incremental request).
    new: bool,
}

struct AccountView {
    email: String,
    name: String,
    note: &'static str,
    checked: bool,
}

async fn consent_page(
    state: &AppState,
    request: &Asked<'_>,
    offered: Vec<Account>,
    choice: Choice,
    error: Option<String>,
) -> Response {
    let Some(connector) = state.catalog.get(request.connector) else {
        return PageError::internal("a parsed sandbox request names no connector").into_response();
    };
    let signed_in_first = request.login_hint.is_none();
    let accounts: Vec<AccountView> = offered
        .into_iter()
        .enumerate()
        .map(|(i, a)| AccountView {
            checked: a.email.eq_ignore_ascii_case(&choice.selected),
            note: if i == 0 && signed_in_first && !is_demo(&a.email) { "signed in to patchbay" } else { "" },
            email: a.email,
            name: a.name,
        })
        .collect();
    let other_checked = !choice.other.is_empty() || !accounts.iter().any(|a| a.checked);
    let accounts: Vec<AccountView> =
        accounts.into_iter().map(|a| AccountView { checked: a.checked && !other_checked, ..a }).collect();
    let current = if other_checked {
        choice.other.clone()
    } else {
        accounts.iter().find(|a| a.checked).map(|a| a.email.clone()).unwrap_or_default()
    };
    // Asked again for more: the permissions this account has not granted yet are marked.
    let granted = state.store.sandbox_granted_scopes(request.connector, &current).await.unwrap_or_default();
    let (read, write) = permissions(connector, request.scopes, &granted);
    let page = ConsentPage {
        provider: provider_name(connector),
        connector_name: &connector.name,
        initials: connector.initials(),
        client_name: CLIENT_NAME,
        read,
        write,
        accounts,
        other_checked,
        other_email: choice.other,
        current,
        select_account: request.select_account || error.is_some(),
        return_to: url::Url::parse(request.redirect_uri)
            .ok()
            .and_then(|u| u.host_str().map(|h| u.port().map_or(h.to_owned(), |p| format!("{h}:{p}"))))
            .unwrap_or_else(|| request.redirect_uri.to_owned()),
        fields: request.fields.clone(),
        action: request.action,
        error,
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    match render(status, &page) {
        // A consent screen must not be framed (clickjacking) or cached.
        Ok(mut response) => {
            let headers = response.headers_mut();
            headers.insert(header::X_FRAME_OPTIONS, "DENY".parse().expect("static header"));
            headers.insert(header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'".parse().expect("static header"));
            headers.insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
            headers.insert(header::REFERRER_POLICY, "no-referrer".parse().expect("static header"));
            response
        }
        Err(e) => e.into_response(),
    }
}

/// The requested scopes as the catalog labels them, read and write apart; with `granted`
/// (what the account gave before), the others are marked new.
fn permissions<'a>(
    connector: &'a Connector,
    scopes: &[String],
    granted: &[String],
) -> (Vec<PermissionView<'a>>, Vec<PermissionView<'a>>) {
    let (mut read, mut write) = (Vec::new(), Vec::new());
    for p in connector.permissions.iter().filter(|p| scopes.contains(&p.scope)) {
        let new = !granted.is_empty() && !granted.contains(&p.scope);
        let view = PermissionView { label: &p.label, scope: &p.scope, new };
        match p.access {
            Access::Read => read.push(view),
            Access::Write => write.push(view),
        }
    }
    (read, write)
}

fn is_demo(email: &str) -> bool {
    DEMO_ACCOUNTS.iter().any(|(e, _)| e.eq_ignore_ascii_case(email))
}
