"""Key rotation for badge credentials (docs/credentials.md, "Key rotation"): the JWKS carries
the keys that signed before a rotation, so their credentials still verify; a key dropped from
it revokes every credential it signed. Verified with joserfc, an independent JOSE library."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gamification.config import Settings
from gamification.domain.credentials import (
    EarnedAchievement,
    Issuer,
    compact_jwt,
    credential,
    public_jwk,
    signing_input,
)
from gamification.services.credentials import IssuerKeys
from tests.fakes.signer import FakeSigner

ISSUER = Issuer(id="https://api.example.com/v1/issuer", name="Gamify")
EARNED = EarnedAchievement(
    badge_id="first-read",
    name="First Steps",
    description="Read a post.",
    icon="icons/first.svg",
    criteria="Met the criterion posts_read 1",
    earned_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
)


def _issued_by(signer: FakeSigner) -> str:
    """A credential as ``CredentialService.issue`` signs it: ``kid`` names the signing key."""
    kid = str(public_jwk(signer.public_key())["kid"])
    signing = signing_input(credential(ISSUER, "alice", EARNED), kid)
    return compact_jwt(signing, signer.sign(signing))


def _verifies(token: str, keys: IssuerKeys) -> bool:
    key_set = KeySet.import_key_set(keys.jwks())  # type: ignore[arg-type]
    try:
        jws.deserialize_compact(token, key_set, algorithms=["ES256"])
    except JoseError:  # a bad signature, or no published key of its kid
        return False
    return True


def test_a_credential_signed_before_a_rotation_still_verifies_against_the_jwks() -> None:
    old, new = FakeSigner(), FakeSigner()
    before = _issued_by(old)

    rotated = IssuerKeys(new, previous=[old])
    after = _issued_by(new)

    assert [k["kid"] for k in rotated.jwks()["keys"]] == [
        public_jwk(new.public_key())["kid"],
        public_jwk(old.public_key())["kid"],
    ]  # the signing key first
    assert rotated.key_id() == public_jwk(new.public_key())["kid"]
    assert _verifies(before, rotated)
    assert _verifies(after, rotated)


def test_a_key_dropped_from_the_jwks_revokes_every_credential_it_signed() -> None:
    old, new = FakeSigner(), FakeSigner()
    before = _issued_by(old)

    assert _verifies(before, IssuerKeys(old))
    assert not _verifies(before, IssuerKeys(new))


def test_a_previous_key_listed_twice_or_equal_to_the_signing_key_is_published_once() -> None:
    key, old = FakeSigner(), FakeSigner()

    keys = IssuerKeys(key, previous=[old, key, old]).jwks()["keys"]

    assert len(keys) == 2


@pytest.mark.parametrize(
    ("raw", "ids"),
    [("", ()), ("arn:a", ("arn:a",)), ("arn:a,arn:b,", ("arn:a", "arn:b"))],
)
def test_the_previous_keys_come_from_a_comma_separated_variable(
    raw: str, ids: tuple[str, ...]
) -> None:
    settings = Settings.from_env({"CREDENTIAL_PREVIOUS_KEY_IDS": raw})

    assert settings.credential_previous_key_ids == ids
