//! A certificate as a machine-verifiable credential (issue 12): a W3C Verifiable Credential 2.0 in
//! the shape of an Open Badges 3.0 `OpenBadgeCredential` (1EdTech), its `credentialStatus` a
//! bit in a Bitstring Status List. This module builds the JSON only; signing it (VC-JOSE, EdDSA)
//! is the app's.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Value, json};

use super::kinds::DocumentKind;

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The media type of a credential secured as a JWT (VC-JOSE-COSE).
pub const VC_JWT_MEDIA_TYPE: &str = "application/vc+jwt";

/// What a certificate's credential says of it, from the document being issued.
#[derive(Debug, Clone)]
pub struct Certificate<'a> {
    /// The credential's id: the certificate's public verification URL.
    pub id: &'a str,
    pub kind: DocumentKind,
    pub serial: &'a str,
    pub person_name: &'a str,
    /// The post (副理事长), the body (理事会), the term (第一届); empty for a 荣誉证书.
    pub post: &'a str,
    pub body: &'a str,
    pub term: &'a str,
    /// A 荣誉证书's title and citation.
    pub honor: Option<(&'a str, &'a str)>,
    /// When it was issued (UTC).
    pub issued_at: NaiveDateTime,
    /// The last day it holds (the term's end), in the alliance's time zone.
    pub valid_until: Option<NaiveDate>,
}

/// Who issues it and where its status is published.
#[derive(Debug, Clone)]
pub struct Issuing<'a> {
    /// The issuer profile's URL and name.
    pub issuer_id: &'a str,
    pub issuer_name: &'a str,
    /// The alliance's offset from UTC in hours (the zone `valid_until` is counted in).
    pub utc_offset_hours: i64,
    /// Its status list credential's URL and its bit there.
    pub status_list_url: &'a str,
    pub status_index: u32,
}

fn utc(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The end of `day` in a zone `offset` hours from UTC, in UTC.
fn end_of_day(day: NaiveDate, offset: i64) -> String {
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    utc(local - chrono::Duration::hours(offset))
}

/// The unsigned credential.
pub fn credential(f: &Certificate, by: &Issuing) -> Value {
    let appointment = f.kind == DocumentKind::AppointmentCertificate;
    let (achievement_name, description, criteria, achievement_type) = if appointment {
        (
            format!("{}{}", f.body, f.post),
            format!("{}：{}{}{}", by.issuer_name, f.body, f.term, f.post),
            format!("经{}按章程产生并聘任（{}）。", by.issuer_name, f.term),
            "Membership",
        )
    } else {
        let (title, citation) = f.honor.unwrap_or(("荣誉证书", ""));
        (
            title.to_owned(),
            if citation.is_empty() {
                format!("{}授予的荣誉称号", by.issuer_name)
            } else {
                citation.to_owned()
            },
            format!("经{}按章程评选表彰。", by.issuer_name),
            "Award",
        )
    };
    let mut subject = json!({
        "type": ["AchievementSubject"],
        // No person identifier of any register is published: the name, as printed.
        "identifier": [{
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": false,
            "identityHash": f.person_name,
        }],
        "achievement": {
            "id": format!("{}#achievement-{}", by.issuer_id, f.serial),
            "type": ["Achievement"],
            "achievementType": achievement_type,
            "name": achievement_name,
            "description": description,
            "criteria": {"narrative": criteria},
            "creator": {"id": by.issuer_id, "type": ["Profile"], "name": by.issuer_name},
        },
    });
    if appointment && let Value::Object(m) = &mut subject {
        m.insert("role".into(), json!(f.post));
        m.insert("term".into(), json!(f.term));
    }
    let mut vc = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{}（{}）", f.kind.label_zh(), f.serial),
        "issuer": {"id": by.issuer_id, "type": ["Profile"], "name": by.issuer_name},
        "validFrom": utc(f.issued_at),
        "credentialSubject": subject,
        "evidence": [{
            "type": ["Evidence"],
            "name": format!("{}编号", f.kind.label_zh()),
            "description": f.serial,
        }],
        "credentialStatus": {
            "id": format!("{}#{}", by.status_list_url, by.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": by.status_index.to_string(),
            "statusListCredential": by.status_list_url,
        },
    });
    if let (Some(until), Value::Object(m)) = (f.valid_until, &mut vc) {
        m.insert("validUntil".into(), json!(end_of_day(until, by.utc_offset_hours)));
    }
    vc
}

/// The status list credential (unsigned) with `encoded_list` as its bitstring.
pub fn status_list_credential(
    url: &str,
    issuer_id: &str,
    issuer_name: &str,
    at: NaiveDateTime,
    encoded_list: &str,
) -> Value {
    json!({
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id, "name": issuer_name},
        "validFrom": utc(at),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BY: Issuing<'static> = Issuing {
        issuer_id: "https://jglm.example.cn/api/v1/documents/issuer",
        issuer_name: "机械行业技工院校高水平专业建设联盟",
        utc_offset_hours: 8,
        status_list_url: "https://jglm.example.cn/api/v1/documents/status-lists/PS-2026-0",
        status_index: 6,
    };

    fn facts() -> Certificate<'static> {
        Certificate {
            id: "https://jglm.example.cn/v/abc",
            kind: DocumentKind::AppointmentCertificate,
            serial: "JGLM-PS-2026-000007",
            person_name: "欧阳堃",
            post: "副理事长",
            body: "理事会",
            term: "第一届",
            honor: None,
            issued_at: NaiveDate::from_ymd_opt(2026, 3, 1)
                .and_then(|d| d.and_hms_opt(2, 0, 0))
                .unwrap_or_default(),
            valid_until: NaiveDate::from_ymd_opt(2029, 12, 31),
        }
    }

    /// The properties VC 2.0 and Open Badges 3.0 require of an OpenBadgeCredential.
    #[test]
    fn an_appointment_certificate_has_every_required_property() {
        let vc = credential(&facts(), &BY);
        assert_eq!(vc["@context"][0], VC_CONTEXT);
        assert_eq!(vc["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
        for key in [
            "id",
            "name",
            "validFrom",
            "validUntil",
            "issuer",
            "credentialSubject",
            "credentialStatus",
        ] {
            assert!(!vc[key].is_null(), "{key} missing");
        }
        assert_eq!(vc["issuer"]["type"], json!(["Profile"]));
        let a = &vc["credentialSubject"]["achievement"];
        for key in ["id", "type", "name", "description", "criteria"] {
            assert!(!a[key].is_null(), "achievement.{key} missing");
        }
        assert_eq!(a["name"], "理事会副理事长");
        assert_eq!(vc["validFrom"], "2026-03-01T02:00:00Z");
        // The term's last day ends at 24:00 in China, 16:00 UTC.
        assert_eq!(vc["validUntil"], "2029-12-31T15:59:59Z");
        assert_eq!(vc["credentialStatus"]["statusListIndex"], "6");
        assert_eq!(vc["evidence"][0]["description"], "JGLM-PS-2026-000007");
    }

    #[test]
    fn a_commendation_is_an_award_without_an_end() {
        let mut f = facts();
        f.kind = DocumentKind::CommendationCertificate;
        f.honor = Some(("先进成员", "在专业建设中成绩突出"));
        f.valid_until = None;
        let vc = credential(&f, &BY);
        assert!(vc.get("validUntil").is_none());
        let a = &vc["credentialSubject"]["achievement"];
        assert_eq!(
            (a["achievementType"].as_str(), a["name"].as_str()),
            (Some("Award"), Some("先进成员"))
        );
        assert!(vc["credentialSubject"].get("role").is_none());
    }
}
