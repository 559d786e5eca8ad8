"""How the wallet is stored: ledger entries, redeem receipts, per-user purchase counts and stock
shards as DynamoDB items, and the transaction items a :class:`WalletWrite` adds to a profile
commit (``user_repository``). Encodes and decodes only; keys come from ``keys``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.domain.wallet import (
    LEDGER_RETENTION,
    Cause,
    LedgerEntry,
    RedeemResult,
    WalletWrite,
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _expires(at: datetime) -> int:
    return int((at + LEDGER_RETENTION).timestamp())


def ledger_item(user_id: str, entry: LedgerEntry) -> dict[str, Any]:
    """≤ 620 bytes: short names, a ref of ≤ 300 bytes, a note of ≤ 200 characters, the first
    spendable day of a held credit (``from``, 10 characters)."""
    return to_item(
        {
            "PK": keys.user_pk(user_id),
            "SK": keys.ledger_sk(entry.seq),
            "cur": entry.currency,
            "amt": entry.amount,
            "bal": entry.balance,
            "cause": entry.cause.value,
            "kind": entry.kind,
            "ref": entry.ref,
            "at": _iso(entry.at),
            "note": entry.note,
            "credits": entry.credits if entry.credits > 1 else None,
            "from": entry.spendable_from.isoformat() if entry.spendable_from else None,
            "expires_at": _expires(entry.at),
        }
    )


def decode_ledger(item: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        seq=int(str(item["SK"]).removeprefix(keys.LEDGER_PREFIX)),
        currency=str(item["cur"]),
        amount=int(item["amt"]),
        balance=int(item["bal"]),
        cause=Cause(str(item["cause"])),
        kind=str(item["kind"]),
        ref=str(item["ref"]),
        at=datetime.fromisoformat(str(item["at"])),
        note=str(item["note"]) if item.get("note") is not None else None,
        credits=int(item.get("credits", 1)),
        spendable_from=date.fromisoformat(str(item["from"])) if item.get("from") else None,
    )


def receipt_item(user_id: str, result: RedeemResult) -> dict[str, Any]:
    """The redeem's answer, kept as long as its ledger entry (≤ 400 bytes)."""
    body = {k: v for k, v in asdict(result).items() if k != "redeemed_at"}
    return to_item(
        {
            "PK": keys.user_pk(user_id),
            "SK": keys.receipt_sk(result.key),
            **body,
            "redeemed_at": _iso(result.redeemed_at),
            "expires_at": _expires(result.redeemed_at),
        }
    )


def decode_receipt(item: Mapping[str, Any]) -> RedeemResult:
    return RedeemResult(
        key=str(item["key"]),
        item_id=str(item["item_id"]),
        quantity=int(item["quantity"]),
        currency=str(item["currency"]),
        amount=int(item["amount"]),
        balance=int(item["balance"]),
        fulfilment=str(item["fulfilment"]),
        redeemed_at=datetime.fromisoformat(str(item["redeemed_at"])),
        seq=int(item["seq"]),
    )


class WalletItems:
    """The transaction items of one :class:`WalletWrite`, and which failure each one means."""

    def __init__(self, table: str, user_id: str, write: WalletWrite) -> None:
        self.items: list[dict[str, Any]] = []
        self.receipt_at: int | None = None
        self.stock_at: list[int] = []
        self.limit_at: int | None = None
        pk = keys.user_pk(user_id)
        for entry in write.entries:
            # The profile's version guard already makes the seq unique; the condition only
            # keeps an entry from ever being overwritten (append-only).
            self.items.append(
                {
                    "Put": {
                        "TableName": table,
                        "Item": ledger_item(user_id, entry),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        redemption = write.redemption
        if redemption is None:
            return
        self.receipt_at = len(self.items)
        self.items.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": receipt_item(user_id, redemption.result),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        for shard, units in sorted(redemption.stock_taken.items()):
            self.stock_at.append(len(self.items))
            self.items.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": to_item(
                            {"PK": keys.stock_pk(redemption.item_id), "SK": keys.stock_sk(shard)}
                        ),
                        "UpdateExpression": "SET #l = #l - :q, sold = if_not_exists(sold, :z) + :q",
                        "ConditionExpression": "#l >= :q",
                        "ExpressionAttributeNames": {"#l": "left"},
                        "ExpressionAttributeValues": to_item({":q": units, ":z": 0}),
                    }
                }
            )
        if redemption.per_user_limit is not None:
            self.limit_at = len(self.items)
            self.items.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": to_item({"PK": pk, "SK": keys.bought_sk(redemption.item_id)}),
                        "UpdateExpression": "ADD #c :q",
                        "ConditionExpression": "attribute_not_exists(#c) OR #c <= :most",
                        "ExpressionAttributeNames": {"#c": "count"},
                        "ExpressionAttributeValues": to_item(
                            {
                                ":q": redemption.quantity,
                                ":most": redemption.per_user_limit - redemption.quantity,
                            }
                        ),
                    }
                }
            )
