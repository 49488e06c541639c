//! Who receives a document by e-mail, and under which Message-ID.

use sha2::{Digest, Sha256};

/// A stable Message-ID for a document's delivery to one recipient: sent again (after a crash,
/// by hand), a message keeps it, so a receiving server can tell it is the same one.
pub fn message_id(serial: &str, recipient: &str) -> String {
    let h = Sha256::digest(recipient.trim().to_lowercase().as_bytes());
    format!("<{serial}.{}@jglm.documents>", hex::encode(&h[..8]))
}

/// The recipients of a document, trimmed, without blanks and duplicates, in order: one delivery each.
pub fn recipients(given: &[String]) -> Vec<String> {
    let mut out: Vec<String> = given
        .iter()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_per_document_and_recipient() {
        let a = message_id("JGLM-PS-2026-000001", "Zhang@Example.cn");
        assert_eq!(a, message_id("JGLM-PS-2026-000001", "zhang@example.cn "));
        assert_ne!(a, message_id("JGLM-PS-2026-000002", "zhang@example.cn"));
        assert!(a.starts_with("<JGLM-PS-2026-000001.") && a.ends_with("@jglm.documents>"));
    }

    #[test]
    fn each_recipient_once() {
        let given = ["b@x.cn ", "", "a@x.cn", "b@x.cn", "  "].map(String::from);
        assert_eq!(recipients(&given), ["a@x.cn", "b@x.cn"]);
    }
}
