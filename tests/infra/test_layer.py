"""``make layer`` picks an interpreter that really runs as the Lambda runtime's Python.

The candidates are real executable files on a temporary PATH and pyenv root: a pyenv shim with
no 3.13 behind it answers to ``python3.13`` and exits 127, which must be passed over, not
trusted (it used to fail the whole build after pip had run).
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from infra.layer import PYTHON_VERSION, RUNTIME_PYTHON_VARIABLE, RuntimePython, runtime_python

SHIM_127 = """#!/bin/sh
cat >&2 <<'EOF'
pyenv: python3.13: command not found

The `python3.13' command exists in these Python versions:
  3.13.0
EOF
exit 127
"""
"""What a pyenv shim does for ``python3.13`` when the selected version is another one."""
RUNTIME_VERSION = "(3, 13)"
assert PYTHON_VERSION == "3.13"  # the fakes below answer as 3.13


def _interpreter(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _answering(version: str) -> str:
    """A stand-in interpreter that answers the version probe like ``python3.13 -c ...``."""
    return f'#!/bin/sh\necho "{version}"\n'


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine whose only interpreters are the ones a test puts there: ``bin`` is the whole
    PATH (plus ``/bin`` for ``sh``), ``pyenv`` the pyenv root, no override set, and the build
    runs on ``current/python``, a 3.11 (whatever runs the tests)."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "pyenv" / "versions").mkdir(parents=True)
    current = _interpreter(tmp_path / "current" / "python", _answering("(3, 11)"))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/bin")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.delenv(RUNTIME_PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "executable", str(current))
    return tmp_path


def _current_passed_over(machine: Path) -> str:
    return f"{machine / 'current' / 'python'}: is Python (3, 11), not 3.13"


def test_a_shim_that_exits_127_is_passed_over_and_the_report_names_the_override(
    machine: Path,
) -> None:
    shim = _interpreter(machine / "bin" / "python3.13", SHIM_127)
    found = runtime_python()
    assert found.python is None
    assert found.passed_over == (
        f"{shim}: exits 127 (pyenv: python3.13: command not found)",
        _current_passed_over(machine),
    )
    report = found.report()
    assert RUNTIME_PYTHON_VARIABLE in report
    assert "without .pyc" in report
    assert str(shim) in report


def test_a_working_pyenv_version_is_used_when_the_path_answers_with_a_broken_shim(
    machine: Path,
) -> None:
    shim = _interpreter(machine / "bin" / "python3.13", SHIM_127)
    versions = machine / "pyenv" / "versions"
    _interpreter(versions / "3.13.2" / "bin" / "python3.13", _answering(RUNTIME_VERSION))
    newest = _interpreter(versions / "3.13.10" / "bin" / "python3.13", _answering(RUNTIME_VERSION))
    found = runtime_python()
    assert found.python == newest  # 3.13.10 is newer than 3.13.2, though it sorts before it
    assert [reason.split(":")[0] for reason in found.passed_over] == [str(shim)]
    assert found.report().splitlines() == [
        f"compiled .pyc with {newest} (Lambda runtime python3.13)",
        f"  passed over {shim}: exits 127 (pyenv: python3.13: command not found)",
    ]


def test_an_interpreter_of_another_version_is_passed_over(machine: Path) -> None:
    other = _interpreter(machine / "bin" / "python3.13", _answering("(3, 12)"))
    found = runtime_python()
    assert found.python is None
    assert found.passed_over == (
        f"{other}: is Python (3, 12), not 3.13",
        _current_passed_over(machine),
    )


def test_the_interpreter_running_the_build_is_used_when_it_is_the_runtimes(
    machine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A venv made from a 3.13: nothing named python3.13 on the path ``make`` sees."""
    venv = _interpreter(machine / "venv" / "bin" / "python", _answering(RUNTIME_VERSION))
    monkeypatch.setattr(sys, "executable", str(venv))
    assert runtime_python() == RuntimePython(venv, ())


def test_a_working_python_on_the_path_is_used(machine: Path) -> None:
    python = _interpreter(machine / "bin" / "python3.13", _answering(RUNTIME_VERSION))
    assert runtime_python().python == python


def test_a_broken_override_stops_the_build_naming_the_variable(
    machine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chosen by hand, it must work: falling back silently would hide the mistake."""
    _interpreter(machine / "bin" / "python3.13", _answering(RUNTIME_VERSION))
    broken = _interpreter(machine / "elsewhere" / "python", SHIM_127)
    monkeypatch.setenv(RUNTIME_PYTHON_VARIABLE, str(broken))
    with pytest.raises(SystemExit, match=f"{RUNTIME_PYTHON_VARIABLE}=.*exits 127"):
        runtime_python()
    monkeypatch.setenv(RUNTIME_PYTHON_VARIABLE, str(machine / "missing"))
    with pytest.raises(SystemExit, match=f"{RUNTIME_PYTHON_VARIABLE}=.*does not run"):
        runtime_python()


def test_a_working_override_wins(machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _interpreter(machine / "bin" / "python3.13", _answering(RUNTIME_VERSION))
    chosen = _interpreter(machine / "elsewhere" / "python", _answering(RUNTIME_VERSION))
    monkeypatch.setenv(RUNTIME_PYTHON_VARIABLE, str(chosen))
    assert runtime_python().python == chosen
