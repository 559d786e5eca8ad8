"""The key badge credentials are signed with (docs/credentials.md): a KMS asymmetric key
(``ECC_NIST_P256``, ``SIGN_VERIFY``, ES256). Only the credentials function may sign with it; the
meta function may read its public half for the JWKS; nothing else is granted on it.

Retained when the stack is deleted: every credential ever issued is verified against this key,
so deleting it would make them all unverifiable (a deliberate key change is a new key, whose
JWKS lists it, docs/credentials.md).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs.functions import GamifyFunction

KEY_ENV = "CREDENTIAL_KEY_ID"


class CredentialKey(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stack_name: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
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
        """A function that publishes the public key (JWKS): no signing."""
        fn.add_env(KEY_ENV, self.key.key_arn)
        fn.allow(["kms:GetPublicKey"], [self.key.key_arn], "PublishCredentialKey")
