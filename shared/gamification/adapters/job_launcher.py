"""Starts a resumable job's function: an asynchronous Lambda invocation on AWS, a direct call
where no function is configured (tests, in-process runs).

The admin API launches the badge backfill when a definition is added or changed, the account
API the eraser; every job continues itself through ``LambdaInvoker`` (``services.jobs``'
``Continuation``) when it runs short of time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


class JobLauncher(Protocol):
    def __call__(self, key: str) -> None: ...


class LambdaInvoker:
    """``InvocationType="Event"``: Lambda queues the run and retries it if it fails."""

    def __init__(self, client: LambdaClient, function_name: str) -> None:
        self._client = client
        self._function = function_name

    def __call__(self, payload: Mapping[str, Any]) -> bool:
        self._client.invoke(
            FunctionName=self._function,
            InvocationType="Event",
            Payload=json.dumps(payload).encode(),
        )
        return True


class LambdaJobLauncher:
    """Starts the job for one id: ``{field: key}`` (``badge_id`` for the backfill, ``user_id``
    for the eraser)."""

    def __init__(self, client: LambdaClient, function_name: str, field: str) -> None:
        self._invoke = LambdaInvoker(client, function_name)
        self._field = field

    def __call__(self, key: str) -> None:
        self._invoke({self._field: key})


class InProcessJobLauncher:
    """Runs the job to completion before returning (local runs without a function, tests)."""

    def __init__(self, run: Callable[[str], object]) -> None:
        self._run = run

    def __call__(self, key: str) -> None:
        self._run(key)
