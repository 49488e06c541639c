//! What parsing at the edge needs from outside the rules ([`ParseContext`]): today's date in
//! the alliance's time zone, and the address syntax of the mailer documents-service sends with.

use std::str::FromStr;

use crate::clock;
use crate::domain::values::ParseContext;

/// Whether lettre (documents-service's mailer) accepts `address`: an address stored here can
/// always be sent to.
pub fn sendable(address: &str) -> bool {
    lettre::Address::from_str(address).is_ok()
}

/// The context for parsing a request now.
pub fn context() -> ParseContext {
    ParseContext {
        today: clock::today(),
        sendable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lettre_refuses_are_not_sendable() {
        assert!(sendable("zhang.wei@school.edu.cn"));
        for bad in ["a@b@c.cn", "\"x\"@", "a b@c.cn", "", "a"] {
            assert!(!sendable(bad), "{bad}");
        }
    }
}
