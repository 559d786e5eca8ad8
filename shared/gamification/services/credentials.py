"""Verifiable badges: an earned badge as a signed Open Badges 3.0 credential, and the issuer's
public key to verify it (docs/credentials.md).

Issued to the holder only: the caller asks for their own badge; anyone they hand the JWT to
verifies it offline against the published JWKS. The private key never leaves its signer (a KMS
key on AWS and on the local stack's moto).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from gamification.domain.badges import BadgeDefinition
from gamification.domain.credentials import (
    EarnedAchievement,
    Issuer,
    compact_jwt,
    credential,
    public_jwk,
    signing_input,
)
from gamification.domain.game_rules import GameRules
from gamification.domain.profile_records import StoredUser


class PublicKey(Protocol):
    def public_key(self) -> bytes:
        """The public key as DER SubjectPublicKeyInfo."""
        ...


class Signer(PublicKey, Protocol):
    """An ECDSA P-256 key (adapters: ``KmsSigner``; fake: ``tests/fakes/signer.py``)."""

    def sign(self, message: bytes) -> bytes:
        """ECDSA-SHA-256 over ``message``: a DER ``ECDSA-Sig-Value``."""
        ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...


class NoCredentialError(Exception):
    """No credential for this caller: not their badge, not earned, erased, or retired."""


class IssuerKeys:
    """The issuer's public keys: all the public routes need (no table, no signing)."""

    def __init__(self, signer: PublicKey, previous: Sequence[PublicKey] = ()) -> None:
        self._signer = signer
        self._previous = tuple(previous)

    def key_id(self) -> str:
        return str(public_jwk(self._signer.public_key())["kid"])

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set verifiers fetch (``/.well-known/jwks.json``): the signing key
        first, then the keys that signed before a rotation, so credentials they signed still
        verify (a key dropped from here revokes every credential it signed)."""
        keys: list[dict[str, Any]] = []
        for key in (self._signer, *self._previous):
            jwk = public_jwk(key.public_key())
            if all(held["kid"] != jwk["kid"] for held in keys):
                keys.append(jwk)
        return {"keys": keys}


class CredentialService:
    def __init__(self, users: Profiles, rules: Callable[[], GameRules], signer: Signer) -> None:
        self._users = users
        self._rules = rules
        self._signer = signer
        self._keys = IssuerKeys(signer)

    def issue(self, caller_id: str, user_id: str, badge_id: str, issuer: Issuer) -> str:
        """The credential JWT (``vc+jwt``, ES256) of ``badge_id`` as ``user_id`` holds it.

        A tiered badge is issued at the highest level held, valid from when that level was
        earned. Someone else's badge is a 404 like an unearned one, so nobody learns through
        this route what another user holds (their badge list is public; a credential is not).
        """
        if caller_id != user_id:
            raise NoCredentialError(badge_id)
        stored = self._users.load(user_id, consistent=False)
        if not stored.exists or stored.tombstone:
            raise NoCredentialError(badge_id)
        badge = self._rules().badges.get(badge_id)
        if badge is None:  # never defined, or retired: nothing left to describe it with
            raise NoCredentialError(badge_id)
        held = badge.level_held(stored.state.badges)
        if held == 0:
            raise NoCredentialError(badge_id)
        earned = _achievement(badge, held, stored)
        signing = signing_input(credential(issuer, user_id, earned), self._keys.key_id())
        return compact_jwt(signing, self._signer.sign(signing))


def _achievement(badge: BadgeDefinition, held: int, stored: StoredUser) -> EarnedAchievement:
    shown = badge.at_level(held)
    target = badge.levels[held - 1].target if badge.levels else None
    narrative = badge.criteria.model_dump_json(exclude_none=True)
    if target is not None:
        narrative = f"{narrative}, level {held} of {len(badge.levels or ())}: target {target}"
    return EarnedAchievement(
        badge_id=badge.id,
        name=shown.name,
        description=badge.description,
        icon=badge.icon,
        criteria=f"Met the criterion {narrative}",
        earned_at=stored.state.badges[shown.id],
    )
