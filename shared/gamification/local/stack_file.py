"""Each running local stack advertises itself in a small file of its own, so ``gamify`` finds it.

One record per stack, named by its port (``<dir>/<port>.json``: two stacks cannot share a port),
holding its URL, pid, the checkout it was started from and when. A stack removes only its own
record when it stops; a record whose process is gone (``kill -9``, a crash) is pruned by the
next reader. Several stacks may run at once (two checkouts, a test suite beside ``make local``):
the CLI prefers the one started from the checkout it runs in (see ``cli/discovery.py``).

Stdlib only: the CLI reads the records without importing the stack. The folder is
``GAMIFY_LOCAL_STACKS_DIR`` when set (the end-to-end tests give each stack its own, so their
stacks never mix with a developer's), else ``gamify/stacks`` under ``XDG_RUNTIME_DIR``, else
under ``XDG_CACHE_HOME``, else under ``~/.cache``.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = "GAMIFY_LOCAL_STACKS_DIR"


@dataclass(frozen=True, slots=True)
class Advertised:
    url: str
    pid: int
    port: int
    root: Path
    """The checkout the stack was started from (the nearest folder up holding ``.git``)."""
    started: float
    """Seconds since the epoch: the most recent of several stacks is the highest."""
    record: Path

    def serves(self, cwd: Path) -> bool:
        """Whether ``cwd`` is inside the checkout this stack was started from."""
        return cwd == self.root or self.root in cwd.parents


def directory(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return Path(env[ENV])
    base = env.get("XDG_RUNTIME_DIR") or env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gamify" / "stacks"


def checkout_of(cwd: Path) -> Path:
    """The checkout holding ``cwd`` (nearest folder up with ``.git``, a file in a worktree),
    else ``cwd`` itself."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return cwd


def advertise(url: str, port: int, where: Path, root: Path) -> Path:
    """Write this process's record (atomically); returns its path, for ``withdraw``."""
    where.mkdir(parents=True, exist_ok=True)
    record = where / f"{port}.json"
    temporary = where / f".{port}.{os.getpid()}.tmp"
    data = {"url": url, "pid": os.getpid(), "port": port, "root": str(root), "started": time.time()}
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(record)
    return record


def withdraw(record: Path) -> None:
    """Remove the record if it is still ours (a stack started later on the port replaced it)."""
    found = _read(record)
    if found is not None and found.pid == os.getpid():
        record.unlink(missing_ok=True)


def running(where: Path) -> list[Advertised]:
    """The stacks whose process still runs, most recently started first; records of stacks
    that are gone are deleted on the way."""
    alive: list[Advertised] = []
    for record in sorted(where.glob("*.json")):
        found = _read(record)
        if found is None:
            continue
        if _alive(found.pid):
            alive.append(found)
        else:
            with contextlib.suppress(OSError):
                record.unlink()
    return sorted(alive, key=lambda stack: stack.started, reverse=True)


def _read(record: Path) -> Advertised | None:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return Advertised(
            url=str(data["url"]),
            pid=int(data["pid"]),
            port=int(data["port"]),
            root=Path(str(data["root"])),
            started=float(data["started"]),
            record=record,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
