//! Timestamps are stored as UTC `NaiveDateTime` (the one type both backends share) and
//! serialised as RFC 3339 with `Z`, so clients never guess the zone.
//!
//! Use `#[serde(with = "service_kit::utc")]` on `NaiveDateTime` fields and
//! `#[serde(with = "service_kit::utc::option")]` on `Option<NaiveDateTime>` ones.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.and_utc().to_rfc3339_opts(SecondsFormat::Millis, true))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let s = String::deserialize(d)?;
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .map_err(serde::de::Error::custom)
}

pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc).naive_utc())
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct T {
        #[serde(with = "super")]
        at: chrono::NaiveDateTime,
        #[serde(with = "super::option")]
        maybe: Option<chrono::NaiveDateTime>,
    }

    #[test]
    fn utc_round_trip_with_z() {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 123_000_000)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        let t = T { at, maybe: None };
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(json, r#"{"at":"2025-11-24T16:00:00.123Z","maybe":null}"#);
        assert_eq!(serde_json::from_str::<T>(&json).ok(), Some(t));
    }
}
