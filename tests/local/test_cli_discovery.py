"""How the CLI finds the API, where its flags may go, and what it says when nothing answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gamification.cli.discovery import discover
from gamification.cli.main import EXIT_UNREACHABLE, build_parser, main
from gamification.local import stack_file
from gamification.local.redis_server import free_port


def _dead_pid() -> int:
    """A pid that no longer runs: a child that already exited and was reaped."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def _advertise(where: Path, url: str, pid: int) -> None:
    where.write_text(f'{{"url": "{url}", "pid": {pid}}}', encoding="utf-8")


def test_the_flag_wins_over_everything(tmp_path: Path) -> None:
    env = {"GAMIFY_URL": "http://env:1", "PORT": "4000", stack_file.ENV: str(tmp_path / "s")}
    assert discover("http://flag:9", env).url == "http://flag:9"


def test_gamify_url_wins_over_a_running_stack(tmp_path: Path) -> None:
    where = tmp_path / "stack.json"
    _advertise(where, "http://127.0.0.1:4555", os.getpid())
    target = discover(None, {"GAMIFY_URL": "http://env:1", stack_file.ENV: str(where)})
    assert (target.url, target.source) == ("http://env:1", "GAMIFY_URL")


def test_a_running_stack_is_found_through_its_file(tmp_path: Path) -> None:
    where = tmp_path / "stack.json"
    _advertise(where, "http://127.0.0.1:4555", os.getpid())
    target = discover(None, {"PORT": "4000", stack_file.ENV: str(where)})
    assert target.url == "http://127.0.0.1:4555"
    assert str(where) in target.source


def test_a_stale_file_of_a_dead_stack_is_ignored_for_port(tmp_path: Path) -> None:
    where = tmp_path / "stack.json"
    _advertise(where, "http://127.0.0.1:4555", _dead_pid())
    target = discover(None, {"PORT": "4000", stack_file.ENV: str(where)})
    assert (target.url, target.source) == ("http://127.0.0.1:4000", "PORT")


def test_port_3000_when_nothing_else_says(tmp_path: Path) -> None:
    target = discover(None, {stack_file.ENV: str(tmp_path / "none.json")})
    assert target.url == "http://127.0.0.1:3000"
    assert len(target.looked) == 4


def test_a_stack_withdraws_only_its_own_file(tmp_path: Path) -> None:
    where = tmp_path / "stack.json"
    stack_file.advertise("http://127.0.0.1:4555", where)
    assert stack_file.read(where) == stack_file.Advertised("http://127.0.0.1:4555", os.getpid())
    _advertise(where, "http://127.0.0.1:4666", os.getppid())  # a newer stack replaced it
    stack_file.withdraw(where)
    assert where.exists()
    stack_file.advertise("http://127.0.0.1:4555", where)
    stack_file.withdraw(where)
    assert not where.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "--user", "ann", "send", "post_read", "p-1"],
        ["send", "post_read", "p-1", "--json", "--user", "ann"],
        ["--user", "bob", "send", "--json", "post_read", "p-1", "--user", "ann"],
    ],
)
def test_global_flags_go_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.json, args.user, args.type, args.object_id) == (True, "ann", "post_read", "p-1")


def test_flags_before_the_command_survive_a_command_that_omits_them() -> None:
    args = build_parser().parse_args(["--admin", "--url", "http://x:1", "profile"])
    assert (args.admin, args.url, args.user, args.json) == (True, "http://x:1", "demo", False)


def test_nothing_listening_says_where_it_looked_and_what_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    monkeypatch.delenv("GAMIFY_URL", raising=False)
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.setenv(stack_file.ENV, str(tmp_path / "none.json"))

    code = main(["profile"])

    error = capsys.readouterr().err
    assert code == EXIT_UNREACHABLE
    assert f"http://127.0.0.1:{port}" in error
    assert "GAMIFY_URL: not set" in error
    assert str(tmp_path / "none.json") in error
    assert "make local" in error


def test_help_shows_examples_and_defaults_without_markup() -> None:
    text = build_parser().format_help()
    sub = subprocess.run(
        [sys.executable, "-m", "gamification.cli.main", "simulate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "examples:" in text
    assert "::" not in text
    assert "(default: 100)" in sub  # --users
    assert "(default: 4)" in sub  # --concurrency
