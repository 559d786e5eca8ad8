"""The running local stack advertises its URL in a small file, so ``gamify`` finds it on its own.

Stdlib only: the CLI reads it without importing the stack. One file per machine user by
default; ``GAMIFY_LOCAL_STACK_FILE`` points a stack (and the CLI) elsewhere, as the end-to-end
tests do so that their stacks never replace the one a developer is running.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = "GAMIFY_LOCAL_STACK_FILE"


@dataclass(frozen=True, slots=True)
class Advertised:
    url: str
    pid: int


def path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return Path(env[ENV])
    base = env.get("XDG_RUNTIME_DIR") or env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gamify" / "local-stack.json"


def advertise(url: str, where: Path) -> None:
    where.parent.mkdir(parents=True, exist_ok=True)
    temporary = where.with_suffix(".tmp")
    temporary.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    temporary.replace(where)


def withdraw(where: Path) -> None:
    """Remove the file if it is still ours (a newer stack may have replaced it)."""
    found = read(where, require_alive=False)
    if found is not None and found.pid == os.getpid():
        where.unlink(missing_ok=True)


def read(where: Path, *, require_alive: bool = True) -> Advertised | None:
    """The advertised stack, or None when there is none (or its process is gone)."""
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        found = Advertised(url=str(data["url"]), pid=int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if require_alive and not _alive(found.pid):
        return None
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
