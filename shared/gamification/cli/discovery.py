"""Which API the CLI talks to, and how it found it (so a connection error can say so).

Order: ``--url``, then ``GAMIFY_URL``, then the URL a running local stack advertises, then
``PORT`` (as ``make local`` reads it), then port 3000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gamification.local import stack_file

DEFAULT_PORT = 3000


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    source: str
    """Where the URL came from, e.g. ``GAMIFY_URL`` or ``the local stack file /…/x.json``."""
    looked: tuple[str, ...]
    """What was consulted before it, in order, each with what it held."""

    def unreachable(self, error: OSError) -> str:
        lines = [f"cannot reach the Gamify API at {self.url} ({error.strerror or error})."]
        lines.append(f"The URL came from {self.source}; looked at, in order:")
        lines += [f"  - {item}" for item in self.looked]
        lines.append(
            "Start the local stack with `make local` (it prints its URL), "
            "or point the CLI at an API with --url or GAMIFY_URL."
        )
        return "\n".join(lines)


def discover(flag: str | None, environ: Mapping[str, str]) -> Target:
    looked: list[str] = []
    if flag:
        return Target(flag, "--url", ())
    looked.append("--url: not given")
    if environ.get("GAMIFY_URL"):
        return Target(environ["GAMIFY_URL"], "GAMIFY_URL", tuple(looked))
    looked.append("GAMIFY_URL: not set")
    where = stack_file.path(environ)
    advertised = stack_file.read(where)
    if advertised is not None:
        return Target(advertised.url, f"the local stack file {where}", tuple(looked))
    looked.append(f"local stack file {where}: no running stack advertised")
    port = environ.get("PORT")
    if port:
        return Target(f"http://127.0.0.1:{port}", "PORT", tuple(looked))
    looked.append("PORT: not set")
    return Target(f"http://127.0.0.1:{DEFAULT_PORT}", "the default port", tuple(looked))
