"""A credential key rotation in the stack (docs/credentials.md, "Key rotation"): a new key
signs, and the meta function keeps publishing the previous one (``kms:GetPublicKey`` only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.conftest import Synthesis, _synthesize
from tests.infra.test_iam import granted
from tests.infra.test_resources import _function

OLD_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    context: dict[str, object] = {
        "credential_key_generation": "2",
        "credential_previous_key_arns": OLD_KEY,
    }
    outdir: Path = tmp_path_factory.mktemp("cdk-rotated")
    return _synthesize(context, outdir, nag_checks=False)


def test_a_rotation_makes_a_new_signing_key_and_only_publishes_the_old_one(
    rotated: Synthesis, default_synth: Synthesis
) -> None:
    new_key = rotated.stack.credential_key.key
    assert rotated.logical_id(new_key) != default_synth.logical_id(
        default_synth.stack.credential_key.key
    )  # a new key resource; the old one is retained by CloudFormation, not deleted
    meta = granted(rotated, "meta")
    signer = granted(rotated, "credentials")

    assert ("kms:GetPublicKey", OLD_KEY) in meta
    assert ("kms:GetPublicKey", "CredentialKey") in meta
    assert ("kms:Sign", "CredentialKey") in signer
    assert not any(resource == OLD_KEY for _, resource in signer)  # nobody signs with it
    variables = _function(rotated, "meta")["Environment"]["Variables"]
    assert variables["CREDENTIAL_PREVIOUS_KEY_IDS"] == OLD_KEY
    assert (
        "CREDENTIAL_PREVIOUS_KEY_IDS"
        not in _function(rotated, "credentials")["Environment"]["Variables"]
    )
