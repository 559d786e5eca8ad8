"""Verifiable badges through the API (docs/credentials.md): an earned badge's Open Badges 3.0
credential, signed by the stack's KMS key (moto), verifies against the published JWKS with an
independent JOSE library (joserfc) and with ``cryptography``; a tampered token does not."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.api import seed
from tests.api.support import Api, admin, user

EARNED = datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _credential(api: Api, user_id: str, badge_id: str) -> str:
    reply = api.get(f"/v1/users/{user_id}/badges/{badge_id}/credential", as_=user(user_id))
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"] == "application/vc+jwt"
    return reply.text


def _jwks(api: Api) -> dict[str, Any]:
    reply = api.get("/.well-known/jwks.json")
    assert reply.status == 200, reply.text
    return dict(reply.json)


def _key_set(keys: dict[str, Any]) -> KeySet:
    return KeySet.import_key_set(keys)  # type: ignore[arg-type]


def _verify_with_cryptography(token: str, jwk: dict[str, str]) -> None:
    header, payload, signature = token.split(".")
    raw = _b64(signature)
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64(jwk["x"])), int.from_bytes(_b64(jwk["y"])), ec.SECP256R1()
    )
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    numbers.public_key().verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))


def test_an_earned_badge_is_a_credential_that_verifies_against_the_published_keys(
    api: Api,
) -> None:
    seed.profile("alice", 30, badges={"first-read": EARNED})
    token = _credential(api, "alice", "first-read")
    keys = _jwks(api)

    verified = jws.deserialize_compact(token, _key_set(keys), algorithms=["ES256"])
    header = verified.protected
    document = json.loads(verified.payload)
    [jwk] = keys["keys"]
    _verify_with_cryptography(token, jwk)

    assert header == {"alg": "ES256", "typ": "vc+jwt", "kid": jwk["kid"]}
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["validFrom"] == "2026-11-20T09:30:15Z"
    assert document["nbf"] == int(EARNED.timestamp())
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == "First Steps"
    assert achievement["id"].endswith("/v1/badges#first-read")
    issuer = api.get("/v1/issuer").json
    assert document["issuer"]["id"] == issuer["id"] == document["iss"]
    assert issuer["type"] == ["Profile"]
    # No personal data: the holder is a salted hash, their id appears nowhere in the token.
    assert "alice" not in json.dumps(document)
    [identity] = document["credentialSubject"]["identifier"]
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")


def test_a_tampered_credential_fails_verification(api: Api) -> None:
    seed.profile("alice", 30, badges={"first-read": EARNED})
    token = _credential(api, "alice", "first-read")
    header, payload, signature = token.split(".")
    claims = json.loads(_b64(payload))
    claims["validFrom"] = "2020-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged}.{signature}"
    keys = _jwks(api)

    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(tampered, _key_set(keys), algorithms=["ES256"])
    with pytest.raises(InvalidSignature):
        _verify_with_cryptography(tampered, keys["keys"][0])


def test_a_tiered_badge_is_issued_at_the_highest_level_held(api: Api) -> None:
    body = {
        "name": "Reader",
        "description": "Read posts.",
        "icon": "icons/reader.svg",
        "criteria": {"type": "posts_read", "count": 2},
        "levels": [{"name": "Bronze", "target": 2}, {"name": "Silver", "target": 5}],
    }
    assert api.put("/v1/admin/badges/reader", as_=admin(), body=body).status == 201
    seed.profile(
        "alice", 30, badges={"reader": EARNED, "reader#2": datetime(2026, 11, 22, tzinfo=UTC)}
    )

    document = json.loads(_b64(_credential(api, "alice", "reader").split(".")[1]))

    assert document["credentialSubject"]["achievement"]["name"] == "Reader (Silver)"
    assert document["validFrom"] == "2026-11-22T00:00:00Z"


@pytest.mark.parametrize(
    ("owner", "caller", "badge"),
    [
        ("alice", "alice", "bookworm"),  # not earned
        ("alice", "alice", "no-such-badge"),
        ("alice", "bob", "first-read"),  # someone else's
        ("nobody", "nobody", "first-read"),  # never played
    ],
)
def test_no_credential_but_for_ones_own_earned_badge(
    api: Api, owner: str, caller: str, badge: str
) -> None:
    seed.profile("alice", 30, badges={"first-read": EARNED})

    reply = api.get(f"/v1/users/{owner}/badges/{badge}/credential", as_=user(caller))

    assert reply.status == 404, reply.text
    assert reply.error["code"] == "credential_not_found"


def test_the_credential_route_needs_a_signed_in_user(api: Api) -> None:
    reply = api.get("/v1/users/alice/badges/first-read/credential")

    assert reply.status == 401, reply.text
