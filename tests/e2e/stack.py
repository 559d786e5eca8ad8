"""Run the local stack as a subprocess (``python -m gamification.local``) and talk to it over HTTP.

The end-to-end tests see only what a client sees: the HTTP API, plus the stack's local-only
control endpoints for jobs and Redis outages. Asynchronous effects are awaited by polling with a
deadline, never by sleeping a fixed time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from gamification.cli.client import ApiClient, ApiResponse
from gamification.local.redis_server import free_port

READY = "gamify local stack ready on "
START_TIMEOUT = 90.0
T = TypeVar("T")


class StackProcess:
    def __init__(self, **environment: str) -> None:
        self.port = free_port()
        # Each test stack advertises itself in a folder of its own, never beside a developer's.
        self._home = tempfile.TemporaryDirectory(prefix="gamify-e2e-")
        self.stacks_dir = Path(self._home.name) / "stacks"
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "AWS_ENDPOINT_URL"}}
        env.update(
            {
                "PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
                "GAMIFY_LOCAL_STACKS_DIR": str(self.stacks_dir),
                **environment,
            }
        )
        self._stdout = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="gamify-e2e-", suffix=".out", delete=False
        )
        self._stderr = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="gamify-e2e-", suffix=".err", delete=False
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gamification.local"],
            env=env,
            stdout=self._stdout,
            stderr=self._stderr,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = Api(ApiClient(self.url))

    def wait_ready(self) -> StackProcess:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited early:\n{self.logs()}")
            if READY + self.url in Path(self._stdout.name).read_text(errors="replace"):
                return self
            time.sleep(0.1)
        raise TimeoutError(f"no ready line within {START_TIMEOUT} s:\n{self.logs()}")

    def stop(self) -> int:
        """Ctrl-C, as a developer would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for handle in (self._stdout, self._stderr):
            handle.close()
        return self.process.returncode

    def logs(self) -> str:
        out = Path(self._stdout.name).read_text(errors="replace")
        err = Path(self._stderr.name).read_text(errors="replace")
        return f"--- stdout ---\n{out[-4000:]}\n--- stderr ---\n{err[-4000:]}"

    def cleanup(self) -> None:
        for handle in (self._stdout, self._stderr):
            Path(handle.name).unlink(missing_ok=True)
        self._home.cleanup()


class Api:
    """The calls the tests make, with local dev tokens."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def as_user(
        self, user: str, method: str, path: str, body: Any = None, **query: Any
    ) -> ApiResponse:
        return self.client.request(method, path, token=f"dev:{user}", body=body, query=query)

    def report(self, user: str, type_: str, object_id: str, **fields: Any) -> ApiResponse:
        body = {"type": type_, "object_id": object_id, **fields}
        return self.as_user(user, "POST", "/v1/activities", body)

    def report_many(self, user: str, activities: list[dict[str, Any]]) -> ApiResponse:
        return self.as_user(user, "POST", "/v1/activities/batch", {"activities": activities})

    def profile(self, user: str) -> dict[str, Any]:
        profile: dict[str, Any] = ok(self.as_user(user, "GET", "/v1/me"))
        return profile

    def has_streak(self, user: str, days: int) -> bool:
        """The user's profile exists and shows a personal streak of ``days``."""
        response = self.as_user(user, "GET", "/v1/me")
        return response.ok and response.body["streak"]["current"] == days

    def badges(self, user: str) -> dict[str, Any]:
        badges: dict[str, Any] = ok(self.as_user(user, "GET", f"/v1/users/{user}/badges"))
        return badges

    def notifications(self, user: str) -> list[dict[str, Any]]:
        return list(ok(self.as_user(user, "GET", "/v1/me/notifications"))["notifications"])

    def _has_xp(self, user: str, xp: int) -> bool:
        return bool(self.profile(user)["xp"] == xp)

    def read_posts(self, players: dict[str, int], prefix: str = "p") -> None:
        """Each player reads that many posts; returns once every player's XP shows them on
        the profile and on the all-time board (the projector follows the commit a moment
        later, from the table's stream)."""
        for user, reads in players.items():
            posts = [{"type": "post_read", "object_id": f"{prefix}{i}"} for i in range(reads)]
            ok(self.report_many(user, posts))
        for user, reads in players.items():
            eventually(partial(self._has_xp, user, 10 * reads), what=f"{user}'s XP")

        def on_the_board() -> bool:
            shown = {e["user_id"]: e["xp"] for e in self.leaderboard(limit=100)["entries"]}
            return all(shown.get(user) == 10 * reads for user, reads in players.items())

        eventually(on_the_board, what="the players' scores on the board")

    def league_week(self, user: str) -> str:
        """The ISO week the stack seated ``user`` in: the stack's own clock, not the test's (a
        run crossing Monday 00:00 UTC would otherwise name another week)."""
        week: str = eventually(
            lambda: self.profile(user)["league"]["week"], what=f"{user}'s league seat"
        )
        return week

    def leaderboard(self, viewer: str = "viewer", **query: Any) -> dict[str, Any]:
        board: dict[str, Any] = ok(self.as_user(viewer, "GET", "/v1/leaderboard", **query))
        return board

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = ok(self.client.request("GET", "/local/status"))
        return status

    def job(self, name: str, at: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = ok(
            self.client.request("POST", f"/local/jobs/{name}", query={"at": at})
        )
        return result

    def now(self) -> datetime:
        """The stack's clock (``GET /local/clock``): real time unless a test moved it."""
        return datetime.fromisoformat(ok(self.client.request("GET", "/local/clock"))["now"])

    def advance_clock(self, hours: int) -> datetime:
        """Move the stack's clock forward (``POST /local/clock/advance``); the new now."""
        moved = ok(self.client.request("POST", "/local/clock/advance", query={"hours": hours}))
        return datetime.fromisoformat(moved["now"])

    def redis(self, action: str) -> dict[str, Any]:
        result: dict[str, Any] = ok(self.client.request("POST", f"/local/redis/{action}"))
        return result

    def wait_idle(self, timeout: float = 30.0, queue: str = "queue") -> None:
        """Until the activity queue (or the ``reminder_queue``) is empty: every message
        processed or dead-lettered."""

        def idle() -> bool:
            depth = self.status()[queue]
            return bool(depth["visible"] == 0 and depth["in_flight"] == 0)

        eventually(idle, timeout=timeout, what=f"the {queue} to drain")


def ok(response: ApiResponse) -> Any:
    assert response.ok, f"HTTP {response.status}: {response.body}"
    return response.body


def eventually(
    probe: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.2, what: str = ""
) -> T:
    """Poll ``probe`` until it returns something truthy (an AssertionError counts as not yet)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = probe()
            if result:
                return result
            last = result
        except AssertionError as error:
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}: {last!r}")
        time.sleep(interval)
