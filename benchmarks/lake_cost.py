"""What a lake row weighs: the JSON record Firehose is sent and the row in the Parquet files.

Builds a deterministic lake of 20,000 rows with the event mix the cost model's traffic measures
(≈ one ``xp.awarded`` per activity, plus streak days, badges and levels), through the real row
builder (``domain.lake``), the local sink and DuckDB's Parquet writer (Snappy, as Firehose
writes), and counts bytes. Counts, not timings.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.cost_model import LakeUsage
from gamification.domain import lake
from gamification.domain.domain_events import EventDraft, stamp
from gamification.domain.event_catalog import DomainEvent

USERS = 500
ACTIVITIES_PER_USER = 30
START = datetime(2026, 11, 2, 8, tzinfo=UTC)


def _events() -> list[DomainEvent]:
    found: list[DomainEvent] = []
    for u in range(USERS):
        user = f"user-{u:05}"
        total = 0
        for a in range(ACTIVITIES_PER_USER):
            at = START + timedelta(days=a, minutes=u)
            total += 10
            source = f"post_read#post-{u}-{a}"
            drafts = [
                EventDraft(
                    "xp.awarded",
                    source,
                    at,
                    {
                        "source": source,
                        "activity_type": "post_read",
                        "xp": 10,
                        "boost_id": None,
                        "total_xp": total,
                    },
                )
            ]
            if a % 3 == 0:
                day = at.date().isoformat()
                drafts.append(
                    EventDraft("streak.extended", day, at, {"day": day, "streak_days": a // 3 + 1})
                )
            if a % 10 == 0:
                drafts.append(
                    EventDraft(
                        "badge.earned", f"b{a}", at, {"badge_id": f"b{a}", "name": f"Badge {a}"}
                    )
                )
            found += stamp(drafts, tenant="prod", user_id=user, version=a + 1)
    return found


def measure() -> tuple[LakeUsage, int]:
    """The usage per row, and the rows measured."""
    from gamification.adapters.lake_duckdb import compact
    from gamification.adapters.lake_sink import LocalLakeFolder

    events = _events()
    rows = [lake.row(e, bytes(16)) for e in events]
    record_bytes = sum(len(json.dumps(r, separators=(",", ":"))) + 1 for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        LocalLakeFolder(root).put(rows)
        compact(root)
        parquet = sum(f.stat().st_size for f in (root / "events").rglob("*.parquet"))
    commits = len({(e.user_id, e.sequence // 10_000) for e in events})
    usage = LakeUsage(
        record_bytes=record_bytes / len(rows),
        parquet_bytes=parquet / len(rows),
        # One key read per user per stream batch: at most one per commit (a commit's events
        # share it), so per row at most commits / rows.
        key_reads=commits / len(rows),
        key_write_units=0.0,
    )
    return usage, len(rows)
