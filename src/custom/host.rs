//! The host a custom API's calls go to, fixed at import. The same rules as the proxy's
//! (`actions::target`): https, no credentials in the URL, and nothing that could reach
//! patchbay's own machine or network — no loopback, private, link-local (cloud metadata)
//! or other special address, by literal or by what the name resolves to. Plain http on
//! this machine only when `actions.allow_local_custom_apis` says so (tests, development).

use crate::oauth::http::ProviderHttp;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;
use std::time::Duration;
use url::{Host, Url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("'{0}' is not a web address: give the API's full address, like https://api.example.com/v1.")]
    NotUrl(String),
    #[error("The API's address must start with https://.")]
    NotHttps,
    #[error("The API's address cannot hold a user name, password, query or fragment.")]
    Extras,
    #[error("{0} is not a public address: patchbay calls custom APIs on the internet only.")]
    Internal(String),
    #[error("patchbay cannot find the host {0}: check the API's address.")]
    Unknown(String),
}

/// The base URL, checked (without a trailing slash).
pub async fn check(raw: &str, allow_local: bool) -> Result<String, HostError> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|_| HostError::NotUrl(raw.chars().take(100).collect()))?;
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(HostError::Extras);
    }
    if !matches!(url.scheme(), "https" | "http") {
        return Err(HostError::NotHttps);
    }
    let host = url.host().ok_or_else(|| HostError::NotUrl(raw.chars().take(100).collect()))?.to_owned();
    let name = url.host_str().unwrap_or_default().to_owned();
    let local = match &host {
        Host::Ipv4(ip) => check_ip(IpAddr::V4(*ip), allow_local, &name)?,
        Host::Ipv6(ip) => check_ip(IpAddr::V6(*ip), allow_local, &name)?,
        Host::Domain(d) => check_domain(d, url.port_or_known_default().unwrap_or(443), allow_local).await?,
    };
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err(HostError::NotHttps),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// True when the address is this machine and that is allowed; an error when it is not
/// public.
fn check_ip(ip: IpAddr, allow_local: bool, shown: &str) -> Result<bool, HostError> {
    if ip.is_loopback() && allow_local {
        return Ok(true);
    }
    if is_public(ip) { Ok(false) } else { Err(HostError::Internal(shown.to_owned())) }
}

async fn check_domain(domain: &str, port: u16, allow_local: bool) -> Result<bool, HostError> {
    let d = domain.trim_end_matches('.').to_lowercase();
    if d == "localhost" || d.ends_with(".localhost") {
        return if allow_local { Ok(true) } else { Err(HostError::Internal(d)) };
    }
    let special = [".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp"];
    if !d.contains('.') || special.iter().any(|s| d.ends_with(s)) {
        return Err(HostError::Internal(d));
    }
    let target = (d.clone(), port);
    let lookup = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host(target)).await;
    let addrs: Vec<IpAddr> = match lookup {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        _ => return Err(HostError::Unknown(d)),
    };
    if addrs.is_empty() {
        return Err(HostError::Unknown(d));
    }
    if let Some(bad) = addrs.iter().find(|ip| !is_public(**ip)) {
        tracing::info!(host = %d, address = %bad, "a custom API's host resolves to an internal address");
        return Err(HostError::Internal(d));
    }
    Ok(false)
}

/// Name lookups for custom API calls: only public addresses (and loopback when allowed)
/// are answered, so a host checked at import cannot later resolve to patchbay's own
/// network (DNS rebinding). Addresses written as such were checked at import.
struct PublicOnly {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let usable: Vec<std::net::SocketAddr> =
                found.filter(|a| is_public(a.ip()) || (allow_loopback && a.ip().is_loopback())).collect();
            if usable.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to no public address").into();
                return Err(refused);
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client custom API calls go through (one per process and setting: it holds no
/// state a second server would need). `None` only if the client cannot be built, which
/// the same TLS setup would already have failed at start.
pub fn http(allow_loopback: bool) -> Option<&'static ProviderHttp> {
    static STRICT: OnceLock<ProviderHttp> = OnceLock::new();
    static LOCAL: OnceLock<ProviderHttp> = OnceLock::new();
    let cell = if allow_loopback { &LOCAL } else { &STRICT };
    if let Some(http) = cell.get() {
        return Some(http);
    }
    let built = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .dns_resolver(PublicOnly { allow_loopback })
        .user_agent(concat!("patchbay/", env!("CARGO_PKG_VERSION")))
        .build();
    match built {
        Ok(client) => Some(cell.get_or_init(|| ProviderHttp::from_client(client))),
        Err(e) => {
            tracing::error!(error = %e, "could not build the HTTP client for custom APIs");
            None
        }
    }
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// benchmarking, documentation, multicast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240;
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let special = ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b;
    !special
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;
    use std::str::FromStr;

    #[tokio::test]
    async fn a_name_that_resolves_to_this_machine_is_not_answered_for_custom_api_calls() {
        let strict = PublicOnly { allow_loopback: false };
        assert!(strict.resolve(reqwest::dns::Name::from_str("localhost").unwrap()).await.is_err());
        let local = PublicOnly { allow_loopback: true };
        assert!(local.resolve(reqwest::dns::Name::from_str("localhost").unwrap()).await.is_ok());
    }

    #[tokio::test]
    async fn internal_addresses_are_refused_whatever_their_spelling() {
        for bad in [
            "http://169.254.169.254/latest",
            "https://169.254.169.254/",
            "https://10.0.0.5/api",
            "https://192.168.1.1",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[fd00::1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://localhost/",
            "https://printer.local/",
            "https://intranet/",
        ] {
            assert!(check(bad, false).await.is_err(), "{bad} was allowed");
        }
        assert_eq!(check("http://127.0.0.1:8080/v1/", true).await.unwrap(), "http://127.0.0.1:8080/v1");
        assert!(check("http://127.0.0.1:8080/", false).await.is_err(), "loopback only when allowed");
        assert!(check("http://10.0.0.5/", true).await.is_err(), "private networks stay refused");
        assert_eq!(check("https://user:pw@93.184.215.14/", false).await, Err(HostError::Extras));
        assert_eq!(check("http://93.184.215.14/", false).await, Err(HostError::NotHttps));
        assert!(check("https://93.184.215.14/v1", false).await.is_ok());
        assert!(matches!(check("/api/v3", false).await, Err(HostError::NotUrl(_))));
    }
}
