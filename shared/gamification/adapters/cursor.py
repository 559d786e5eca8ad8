"""The opaque page cursor of every paged read: base64url of the last sort key, and nothing else.

A cursor never carries a partition: the partition always comes from the caller's identity (or
the user an admin asked for), so a cursor can never page through someone else's items. Each
paged read says how long its cursors may be and which sort keys it continues after; anything
else is a cursor this API did not issue.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass


class InvalidCursorError(ValueError):
    """The cursor was not issued by this API (or was altered): a 400 naming ``query.cursor``."""


@dataclass(frozen=True, slots=True)
class SortKeyCursor:
    """The cursors of one paged read."""

    max_chars: int
    """Longer cursors are refused before decoding (bounds the work a caller can ask for)."""
    accepts: Callable[[str], bool]
    """Whether a decoded sort key is one this read continues after."""

    def encode(self, sort_key: str) -> str:
        raw = json.dumps({"sk": sort_key}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> str:
        """The sort key ``cursor`` continues after, or :class:`InvalidCursorError`."""
        if len(cursor) > self.max_chars:
            raise InvalidCursorError("cursor is too long")
        try:
            value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError) as error:
            raise InvalidCursorError("cursor is not one this API issued") from error
        sort_key = value.get("sk") if isinstance(value, dict) else None
        if not isinstance(sort_key, str) or not self.accepts(sort_key):
            raise InvalidCursorError("cursor is not one this API issued")
        return sort_key
