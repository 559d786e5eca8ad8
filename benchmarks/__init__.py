"""Benchmarks run by ``make bench`` (``python -m benchmarks``).

Performance is measured here, never by timing inside tests. Every public module of this package
that defines ``run() -> str`` is a benchmark: ``run`` measures and returns a Markdown section (a
heading and a table). Adding a benchmark means adding a module; nothing to register.
"""

from __future__ import annotations

import os
import pkgutil

# Every benchmark runs on moto, fakes or a local Redis: no AWS account. Set before any module
# of the package imports boto3 or Powertools (the package is imported first).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "bench")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def benchmark_names() -> list[str]:
    """Names of the benchmark modules, in the order they run."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
