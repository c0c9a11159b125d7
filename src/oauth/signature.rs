//! OAuth 1.0a request signatures (RFC 5849 §3.4), HMAC-SHA1 only: the signature base
//! string from the method, the base URI and every parameter (query, form body and the
//! `oauth_*` protocol parameters), signed with the consumer secret and the token secret.
//! Both sides use it: patchbay signs its requests, and the sandbox, playing an OAuth 1.0a
//! provider, checks them. The published test vectors below pin it to the RFC, so that the
//! two cannot agree on a mistake.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;
use url::Url;

/// RFC 5849 §3.6: everything but the unreserved characters is escaped, in upper case.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub const METHOD: &str = "HMAC-SHA1";

/// RFC 5849 §3.6 percent-encoding.
pub fn encode(raw: &str) -> String {
    utf8_percent_encode(raw, RESERVED).to_string()
}

/// Who signs: the client (consumer) and, once there is one, the token.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub token: Option<&'a str>,
    pub token_secret: &'a str,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("consumer_key", &self.consumer_key).finish_non_exhaustive()
    }
}

/// §3.4.1.2: scheme and host in lower case, the port only when it is not the default, the
/// path; no query, no fragment.
pub fn base_uri(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_lowercase();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{host}{port}{}", url.scheme().to_lowercase(), url.path())
}

/// §3.4.1: `METHOD&base-uri&normalized-parameters`. `params` are every parameter of the
/// request, decoded (query, form body, protocol parameters), without `oauth_signature`
/// and `realm`.
pub fn base_string(method: &str, url: &Url, params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    pairs.sort();
    let normalized = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!("{}&{}&{}", method.to_uppercase(), encode(&base_uri(url)), encode(&normalized))
}

/// §3.4.2: base64 of HMAC-SHA1 keyed with `consumer_secret&token_secret`.
pub fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(base.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// The query's parameters, decoded as a form (§3.4.1.3.1).
pub fn query_params(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The `Authorization: OAuth …` header of a request, with a fresh nonce and timestamp.
/// `form` is the body's parameters when it is form-encoded (they are signed too);
/// `extra` are protocol parameters of the flow's steps (`oauth_callback`, `oauth_verifier`).
pub fn authorization(
    method: &str,
    url: &Url,
    form: &[(String, String)],
    creds: Credentials<'_>,
    extra: &[(&str, &str)],
) -> String {
    let nonce = crate::digest::random_token()[..32].to_owned();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    authorization_at(method, url, form, creds, extra, &nonce, &timestamp)
}

fn authorization_at(
    method: &str,
    url: &Url,
    form: &[(String, String)],
    creds: Credentials<'_>,
    extra: &[(&str, &str)],
    nonce: &str,
    timestamp: &str,
) -> String {
    let mut oauth: Vec<(String, String)> = vec![
        ("oauth_consumer_key".into(), creds.consumer_key.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), METHOD.into()),
        ("oauth_timestamp".into(), timestamp.into()),
        ("oauth_version".into(), "1.0".into()),
    ];
    if let Some(token) = creds.token {
        oauth.push(("oauth_token".into(), token.into()));
    }
    oauth.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let mut all = query_params(url);
    all.extend(form.iter().cloned());
    all.extend(oauth.iter().cloned());
    let signature = sign(&base_string(method, url, &all), creds.consumer_secret, creds.token_secret);
    oauth.push(("oauth_signature".into(), signature));
    let fields: Vec<String> = oauth.iter().map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v))).collect();
    format!("OAuth {}", fields.join(", "))
}

/// The protocol parameters of an `Authorization: OAuth …` header (§3.5.1), decoded;
/// `None` when the header is not one.
pub fn parse_authorization(value: &str) -> Option<Vec<(String, String)>> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("oauth") {
        return None;
    }
    let decode = |s: &str| percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned());
    rest.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let v = v.trim().strip_prefix('"')?.strip_suffix('"')?;
            Some((decode(k.trim())?, decode(v)?))
        })
        .collect()
}

/// True when `signature` is the one these secrets give for the request, compared in
/// constant time.
pub fn verify(base: &str, signature: &str, consumer_secret: &str, token_secret: &str) -> bool {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(base.as_bytes());
    let Ok(given) = B64.decode(signature) else { return false };
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_base_string_is_normalised_as_rfc_5849_section_3_4_1_shows() {
        // RFC 5849 §3.4.1.1 and §3.4.1.3.2: query, form body and protocol parameters,
        // each decoded, encoded again and sorted.
        let url = Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let mut params = query_params(&url);
        params.extend(url::form_urlencoded::parse(b"c2&a3=2+q").into_owned());
        params.extend(pairs(&[
            ("realm", "Example"),
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("oauth_signature", "bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"),
        ]));
        assert_eq!(
            base_string("post", &url, &params),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
    }

    #[test]
    fn a_signed_request_matches_the_published_twitter_example() {
        // The worked example of Twitter's "Creating a signature" documentation.
        let url = Url::parse("https://api.twitter.com/1.1/statuses/update.json?include_entities=true").unwrap();
        let form = pairs(&[("status", "Hello Ladies + Gentlemen, a signed OAuth request!")]);
        let creds = Credentials {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog",
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            token: Some("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        };
        let header = authorization_at(
            "POST",
            &url,
            &form,
            creds,
            &[],
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            "1318622958",
        );
        let params = parse_authorization(&header).unwrap();
        let signature = params.iter().find(|(k, _)| k == "oauth_signature").map(|(_, v)| v.as_str());
        assert_eq!(signature, Some("hCtSmYh+iHYCEqBWrE7C7hYmtUk="));
        assert!(header.contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""), "{header}");
    }

    #[test]
    fn a_signature_checks_out_only_with_both_secrets_and_the_same_request() {
        let url = Url::parse("https://api.example.com/1/cards?idList=L1&name=Call%20Ada").unwrap();
        let creds = Credentials { consumer_key: "key", consumer_secret: "cs", token: Some("tok"), token_secret: "ts" };
        let header = authorization("POST", &url, &[], creds, &[]);
        let mut params = parse_authorization(&header).unwrap();
        let signature = params.iter().find(|(k, _)| k == "oauth_signature").unwrap().1.clone();
        params.extend(query_params(&url));
        let base = base_string("POST", &url, &params);
        assert!(verify(&base, &signature, "cs", "ts"));
        assert!(!verify(&base, &signature, "wrong", "ts"), "another consumer secret");
        assert!(!verify(&base, &signature, "cs", "other"), "another token secret");
        let moved = Url::parse("https://api.example.com/1/cards?idList=L2&name=Call%20Ada").unwrap();
        let mut tampered = parse_authorization(&header).unwrap();
        tampered.extend(query_params(&moved));
        assert!(!verify(&base_string("POST", &moved, &tampered), &signature, "cs", "ts"), "a changed query");
        assert!(parse_authorization("Bearer abc").is_none());
    }
}
