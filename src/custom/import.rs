//! Reading an OpenAPI 3 document (JSON or YAML) into what the editor chooses from: the
//! API's title, its first server, the ways it takes a secret, and each operation already
//! shaped as an action (or why it cannot be one). Nothing here is stored or sent.

use super::names::{Names, snake};
use super::shape::Shape;
use super::spec::{AuthSpec, OperationSpec};
use crate::catalog::binding::Method;
use openapiv3::{APIKeyLocation, OpenAPI, Parameter, ReferenceOr, SecurityScheme};

/// Larger documents are refused before parsing.
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;
const MAX_OPERATIONS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The document is empty: paste an OpenAPI 3 document or choose its file.")]
    Empty,
    #[error("The document is larger than patchbay reads (2 MB).")]
    TooLarge,
    #[error("The document is neither JSON nor YAML: {0}")]
    Unreadable(String),
    #[error("This is a Swagger 2.0 document: patchbay reads OpenAPI 3 documents (convert it first).")]
    Swagger2,
    #[error("This is not an OpenAPI 3 document: it has no \"openapi: 3.x\" line.")]
    NotOpenApi,
    #[error("The document is not valid OpenAPI 3: {0}")]
    Invalid(String),
    #[error(
        "The document names no server: add the API's address under \"servers\" (or type it below), then import it again."
    )]
    NoServer,
    #[error("The document describes no operations patchbay can call (GET, POST, PUT, PATCH or DELETE).")]
    NoOperations,
    #[error("The document has {0} operations; patchbay imports up to 300 at a time.")]
    TooManyOperations(usize),
}

/// What the editor sees before choosing.
#[derive(Debug, Clone)]
pub struct Preview {
    pub title: String,
    /// `servers[0]`, its variables filled with their defaults.
    pub server: String,
    /// The ways the document takes a secret that patchbay can send, bearer always last.
    pub schemes: Vec<AuthSpec>,
    pub operations: Vec<Offered>,
}

#[derive(Debug, Clone)]
pub struct Offered {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    /// The action it becomes, or why it cannot become one.
    pub spec: Result<OperationSpec, String>,
}

impl Offered {
    pub fn id(&self) -> Option<&str> {
        self.spec.as_ref().ok().map(|s| s.id.as_str())
    }
}

pub fn read(text: &str) -> Result<Preview, ImportError> {
    let doc = parse(text)?;
    let server = doc.servers.first().map(|s| {
        let mut url = s.url.clone();
        for (name, var) in s.variables.iter().flatten() {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
        url
    });
    let server = server.filter(|s| !s.trim().is_empty()).ok_or(ImportError::NoServer)?;
    let schemes = schemes(&doc);
    let credential_headers: Vec<String> = schemes
        .iter()
        .filter_map(|s| match s {
            AuthSpec::Header { name } => Some(name.to_lowercase()),
            _ => None,
        })
        .collect();
    let mut ids = Names::default();
    let mut operations = Vec::new();
    for (path, item) in doc.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            let Some(m) = Method::parse(&method.to_uppercase()) else { continue };
            let summary = op.summary.clone().or_else(|| op.operation_id.clone()).unwrap_or_default();
            let raw_id = op.operation_id.clone().unwrap_or_else(|| format!("{method} {path}"));
            let params = merged(&doc, &item.parameters, &op.parameters);
            let spec = params.and_then(|params| {
                let shape = Shape { doc: &doc, credential_headers: &credential_headers };
                shape.operation(m, path, op, &params)
            });
            let spec = spec.map(|mut s| {
                s.id = ids.take(&snake(&raw_id, 60));
                s
            });
            operations.push(Offered { method: m.as_str(), path: path.clone(), summary, spec });
        }
    }
    if operations.is_empty() {
        return Err(ImportError::NoOperations);
    }
    if operations.len() > MAX_OPERATIONS {
        return Err(ImportError::TooManyOperations(operations.len()));
    }
    Ok(Preview { title: doc.info.title.trim().to_owned(), server, schemes, operations })
}

/// JSON or YAML into the document, each failure said plainly.
fn parse(text: &str) -> Result<OpenAPI, ImportError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ImportError::Empty);
    }
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let value: serde_json::Value = if text.starts_with('{') {
        serde_json::from_str(text).map_err(|e| ImportError::Unreadable(e.to_string()))?
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| ImportError::Unreadable(e.to_string()))?
    };
    if value.get("swagger").is_some() {
        return Err(ImportError::Swagger2);
    }
    let version = value.get("openapi").and_then(|v| v.as_str()).unwrap_or_default();
    if !version.starts_with("3.") {
        return Err(ImportError::NotOpenApi);
    }
    serde_json::from_value(value).map_err(|e| ImportError::Invalid(e.to_string()))
}

/// API keys in a header or the query, and bearer secrets; cookies and OAuth are not
/// offered (the editor gives one secret, nothing to sign in with).
fn schemes(doc: &OpenAPI) -> Vec<AuthSpec> {
    let mut out = Vec::new();
    for scheme in doc.components.iter().flat_map(|c| c.security_schemes.values()).filter_map(ReferenceOr::as_item) {
        let found = match scheme {
            SecurityScheme::APIKey { location: APIKeyLocation::Header, name, .. } => {
                Some(AuthSpec::Header { name: name.clone() })
            }
            SecurityScheme::APIKey { location: APIKeyLocation::Query, name, .. } => {
                Some(AuthSpec::Query { name: name.clone() })
            }
            _ => None,
        };
        if let Some(f) = found.filter(|f| valid_name(f) && !out.contains(f)) {
            out.push(f);
        }
    }
    out.push(AuthSpec::Bearer);
    out
}

/// A header or parameter name the document may give: a token, as HTTP spells one.
fn valid_name(auth: &AuthSpec) -> bool {
    let name = match auth {
        AuthSpec::Bearer => return true,
        AuthSpec::Header { name } | AuthSpec::Query { name } => name,
    };
    !name.is_empty() && name.len() <= 100 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The path's parameters with the operation's own, which win on the same name and place.
fn merged<'d>(
    doc: &'d OpenAPI,
    shared: &'d [ReferenceOr<Parameter>],
    own: &'d [ReferenceOr<Parameter>],
) -> Result<Vec<&'d Parameter>, String> {
    let mut out: Vec<&Parameter> = Vec::new();
    for p in shared.iter().chain(own) {
        let p = resolve_parameter(doc, p)?;
        let key = |q: &Parameter| (q.parameter_data_ref().name.clone(), std::mem::discriminant(q));
        out.retain(|q| key(q) != key(p));
        out.push(p);
    }
    Ok(out)
}

fn resolve_parameter<'d>(doc: &'d OpenAPI, p: &'d ReferenceOr<Parameter>) -> Result<&'d Parameter, String> {
    match p {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/parameters/")
            .and_then(|n| doc.components.as_ref()?.parameters.get(n)?.as_item())
            .ok_or_else(|| format!("it refers to {reference}, which the document does not hold")),
    }
}
