"""An in-memory ECDSA P-256 key standing in for ``KmsSigner`` (``services.credentials.Signer``)."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class FakeSigner:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.signed: list[bytes] = []

    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        self.signed.append(message)
        return self.key.sign(message, ec.ECDSA(hashes.SHA256()))
