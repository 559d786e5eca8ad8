"""Start and stop a throwaway ``redis-server`` on a free port (tests, benchmarks, local stack)."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType

import redis

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when the thread that forked it dies.

    ``stop()`` covers every orderly exit; this covers the rest (SIGKILL, a crash), which would
    otherwise leave a redis-server running. Elsewhere there is no such call: None.

    The kernel's "parent" is the forking *thread*, not the process: a server forked from a
    short-lived thread (an HTTP request's) dies with it. ``RedisServer`` therefore forks from
    an owner thread of its own that lives exactly as long as the server.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def arrange() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return arrange


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A private redis-server that keeps nothing on disk; also killable to simulate an outage."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="gamify-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers; callable from any thread."""
        forked: Future[subprocess.Popen[bytes]] = Future()
        threading.Thread(
            target=self._own, args=(forked,), name=f"redis-server-{self.port}", daemon=True
        ).start()
        self._process = forked.result()
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)
        client.close()
        return self

    def _own(self, forked: Future[subprocess.Popen[bytes]]) -> None:
        """The owner thread: forks the server, then waits for it to exit, so the parent-death
        signal fires when the whole process dies, never when the caller's thread ends."""
        try:
            process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", self._dir.name,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent(os.getpid()),  # noqa: PLW1509 - async-safe calls only
            )  # fmt: skip
        except BaseException as error:
            forked.set_exception(error)
            return
        forked.set_result(process)
        process.wait()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._dir.cleanup()
