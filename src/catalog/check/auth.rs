//! The rules of an entry's `[auth]` table: endpoints, and the provider quirks that must
//! agree with each other (a revocation style needs an endpoint; Microsoft's tenant decides
//! which accounts can sign in, so the entry must say so for the card to warn).

use super::{Locator, Seg, https_url};
use crate::catalog::auth::{Accounts, Auth, AuthKind, NO_SCOPE_PARAM, RevocationStyle};
use crate::catalog::model::Connector;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

/// Fields of the authorization-code exchange that patchbay itself sends: `token_params`
/// may only add to them.
const EXCHANGE_FIELDS: [&str; 7] =
    ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "refresh_token"];

/// Microsoft's sign-in host, whose first path segment is the tenant.
const MICROSOFT_LOGIN: &str = "login.microsoftonline.com";

pub(super) fn check_auth(c: &Connector, at: &mut Locator<'_>) {
    use Seg::Key;
    let auth = &c.auth;
    for (key, url) in auth.urls() {
        if let Err(why) = https_url(url) {
            at.report(&[Key("auth"), Key(key)], format!("{key} '{url}' {why}"));
        }
    }
    let needs: &[(&str, &Option<String>)] = match auth.kind {
        AuthKind::Oauth2 => &[("authorization_url", &auth.authorization_url), ("token_url", &auth.token_url)],
        AuthKind::Oauth1 => &[
            ("request_token_url", &auth.request_token_url),
            ("authorization_url", &auth.authorization_url),
            ("access_token_url", &auth.access_token_url),
        ],
        AuthKind::ApiKey | AuthKind::Workspace => &[],
    };
    for (key, value) in needs {
        if value.is_none() {
            at.report(&[Key("auth")], format!("auth kind {:?} needs {key}", auth.kind));
        }
    }
    if matches!(auth.kind, AuthKind::ApiKey | AuthKind::Workspace) && auth.credentials.is_empty() {
        at.report(&[Key("auth")], "say which credentials the builder must provide (auth.credentials)".into());
    }
    if ![" ", ","].contains(&auth.scope_separator.as_str()) {
        at.report(&[Key("auth"), Key("scope_separator")], "scope_separator must be \" \" or \",\"".into());
    }
    if auth.scope_param.is_empty() || !auth.scope_param.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        at.report(
            &[Key("auth"), Key("scope_param")],
            format!("scope_param must be a parameter name such as \"scope\", or \"{NO_SCOPE_PARAM}\""),
        );
    }
    for (i, pointer) in auth.account_fields.iter().enumerate() {
        if !pointer.starts_with('/') {
            at.report(
                &[Key("auth"), Key("account_fields"), Seg::Idx(i)],
                format!("'{pointer}' is not a JSON pointer (start it with '/')"),
            );
        }
    }
    check_revocation(auth, at);
    check_token_params(auth, at);
    check_tenant(auth, at);
    check_oauth1(auth, at);
    if auth.kind.typed() {
        check_typed(c, at);
    }
}

/// OAuth 1.0a's own pieces: a signed DELETE revokes token credentials only, at a URL that
/// names the token; the sandbox's userinfo answer must be JSON.
fn check_oauth1(auth: &Auth, at: &mut Locator<'_>) {
    use Seg::Key;
    if auth.revocation_style == Some(RevocationStyle::SignedDelete) {
        if auth.kind != AuthKind::Oauth1 {
            at.report(
                &[Key("auth"), Key("revocation_style")],
                "revocation_style \"signed_delete\" revokes OAuth 1.0a token credentials: kind must be \"oauth1\""
                    .into(),
            );
        }
        if auth.revocation_url.as_deref().is_some_and(|u| !u.contains("{token}")) {
            at.report(
                &[Key("auth"), Key("revocation_url")],
                "a signed_delete revocation_url names the token with {token}".into(),
            );
        }
    }
    if let Some(example) = &auth.userinfo_example
        && serde_json::from_str::<serde_json::Value>(example).is_err()
    {
        at.report(&[Key("auth"), Key("userinfo_example")], "userinfo_example is not JSON".into());
    }
}

/// A credential connector must be connectable: exactly one secret (sealed like a token),
/// each field with where to find it and a sandbox value unless optional, a test call the
/// sandbox can answer, and an `[api.credential]` style naming only its credentials.
fn check_typed(c: &Connector, at: &mut Locator<'_>) {
    use Seg::Key;
    let auth = &c.auth;
    if auth.credentials.iter().filter(|cr| cr.secret).count() != 1 {
        at.report(
            &[Key("auth"), Key("credentials")],
            "a credential connector has exactly one secret credential".into(),
        );
    }
    for cr in &auth.credentials {
        if cr.help.as_deref().is_none_or(str::is_empty) {
            at.report(&[Key("auth"), Key("credentials")], format!("{}: say where to find it (help)", cr.name));
        }
        if cr.sandbox.is_none() && !cr.optional {
            at.report(&[Key("auth"), Key("credentials")], format!("{}: the sandbox needs a test value", cr.name));
        }
    }
    match &auth.check {
        Some(step) if step.path.is_some() && step.has_example() => {}
        _ => at.report(&[Key("auth"), Key("check")], "a test call with a path and an example answer is needed".into()),
    }
    let Some(style) = c.api.as_ref().and_then(|a| a.credential.as_ref()) else {
        return at.report(&[Key("api")], "say how calls carry the credentials ([api.credential])".into());
    };
    let names: Vec<&str> = auth.credentials.iter().map(|cr| cr.name.as_str()).collect();
    let templates = std::iter::once(&style.value).chain(style.subject.iter()).chain(style.headers.values());
    for template in templates {
        for name in crate::credentials::style::names(template) {
            if !names.contains(&name.as_str()) {
                at.report(&[Key("api"), Key("credential")], format!("'{{{name}}}' names no credential"));
            }
        }
    }
}

fn check_revocation(auth: &Auth, at: &mut Locator<'_>) {
    use Seg::Key;
    match (auth.revocation_style, &auth.revocation_url) {
        (Some(RevocationStyle::None), Some(_)) => at.report(
            &[Key("auth"), Key("revocation_style")],
            "revocation_style \"none\" says the provider cannot revoke, but revocation_url is set".into(),
        ),
        (Some(style), None) if style != RevocationStyle::None => at.report(
            &[Key("auth"), Key("revocation_style")],
            format!("revocation_style \"{}\" needs a revocation_url", style.as_str()),
        ),
        _ => {}
    }
    if !auth.revocation_headers.is_empty() && auth.revocation_style() == RevocationStyle::None {
        at.report(&[Key("auth"), Key("revocation_headers")], "revocation_headers without a revocation_url".into());
    }
    for (name, value) in &auth.revocation_headers {
        let path = [Key("auth"), Key("revocation_headers"), Key(name)];
        match HeaderName::from_bytes(name.as_bytes()) {
            Err(_) => at.report(&path, format!("'{name}' is not an HTTP header name")),
            Ok(header) if header == AUTHORIZATION => at.report(
                &path,
                "the Authorization header comes from revocation_style, not from revocation_headers".into(),
            ),
            Ok(_) if HeaderValue::from_str(value).is_err() => {
                at.report(&path, format!("'{value}' is not a valid value for the {name} header"));
            }
            Ok(_) => {}
        }
    }
}

fn check_token_params(auth: &Auth, at: &mut Locator<'_>) {
    use Seg::Key;
    for name in auth.token_params.keys() {
        if EXCHANGE_FIELDS.contains(&name.as_str()) {
            at.report(
                &[Key("auth"), Key("token_params"), Key(name)],
                format!("token_params may not replace '{name}', which patchbay sends itself"),
            );
        }
    }
}

/// Microsoft decides by tenant who may sign in: `common` takes personal accounts too,
/// `organizations` (or one organisation's tenant) only work or school accounts. The entry's
/// `accounts` must say the same, or the card would promise what sign-in refuses.
fn check_tenant(auth: &Auth, at: &mut Locator<'_>) {
    use Seg::Key;
    let tenant_of = |url: &Option<String>| {
        let url = url::Url::parse(url.as_deref()?).ok()?;
        (url.host_str()? == MICROSOFT_LOGIN).then(|| url.path_segments()?.next().map(str::to_owned))?
    };
    let Some(tenant) = tenant_of(&auth.authorization_url) else { return };
    if tenant_of(&auth.token_url).is_some_and(|t| t != tenant) {
        at.report(
            &[Key("auth"), Key("token_url")],
            format!("token_url must use the same tenant as authorization_url ('{tenant}')"),
        );
    }
    let takes_personal = matches!(tenant.as_str(), "common" | "consumers");
    match (auth.accounts, takes_personal) {
        (Accounts::WorkOrSchool, true) => at.report(
            &[Key("auth"), Key("authorization_url")],
            format!("accounts = \"work_or_school\" needs the 'organizations' tenant, not '{tenant}'"),
        ),
        (Accounts::Any, false) => at.report(
            &[Key("auth"), Key("accounts")],
            format!("the '{tenant}' tenant refuses personal accounts: say accounts = \"work_or_school\""),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::check::{SourceFile, check};

    /// A valid Outlook-like entry with `auth` lines added to `[auth]` and `tail` after it;
    /// returns each problem in this file as "line: message".
    fn problems(auth: &str, tail: &str) -> Vec<String> {
        problems_on("common", "common", auth, tail)
    }

    /// As [`problems`], signing in through these Microsoft tenants.
    fn problems_on(authorize: &str, token: &str, auth: &str, tail: &str) -> Vec<String> {
        let text = format!(
            r#"id = "outlook"
name = "Outlook"
category = "email"
description = "Mail."
popularity = 50
example_prompts = ["a", "b", "c"]

[auth]
kind = "oauth2"
authorization_url = "https://login.microsoftonline.com/{authorize}/oauth2/v2.0/authorize"
token_url = "https://login.microsoftonline.com/{token}/oauth2/v2.0/token"
{auth}
{tail}
[[actions]]
id = "one"
name = "One"
description = "One."
capability = "email"
phrases = ["one"]

[[actions]]
id = "two"
name = "Two"
description = "Two."
capability = "email"
phrases = ["two"]

[[actions]]
id = "three"
name = "Three"
description = "Three."
capability = "email"
phrases = ["three"]
"#
        );
        let file = SourceFile { path: "catalog/connectors/outlook.toml".into(), text };
        let (_, found) = check(&[file]);
        found
            .into_iter()
            .filter(|p| p.file.ends_with("outlook.toml") && p.line.is_some())
            .map(|p| format!("{}: {}", p.line.unwrap_or_default(), p.message))
            .collect()
    }

    #[test]
    fn a_valid_entry_has_no_problems() {
        assert_eq!(problems("", ""), Vec::<String>::new());
    }

    #[test]
    fn a_revocation_style_must_agree_with_the_revocation_endpoint() {
        assert_eq!(
            problems("revocation_style = \"bearer\"", ""),
            ["12: revocation_style \"bearer\" needs a revocation_url"]
        );
        assert_eq!(
            problems("revocation_url = \"https://p.example/revoke\"\nrevocation_style = \"none\"", ""),
            ["13: revocation_style \"none\" says the provider cannot revoke, but revocation_url is set"]
        );
        assert_eq!(
            problems("revocation_url = \"https://p.example/revoke\"\nrevocation_style = \"json_basic\"", ""),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_signed_delete_revokes_oauth_1_tokens_at_a_url_naming_the_token() {
        let found =
            problems("revocation_url = \"https://p.example/tokens/x\"\nrevocation_style = \"signed_delete\"", "");
        assert_eq!(
            found,
            [
                "12: a signed_delete revocation_url names the token with {token}",
                "13: revocation_style \"signed_delete\" revokes OAuth 1.0a token credentials: kind must be \"oauth1\"",
            ]
        );
        assert_eq!(problems("userinfo_example = '{\"id\": '", ""), ["12: userinfo_example is not JSON"]);
    }

    #[test]
    fn revocation_headers_carry_no_credentials_and_need_an_endpoint() {
        let found = problems(
            "revocation_url = \"https://p.example/revoke\"",
            "[auth.revocation_headers]\nAuthorization = \"Bearer x\"\n",
        );
        assert_eq!(found, ["14: the Authorization header comes from revocation_style, not from revocation_headers"]);
        let found = problems("", "[auth.revocation_headers]\nNotion-Version = \"2025-09-03\"\n");
        assert_eq!(found, ["13: revocation_headers without a revocation_url"]);
    }

    #[test]
    fn token_params_may_add_to_the_exchange_but_not_replace_it() {
        assert_eq!(problems("", "[auth.token_params]\nexpiring = \"1\"\n"), Vec::<String>::new());
        assert_eq!(
            problems("", "[auth.token_params]\ngrant_type = \"password\"\n"),
            ["14: token_params may not replace 'grant_type', which patchbay sends itself"]
        );
    }

    #[test]
    fn the_microsoft_tenant_and_the_accounts_it_takes_must_agree() {
        assert_eq!(
            problems("accounts = \"work_or_school\"", ""),
            ["10: accounts = \"work_or_school\" needs the 'organizations' tenant, not 'common'"]
        );
        assert_eq!(
            problems_on("organizations", "organizations", "", ""),
            ["8: the 'organizations' tenant refuses personal accounts: say accounts = \"work_or_school\""]
        );
        assert_eq!(
            problems_on("organizations", "organizations", "accounts = \"work_or_school\"", ""),
            Vec::<String>::new()
        );
        assert_eq!(
            problems_on("organizations", "common", "accounts = \"work_or_school\"", ""),
            ["11: token_url must use the same tenant as authorization_url ('organizations')"]
        );
    }

    #[test]
    fn scope_param_is_a_parameter_name_or_none() {
        assert_eq!(problems("scope_param = \"none\"", ""), Vec::<String>::new());
        assert_eq!(
            problems("scope_param = \"scope list\"", ""),
            ["12: scope_param must be a parameter name such as \"scope\", or \"none\""]
        );
    }
}
