"""DynamoDB capacity units as DynamoDB bills them, metered on a client's requests (moto).

Request counts hide the cost of large items: DynamoDB bills a write per started KB of the item
(the larger of the old and the new version), a strongly consistent read per started 4 KB (half
for an eventually consistent one, a whole unit for a missing item) and twice that for items
inside a transaction. This meter computes those units from the requests and responses, keeping
the size of every item it saw written so a replacement is billed at the larger of the two.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gamification.adapters.dynamo_codec import item_size

KB = 1024


@dataclass
class Capacity:
    write_units: float = 0.0
    read_units: float = 0.0
    largest_item: int = 0
    """Bytes of the largest item written or read."""
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    write_units_by_kind: dict[str, float] = field(default_factory=dict)
    """Write units per kind of item (the sort key's prefix: SEEN, PROFILE, DAY, NOTIF...)."""
    requests: float = 0.0
    """DynamoDB requests made (each billed as above, whatever it reads or writes)."""

    def _key(self, item: Mapping[str, Any]) -> tuple[str, str]:
        return (item["PK"]["S"], item["SK"]["S"])

    def written(self, item: Mapping[str, Any], transactional: bool, succeeded: bool) -> None:
        size = item_size(item)
        key = self._key(item)
        billed = max(size, self.sizes.get(key, 0))
        units = math.ceil(billed / KB) * (2 if transactional else 1)
        self.write_units += units
        kind = key[1].split("#", 1)[0]
        self.write_units_by_kind[kind] = self.write_units_by_kind.get(kind, 0) + units
        self.largest_item = max(self.largest_item, size)
        if succeeded:
            self.sizes[key] = size

    def read(self, item: Mapping[str, Any] | None, consistent: bool) -> None:
        self.read_size(item_size(item) if item else 0, consistent)

    def read_size(self, size: int, consistent: bool) -> None:
        self.largest_item = max(self.largest_item, size)
        units = max(1, math.ceil(size / (4 * KB)))
        self.read_units += units if consistent else units / 2

    def queried(self, items: list[Mapping[str, Any]], consistent: bool) -> None:
        """A query or scan rounds the total of the items it returns, once."""
        total = sum(item_size(i) for i in items)
        units = max(1, math.ceil(total / (4 * KB)))
        self.read_units += units if consistent else units / 2


@contextmanager
def metering(client: Any, capacity: Capacity | None = None) -> Iterator[Capacity]:
    """Meter every DynamoDB request ``client`` makes inside the block."""
    meter = capacity or Capacity()

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["metered_params"] = params

    def bill(event_name: str, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        _bill(meter, event_name.rsplit(".", 1)[-1], context.get("metered_params", {}), parsed)

    client.meta.events.register("provide-client-params.dynamodb.*", remember)
    client.meta.events.register("after-call.dynamodb.*", bill)
    try:
        yield meter
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.*", remember)
        client.meta.events.unregister("after-call.dynamodb.*", bill)


def _bill(meter: Capacity, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
    meter.requests += 1
    succeeded = "Error" not in parsed
    if operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            if "Put" in entry:
                meter.written(entry["Put"]["Item"], transactional=True, succeeded=succeeded)
            else:  # ConditionCheck, Update, Delete: billed on the stored item
                (action,) = entry.values()
                key = (action["Key"]["PK"]["S"], action["Key"]["SK"]["S"])
                stored = meter.sizes.get(key, 0)
                meter.write_units += 2 * max(1, math.ceil(stored / KB))
    elif operation == "PutItem":
        meter.written(params["Item"], transactional=False, succeeded=succeeded)
    elif operation in ("UpdateItem", "DeleteItem"):
        key = (params["Key"]["PK"]["S"], params["Key"]["SK"]["S"])
        meter.write_units += max(1, math.ceil(meter.sizes.get(key, 0) / KB))
    elif operation == "GetItem":
        meter.read(parsed.get("Item"), bool(params.get("ConsistentRead")))
    elif operation == "BatchGetItem":
        # A projection (``ProjectionExpression``) returns less but bills the whole item: the
        # size written earlier in the block, when known, else what came back.
        for table, request in params.get("RequestItems", {}).items():
            returned = parsed.get("Responses", {}).get(table, [])
            for key in request["Keys"]:
                item = next(
                    (i for i in returned if all(i[a] == v for a, v in key.items() if a in i)),
                    None,
                )
                stored = meter.sizes.get((key["PK"]["S"], key["SK"]["S"]), 0)
                meter.read_size(
                    max(item_size(item), stored) if item else 0, bool(request.get("ConsistentRead"))
                )
    elif operation in ("Query", "Scan"):
        meter.queried(parsed.get("Items", []), bool(params.get("ConsistentRead")))
