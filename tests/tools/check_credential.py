#!/usr/bin/env python3
"""Checks a certificate's credential with code that is not the project's (issue 12).

    check_credential.py JWKS_FILE CREDENTIAL_JWT_FILE STATUS_LIST_JWT_FILE valid|revoked

- both JWTs are verified with jwcrypto (Debian python3-jwcrypto) against the published JWKS
  (EdDSA over Ed25519, `typ` vc+jwt);
- the credential has what VC Data Model 2.0 and Open Badges 3.0 require of an
  OpenBadgeCredential;
- the status list is decoded with the standard library only (multibase `u` prefix, base64url,
  GZIP), is at least 16 KB, and the credential's bit is 0 (valid) or 1 (revoked).

Prints one JSON line with what it found; exits non-zero with the reason on any failure.
"""

import base64
import gzip
import json
import sys

from jwcrypto import jwk, jws


def fail(msg):
    print(json.dumps({"ok": False, "error": msg}, ensure_ascii=False))
    sys.exit(1)


def verified_payload(keys, token):
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    if header.get("alg") != "EdDSA" or header.get("typ") != "vc+jwt":
        fail(f"header {header}: want alg EdDSA, typ vc+jwt")
    key = keys.get_key(header.get("kid"))
    if key is None:
        fail(f"no key {header.get('kid')} in the JWKS")
    signed = jws.JWS()
    signed.deserialize(token)
    try:
        signed.verify(key, alg="EdDSA")
    except Exception as e:  # jwcrypto raises InvalidJWSSignature and others
        fail(f"signature does not verify: {e}")
    return json.loads(signed.payload)


def require(obj, path, keys):
    for k in keys:
        if k not in obj or obj[k] in (None, "", []):
            fail(f"{path}.{k} is required")


def types(v):
    return v if isinstance(v, list) else [v]


def main():
    jwks_file, vc_file, list_file, expect = sys.argv[1:5]
    keys = jwk.JWKSet.from_json(open(jwks_file).read())
    vc = verified_payload(keys, open(vc_file).read().strip())
    status = verified_payload(keys, open(list_file).read().strip())

    # VC Data Model 2.0 §4 and Open Badges 3.0 OpenBadgeCredential.
    require(vc, "credential", ["@context", "id", "type", "name", "issuer", "validFrom", "credentialSubject"])
    if vc["@context"][0] != "https://www.w3.org/ns/credentials/v2":
        fail("the first @context must be the VC 2.0 context")
    if not any("purl.imsglobal.org/spec/ob/v3p0/context" in c for c in vc["@context"] if isinstance(c, str)):
        fail("the Open Badges 3.0 context is missing")
    if not {"VerifiableCredential", "OpenBadgeCredential"} <= set(types(vc["type"])):
        fail(f"type {vc['type']}")
    require(vc["issuer"], "issuer", ["id", "type"])
    if "Profile" not in types(vc["issuer"]["type"]):
        fail("issuer.type must include Profile")
    subject = vc["credentialSubject"]
    require(subject, "credentialSubject", ["type", "achievement"])
    if "AchievementSubject" not in types(subject["type"]):
        fail("credentialSubject.type must include AchievementSubject")
    achievement = subject["achievement"]
    require(achievement, "achievement", ["id", "type", "name", "description", "criteria"])
    if "Achievement" not in types(achievement["type"]):
        fail("achievement.type must include Achievement")
    if "validUntil" in vc and not vc["validUntil"] > vc["validFrom"]:
        fail("validUntil is not after validFrom")

    # Bitstring Status List v1.0.
    entry = vc.get("credentialStatus") or fail("credentialStatus is missing")
    require(entry, "credentialStatus", ["type", "statusPurpose", "statusListIndex", "statusListCredential"])
    if entry["type"] != "BitstringStatusListEntry" or entry["statusPurpose"] != "revocation":
        fail(f"credentialStatus {entry}")
    if status.get("id") != entry["statusListCredential"]:
        fail(f"the status list is {status.get('id')}, the credential names {entry['statusListCredential']}")
    if "BitstringStatusListCredential" not in types(status.get("type")):
        fail("the status list's type must include BitstringStatusListCredential")
    encoded = status["credentialSubject"]["encodedList"]
    if not encoded.startswith("u"):
        fail("encodedList lacks the multibase base64url prefix u")
    b64 = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)))
    if len(bits) < 16 * 1024:
        fail(f"the bitstring is {len(bits)} bytes, under 16 KB")
    index = int(entry["statusListIndex"])
    bit = (bits[index // 8] >> (7 - index % 8)) & 1
    if bit != (1 if expect == "revoked" else 0):
        fail(f"bit {index} is {bit}, expected {expect}")

    print(json.dumps({"ok": True, "serial": vc["evidence"][0]["description"] if vc.get("evidence") else None,
                      "index": index, "bit": bit, "bytes": len(bits)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
