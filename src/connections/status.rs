//! Connection statuses, with reasons a person understands.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Connected,
    /// The access token runs out soon and could not be refreshed yet.
    ExpiresSoon,
    /// Scopes a flow needs are missing, or the provider asks the person again.
    NeedsReauthorization,
    /// The provider refused the refresh token (`invalid_grant`, 401): access was withdrawn.
    Revoked,
    /// Disconnected on purpose: tokens deleted, the record kept so flows show what they need.
    Disconnected,
    /// A passing failure (5xx, timeout, 429); retried with backoff, not reported as revoked.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::ExpiresSoon => "expires_soon",
            Self::NeedsReauthorization => "needs_reauthorization",
            Self::Revoked => "revoked",
            Self::Disconnected => "disconnected",
            Self::Error => "error",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "connected" => Self::Connected,
            "expires_soon" => Self::ExpiresSoon,
            "needs_reauthorization" => Self::NeedsReauthorization,
            "revoked" => Self::Revoked,
            "disconnected" => Self::Disconnected,
            _ => Self::Error,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Connected => "Connected",
            Self::ExpiresSoon => "Expires soon",
            Self::NeedsReauthorization => "Needs reauthorization",
            Self::Revoked => "Revoked",
            Self::Disconnected => "Disconnected",
            Self::Error => "Error",
        }
    }

    /// Usable now: tokens present and accepted.
    pub fn is_healthy(self) -> bool {
        matches!(self, Self::Connected | Self::ExpiresSoon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_names() {
        for s in [
            Status::Connected,
            Status::ExpiresSoon,
            Status::NeedsReauthorization,
            Status::Revoked,
            Status::Disconnected,
            Status::Error,
        ] {
            assert_eq!(Status::parse(s.as_str()), s);
        }
    }
}
