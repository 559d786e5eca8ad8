"""The typed Python client against the local stack: what an app's backend would do with it."""

from __future__ import annotations

import pytest

from gamify_client import ApiError, GamifyClient
from tests.e2e.stack import StackProcess, eventually

pytestmark = pytest.mark.e2e

USER = "org:ada"  # a ':' in the id: the client quotes path parameters whole


def test_report_read_and_rank_through_the_client(stack: StackProcess) -> None:
    ada = GamifyClient(stack.url, f"Bearer dev:{USER}")

    accepted = ada.report_activities(
        {"activities": [{"type": "post_read", "object_id": f"post-{i}"} for i in range(3)]}
    )
    assert [item["status"] for item in accepted["results"]] == ["accepted"] * 3

    me = eventually(lambda: (p := ada.get_my_profile())["xp"] == 30 and p, what="ada's XP")
    assert me["user_id"] == USER
    profile = ada.get_user_profile(USER)
    assert profile["xp"] == 30

    def ranked() -> int | None:
        return ada.get_leaderboard_around(USER, period="alltime", radius=1)["rank"]

    assert eventually(ranked, what="ada on the board") == 1
    page = ada.get_leaderboard(limit=5)
    assert [(e["user_id"], e["xp"]) for e in page["entries"]] == [(USER, 30)]


def test_errors_come_back_as_the_api_wrote_them(stack: StackProcess) -> None:
    ada = GamifyClient(stack.url, f"Bearer dev:{USER}")

    with pytest.raises(ApiError) as invalid:
        ada.report_activity({"type": "post_read", "object_id": ""})
    assert invalid.value.status == 422
    assert any(d["field"].startswith("body.object_id") for d in invalid.value.details)

    with pytest.raises(ApiError) as anonymous:
        GamifyClient(stack.url).get_my_profile()
    assert anonymous.value.status == 401

    with pytest.raises(ApiError) as not_admin:
        ada.list_webhooks()
    assert not_admin.value.status == 403

    assert GamifyClient(stack.url).get_health()["status"] == "ok"
