"""Tallies: the counters that filtered, summing and distinct criteria read, kept only while a
live criterion references them.

A tally is named by a digest of what it counts (``~`` and 16 hex digits), so its key has one
size whatever the filter says, and two criteria counting the same thing share it. Counts and
sums live in the state's ``counters`` next to the per-type counts (criteria read both the same
way); a distinct count also keeps a bottom-k sketch: the ``k`` smallest 32-bit digests of the
values seen, ``k`` the largest target of its criteria (at most :data:`MAX_DISTINCT`). The k
smallest of a set do not depend on the order its members arrived in, so the transition stays
order independent, and the count is exact up to ``k`` (two of ≤ 50 values share a 32-bit digest
with odds below 3·10⁻⁷).

Every accepted activity counts once (its dedupe key is applied once), including one over its
type's daily cap: the cap bounds XP, and which capped activity holds a slot depends on XP
alone, so a filtered count of XP-earning activities would need the attributes of the slot's
loser, which are stored nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from hashlib import blake2b

from pydantic import BaseModel

from gamification.domain.attributes import Condition, matches, type_of

MAX_DISTINCT = 50
"""Largest target of a distinct-count criterion (its sketch keeps at most this many digests)."""
TALLY_PREFIX = "~"
"""What a tally's counter key starts with (event type names start with a letter)."""


class TallyKind(StrEnum):
    COUNT = "count"
    SUM = "sum"
    DISTINCT = "distinct"
    WINDOW = "window"
    """The most matching activities in any ``days`` consecutive local days (monotone: the best
    window so far, like the longest streak), from per-day counts kept for the recent days."""


MAX_WINDOW_DAYS = 90
WINDOW_MARGIN_DAYS = 60
"""Day counts are kept for ``days`` + this many days before the newest: a late activity (48 h
back-dating, redeliveries) still lands in a kept day, so the best window is the same in any
arrival order (the streak history's 60 days, for the same reason)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """One number a criterion needs: matching activities of a type, counted, summed or
    counted by distinct value of ``attribute``."""

    kind: TallyKind
    event_type: str
    where: Mapping[str, Condition] | None = None
    attribute: str | None = None
    keep: int = 0
    """Distinct only: how many digests the sketch keeps (the largest target)."""
    days: int = 0
    """Window only: the window's length in local days."""
    key: str = field(init=False)
    """Computed once: the transition reads it per activity."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "key",
            tally_key(self.kind, self.event_type, self.where, self.attribute, self.days),
        )


def tally_key(
    kind: TallyKind,
    event_type: str,
    where: Mapping[str, Condition] | None,
    attribute: str | None,
    days: int = 0,
) -> str:
    """A fixed-size name for what a tally counts (equal filters give equal names)."""
    conditions = {
        name: c.model_dump(by_alias=True, exclude_none=True) if isinstance(c, BaseModel) else c
        for name, c in (where or {}).items()
    }
    parts: list[object] = [kind.value, event_type, attribute, conditions]
    if kind is TallyKind.WINDOW:
        parts.append(days)
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return TALLY_PREFIX + blake2b(canonical.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class TallyIndex:
    """The live tallies by event type (built once per catalog)."""

    by_type: Mapping[str, tuple[Tally, ...]]
    keep: Mapping[str, int]
    """Every live tally key -> the digests its sketch keeps (0 unless distinct)."""
    windows: Mapping[str, int] = field(default_factory=dict)
    """Window tally key -> its length in days."""

    @classmethod
    def of(cls, tallies: Iterable[Tally]) -> TallyIndex:
        merged: dict[str, Tally] = {}
        for tally in tallies:
            held = merged.get(tally.key)
            if held is None or tally.keep > held.keep:
                merged[tally.key] = tally
        by_type: dict[str, list[Tally]] = {}
        for tally in merged.values():
            by_type.setdefault(tally.event_type, []).append(tally)
        return cls(
            by_type={t: tuple(ts) for t, ts in by_type.items()},
            keep={key: t.keep for key, t in merged.items()},
            windows={key: t.days for key, t in merged.items() if t.kind is TallyKind.WINDOW},
        )


EMPTY = TallyIndex(by_type={}, keep={})


def value_digest(value: object) -> int:
    """32 bits of BLAKE2b of a value with its type (``1`` and ``"1"`` differ)."""
    text = json.dumps([str(type_of(value)), value])
    return int.from_bytes(blake2b(text.encode(), digest_size=4).digest(), "big")


def record(
    counters: MutableMapping[str, int],
    sketches: MutableMapping[str, tuple[int, ...]],
    event_type: str,
    attributes: Mapping[str, object],
    index: TallyIndex,
    *,
    day: date,
) -> None:
    """Count one accepted activity (of local ``day``) into every live tally it matches."""
    for tally in index.by_type.get(event_type, ()):
        if not matches(tally.where, attributes):
            continue
        key = tally.key
        if tally.kind is TallyKind.COUNT:
            counters[key] = counters.get(key, 0) + 1
            continue
        if tally.kind is TallyKind.WINDOW:
            _count_in_window(counters, sketches, key, tally.days, day)
            continue
        value = attributes.get(tally.attribute or "")
        if value is None:
            continue
        if tally.kind is TallyKind.SUM:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                counters[key] = counters.get(key, 0) + value
            continue
        digest = value_digest(value)
        held = sketches.get(key, ())
        if digest in held:
            continue
        kept = tuple(sorted((*held, digest))[: tally.keep])
        if kept != held:
            sketches[key] = kept
            counters[key] = len(kept)


def _count_in_window(
    counters: MutableMapping[str, int],
    days_held: MutableMapping[str, tuple[int, ...]],
    key: str,
    days: int,
    day: date,
) -> None:
    """Add one to ``day``'s count and raise the best window. The day counts are kept in the
    sketches map as ``(ordinal << 16) | count`` pairs, sorted, for the newest ``days`` +
    ``WINDOW_MARGIN_DAYS`` days only (older days can no longer change a window)."""
    counts = {entry >> 16: entry & 0xFFFF for entry in days_held.get(key, ())}
    ordinal = day.toordinal()
    newest = max(counts, default=ordinal)
    if ordinal <= newest - days - WINDOW_MARGIN_DAYS:
        return  # beyond the kept days: its windows were decided when they were kept
    counts[ordinal] = min(counts.get(ordinal, 0) + 1, 0xFFFF)
    oldest = max(newest, ordinal) - days - WINDOW_MARGIN_DAYS
    kept = sorted((d, n) for d, n in counts.items() if d > oldest)
    days_held[key] = tuple((d << 16) | n for d, n in kept)
    counters[key] = max(counters.get(key, 0), best_window(kept, days))


def best_window(counts: list[tuple[int, int]], days: int) -> int:
    """The most activities in any ``days`` consecutive days of sorted ``(ordinal, count)``."""
    best = total = start = 0
    for end_day, count in counts:
        total += count
        while counts[start][0] <= end_day - days:
            total -= counts[start][1]
            start += 1
        best = max(best, total)
    return best


def prune(
    counters: dict[str, int], sketches: dict[str, tuple[int, ...]], index: TallyIndex
) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Drop tallies no live criterion references; trim sketches whose largest target fell."""
    if any(k.startswith(TALLY_PREFIX) and k not in index.keep for k in counters):
        counters = {
            k: v for k, v in counters.items() if not k.startswith(TALLY_PREFIX) or k in index.keep
        }
    if sketches:
        trimmed = {
            k: s if k in index.windows else s[: index.keep[k]]
            for k, s in sketches.items()
            if index.keep.get(k) or k in index.windows
        }
        if trimmed != sketches:
            sketches = trimmed
            for key, sketch in trimmed.items():
                if key not in index.windows:
                    counters[key] = len(sketch)
    return counters, sketches
