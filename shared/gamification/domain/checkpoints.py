"""Where each resumable job stands: the records its service saves after every unit of work and
the next run resumes from (their storage is the adapters' business: ``backfill_checkpoints``,
``erasure_ledger``, ``league_repository``).

Each is a frozen record of counts and a position; ``tally`` moves one on by a unit, so the three
jobs share that arithmetic instead of three ``advanced()`` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def tally(record: R, counts: Mapping[str, int], **changes: Any) -> R:
    """``record`` after one more unit: ``counts`` added to its totals, ``changes`` set."""
    totals = {name: getattr(record, name) + value for name, value in counts.items()}
    return replace(record, **totals, **changes)


class SupersededError(Exception):
    """A newer request for the same job took its checkpoint over: this run stops."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A badge backfill's walk over the player index (``BACKFILL#<badge>``)."""

    badge_id: str
    fingerprint: str
    """Identifies the criteria being backfilled; a changed definition starts a new walk."""
    started_at: datetime
    updated_at: datetime
    shard: int = 0
    position: str | None = None
    """Where to resume inside ``shard`` (``None``: from its start)."""
    pages: int = 0
    scanned: int = 0
    """Players read so far: ``awarded + already_had + not_qualified``."""
    awarded: int = 0
    already_had: int = 0
    not_qualified: int = 0
    done: bool = False


@dataclass(frozen=True, slots=True)
class ErasureCheckpoint:
    """One user's erasure walk (``ERASURE#<user>``): the receipt that it ran."""

    user_id: str
    requested_at: datetime
    updated_at: datetime
    family: int = 0
    """Index of the key family being walked (``adapters.partition_walker.USER_KEY_FAMILIES``)."""
    deleted: int = 0
    pages: int = 0
    invocations: int = 0
    done: bool = False
    seat: str | None = None
    """Where the user's latest league seat is (``COHORT#…``), read from the profile the
    tombstone replaced: the one item about them outside their own partitions."""


@dataclass(frozen=True, slots=True)
class CloseCheckpoint:
    """Progress of one shard of one week's close: cohorts ``[0, position)`` of it are done."""

    week: str
    shard: int
    shards: int
    position: int = 0
    closed: int = 0
    """Members whose result this walk committed: ``promoted + demoted + stayed``."""
    promoted: int = 0
    demoted: int = 0
    stayed: int = 0
    already: int = 0
    left: int = 0
    """Members no longer ranked here: erased, hidden or excluded (they keep their tier)."""
    flagged: int = 0
    """Members left out for an open cheating flag (domain.flags; they keep their tier)."""
    done: bool = False
