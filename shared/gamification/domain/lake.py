"""The history lake's row: one domain event, pseudonymised and flattened (pure: no I/O).

Every event the engine commits (``event_catalog``) becomes one row of the ``events`` table in
the customer's S3 bucket (Parquet, Glue/Athena) or, locally, in a folder DuckDB reads. The
columns are derived from the catalog's payload models, so the lake's schema cannot drift from
what is sent; the Glue table in the stack is built from ``COLUMNS``.

Erasure reaches the lake through **keyed pseudonyms**: a row names its user only as
``subject = HMAC(user key, tenant, user id)`` and its event only as ``row_id = HMAC(user key,
event id)`` (an event id is a public hash of the user id and the fact, so it would link a row
back to a known user). The user key is random, one per user, and lives in the table under the
user's partition: erasure deletes it with the rest, and from then on nothing in the lake can
be computed from the user's id. Payload fields that may carry personal data are left out
(``DROPPED``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, date, datetime
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

from gamification.domain.event_catalog import CATALOG, DomainEvent

KEY_BYTES = 16
"""Length of a user's lake key (random: 128 bits)."""
PSEUDONYM_HEX = 32
"""Hex characters kept of an HMAC-SHA256: 128 bits, collisions negligible at 10^9 users."""

LAKE_TYPES = frozenset(CATALOG) - {"webhook.test"}
"""What reaches the lake: every user event (a webhook test names no user)."""
DROPPED = frozenset({"reason", "webhook_id"})
"""Payload fields kept out of the lake: an operator's free-text reason may name a person."""

ENVELOPE: dict[str, str] = {
    "row_id": "string",
    "type": "string",
    "schema_version": "int",
    "tenant": "string",
    "subject": "string",
    "sequence": "bigint",
    "occurred_at": "timestamp",
}
"""Columns every row has (Glue types); the payload's columns follow, null where a type has no
such field."""
PARTITION = "dt"
"""The partition column: the UTC day (``YYYY-MM-DD``) the row was written."""
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How timestamps are written in the JSON records: Hive's own format (UTC), which Firehose's
Hive JSON deserializer and DuckDB both parse without options."""


def _glue_type(annotation: Any) -> str:
    if get_origin(annotation) in (Union, UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not NoneType]
        return _glue_type(inner)
    if annotation is bool:
        return "boolean"
    if annotation is int:
        return "bigint"
    if annotation is datetime or getattr(annotation, "__name__", "") == "AwareDatetime":
        return "timestamp"
    if annotation is date:
        return "date"
    return "string"


def _payload_columns() -> dict[str, str]:
    columns: dict[str, str] = {}
    for name in sorted(LAKE_TYPES):
        for field, info in CATALOG[name].data.model_fields.items():
            if field in DROPPED:
                continue
            kind = _glue_type(info.annotation)
            assert columns.setdefault(field, kind) == kind, f"{field} has two types"
            assert field not in ENVELOPE, field
    return dict(sorted(columns.items()))


PAYLOAD = _payload_columns()
COLUMNS: dict[str, str] = {**ENVELOPE, **PAYLOAD}
"""Every column of the ``events`` table, in order, with its Glue type."""


def new_user_key(random_bytes: bytes) -> bytes:
    """A user's lake key from ``KEY_BYTES`` random bytes (the caller draws them)."""
    if len(random_bytes) != KEY_BYTES:
        raise ValueError(f"a lake key is {KEY_BYTES} bytes")
    return random_bytes


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]


def subject(key: bytes, tenant: str, user_id: str) -> str:
    """The user's name in the lake: stable while the key lives, unlinkable once it is erased."""
    return _mac(key, "subject", tenant, user_id)


def row_id(key: bytes, event_id: str) -> str:
    """The event's name in the lake (dedupe by it: Firehose delivers at least once)."""
    return _mac(key, "row", event_id)


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "timestamp":
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)[:-3]
    if kind == "date":
        return value if isinstance(value, str) else value.isoformat()
    return value


def row(event: DomainEvent, key: bytes) -> dict[str, Any]:
    """The lake row of one event (JSON-ready: the record Firehose converts to Parquet)."""
    if event.type not in LAKE_TYPES:
        raise ValueError(f"{event.type} does not go to the lake")
    data: Mapping[str, Any] = event.data
    out: dict[str, Any] = {
        "row_id": row_id(key, event.id),
        "type": event.type,
        "schema_version": event.schema_version,
        "tenant": event.tenant,
        "subject": subject(key, event.tenant, event.user_id),
        "sequence": event.sequence,
        "occurred_at": _cell("timestamp", event.occurred_at),
    }
    for column, kind in PAYLOAD.items():
        out[column] = _cell(kind, data.get(column))
    return out


def partition_of(written_at: datetime) -> str:
    """The ``dt`` partition a row written at that instant lands in (UTC day)."""
    return written_at.astimezone(UTC).date().isoformat()
