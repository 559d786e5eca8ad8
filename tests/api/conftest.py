"""Fixtures for the HTTP API tests: moto + a real Redis behind the real handlers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from gamification import composition
from gamification.local.provision import Provisioned, provision
from gamification.local.redis_server import free_port
from tests.api import seed
from tests.api.support import Api


@pytest.fixture
def api(stack_env: Provisioned) -> Api:
    """A client over the four API functions, against this test's moto account and Redis."""
    return Api()


@pytest.fixture
def redis_down(stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the functions at a port nobody listens on: every Redis call fails at once."""
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    composition.reset()
    yield
    composition.reset()


@pytest.fixture(scope="module")
def shared_stack(redis_url: str) -> Iterator[Provisioned]:
    """One moto account for a whole module of tests that must leave nothing behind.

    Creating the table and queues costs about a second per test; refusal tests (which assert
    that nothing was written) share one account and check the queue is still empty.
    """
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        provisioned = provision(prefix="shared")
        for name, value in {**provisioned.environment(), "REDIS_URL": redis_url}.items():
            patch.setenv(name, value)
        composition.reset()
        seed.complete_boards()  # as the first cache check of a fresh deployment leaves them
        yield provisioned
    composition.reset()


@pytest.fixture
def refusals(shared_stack: Provisioned) -> Iterator[Api]:
    """A client for tests whose every request must be refused: the queue stays empty."""
    yield Api()
    assert seed.queue_depth(shared_stack.queue_url) == 0, "a refused request queued something"
