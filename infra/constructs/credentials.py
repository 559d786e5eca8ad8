"""The key badge credentials are signed with (docs/credentials.md): a KMS asymmetric key
(``ECC_NIST_P256``, ``SIGN_VERIFY``, ES256). Only the credentials function may sign with it; the
meta function may read its public half for the JWKS; nothing else is granted on it.

Retained when the stack is deleted: every credential ever issued is verified against this key,
so deleting it would make them all unverifiable. A rotation (docs/credentials.md) raises
``credential_key_generation`` (a new key; the old one is retained, not deleted) and lists the
old key's ARN in ``credential_previous_key_arns``: the meta function keeps publishing it, so
credentials it signed still verify; nothing may sign with it any more.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs.functions import GamifyFunction

KEY_ENV = "CREDENTIAL_KEY_ID"
PREVIOUS_KEYS_ENV = "CREDENTIAL_PREVIOUS_KEY_IDS"


class CredentialKey(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stack_name: str,
        generation: int = 1,
        previous_key_arns: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.previous_key_arns = tuple(previous_key_arns)
        self.key = kms.Key(
            self,
            "Key" if generation == 1 else f"Key{generation}",  # a new key, the old retained
            description=f"{stack_name}: signs Open Badges 3.0 credentials (ES256)",
            key_spec=kms.KeySpec.ECC_NIST_P256,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def signer(self, fn: GamifyFunction) -> None:
        """The one function that signs (and reads the key id's public half for ``kid``)."""
        fn.add_env(KEY_ENV, self.key.key_arn)
        fn.allow(["kms:Sign", "kms:GetPublicKey"], [self.key.key_arn], "SignCredentials")

    def publisher(self, fn: GamifyFunction) -> None:
        """A function that publishes the public keys (JWKS), the previous ones too: no signing."""
        fn.add_env(KEY_ENV, self.key.key_arn)
        keys = [self.key.key_arn, *self.previous_key_arns]
        if self.previous_key_arns:
            fn.add_env(PREVIOUS_KEYS_ENV, ",".join(self.previous_key_arns))
        fn.allow(["kms:GetPublicKey"], keys, "PublishCredentialKey")
