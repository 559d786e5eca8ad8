"""``python -m benchmarks [NAME ...]``: run every benchmark module (or the named ones) in turn."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence

from benchmarks import benchmark_names


def main(argv: Sequence[str] | None = None) -> int:
    known = benchmark_names()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {known}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {known}")
    failed: list[str] = []
    for name in args.names or known:
        module = importlib.import_module(f"benchmarks.{name}")
        if not callable(getattr(module, "run", None)):
            continue
        started = time.perf_counter()
        try:
            section: str = module.run()
        except AssertionError as floor:
            # A benchmark below its floor fails the run, after the others have reported.
            failed.append(name)
            section = f"{floor}\n\n**{name}: below its floor**"
        print(section)
        print(f"\n_{name} took {time.perf_counter() - started:.1f} s (wall clock)_\n")
        sys.stdout.flush()
    if failed:
        print(f"below their floors: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
