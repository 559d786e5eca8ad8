"""Optional persistence for the local stack (``GAMIFY_LOCAL_STATE=<dir>``).

The table is the source of truth, so it is all that is kept: saved when the stack stops and
loaded before anything runs when it starts. Redis is rebuilt from it (the reconciler runs once
at start), as on AWS after a cache loss. Messages still queued when the stack stops are not
kept: stop after the queue drains (``gamify status``).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

FILE_NAME = "dynamodb-table.json"
_BATCH = 25


def save(dynamodb: Any, table_name: str, directory: Path) -> int:
    """Write every item (DynamoDB JSON) to ``directory``; returns how many."""
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
        items.extend(page["Items"])
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f"{FILE_NAME}.tmp"
    temporary.write_text(json.dumps([_encode(i) for i in items]), encoding="utf-8")
    temporary.replace(directory / FILE_NAME)
    return len(items)


def load(dynamodb: Any, table_name: str, directory: Path) -> int:
    """Put back what ``save`` wrote (nothing when there is no file yet); returns how many."""
    source = directory / FILE_NAME
    if not source.exists():
        return 0
    items = [_decode(i) for i in json.loads(source.read_text(encoding="utf-8"))]
    for start in range(0, len(items), _BATCH):
        pending: dict[str, Any] = {
            table_name: [{"PutRequest": {"Item": i}} for i in items[start : start + _BATCH]]
        }
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")
    return len(items)


def _encode(value: Any) -> Any:
    """botocore returns binary attributes as bytes; JSON holds them as base64, as DynamoDB JSON."""
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
