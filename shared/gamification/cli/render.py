"""Plain-text tables and a progress bar (no dependencies: the CLI ships with the package)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns sized to their widest cell; numbers right-aligned."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "#" * filled + "." * (width - filled)


class Progress:
    """``[#####.....] 512/1000 events  48.1/s`` redrawn in place on a terminal."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr) -> None:
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self._stream = stream
        self._started = time.monotonic()
        self._drawn = 0.0
        self._tty = stream.isatty()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= (0.1 if self._tty else 5.0) or self.done >= self.total:
            self._drawn = now
            self._draw()

    def close(self) -> None:
        self._draw()
        self._stream.write("\n" if self._tty else "")
        self._stream.flush()

    def _draw(self) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        text = (
            f"[{bar(self.done / self.total, 30)}] {self.done}/{self.total} {self.label}"
            f"  {self.done / elapsed:.1f}/s"
        )
        self._stream.write(("\r" + text) if self._tty else (text + "\n"))
        self._stream.flush()
