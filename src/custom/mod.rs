//! Custom APIs: an editor imports an OpenAPI 3 document into an app, chooses operations
//! and gives one secret (an API key or a bearer secret). Each operation becomes an action
//! of a connector `custom_<slug>` that exists in that app only: the action API, the proxy
//! and flows run it through the same runner as catalog actions (`materialise`), under the
//! host fixed at import (`host`). The secret is sealed as the token of the app's shared
//! connection with that id, and never shown again.

pub mod host;
pub mod import;
mod materialise;
mod names;
mod shape;
pub mod spec;

use crate::catalog::{CUSTOM_PREFIX, Catalog, Connector, is_custom};
use crate::config::Settings;
use crate::connections::{Status, TokenCipher, TokenSet};
use crate::store::{CustomApiRow, NewConnection, Store, StoreError, TokenUpdate};
use host::HostError;
use import::ImportError;
use secrecy::{ExposeSecret, SecretString};
use spec::{ApiSpec, AuthSpec};

#[derive(Debug, thiserror::Error)]
pub enum CustomError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error("Give the API a name (up to 80 characters).")]
    NoName,
    #[error("Choose how the API takes its secret.")]
    NoAuth,
    #[error("Choose at least one operation.")]
    NoOperations,
    #[error("'{0}' is not an operation of this document that patchbay can call.")]
    UnknownOperation(String),
    #[error("Give the API's secret: one line, as the API's provider gave it.")]
    NoSecret,
    #[error("There is no such custom API in this app.")]
    Missing,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the editor chose on the import page.
pub struct NewCustomApi<'a> {
    pub document: &'a str,
    pub name: &'a str,
    pub base_url: &'a str,
    /// `AuthSpec::key()` of one of the document's schemes.
    pub auth: &'a str,
    pub operations: &'a [String],
    pub secret: SecretString,
}

/// A stored API with what it offers.
pub struct Listed {
    pub row: CustomApiRow,
    pub spec: ApiSpec,
}

/// Plain http on this machine is for tests and development only.
pub fn allows_local(settings: &Settings) -> bool {
    settings.actions.allow_local_custom_apis && !settings.is_production()
}

/// Imports the API: the document read again, the choices checked, the host checked, the
/// secret sealed. Answers the stored row.
pub async fn add(
    store: &Store,
    cipher: &TokenCipher,
    settings: &Settings,
    app_id: i64,
    user_id: i64,
    new: NewCustomApi<'_>,
) -> Result<CustomApiRow, CustomError> {
    let preview = import::read(new.document)?;
    let name = new.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 80 {
        return Err(CustomError::NoName);
    }
    let auth = AuthSpec::from_key(new.auth).filter(|a| preview.schemes.contains(a)).ok_or(CustomError::NoAuth)?;
    let mut operations = Vec::new();
    for id in new.operations {
        let found = preview.operations.iter().find_map(|o| o.spec.as_ref().ok().filter(|s| &s.id == id));
        operations.push(found.cloned().ok_or_else(|| CustomError::UnknownOperation(id.clone()))?);
    }
    if operations.is_empty() {
        return Err(CustomError::NoOperations);
    }
    let secret = checked_secret(&new.secret)?;
    let base_url = host::check(new.base_url, allows_local(settings)).await?;
    let spec = ApiSpec { name: name.clone(), base_url: base_url.clone(), auth, operations };
    let connector = free_id(store, app_id, &name).await?;
    materialise::connector(&connector, &spec).map_err(|e| StoreError::Corrupt(format!("a custom API: {e}")))?;
    let text = serde_json::to_string(&spec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = store.insert_custom_api(app_id, &connector, &name, &base_url, &text, user_id).await?;
    let sealed = sealed_secret(cipher, app_id, &connector, secret);
    let account = host_of(&base_url);
    if let Err(e) = insert_connection(store, app_id, &connector, &account, &sealed, user_id).await {
        store.delete_custom_api(app_id, row.id).await?;
        return Err(e.into());
    }
    store.audit(Some(app_id), Some(user_id), "custom_api_added", Some(&connector), Some(&account), None).await?;
    Ok(row)
}

/// A new secret for the API; the connection is usable again at once.
pub async fn replace_secret(
    store: &Store,
    cipher: &TokenCipher,
    app_id: i64,
    id: i64,
    user_id: i64,
    secret: SecretString,
) -> Result<CustomApiRow, CustomError> {
    let row = store.custom_api_by_id(app_id, id).await?.ok_or(CustomError::Missing)?;
    let secret = checked_secret(&secret)?;
    let sealed = sealed_secret(cipher, app_id, &row.connector, secret);
    match store.shared_connection(app_id, &row.connector).await? {
        Some(c) => {
            let update = TokenUpdate {
                sealed_tokens: Some(&sealed),
                expires_at: None,
                granted_scopes: None,
                account: None,
                status: Status::Connected.as_str(),
                status_reason: None,
            };
            // A refresh never runs for a custom API, so nothing races this write.
            store.update_tokens(c.id, c.version, update).await?;
        }
        None => {
            insert_connection(store, app_id, &row.connector, &host_of(&row.base_url), &sealed, user_id).await?;
        }
    }
    store.audit(Some(app_id), Some(user_id), "custom_api_secret_replaced", Some(&row.connector), None, None).await?;
    Ok(row)
}

/// The app's shared connection holding the API's sealed secret.
async fn insert_connection(
    store: &Store,
    app_id: i64,
    connector: &str,
    account: &str,
    sealed: &[u8],
    user_id: i64,
) -> Result<(), StoreError> {
    let connection = NewConnection {
        app_id,
        connector,
        kind: "shared",
        owner_user_id: None,
        account: Some(account),
        status: Status::Connected.as_str(),
        granted_scopes: &[],
        sealed_tokens: Some(sealed),
        expires_at: None,
        connected_by: user_id,
    };
    store.insert_connection(connection).await.map(|_| ())
}

/// Removes the API, its actions and its secret.
pub async fn remove(store: &Store, app_id: i64, id: i64, user_id: i64) -> Result<CustomApiRow, CustomError> {
    let row = store.custom_api_by_id(app_id, id).await?.ok_or(CustomError::Missing)?;
    store.delete_custom_api(app_id, id).await?;
    store.audit(Some(app_id), Some(user_id), "custom_api_removed", Some(&row.connector), None, None).await?;
    Ok(row)
}

pub async fn list(store: &Store, app_id: i64) -> Result<Vec<Listed>, StoreError> {
    let mut out = Vec::new();
    for row in store.custom_apis_of_app(app_id).await? {
        let spec = parse_spec(&row)?;
        out.push(Listed { row, spec });
    }
    Ok(out)
}

/// The app's custom API `id` as a connector; `None` when the app has none by that id.
pub async fn connector(store: &Store, app_id: i64, id: &str) -> Result<Option<Connector>, StoreError> {
    if !is_custom(id) {
        return Ok(None);
    }
    let Some(row) = store.custom_api(app_id, id).await? else { return Ok(None) };
    as_connector(&row).map(Some)
}

/// The catalog with the app's custom APIs added, for checking a flow of that app; `None`
/// when the app has none (the catalog alone serves).
pub async fn app_catalog(store: &Store, catalog: &Catalog, app_id: i64) -> Result<Option<Catalog>, StoreError> {
    let rows = store.custom_apis_of_app(app_id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut all: Vec<Connector> = catalog.iter().cloned().collect();
    for row in &rows {
        all.push(as_connector(row)?);
    }
    Ok(Some(Catalog::from_connectors(all)))
}

fn as_connector(row: &CustomApiRow) -> Result<Connector, StoreError> {
    let spec = parse_spec(row)?;
    materialise::connector(&row.connector, &spec)
        .map_err(|e| StoreError::Corrupt(format!("custom API {}: {e}", row.id)))
}

fn parse_spec(row: &CustomApiRow) -> Result<ApiSpec, StoreError> {
    serde_json::from_str(&row.spec).map_err(|e| StoreError::Corrupt(format!("custom API {}: {e}", row.id)))
}

/// `custom_<slug of the name>`, numbered when the app has one by that name already.
async fn free_id(store: &Store, app_id: i64, name: &str) -> Result<String, StoreError> {
    let taken: Vec<String> = store.custom_apis_of_app(app_id).await?.into_iter().map(|r| r.connector).collect();
    let base = format!("{CUSTOM_PREFIX}{}", names::snake(name, 40));
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) || store.shared_connection(app_id, &id).await?.is_some() {
        id = format!("{base}_{n}");
        n += 1;
    }
    Ok(id)
}

fn checked_secret(secret: &SecretString) -> Result<&str, CustomError> {
    let s = secret.expose_secret().trim();
    let ok = !s.is_empty() && s.len() <= 4096 && !s.chars().any(char::is_control);
    if ok { Ok(s) } else { Err(CustomError::NoSecret) }
}

fn sealed_secret(cipher: &TokenCipher, app_id: i64, connector: &str, secret: &str) -> Vec<u8> {
    let tokens = TokenSet {
        access_token: secret.to_owned(),
        refresh_token: None,
        token_type: "api_key".into(),
        token_secret: None,
    };
    tokens.seal(cipher, app_id, connector)
}

fn host_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_default()
}
