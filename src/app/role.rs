//! Who may do what in an app. Owners and editors build (chat, connect, manage
//! connections); app users use what was built and never connect or see tokens.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Editor,
    AppUser,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::AppUser => "app_user",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(Self::Owner),
            "editor" => Some(Self::Editor),
            "app_user" => Some(Self::AppUser),
            _ => None,
        }
    }

    /// Chat with the builder, connect tools, manage connections and flows.
    pub fn can_build(self) -> bool {
        matches!(self, Self::Owner | Self::Editor)
    }

    /// Owner > editor > app user: an invitation never lowers a member's role.
    pub fn outranks(self, other: Role) -> bool {
        self.rank() > other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Self::Owner => 2,
            Self::Editor => 1,
            Self::AppUser => 0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Editor => "Editor",
            Self::AppUser => "App user",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_and_editors_build() {
        assert!(Role::Owner.can_build());
        assert!(Role::Editor.can_build());
        assert!(!Role::AppUser.can_build());
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in [Role::Owner, Role::Editor, Role::AppUser] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
