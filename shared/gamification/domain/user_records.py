"""What is stored about a user besides the profile, as the export names it.

Records of the user's own partition (activities applied, notifications, daily-cap days, reminder
guards, anything else by its key) and the write-budget windows: the export service renders them,
the storage adapter (``adapters.user_records``) decodes them from the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from gamification.domain.notifications import StoredNotification
from gamification.domain.wallet import LedgerEntry, RedeemResult


@dataclass(frozen=True, slots=True)
class AppliedActivity:
    """A dedupe marker: the activity with this idempotency key was applied (``at``, as stored)."""

    key: str
    applied_at: str | None


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    notification: StoredNotification


@dataclass(frozen=True, slots=True)
class CapDay:
    """A local day's daily-cap slots: how many activities of each type the cap counted."""

    day: str
    capped_activities: dict[str, int]


@dataclass(frozen=True, slots=True)
class ReminderSent:
    """The guard of a streak reminder sent for the user's local ``day``."""

    day: str


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """One entry of the user's wallet ledger (docs/wallet.md)."""

    entry: LedgerEntry


@dataclass(frozen=True, slots=True)
class RedeemReceipt:
    """The stored answer of a redeem, by its idempotency key."""

    result: RedeemResult


@dataclass(frozen=True, slots=True)
class PurchaseCount:
    """How many of a shop item with a per-user limit the user bought."""

    item_id: str
    count: int


@dataclass(frozen=True, slots=True)
class OtherRecord:
    """Any other item of the partition, named by its key (nothing is left out of an export)."""

    key: str


UserRecord = (
    AppliedActivity
    | NotificationRecord
    | CapDay
    | ReminderSent
    | LedgerRecord
    | RedeemReceipt
    | PurchaseCount
    | OtherRecord
)


@dataclass(frozen=True, slots=True)
class RecordPage:
    records: list[UserRecord]
    next_cursor: str | None
    """Continues after the last item read (``None``: the partition's end)."""


@dataclass(frozen=True, slots=True)
class BudgetWindow:
    """One fixed window of the user's write-request budget: its start and the requests spent."""

    window: str
    spent: int
