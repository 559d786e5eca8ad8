"""Whether a criterion fits the event catalog: filters, sums and distinct counts name declared
attributes of the right type. Pydantic checks a definition's shape; this checks what only the
catalog knows, naming the field to fix as the API reports it (``criteria.of.1.where.category``)."""

from __future__ import annotations

from collections.abc import Iterator

from gamification.domain.attributes import AttributeType, where_problem
from gamification.domain.badges import (
    AttributeSum,
    BadgeCatalog,
    DistinctCount,
    WindowCount,
    _Composite,
    _Criterion,
    _Filtered,
)
from gamification.domain.catalog import EventCatalog
from gamification.domain.tallies import TallyKind

MAX_TALLIES = 40
"""Live tallies (distinct filtered counts, sums and distinct counts) across all badges: each is
a counter of ~30 bytes on every profile that has counted it."""
MAX_DISTINCT_TALLIES = 4
"""Live distinct-count tallies across all badges: each keeps up to 50 digests per profile."""
MAX_WINDOW_TALLIES = 4
"""Live window tallies across all badges: each keeps ≤ 150 day counts per profile."""

Problem = tuple[str, str]


def criterion_problem(criterion: _Criterion, events: EventCatalog) -> Problem | None:
    """The first reference the catalog cannot satisfy, as ``(field, why)``."""
    return next(_problems(criterion, events, "criteria"), None)


def _problems(criterion: _Criterion, events: EventCatalog, at: str) -> Iterator[Problem]:
    if isinstance(criterion, _Composite):
        for position, child in enumerate(criterion.of):
            yield from _problems(child, events, f"{at}.of.{position}")
        return
    if isinstance(criterion, _Filtered | AttributeSum | DistinctCount | WindowCount):
        name = (
            criterion.counted_type() if isinstance(criterion, _Filtered) else criterion.event_type
        )
        event_type = events.get(name)
        if event_type is None:
            yield f"{at}.event_type", f"unknown event type '{name}'"
            return
        declared = event_type.attributes
        if criterion.where is not None:
            problem = where_problem(declared, criterion.where)
            if problem is not None:
                yield f"{at}.where.{problem[0]}", problem[1]
        if isinstance(criterion, AttributeSum | DistinctCount):
            spec = declared.get(criterion.attribute)
            if spec is None:
                yield f"{at}.attribute", f"'{criterion.attribute}' is not declared for '{name}'"
            elif isinstance(criterion, AttributeSum) and not spec.never_negative:
                yield (
                    f"{at}.attribute",
                    "a sum needs an integer attribute declared with minimum ≥ 0 "
                    f"('{criterion.attribute}' is a {spec.type.value}"
                    + (")" if spec.type is not AttributeType.INTEGER else " that may be negative)"),
                )


def catalog_problem(catalog: BadgeCatalog) -> Problem | None:
    """Whether the live badges together keep more tallies than a profile may hold."""
    keep = catalog.tallies.keep
    if len(keep) > MAX_TALLIES:
        return "criteria", f"the badges would keep {len(keep)} tallies (at most {MAX_TALLIES})"
    kinds = [t.kind for tallies in catalog.tallies.by_type.values() for t in tallies]
    windows = kinds.count(TallyKind.WINDOW)
    if windows > MAX_WINDOW_TALLIES:
        return "criteria", f"the badges would keep {windows} windows (at most {MAX_WINDOW_TALLIES})"
    distinct = kinds.count(TallyKind.DISTINCT)
    if distinct > MAX_DISTINCT_TALLIES:
        return (
            "criteria",
            f"the badges would keep {distinct} distinct counts (at most {MAX_DISTINCT_TALLIES})",
        )
    return None
