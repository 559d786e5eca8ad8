"""The local stack's Redis: ``REDIS_URL`` if given, else a private ``redis-server``, else an
embedded pure-Python server (fakeredis over TCP, with Lua for the leaderboard scripts).

Whichever runs, the handlers reach it through ``REDIS_URL`` exactly as they reach ElastiCache.
``kill()`` and ``restart()`` simulate an outage and a node replacement (empty cache on the same
port), for the fallback and reconciliation paths.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
from typing import Any

import redis

from gamification.local.redis_server import RedisServer, free_port

EXTERNAL = "external (REDIS_URL)"
SERVER = "redis-server"
EMBEDDED = "embedded fakeredis (pure Python; install redis-server for the real thing)"


class OutageNotSupportedError(Exception):
    """An external Redis is not ours to stop."""


class LocalRedis:
    def __init__(self, url: str | None = None, prefer: str | None = None) -> None:
        """``prefer``: ``server`` or ``embedded`` (``GAMIFY_LOCAL_REDIS``), else the best one."""
        self._external = url
        choice = prefer or os.environ.get("GAMIFY_LOCAL_REDIS", "")
        if url:
            self.kind = EXTERNAL
        elif choice == "embedded" or (choice != "server" and shutil.which("redis-server") is None):
            self.kind = EMBEDDED
        else:
            self.kind = SERVER
        self.port = free_port()
        self._server: RedisServer | None = None
        self._embedded: _EmbeddedServer | None = None

    @property
    def url(self) -> str:
        return self._external or f"redis://127.0.0.1:{self.port}/0"

    def answers(self, timeout: float = 0.5) -> bool:
        """Whether Redis answers PING now: what a status reports, not what was last asked of
        it (a server can die on its own, and an external one is never ours to know)."""
        client = redis.Redis.from_url(
            self.url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> LocalRedis:
        if self.kind == SERVER:
            self._server = RedisServer(port=self.port).start()
        elif self.kind == EMBEDDED:
            self._embedded = _EmbeddedServer(self.port).start()
        return self

    def kill(self) -> None:
        """Stop serving and drop every connection (data is lost, as when a node dies)."""
        if self.kind == EXTERNAL:
            raise OutageNotSupportedError("REDIS_URL points at a Redis this stack did not start")
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None

    def restart(self) -> None:
        """A fresh, empty Redis on the same port (a replaced node)."""
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.kind != EXTERNAL:
            self.kill()


class _EmbeddedServer:
    """fakeredis' TCP server in a thread, tracking client sockets so ``stop`` can cut them."""

    def __init__(self, port: int) -> None:
        try:
            from fakeredis import TcpFakeServer
        except ImportError as error:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "no redis-server binary and no fakeredis: apt-get install redis-server, "
                "or pip install 'fakeredis[lua]'"
            ) from error
        sockets: list[socket.socket] = []

        class _Tracking(TcpFakeServer):
            def process_request(self, request: Any, client_address: Any) -> None:
                sockets.append(request)
                super().process_request(request, client_address)

        self._sockets = sockets
        self._server = _Tracking(("127.0.0.1", port), server_type="redis")
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="embedded-redis", daemon=True
        )

    def start(self) -> _EmbeddedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()
        self._thread.join(timeout=5)
