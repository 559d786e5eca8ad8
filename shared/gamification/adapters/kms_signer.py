"""The credential signer on AWS KMS: an asymmetric ``ECC_NIST_P256`` / ``SIGN_VERIFY`` key.

The private key never leaves KMS; the public key is read once per container (``GetPublicKey``)
and cached. Messages are signed ``RAW`` (KMS hashes them with SHA-256; a credential's signing
input is far below KMS's 4,096-byte limit), the same call moto answers on the local stack.
"""

from __future__ import annotations

from typing import Any


class KmsSigner:
    def __init__(self, kms: Any, key_id: str) -> None:
        """``kms``: a boto3 KMS client; ``key_id``: the key's id, ARN or alias."""
        self._kms = kms
        self._key_id = key_id
        self._public: bytes | None = None

    def public_key(self) -> bytes:
        if self._public is None:
            answer = self._kms.get_public_key(KeyId=self._key_id)
            self._public = bytes(answer["PublicKey"])
        return self._public

    def sign(self, message: bytes) -> bytes:
        answer = self._kms.sign(
            KeyId=self._key_id,
            Message=message,
            MessageType="RAW",
            SigningAlgorithm="ECDSA_SHA_256",
        )
        return bytes(answer["Signature"])
