"""The ``SecretSealer`` port: the fake (tests/fakes/webhooks.py) and ``KmsSealer`` on moto's KMS
pass the same tests: a sealed secret does not hold the plaintext, opens for its endpoint only."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from gamification.adapters.kms_sealer import KmsSealer
from gamification.local.provision import Provisioned
from gamification.services import webhooks
from tests.fakes.webhooks import FakeSealer

SECRET = "whsec_" + "ab" * 24
Sealer = FakeSealer | KmsSealer


@pytest.fixture(params=["fake", "kms"])
def sealer(request: pytest.FixtureRequest) -> Sealer:
    if request.param == "fake":
        return FakeSealer()
    aws: Provisioned = request.getfixturevalue("aws")
    return KmsSealer(boto3.client("kms"), aws.webhook_key_id)


def test_a_sealed_secret_opens_for_its_endpoint_and_holds_no_plaintext(sealer: Sealer) -> None:
    port: webhooks.SecretSealer = sealer
    sealed = port.seal(SECRET, "crm")

    assert SECRET not in sealed
    assert 32 <= len(sealed) <= 1024  # the model's bound
    assert port.open(sealed, "crm") == SECRET
    with pytest.raises((ValueError, ClientError)):  # KMS: InvalidCiphertextException
        port.open(sealed, "other")


class CountingKms:
    """Passes calls to moto's KMS, counting them (the cache is the point)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.decrypts = 0

    def encrypt(self, **kwargs: Any) -> Any:
        return self.client.encrypt(**kwargs)

    def decrypt(self, **kwargs: Any) -> Any:
        self.decrypts += 1
        return self.client.decrypt(**kwargs)


def test_the_sender_decrypts_each_secret_once_per_container(aws: Provisioned) -> None:
    kms = CountingKms(boto3.client("kms"))
    sealer = KmsSealer(kms, aws.webhook_key_id)
    sealed = sealer.seal(SECRET, "crm")

    opened = {sealer.open(sealed, "crm") for _ in range(100)}

    assert opened == {SECRET}
    assert kms.decrypts == 1


def test_a_secret_stored_before_sealing_still_opens(aws: Provisioned) -> None:
    """Endpoints created before secrets were sealed keep working until their next rotation."""
    sealer = KmsSealer(boto3.client("kms"), aws.webhook_key_id)
    assert sealer.open(SECRET, "crm") == SECRET
    with pytest.raises(ValueError, match="not a KMS-sealed secret"):
        sealer.open("x" * 40, "crm")
