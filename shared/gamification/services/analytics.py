"""Analytics over the history lake: ad-hoc SQL and the named reports (one SQL file each).

The reports live in ``gamification/data/reports/<name>.sql``, written in the SQL DuckDB and
Athena (Trino) share, so the stack's Athena named queries and ``gamify analytics report`` run
the same text. Every report counts distinct subjects or distinct rows, so a row Firehose
delivered twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from gamification.domain.experiments import Comparison, two_proportions

MAX_IMPACT_DAYS = 365

# -- port (adapters: lake_duckdb.LakeQueries locally; Athena runs the same files on AWS)


class LakeQueryEngine(Protocol):
    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of ``sql`` over the view/table ``events``."""
        ...


def report_names() -> list[str]:
    folder = resources.files("gamification") / "data" / "reports"
    return sorted(p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql"))


def report_sql(name: str) -> str:
    if name not in report_names():
        raise KeyError(f"no report {name!r}; reports: {', '.join(report_names())}")
    return (resources.files("gamification") / "data" / "reports" / f"{name}.sql").read_text()


def report_description(name: str) -> str:
    """The report's first comment line (the Athena named query's description)."""
    first = report_sql(name).splitlines()[0]
    return first.removeprefix("--").strip()


def impact_sql(days: int) -> str:
    """The impact query for a horizon of ``days`` (an integer: nothing else reaches the SQL)."""
    if not isinstance(days, int) or not 1 <= days <= MAX_IMPACT_DAYS:
        raise ValueError(f"days must be an integer from 1 to {MAX_IMPACT_DAYS}")
    text = (resources.files("gamification") / "data" / "impact.sql").read_text()
    return text.replace("{days}", str(days))


@dataclass(frozen=True, slots=True)
class GroupFigures:
    users: int
    retained: int
    active_days: float
    """Average active days in a user's first ``days`` days (descriptive: no interval, the days
    of one user are not independent trials)."""


@dataclass(frozen=True, slots=True)
class Impact:
    days: int
    confidence: float
    treatment: GroupFigures
    control: GroupFigures
    retention: Comparison | None
    """Treatment minus control retention; ``None`` while a group has no eligible user."""


class Analytics:
    def __init__(self, engine: LakeQueryEngine) -> None:
        self._engine = engine

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._engine.query(sql)

    def report(self, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._engine.query(report_sql(name))

    def impact(self, days: int = 14, confidence: float = 0.95) -> Impact:
        """Retention on or after day ``days`` of treatment against control, with the
        two-proportion test at ``confidence`` (docs/analytics.md, "Impact")."""
        names, rows = self._engine.query(impact_sql(days))
        found = {r[0]: dict(zip(names, r, strict=True)) for r in rows}

        def figures(group: str) -> GroupFigures:
            row = found.get(group, {})
            return GroupFigures(
                int(row.get("users", 0)),
                int(row.get("retained", 0)),
                float(row.get("active_days") or 0),
            )

        treatment, control = figures("treatment"), figures("control")
        comparison = (
            two_proportions(
                (treatment.retained, treatment.users), (control.retained, control.users), confidence
            )
            if treatment.users and control.users
            else None
        )
        return Impact(days, confidence, treatment, control, comparison)
