"""Billed DynamoDB units of the wallet (issue #31): per redeem, per earning activity, per admin
adjustment, on moto with the real adapters (``UserRepository``, ``WalletStore``).

Every request is recorded as it is sent (botocore's ``provide-client-params`` event) and every
item it wrote is sized as stored right after (``dynamo_codec.item_size``): a write unit per
started KB, twice inside a transaction; a read unit per started 4 KB, half when eventually
consistent. An earning activity is compared with the same activity under rules without a
wallet, so the table shows what the wallet adds to the consumer's commit.

Run alone with ``python -m benchmarks.wallet_units``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import boto3
from moto import mock_aws

from gamification.adapters.dynamo_codec import item_size
from gamification.adapters.user_repository import UserRepository
from gamification.adapters.wallet_store import WalletStore
from gamification.domain.activity import Activity
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.wallet import (
    Currency,
    EarningRule,
    EarnOn,
    Price,
    ShopItem,
    WalletRules,
)
from gamification.local.provision import provision
from gamification.services.applier import ActivityApplier
from gamification.services.wallet import WalletService

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
USER = "u".ljust(64, "x")
"""A 64-character user id (a Cognito ``sub`` is 36)."""


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.name, params))


def _units(size: int, per: int) -> int:
    return max(1, math.ceil(size / per))


class Bill:
    """Units of the requests recorded, items sized as stored after the action."""

    def __init__(self, client: Any, table: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.writes = 0
        self.items = 0
        self.reads = 0.0
        self.names: list[str] = []
        for name, params in calls:
            self.names.append(name)
            if name == "TransactWriteItems":
                for entry in params["TransactItems"]:
                    ((_, body),) = entry.items()
                    self.writes += 2 * _units(self._size(client, table, body), 1024)
                    self.items += 1
            elif name in {"PutItem", "UpdateItem"}:
                self.writes += _units(self._size(client, table, params), 1024)
                self.items += 1
            elif name == "GetItem":
                found = client.get_item(TableName=table, Key=params["Key"]).get("Item")
                weight = 1.0 if params.get("ConsistentRead") else 0.5
                self.reads += weight * _units(item_size(found) if found else 1, 4096)
            elif name == "BatchGetItem":
                for spec in params["RequestItems"].values():
                    weight = 1.0 if spec.get("ConsistentRead") else 0.5
                    self.reads += weight * len(spec["Keys"])  # each ≤ 4 KB here
            elif name == "Query":
                self.reads += 1.0 if params.get("ConsistentRead") else 0.5  # ≤ 4 KB read

    @staticmethod
    def _size(client: Any, table: str, body: dict[str, Any]) -> int:
        if "Item" in body:
            return item_size(body["Item"])
        found = client.get_item(TableName=table, Key=body["Key"]).get("Item")
        return item_size(found) if found else item_size(body["Key"])


def _rules(wallet: bool, per_activity: bool = False, held: bool = False) -> GameRules:
    rules = default_game_rules()
    if not wallet:
        return rules.model_copy(update={"wallet": WalletRules()})
    if held:  # gems earned are pending 7 days (docs/wallet.md#holding-periods-pending-units)
        currencies = tuple(c.model_copy(update={"hold_days": 7}) for c in rules.wallet.currencies)
        return rules.model_copy(
            update={"wallet": WalletRules(currencies=currencies, earning=rules.wallet.earning)}
        )
    if per_activity:
        extra = EarningRule(on=EarnOn.EVENT, match="post_read", currency="gems", amount=1)
        earning = (*rules.wallet.earning, extra)
        return rules.model_copy(
            update={"wallet": WalletRules(currencies=rules.wallet.currencies, earning=earning)}
        )
    return rules


def _read(user_id: str, post: str, at: datetime) -> Activity:
    return Activity(
        user_id=user_id, type="post_read", object_id=post, occurred_at=at, received_at=at
    )


def _always(rules: GameRules) -> Callable[[], GameRules]:
    return lambda: rules


def _apply(applier: ActivityApplier, user_id: str, post: str) -> object:
    return applier.apply(user_id, [_read(user_id, post, NOW)])


def run() -> str:
    with mock_aws():
        stack = provision("wallet")
        client = boto3.client("dynamodb")
        recorder = Recorder()
        client.meta.events.register("provide-client-params.dynamodb", recorder)
        table = stack.table_name
        rows: list[tuple[str, str, str]] = []
        measured: dict[str, Bill] = {}

        def measure(label: str, action: Callable[[], object]) -> None:
            recorder.calls.clear()
            action()
            bill = Bill(client, table, list(recorder.calls))
            recorder.calls.clear()
            measured[label] = bill
            rows.append(
                (
                    label,
                    " + ".join(dict.fromkeys(bill.names)),
                    f"{bill.items} items, {bill.writes} WRU; {bill.reads:g} RRU",
                )
            )

        # Earning: the consumer's commit of a first activity (a badge, so a notification: a
        # transaction either way), with and without the wallet's credit and ledger entry.
        for wallet in (False, True):
            users = UserRepository(client, table, fast_path=True)
            rules = _rules(wallet)
            applier = ActivityApplier(users, _always(rules), lambda: NOW)
            who = f"{USER[:-1]}{int(wallet)}"
            label = "activity earning a badge" + (" + 5 gems" if wallet else " (no wallet)")
            measure(label, partial(_apply, applier, who, "p-0"))
        # The same with gems held 7 days: the pending lot rides in the profile, nothing more.
        users = UserRepository(client, table, fast_path=True)
        applier = ActivityApplier(users, _always(_rules(True, held=True)), lambda: NOW)
        measure(
            "activity earning a badge + 5 gems held 7 days (pending)",
            partial(_apply, applier, f"{USER[:-1]}h", "p-0"),
        )
        # A per-activity rule: an activity that earned nothing else commits as a transaction
        # (its ledger entry) instead of the fast path's profile put + marker put.
        for per_activity in (False, True):
            users = UserRepository(client, table, fast_path=True)
            rules = _rules(True, per_activity)
            applier = ActivityApplier(users, _always(rules), lambda: NOW)
            who = f"{USER[:-2]}p{int(per_activity)}"
            applier.apply(who, [_read(who, "p-0", NOW - timedelta(hours=1))])
            label = "second activity" + (" + 1 gem per read" if per_activity else " (no credit)")
            measure(label, partial(_apply, applier, who, "p-1"))

        store = WalletStore(client, table)
        rules = _rules(True)
        service = WalletService(
            UserRepository(client, table), store, store, rules=lambda: rules, clock=lambda: NOW
        )
        price = Price(currency="gems", amount=10)
        service.put_item(ShopItem(id="sticker", name="Sticker", price=price))
        service.put_item(
            ShopItem(id="hoodie", name="Hoodie", price=price, stock=500, per_user_limit=2)
        )
        service.put_item(
            ShopItem(
                id="streak-freeze",
                name="Streak Freeze",
                price=price,
                fulfilment="internal",
                grants="streak_freeze",
            )
        )
        measure(
            "admin adjust (grant)",
            lambda: service.adjust(USER, "gems", 100, reason="launch gift", ref="admin#root"),
        )
        measure("redeem: unlimited item", lambda: service.redeem(USER, "sticker", 1, "order-001"))
        measure(
            "redeem: stocked item with a per-user limit",
            lambda: service.redeem(USER, "hoodie", 1, "order-002"),
        )
        measure(
            "redeem: streak freeze (internal)",
            lambda: service.redeem(USER, "streak-freeze", 1, "order-003"),
        )
        measure(
            "redeem: the same key again (answered from the receipt)",
            lambda: service.redeem(USER, "hoodie", 1, "order-002"),
        )
        measure(
            "GET /v1/shop/items (3 items, 1 stocked, 1 limited)", lambda: service.listings(USER)
        )
        measure("GET /v1/me/wallet", lambda: service.wallet(USER))
        measure("GET /v1/me/wallet/ledger (20)", lambda: service.ledger(USER, 20))
        # Expiry: coins expire 3 days after their day; a redeem 10 days later first writes the
        # ``expired`` entry, in the same transaction.
        coins = Currency(id="coins", name="Coins", expires_after_days=3)
        expiring = rules.model_copy(
            update={
                "wallet": WalletRules(
                    currencies=(*rules.wallet.currencies, coins), earning=rules.wallet.earning
                )
            }
        )
        clock = [NOW]
        later = WalletService(
            UserRepository(client, table),
            store,
            store,
            rules=lambda: expiring,
            clock=lambda: clock[0],
        )
        later.put_item(
            ShopItem(id="badge-pin", name="Pin", price=Price(currency="coins", amount=5))
        )
        later.adjust(USER, "coins", 20, reason="seed", ref="admin#root")
        later.adjust(USER, "coins", 10, reason="seed", ref="admin#root")
        clock[0] = NOW + timedelta(days=2)
        later.adjust(USER, "coins", 10, reason="seed", ref="admin#root")
        clock[0] = NOW + timedelta(days=4)
        measure(
            "redeem: unlimited item, an expiry due (+ its `expired` entry)",
            lambda: later.redeem(USER, "badge-pin", 1, "order-004"),
        )
        client.meta.events.unregister("provide-client-params.dynamodb", recorder)

    earn = (
        measured["activity earning a badge + 5 gems"].writes
        - measured["activity earning a badge (no wallet)"].writes
    )
    lines = [
        "## Wallet: billed units per request (issue #31)",
        "",
        "On moto with the real adapters; items sized as stored, a 64-character user id.",
        "",
        "| request | DynamoDB calls | billed |",
        "|---|---|---|",
        *(f"| {label} | {calls} | {billed} |" for label, calls, billed in rows),
        "",
        f"An earning adds {earn} WRU to the commit that earns it (its ledger entry, in the same "
        "transaction).",
    ]
    assert measured["redeem: stocked item with a per-user limit"].writes <= 14, "redeem too dear"
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
