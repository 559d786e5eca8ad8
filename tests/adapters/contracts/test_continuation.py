"""Contract of ``services.jobs.Continuation``: the recording fake and the Lambda invoker both
start the job with exactly the payload given, asynchronously, and say they did."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from gamification.adapters.job_launcher import LambdaInvoker
from gamification.services.jobs import Continuation
from tests.fakes.jobs import RecordingContinuation

PAYLOAD: dict[str, Any] = {"week": "2026-W48", "shard": 1, "shards": 4}


@pytest.fixture(params=["fake", "lambda"])
def continuation(request: pytest.FixtureRequest) -> Iterator[Continuation]:
    if request.param == "fake":
        fake = RecordingContinuation()
        yield fake
        assert fake.started == [PAYLOAD]
        return
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "gamify-leagues",
                "InvocationType": "Event",
                "Payload": json.dumps(PAYLOAD).encode(),
            },
        )
        yield LambdaInvoker(client, "gamify-leagues")
        stub.assert_no_pending_responses()


def test_a_continuation_starts_the_job_with_its_payload(continuation: Continuation) -> None:
    assert continuation(PAYLOAD) is True
