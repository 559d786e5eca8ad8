"""Faster versions of moto 5 hot spots, installed by the local stack only.

**DynamoDB ``TransactWriteItems``.** moto 5 deep-copies the whole table for every item of a
transaction (to roll back on failure), so each transaction costs O(items x table size, stream
included): after a few thousand activities the local consumer slowed to seconds per batch. This
version does what DynamoDB specifies — every condition is evaluated against the state before the
transaction, and either all writes happen or none — by checking all conditions first and writing
only when every check passed. A write that still fails midway (an invalid update expression)
restores the items it touched.

**SQS ``ReceiveMessage`` and ``DeleteMessage``.** For every message it returns, moto 5.2 checks
retention through ``get_queue_attributes``, which rebuilds all of the queue's attributes three
times, each counting the queue's messages with two clock reads per message: O(queue length) per
message, O(n²) to drain (≈ 3 activities/s with 3,000 queued); ``SendMessage`` rebuilt them once
per message too, so filling a queue was O(n²) as well. The retention check here reads the
queue's retention period directly, the visible-message list and the message counts read the
clock once per call instead of once or twice per message, and a delete looks among the in-flight
messages (where a received message is) before scanning the queue. Same answers, same state
changes; only the cost differs.

**The server's per-request lookups.** For every request, moto's server lists its own package
directory (``backends.list_of_moto_modules``: ≈ 180 ``isdir`` calls) to see whether the host
names a service, and lists the responding class's methods with ``inspect.getmembers``: about
6 % of the local stack's CPU while it drains a queue. Both answers are fixed once moto is
imported, so they are computed once (per class for the methods).

Each SQS replacement is installed only when the function it replaces is the code it was written
against (its source digest, checked on moto 5.2.5): after a moto upgrade that changes one, that
one is left as moto ships it and a warning says so (slower, never wrong). The test suite's
in-process ``mock_aws`` keeps moto's own implementations.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("gamify.local")

Planned = tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None]
"""(operation, its parameters, the item's key, the item's attributes before the transaction)."""

SQS_REPLACED = {
    "Queue.messages": "03a531dbcbcf9aee",
    "Queue.approximate_number_of_messages_delayed": "c3c1dadb0c42ed5f",
    "Queue.approximate_number_of_messages_not_visible": "5dbecc4dda174358",
    "Queue.delete_message": "fa6fd5b9bd2cafb4",
    "SQSBackend.is_message_valid_based_on_retention_period": "cca23b94a5f3af9d",
}
"""The first 16 hex digits of the SHA-256 of each replaced function's source in moto 5.2.5."""


METHOD_NAMES = "method_names_from_class"
"""The name ``moto.core.responses`` imports moto's method lister under (replaced there)."""


def install() -> None:
    _install_transactions()
    install_sqs()
    install_server_lookups()


def install_server_lookups() -> None:
    """Remember the two answers moto's server recomputes on every request."""
    from moto import backends
    from moto.core import responses

    if getattr(backends.list_of_moto_modules, "_gamify_fast", False):
        return
    modules = tuple(backends.list_of_moto_modules())
    method_names: dict[object, list[str]] = {}
    original_method_names: Callable[[object], list[str]] = vars(responses)[METHOD_NAMES]

    def list_of_moto_modules() -> tuple[str, ...]:
        return modules

    def method_names_from_class(clazz: object) -> list[str]:
        found = method_names.get(clazz)
        if found is None:
            found = method_names[clazz] = original_method_names(clazz)
        return list(found)

    list_of_moto_modules._gamify_fast = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules
    vars(responses)[METHOD_NAMES] = method_names_from_class


def _install_transactions() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.transact_write_items, "_gamify_fast", False):
        return
    _transact_write_items._gamify_fast = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]


def install_sqs() -> list[str]:
    """Install the SQS replacements whose originals are unchanged; return what is installed."""
    installed = []
    for name, replacement in _sqs_replacements().items():
        original = sqs_current(name)
        if getattr(original, "_gamify_fast", False):
            installed.append(name)
            continue
        if source_digest(original) != SQS_REPLACED[name]:
            log.warning("moto's %s changed since 5.2.5: left as it is (slower)", name)
            continue
        replacement._gamify_fast = True  # type: ignore[attr-defined]
        owner, attribute = _sqs_target(name)
        is_property = isinstance(vars(owner)[attribute], property)
        setattr(owner, attribute, property(replacement) if is_property else replacement)
        installed.append(name)
    return installed


def sqs_current(name: str) -> Callable[..., Any]:
    """What ``name`` (a key of ``SQS_REPLACED``) runs now: a method, or a property's getter."""
    owner, attribute = _sqs_target(name)
    current: Any = vars(owner)[attribute]
    if isinstance(current, property):
        current = current.fget
    function: Callable[..., Any] = current
    return function


def _sqs_target(name: str) -> tuple[type, str]:
    from moto.sqs.models import Queue, SQSBackend

    owner_name, attribute = name.split(".")
    return {"Queue": Queue, "SQSBackend": SQSBackend}[owner_name], attribute


def _sqs_replacements() -> dict[str, Callable[..., Any]]:
    return {
        "Queue.messages": _visible_messages,
        "Queue.approximate_number_of_messages_delayed": _delayed_count,
        "Queue.approximate_number_of_messages_not_visible": _not_visible_count,
        "Queue.delete_message": _delete_message,
        "SQSBackend.is_message_valid_based_on_retention_period": _within_retention,
    }


def source_digest(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def _now_millis() -> float:
    """moto's own clock (it follows a moved clock in tests, as moto's code does)."""
    from moto.core.utils import unix_time_millis

    return float(unix_time_millis())


def _visible_messages(self: Any) -> list[Any]:
    """``Queue.messages``: the visible, undelayed messages, with one clock read per call."""
    now = _now_millis()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


def _delayed_count(self: Any) -> int:
    now = _now_millis()
    return sum(1 for m in self._messages if now < m.delayed_until)


def _not_visible_count(self: Any) -> int:
    now = _now_millis()
    return sum(1 for m in self._messages if not now > m.visible_at)


def _delete_message(self: Any, receipt_handle: str) -> None:
    """``Queue.delete_message``: the in-flight messages first, then moto's scan of the queue."""
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    if receipt_handle in self.deleted_messages:
        return  # already deleted: moto (and SQS) accept a second delete
    pending = (m for m in self.pending_messages if m.had_receipt_handle(receipt_handle))
    found = next(pending, None)
    if found is None or found not in self._messages:  # ``in``: an identity scan, in C
        found = next((m for m in self._messages if m.had_receipt_handle(receipt_handle)), None)
    if found is None:
        raise ReceiptHandleIsInvalid()
    self.pending_messages.discard(found)
    self.deleted_messages.update(found.all_receipt_handles)
    self._messages.remove(found)


def _within_retention(self: Any, queue_name: str, message: Any) -> bool:
    """``SQSBackend.is_message_valid_based_on_retention_period``, reading one attribute."""
    from moto.core.utils import unix_time

    retention_period = self.get_queue(queue_name).message_retention_period
    retain_until = retention_period + message.sent_timestamp / 1000
    return bool(retain_until > unix_time())


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import TooManyTransactionsException

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    _apply(self, _check(self, transact_items))


def _check(backend: Any, transact_items: list[dict[str, Any]]) -> list[Planned]:
    """Evaluate every condition against the current state; cancel if any fails."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MultipleTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    planned: list[Planned] = []
    reasons: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        key = _key(backend.get_table(op["TableName"]), op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        current = backend.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is not None:
            check = get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            )
            if not check.expr(current):
                wants_old = op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                old = current.to_json()["Attributes"] if wants_old and current else None
                failed = ConditionalCheckFailed()
                reasons.append(("ConditionalCheckFailed", str(failed.message), old))
                continue
        reasons.append((None, None, None))
        before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        planned.append((op_type, op, key, before))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    return planned


def _key(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _apply(backend: Any, planned: list[Planned]) -> None:
    """Write every planned change; on an error, put the touched items back as they were."""
    done: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    try:
        for op_type, op, key, before in planned:
            table_name = op["TableName"]
            if op_type == "Put":
                backend.put_item(table_name, op["Item"])
            elif op_type == "Delete":
                backend.delete_item(table_name, key)
            elif op_type == "Update":
                backend.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=op.get("ExpressionAttributeNames"),
                    expression_attribute_values=op.get("ExpressionAttributeValues"),
                )
            done.append((table_name, key, before))
    except Exception:
        for table_name, key, before in reversed(done):
            if before is None:
                backend.delete_item(table_name, key)
            else:
                backend.put_item(table_name, before)
        raise
