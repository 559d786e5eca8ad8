"""Every function logs JSON lines that carry the Lambda request id and the X-Ray trace id.

The handlers run for real in a fresh process (``log_probe``), so a function whose handler lost
Powertools' ``inject_lambda_context`` (or logs with ``print``) fails here. The functions' log
format (JSON for Lambda's own lines) is checked on the template in ``test_alarms.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.infra.log_probe import FUNCTIONS, TRACE_ID

REPO = Path(__file__).resolve().parents[2]


def _probe() -> dict[str, tuple[str, list[str]]]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.infra.log_probe"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    runs: dict[str, tuple[str, list[str]]] = {}
    current = ""
    for line in result.stdout.splitlines():
        if line.startswith('{"probe"'):
            marker = json.loads(line)
            current = marker["probe"]
            runs[current] = (marker["request_id"], [])
        elif current and line.strip():
            runs[current][1].append(line)
    return runs


def test_every_function_logs_json_with_its_request_and_trace_id() -> None:
    runs = _probe()
    expected = {p.name for p in FUNCTIONS.iterdir() if (p / "handler.py").exists()}
    assert set(runs) == expected
    for name, (request_id, lines) in runs.items():
        logs: list[dict[str, Any]] = []
        for line in lines:
            record = json.loads(line)  # every line is JSON, nothing printed as plain text
            if "_aws" not in record:  # metrics (EMF) lines are JSON too, without log keys
                logs.append(record)
        assert logs, f"{name} logged nothing"
        for record in logs:
            assert record["function_request_id"] == request_id, (name, record)
            assert record["xray_trace_id"] == TRACE_ID, (name, record)
            assert {"level", "message", "timestamp"} <= set(record), (name, record)
            assert record["service"] == name, record
