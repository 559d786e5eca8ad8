"""The ``gamify`` CLI against the local stack: tables for people, JSON for scripts, simulate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.stack import StackProcess, eventually

pytestmark = pytest.mark.e2e


def gamify(stack: StackProcess, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "gamification.cli.main", "--url", stack.url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_send_then_profile_badges_and_leaderboard_tables(stack: StackProcess) -> None:
    assert "queued post_read#post-9" in gamify(
        stack, "--user", "cli", "send", "post_read", "post-9"
    )
    eventually(lambda: stack.api.profile("cli")["xp"] == 10, what="the CLI's activity")
    # The board follows the commit through the projector (the table's stream).
    eventually(lambda: stack.api.profile("cli")["rank"] is not None, what="the CLI's rank")

    profile = gamify(stack, "--user", "cli", "profile")
    assert "xp          10" in profile
    badges = gamify(stack, "--user", "cli", "badges")
    assert "First Steps" in badges
    assert "1/10" in badges  # Bookworm's progress
    board = gamify(stack, "--user", "cli", "leaderboard")
    assert "cli" in board
    as_json = json.loads(gamify(stack, "--json", "--user", "cli", "profile"))
    assert as_json["xp"] == 10


def test_service_route_and_jobs(stack: StackProcess) -> None:
    gamify(stack, "send", "challenge_solved", "ch-1", "--for", "solver")
    eventually(lambda: stack.api.profile("solver")["xp"] == 30, what="a solved challenge")
    result = json.loads(gamify(stack, "job", "reconciler", "--at", "2026-11-27T12:00:00Z"))
    assert result["function"] == "reconciler"
    assert result["at"] == "2026-11-27T12:00:00+00:00"


def test_simulate_a_small_population(stack: StackProcess) -> None:
    out = gamify(stack, "simulate", "--users", "15", "--days", "2", "--seed", "3")
    assert "events/s" in out
    assert "queue drained" in out
    assert "rank  user" in out
    board = stack.api.leaderboard(limit=100)
    assert sum(1 for e in board["entries"] if e["user_id"].startswith("sim-")) >= 5
