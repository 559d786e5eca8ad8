"""The history lake's writer: the events the publisher put on the bus, as pseudonymous rows.

The publisher hands every stream batch's events here after the bus took them. Each user's lake
key is read (one batched read per stream batch) or created on the user's first event; the
rows go to the sink (Kinesis Data Firehose on AWS, which converts them to Parquet by day; a
folder locally). An erased user's key is gone: their late events are dropped rather than given
a new key, and a key is never created for a tombstone (the store checks the profile). A failure
of the sink propagates: the stream batch is retried and the rows go again with the same
``row_id`` (the reports dedupe by it, or count distinct subjects).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gamification.domain import lake
from gamification.domain.event_catalog import DomainEvent

# -- ports (adapters: lake_keys.LakeKeyStore, lake_sink.FirehoseSink / lake_sink.LocalLakeFolder;
#    fakes: tests/fakes/lake.py)


class LakeKeys(Protocol):
    def keys_for(self, user_ids: Sequence[str]) -> dict[str, bytes]:
        """The users' lake keys that exist (absent: none yet, or erased)."""
        ...

    def create(self, user_id: str) -> bytes | None:
        """The user's key, created when missing; ``None`` when the user has no live profile
        (erased, or being erased): no key is made for them."""
        ...


class LakeSink(Protocol):
    def put(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append rows (at least once); raises when they may not have been taken."""
        ...


@dataclass(frozen=True, slots=True)
class Recorded:
    rows: int
    dropped: int
    """Events of users without a key who may not get one (erased)."""


class HistoryLake:
    def __init__(self, keys: LakeKeys, sink: LakeSink) -> None:
        self._keys = keys
        self._sink = sink

    def record(self, events: Sequence[DomainEvent]) -> Recorded:
        wanted = [e for e in events if e.type in lake.LAKE_TYPES]
        users = sorted({e.user_id for e in wanted})
        keys = self._keys.keys_for(users) if users else {}
        for user_id in users:
            creates = any(e.user_id == user_id and e.type != "user.erased" for e in wanted)
            if user_id not in keys and creates:
                created = self._keys.create(user_id)
                if created is not None:
                    keys[user_id] = created
        rows = [lake.row(e, keys[e.user_id]) for e in wanted if e.user_id in keys]
        if rows:
            self._sink.put(rows)
        return Recorded(rows=len(rows), dropped=len(wanted) - len(rows))
