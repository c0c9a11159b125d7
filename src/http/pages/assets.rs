//! The stylesheets and the few lines of script, built into the binary: no front-end
//! build step and nothing fetched from the internet.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../../static/app.css");
const JS: &str = include_str!("../../../static/app.js");
/// The sandbox's own frame (it plays a provider, so it does not look like patchbay).
const SANDBOX_CSS: &str = include_str!("../../../static/sandbox.css");

pub async fn file(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        "sandbox.css" => (SANDBOX_CSS, "text/css; charset=utf-8"),
        _ => return super::PageError::not_found().into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response()
}
