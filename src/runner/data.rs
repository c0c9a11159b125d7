//! Where a flow reads and saves the app's records. An app whose backend answers the
//! data-source protocol (docs/data-source.md) sets `data_url`: patchbay POSTs each query
//! or save there, signed with the app's secret. Otherwise the built-in store keeps them
//! (the demo app's tasks live there, editable on its Data page).

use super::conditions::all_hold;
use crate::digest::hex;
use crate::store::{RecordRow, Store, StoreError};
use crate::wiring::{Condition, Sort, SortOrder};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("the app's data source could not be reached: {0}")]
    Unreachable(String),
    #[error("the app's data source answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the app's data source answered something that is not a list of records")]
    BadAnswer,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DataError {
    /// Worth trying again later (the host was down or overloaded).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Refused { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

pub enum DataSource<'a> {
    BuiltIn { store: &'a Store, app_id: i64 },
    Host { http: &'a reqwest::Client, url: String, secret: Vec<u8> },
}

pub struct Query<'a> {
    pub entity: &'a str,
    pub filter: &'a [Condition],
    pub sort: Option<&'a Sort>,
    pub limit: Option<u32>,
    pub now: i64,
}

impl DataSource<'_> {
    pub async fn query(&self, q: Query<'_>) -> Result<Vec<Value>, DataError> {
        match self {
            Self::BuiltIn { store, app_id } => {
                let mut items: Vec<Value> = store
                    .records(*app_id, q.entity)
                    .await?
                    .iter()
                    .map(record_json)
                    .filter(|r| all_hold(r, q.filter, q.now))
                    .collect();
                if let Some(sort) = q.sort {
                    items.sort_by(|a, b| order(a.get(&sort.field), b.get(&sort.field)));
                    if sort.order == SortOrder::Desc {
                        items.reverse();
                    }
                }
                items.truncate(q.limit.map_or(usize::MAX, |l| l as usize));
                Ok(items)
            }
            Self::Host { .. } => {
                let body =
                    json!({"op": "query", "entity": q.entity, "filter": q.filter, "sort": q.sort, "limit": q.limit});
                let answer = self.call(&body).await?;
                answer.get("items").and_then(Value::as_array).cloned().ok_or(DataError::BadAnswer)
            }
        }
    }

    /// Creates a record, or updates the one whose `match_on` field equals the new value.
    pub async fn save(
        &self,
        entity: &str,
        values: &Map<String, Value>,
        match_on: Option<&str>,
    ) -> Result<Value, DataError> {
        match self {
            Self::BuiltIn { store, app_id } => {
                let existing = match match_on.and_then(|f| Some((f, values.get(f)?))) {
                    Some((field, wanted)) => store
                        .records(*app_id, entity)
                        .await?
                        .into_iter()
                        .find(|r| record_json(r).get(field) == Some(wanted)),
                    None => None,
                };
                let row = match existing {
                    Some(row) => {
                        let mut data: Map<String, Value> = serde_json::from_str(&row.data).unwrap_or_default();
                        data.extend(values.clone());
                        store.update_record(*app_id, row.id, &Value::Object(data).to_string()).await?.unwrap_or(row)
                    }
                    None => store.add_record(*app_id, entity, &Value::Object(values.clone()).to_string()).await?,
                };
                Ok(record_json(&row))
            }
            Self::Host { .. } => {
                let body = json!({"op": "save", "entity": entity, "values": values, "match_on": match_on});
                self.call(&body).await?.get("record").cloned().ok_or(DataError::BadAnswer)
            }
        }
    }

    async fn call(&self, body: &Value) -> Result<Value, DataError> {
        let Self::Host { http, url, secret } = self else { return Err(DataError::BadAnswer) };
        let body = body.to_string();
        let at = crate::store::now();
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .header("x-patchbay-signature", signature(secret, at, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| DataError::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| DataError::Unreachable(e.to_string()))?;
        if status >= 300 {
            return Err(DataError::Refused { status, body: text.chars().take(300).collect() });
        }
        serde_json::from_str(&text).map_err(|_| DataError::BadAnswer)
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the host checks it with the
/// app's secret and refuses old timestamps, so a captured call cannot be replayed later.
pub fn signature(secret: &[u8], at: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{at}.{body}").as_bytes());
    format!("t={at},v1={}", hex(&mac.finalize().into_bytes()))
}

/// A stored record as flows see it: its fields plus `id`, `created_at`, `updated_at`.
pub fn record_json(row: &RecordRow) -> Value {
    let mut data: Map<String, Value> = serde_json::from_str(&row.data).unwrap_or_default();
    data.insert("id".into(), json!(row.id));
    data.insert("created_at".into(), iso(row.created_at));
    data.insert("updated_at".into(), iso(row.updated_at));
    Value::Object(data)
}

fn iso(at: i64) -> Value {
    chrono::DateTime::from_timestamp(at, 0).map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

fn order(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
        }
        // Empty values last, whichever the order.
        (None | Some(Value::Null), Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None | Some(Value::Null)) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => super::scope::as_text(Some(x)).cmp(&super::scope::as_text(Some(y))),
        _ => std::cmp::Ordering::Equal,
    }
}
