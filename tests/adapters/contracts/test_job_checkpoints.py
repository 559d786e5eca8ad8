"""Contract of the jobs' progress stores: the in-memory fakes (``tests/fakes/jobs.py``) and the
DynamoDB adapters (on moto) pass the same tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from gamification.adapters.backfill_checkpoints import BackfillCheckpoints
from gamification.adapters.erasure_ledger import ErasureLedger
from gamification.adapters.league_repository import CloseCheckpoints
from gamification.domain.checkpoints import Checkpoint, CloseCheckpoint, SupersededError, tally
from gamification.domain.leagues import LeagueState
from gamification.services import backfill, erasure, league_close
from tests.fakes.jobs import FakeBackfillCheckpoints, FakeCloseCheckpoints, FakeErasureLedger

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
IMPLEMENTATIONS = ["fake", "dynamodb"]


def _table(request: pytest.FixtureRequest) -> tuple[Any, str]:
    return boto3.client("dynamodb"), request.getfixturevalue("aws").table_name


@pytest.fixture(params=IMPLEMENTATIONS)
def backfills(request: pytest.FixtureRequest) -> backfill.BackfillCheckpoints:
    if request.param == "fake":
        return FakeBackfillCheckpoints()
    return BackfillCheckpoints(*_table(request))


@pytest.fixture(params=IMPLEMENTATIONS)
def ledger(request: pytest.FixtureRequest) -> erasure.ErasureLedger:
    if request.param == "fake":
        return FakeErasureLedger()
    return ErasureLedger(*_table(request))


@pytest.fixture(params=IMPLEMENTATIONS)
def closes(request: pytest.FixtureRequest) -> league_close.CloseCheckpoints:
    if request.param == "fake":
        return FakeCloseCheckpoints()
    return CloseCheckpoints(*_table(request))


def test_a_backfill_walk_saves_forward_under_its_fingerprint(
    backfills: backfill.BackfillCheckpoints,
) -> None:
    first = Checkpoint("avid", "f1", started_at=NOW, updated_at=NOW)
    assert backfills.load("avid") is None
    assert not backfills.save(tally(first, {"pages": 1}))  # never started

    backfills.start(first)
    page = tally(first, {"pages": 1, "scanned": 3, "awarded": 2}, shard=1, position="k")

    assert backfills.load("avid") == first
    assert backfills.save(page)
    assert backfills.load("avid") == page
    assert not backfills.save(page)  # no further: an overlapping run that fell behind
    assert not backfills.save(replace(tally(page, {"pages": 1}), fingerprint="f2"))
    backfills.start(replace(first, fingerprint="f2"))  # a changed definition restarts
    assert not backfills.save(tally(page, {"pages": 1}))  # the older run stops


def test_an_erasure_checkpoint_belongs_to_its_request(ledger: erasure.ErasureLedger) -> None:
    assert ledger.load("ann") is None
    started = ledger.start("ann", NOW)
    assert started.seat is None
    assert ledger.load("ann") == started

    walked = tally(started, {"deleted": 10, "pages": 1}, updated_at=NOW, family=1)
    ledger.save(walked)
    assert ledger.load("ann") == walked

    ledger.start("ann", NOW + timedelta(seconds=5))  # a newer request
    with pytest.raises(SupersededError, match="ann"):
        ledger.save(walked)
    with pytest.raises(SupersededError):
        ledger.save(replace(walked, user_id="nobody"))


def test_an_erasure_remembers_the_latest_seat_only_when_seated(
    ledger: erasure.ErasureLedger,
) -> None:
    seated = LeagueState(week="2026-W48", cohort_tier=1, cohort=3)
    assert ledger.start("ann", NOW, seated).seat is not None
    assert ledger.start("bob", NOW, LeagueState(week="2026-W48")).seat is None
    loaded = ledger.load("ann")
    assert loaded is not None
    assert loaded.seat == ledger.start("cat", NOW, seated).seat


def test_a_close_checkpoint_starts_fresh_and_never_moves_back(
    closes: league_close.CloseCheckpoints,
) -> None:
    fresh = closes.load("2026-W48", 1, 4)
    assert fresh == CloseCheckpoint("2026-W48", 1, 4)

    two = tally(fresh, {"position": 2, "closed": 5, "promoted": 1, "left": 1})
    closes.save(two, NOW)
    assert closes.load("2026-W48", 1, 4) == two
    closes.save(tally(fresh, {"position": 1, "closed": 9}), NOW)  # a slower run: ignored
    assert closes.load("2026-W48", 1, 4) == two
    done = tally(two, {"position": 1}, done=True)
    closes.save(done, NOW)
    assert closes.load("2026-W48", 1, 4) == done
    assert closes.load("2026-W48", 1, 2) == CloseCheckpoint("2026-W48", 1, 2)  # another count
