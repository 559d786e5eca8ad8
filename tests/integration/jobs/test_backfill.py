"""Badge backfill: a new or changed badge reaches exactly the qualifying users, once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
import redis
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from gamification import composition
from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.job_launcher import LambdaJobLauncher
from gamification.adapters.leaderboard import ALLTIME, Leaderboard
from gamification.domain.badges import parse_badge
from gamification.domain.catalog import BADGE_EARNED, EventType, Reporter
from gamification.domain.game_rules import GameRules
from gamification.local.provision import Provisioned
from gamification.services.backfill import BackfillProgress, Status
from tests.integration.jobs.support import Context, World, build_world

READS = {f"user-{n}": n for n in range(1, 9)}  # user-1 read 1 post ... user-8 read 8
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def avid_reader(count: int) -> Any:
    return parse_badge(
        {
            "id": "avid-reader",
            "name": "Avid Reader",
            "description": f"Read {count} posts.",
            "icon": "icons/avid-reader.svg",
            "criteria": {"type": "posts_read", "count": count},
        }
    )


@pytest.fixture
def world(aws: Provisioned, redis_client: redis.Redis) -> World:
    world = build_world(aws, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id, reads in READS.items():
        world.player(
            user_id, push=reads % 2 == 0, active_days=[date(2026, 11, 20)], reads_per_day=reads
        )
    world.badges.seed_defaults()
    return world


def holders(world: World, badge_id: str) -> set[str]:
    users = world.users.load_many(READS)
    return {u for u, s in users.items() if badge_id in s.state.badges}


def badge_notifications(world: World, user_id: str, badge_id: str) -> int:
    items = boto3.client("dynamodb").query(
        TableName=world.aws.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues=to_item({":pk": keys.user_pk(user_id), ":sk": "NOTIF#"}),
    )["Items"]
    return sum(1 for i in items if i["notification_id"]["S"] == f"badge#{badge_id}")


def run_to_completion(world: World, **limits: Any) -> list[BackfillProgress]:
    """Invoke again and again, as the handler's continuation does, until the walk is done."""
    job = world.backfill(page_size=2)
    runs = [job.run("avid-reader", NOW, **limits)]
    while not runs[-1].finished:
        runs.append(job.run("avid-reader", NOW, **limits))
    return runs


def test_a_new_badge_reaches_exactly_the_qualifying_users_once_across_interruptions(
    world: World,
) -> None:
    world.badges.put(avid_reader(5))
    qualifying = {u for u, n in READS.items() if n >= 5}

    runs = run_to_completion(world, max_pages=1)

    assert len(runs) >= keys.PLAYER_SHARDS  # one page per run: interrupted again and again
    assert all(r.status is Status.PAUSED for r in runs[:-1])
    assert runs[-1].status is Status.DONE
    assert holders(world, "avid-reader") == qualifying
    for user_id in READS:
        expected = 1 if user_id in qualifying else 0
        assert badge_notifications(world, user_id, "avid-reader") == expected, user_id
    final = runs[-1].checkpoint
    assert final is not None
    assert (final.scanned, final.awarded, final.already_had) == (8, len(qualifying), 0)
    assert final.not_qualified == 8 - len(qualifying)
    assert sum(r.awarded_this_run for r in runs) == len(qualifying)

    again = world.backfill().run("avid-reader", NOW)  # e.g. the admin saves it once more

    assert again.status is Status.DONE
    assert again.checkpoint is not None
    assert (again.checkpoint.awarded, again.checkpoint.already_had) == (0, len(qualifying))
    assert all(badge_notifications(world, u, "avid-reader") == 1 for u in qualifying)


def test_a_crash_in_the_middle_of_a_page_resumes_without_double_awards(world: World) -> None:
    world.badges.put(avid_reader(3))
    qualifying = {u for u, n in READS.items() if n >= 3}
    commits = {"n": 0}

    def crash_on_the_fifth_award(**_: Any) -> None:
        commits["n"] += 1
        if commits["n"] == 5:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    world.dynamodb.meta.events.register(
        "before-call.dynamodb.TransactWriteItems", crash_on_the_fifth_award
    )
    job = world.backfill(page_size=3)
    with pytest.raises(ClientError):
        job.run("avid-reader", NOW)
    assert 0 < len(holders(world, "avid-reader")) < len(qualifying)

    resumed = job.run("avid-reader", NOW)

    assert resumed.status is Status.DONE
    assert holders(world, "avid-reader") == qualifying
    assert all(badge_notifications(world, u, "avid-reader") == 1 for u in qualifying)
    assert resumed.checkpoint is not None
    assert resumed.checkpoint.awarded + resumed.checkpoint.already_had == len(qualifying)


def test_a_changed_definition_walks_again_and_awards_the_newly_qualifying(world: World) -> None:
    world.badges.put(avid_reader(7))
    world.backfill().run("avid-reader", NOW)
    assert holders(world, "avid-reader") == {"user-7", "user-8"}

    world.badges.put(avid_reader(4))  # easier now
    changed = world.backfill().run("avid-reader", NOW)

    assert changed.status is Status.DONE
    assert changed.checkpoint is not None
    assert (changed.checkpoint.awarded, changed.checkpoint.already_had) == (3, 2)
    assert holders(world, "avid-reader") == {f"user-{n}" for n in range(4, 9)}

    world.badges.put(avid_reader(8))  # harder: nobody loses what they earned
    world.backfill().run("avid-reader", NOW)
    assert holders(world, "avid-reader") == {f"user-{n}" for n in range(4, 9)}


def test_a_run_for_a_superseded_definition_stops(world: World) -> None:
    world.badges.put(avid_reader(7))
    arrived: list[BackfillProgress] = []
    fired: list[bool] = []

    def newer_definition_arrives(**_: Any) -> None:
        if not fired:  # while the old run works on its first page
            fired.append(True)
            world.badges.put(avid_reader(3))
            arrived.append(world.backfill(page_size=2).run("avid-reader", NOW, max_pages=1))

    world.dynamodb.meta.events.register(
        "before-call.dynamodb.BatchGetItem", newer_definition_arrives, unique_id="newer"
    )
    old = world.backfill(page_size=2).run("avid-reader", NOW)
    world.dynamodb.meta.events.unregister("before-call.dynamodb.BatchGetItem", unique_id="newer")

    assert old.status is Status.SUPERSEDED  # it stopped after one page of old criteria
    assert arrived[0].status is Status.PAUSED
    assert run_to_completion(world)[-1].status is Status.DONE  # the newer walk resumes
    assert holders(world, "avid-reader") == {u for u, n in READS.items() if n >= 3}


def test_removing_a_definition_keeps_earned_badges(world: World) -> None:
    world.badges.put(avid_reader(5))
    world.backfill().run("avid-reader", NOW)
    earned = holders(world, "avid-reader")

    world.badges.delete("avid-reader")
    gone = world.backfill().run("avid-reader", NOW)

    assert gone.status is Status.NO_DEFINITION
    assert holders(world, "avid-reader") == earned


def alltime_board(world: World) -> dict[str, int]:
    return dict(world.leaderboard.scores(ALLTIME))


def with_badge_xp(rules: GameRules, xp: int) -> GameRules:
    badge_earned = EventType(name=BADGE_EARNED, base_xp=xp, reporter=Reporter.SYSTEM)
    return GameRules(
        events=rules.events.with_types([badge_earned]),
        badges=rules.badges,
        boosts=rules.boosts,
        policy=rules.policy,
    )


def test_with_a_leaderboard_the_scores_a_badge_raised_are_published_at_once(
    world: World,
) -> None:
    world.rules = with_badge_xp(world.rules, 20)
    world.badges.put(avid_reader(7))

    world.backfill().run("avid-reader", NOW)

    board = alltime_board(world)
    assert (board["user-7"], board["user-8"]) == (70 + 20, 80 + 20)


def test_without_a_leaderboard_the_next_reconciliation_raises_the_scores(world: World) -> None:
    """On AWS the backfill has no Redis: the awards commit and the board catches up later."""
    world.rules = with_badge_xp(world.rules, 20)
    world.badges.put(avid_reader(7))

    done = world.backfill(with_leaderboard=False).run("avid-reader", NOW)

    assert done.status is Status.DONE
    assert holders(world, "avid-reader") == {"user-7", "user-8"}
    stored = world.users.load_many(["user-7", "user-8"])
    assert [stored[u].state.xp for u in ("user-7", "user-8")] == [90, 100]
    board = alltime_board(world)
    assert (board["user-7"], board["user-8"]) == (70, 80)  # not raised yet

    world.reconciler().reconcile(NOW)

    board = alltime_board(world)
    assert (board["user-7"], board["user-8"]) == (90, 100)


def test_the_backfill_gets_a_leaderboard_only_where_redis_is_configured(
    stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(composition.leaderboard_if_configured(), Leaderboard)
    monkeypatch.delenv("REDIS_URL")  # as on AWS: the backfill is given no cache
    composition.reset()
    assert composition.leaderboard_if_configured() is None


def test_handler_pauses_and_continues_through_the_launcher(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    from functions.backfill.handler import lambda_handler

    world = build_world(stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id in ("a", "b", "c"):
        world.player(user_id, active_days=[date(2026, 11, 20)], reads_per_day=2)
    world.badges.seed_defaults()
    world.badges.put(avid_reader(2))

    summary = lambda_handler({"badge_id": "avid-reader", "max_pages": 1}, Context("backfill"))

    assert summary["status"] == "paused"  # and the in-process launcher ran the rest
    progress = world.checkpoints.load("avid-reader")
    assert progress is not None
    assert progress.done
    assert progress.awarded == 3
    assert {
        u for u, s in world.users.load_many("abc").items() if "avid-reader" in s.state.badges
    } == {
        "a",
        "b",
        "c",
    }


def test_handler_near_its_timeout_continues_in_a_new_invocation(
    stack_env: Provisioned, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.backfill.handler import lambda_handler

    world = build_world(stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id in ("a", "b"):
        world.player(user_id, active_days=[date(2026, 11, 20)])
    world.badges.seed_defaults()
    world.badges.put(avid_reader(1))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "gamify-backfill")  # set by the runtime
    composition.reset()

    with Stubber(composition.lambda_client()) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "gamify-backfill",
                "InvocationType": "Event",
                "Payload": json.dumps({"badge_id": "avid-reader"}).encode(),
            },
        )
        summary = lambda_handler(
            {"badge_id": "avid-reader"}, Context("backfill", remaining_ms=30_000)
        )
        stub.assert_no_pending_responses()

    assert summary["status"] == "paused"
    assert summary["pages"] == 1  # one page, then it handed over before the timeout


def test_the_lambda_launcher_invokes_the_backfill_asynchronously() -> None:
    client = boto3.client("lambda")
    launcher = LambdaJobLauncher(client, "gamify-backfill", "badge_id")
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "gamify-backfill",
                "InvocationType": "Event",
                "Payload": json.dumps({"badge_id": "avid-reader"}).encode(),
            },
        )
        launcher("avid-reader")
        stub.assert_no_pending_responses()


def test_the_factory_picks_the_launcher_from_the_environment(
    stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not isinstance(composition.backfill_launcher(), LambdaJobLauncher)
    monkeypatch.setenv("BACKFILL_FUNCTION_NAME", "gamify-backfill")
    composition.reset()
    assert isinstance(composition.backfill_launcher(), LambdaJobLauncher)


def test_the_walk_reaches_players_still_under_the_old_shard_count(world: World) -> None:
    """Entries written while ``PLAYER_SHARDS`` was 8 keep their key until the next write."""
    for user_id in READS:
        world.dynamodb.update_item(
            TableName=world.aws.table_name,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            UpdateExpression="SET GSI2PK = :pk",
            ExpressionAttributeValues=to_item(
                {":pk": keys.players_pk(keys.player_shard(user_id, 8))}
            ),
        )
    world.badges.put(avid_reader(5))

    runs = run_to_completion(world)

    qualifying = {u for u, n in READS.items() if n >= 5}
    assert holders(world, "avid-reader") == qualifying
    final = runs[-1].checkpoint
    assert final is not None
    # An award is a profile write: it re-keys the player to a higher shard, where the walk may
    # meet them again; the second meeting finds the badge held.
    assert final.scanned >= len(READS)
    assert final.awarded == len(qualifying)
    assert final.scanned == len(READS) + final.already_had
    for user_id in qualifying:
        assert badge_notifications(world, user_id, "avid-reader") == 1


def outbox(world: World, user_id: str) -> list[tuple[str, str]]:
    """(type, fact) of the events the user's latest profile write committed."""
    item = boto3.client("dynamodb").get_item(
        TableName=world.aws.table_name,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
    )["Item"]
    found = outbox_of_image(from_item(item))
    return [(d.type, d.fact) for d in found[2]] if found else []


def test_the_badges_a_backfill_awards_leave_as_badge_earned_events(world: World) -> None:
    """In the award's own profile write (the outbox), under the fact the consumer names it by:
    the same id whichever of the two awards it, and a rolled-back award emits nothing."""
    world.badges.put(avid_reader(5))
    qualifying = {u for u, n in READS.items() if n >= 5}

    run_to_completion(world)

    for user_id in READS:
        told = ("badge.earned", "avid-reader") in outbox(world, user_id)
        assert told is (user_id in qualifying), user_id


def test_a_control_user_gets_the_backfilled_badge_but_no_notification(world: World) -> None:
    world.player(
        "quiet", push=True, active_days=[date(2026, 11, 20)], reads_per_day=6, control=True
    )
    world.badges.put(avid_reader(5))

    run_to_completion(world)

    assert "avid-reader" in world.users.load("quiet").state.badges
    assert badge_notifications(world, "quiet", "avid-reader") == 0
    assert badge_notifications(world, "user-6", "avid-reader") == 1  # the treated still are
