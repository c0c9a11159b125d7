//! One step of a run: a query of the app's records, a list written out in words, a call
//! to a provider through the action API, or a record saved. Each returns its outputs, the
//! values later steps refer to as `{{steps.<id>.<output>}}`.

use super::actions::{ActionCall, ActionCaller, StepFailure};
use super::data::{DataError, DataSource, Query};
use super::scope::{Scope, as_text};
use crate::wiring::{Condition, Step, TransformStep};
use serde_json::{Map, Value, json};

/// The inputs as the step used them (references resolved), and its outputs.
pub struct Done {
    pub inputs: Value,
    pub outputs: Value,
}

pub async fn run_step(
    step: &Step,
    scope: &Scope,
    data: &DataSource<'_>,
    actions: &dyn ActionCaller,
    app_id: i64,
) -> Result<Done, (Value, StepFailure)> {
    match step {
        Step::Query(q) => {
            let filter: Vec<Condition> = q
                .filter
                .iter()
                .map(|c| Condition { value: c.value.as_ref().map(|v| scope.resolve(v)), ..c.clone() })
                .collect();
            let inputs = json!({"entity": q.entity, "filter": filter, "sort": q.sort, "limit": q.limit});
            let query = Query {
                entity: &q.entity,
                filter: &filter,
                sort: q.sort.as_ref(),
                limit: q.limit,
                now: scope.fired_at,
            };
            match data.query(query).await {
                Ok(items) => Ok(Done { inputs, outputs: json!({"count": items.len(), "items": items}) }),
                Err(e) => Err((inputs, data_failure(e))),
            }
        }
        Step::Transform(t) => {
            let items = scope.resolve(&json!(t.from));
            let items = items.as_array().map(Vec::as_slice).unwrap_or(&[]);
            let inputs = json!({"items": items.len(), "fields": t.fields.join(", ").replace('_', " ")});
            Ok(Done { inputs, outputs: render_list(t, items) })
        }
        Step::Action(a) => {
            let inputs = scope.resolve(&Value::Object(a.inputs.clone().into_iter().collect()));
            let as_user = scope.record.as_ref().and_then(|r| r.get("user_ref")).and_then(Value::as_str);
            let call =
                ActionCall { app_id, operation: &a.operation, connection: &a.connection, inputs: &inputs, as_user };
            match actions.call(call).await {
                Ok(output) => {
                    let mut outputs = match &output {
                        Value::Object(map) => map.clone(),
                        _ => Map::new(),
                    };
                    outputs.insert("result".into(), output);
                    Ok(Done { inputs, outputs: Value::Object(outputs) })
                }
                Err(failure) => Err((inputs, failure)),
            }
        }
        Step::Save(s) => {
            let values = match scope.resolve(&Value::Object(s.values.clone().into_iter().collect())) {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let inputs = json!({"entity": s.entity, "values": values, "match_on": s.match_on});
            match data.save(&s.entity, &values, s.match_on.as_deref()).await {
                Ok(record) => Ok(Done { inputs, outputs: json!({"record": record}) }),
                Err(e) => Err((inputs, data_failure(e))),
            }
        }
    }
}

fn data_failure(e: DataError) -> StepFailure {
    if e.is_transient() { StepFailure::transient(e.to_string()) } else { StepFailure::permanent(e.to_string()) }
}

/// `heading`, then one line per item: the first field, then the others in brackets.
pub fn render_list(t: &TransformStep, items: &[Value]) -> Value {
    let line = |item: &Value| {
        let mut fields = t.fields.iter().filter_map(|f| {
            let v = as_text(item.get(f));
            (!v.is_empty()).then(|| (f.replace('_', " "), v))
        });
        let first = fields.next().map(|(_, v)| v).unwrap_or_default();
        let rest: Vec<String> = fields.map(|(f, v)| format!("{f}: {v}")).collect();
        if rest.is_empty() { first } else { format!("{first} ({})", rest.join(", ")) }
    };
    let lines: Vec<String> = items.iter().map(line).collect();
    let mut text = t.heading.clone().map(|h| format!("{h}\n")).unwrap_or_default();
    let mut html = t.heading.as_ref().map(|h| format!("<h3>{}</h3>", escape(h))).unwrap_or_default();
    if lines.is_empty() {
        let empty = t.empty.clone().unwrap_or_else(|| "Nothing to list.".into());
        text.push_str(&empty);
        html.push_str(&format!("<p>{}</p>", escape(&empty)));
    } else {
        text.push_str(&lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"));
        html.push_str(&format!(
            "<ul>{}</ul>",
            lines.iter().map(|l| format!("<li>{}</li>", escape(l))).collect::<String>()
        ));
    }
    json!({"text": text, "html": html})
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::TransformOp;

    #[test]
    fn a_list_is_written_as_lines_with_its_heading_or_the_empty_text() {
        let t = TransformStep {
            id: "list".into(),
            op: TransformOp::RenderList,
            from: "{{steps.q.items}}".into(),
            fields: vec!["title".into(), "due_date".into()],
            heading: Some("Open tasks".into()),
            empty: Some("No open tasks.".into()),
        };
        let out =
            render_list(&t, &[json!({"title": "Pay <rent>", "due_date": "2026-03-01"}), json!({"title": "Call Bo"})]);
        assert_eq!(out["text"], "Open tasks\n- Pay <rent> (due date: 2026-03-01)\n- Call Bo");
        assert!(out["html"].as_str().unwrap().contains("<li>Pay &lt;rent&gt; (due date: 2026-03-01)</li>"));
        assert_eq!(render_list(&t, &[])["text"], "Open tasks\nNo open tasks.");
    }
}
