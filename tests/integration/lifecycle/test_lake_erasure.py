"""Erasure reaches the history lake: the consumer commits, the publisher handler (the table's
stream) writes the lake's rows and the user's key, the eraser's walk deletes the key, and from
then on nothing in the lake can be linked to the user (moto, a real redis-server, the local
lake folder and DuckDB)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis

from gamification import composition
from gamification.adapters import keys
from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_keys import LAKE_KEY_SK
from gamification.domain import lake
from gamification.domain.domain_events import event_id
from gamification.local.provision import Provisioned
from gamification.resources import EVENTS
from gamification.services.erasure import Status
from tests.integration.jobs.support import Context
from tests.integration.lifecycle.support import build_lifecycle
from tests.integration.pipeline.support import NOW, activity, record

pytestmark = pytest.mark.time_machine(NOW)


@pytest.fixture
def lake_dir(stack_env: Provisioned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAMIFY_EVENT_LOG", str(tmp_path / "events.jsonl"))
    monkeypatch.setenv("GAMIFY_LAKE_DIR", str(tmp_path / "lake"))
    monkeypatch.setenv("GAMIFY_STAGE", "test")
    composition.reset()
    return tmp_path / "lake"


def _publish(records: list[dict[str, Any]]) -> None:
    from functions.publisher.handler import lambda_handler

    lambda_handler({"Records": [r for r in records if EVENTS.accepts(r)]}, Context("publisher"))


def _key_item(aws: Provisioned, user: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        boto3.client("dynamodb")
        .get_item(
            TableName=aws.table_name,
            Key={"PK": {"S": keys.user_pk(user)}, "SK": {"S": LAKE_KEY_SK}},
        )
        .get("Item")
    )
    return item


def test_erasure_makes_the_users_lake_rows_anonymous(
    stack_env: Provisioned, redis_client: redis.Redis, lake_dir: Path
) -> None:
    life = build_lifecycle(stack_env, redis_client)
    pipeline = life.pipeline
    pipeline.consumer.consume([record(activity(user_id="alice", object_id="post-1"))])
    pipeline.consumer.consume([record(activity(user_id="bob", object_id="post-1"))])
    _publish(pipeline.stream.read())

    stored = _key_item(stack_env, "alice")
    assert stored is not None
    alice_key = bytes(stored["key"]["B"])
    queries = LakeQueries(lake_dir)
    _, [(subjects,)] = queries.query("SELECT COUNT(DISTINCT subject) FROM events")
    assert subjects == 2
    alice = lake.subject(alice_key, "test", "alice")
    _, [(alice_rows,)] = queries.query(f"SELECT COUNT(*) FROM events WHERE subject = '{alice}'")
    assert alice_rows >= 3  # xp.awarded, badge.earned, streak.extended, league.joined
    # ... and the badge's gems: the ledger entry's row, pseudonymous like the rest.
    _, gems = queries.query(
        "SELECT currency, amount, cause, kind, ref FROM events "
        f"WHERE type = 'wallet.entry_posted' AND subject = '{alice}'"
    )
    assert gems == [("gems", 5, "earn", "badge", "badge_earned#first-read")]
    assert life.export.page("alice", None, NOW).document["profile"]["xp"] == 10

    pipeline.clock.advance(timedelta(seconds=1))
    life.requests.request("alice")
    assert life.eraser.run("alice", pipeline.clock()).status is Status.DONE
    _publish(pipeline.stream.read())  # the tombstone's user.erased: no new key is made

    assert _key_item(stack_env, "alice") is None
    names, rows = queries.query("SELECT * FROM events")
    cells = {str(v) for row in rows for v in row}
    ids = {
        event_id("test", "alice", t, f)
        for t, f in [
            ("badge.earned", "first-read"),
            ("league.joined", "2026-W48"),
            ("wallet.entry_posted", "0"),
        ]
    }
    assert not ids & cells
    assert hashlib.sha256(b"alice").hexdigest()[: lake.PSEUDONYM_HEX] not in cells
    assert not any("alice" in c for c in cells)
    # The rows stay (aggregates keep working), but only the erased key linked them to alice.
    assert sum(1 for row in rows if row[names.index("subject")] == alice) == alice_rows
