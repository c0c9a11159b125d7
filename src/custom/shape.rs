//! One operation of a document shaped as an action: its parameters and body become
//! inputs, its path a template whose values stay single segments, and anything patchbay
//! cannot send (a required cookie, a multipart body, a path with an undescribed
//! parameter) a reason in words instead.

use super::names::{Names, snake};
use super::spec::{BodySpec, InputSpec, OperationSpec};
use crate::actions::target::safe_path;
use crate::catalog::InputKind;
use crate::catalog::binding::Method;
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use std::collections::BTreeMap;

pub(super) struct Shape<'d> {
    pub doc: &'d OpenAPI,
    /// Headers that carry a secret: an operation never takes them as inputs.
    pub credential_headers: &'d [String],
}

impl Shape<'_> {
    pub fn operation(
        &self,
        method: Method,
        path: &str,
        op: &openapiv3::Operation,
        params: &[&Parameter],
    ) -> Result<OperationSpec, String> {
        let mut names = Names::default();
        let mut inputs = Vec::new();
        let mut template = path.to_owned();
        let mut query = BTreeMap::new();
        let mut headers = BTreeMap::new();
        let mut path_inputs = Vec::new();
        for p in params {
            let data = p.parameter_data_ref();
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.schema(s),
                ParameterSchemaOrContent::Content(_) => None,
            };
            let description = data.description.clone().unwrap_or_default();
            match p {
                Parameter::Path { .. } => {
                    let input = names.take(&snake(&data.name, 40));
                    let slot = format!("{{{}}}", data.name);
                    if !template.contains(&slot) {
                        return Err(format!("its path has no {slot} for the parameter it names"));
                    }
                    template = template.replace(&slot, &format!("{{{input}}}"));
                    inputs.push(input_spec(&input, kind_of(schema, false), true, description));
                    path_inputs.push(input);
                }
                Parameter::Query { .. } => {
                    let input = names.take(&snake(&data.name, 40));
                    query.insert(data.name.clone(), input.clone());
                    inputs.push(input_spec(&input, kind_of(schema, false), data.required, description));
                }
                Parameter::Header { .. } => {
                    let lower = data.name.to_lowercase();
                    let reserved = ["authorization", "cookie", "host", "content-type", "content-length"];
                    if reserved.contains(&lower.as_str()) || self.credential_headers.contains(&lower) {
                        continue;
                    }
                    if !is_token(&data.name) {
                        if data.required {
                            return Err(format!("it needs the header '{}', which is not a header name", data.name));
                        }
                        continue;
                    }
                    let input = names.take(&snake(&data.name, 40));
                    headers.insert(data.name.clone(), input.clone());
                    inputs.push(input_spec(&input, kind_of(schema, false), data.required, description));
                }
                Parameter::Cookie { .. } if data.required => {
                    return Err(format!("it needs the cookie {}, which patchbay does not send", data.name));
                }
                Parameter::Cookie { .. } => {}
            }
        }
        let path_inputs: Vec<&str> = path_inputs.iter().map(String::as_str).collect();
        check_path(&template, &path_inputs)?;
        let body = match &op.request_body {
            Some(b) if method != Method::Get => self.body(b, &mut names, &mut inputs)?,
            _ => None,
        };
        let name = op
            .summary
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("{} {path}", method.as_str()));
        let description = op.description.clone().or_else(|| op.summary.clone()).unwrap_or_else(|| name.clone());
        Ok(OperationSpec {
            id: String::new(),
            name: one_line(&name, 120),
            description: one_line(&description, 400),
            method,
            shown_path: path.to_owned(),
            path: template,
            inputs,
            query,
            headers,
            body,
        })
    }

    fn body(
        &self,
        body: &ReferenceOr<RequestBody>,
        names: &mut Names,
        inputs: &mut Vec<InputSpec>,
    ) -> Result<Option<BodySpec>, String> {
        let body = match body {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/requestBodies/")
                .and_then(|n| self.doc.components.as_ref()?.request_bodies.get(n)?.as_item())
                .ok_or_else(|| format!("its body refers to {reference}, which the document does not hold"))?,
        };
        let json = body.content.iter().find(|(t, _)| t.starts_with("application/json") || t.ends_with("+json"));
        let form = body.content.iter().find(|(t, _)| t.starts_with("application/x-www-form-urlencoded"));
        let Some((kind, media)) = json.or(form) else {
            return match body.content.keys().next() {
                Some(t) if body.required => Err(format!("its body is {t}, which patchbay cannot send yet")),
                _ => Ok(None),
            };
        };
        let is_json = json.is_some();
        let schema = media.schema.as_ref().and_then(|s| self.schema(s));
        let fields = match schema.map(|s| &s.schema_kind) {
            Some(SchemaKind::Type(Type::Object(o))) if !o.properties.is_empty() => {
                let mut fields = BTreeMap::new();
                for (prop, s) in &o.properties {
                    let s = self.boxed_schema(s);
                    if s.is_some_and(|s| s.schema_data.read_only) {
                        continue;
                    }
                    let input = names.take(&snake(prop, 40));
                    let required = body.required && o.required.contains(prop);
                    let description = s.and_then(|s| s.schema_data.description.clone()).unwrap_or_default();
                    inputs.push(input_spec(&input, kind_of(s, true), required, description));
                    fields.insert(prop.clone(), input);
                }
                fields
            }
            _ if is_json => {
                let input = names.take("body");
                let description = body.description.clone().unwrap_or_else(|| "the request body, as JSON".into());
                inputs.push(input_spec(&input, InputKind::Json, body.required, description));
                return Ok(Some(BodySpec::Json { input }));
            }
            _ => return Err(format!("its {kind} body describes no fields")),
        };
        Ok(Some(if is_json { BodySpec::JsonFields { fields } } else { BodySpec::Form { fields } }))
    }

    /// A schema, following `#/components/schemas/…` references a few levels deep.
    fn schema<'a>(&'a self, s: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        let mut current = s;
        for _ in 0..8 {
            match current {
                ReferenceOr::Item(s) => return Some(s),
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix("#/components/schemas/")?;
                    current = self.doc.components.as_ref()?.schemas.get(name)?;
                }
            }
        }
        None
    }

    fn boxed_schema<'a>(&'a self, s: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        match s {
            ReferenceOr::Item(b) => Some(b),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/schemas/")?;
                self.schema(self.doc.components.as_ref()?.schemas.get(name)?)
            }
        }
    }
}

fn input_spec(name: &str, kind: InputKind, required: bool, description: String) -> InputSpec {
    InputSpec { name: name.to_owned(), kind, required, description: one_line(&description, 200) }
}

/// The input type a schema asks for. Text in a path, the query or a header is one line;
/// in a body it may be several.
fn kind_of(schema: Option<&Schema>, in_body: bool) -> InputKind {
    let text = if in_body { InputKind::Text } else { InputKind::String };
    let Some(SchemaKind::Type(t)) = schema.map(|s| &s.schema_kind) else {
        return if in_body { InputKind::Json } else { InputKind::String };
    };
    match t {
        Type::String(s) => match &s.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => InputKind::Date,
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => InputKind::Datetime,
            VariantOrUnknownOrEmpty::Unknown(f) if f == "email" => InputKind::Email,
            VariantOrUnknownOrEmpty::Unknown(f) if f == "uri" || f == "url" => InputKind::Url,
            _ => text,
        },
        Type::Number(_) | Type::Integer(_) => InputKind::Number,
        Type::Boolean(_) => InputKind::Boolean,
        Type::Array(a) => {
            let plain = a.items.as_ref().and_then(|i| i.as_item()).is_some_and(|i| {
                matches!(
                    i.schema_kind,
                    SchemaKind::Type(Type::String(_) | Type::Number(_) | Type::Integer(_) | Type::Boolean(_))
                )
            });
            if plain { InputKind::List } else { InputKind::Json }
        }
        Type::Object(_) => InputKind::Json,
    }
}

/// The literal parts of a path must stay on the API: no dot segments, encoded slashes,
/// `@`, query or fragment.
fn check_path(template: &str, inputs: &[&str]) -> Result<(), String> {
    let Some(rest) = template.strip_prefix('/') else {
        return Err("its path does not start with '/'".into());
    };
    let mut literal = String::new();
    let mut slot: Option<String> = None;
    for c in rest.chars() {
        match (c, slot.as_mut()) {
            ('{', None) => slot = Some(String::new()),
            ('}', Some(name)) => {
                if !inputs.contains(&name.as_str()) {
                    return Err(format!("its path has {{{name}}}, a parameter the document does not describe"));
                }
                literal.push('x');
                slot = None;
            }
            ('{' | '}', _) => return Err("its path is not a plain path".into()),
            (c, Some(name)) => name.push(c),
            (c, None) => literal.push(c),
        }
    }
    if slot.is_some() || literal.contains(['?', '#', ' ']) {
        return Err("its path is not a plain path".into());
    }
    safe_path(literal.trim_end_matches('/')).map_err(|e| format!("its path is refused: {e}"))
}

/// A header name as HTTP allows one.
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_keeps_to_the_api_and_names_only_its_parameters() {
        assert!(check_path("/pets/{pet_id}", &["pet_id"]).is_ok());
        assert!(check_path("/pets/{other}", &["pet_id"]).is_err(), "an undescribed parameter");
        assert!(check_path("/pets/../admin", &[]).is_err());
        assert!(check_path("/pets/%2e%2e/admin", &[]).is_err());
        assert!(check_path("/pets?x=1", &[]).is_err());
        assert!(check_path("pets", &[]).is_err());
        assert!(check_path("/pets/{a{b}}", &["a"]).is_err());
    }
}
