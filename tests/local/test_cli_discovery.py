"""How the CLI finds the API, where its flags may go, and what it says when nothing answers."""

from __future__ import annotations

import json
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


def _record(where: Path, port: int, pid: int, root: Path, started: float = 1_000.0) -> Path:
    """Another stack's record, as its own ``advertise`` writes it (a pid not ours)."""
    where.mkdir(parents=True, exist_ok=True)
    record = where / f"{port}.json"
    record.write_text(
        json.dumps(
            {
                "url": f"http://127.0.0.1:{port}",
                "pid": pid,
                "port": port,
                "root": str(root),
                "started": started,
            }
        ),
        encoding="utf-8",
    )
    return record


def _checkout(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    (root / "shared" / "deep").mkdir(parents=True)
    (root / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")  # as in a worktree
    return root


def test_the_flag_wins_over_everything(tmp_path: Path) -> None:
    env = {"GAMIFY_URL": "http://env:1", "PORT": "4000", stack_file.ENV: str(tmp_path / "s")}
    assert discover("http://flag:9", env).url == "http://flag:9"


def test_gamify_url_wins_over_a_running_stack(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    _record(stacks, 4555, os.getpid(), tmp_path)
    target = discover(None, {"GAMIFY_URL": "http://env:1", stack_file.ENV: str(stacks)})
    assert (target.url, target.source, target.note) == ("http://env:1", "GAMIFY_URL", None)


def test_a_running_stack_is_found_through_its_record_and_named(tmp_path: Path) -> None:
    stacks, root = tmp_path / "stacks", _checkout(tmp_path, "repo")
    record = stack_file.advertise("http://127.0.0.1:4555", 4555, stacks, root)
    assert record == stacks / "4555.json"
    target = discover(None, {"PORT": "4000", stack_file.ENV: str(stacks)}, cwd=root)
    assert target.url == "http://127.0.0.1:4555"
    assert str(record) in target.source
    assert target.note is not None
    assert "http://127.0.0.1:4555" in target.note
    assert f"started from this checkout, {root}" in target.note
    assert "also running" not in target.note


def test_the_stack_of_the_current_checkout_wins_over_a_newer_one(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    mine, theirs = _checkout(tmp_path, "mine"), _checkout(tmp_path, "theirs")
    _record(stacks, 4555, os.getpid(), mine, started=1_000.0)
    _record(stacks, 4666, os.getppid(), theirs, started=2_000.0)  # started last

    here = discover(None, {stack_file.ENV: str(stacks)}, cwd=mine / "shared" / "deep")
    there = discover(None, {stack_file.ENV: str(stacks)}, cwd=theirs)

    assert (here.url, there.url) == ("http://127.0.0.1:4555", "http://127.0.0.1:4666")
    assert here.note is not None
    assert f"also running: http://127.0.0.1:4666 from {theirs}" in here.note


def test_outside_every_checkout_the_most_recent_stack_wins_and_says_so(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    _record(stacks, 4555, os.getpid(), _checkout(tmp_path, "a"), started=2_000.0)
    _record(stacks, 4666, os.getppid(), _checkout(tmp_path, "b"), started=1_000.0)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    target = discover(None, {stack_file.ENV: str(stacks)}, cwd=elsewhere)

    assert target.url == "http://127.0.0.1:4555"
    assert target.note is not None
    assert f"the most recently started; none was started from {elsewhere}" in target.note


def test_stopping_one_stack_leaves_the_other_findable(tmp_path: Path) -> None:
    """The single shared file used to be deleted by whichever stack stopped first."""
    stacks, root = tmp_path / "stacks", _checkout(tmp_path, "repo")
    _record(stacks, 4666, os.getppid(), root, started=1_000.0)  # another stack, still running
    ours = stack_file.advertise("http://127.0.0.1:4555", 4555, stacks, root)  # started later

    assert discover(None, {stack_file.ENV: str(stacks)}, cwd=root).url == "http://127.0.0.1:4555"
    stack_file.withdraw(ours)

    assert not ours.exists()
    assert discover(None, {stack_file.ENV: str(stacks)}, cwd=root).url == "http://127.0.0.1:4666"


def test_a_dead_stacks_record_is_pruned_and_ignored(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    dead = _record(stacks, 4555, _dead_pid(), tmp_path)
    target = discover(None, {"PORT": "4000", stack_file.ENV: str(stacks)}, cwd=tmp_path)
    assert (target.url, target.source, target.note) == ("http://127.0.0.1:4000", "PORT", None)
    assert not dead.exists()
    assert f"local stacks in {stacks}: none running" in target.looked


def test_port_3000_when_nothing_else_says(tmp_path: Path) -> None:
    target = discover(None, {stack_file.ENV: str(tmp_path / "none")}, cwd=tmp_path)
    assert target.url == "http://127.0.0.1:3000"
    assert len(target.looked) == 4


def test_a_stack_withdraws_only_its_own_record(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    ours = stack_file.advertise("http://127.0.0.1:4555", 4555, stacks, tmp_path)
    _record(stacks, 4555, os.getppid(), tmp_path)  # a stack started later on the same port
    stack_file.withdraw(ours)
    assert ours.exists()


def test_records_live_under_the_cache_dir_by_default(tmp_path: Path) -> None:
    assert stack_file.directory({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "gamify" / "stacks"


def test_the_checkout_is_the_nearest_folder_with_git(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "repo")
    assert stack_file.checkout_of(root / "shared" / "deep") == root
    assert stack_file.checkout_of(tmp_path) == tmp_path  # none: the folder itself


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
    monkeypatch.setenv(stack_file.ENV, str(tmp_path / "none"))

    code = main(["profile"])

    error = capsys.readouterr().err
    assert code == EXIT_UNREACHABLE
    assert f"http://127.0.0.1:{port}" in error
    assert "GAMIFY_URL: not set" in error
    assert str(tmp_path / "none") in error
    assert "make local" in error


def test_an_unreachable_url_given_by_flag_lists_nothing_looked_at(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--url", f"http://127.0.0.1:{free_port()}", "profile"])

    error = capsys.readouterr().err
    assert code == EXIT_UNREACHABLE
    assert "The URL came from --url." in error
    assert "looked at" not in error


def test_the_cli_names_the_stack_it_picked_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stacks = tmp_path / "stacks"
    port = free_port()  # nothing listens: the pick is named before the call fails
    _record(stacks, port, os.getpid(), tmp_path)
    monkeypatch.delenv("GAMIFY_URL", raising=False)
    monkeypatch.setenv(stack_file.ENV, str(stacks))
    monkeypatch.chdir(tmp_path)

    main(["profile"])

    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"gamify: using the local stack at http://127.0.0.1:{port} (pid ")


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
