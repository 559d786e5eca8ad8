"""The layering rule, checked on the source: services and the domain know no storage.

- ``services/`` and ``domain/`` import no adapter (``gamification.adapters``) and no client
  library (boto3, botocore, their ``mypy_boto3_*`` stubs, redis): a service declares the ports
  it needs as ``typing.Protocol``s next to itself, and the composition root plugs adapters in.
- ``domain/`` imports nothing of the package outside ``domain/`` (the pure core).
- ``adapters/`` import no service, API or composition module (they implement the ports
  structurally; the records they share with services live in ``domain/``).
- ``config.py`` imports nothing of the package but the domain, and ``resources.py`` (the spec
  CDK and the local stack read, which every layer may import) nothing of the package at all:
  no upward import.
- No import cycle anywhere in the package, lazy and ``TYPE_CHECKING`` imports included.

Violations that remain while other modules are moved sit in ``ALLOWED`` (module -> the modules it
may still import against the rule). The list can only shrink: an entry that no longer violates
fails too, so whoever fixes a module deletes its entry.
"""

from __future__ import annotations

import pytest

from tests.import_graph import Import, cycles, imports, imports_in, modules

CLIENT_LIBRARIES = frozenset({"boto3", "botocore", "redis"})
"""Top-level packages a service may not import (nor the ``mypy_boto3_*`` stubs of boto3)."""

ALLOWED: dict[str, set[str]] = {}
"""Empty since the profile records moved to ``domain.profile_records``: keep it so."""

_ALL = list(imports())


def test_the_graph_reads_the_whole_package() -> None:
    """An empty graph would pass every rule: it must see the services and their imports."""
    known = modules()
    assert {"gamification.services.export", "gamification.domain.boards"} <= set(known)
    assert len(known) > 100
    assert any(i.module == "gamification.composition" for i in _ALL)


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _storage(target: str) -> bool:
    root = target.split(".", 1)[0]
    return (
        _in(target, "gamification.adapters")
        or root in CLIENT_LIBRARIES
        or root.startswith("mypy_boto3_")
    )


def _broken(i: Import) -> bool:
    """Whether one import breaks a rule of this module's docstring."""
    module, target = i.module, i.target
    outside_domain = _in(target, "gamification") and not _in(target, "gamification.domain")
    if _in(module, "gamification.services"):
        return _storage(target)
    if _in(module, "gamification.domain"):
        return _storage(target) or outside_domain
    if _in(module, "gamification.adapters"):
        return any(_in(target, f"gamification.{up}") for up in ("services", "api", "composition"))
    if module == "gamification.config":
        return outside_domain
    if module == "gamification.resources":
        return _in(target, "gamification")
    return False


def _violations() -> dict[str, set[str]]:
    """Every import that breaks a rule, by importing module."""
    found: dict[str, set[str]] = {}
    for i in _ALL:
        if _broken(i):
            found.setdefault(i.module, set()).add(i.target)
    return found


def test_services_and_the_domain_import_no_storage_and_nothing_imports_upward() -> None:
    unexpected = {
        module: sorted(targets - ALLOWED.get(module, set()))
        for module, targets in _violations().items()
        if targets - ALLOWED.get(module, set())
    }
    assert unexpected == {}, "declare a port next to the service; see this module's docstring"


def test_the_allowlist_only_shrinks() -> None:
    """An allowed import that is gone must leave the list, so nobody can add it back unseen."""
    violations = _violations()
    stale = {
        module: sorted(targets - violations.get(module, set()))
        for module, targets in ALLOWED.items()
        if targets - violations.get(module, set())
    }
    assert stale == {}, "delete these entries from ALLOWED: the imports are gone"


def test_no_module_of_the_package_imports_itself_back_round_a_cycle() -> None:
    known = modules()
    edges: dict[str, set[str]] = {}
    for i in _ALL:
        if i.target in known and i.target != i.module:
            edges.setdefault(i.module, set()).add(i.target)
    assert cycles(edges) == []


@pytest.mark.parametrize(
    ("source", "rule_broken"),
    [
        ("import boto3\n", True),
        ("from botocore.exceptions import ClientError\n", True),
        ("from redis import Redis\n", True),
        ("from gamification.adapters import keys\n", True),
        ("from ..adapters.keys import user_pk\n", True),
        ("if TYPE_CHECKING:\n    from mypy_boto3_dynamodb import DynamoDBClient\n", True),
        ("def f():\n    from gamification.adapters.leaderboard import Leaderboard\n", True),
        ("from gamification.domain.boards import PlayerScore\n", False),
        ("import redistribute\n", False),
    ],
)
def test_the_check_sees_every_form_of_import(source: str, rule_broken: bool) -> None:
    """The rule is only as good as the parser: each form of import a service could use."""
    known = {"gamification.adapters.keys", "gamification.domain.boards"}
    found = imports_in(source, "gamification.services.probe", known)
    assert any(_storage(i.target) for i in found) is rule_broken


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    ("module", "target", "rule_broken"),
    [
        ("gamification.resources", "gamification.adapters.keys", True),
        ("gamification.resources", "gamification.domain.boards", True),
        ("gamification.config", "gamification.adapters.keys", True),
        ("gamification.config", "gamification.domain.periods", False),
        ("gamification.adapters.keys", "gamification.resources", False),
    ],
)
def test_the_modules_at_the_bottom_import_nothing_above_them(
    module: str, target: str, rule_broken: bool
) -> None:
    """``config.py`` and ``resources.py`` are imported by every layer: an import of theirs up
    into the package would make a layer depend on what sits above it."""
    found = imports_in(f"import {target}\n", module, {target})
    assert any(_broken(i) for i in found) is rule_broken
