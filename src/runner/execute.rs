//! One run, start to end: its flow version's steps in order, each recorded with its
//! status, time, inputs and outputs (redacted). A passing failure (429, 5xx, timeout)
//! puts the run back in the queue with a growing wait, and the next attempt resumes at
//! the step that failed, so an email already sent is not sent twice. A connection that
//! needs a person blocks the flow with the reason.

use super::Runner;
use super::actions::StepFailure;
use super::data::DataSource;
use super::redact::redact;
use super::scope::Scope;
use super::steps::run_step;
use crate::app::Role;
use crate::store::{RunRow, StoreError, now};
use crate::wiring::{self, FlowDefinition};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Instant;

/// What a run keeps of one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub id: String,
    pub kind: String,
    /// `succeeded` or `failed`.
    pub status: String,
    pub duration_ms: u64,
    pub inputs: Value,
    pub outputs: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn steps_of(run: &RunRow) -> Vec<StepRecord> {
    serde_json::from_str(&run.steps).unwrap_or_default()
}

impl Runner {
    pub async fn execute(&self, run: RunRow) -> Result<(), StoreError> {
        let Some(def) = wiring::load_version(&self.store, run.flow_id, run.flow_version).await.ok().flatten() else {
            return self
                .store
                .finish_run(run.id, "failed", "[]", Some("the flow's definition is missing"), now())
                .await;
        };
        let scope = self.scope(&run, &def).await?;
        let (records, outcome) = self.steps(&run, &def, scope).await?;
        let steps = serde_json::to_string(&records).unwrap_or_else(|_| "[]".into());
        match outcome {
            None => self.store.finish_run(run.id, "succeeded", &steps, None, now()).await,
            Some(f) if f.transient && run.attempts < self.settings.max_attempts => {
                let wait = f
                    .retry_after
                    .map_or(self.settings.retry_base_secs << (run.attempts - 1).clamp(0, 10), |s| s as i64);
                let message =
                    format!("{} (attempt {} of {}; trying again)", f.message, run.attempts, self.settings.max_attempts);
                self.store.retry_run(run.id, &steps, &message, now() + wait.max(1)).await
            }
            Some(f) => {
                if let Some(reason) = &f.needs_reconnect {
                    self.store.set_flow_status(run.flow_id, "blocked", Some(reason)).await?;
                    self.store.drop_schedule(run.flow_id).await?;
                }
                self.store.finish_run(run.id, "failed", &steps, Some(&f.message), now()).await?;
                let data =
                    serde_json::json!({"run_id": run.id, "flow_id": run.flow_id, "flow": def.name, "error": f.message});
                super::webhooks::emit(&self.store, run.app_id, "run.failed", data).await
            }
        }
    }

    async fn scope(&self, run: &RunRow, def: &FlowDefinition) -> Result<Scope, StoreError> {
        let app = self.store.app(run.app_id).await?;
        let members = self.store.members(run.app_id).await?;
        let parse = |raw: &Option<String>| raw.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok());
        let period_start = match run.occurrence_at {
            Some(at) => self.store.last_occurrence(run.flow_id, at).await?,
            None => None,
        };
        Ok(Scope {
            record: parse(&run.record),
            previous: parse(&run.previous),
            fired_at: run.started_at.unwrap_or_else(now),
            period_start,
            steps: Default::default(),
            settings: def.settings.iter().filter_map(|s| Some((s.name.clone(), s.value.clone()?))).collect(),
            app_name: app.map(|a| a.name).unwrap_or_default(),
            member_emails: members.into_iter().filter(|m| m.role != Role::AppUser).map(|m| m.user.email).collect(),
        })
    }

    /// Runs the steps not done by an earlier attempt; the failure, if one stopped them.
    async fn steps(
        &self,
        run: &RunRow,
        def: &FlowDefinition,
        mut scope: Scope,
    ) -> Result<(Vec<StepRecord>, Option<StepFailure>), StoreError> {
        let mut records: Vec<StepRecord> = steps_of(run).into_iter().filter(|r| r.status == "succeeded").collect();
        for r in &records {
            scope.steps.insert(r.id.clone(), r.outputs.clone());
        }
        let data = self.data_source(run.app_id).await?;
        for step in &def.steps {
            if records.iter().any(|r| r.id == step.id()) {
                continue;
            }
            let started = Instant::now();
            let result = run_step(step, &scope, &data, self.actions.as_ref(), run.app_id).await;
            let duration_ms = started.elapsed().as_millis() as u64;
            let (status, inputs, outputs, failure) = match result {
                Ok(done) => {
                    scope.steps.insert(step.id().to_owned(), done.outputs.clone());
                    ("succeeded", done.inputs, done.outputs, None)
                }
                Err((inputs, failure)) => ("failed", inputs, Value::Null, Some(failure)),
            };
            records.push(StepRecord {
                id: step.id().to_owned(),
                kind: step.kind().to_owned(),
                status: status.to_owned(),
                duration_ms,
                inputs: redact(&inputs),
                outputs: redact(&outputs),
                error: failure.as_ref().map(|f| f.message.clone()),
            });
            if failure.is_some() {
                return Ok((records, failure));
            }
            // What changed something outside is kept at once; reads can be done again.
            if matches!(step, crate::wiring::Step::Action(_) | crate::wiring::Step::Save(_)) {
                self.store
                    .save_run_steps(run.id, &serde_json::to_string(&records).unwrap_or_else(|_| "[]".into()))
                    .await?;
            }
        }
        Ok((records, None))
    }

    async fn data_source(&self, app_id: i64) -> Result<DataSource<'_>, StoreError> {
        let (url, sealed) = self.store.app_data_source(app_id).await?;
        let secret = sealed.and_then(|s| self.cipher.open(&s, &data_secret_context(app_id)).ok());
        Ok(match (url, secret) {
            (Some(url), Some(secret)) => DataSource::Host { http: &self.http, url, secret },
            _ => DataSource::BuiltIn { store: &self.store, app_id },
        })
    }
}

/// What the app's data-source secret is sealed to.
pub fn data_secret_context(app_id: i64) -> String {
    format!("patchbay:data-source:v1:app:{app_id}")
}
