"""The wallet over HTTP: gems earned by a badge, a streak freeze bought with them, an external
item redeemed once per key with its ``reward.redeemed`` in the profile's outbox, the ledger,
admin adjustments and the refusals."""

from __future__ import annotations

from typing import Any

import boto3

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.event_codec import OUTBOX, decode_outbox
from gamification.domain.domain_events import EventDraft
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, LambdaContext, admin, user

ALICE = user("alice")
FREEZE: dict[str, Any] = {
    "name": "Streak Freeze",
    "description": "Covers one missed day.",
    "price": {"currency": "gems", "amount": 10},
    "per_user_limit": 5,
    "fulfilment": "internal",
    "grants": "streak_freeze",
}
HOODIE: dict[str, Any] = {
    "name": "Hoodie",
    "price": {"currency": "gems", "amount": 20},
    "stock": 3,
    "fulfilment": "external",
}


def _consume(stack_env: Provisioned) -> None:
    from functions.consumer.handler import lambda_handler

    event = seed.sqs_event(stack_env.queue_url, stack_env.queue_arn)
    assert lambda_handler(event, LambdaContext("consumer")) == {"batchItemFailures": []}


def _drafts(stack_env: Provisioned, user_id: str) -> list[EventDraft]:
    item = boto3.client("dynamodb").get_item(
        TableName=stack_env.table_name,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
    )["Item"]
    return decode_outbox(bytes(item[OUTBOX]["B"])) if OUTBOX in item else []


def _outbox(stack_env: Provisioned, user_id: str) -> list[str]:
    return [d.type for d in _drafts(stack_env, user_id)]


def test_earn_by_a_badge_buy_a_freeze_and_redeem_an_external_item_once(
    api: Api, stack_env: Provisioned
) -> None:
    assert api.put("/v1/admin/shop/items/streak-freeze", as_=admin(), body=FREEZE).status == 200
    assert api.put("/v1/admin/shop/items/hoodie", as_=admin(), body=HOODIE).status == 200
    api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "post-1"})
    _consume(stack_env)

    earned = api.get("/v1/me/wallet", as_=ALICE).json
    assert earned["balances"][0] == {
        "currency": "gems",
        "name": "Gems",
        "balance": 5,  # the "First Steps" badge: any badge pays 5 gems (data/currencies.json)
        "pending": 0,
        "next_release": None,  # shipped gems are spendable at once (no hold_days)
        "expiring_soon": 0,
        "next_expiry": None,  # shipped gems never expire
    }
    assert api.get("/v1/me", as_=ALICE).json["streak"]["freezes"] == 0
    poor = api.post(
        "/v1/me/wallet/redeem",
        as_=ALICE,
        body={"item_id": "streak-freeze", "idempotency_key": "freeze-0001"},
    )
    assert (poor.status, poor.error["code"]) == (409, "insufficient_funds")

    grant = api.post(
        "/v1/admin/users/alice/wallet/adjust",
        as_=admin(),
        body={"currency": "gems", "amount": 40, "reason": "launch gift"},
    )
    assert grant.status == 200, grant.text
    # The grant's ledger entry goes out as an event, without the admin's id or reason.
    [granted] = _drafts(stack_env, "alice")
    assert (granted.type, granted.fact) == ("wallet.entry_posted", "1")
    assert (granted.data["amount"], granted.data["ref"]) == (40, None)
    assert not [w for w in ("launch gift", "root") if w in str(granted.data)]
    freeze = api.post(
        "/v1/me/wallet/redeem",
        as_=ALICE,
        body={"item_id": "streak-freeze", "idempotency_key": "freeze-0001"},
    )
    assert freeze.status == 200, freeze.text
    assert api.get("/v1/me", as_=ALICE).json["streak"]["freezes"] == 1

    body = {"item_id": "hoodie", "quantity": 1, "idempotency_key": "hoodie-0001"}
    first = api.post("/v1/me/wallet/redeem", as_=ALICE, body=body)
    assert _outbox(stack_env, "alice") == ["reward.redeemed", "wallet.entry_posted"]
    again = api.post("/v1/me/wallet/redeem", as_=ALICE, body=body)
    assert first.status == again.status == 200
    assert again.json == first.json
    assert first.json["balance"] == 5 + 40 - 10 - 20

    ledger = api.get("/v1/me/wallet/ledger", as_=ALICE, query={"limit": "3"}).json
    assert [(e["seq"], e["amount"], e["kind"]) for e in ledger["entries"]] == [
        (3, -20, "redeem"),
        (2, -10, "redeem"),
        (1, 40, "grant"),
    ]
    rest = api.get(
        "/v1/me/wallet/ledger", as_=ALICE, query={"before": str(ledger["next_before"])}
    ).json
    assert [(e["amount"], e["kind"], e["ref"]) for e in rest["entries"]] == [
        (5, "badge", "badge_earned#first-read")
    ]
    assert rest["next_before"] is None
    shop = api.get("/v1/shop/items", as_=ALICE).json
    listed = {i["id"]: (i["units_left"], i["bought_so_far"]) for i in shop["items"]}
    assert listed == {"streak-freeze": (None, 1), "hoodie": (2, None)}  # 3 in stock, 1 sold


def test_refusals_name_their_cause(api: Api, stack_env: Provisioned) -> None:
    no_grant = api.put("/v1/admin/shop/items/odd", as_=admin(), body={**FREEZE, "grants": None})
    unknown = api.put(
        "/v1/admin/shop/items/odd",
        as_=admin(),
        body={**HOODIE, "price": {"currency": "coins", "amount": 1}},
    )
    missing = api.post(
        "/v1/me/wallet/redeem", as_=ALICE, body={"item_id": "nope", "idempotency_key": "k-000001"}
    )
    short_key = api.post(
        "/v1/me/wallet/redeem", as_=ALICE, body={"item_id": "hoodie", "idempotency_key": "k1"}
    )
    negative = api.post(
        "/v1/admin/users/alice/wallet/adjust",
        as_=admin(),
        body={"currency": "gems", "amount": -5, "reason": "correction"},
    )
    forced = api.post(
        "/v1/admin/users/alice/wallet/adjust",
        as_=admin(),
        body={"currency": "gems", "amount": -5, "reason": "chargeback", "allow_negative": True},
    )
    not_admin = api.post(
        "/v1/admin/users/alice/wallet/adjust",
        as_=ALICE,
        body={"currency": "gems", "amount": 5, "reason": "me"},
    )

    assert (no_grant.status, no_grant.error_fields()) == (400, {"body.grants"})
    assert (unknown.status, unknown.error_fields()) == (400, {"body.currency"})
    assert (missing.status, missing.error_fields()) == (400, {"body.item_id"})
    assert short_key.status == 422
    assert (negative.status, negative.error["code"]) == (409, "insufficient_funds")
    assert (forced.status, forced.json["balance"]) == (200, -5)
    assert not_admin.status == 403


def test_admins_edit_the_currencies_and_rules_and_never_remove_a_currency(
    api: Api, stack_env: Provisioned
) -> None:
    shipped = api.get("/v1/admin/wallet/rules", as_=admin()).json
    currencies: list[dict[str, Any]] = [
        {"id": "gems", "name": "Gems", "balance_cap": 1000},
        {"id": "coins", "name": "C"},
        {"id": "shells", "name": "Shells", "expires_after_days": 30, "hold_days": 2},
    ]
    rules: dict[str, Any] = {
        "currencies": currencies,
        "earning": [{"on": "event", "match": "post_read", "currency": "coins", "amount": 2}],
    }
    saved = api.put("/v1/admin/wallet/rules", as_=admin(), body=rules)
    dropped = api.put(
        "/v1/admin/wallet/rules", as_=admin(), body={**rules, "currencies": currencies[1:]}
    )
    unknown = api.put(
        "/v1/admin/wallet/rules",
        as_=admin(),
        body={**rules, "earning": [{"on": "badge", "currency": "stars", "amount": 1}]},
    )
    from gamification import composition

    composition.rules().invalidate()  # the consumer's container reads them within a minute
    api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "post-9"})
    _consume(stack_env)

    assert [c["id"] for c in shipped["currencies"]] == ["gems"]
    assert saved.status == 200, saved.text
    # Expiry and holding periods are settings of a currency the admin can set and read back.
    assert api.get("/v1/admin/wallet/rules", as_=admin()).json["currencies"][2] == {
        **currencies[2],
        "balance_cap": 1_000_000,
    }
    assert (dropped.status, dropped.error_fields()) == (400, {"body.currencies"})
    assert (unknown.status, unknown.error_fields()) == (400, {"body.earning"})
    balances = {
        b["currency"]: b["balance"] for b in api.get("/v1/me/wallet", as_=ALICE).json["balances"]
    }
    assert balances == {"gems": 0, "coins": 2, "shells": 0}  # no badge rule; 2 coins per read


def test_the_export_carries_the_wallet_records(api: Api, stack_env: Provisioned) -> None:
    """Issue #31: "export carries it". ``GET /v1/me/export`` holds every ledger entry (as
    ``GET /v1/me/wallet/ledger`` lists it), each redeem's receipt, the per-item purchase counts
    and the balances; another user's export holds none of them."""
    limited = {**HOODIE, "per_user_limit": 3}  # a per-user limit keeps a purchase count
    assert api.put("/v1/admin/shop/items/hoodie", as_=admin(), body=limited).status == 200
    api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "post-1"})
    _consume(stack_env)  # the first badge: +5 gems
    grant = api.post(
        "/v1/admin/users/alice/wallet/adjust",
        as_=admin(),
        body={"currency": "gems", "amount": 40, "reason": "launch gift"},
    )
    assert grant.status == 200, grant.text
    for key in ("hoodie-0001", "hoodie-0001", "hoodie-0002"):  # a repeated key debits once
        body = {"item_id": "hoodie", "quantity": 1, "idempotency_key": key}
        assert api.post("/v1/me/wallet/redeem", as_=ALICE, body=body).status == 200

    records: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"cursor": cursor} if cursor else None
        page = api.get("/v1/me/export", as_=ALICE, query=query)
        assert page.status == 200, page.text
        if cursor is None:
            first = page.json
        records += page.json["records"]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break

    ledger = api.get("/v1/me/wallet/ledger", as_=ALICE).json["entries"]
    listed = [(e["seq"], e["amount"], e["balance"], e["kind"], e["ref"]) for e in ledger]
    exported = [
        (r["seq"], r["amount"], r["balance"], r["what"], r["ref"])
        for r in records
        if r["kind"] == "wallet_ledger"
    ]
    assert sorted(exported) == sorted(listed)
    assert [seq for seq, *_ in sorted(exported)] == [0, 1, 2, 3]  # the badge, grant, 2 debits
    assert [r["note"] for r in records if r.get("what") == "grant"] == ["launch gift"]
    receipts = [r for r in records if r["kind"] == "wallet_redeem"]
    assert sorted((r["idempotency_key"], r["item_id"], r["amount"]) for r in receipts) == [
        ("hoodie-0001", "hoodie", 20),
        ("hoodie-0002", "hoodie", 20),
    ]
    bought = [(r["item_id"], r["count"]) for r in records if r["kind"] == "wallet_purchases"]
    assert bought == [("hoodie", 2)]
    assert first["profile"]["wallet"]["balances"] == {"gems": 5 + 40 - 2 * 20}

    seed.profile("bob", 10)
    other = api.get("/v1/me/export", as_=user("bob")).json["records"]
    assert not [r for r in other if str(r["kind"]).startswith("wallet_")]
