"""The cache never lies, on the local stack: Redis comes back empty while players keep playing;
every read until the rebuild says ``stale`` (the DynamoDB snapshot), none shows the partial board
the projector refills as fresh, and the one-minute check rebuilds it with no manual step."""

from __future__ import annotations

import threading
import time

import pytest

from tests.e2e.stack import StackProcess, eventually

pytestmark = pytest.mark.e2e

PLAYERS = {"ada": 5, "bob": 3, "cy": 1, "dee": 2}
CHECK_PERIOD_SECONDS = 60
SLACK_SECONDS = 20
"""The check runs every minute; a rebuild of a few players and a loaded machine add a little."""


def test_an_emptied_cache_is_served_stale_never_partial_and_rebuilt_within_a_minute(
    stack: StackProcess,
) -> None:
    api = stack.api
    api.read_posts(PLAYERS)
    eventually(lambda: api.leaderboard(limit=10)["total"] == len(PLAYERS), what="the live board")
    api.job("reconciler")  # the scheduled full run: snapshots the top N to DynamoDB

    # Traffic continues across the restart: the projector refills the boards with the players
    # active since, which is a board, but not the board.
    stop = threading.Event()

    def play() -> None:
        i = 0
        while not stop.is_set():
            api.report("cy", "post_read", f"after-{i}")
            i += 1
            time.sleep(0.5)

    player = threading.Thread(target=play, daemon=True)
    api.redis("restart")  # a replaced node: reachable again, and empty
    restarted = time.monotonic()
    player.start()
    seen_stale = 0
    try:
        while True:
            board = api.leaderboard(limit=10)
            if not board["stale"]:
                break
            seen_stale += 1
            assert board["as_of"] is not None  # the snapshot, with its time
            assert {e["user_id"] for e in board["entries"]} == set(PLAYERS)
            profile = api.profile("ada")
            if profile["rank_available"]:
                # The rebuild finished between the two reads: a rank is only ever shown from
                # a complete board, so the board must be fresh from now on.
                assert api.leaderboard(limit=10)["stale"] is False, "a rank from a partial board"
                continue
            assert profile["rank"] is None
            assert time.monotonic() - restarted < CHECK_PERIOD_SECONDS + SLACK_SECONDS, (
                "no rebuild within a minute of the restart"
            )
            time.sleep(0.5)
    finally:
        stop.set()
        player.join(timeout=5)
    rebuilt_after = time.monotonic() - restarted

    assert seen_stale > 0, "the first read after the restart must already be stale"
    # Fresh again: the whole board, never only the players the projector wrote since.
    assert board["total"] == len(PLAYERS)
    assert {e["user_id"] for e in board["entries"]} == set(PLAYERS)
    assert api.profile("ada")["rank_available"] is True
    assert rebuilt_after < CHECK_PERIOD_SECONDS + SLACK_SECONDS
    print(f"rebuilt {rebuilt_after:.1f} s after the restart; {seen_stale} stale reads before")
