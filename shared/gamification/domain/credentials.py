"""Open Badges 3.0 credentials: what an earned badge says about its holder, as a signed JWT.

Pure: the credential document, the JWS signing input, the conversion of the DER signature a KMS
ECDSA key returns into JOSE's fixed 64-byte ``r || s``, and the public key as a JWK. The
signature itself comes from a port (``services.credentials.Signer``), so the domain never holds
a private key (docs/credentials.md).

The credential names the holder by a salted SHA-256 of their user id (an Open Badges
``IdentityObject``), never by name, email or id: the holder proves it is theirs by revealing
their id; anyone else learns only that someone earned the badge.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
JWT_TYPE = "vc+jwt"
ALGORITHM = "ES256"
MAX_SIGNING_INPUT = 4096
"""KMS signs a RAW message of at most 4,096 bytes; a credential is ≈ 1.5 KB (names ≤ 80,
descriptions ≤ 280 characters, icon URL ≤ 2 KB bound it below this)."""

# SubjectPublicKeyInfo of a P-256 key, everything before the 65-byte uncompressed point:
# SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 0x04 || x || y } }.
_P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_COORDINATE = 32


class CredentialError(ValueError):
    """A signature or key that is not the ES256 shape (a misconfigured key, not user input)."""


@dataclass(frozen=True, slots=True)
class Issuer:
    """The issuer profile: ``id`` is the URL it is published at (``GET /v1/issuer``)."""

    id: str
    name: str

    @property
    def jwks_url(self) -> str:
        return f"{self.origin}/.well-known/jwks.json"

    @property
    def origin(self) -> str:
        """The API's base URL: the issuer id without its ``/v1/issuer`` path."""
        return self.id.removesuffix("/v1/issuer")

    def profile(self) -> dict[str, Any]:
        """The Open Badges 3.0 ``Profile`` a verifier finds at ``id``."""
        return {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.origin,
        }


@dataclass(frozen=True, slots=True)
class EarnedAchievement:
    """One badge (or a tiered badge's level) as earned: the credential's facts."""

    badge_id: str
    """The badge's id (a tiered badge's id, not ``id#n``)."""
    name: str
    """Shown name; a level's name is added in parentheses (``Reader (Silver)``)."""
    description: str
    icon: str
    criteria: str
    """A human-readable narrative of what was required."""
    earned_at: datetime


def subject_identity(user_id: str, salt: str) -> dict[str, Any]:
    """The holder as a salted hash of their user id (Open Badges ``IdentityObject``)."""
    digest = hashlib.sha256((user_id + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "identifier",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def credential(issuer: Issuer, user_id: str, earned: EarnedAchievement) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` for ``user_id`` holding ``earned``.

    Deterministic: the same holder, badge and earning time give the same document (its id is a
    UUIDv5 of them and the salt derives from it), so asking twice issues the same credential.
    """
    earned_at = _instant(earned.earned_at)
    credential_id = uuid.uuid5(
        uuid.NAMESPACE_URL, f"{issuer.id}|{user_id}|{earned.badge_id}|{earned_at}"
    )
    salt = hashlib.sha256(credential_id.bytes).hexdigest()[:16]
    achievement: dict[str, Any] = {
        "id": f"{issuer.origin}/v1/badges#{earned.badge_id}",
        "type": ["Achievement"],
        "name": earned.name,
        "description": earned.description,
        "criteria": {"narrative": earned.criteria},
        "image": {"id": earned.icon, "type": "Image"},
    }
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "validFrom": earned_at,
        "name": earned.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [subject_identity(user_id, salt)],
            "achievement": achievement,
        },
    }


def signing_input(document: Mapping[str, Any], key_id: str) -> bytes:
    """``base64url(header) . base64url(payload)``: what the key signs (VC-JOSE-COSE: the payload
    is the credential, with ``iss``, ``jti`` and ``nbf``/``iat`` from it for JWT libraries)."""
    header = {"alg": ALGORITHM, "typ": JWT_TYPE, "kid": key_id}
    valid_from = int(datetime.fromisoformat(str(document["validFrom"])).timestamp())
    payload = {
        **document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "nbf": valid_from,
        "iat": valid_from,
    }
    data = f"{_segment(header)}.{_segment(payload)}".encode()
    if len(data) > MAX_SIGNING_INPUT:
        raise CredentialError(f"signing input of {len(data)} bytes over {MAX_SIGNING_INPUT}")
    return data


def compact_jwt(signing: bytes, der_signature: bytes) -> str:
    """The compact JWS: the signing input and the JOSE form of the DER signature."""
    return f"{signing.decode()}.{b64url(jose_signature(der_signature))}"


def jose_signature(der: bytes) -> bytes:
    """A DER ``ECDSA-Sig-Value`` (SEQUENCE { INTEGER r, INTEGER s }) as JOSE's ``r || s``,
    each left-padded to 32 bytes (RFC 7518 §3.4)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise CredentialError("not a DER ECDSA signature")
    position = 2
    parts = []
    for _ in range(2):
        if der[position] != 0x02:
            raise CredentialError("not a DER ECDSA signature")
        length = der[position + 1]
        value = der[position + 2 : position + 2 + length]
        position += 2 + length
        value = value.lstrip(b"\x00")
        if len(value) > _COORDINATE:
            raise CredentialError("an ECDSA integer wider than P-256's")
        parts.append(value.rjust(_COORDINATE, b"\x00"))
    if position != len(der):
        raise CredentialError("trailing bytes after the DER signature")
    return parts[0] + parts[1]


def public_jwk(spki_der: bytes) -> dict[str, str]:
    """The JWK of a P-256 public key given as DER SubjectPublicKeyInfo (KMS ``GetPublicKey``),
    with its RFC 7638 thumbprint as ``kid``."""
    if len(spki_der) != len(_P256_SPKI_PREFIX) + 1 + 2 * _COORDINATE or not spki_der.startswith(
        _P256_SPKI_PREFIX + b"\x04"
    ):
        raise CredentialError("not an uncompressed P-256 public key")
    point = spki_der[len(_P256_SPKI_PREFIX) + 1 :]
    jwk = {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url(point[:_COORDINATE]),
        "y": b64url(point[_COORDINATE:]),
    }
    return {**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": ALGORITHM}


def thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    return b64url(hashlib.sha256(canonical).digest())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _instant(value: datetime) -> str:
    """UTC, to the second, with ``Z`` (the form VC ``validFrom`` examples use)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
