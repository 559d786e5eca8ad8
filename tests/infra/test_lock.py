"""uv.lock is the one source of installed versions (make, CI, the layer): it must match
pyproject.toml, or `make` fails on a fresh machine (`uv sync --locked`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _uv() -> str:
    """The uv that `make` bootstraps into the venv (or one on the path)."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("no uv: `make install` bootstraps it into .venv")
    return found


def _lock_check(project: Path, *, offline: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_uv(), "lock", "--check", *(["--offline"] if offline else []), "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_lock_matches_pyproject() -> None:
    result = _lock_check(REPO)
    assert result.returncode == 0, f"run `uv lock` and commit uv.lock:\n{result.stderr}"


def test_the_check_fails_when_a_range_changes_without_relocking(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"pytest>=8.3,<10"' in text
    pyproject.write_text(text.replace('"pytest>=8.3,<10"', '"pytest>=8.4,<10"'), "utf-8")

    # Online: deciding that a changed range needs a new lock takes the index's metadata, which
    # a fresh machine's uv cache does not hold (offline, uv only says "No solution found").
    result = _lock_check(tmp_path, offline=False)

    assert result.returncode != 0
    assert "needs to be updated" in result.stderr
