//! Request shapes built from several inputs at once, which no single-value filter can
//! express: a Google Forms question, whose kind decides the name of its field.

use crate::catalog::filters;
use serde_json::{Map, Value, json};

/// `{=form_question}`: a Forms `Question` from `question_type` (text, paragraph, choice,
/// checkbox, dropdown, scale or date), `options` and `required`.
pub fn form_question(inputs: &Map<String, Value>) -> Value {
    let kind = inputs.get("question_type").and_then(Value::as_str).unwrap_or("text").trim().to_lowercase();
    let options = || filters::apply("named", inputs.get("options").cloned().unwrap_or(Value::Null)).unwrap_or_default();
    let options = || {
        let named = options();
        Value::Array(named.as_array().into_iter().flatten().map(|o| json!({ "value": o["name"] })).collect())
    };
    let mut question = match kind.as_str() {
        "paragraph" => json!({ "textQuestion": { "paragraph": true } }),
        "choice" | "radio" => json!({ "choiceQuestion": { "type": "RADIO", "options": options() } }),
        "checkbox" | "checkboxes" => json!({ "choiceQuestion": { "type": "CHECKBOX", "options": options() } }),
        "dropdown" => json!({ "choiceQuestion": { "type": "DROP_DOWN", "options": options() } }),
        "scale" => json!({ "scaleQuestion": { "low": 1, "high": 5 } }),
        "date" => json!({ "dateQuestion": {} }),
        _ => json!({ "textQuestion": { "paragraph": false } }),
    };
    question["required"] = Value::Bool(inputs.get("required").and_then(Value::as_bool).unwrap_or(false));
    question
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_question_lists_its_options() {
        let inputs = json!({"question_type": "choice", "options": ["Yes", "No"], "required": true});
        let q = form_question(inputs.as_object().unwrap());
        assert_eq!(
            q,
            json!({"choiceQuestion": {"type": "RADIO", "options": [{"value": "Yes"}, {"value": "No"}]}, "required": true})
        );
    }
}
