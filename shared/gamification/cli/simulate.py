"""``gamify simulate``: a realistic population against the local stack or a deployed API.

Activity is heavy-tailed, as on real content sites: each user's appetite is drawn from a Pareto
distribution (a few heavy readers, a long tail of occasional ones), and posts are picked with
Zipf-like popularity, so repeats (which must earn nothing) occur naturally. The plan is a pure
function of the seed; only ``run`` talks to the API.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from gamification.cli.client import ApiClient, Signer
from gamification.cli.render import Progress

MIX = {
    "post_read": 0.55,
    "post_completed": 0.20,
    "comment_left": 0.15,
    "challenge_solved": 0.07,
    "series_completed": 0.03,
}
SERVICE_TYPES = frozenset({"challenge_solved", "series_completed"})
"""Reported by trusted services (the internal route), never by the user's client."""
POSTS, CHALLENGES, SERIES = 400, 60, 25
PARETO_ALPHA = 1.16
"""The "80/20" shape: about a fifth of the users do most of the activity."""
DAY_SPREAD = timedelta(hours=20)
MARGIN = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PlannedActivity:
    user_id: str
    type: str
    object_id: str
    occurred_at: datetime
    series_id: str | None = None

    def body(self, with_user: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "object_id": self.object_id,
            "occurred_at": self.occurred_at.isoformat(),
        }
        if self.series_id:
            data["series_id"] = self.series_id
        if with_user:
            data["user_id"] = self.user_id
        return data


def plan(
    users: int, days: int, now: datetime, seed: int = 7, prefix: str = "sim"
) -> list[PlannedActivity]:
    """Every activity of the simulation, oldest day first."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    post_weights = list(accumulate(1 / (k + 1) for k in range(POSTS)))
    types, type_weights = zip(*MIX.items(), strict=True)
    cumulative_types = list(accumulate(type_weights))
    appetite = {
        f"{prefix}-{i:05d}": min(rng.paretovariate(PARETO_ALPHA), 40.0) for i in range(users)
    }
    activities: list[PlannedActivity] = []
    comment = 0
    for day in range(days):
        day_end = now - timedelta(days=days - 1 - day)
        for user_id, level in appetite.items():
            if rng.random() > min(0.95, 0.25 + 0.1 * level):
                continue  # not active that day
            count = 1 + int(rng.expovariate(1 / (1.5 * level)))
            for _ in range(min(count, 60)):
                kind = rng.choices(types, cum_weights=cumulative_types)[0]
                at = day_end - timedelta(seconds=rng.uniform(0, DAY_SPREAD.total_seconds()))
                if kind in {"post_read", "post_completed"}:
                    post = rng.choices(range(POSTS), cum_weights=post_weights)[0]
                    activities.append(
                        PlannedActivity(
                            user_id, kind, f"post-{post}", at, series_id=f"series-{post % SERIES}"
                        )
                    )
                elif kind == "comment_left":
                    comment += 1
                    activities.append(PlannedActivity(user_id, kind, f"comment-{comment}", at))
                elif kind == "challenge_solved":
                    challenge = rng.randrange(CHALLENGES)
                    activities.append(PlannedActivity(user_id, kind, f"challenge-{challenge}", at))
                else:
                    series = rng.randrange(SERIES)
                    activities.append(PlannedActivity(user_id, kind, f"series-{series}", at))
    return activities


def oldest_offset(days: int) -> timedelta:
    """How far back the oldest planned activity can lie."""
    return timedelta(days=max(days - 1, 0)) + DAY_SPREAD


def check_window(days: int, max_backdate_hours: float) -> None:
    if oldest_offset(days) + MARGIN > timedelta(hours=max_backdate_hours):
        needed = (oldest_offset(days) + MARGIN).total_seconds() / 3600
        raise ValueError(
            f"{days} days reach {needed:.0f} h back, past the back-dating window of "
            f"{max_backdate_hours:g} h: start the stack with GAMIFY_MAX_BACKDATE_HOURS="
            f"{int(needed) + 1} (and pass --max-backdate-hours), or simulate fewer days"
        )


@dataclass
class Summary:
    sent: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Transport:
    """How requests are authenticated: dev tokens locally, a token or SigV4 elsewhere."""

    client: ApiClient
    user_token: Callable[[str], str] | None
    """Token for a user's own batch route; ``None`` sends everything via the service route."""
    service_token: str | None = None
    signer: Signer | None = None


def run(
    activities: Sequence[PlannedActivity], transport: Transport, concurrency: int = 4
) -> Summary:
    """Send every activity (user batches of 25, service items one by one) in parallel."""
    units = _units(activities, via_user_batches=transport.user_token is not None)
    summary = Summary()
    progress = Progress(len(activities), "activities")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for sent, accepted, rejected, errors in pool.map(lambda u: _send(u, transport), units):
            summary.sent += sent
            summary.accepted += accepted
            summary.rejected.update(rejected)
            summary.errors += errors
            progress.advance(sent)
    progress.close()
    summary.seconds = time.monotonic() - started
    return summary


Unit = tuple[str, list[PlannedActivity]]
"""("batch", up to 25 of one user's activities) or ("service", [one activity])."""


def _units(activities: Sequence[PlannedActivity], via_user_batches: bool) -> list[Unit]:
    units: list[Unit] = []
    pending: dict[str, list[PlannedActivity]] = {}
    for activity in activities:
        if not via_user_batches or activity.type in SERVICE_TYPES:
            units.append(("service", [activity]))
            continue
        batch = pending.setdefault(activity.user_id, [])
        batch.append(activity)
        if len(batch) == 25:
            units.append(("batch", pending.pop(activity.user_id)))
    units.extend(("batch", batch) for batch in pending.values())
    return units


def _send(unit: Unit, transport: Transport) -> tuple[int, int, Counter[str], int]:
    kind, items = unit
    rejected: Counter[str] = Counter()
    try:
        if kind == "batch":
            assert transport.user_token is not None
            response = transport.client.request(
                "POST",
                "/v1/activities/batch",
                token=transport.user_token(items[0].user_id),
                body={"activities": [a.body(with_user=False) for a in items]},
            )
            if not response.ok:
                rejected[_code(response.body)] += len(items)
                return len(items), 0, rejected, 0
            for result in response.body["results"]:
                if result["status"] != "accepted":
                    rejected[(result.get("error") or {}).get("code", "rejected")] += 1
            return len(items), int(response.body["accepted"]), rejected, 0
        response = transport.client.request(
            "POST",
            "/v1/internal/activities",
            token=transport.service_token,
            body=items[0].body(with_user=True),
            sign=transport.signer,
        )
        if response.ok:
            return 1, 1, rejected, 0
        rejected[_code(response.body)] += 1
        return 1, 0, rejected, 0
    except OSError:
        return len(items), 0, rejected, len(items)


def _code(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("error", {}).get("code", "error"))
    return "error"


def now_utc() -> datetime:
    return datetime.now(UTC)
