"""Import time of every function's handler in a Lambda-like layout, against a bare baseline.

Each measurement is a fresh interpreter whose ``sys.path`` is what Lambda gives a function: the
function's folder, then the layer (``python/`` of the shared layer), then the runtime's and the
Powertools layer's packages (here: this virtual environment's site-packages, which holds boto3,
Powertools and pydantic with their ``.pyc``). Nothing is written back (Lambda's file system is
read-only), so a module without a ``.pyc`` is compiled on every import, as on a cold start.

The layer is staged as ``make layer`` stages it (``infra.layer.stage_package``: no ``local/``,
no ``cli/``) plus redis and tzdata copied from this environment, and measured twice: with
``.pyc`` compiled by this interpreter (what ``make layer`` ships when it finds the runtime's
Python) and without.

The baseline imports the user's fixed packages alone: boto3, pydantic's ``BaseModel`` (pydantic
2 loads its model machinery lazily, so ``import pydantic`` alone measures nothing), Powertools'
Logger, Metrics and Tracer, and for the API functions Powertools' REST resolver. What is
above it is ours: our modules, the models we define, redis, and whatever of Powertools we pull
in beyond those. Target: at most 150 ms above the baseline for every function.

Times are the importing process's CPU time (user + system), not wall time, and each round runs
the baseline and the function back to back; the figure is the median of 5 rounds' differences.
This machine is shared: CPU time leaves out the waits for a core, and pairing leaves out the
drift of the load between rounds, so figures from one run compare.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from infra.layer import compile_bytecode, stage_package

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = REPO_ROOT / "functions"
RUNS = 5
TARGET_MS = 150.0
BUNDLED = ("redis", "tzdata")
BASELINE = (
    "import boto3\n"
    "from pydantic import BaseModel, Field, TypeAdapter\n"
    "from aws_lambda_powertools import Logger, Metrics, Tracer\n"
    "Logger(); Metrics(); Tracer()\n"
)
API_BASELINE = BASELINE + "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
API_FUNCTIONS = frozenset({"ingest", "query", "account", "admin", "meta"})
_PROBE = """
import sys, time
sys.path[:0] = {path!r}
started = time.process_time()
{body}
print((time.process_time() - started) * 1000)
"""
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "PYTHONDONTWRITEBYTECODE": "1",
    "TABLE_NAME": "bench",
}


def stage_layer(target: Path, *, compiled: bool) -> Path:
    """``python/`` of a layer as ``make layer`` builds it (dependencies copied, not fetched)."""
    site = target / "python"
    stage_package(site)
    purelib = Path(sysconfig.get_paths()["purelib"])
    for name in BUNDLED:
        if (purelib / name).is_dir():  # tzdata only where the machine has no zone files
            ignored = shutil.ignore_patterns("__pycache__")
            shutil.copytree(purelib / name, site / name, ignore=ignored)
    if compiled:
        compile_bytecode(site, Path(sys.executable))
    return site


def import_ms(path: list[str], body: str) -> float:
    """Milliseconds one fresh interpreter takes to run ``body`` (imports) with ``path`` first."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")} | ENVIRONMENT
    result = subprocess.run(
        [sys.executable, "-s", "-c", _PROBE.format(path=path, body=body)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return float(result.stdout.strip().splitlines()[-1])


def median_ms(path: list[str], body: str) -> float:
    return statistics.median(import_ms(path, body) for _ in range(RUNS))


def paired_ms(path: list[str], baseline: str) -> tuple[float, float]:
    """Median time to import the handler, and the median of its difference from ``baseline``
    (each round measures the baseline right before the handler)."""
    purelib = path[-1]
    totals: list[float] = []
    above: list[float] = []
    for _ in range(RUNS):
        base = import_ms([purelib], baseline)
        total = import_ms(path, "import handler")
        totals.append(total)
        above.append(total - base)
    return statistics.median(totals), statistics.median(above)


def run() -> str:
    functions = sorted(p.name for p in FUNCTIONS.iterdir() if (p / "handler.py").is_file())
    purelib = sysconfig.get_paths()["purelib"]
    lines = [
        "## Cold start: handler import CPU time in a Lambda-like layout (median of 5, ms)",
        "",
        "Baseline: boto3 + pydantic BaseModel + Powertools Logger/Metrics/Tracer "
        "({event:.0f} ms), plus Powertools' REST resolver for API functions ({api:.0f} ms). "
        f"Target: at most {TARGET_MS:.0f} ms above it.",
        "",
        "| function | layer with .pyc | above baseline | layer without .pyc | verdict |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as compiled_dir, tempfile.TemporaryDirectory() as raw_dir:
        compiled = str(stage_layer(Path(compiled_dir), compiled=True))
        raw = str(stage_layer(Path(raw_dir), compiled=False))
        lines[2] = lines[2].format(
            event=median_ms([purelib], BASELINE), api=median_ms([purelib], API_BASELINE)
        )
        worst = 0.0
        for function in functions:
            folder = str(FUNCTIONS / function)
            baseline = API_BASELINE if function in API_FUNCTIONS else BASELINE
            with_pyc, above = paired_ms([folder, compiled, purelib], baseline)
            without = median_ms([folder, raw, purelib], "import handler")
            worst = max(worst, above)
            verdict = "ok" if above <= TARGET_MS else "over"
            lines.append(
                f"| {function} | {with_pyc:.0f} | {above:+.0f} | {without:.0f} | {verdict} |"
            )
    lines += ["", f"Worst function: {worst:+.0f} ms above the baseline."]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
