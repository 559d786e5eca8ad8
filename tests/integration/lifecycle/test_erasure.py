"""Erasure: the tombstone, the consumer honouring it, the resumable walk, the boards and the
snapshot, on moto and a real redis-server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.erasure_ledger import ErasureLedger
from gamification.adapters.leaderboard import (
    ALLTIME,
    NAMES_KEY,
    board_key,
    decode_xp,
    encode_score,
)
from gamification.adapters.player_score import league
from gamification.adapters.user_repository import UserChange, VersionConflictError
from gamification.domain.checkpoints import tally
from gamification.domain.leagues import LeagueResult
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.erasure import ErasureRequests, Status
from tests.integration.lifecycle.support import Lifecycle, build_lifecycle
from tests.integration.pipeline.support import NOW, activity, record

# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)


def _items(aws: Provisioned, pk: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": aws.table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": to_item({":pk": pk}),
    }
    while True:
        response = client.query(**kwargs)
        found.extend(from_item(i) for i in response["Items"])
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _active_alice(life: Lifecycle) -> None:
    """alice with activity, badges, notifications, a rank and a name; bob next to her."""
    pipeline = life.pipeline
    pipeline.users.update_settings(
        "alice", lambda s: s.model_copy(update={"display_name": "Alice"}), NOW
    )
    reads = [record(activity(object_id=f"post-{i}")) for i in range(10)]
    pipeline.consumer.consume([*reads, record(activity(user_id="bob", object_id="post-1"))])
    pipeline.project()
    life.reconciler.reconcile(NOW)


def test_an_erased_user_is_gone_everywhere_and_starts_from_nothing(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    before = life.export.page("alice", None, NOW).document
    assert before["profile"]["xp"] == 100
    kinds = Counter(r["kind"] for r in before["records"])
    assert kinds["activity"] == 10
    assert kinds["notification"] >= 1

    life.pipeline.clock.advance(timedelta(seconds=1))
    requested = life.requests.request("alice")
    assert life.launched == ["alice"]
    life.pipeline.project()  # the tombstone's image takes her off every board at once

    assert {str(m) for m in redis_client.zrange(board_key(ALLTIME), 0, -1)} == {"bob"}
    assert redis_client.hget(NAMES_KEY, "alice") is None
    progress = life.eraser.run("alice", life.pipeline.clock())
    assert progress.status is Status.DONE
    assert progress.deleted >= 11  # markers, notifications, cap days
    assert [i["SK"] for i in _items(aws, keys.user_pk("alice"))] == [keys.PROFILE_SK]
    tombstone = _items(aws, keys.user_pk("alice"))[0]
    assert set(tombstone) == {
        "PK",
        *("SK", "version", "erased_at", "updated_at", "expires_at"),
        "left_leagues",  # her cohort's name, so the projector took her off its board too
    }
    assert tombstone["erased_at"] == requested.isoformat()
    snapshot = life.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert [e.user_id for e in snapshot.entries] == ["bob"]
    after = life.export.page("alice", None, NOW).document
    assert after["records"] == []
    assert after["profile"]["xp"] == 0
    assert life.eraser.run("alice", NOW).status is Status.DONE  # repeating is harmless

    # The same post read again, after the erasure: it earns again (its marker is gone).
    life.pipeline.clock.advance(timedelta(minutes=1))
    again = activity(object_id="post-0", at=life.pipeline.clock())
    life.pipeline.consumer.consume([record(again)])
    life.pipeline.project()
    alice = life.pipeline.users.load("alice")
    assert (alice.state.xp, alice.state.counters["post_read"]) == (10, 1)
    assert alice.marks.erased_at == requested  # the tombstone stays with the new profile
    assert life.pipeline.leaderboard.rank(ALLTIME, "alice") is not None


def test_an_erased_user_leaves_their_cohort_boards_at_once_and_a_reused_id_starts_at_zero(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """The tombstone names the cohorts whose boards may hold the user (the latest seat and the
    last closed one): its image on the stream takes them off those boards too, not only off
    the all-time and weekly boards, without waiting for the daily full pass."""
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    cohort = league(f"{iso_week(NOW)}:0:0")
    assert {str(m) for m in redis_client.zrange(board_key(cohort), 0, -1)} == {"alice", "bob"}
    last_week = league(f"{iso_week(NOW - timedelta(weeks=1))}:0:4")
    redis_client.zadd(board_key(last_week), {"alice": encode_score(70, NOW), "cy": -1})
    users = life.pipeline.users
    stored = users.load("alice")
    closed = LeagueResult(
        week=iso_week(NOW - timedelta(weeks=1)), rank=1, from_tier=0, to_tier=0, xp=70, cohort=4
    )
    with_result = stored.state.league.model_copy(update={"result": closed})
    users.commit(UserChange(stored, stored.state.model_copy(update={"league": with_result}), NOW))

    life.pipeline.clock.advance(timedelta(seconds=1))
    life.requests.request("alice")
    life.pipeline.project()

    assert {str(m) for m in redis_client.zrange(board_key(cohort), 0, -1)} == {"bob"}
    assert {str(m) for m in redis_client.zrange(board_key(last_week), 0, -1)} == {"cy"}
    assert life.eraser.run("alice", life.pipeline.clock()).status is Status.DONE

    # A new account with the same id, seated in the same cohort: its own XP, not the old 100.
    life.pipeline.clock.advance(timedelta(minutes=1))
    again = activity(object_id="new-0", at=life.pipeline.clock())
    life.pipeline.consumer.consume([record(again)])
    life.pipeline.project()
    seat = users.load("alice").state.league
    board = league(f"{seat.week}:{seat.cohort_tier}:{seat.cohort}")
    assert decode_xp(float(redis_client.zscore(board_key(board), "alice") or 0)) == 10
    assert redis_client.zscore(board_key(cohort), "alice") is None or board == cohort


def test_queued_activity_from_before_the_erasure_never_resurrects_the_old_data(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    queued_before = [record(activity(object_id=f"late-{i}")) for i in range(3)]
    life.pipeline.clock.advance(timedelta(seconds=1))
    life.requests.request("alice")
    received_after = record(activity(object_id="fresh", at=life.pipeline.clock()))

    # The walk has not run yet: old activity is dropped, new activity waits (SQS retries it).
    report = life.pipeline.consumer.consume([*queued_before, received_after])
    assert report.totals()["ErasedActivitiesDropped"] == 3
    assert report.failed_message_ids == {received_after.message_id}
    assert life.pipeline.users.load("alice").state.xp == 0

    assert life.eraser.run("alice", life.pipeline.clock()).status is Status.DONE
    again = life.pipeline.consumer.consume([*queued_before, received_after])  # redelivered
    life.pipeline.project()

    assert not again.failed_message_ids
    alice = life.pipeline.users.load("alice").state
    assert (alice.xp, alice.counters.get("post_read")) == (10, 1)  # only the fresh read
    seen = [i["SK"] for i in _items(aws, keys.user_pk("alice")) if i["SK"].startswith("SEEN#")]
    assert len(seen) == 1
    assert "fresh" in seen[0]
    assert redis_client.zscore(board_key(ALLTIME), "alice") is not None


def test_a_commit_prepared_from_the_old_profile_fails_its_guard(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    users = life.pipeline.users
    read_before = users.load("alice")
    life.requests.request("alice")

    change = UserChange(
        before=read_before,
        state=read_before.state.model_copy(update={"xp": 999}),
        now=NOW,
    )
    with pytest.raises(VersionConflictError):
        users.commit(change)


def test_a_newer_request_supersedes_an_older_run(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    life.requests.request("alice")
    first = life.eraser.run("alice", NOW, max_pages=0)
    assert first.status is Status.PAUSED
    stale = life.ledger.load("alice")
    life.pipeline.clock.advance(timedelta(seconds=5))
    life.requests.request("alice")  # a second request: harmless, restarts the walk

    assert stale is not None
    with pytest.raises(Exception, match="alice"):
        life.ledger.save(tally(stale, {"deleted": 1, "pages": 1}, updated_at=NOW))
    assert life.eraser.run("alice", life.pipeline.clock()).status is Status.DONE
    assert [i["SK"] for i in _items(aws, keys.user_pk("alice"))] == [keys.PROFILE_SK]


MARKERS = 50_000


@pytest.fixture
def request_counter() -> Iterator[Counter[str]]:
    """Every DynamoDB request any client in this process sends, by operation."""
    counts: Counter[str] = Counter()
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    session_events = boto3.DEFAULT_SESSION
    assert session_events is not None

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    session_events.events.register("before-call.dynamodb", count)
    yield counts
    session_events.events.unregister("before-call.dynamodb", count)


def test_fifty_thousand_markers_are_erased_across_resumed_invocations(
    aws: Provisioned, redis_client: redis.Redis, request_counter: Counter[str]
) -> None:
    """Each invocation walks at most 10 pages (10,000 deletes, ≈ 420 requests, a few seconds on
    DynamoDB: far inside a 15-minute Lambda) and stops at a checkpoint; the next resumes."""
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    client = boto3.client("dynamodb")
    for start in range(0, MARKERS, 25):
        client.batch_write_item(
            RequestItems={
                aws.table_name: [
                    {
                        "PutRequest": {
                            "Item": to_item(
                                {
                                    "PK": keys.user_pk("alice"),
                                    "SK": keys.seen_sk(f"post_read#bulk-{n:06d}"),
                                    "at": NOW.isoformat(),
                                }
                            )
                        }
                    }
                    for n in range(start, start + 25)
                ]
            }
        )
    life.requests.request("alice")
    request_counter.clear()

    runs = []
    while True:
        progress = life.eraser.run("alice", NOW, max_pages=10)
        runs.append((progress, dict(request_counter)))
        request_counter.clear()
        if progress.status is not Status.PAUSED:
            break

    assert progress.status is Status.DONE
    assert progress.deleted >= MARKERS + 10  # the bulk markers and alice's own items
    assert len(runs) == 6  # 5 paused invocations of 10 pages, then the last few items
    assert progress.invocations == 6
    for paused, requests in runs[:-1]:
        assert paused.deleted_this_run == 10_000
        # 10 pages: 400 batch deletes, a keys-only query or two a page (1 MB each), 10
        # checkpoint saves, the checkpoint read and the pausing save.
        assert requests["BatchWriteItem"] == 400
        assert requests["PutItem"] == 11
        assert paused.requests_this_run == sum(requests.values()) <= 440
    assert [i["SK"] for i in _items(aws, keys.user_pk("alice"))] == [keys.PROFILE_SK]
    assert progress.requests_this_run == sum(runs[-1][1].values())
    print(  # the closing note's numbers (pytest -s)
        f"erasure of {progress.deleted} items: requests per invocation "
        f"{[dict(sorted(r.items())) for _, r in runs]}"
    )


def test_the_handler_pauses_and_its_continuation_finishes(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    """Through the real handler: one page, then the continuation (in process here; on AWS an
    asynchronous invocation of the function itself) walks the rest."""
    from functions.eraser.handler import lambda_handler
    from gamification import composition
    from gamification.local.handlers import LocalContext

    client = composition.dynamodb()
    users = composition.user_repository()
    users.update_settings("zed", lambda s: s, NOW)
    for start in range(0, 2500, 25):
        client.batch_write_item(
            RequestItems={
                stack_env.table_name: [
                    {
                        "PutRequest": {
                            "Item": to_item(
                                {"PK": keys.user_pk("zed"), "SK": keys.seen_sk(f"t#{n}")}
                            )
                        }
                    }
                    for n in range(start, start + 25)
                ]
            }
        )
    launched: list[str] = []
    requests = ErasureRequests(
        users, ErasureLedger(client, stack_env.table_name), launched.append, lambda: NOW
    )
    requests.request("zed")  # the launch is only recorded: the handler below is the run
    summary = lambda_handler(
        {"user_id": "zed", "max_pages": 1}, LocalContext("eraser", timeout_seconds=900)
    )

    assert launched == ["zed"]
    assert (summary["status"], summary["deleted_this_run"]) == ("paused", 1000)
    checkpoint = composition.eraser().run("zed", NOW)
    assert checkpoint.status is Status.DONE
    assert [i["SK"] for i in _items(stack_env, keys.user_pk("zed"))] == [keys.PROFILE_SK]
    assert users.load("zed").marks.erasing is False


def test_an_erasure_during_a_rebuild_does_not_survive_the_swap(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """The rebuild read alice before her erasure; the swap would put her back. The catch-up read
    misses her (no index keys any more) and takes her off again."""
    life = build_lifecycle(aws, redis_client)
    _active_alice(life)
    client = life.dynamodb  # the snapshot save is the rebuild's first write
    fired: list[bool] = []

    def erase_meanwhile(**_: Any) -> None:
        if fired:
            return
        fired.append(True)
        life.requests.request("alice")
        life.pipeline.project()  # the projector removes her now, before the swap

    client.meta.events.register("before-call.dynamodb.PutItem", erase_meanwhile)
    try:
        report = life.reconciler.reconcile(NOW)
    finally:
        client.meta.events.unregister("before-call.dynamodb.PutItem", erase_meanwhile)

    assert fired
    assert report.late_updates == 1
    assert {str(m) for m in redis_client.zrange(board_key(ALLTIME), 0, -1)} == {"bob"}
