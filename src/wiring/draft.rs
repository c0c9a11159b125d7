//! The one answer to "wire this request" (DESIGN.md, `patchbay flow draft`): a complete
//! flow, or the questions patchbay must ask the builder first (with the partial flow when
//! there is one), plus notes that say in words what the flow does differently from the
//! request and why. The command line, the API and the chat all call [`draft`], so the
//! chat never wires a flow the eval would not.

use super::definition::FlowDefinition;
use super::explain::Unbuildable;
use super::generate::{Context, plan};
use super::offer::{self, Offer};
use super::{Problem, validate};
use crate::app::AppStructure;
use crate::catalog::Catalog;
use crate::ranking::{RouteError, RouteRequest, RouteResult};
use serde::Serialize;
use serde_json::Value;

/// What the builder is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum About {
    /// The app lacks the records the request names, or several could be meant.
    Data,
    /// A tool the request needs is not in the catalog.
    Connector,
    /// What should start the flow or what it should do is unclear.
    Detail,
    /// The schedule is one a cron expression cannot hold.
    Schedule,
}

/// One question for the builder, with choices when there are a few obvious answers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ask {
    pub about: About,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Data to add to the app with one click, after which the flow can be wired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
}

/// The answer: `{"flow": …}`, or `{"asks": […], "flow"?: …}`; `notes` say what the flow
/// leaves out or assumes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Draft {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowDefinition>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub asks: Vec<Ask>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Draft {
    /// A flow with nothing to ask: ready for review.
    pub fn is_complete(&self) -> bool {
        self.flow.is_some() && self.asks.is_empty()
    }
}

/// A draft request as the command line and the API read it: the route request plus the
/// app's own time zone (`app.time_zone`), which the app structure does not keep.
pub struct DraftRequest {
    pub route: RouteRequest,
    pub time_zone: Option<String>,
}

impl DraftRequest {
    pub fn from_json(value: &Value) -> Result<Self, RouteError> {
        let route = RouteRequest::from_json(value)?;
        let time_zone = value.pointer("/app/time_zone").and_then(Value::as_str).map(|s| s.trim().to_owned());
        Ok(Self { route, time_zone: time_zone.filter(|z| !z.is_empty()) })
    }

    pub fn app(&self) -> &AppStructure {
        &self.route.app
    }
}

/// Wires a request routed outside the chat (command line, API): "me" is `requester` when
/// given, and schedules run in the app's time zone.
pub fn draft_routed(catalog: &Catalog, request: &DraftRequest, route: &RouteResult, requester: &str) -> Draft {
    let ctx = Context {
        catalog,
        app: request.app(),
        time_zone: request.time_zone.as_deref().unwrap_or(""),
        requester,
        request: &request.route.prompt,
        message_id: None,
    };
    draft(route, &ctx)
}

/// Wires the routed request: the flow, or what to ask, with notes.
pub fn draft(route: &RouteResult, ctx: &Context<'_>) -> Draft {
    let plan = plan(route, ctx);
    match plan.blocker {
        Some(why) => Draft { flow: None, asks: vec![ask_for(&why, ctx.app)], notes: plan.notes },
        None => {
            let mut notes = plan.notes;
            // A flow that does not validate is not offered as complete: what is wrong with
            // it is what to ask about.
            let problems = plan.flow.as_ref().map(|f| validate(f, ctx.catalog, Some(ctx.app), None).problems);
            match problems.filter(|p| !p.is_empty()) {
                Some(problems) => {
                    let about = if problems.iter().all(Problem::is_about_data) { About::Data } else { About::Detail };
                    let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                    notes.push("The flow below is a draft: it cannot run as it is.".into());
                    let ask = Ask { about, message, options: Vec::new(), offer: None };
                    Draft { flow: plan.flow, asks: vec![ask], notes }
                }
                None => Draft { flow: plan.flow, asks: Vec::new(), notes },
            }
        }
    }
}

fn ask_for(why: &Unbuildable, app: &crate::app::AppStructure) -> Ask {
    let about = match why {
        Unbuildable::OutsideTool { .. } => About::Connector,
        Unbuildable::MissingData { .. } | Unbuildable::WhichData { .. } | Unbuildable::MissingField { .. } => {
            About::Data
        }
        Unbuildable::UnsupportedSchedule { .. } => About::Schedule,
        _ => About::Detail,
    };
    let options = match why {
        Unbuildable::Vague { options, .. }
        | Unbuildable::OutsideTool { options, .. }
        | Unbuildable::WhenToRun { options }
        | Unbuildable::NoSuchTrigger { options, .. } => options.clone(),
        Unbuildable::WhichData { entities } => entities.clone(),
        _ => Vec::new(),
    };
    Ask { about, message: why.to_string(), options, offer: offer::for_blocker(why, app) }
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
