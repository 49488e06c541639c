//! Where a certificate's revocation is published (W3C Bitstring Status List v1.0): one list of
//! [`LIST_BITS`] bits per kind and year (and further pages past that many certificates), the
//! certificate's bit at its sequence number. A set bit means the certificate no longer stands
//! (revoked, or superseded by a new one). Placing the bit by serial means it is known before the
//! PDF is rendered (the credential embedded in it names its bit) and needs no counter of its own.

use std::io::Write as _;

use base64::Engine;
use flate2::Compression;
use flate2::write::GzEncoder;

use super::kinds::DocumentKind;
use super::serials::kind_code;

/// Bits in one list: 16 KiB, the minimum the specification sets, so that a list does not tell
/// how few certificates it holds (group privacy).
pub const LIST_BITS: u32 = 131_072;

/// One status list: certificates of `kind` issued in `year`, sequence numbers
/// `page * LIST_BITS + 1 ..= (page + 1) * LIST_BITS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListId {
    pub kind: DocumentKind,
    pub year: i32,
    pub page: u32,
}

/// The kinds issued as verifiable credentials (and so with a status bit).
pub fn has_credential(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::AppointmentCertificate | DocumentKind::CommendationCertificate
    )
}

impl ListId {
    /// The list and the bit of certificate number `seq` (from 1) of `kind` in `year`.
    pub fn of(kind: DocumentKind, year: i32, seq: i32) -> (Self, u32) {
        let n = u32::try_from(seq.max(1) - 1).unwrap_or(0);
        (
            Self {
                kind,
                year,
                page: n / LIST_BITS,
            },
            n % LIST_BITS,
        )
    }

    /// The path segment naming the list, e.g. `PS-2026-0`.
    pub fn name(&self) -> String {
        format!("{}-{}-{}", kind_code(self.kind), self.year, self.page)
    }

    /// Reads [`ListId::name`] back; `None` for anything else (only credential kinds have lists).
    pub fn parse(name: &str) -> Option<Self> {
        let mut parts = name.splitn(3, '-');
        let (code, year, page) = (parts.next()?, parts.next()?, parts.next()?);
        let kind = DocumentKind::ALL
            .iter()
            .copied()
            .find(|k| has_credential(*k) && kind_code(*k) == code)?;
        let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year) || year.len() != 4 || !digits(page) {
            return None;
        }
        Some(Self {
            kind,
            year: year.parse().ok()?,
            page: page.parse().ok()?,
        })
    }

    /// The sequence numbers the list covers.
    pub fn seqs(&self) -> (i32, i32) {
        let first = i64::from(self.page) * i64::from(LIST_BITS) + 1;
        let last = first + i64::from(LIST_BITS) - 1;
        let clamp = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        (clamp(first), clamp(last))
    }
}

/// The list's `encodedList`: the bitstring with `set` bits on (index 0 is the first byte's most
/// significant bit), GZIP-compressed, base64url without padding, with the multibase prefix `u`.
pub fn encoded_list(set: impl IntoIterator<Item = u32>) -> String {
    let mut bits = vec![0u8; (LIST_BITS / 8) as usize];
    for i in set.into_iter().filter(|i| *i < LIST_BITS) {
        bits[(i / 8) as usize] |= 0x80 >> (i % 8);
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(&bits);
    let compressed = gz.finish().unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn decode(encoded: &str) -> Vec<u8> {
        let b64 = encoded.strip_prefix('u').expect("the multibase prefix u");
        let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .expect("base64url");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .expect("gzip");
        out
    }

    #[test]
    fn bits_are_counted_from_the_first_bytes_high_bit() {
        let bits = decode(&encoded_list([0, 9, LIST_BITS - 1, LIST_BITS + 5]));
        assert_eq!(bits.len(), 16 * 1024);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[bits.len() - 1], 0b0000_0001);
        assert_eq!(
            bits.iter().map(|b| b.count_ones()).sum::<u32>(),
            3,
            "out of range is ignored"
        );
    }

    #[test]
    fn a_certificate_has_one_bit_in_its_kind_and_years_list() {
        let (list, bit) = ListId::of(DocumentKind::AppointmentCertificate, 2026, 1);
        assert_eq!((list.name(), bit), ("PS-2026-0".to_owned(), 0));
        let (list, bit) = ListId::of(DocumentKind::CommendationCertificate, 2027, LIST_BITS as i32 + 3);
        assert_eq!((list.name(), bit), ("RY-2027-1".to_owned(), 2));
        assert_eq!(list.seqs(), (LIST_BITS as i32 + 1, 2 * LIST_BITS as i32));
        assert_eq!(ListId::parse("RY-2027-1"), Some(list));
        for bad in ["JP-2026-0", "PS-26-0", "PS-2026-", "PS-2026-x", "PS-2026-0-1", "", "PS"] {
            assert_eq!(ListId::parse(bad), None, "{bad}");
        }
    }
}
