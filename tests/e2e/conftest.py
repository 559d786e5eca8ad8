"""One local stack per test module (``stack_environment`` may be overridden by a module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import StackProcess


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {}


@pytest.fixture(scope="module")
def stack(stack_environment: dict[str, str]) -> Iterator[StackProcess]:
    process = StackProcess(**stack_environment)
    try:
        process.wait_ready()
    except BaseException:
        process.stop()
        raise
    yield process
    code = process.stop()
    logs = process.logs()
    process.cleanup()
    assert code == 0, f"the local stack did not stop cleanly (exit {code}):\n{logs}"
    assert "gamify local stack stopped" in logs
