"""A redis-server the tests or the local stack started never outlives them, however they die."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from gamification.local.redis_server import RedisServer

CHILD = """
import sys, time
from gamification.local.redis_server import RedisServer
server = RedisServer().start()
print(server._process.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody has reaped yet."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_a_sigkilled_owner_takes_its_redis_server_with_it() -> None:
    owner = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    redis_pid = int(owner.stdout.readline())
    assert _alive(redis_pid)

    os.kill(owner.pid, signal.SIGKILL)  # no finally, no atexit: only the kernel can help
    owner.wait()
    deadline = time.monotonic() + 10
    while _alive(redis_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(redis_pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_a_server_started_from_a_short_lived_thread_outlives_that_thread() -> None:
    """The local stack restarts Redis from an HTTP request's thread, which ends right after
    the answer: the server must live on (the kernel's parent-death signal follows the thread
    that forked, so a server forked by that thread died with it, ≈ 0.1 s after the answer)."""
    server = RedisServer()
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
    try:
        client = redis.Redis(port=server.port, socket_connect_timeout=0.2, socket_timeout=0.2)
        deadline = time.monotonic() + 1.5  # the old code's server was gone within 0.2 s
        while time.monotonic() < deadline:
            assert client.ping()
            time.sleep(0.05)
        client.close()
    finally:
        server.__exit__(None, None, None)
