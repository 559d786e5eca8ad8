"""Admin changes to the badge catalog, validated as the engine will read them.

The first change copies the shipped defaults into the table (``BadgeRepository.seed_defaults``),
after which the table alone is the catalog. An added or changed definition starts the backfill,
which awards it to every user who already qualifies. Removing a definition never takes an earned
badge away: profiles keep it and the API lists it as retired.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gamification.adapters.badge_repository import BadgeRepository
from gamification.domain.badges import BadgeCatalog, BadgeDefinition, parse_badge
from gamification.domain.catalog import EventCatalog
from gamification.validation import problems


class InvalidBadgeError(ValueError):
    """The definition would not work; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownBadgeError(LookupError):
    """No definition with this id."""


class BackfillNotStartedError(Exception):
    """The definition is saved, but its backfill did not start; repeating the PUT retries it."""


@dataclass(frozen=True, slots=True)
class Saved:
    badge: BadgeDefinition
    created: bool


class BadgeAdmin:
    def __init__(
        self,
        badges: BadgeRepository,
        events: EventCatalog,
        on_badge_changed: Callable[[str], None],
        on_catalog_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._badges = badges
        self._events = events
        self._on_badge_changed = on_badge_changed
        self._on_catalog_changed = on_catalog_changed

    def upsert(self, badge_id: str, fields: Mapping[str, Any]) -> Saved:
        """Validate, store, start the backfill. Idempotent: repeating it changes nothing new."""
        badge = self._validate(badge_id, fields)
        created = self._badges.load().get(badge_id) is None
        self._badges.seed_defaults()
        self._badges.put(badge)
        self._on_catalog_changed()
        try:
            self._on_badge_changed(badge_id)
        except Exception as error:
            raise BackfillNotStartedError(str(error)) from error
        return Saved(badge=badge, created=created)

    def remove(self, badge_id: str) -> None:
        """Delete a definition (earned copies stay with their users)."""
        if self._badges.load().get(badge_id) is None:
            raise UnknownBadgeError(badge_id)
        self._badges.seed_defaults()
        self._badges.delete(badge_id)
        self._on_catalog_changed()

    def _validate(self, badge_id: str, fields: Mapping[str, Any]) -> BadgeDefinition:
        try:
            badge = parse_badge({**fields, "id": badge_id})
        except ValidationError as error:
            raise InvalidBadgeError(*next(problems(error))) from error
        unknown = BadgeCatalog(badges=(badge,)).referenced_event_types() - set(self._events.by_name)
        if unknown:
            raise InvalidBadgeError(
                "criteria.event_type", f"unknown event type {sorted(unknown)[0]!r}"
            )
        return badge
