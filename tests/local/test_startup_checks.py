"""``make local`` refuses a bad or taken PORT with a message that says what to do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from gamification.local.__main__ import DEFAULT_PORT, StartError, port_from


@pytest.mark.parametrize("raw", ["abc", "0", "65536", "-1", "3000.5", " 3000"])
def test_a_port_that_is_not_a_tcp_port_is_refused_by_name(raw: str) -> None:
    with pytest.raises(StartError, match=f"PORT={raw!r} is not a TCP port"):
        port_from(raw)


@pytest.mark.parametrize(
    ("raw", "port"), [(None, DEFAULT_PORT), ("", DEFAULT_PORT), ("8080", 8080)]
)
def test_a_valid_or_absent_port(raw: str | None, port: int) -> None:
    assert port_from(raw) == port


def test_a_taken_port_is_named_with_a_free_one_to_use_instead() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "GAMIFY_LOCAL_STACKS_DIR": os.devnull}
        started = subprocess.run(
            [sys.executable, "-m", "gamification.local"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    message = started.stderr
    assert started.returncode == 2, message
    assert f"port {port} on 127.0.0.1 is already in use" in message
    suggested = int(message.rsplit("PORT=", 1)[1].split()[0])
    assert suggested > port
