"""Which API the CLI talks to, and how it found it (so a connection error can say so).

Order: ``--url``, then ``GAMIFY_URL``, then a running local stack (the one started from the
checkout the CLI runs in, else the most recently started), then ``PORT`` (as ``make local``
reads it), then port 3000. A stack found through its record is named on stderr, with the others
running, so a wrong pick is seen at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gamification.local import stack_file

DEFAULT_PORT = 3000


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    source: str
    """Where the URL came from, e.g. ``GAMIFY_URL`` or ``the local stack record /…/3000.json``."""
    looked: tuple[str, ...]
    """What was consulted before it, in order, each with what it held."""
    note: str | None = None
    """Which local stack was picked and why (for stderr); None when none was looked up."""

    def unreachable(self, error: OSError) -> str:
        lines = [f"cannot reach the Gamify API at {self.url} ({error.strerror or error})."]
        if self.looked:
            lines.append(f"The URL came from {self.source}; looked at, in order:")
            lines += [f"  - {item}" for item in self.looked]
        else:
            lines.append(f"The URL came from {self.source}.")
        lines.append(
            "Start the local stack with `make local` (it prints its URL), "
            "or point the CLI at an API with --url or GAMIFY_URL."
        )
        return "\n".join(lines)


def discover(flag: str | None, environ: Mapping[str, str], cwd: Path | None = None) -> Target:
    """``cwd``: where the CLI runs (default: the process's), to prefer that checkout's stack."""
    looked: list[str] = []
    if flag:
        return Target(flag, "--url", ())
    looked.append("--url: not given")
    if environ.get("GAMIFY_URL"):
        return Target(environ["GAMIFY_URL"], "GAMIFY_URL", tuple(looked))
    looked.append("GAMIFY_URL: not set")
    where = stack_file.directory(environ)
    stacks = stack_file.running(where)
    if stacks:
        return _pick(stacks, (cwd or Path.cwd()).resolve(), tuple(looked))
    looked.append(f"local stacks in {where}: none running")
    port = environ.get("PORT")
    if port:
        return Target(f"http://127.0.0.1:{port}", "PORT", tuple(looked))
    looked.append("PORT: not set")
    return Target(f"http://127.0.0.1:{DEFAULT_PORT}", "the default port", tuple(looked))


def _pick(stacks: list[stack_file.Advertised], cwd: Path, looked: tuple[str, ...]) -> Target:
    """The newest stack started from this checkout, else the newest of all (``stacks`` is
    newest first)."""
    mine = [stack for stack in stacks if stack.serves(cwd)]
    chosen = mine[0] if mine else stacks[0]
    why = (
        f"started from this checkout, {chosen.root}"
        if mine
        else f"the most recently started; none was started from {cwd}"
    )
    note = f"gamify: using the local stack at {chosen.url} (pid {chosen.pid}: {why})"
    others = [stack for stack in stacks if stack is not chosen]
    if others:
        listed = ", ".join(f"{stack.url} from {stack.root}" for stack in others)
        note += f"; also running: {listed} (choose with --url)"
    return Target(chosen.url, f"the local stack record {chosen.record}", looked, note)
