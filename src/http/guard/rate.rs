//! Request rates per client address and per app key (GCRA, the `governor` crate), with a
//! 429 and `Retry-After`. The counters live in this server's memory: behind a balancer
//! with N servers a client gets up to N times the rate (docs/operations.md says so).
//! Failed sign-ins have their own limit in the database (`identity::throttle`).

use crate::config::{HttpSettings, RateLimitSettings};
use crate::digest::sha256_hex;
use crate::http::AppState;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

pub struct RateLimits {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_key: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Option<Self> {
        let quota = |per_sec: u32, burst: u32| {
            Quota::per_second(NonZeroU32::new(per_sec.max(1)).unwrap_or(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN))
        };
        settings.enabled.then(|| Self {
            by_address: DefaultKeyedRateLimiter::keyed(quota(settings.per_address_per_sec, settings.per_address_burst)),
            by_key: DefaultKeyedRateLimiter::keyed(quota(settings.per_key_per_sec, settings.per_key_burst)),
            clock: DefaultClock::default(),
        })
    }

    /// Seconds to wait, when over the limit. An app key is limited as a key (many
    /// backends may share an address); anything else by its address.
    fn over(&self, address: IpAddr, key: Option<String>) -> Option<u64> {
        let outcome = match key {
            Some(k) => self.by_key.check_key(&k),
            None => self.by_address.check_key(&address),
        };
        outcome.err().map(|not_until| not_until.wait_time_from(self.clock.now()).as_secs() + 1)
    }

    /// Forgets clients that have been quiet, so memory stays bounded.
    pub fn forget_quiet(&self) {
        self.by_address.retain_recent();
        self.by_key.retain_recent();
        self.by_address.shrink_to_fit();
        self.by_key.shrink_to_fit();
    }
}

/// The client's address: the connection's peer, or the last `X-Forwarded-For` entry when
/// a trusted proxy writes it.
pub fn client_address(headers: &HeaderMap, peer: Option<SocketAddr>, settings: &HttpSettings) -> IpAddr {
    let forwarded = settings
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse().ok())
        .flatten();
    forwarded.or(peer.map(|p| p.ip())).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub fn peer_of(req: &Request) -> Option<SocketAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// A 429 with `Retry-After` when the client is over its rate.
pub fn refuse(state: &AppState, req: &Request) -> Option<Response> {
    let limits = state.rate_limits.as_ref()?;
    let address = client_address(req.headers(), peer_of(req), &state.settings.http);
    let key = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| sha256_hex(k.trim()));
    let wait = limits.over(address, key)?;
    let message = format!("Too many requests. Try again in {wait} second(s).");
    let mut response = super::refusal(StatusCode::TOO_MANY_REQUESTS, "Slow down", &message);
    response.headers_mut().insert("retry-after", HeaderValue::from(wait));
    Some(response)
}

/// The client's address as an extractor, for limits kept elsewhere (failed sign-ins).
pub struct ClientAddress(pub IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(Self(client_address(&parts.headers, peer, &state.settings.http)))
    }
}
