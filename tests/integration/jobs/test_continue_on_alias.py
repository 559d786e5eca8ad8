"""A paused job continues on its ``live`` alias, never on ``$LATEST``: the stack names the alias
in ``GAMIFY_SELF_INVOKE_NAME`` (docs/deploy.md, "Safe deploys"), and only that qualified name is
in the function's invoke grant (tests/infra/test_iam.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import redis
from botocore.stub import Stubber

from gamification import composition
from gamification.domain.badges import parse_badge
from gamification.local.provision import Provisioned
from tests.integration.jobs.support import Context, build_world

AVID_READER = parse_badge(
    {
        "id": "avid-reader",
        "name": "Avid Reader",
        "description": "Read 1 post.",
        "icon": "icons/avid-reader.svg",
        "criteria": {"type": "posts_read", "count": 1},
    }
)


@pytest.mark.parametrize(
    ("qualified", "invoked"),
    [("gamify-backfill:live", "gamify-backfill:live"), (None, "gamify-backfill")],
)
def test_a_paused_backfill_continues_on_the_name_the_stack_gives(
    stack_env: Provisioned,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    qualified: str | None,
    invoked: str,
) -> None:
    from functions.backfill.handler import lambda_handler

    world = build_world(stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id in ("a", "b"):
        world.player(user_id, active_days=[date(2026, 11, 20)])
    world.badges.seed_defaults()
    world.badges.put(AVID_READER)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "gamify-backfill")  # set by the runtime
    if qualified is not None:
        monkeypatch.setenv("GAMIFY_SELF_INVOKE_NAME", qualified)  # set by the stack
    composition.reset()

    with Stubber(composition.lambda_client()) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": invoked,
                "InvocationType": "Event",
                "Payload": json.dumps({"badge_id": "avid-reader"}).encode(),
            },
        )
        summary = lambda_handler(
            {"badge_id": "avid-reader"}, Context("backfill", remaining_ms=30_000)
        )
        stub.assert_no_pending_responses()

    assert summary["status"] == "paused"
