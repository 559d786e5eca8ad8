"""Benchmarks run by ``make bench`` (``python -m benchmarks``).

Performance is measured here, never by timing inside tests. Every public module of this package
that defines ``run() -> str`` is a benchmark: ``run`` measures and returns a Markdown section (a
heading and a table). Adding a benchmark means adding a module; nothing to register.
"""

from __future__ import annotations

import pkgutil


def benchmark_names() -> list[str]:
    """Names of the benchmark modules, in the order they run."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
