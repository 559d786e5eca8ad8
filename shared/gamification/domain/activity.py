"""An activity: one thing a user did, as accepted at the edge and carried through the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from gamification.domain.attributes import Attributes
from gamification.domain.catalog import EventTypeName, Repeat, Reporter
from gamification.domain.text import check_id

MAX_ID_BYTES = 512
"""Longest id in UTF-8 bytes. DynamoDB limits a sort key to 1,024 bytes, and the longest key an
id goes into is the dedupe marker ``SEEN#<type ≤ 64>#<object id>#<YYYY-MM-DD>`` (81 bytes besides
the id), so 512 leaves room. Characters are not the measure: 256 four-byte characters are 1,024
bytes."""


def within_id_bytes(value: str) -> str:
    """The one id-length rule, for the API models and the consumer's parser alike."""
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_ID_BYTES:
        raise ValueError(f"must be at most {MAX_ID_BYTES} bytes in UTF-8 (is {size})")
    return value


UserId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:+-]+$"),
    AfterValidator(within_id_bytes),
]
ObjectId = Annotated[
    str,
    Field(min_length=1, max_length=256, pattern=r"^[^\s#]+$"),
    AfterValidator(check_id),
    AfterValidator(within_id_bytes),
]


class Activity(BaseModel):
    """Clients never send XP or multipliers: those are decided here from the catalog and boosts.

    ``received_at`` is stamped by the ingest API; the back-dating window is measured from it, not
    from processing time, so a redelivery days later gives the same result.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: UserId
    type: EventTypeName
    object_id: ObjectId
    occurred_at: AwareDatetime
    received_at: AwareDatetime
    source: Reporter = Reporter.CLIENT
    series_id: ObjectId | None = None
    attributes: Attributes = Field(default_factory=dict)
    """Declared per event type in the catalog; checked against it by ``transition.check``."""


def dedupe_key(activity: Activity, repeat: Repeat = Repeat.ONCE) -> str:
    """The idempotency key within one user: ``type#object`` (plus the UTC day for daily types)."""
    if repeat is Repeat.DAILY:
        return f"{activity.type}#{activity.object_id}#{_utc_day(activity.occurred_at)}"
    return f"{activity.type}#{activity.object_id}"


def _utc_day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()
