"""The control group through the consumer (moto): assignment recorded at the first commit, a
control user's commits store no notifications, an ``experiment.assigned`` event goes out, and
changing the share later moves nobody already assigned."""

from __future__ import annotations

import boto3
import redis

from gamification.adapters.notification_repository import NotificationRepository
from gamification.domain.experiments import Assignment, ControlGroup, draw
from gamification.domain.game_rules import default_game_rules
from gamification.domain.policy import Policy
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import activity, build_pipeline, record

SALT = "exp-1"


def _users(group: str, count: int, share: float = 0.5) -> list[str]:
    found = []
    for i in range(1000):
        user = f"user-{i}"
        if draw(user, ControlGroup(share=share, salt=SALT)) == group:
            found.append(user)
        if len(found) == count:
            return found
    raise AssertionError("not enough users")


def test_control_users_play_invisibly(aws: Provisioned, redis_client: redis.Redis) -> None:
    pipeline = build_pipeline(
        aws,
        redis_client,
        rules=default_game_rules(Policy(control=ControlGroup(share=0.5, salt=SALT))),
    )
    [held_out] = _users("control", 1)
    [playing] = _users("treatment", 1)
    pipeline.consumer.consume(
        [record(activity(user_id=u, object_id="p1")) for u in (held_out, playing)]
    )

    feed = NotificationRepository(boto3.client("dynamodb"), aws.table_name)
    assert feed.page(held_out, limit=10).items == []
    assert feed.page(playing, limit=10).items != []  # "Badge Unlocked: First Steps"
    control = pipeline.users.load(held_out).state
    assert control.experiment == Assignment(group="control", salt=SALT)
    assert control.xp == 10  # recorded and ranked all the same
    assert pipeline.users.load(playing).state.experiment == Assignment(group="treatment", salt=SALT)


def test_a_new_share_moves_nobody_already_assigned(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    first = build_pipeline(
        aws,
        redis_client,
        rules=default_game_rules(Policy(control=ControlGroup(share=0.5, salt=SALT))),
    )
    users = _users("control", 3) + _users("treatment", 3)
    first.consumer.consume([record(activity(user_id=u, object_id="p1")) for u in users])
    before = {u: first.users.load(u).state.experiment for u in users}

    later = build_pipeline(
        aws,
        redis_client,
        rules=default_game_rules(
            Policy(control=ControlGroup(share=0.0, salt=SALT))  # the share turned down: same salt
        ),
    )
    later.consumer.consume([record(activity(user_id=u, object_id="p2")) for u in users])

    assert {u: later.users.load(u).state.experiment for u in users} == before


def test_no_experiment_no_assignment(aws: Provisioned, redis_client: redis.Redis) -> None:
    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(user_id="ann", object_id="p1"))])
    assert pipeline.users.load("ann").state.experiment is None
