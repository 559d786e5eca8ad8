"""The credential ``Signer`` port: the fake and ``KmsSigner`` on moto's KMS (an ``ECC_NIST_P256``
``SIGN_VERIFY`` key, as the stack creates) pass the same tests."""

from __future__ import annotations

import boto3
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from gamification.adapters.kms_signer import KmsSigner
from gamification.domain.credentials import jose_signature, public_jwk
from gamification.local.provision import Provisioned
from tests.fakes.signer import FakeSigner

Signer = FakeSigner | KmsSigner


@pytest.fixture(params=["fake", "kms"])
def signer(request: pytest.FixtureRequest) -> Signer:
    if request.param == "fake":
        return FakeSigner()
    aws: Provisioned = request.getfixturevalue("aws")
    return KmsSigner(boto3.client("kms"), aws.credential_key_id)


def _verify(signer: Signer, message: bytes, signature: bytes) -> None:
    key = serialization.load_der_public_key(signer.public_key())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_the_signature_is_der_ecdsa_sha256_under_the_published_p256_key(signer: Signer) -> None:
    message = b"header.payload"
    signature = signer.sign(message)
    _verify(signer, message, signature)
    raw = jose_signature(signature)
    assert len(raw) == 64
    # The JOSE form carries the same (r, s).
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    _verify(signer, message, der)
    assert public_jwk(signer.public_key())["crv"] == "P-256"


def test_a_signature_does_not_verify_another_message(signer: Signer) -> None:
    signature = signer.sign(b"header.payload")
    with pytest.raises(InvalidSignature):
        _verify(signer, b"header.payloaD", signature)


def test_the_public_key_is_stable(signer: Signer) -> None:
    assert signer.public_key() == signer.public_key()
