"""The local control endpoints: jobs "as of" a time, Lambda's Invoke API, Redis outages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gamification.local.apigateway import Request
from gamification.local.control import control
from gamification.local.redis_runtime import OutageNotSupportedError


@dataclass
class RecordingStack:
    """Records what the endpoints asked of the stack."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    external_redis: bool = False

    def status(self) -> dict[str, Any]:
        return {"ok": True}

    def run_job(self, name: str, at: datetime | None, event: dict[str, Any] | None) -> Any:
        self.calls.append(("job", name, at, event))
        return {"ran": name}

    def kill_redis(self) -> None:
        if self.external_redis:
            raise OutageNotSupportedError("external")
        self.calls.append(("kill",))

    def restart_redis(self) -> None:
        self.calls.append(("restart",))

    def dead_letters(self, limit: int) -> list[dict[str, Any]]:
        self.calls.append(("dead_letters", limit))
        return []

    def redrive_dead_letters(self) -> int:
        self.calls.append(("redrive",))
        return 0

    def has_function(self, name: str) -> bool:
        return name in {"reminder_fanout", "backfill"}

    def invoke_function(self, name: str, event: Any, asynchronous: bool) -> Any:
        self.calls.append(("invoke", name, event, asynchronous))
        return {"done": True}

    def backfill_lake(self, before: datetime) -> dict[str, Any]:
        self.calls.append(("backfill", before))
        return {"rows": 0}

    def clock(self) -> dict[str, Any]:
        return {"ahead_seconds": 0}

    def advance_clock(self, by: timedelta) -> dict[str, Any]:
        self.calls.append(("advance", by))
        return {"ahead_seconds": by.total_seconds()}


def _post(target: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> Request:
    return Request("POST", target, headers=headers or [], body=body)


def test_jobs_run_now_or_as_of_a_time() -> None:
    stack = RecordingStack()
    handle = control(stack)
    assert handle(_post("/local/jobs/reminder_fanout")).status == 200
    response = handle(_post("/local/jobs/reminder_fanout?at=2026-03-29T01:00:00Z"))
    assert json.loads(response.body)["at"] == "2026-03-29T01:00:00+00:00"
    handle(_post("/local/jobs/reminder_fanout", body=b'{"mode": "x"}'))
    assert stack.calls == [
        ("job", "reminder_fanout", None, None),
        ("job", "reminder_fanout", datetime(2026, 3, 29, 1, tzinfo=UTC), None),
        ("job", "reminder_fanout", None, {"mode": "x"}),
    ]
    assert handle(_post("/local/jobs/reminder_fanout?at=yesterday")).status == 400
    assert handle(_post("/local/jobs/unknown")).status == 404


def test_lambda_invoke_api_by_name_or_arn() -> None:
    stack = RecordingStack()
    handle = control(stack)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:gamify-local-backfill"
    path = f"/local/lambda/2015-03-31/functions/{arn}/invocations"
    queued = handle(_post(path, b'{"badge_id": "b"}', [("X-Amz-Invocation-Type", "Event")]))
    assert queued.status == 202
    direct = handle(_post("/local/lambda/2015-03-31/functions/backfill/invocations", b"{}"))
    assert json.loads(direct.body) == {"done": True}
    assert stack.calls == [
        ("invoke", "backfill", {"badge_id": "b"}, True),
        ("invoke", "backfill", {}, False),
    ]
    missing = handle(_post("/local/lambda/2015-03-31/functions/nope/invocations"))
    assert missing.status == 404


def test_redis_outage_and_an_external_redis() -> None:
    stack = RecordingStack()
    handle = control(stack)
    assert handle(_post("/local/redis/kill")).status == 200
    assert handle(_post("/local/redis/restart")).status == 200
    assert stack.calls == [("kill",), ("restart",)]
    assert control(RecordingStack(external_redis=True))(_post("/local/redis/kill")).status == 409
    assert handle(Request("GET", "/local/status")).status == 200
    assert handle(Request("GET", "/local/elsewhere")).status == 404


@pytest.mark.parametrize(
    ("target", "body", "field"),
    [
        ("/local/jobs/reminder_fanout?at=9999-12-31T23:59:59Z", b"", "query.at"),
        ("/local/jobs/reminder_fanout?at=9999-12-31T23:59:59-05:00", b"", "query.at"),
        ("/local/jobs/reminder_fanout?at=0001-01-01T00:00:00Z", b"", "query.at"),
        ("/local/jobs/reminder_fanout?at=1969-12-31T23:59:59Z", b"", "query.at"),
        ("/local/jobs/reminder_fanout?at=3000-01-01T00:00:00Z", b"", "query.at"),
        ("/local/jobs/reminder_fanout", b'{"time": "9999-12-31T23:59:59Z"}', "body.time"),
    ],
)
def test_a_job_time_far_from_now_is_a_422_naming_the_field(
    target: str, body: bytes, field: str
) -> None:
    """Such times made the jobs' date arithmetic overflow: a 502 that blamed the function."""
    stack = RecordingStack()

    response = control(stack)(_post(target, body=body))

    assert response.status == 422
    refusal = json.loads(response.body)["error"]
    assert refusal["message"].startswith(f"{field.split('.')[1]}: ")
    assert refusal["details"][0]["field"] == field
    assert stack.calls == []


@pytest.mark.parametrize("at", ["1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "2500-06-01"])
def test_the_ends_of_the_job_window_are_accepted(at: str) -> None:
    stack = RecordingStack()
    assert control(stack)(_post(f"/local/jobs/reminder_fanout?at={at}")).status == 200
    assert len(stack.calls) == 1


def test_the_lake_backfill_runs_as_of_a_time_with_its_offset() -> None:
    stack = RecordingStack()
    handle = control(stack)
    done = handle(_post("/local/lake/backfill?before=2026-11-10T00:00:00%2B00:00"))
    assert (done.status, json.loads(done.body)) == (200, {"rows": 0})
    assert stack.calls == [("backfill", datetime(2026, 11, 10, tzinfo=UTC))]
    assert handle(_post("/local/lake/backfill?before=2026-11-10T00:00:00")).status == 400
    assert handle(_post("/local/lake/backfill?before=soon")).status == 400


def test_the_clock_moves_forward_by_whole_hours_only() -> None:
    stack = RecordingStack()
    handle = control(stack)
    moved = handle(_post("/local/clock/advance?hours=48"))
    assert (moved.status, json.loads(moved.body)) == (200, {"ahead_seconds": 172800.0})
    for refused in ("hours=0", "hours=-1", "hours=1.5", "hours=9601", ""):
        response = handle(_post(f"/local/clock/advance?{refused}"))
        assert (response.status, json.loads(response.body)["error"]["code"]) == (
            400,
            "invalid_hours",
        )
    assert stack.calls == [("advance", timedelta(hours=48))]
    read = handle(Request("GET", "/local/clock", headers=[], body=b""))
    assert json.loads(read.body) == {"ahead_seconds": 0}
