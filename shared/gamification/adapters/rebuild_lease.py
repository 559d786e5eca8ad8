"""The full reconciliation pass's lease and saved progress, in Redis next to its boards.

At most one full pass runs: it holds ``{lb}:rebuild:lease`` (``SET NX PX``), renews it after
every page and releases it at the end, each through a script that acts only for the holder's
token, so a pass that lost its lease (it stalled past the expiry and another took over) can
neither renew it nor overwrite the other's progress. A crashed pass's lease expires on its own
(``LEASE_TTL_MS``): the next run takes over, no human needed.

A pass that runs out of time saves its progress (an opaque JSON string the service owns) in
``{lb}:rebuild:progress`` with the temporary boards' expiry: if Redis loses data, the
temporary boards and the progress go together, and the next pass starts over. Both keys share
the ``{lb}`` hash slot with the boards.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import uuid4

import redis

from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    PREFIX,
    LeaderboardUnavailableError,
    text,
)

LEASE_KEY = f"{PREFIX}:rebuild:lease"
PROGRESS_KEY = f"{PREFIX}:rebuild:progress"
LEASE_TTL_MS = 120_000
"""Two minutes, renewed after every page (a page takes well under a second): a crashed pass is
taken over within two minutes, by the next one-minute check."""

_CHECKPOINT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[2])
else redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
redis.call('DEL', KEYS[1])
return 1
"""


class RebuildLease:
    def __init__(
        self,
        client: redis.Redis,
        ttl_ms: int = LEASE_TTL_MS,
        *,
        lease_key: str = LEASE_KEY,
        progress_key: str = PROGRESS_KEY,
    ) -> None:
        """Other keys: another pass with a lease of its own (the team boards')."""
        self._client = client
        self._ttl_ms = ttl_ms
        self._lease_key, self._progress_key = lease_key, progress_key
        self._checkpoint = client.register_script(_CHECKPOINT)
        self._release = client.register_script(_RELEASE)

    def status(self) -> tuple[bool, bool]:
        """``(a pass holds the lease, a paused pass's progress exists)``: one round trip."""
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.exists(self._lease_key)
            pipe.exists(self._progress_key)
            held, saved = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return bool(held), bool(saved)

    def acquire(self) -> str | None:
        """This pass's token, or ``None`` when another pass holds the lease."""
        token = uuid4().hex
        try:
            taken = self._client.set(self._lease_key, token, nx=True, px=self._ttl_ms)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return token if taken else None

    def progress(self) -> str | None:
        """The paused pass's saved progress (read by the lease's holder)."""
        try:
            found = self._client.get(self._progress_key)
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return None if found is None else text(found)

    def checkpoint(self, token: str, progress: str = "") -> bool:
        """Renew the lease and save ``progress`` (if any), only while ``token`` holds it:
        ``False`` means the lease was lost and the pass must stop at once."""
        return self._run(self._checkpoint, [self._ttl_ms, progress, ABANDONED_REBUILD_TTL], token)

    def release(self, token: str, progress: str = "") -> bool:
        """End the holder's turn: save ``progress`` for the next run to resume, or (empty: the
        pass is done) drop it; then free the lease."""
        return self._run(self._release, [progress, ABANDONED_REBUILD_TTL], token)

    def _run(self, script: Any, args: list[Any], token: str) -> bool:
        try:
            done = script(keys=[self._lease_key, self._progress_key], args=[token, *args])
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        return bool(cast(Any, done))
