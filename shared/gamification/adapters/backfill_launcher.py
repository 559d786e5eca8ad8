"""Starts a badge backfill: an asynchronous Lambda invocation on AWS, a direct call locally.

The admin API calls a launcher when a definition is added or changed, and the backfill job calls
one to continue in a fresh invocation when it runs short of time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


class BackfillLauncher(Protocol):
    def __call__(self, badge_id: str) -> None: ...


class LambdaBackfillLauncher:
    """``InvocationType="Event"``: Lambda queues the run and retries it if it fails.

    ``field`` names the payload's one field (``badge_id`` for the backfill, ``user_id`` for the
    eraser, which starts and continues the same way)."""

    def __init__(self, client: LambdaClient, function_name: str, field: str = "badge_id") -> None:
        self._client = client
        self._function = function_name
        self._field = field

    def __call__(self, badge_id: str) -> None:
        self._client.invoke(
            FunctionName=self._function,
            InvocationType="Event",
            Payload=json.dumps({self._field: badge_id}).encode(),
        )


class InProcessBackfillLauncher:
    """Runs the backfill to completion before returning (local stack and tests)."""

    def __init__(self, run: Callable[[str], object]) -> None:
        self._run = run

    def __call__(self, badge_id: str) -> None:
        self._run(badge_id)
