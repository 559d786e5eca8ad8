"""Webhook signing secrets sealed with KMS (docs/events.md, "Signing secrets at rest").

A secret (≈ 54 bytes) is encrypted directly with ``kms:Encrypt`` (well under its 4 KB limit, so
no data key is needed), with the endpoint's id as encryption context: a sealed secret copied onto
another endpoint does not open. Stored as ``kms:<base64 ciphertext>`` (≈ 250 characters). The
admin function may only ``Encrypt``; the webhooks function alone may ``Decrypt``, and keeps what
it opened in memory (a warm container decrypts each secret once, not once per delivery).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from typing import Any

PREFIX = "kms:"
LOCAL_PREFIX = "local:"
LEGACY_PREFIX = "whsec_"
"""A secret stored before sealing existed (plaintext): still opened as is; the next rotation
seals it."""
_CACHED = 256


class KmsSealer:
    def __init__(self, client: Any, key_id: str) -> None:
        """``client``: boto3's KMS client (typed ``Any``: the stubs are not a dependency)."""
        self._client = client
        self._key_id = key_id
        self._opened: OrderedDict[tuple[str, str], str] = OrderedDict()

    def seal(self, secret: str, webhook_id: str) -> str:
        blob = self._client.encrypt(
            KeyId=self._key_id,
            Plaintext=secret.encode(),
            EncryptionContext={"webhook_id": webhook_id},
        )["CiphertextBlob"]
        return PREFIX + base64.b64encode(blob).decode()

    def open(self, sealed: str, webhook_id: str) -> str:
        if sealed.startswith(LEGACY_PREFIX):
            return sealed
        if not sealed.startswith(PREFIX):
            raise ValueError("not a KMS-sealed secret")
        key = (sealed, webhook_id)
        if key in self._opened:
            self._opened.move_to_end(key)
            return self._opened[key]
        plaintext = self._client.decrypt(
            KeyId=self._key_id,
            CiphertextBlob=base64.b64decode(sealed.removeprefix(PREFIX)),
            EncryptionContext={"webhook_id": webhook_id},
        )["Plaintext"]
        secret = bytes(plaintext).decode()
        self._opened[key] = secret
        if len(self._opened) > _CACHED:
            self._opened.popitem(last=False)
        return secret


class LocalSealer:
    """The local stack's stand-in (no KMS key survives its restarts; its table does): marks the
    secret as sealed without encrypting it. Never wired on AWS (``composition``)."""

    def seal(self, secret: str, webhook_id: str) -> str:
        return LOCAL_PREFIX + secret

    def open(self, sealed: str, webhook_id: str) -> str:
        return sealed.removeprefix(LOCAL_PREFIX)
