"""In-memory fakes of the AWS clients the adapters take, for the scale simulation: they measure.

moto proves behaviour (tests/); these fakes only count, fast enough for a million users:

- :class:`FakeDynamoDB` answers the low-level DynamoDB calls the adapters make (``get_item``,
  ``batch_get_item``, ``query`` on the table and its GSIs, ``put_item``, ``update_item``,
  ``delete_item``, ``transact_write_items``) with the real adapters' items, so the real item
  builders decide what is written and which index keys a write touches. It bills units the way
  DynamoDB does (``dynamo_codec.item_size``: attribute names + values; a write unit per started
  KB of the larger of the old and new item, a read unit per started 4 KB, half for eventually
  consistent reads, twice for transactions; a query rounds its page once) and counts writes per
  partition key of the table and of every GSI (AWS's GSI rules: a key change is a delete and a
  put, an unchanged key with unchanged projected attributes is no index write).
- :class:`Meter` keeps those counts and a *simulated* clock: every request advances it by
  :data:`LATENCY_S` (documented constants, typical in-region p50s), so a job's simulated run time
  is the sum of its requests' latencies, as one Lambda invocation runs them one after another.
- Items never read back by the measured jobs (notifications) can be billed and dropped
  (``discard_sk_prefixes``) and a population can back the table lazily (:class:`Backing`), so
  a million profiles are generated on demand, not held in memory.

Only the expression forms the adapters use are understood; any other raises, so a changed
adapter fails the benchmark's test instead of being measured wrongly.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError

from gamification.adapters.dynamo_codec import item_size
from gamification.resources import IndexSpec, TableSpec

KB = 1024
PAGE_BYTES = 1024 * KB
"""A Query returns at most 1 MB per page."""
CACHED_ROWS = 400_000
"""Rows of recently queried partitions kept sorted (units of many shards interleave)."""

LATENCY_S = {
    "GetItem": 0.005,
    "PutItem": 0.007,
    "UpdateItem": 0.007,
    "DeleteItem": 0.007,
    "Query": 0.008,
    "BatchGetItem": 0.010,
    "BatchWriteItem": 0.010,
    "TransactWriteItems": 0.015,
    "SendMessage": 0.010,
    "SendMessageBatch": 0.012,
}
"""Simulated seconds per request (in-region p50s: 5-10 ms a DynamoDB call, 15 ms a
transaction, 10-12 ms an SQS send). Changing them scales every simulated time linearly."""

Item = dict[str, Any]
Key = tuple[str, str]
_SIZES: OrderedDict[int, tuple[Item, int]] = OrderedDict()


def sized(item: Item) -> int:
    """``item_size``, remembered for the last few thousand item objects (a backing hands the
    same object to a page's query, read and condition check); the cache holds the item, so an
    id is never reused while it is cached. Callers never mutate items they did not create."""
    found = _SIZES.get(id(item))
    if found is not None and found[0] is item:
        _SIZES.move_to_end(id(item))
        return found[1]
    size = item_size(item)
    _SIZES[id(item)] = (item, size)
    if len(_SIZES) > 8192:
        _SIZES.popitem(last=False)
    return size


class SimulatedTimeoutError(BaseException):
    """The simulated clock passed the invocation's deadline: Lambda would have killed it here.

    A ``BaseException`` so no service's ``except Exception`` swallows it, as nothing in the
    function survives a real timeout."""


class Backing(Protocol):
    """Items that exist before the simulation starts, generated on demand (never written)."""

    def item(self, pk: str, sk: str) -> Item | None: ...

    def partition(self, index: str | None, pk: str) -> Iterable[Item]:
        """Every base-table item whose table (``index`` None) or GSI partition key is ``pk``."""
        ...


class NoBacking:
    def item(self, pk: str, sk: str) -> Item | None:
        return None

    def partition(self, index: str | None, pk: str) -> Iterable[Item]:
        return ()


@dataclass
class Meter:
    """Requests, billed units, writes per partition key and simulated time."""

    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    """Table write units (transactional items count twice)."""
    index_write_units: float = 0.0
    writes_by_key: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(``table`` or GSI name, partition key) -> items written there."""
    units_by_key: dict[tuple[str, str], float] = field(default_factory=dict)
    """(``table`` or GSI name, partition key) -> write units consumed there."""
    units_by_kind: dict[str, float] = field(default_factory=dict)
    """Write units per kind of item (the sort key's prefix: PROFILE, SEEN, DAY, NOTIF...) and
    per GSI (its name): where a workload's bill goes."""
    clock: float = 0.0
    """Simulated seconds."""
    deadline: float | None = None

    def request(self, operation: str) -> None:
        if self.deadline is not None and self.clock >= self.deadline:
            raise SimulatedTimeoutError(operation)
        self.requests[operation] += 1
        self.clock += LATENCY_S[operation]

    def read(self, size: int, consistent: bool) -> None:
        units = max(1, math.ceil(size / (4 * KB)))
        self.read_units += units if consistent else units / 2

    def wrote(self, where: str, pk: str, units: float, kind: str = "") -> None:
        self.writes_by_key[(where, pk)] += 1
        name = where if where != "table" else kind or "?"
        self.units_by_kind[name] = self.units_by_kind.get(name, 0.0) + units
        self.units_by_key[(where, pk)] = self.units_by_key.get((where, pk), 0.0) + units
        if where == "table":
            self.write_units += units
        else:
            self.index_write_units += units


def _error(code: str, message: str = "", reasons: Sequence[Mapping[str, str]] = ()) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": message or code}}
    if reasons:
        response["CancellationReasons"] = list(reasons)
    return ClientError(response, code)


class _ConditionalCheckFailedError(ClientError):
    pass


class _Exceptions:
    ConditionalCheckFailedException = _ConditionalCheckFailedError


class FakeDynamoDB:
    """One table (the project's single table, with :class:`TableSpec`'s indexes) in memory."""

    exceptions = _Exceptions()

    def __init__(
        self,
        meter: Meter | None = None,
        backing: Backing | None = None,
        *,
        spec: TableSpec | None = None,
        discard_sk_prefixes: Sequence[str] = (),
    ) -> None:
        self.meter = meter or Meter()
        self._backing = backing or NoBacking()
        self._indexes: dict[str, IndexSpec] = {i.name: i for i in (spec or TableSpec()).indexes}
        self._discard = tuple(discard_sk_prefixes)
        self._items: dict[Key, Item | None] = {}
        """Written items (``None``: deleted); they hide the backing's version."""
        self._by_pk: dict[tuple[str | None, str], set[Key]] = {}
        self._sorted: dict[tuple[str | None, str], tuple[list[tuple[str, str, str]], list[Item]]]
        self._sorted = {}
        """The last partitions queried, in key order (a paginated walk re-sorts nothing)."""
        self.writes_by_kind: Counter[str] = Counter()
        """Items written per kind (the sort key's prefix: PROFILE, REMINDED, NOTIF, SEEN...)."""

    # -- storage -----------------------------------------------------------------------------

    def stored(self, key: Key) -> Item | None:
        if key in self._items:
            return self._items[key]
        return self._backing.item(*key)

    def _store(self, key: Key, item: Item | None) -> None:
        old = self.stored(key)
        for index, pk in self._partition_keys(old) + self._partition_keys(item):
            self._by_pk.get((index, pk), set()).discard(key)
            self._sorted.pop((index, pk), None)
        if item is not None:
            self.writes_by_kind[key[1].split("#", 1)[0]] += 1
        if item is not None and key[1].startswith(self._discard):
            self._items[key] = None  # billed and counted, never read back: not kept
            return
        self._items[key] = item
        for index, pk in self._partition_keys(item):
            self._by_pk.setdefault((index, pk), set()).add(key)

    def _partition_keys(self, item: Item | None) -> list[tuple[str | None, str]]:
        if item is None:
            return []
        found: list[tuple[str | None, str]] = [(None, item["PK"]["S"])]
        for spec in self._indexes.values():
            if spec.partition_key in item and spec.sort_key in item:
                found.append((spec.name, item[spec.partition_key]["S"]))
        return found

    def _projected(self, spec: IndexSpec, item: Item | None) -> Item | None:
        if item is None or spec.partition_key not in item or spec.sort_key not in item:
            return None
        names = {"PK", "SK", spec.partition_key, spec.sort_key}
        if spec.projection == "ALL":
            return dict(item)
        if spec.projection == "INCLUDE":
            names |= set(spec.included)
        return {n: v for n, v in item.items() if n in names}

    def _write(self, key: Key, old: Item | None, new: Item | None, transactional: bool) -> None:
        """Bill one item write on the table and its indexes, then store it."""
        factor = 2 if transactional else 1
        size = max(sized(old) if old else 0, sized(new) if new else 0)
        self.meter.wrote("table", key[0], factor * max(1, math.ceil(size / KB)), _kind(key))
        for spec in self._indexes.values():
            before, after = self._projected(spec, old), self._projected(spec, new)
            if before == after:
                continue  # not in the index, or keys and projected attributes unchanged
            old_pk = before[spec.partition_key]["S"] if before else None
            new_pk = after[spec.partition_key]["S"] if after else None
            same_key = before and after and before[spec.sort_key] == after[spec.sort_key]
            if before is not None and (old_pk != new_pk or not same_key):
                self.meter.wrote(spec.name, str(old_pk), math.ceil(sized(before) / KB))
                before = None
            if after is not None:
                self.meter.wrote(spec.name, str(new_pk), math.ceil(sized(after) / KB))
        self._store(key, new)

    # -- reads -------------------------------------------------------------------------------

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("GetItem")
        key = _key(kwargs["Key"])
        item = self.stored(key)
        self.meter.read(sized(item) if item else 0, bool(kwargs.get("ConsistentRead")))
        if item is None:
            return {}
        names = kwargs.get("ExpressionAttributeNames")
        return {"Item": _project(item, kwargs.get("ProjectionExpression"), names)}

    def batch_get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("BatchGetItem")
        responses: dict[str, list[Item]] = {}
        for table, request in kwargs["RequestItems"].items():
            if len(request["Keys"]) > 100:
                raise _error("ValidationException", "too many keys")
            found = responses.setdefault(table, [])
            for key in request["Keys"]:
                item = self.stored(_key(key))
                self.meter.read(sized(item) if item else 0, bool(request.get("ConsistentRead")))
                if item is not None:
                    expression = request.get("ProjectionExpression")
                    names = request.get("ExpressionAttributeNames")
                    found.append(_project(item, expression, names))
        return {"Responses": responses, "UnprocessedKeys": {}}

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("Query")
        index = kwargs.get("IndexName")
        values = kwargs.get("ExpressionAttributeValues", {})
        match = re.fullmatch(
            r"(\w+) = (:\w+)"
            r"(?: AND (?:begins_with\((\w+), (:\w+)\)|(\w+) (<|<=|>|>=|=) (:\w+)))?",
            kwargs["KeyConditionExpression"],
        )
        if match is None:
            raise NotImplementedError(kwargs["KeyConditionExpression"])
        pk_name, pk_value, prefix_name, prefix, range_name, operator, bound = match.groups()
        spec = self._indexes[index] if index else None
        sort_name = spec.sort_key if spec else "SK"
        if pk_name != (spec.partition_key if spec else "PK") or (prefix_name or range_name) not in (
            None,
            sort_name,
        ):
            raise NotImplementedError(kwargs["KeyConditionExpression"])
        pk = values[pk_value]["S"]
        order, rows = self._ordered(index, pk, sort_name)
        if prefix is not None or bound is not None:
            test = _sort_test(values[prefix or bound]["S"], "begins_with" if prefix else operator)
            kept = [i for i, o in enumerate(order) if test(o[0])]
            order, rows = [order[i] for i in kept], [rows[i] for i in kept]
        forward = kwargs.get("ScanIndexForward") is not False
        if not forward:
            order, rows = order[::-1], rows[::-1]
        at = 0
        start = kwargs.get("ExclusiveStartKey")
        if start is not None:
            position = (start[sort_name]["S"], start["PK"]["S"], start["SK"]["S"])
            if forward:
                at = bisect.bisect_right(order, position)
            else:
                at = next((i + 1 for i, k in enumerate(order) if k == position), len(order))
        limit = kwargs.get("Limit") or len(rows)
        page: list[Item] = []
        total = 0
        for row in rows[at : at + limit]:
            size = sized(row)
            if page and total + size > PAGE_BYTES:
                break
            page.append(row)
            total += size
        self.meter.read(total, bool(kwargs.get("ConsistentRead")))
        response: dict[str, Any] = {
            "Items": [_project(r, kwargs.get("ProjectionExpression")) for r in page],
            "Count": len(page),
        }
        if at + len(page) < len(rows):
            last = page[-1]
            names = {"PK", "SK", sort_name, pk_name}
            response["LastEvaluatedKey"] = {n: last[n] for n in names}
        return response

    def _ordered(
        self, index: str | None, pk: str, sort_name: str
    ) -> tuple[list[tuple[str, str, str]], list[Item]]:
        cached = self._sorted.get((index, pk))
        if cached is None:
            rows = self._partition(index, pk)
            rows.sort(key=lambda r: (r[sort_name]["S"], r["PK"]["S"], r["SK"]["S"]))
            order = [(r[sort_name]["S"], r["PK"]["S"], r["SK"]["S"]) for r in rows]
            held = sum(len(r) for _, r in self._sorted.values())
            while self._sorted and held + len(rows) > CACHED_ROWS:
                held -= len(self._sorted.pop(next(iter(self._sorted)))[1])
            cached = self._sorted[(index, pk)] = (order, rows)
        return cached

    def _partition(self, index: str | None, pk: str) -> list[Item]:
        """The partition's rows as the table or index holds them (projected for an index)."""
        written = self._by_pk.get((index, pk), set())
        rows = [
            item for item in self._backing.partition(index, pk) if _key(item) not in self._items
        ]
        rows += [item for key in written if (item := self._items.get(key)) is not None]
        if index is None:
            return rows
        spec = self._indexes[index]
        return [p for r in rows if (p := self._projected(spec, r)) is not None]

    # -- writes ------------------------------------------------------------------------------

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("PutItem")
        item = kwargs["Item"]
        key = _key(item)
        old = self.stored(key)
        if not _condition(kwargs, old):
            self.meter.wrote("table", key[0], max(1, math.ceil(sized(item) / KB)), _kind(key))
            raise _ConditionalCheckFailedError(
                {"Error": {"Code": "ConditionalCheckFailedException", "Message": "failed"}},
                "PutItem",
            )
        self._write(key, old, item, transactional=False)
        return {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("UpdateItem")
        key = _key(kwargs["Key"])
        old = self.stored(key)
        if not _condition(kwargs, old):
            units = max(1, math.ceil(sized(old or {}) / KB))
            self.meter.wrote("table", key[0], units, _kind(key))
            raise _ConditionalCheckFailedError(
                {"Error": {"Code": "ConditionalCheckFailedException", "Message": "failed"}},
                "UpdateItem",
            )
        new = _update(old or dict(kwargs["Key"]), kwargs)
        self._write(key, old, new, transactional=False)
        if kwargs.get("ReturnValues") in ("UPDATED_NEW", "ALL_NEW"):
            return {"Attributes": dict(new)}
        return {}

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("DeleteItem")
        key = _key(kwargs["Key"])
        old = self.stored(key)
        if not _condition(kwargs, old):
            raise _ConditionalCheckFailedError(
                {"Error": {"Code": "ConditionalCheckFailedException", "Message": "failed"}},
                "DeleteItem",
            )
        self._write(key, old, None, transactional=False)
        return {}

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("TransactWriteItems")
        entries = kwargs["TransactItems"]
        if len(entries) > 100:
            raise _error("ValidationException", "more than 100 items")
        planned: list[tuple[Key, Item | None, Item | None]] = []
        reasons: list[dict[str, str]] = []
        for entry in entries:
            ((action, body),) = entry.items()
            key = _key(body["Item"] if action == "Put" else body["Key"])
            old = self.stored(key)
            ok = _condition(body, old)
            reasons.append({"Code": "None" if ok else "ConditionalCheckFailed"})
            if action == "Put":
                planned.append((key, old, body["Item"]))
            elif action == "Update":
                planned.append((key, old, _update(old or dict(body["Key"]), body)))
            elif action == "Delete":
                planned.append((key, old, None))
            else:  # ConditionCheck: billed as a write of the item it checks
                size = sized(old) if old else 0
                self.meter.wrote("table", key[0], 2 * max(1, math.ceil(size / KB)), _kind(key))
        if any(r["Code"] != "None" for r in reasons):
            for key, old, new in planned:
                size = max(sized(old) if old else 0, sized(new) if new else 0)
                self.meter.wrote("table", key[0], 2 * max(1, math.ceil(size / KB)), _kind(key))
            raise _error("TransactionCanceledException", "cancelled", reasons)
        for key, old, new in planned:
            self._write(key, old, new, transactional=True)
        return {}


def _sort_test(value: str, operator: str) -> Callable[[str], bool]:
    tests: dict[str, Callable[[str], bool]] = {
        "begins_with": lambda v: v.startswith(value),
        "<": lambda v: v < value,
        "<=": lambda v: v <= value,
        ">": lambda v: v > value,
        ">=": lambda v: v >= value,
        "=": lambda v: v == value,
    }
    return tests[operator]


def _kind(key: Key) -> str:
    """The kind of an item: its sort key's prefix (``PROFILE``, ``SEEN``, ``DAY``, ``W``...)."""
    return key[1].split("#", 1)[0]


def _key(item: Mapping[str, Any]) -> Key:
    return (item["PK"]["S"], item["SK"]["S"])


def _project(item: Item, expression: str | None, aliases: Mapping[str, str] | None = None) -> Item:
    if not expression:
        return item
    names = [(aliases or {}).get(n.strip(), n.strip()) for n in expression.split(",")]
    if any(n.startswith("#") for n in names):
        raise NotImplementedError(expression)
    return {n: item[n] for n in names if n in item}


_COMPARE = re.compile(r"(#?\w+) (=|<|<=) (:\w+)")
_FUNCTION = re.compile(r"(attribute_exists|attribute_not_exists)\((#?\w+)\)")


def _condition(request: Mapping[str, Any], item: Item | None) -> bool:
    """The request's ``ConditionExpression`` on the stored ``item`` (the forms adapters use)."""
    expression = request.get("ConditionExpression")
    if not expression:
        return True
    names = request.get("ExpressionAttributeNames", {})
    values = request.get("ExpressionAttributeValues", {})
    stored = item or {}

    def term(text: str) -> bool:
        text = text.strip()
        if match := _FUNCTION.fullmatch(text):
            present = names.get(match[2], match[2]) in stored
            return present if match[1] == "attribute_exists" else not present
        if match := _COMPARE.fullmatch(text):
            current = stored.get(names.get(match[1], match[1]))
            if current is None:
                return False
            left, right = _comparable(current), _comparable(values[match[3]])
            outcome: bool = {"=": left == right, "<": left < right, "<=": left <= right}[match[2]]
            return outcome
        raise NotImplementedError(f"condition {text!r}")

    return any(
        all(term(part) for part in alternative.split(" AND "))
        for alternative in expression.split(" OR ")
    )


def _comparable(value: Mapping[str, Any]) -> Any:
    ((kind, inner),) = value.items()
    return int(inner) if kind == "N" else inner


def _update(item: Item, request: Mapping[str, Any]) -> Item:
    """Apply the ``UpdateExpression`` forms the adapters use (SET a = :v, SET a = a + :v,
    SET a = if_not_exists(a, :v), ADD a :v, REMOVE a)."""
    names = request.get("ExpressionAttributeNames", {})
    values = request.get("ExpressionAttributeValues", {})
    new = dict(item)
    clauses = re.split(r"\b(SET|ADD|REMOVE)\b", request["UpdateExpression"])
    for verb, body in zip(clauses[1::2], clauses[2::2], strict=True):
        for action in (a.strip() for a in re.split(r",(?![^(]*\))", body) if a.strip()):
            if verb == "REMOVE":
                new.pop(names.get(action, action), None)
            elif verb == "ADD":
                name, value = action.split()
                name = names.get(name, name)
                if "NS" in values[value]:  # a number set: union
                    members = set(new.get(name, {"NS": []})["NS"]) | set(values[value]["NS"])
                    new[name] = {"NS": sorted(members, key=int)}
                else:
                    total = int(new.get(name, {"N": "0"})["N"]) + int(values[value]["N"])
                    new[name] = {"N": str(total)}
            elif match := re.fullmatch(r"(#?\w+) = if_not_exists\((#?\w+), (:\w+)\)", action):
                name = names.get(match[1], match[1])
                if name not in new:
                    new[name] = values[match[3]]
            elif match := re.fullmatch(r"(#?\w+) = (#?\w+) \+ (:\w+)", action):
                name = names.get(match[1], match[1])
                new[name] = {
                    "N": str(
                        int(new[names.get(match[2], match[2])]["N"]) + int(values[match[3]]["N"])
                    )
                }
            elif match := re.fullmatch(r"(#?\w+) = (:\w+)", action):
                new[names.get(match[1], match[1])] = values[match[2]]
            else:
                raise NotImplementedError(f"update {action!r}")
    return new


@dataclass
class FakeQueue:
    """An SQS queue as a list: ``send_message``/``send_message_batch`` record bodies."""

    meter: Meter
    bodies: list[str] = field(default_factory=list)

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("SendMessage")
        self.bodies.append(kwargs["MessageBody"])
        return {"MessageId": str(len(self.bodies))}

    def send_message_batch(self, **kwargs: Any) -> dict[str, Any]:
        self.meter.request("SendMessageBatch")
        entries = kwargs["Entries"]
        if len(entries) > 10:
            raise _error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
        self.bodies.extend(e["MessageBody"] for e in entries)
        return {"Successful": [{"Id": e["Id"]} for e in entries], "Failed": []}


def makespan(durations: Iterable[float], workers: int) -> tuple[float, list[float]]:
    """Simulated wall time of units run in order by ``workers`` parallel workers (each unit to
    the first free worker, as Lambda polls a queue); also every unit's finish time."""
    free = [0.0] * max(1, workers)
    finished: list[float] = []
    for duration in durations:
        done = heapq.heappop(free) + duration
        heapq.heappush(free, done)
        finished.append(done)
    return (max(finished) if finished else 0.0), finished


def timed(meter: Meter, work: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``work`` and return its simulated duration (the meter's clock advance) and result."""
    start = meter.clock
    result = work()
    return meter.clock - start, result
