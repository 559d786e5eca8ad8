"""The ``gamify`` CLI against the local stack: tables for people, JSON for scripts, simulate."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest

from tests.e2e.stack import StackProcess, eventually

pytestmark = pytest.mark.e2e


def run_gamify(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gamification.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def gamify(stack: StackProcess, *args: str) -> str:
    result = run_gamify("--url", stack.url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_cli_finds_the_running_stack_without_being_told(stack: StackProcess) -> None:
    """No --url, no GAMIFY_URL, no PORT: the URL the stack advertised is the one used."""
    env = {k: v for k, v in os.environ.items() if k not in {"GAMIFY_URL", "PORT"}}
    env["GAMIFY_LOCAL_STACKS_DIR"] = str(stack.stacks_dir)

    result = run_gamify("status", "--json", env=env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["base_url"] == stack.url
    assert (stack.stacks_dir / f"{stack.port}.json").exists()  # one record per stack
    assert f"gamify: using the local stack at {stack.url} (pid " in result.stderr


def test_dead_letters_are_listed_with_their_reason_and_redriven(stack: StackProcess) -> None:
    sqs = boto3.client(
        "sqs",
        endpoint_url=stack.api.status()["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    queue_url = sqs.get_queue_url(QueueName="gamify-activities")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="{not json")

    def dead_letters() -> list[dict[str, object]]:
        return list(json.loads(gamify(stack, "dlq", "list", "--json"))["messages"])

    listed = eventually(dead_letters, what="the poison message in the DLQ")
    # The consumer sent it there itself (never redelivered), and listing receives nothing:
    # listed again, its count has not moved (each listing used to add one).
    assert [(m["code"], m["body"], m["receive_count"]) for m in listed] == [
        ("invalid_message", "{not json", 0)
    ]
    assert "Invalid JSON" in str(listed[0]["reason"])
    table = gamify(stack, "dlq", "list")  # the table for people
    assert "invalid_message" in table
    assert "listing receives nothing" in table
    assert dead_letters() == listed

    assert json.loads(gamify(stack, "dlq", "redrive", "--json")) == {"moved": 1}

    # It went back through the queue: the consumer refused it again, with its reason.
    again = eventually(
        lambda: [m for m in dead_letters() if m["message_id"] != listed[0]["message_id"]],
        what="a second verdict",
    )
    assert [(m["code"], m["receive_count"]) for m in again] == [("invalid_message", 0)]


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

    def simulated_on_the_board() -> bool:
        # The projector follows the table's stream: the board can trail a drained queue.
        board = stack.api.leaderboard(limit=100)
        return sum(1 for e in board["entries"] if e["user_id"].startswith("sim-")) >= 5

    eventually(simulated_on_the_board, 60, what="the simulated players on the board")


def test_refusals_say_what_to_do_next(stack: StackProcess) -> None:
    erase = run_gamify("--url", stack.url, "--user", "mallory", "user", "erase", "victim")
    assert erase.returncode == 1
    assert "HTTP 403" in erase.stderr
    assert "add --admin" in erase.stderr  # the route is an admin one: say how to be one

    job = run_gamify("--url", stack.url, "job", "reconcile")  # a typo
    assert job.returncode == 1
    assert "HTTP 404" in job.stderr
    assert (
        "jobs on a schedule: consumer, leagues, rarity, reconciler, reminder_fanout" in job.stderr
    )
    assert "backfill" in job.stderr  # runs with --event


def test_status_counts_the_badges_of_the_live_catalog(stack: StackProcess) -> None:
    """An admin's edit shows at once (the banner's figure is the count at start)."""
    before = json.loads(gamify(stack, "status", "--json"))["badges"]
    assert f"{before} in the catalog" in gamify(stack, "status")
    badge = {
        "name": "Unreachable",
        "description": "A billion XP.",
        "icon": "icons/none.svg",
        "criteria": {"type": "xp_total", "count": 1_000_000_000},
    }
    saved = stack.api.client.request(
        "PUT", "/v1/admin/badges/cli-unreachable", token="dev:boss:admin", body=badge
    )
    assert saved.ok, saved.body

    assert f"{before + 1} in the catalog" in gamify(stack, "status")
