"""Invoke every function's real handler once, in a fresh process, so its log lines can be read.

``python -m tests.infra.log_probe`` (run by ``test_structured_logs.py``): Powertools decides at
import time whether the handler logs its event, so the probe sets that (and an X-Ray trace id,
as Lambda does) before importing any handler, against moto and an unreachable Redis. Before each
invocation it prints one marker line, ``{"probe": <function>, "request_id": <id>}``; every line
after it until the next marker is that invocation's output. A handler that fails on the empty
event still logged the event first, which is all the probe needs.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import uuid
from pathlib import Path

TRACE_ID = "1-67a0c2e1-5f2b0f6a9d3c4e1b2a7d8e9f"
FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


class Context:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())


def main() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_LOGGER_LOG_EVENT": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "GamifyProbe",
            "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    from moto import mock_aws

    from gamification.local.provision import provision

    with mock_aws():
        os.environ.update(provision(prefix="probe").environment())
        for name in sorted(p.name for p in FUNCTIONS.iterdir() if (p / "handler.py").exists()):
            os.environ["POWERTOOLS_SERVICE_NAME"] = name
            module = importlib.import_module(f"functions.{name}.handler")
            context = Context(name)
            print(json.dumps({"probe": name, "request_id": context.aws_request_id}), flush=True)
            try:
                module.lambda_handler({}, context)
            except Exception as error:  # the empty event is not theirs: only the logs matter
                print(f"probe: {name} raised {type(error).__name__}", file=sys.stderr)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
