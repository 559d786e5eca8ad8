"""How a commit's domain events ride in its profile write (the outbox, docs/events.md).

The profile's ``outbox`` attribute holds the drafts of the commit that wrote it, deflated JSON,
and nothing else: every profile write replaces the whole item, so the next write (with its own
events or none) drops them. The table's stream carries the committed image to the publisher,
which stamps them with the image's ``version`` (``domain_events.stamp``). A rolled-back commit
leaves no image, so it emits nothing.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.domain.domain_events import EventDraft

OUTBOX = "outbox"


def encode_outbox(drafts: Sequence[EventDraft]) -> bytes | None:
    """The drafts as one binary attribute (``None``: no attribute)."""
    if not drafts:
        return None
    rows = [[d.type, d.fact, d.occurred_at.isoformat(), d.data] for d in drafts]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 9)


def decode_outbox(data: bytes) -> list[EventDraft]:
    rows = json.loads(zlib.decompress(data))
    return [EventDraft(t, f, datetime.fromisoformat(at), d) for t, f, at, d in rows]


def outbox_of_image(image: Mapping[str, Any]) -> tuple[str, int, list[EventDraft]] | None:
    """``(user_id, version, drafts)`` of a profile image that carries events, else ``None``."""
    data = image.get(OUTBOX)
    if not data or str(image.get("SK", "")) != keys.PROFILE_SK:
        return None
    user_id = keys.user_id_from_pk(str(image["PK"]))
    return user_id, int(image["version"]), decode_outbox(bytes(data))


def outbox_update(table: str, user_id: str, drafts: Sequence[EventDraft]) -> dict[str, Any]:
    """A transaction item that puts ``drafts`` into an existing profile's outbox and moves its
        version on (the publisher's ``sequence``; a commit prepared meanwhile re-reads). For a
        write that is not a profile commit (a follow, a friend streak notice): the events exist iff
        the transaction commits. Fails its condition when the user has no profile (or only the
    erasure tombstone)."""
    return {
        "Update": {
            "TableName": table,
            "Key": to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            "UpdateExpression": "SET outbox = :o, version = version + :one",
            # A game profile (an erasure tombstone has no state: nothing more is told of it).
            "ConditionExpression": "attribute_exists(#state)",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": to_item({":o": encode_outbox(drafts), ":one": 1}),
        }
    }
