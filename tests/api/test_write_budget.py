"""The per-user write budget: one user over it gets 429 while everyone else is served."""

from __future__ import annotations

import json

import pytest

from gamification import composition
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import SERVICE, Api, Identity, admin, user

ALICE = user("alice")
BOB = user("bob")


@pytest.fixture
def budget_of_three(stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAMIFY_WRITE_BUDGET_PER_MINUTE", "3")
    composition.reset()


def test_a_user_over_budget_gets_429_while_another_is_served(
    api: Api, stack_env: Provisioned, budget_of_three: None
) -> None:
    def report(who: Identity, n: int) -> int:
        body = {"type": "post_read", "object_id": f"post-{n}"}
        return api.post("/v1/activities", as_=who, body=body).status

    assert [report(ALICE, n) for n in range(3)] == [202, 202, 202]
    refused = api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "x"})
    served = report(BOB, 0)

    assert refused.status == 429, refused.text
    assert refused.error["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert served == 202
    # The settings route spends the same budget; the refused request queued nothing.
    assert api.put("/v1/me/settings", as_=ALICE, body={"push_enabled": True}).status == 429
    assert seed.queue_depth(stack_env.queue_url) == 4


def test_a_batch_spends_one_unit_per_activity(
    api: Api, stack_env: Provisioned, budget_of_three: None
) -> None:
    batch = [{"type": "post_read", "object_id": f"post-{n}"} for n in range(4)]
    reply = api.post("/v1/activities/batch", as_=ALICE, body={"activities": batch})
    assert reply.status == 429, reply.text
    reply = api.post("/v1/activities/batch", as_=ALICE, body={"activities": batch[:3]})
    assert reply.status == 202, reply.text


def test_the_service_route_has_no_per_user_budget(
    api: Api, stack_env: Provisioned, budget_of_three: None
) -> None:
    statuses = {
        api.post(
            "/v1/internal/activities",
            as_=SERVICE,
            body={"user_id": "alice", "type": "challenge_solved", "object_id": f"c-{n}"},
        ).status
        for n in range(5)
    }
    assert statuses == {202}


def test_brackets_and_digits_inside_strings_count_for_nothing(api: Api) -> None:
    body = json.dumps({"display_name": "[[[[[[[[[[[[" + "9" * 45})
    reply = api.put("/v1/me/settings", as_=ALICE, raw_body=body)
    assert reply.status == 200, reply.text


def test_redeems_spend_the_same_budget_and_a_refused_one_debits_nothing(
    api: Api, budget_of_three: None
) -> None:
    """The redeem rate limit is the writer's budget: past it a redeem is a 429 before any
    transaction, so nothing is debited and no stock is taken (docs/wallet.md)."""
    item = {"name": "Sticker", "price": {"currency": "gems", "amount": 5}, "fulfilment": "external"}
    assert api.put("/v1/admin/shop/items/sticker", as_=admin(), body=item).status == 200
    grant = {"currency": "gems", "amount": 100, "reason": "launch"}
    assert api.post("/v1/admin/users/alice/wallet/adjust", as_=admin(), body=grant).status == 200

    def redeem(n: int) -> int:
        body = {"item_id": "sticker", "idempotency_key": f"sticker-{n:04d}"}
        return api.post("/v1/me/wallet/redeem", as_=ALICE, body=body).status

    assert [redeem(n) for n in range(4)] == [200, 200, 200, 429]
    wallet = api.get("/v1/me/wallet", as_=ALICE)
    assert wallet.status == 200, wallet.text
    assert {b["currency"]: b["balance"] for b in wallet.json["balances"]}["gems"] == 85
