"""In-memory records of users' partitions: the ``Records`` port of ``services.export`` (real:
``adapters.user_records.UserRecords``; the contract:
tests/adapters/contracts/test_user_records.py holds them equal).

Records come back in the order the table keeps them (cap days, notifications oldest first, reminder
guards, activities, each by its key); cursors are opaque.
"""

from __future__ import annotations

from gamification.adapters.cursor import SortKeyCursor
from gamification.domain.user_records import (
    AppliedActivity,
    BudgetWindow,
    CapDay,
    LedgerRecord,
    NotificationRecord,
    PurchaseCount,
    RecordPage,
    RedeemReceipt,
    ReminderSent,
    UserRecord,
)

_CURSOR = SortKeyCursor(max_chars=2048, accepts=bool)


def _order(record: UserRecord) -> str:
    match record:
        case CapDay(day=day):
            return f"1|{day}"
        case NotificationRecord(notification=n):
            return f"2|{n.created_at.timestamp():020.6f}|{n.id}"
        case ReminderSent(day=day):
            return f"3|{day}"
        case AppliedActivity(key=key):
            return f"4|{key}"
        case LedgerRecord(entry=entry):
            return f"5|{entry.seq:012d}"
        case RedeemReceipt(result=result):
            return f"6|{result.key}"
        case PurchaseCount(item_id=item_id):
            return f"7|{item_id}"
        case _:
            return f"0|{record.key}"


class FakeUserRecords:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, UserRecord]] = {}
        self.budgets: dict[str, list[BudgetWindow]] = {}

    def add(self, user_id: str, record: UserRecord) -> None:
        self.records.setdefault(user_id, {})[_order(record)] = record

    def spend(self, user_id: str, window: BudgetWindow) -> None:
        self.budgets.setdefault(user_id, []).append(window)

    def page(self, user_id: str, cursor: str | None, limit: int) -> RecordPage:
        after = _CURSOR.decode(cursor) if cursor else None
        ordered = sorted(
            (k, r) for k, r in self.records.get(user_id, {}).items() if after is None or k > after
        )
        shown = ordered[:limit]
        more = len(ordered) > limit
        return RecordPage([r for _, r in shown], _CURSOR.encode(shown[-1][0]) if more else None)

    def budget(self, user_id: str) -> list[BudgetWindow]:
        return sorted(self.budgets.get(user_id, []), key=lambda w: w.window)
