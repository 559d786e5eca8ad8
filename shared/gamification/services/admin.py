"""Admin changes to the badge catalog, validated as the engine will read them.

The first change copies the shipped defaults into the table (``BadgeRepository.seed_defaults``),
after which the table alone is the catalog. An added or changed definition starts the backfill,
which awards it to every user who already qualifies. Removing a definition never takes an earned
badge away: profiles keep it and the API lists it as retired.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from gamification.domain.badges import BadgeCatalog, BadgeDefinition, parse_badge
from gamification.domain.catalog import EventCatalog
from gamification.domain.criteria_check import catalog_problem, criterion_problem
from gamification.domain.quests import MAX_QUESTS, QuestCatalog, QuestDefinition, parse_quest
from gamification.domain.text import human_text, shown
from gamification.validation import problems

# -- ports (adapter: BadgeRepository; fake: tests/fakes) ------------------------------------------


class BadgeStore(Protocol):
    def load(self) -> BadgeCatalog:
        """The stored badge catalog (the shipped defaults until the first change)."""
        ...

    def seed_defaults(self) -> None:
        """Copy the shipped defaults into the store, once (the store is then the catalog)."""
        ...

    def put(self, badge: BadgeDefinition) -> None: ...

    def delete(self, badge_id: str) -> bool: ...


class QuestStore(Protocol):
    def load_rules(self) -> tuple[BadgeCatalog, QuestCatalog]: ...

    def put_quest(self, quest: QuestDefinition) -> None: ...

    def delete_quest(self, quest_id: str) -> bool:
        """Whether a quest with this id was stored."""
        ...


class InvalidBadgeError(ValueError):
    """The definition would not work; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _human_texts(
    fields: Mapping[str, Any], invalid: type[InvalidBadgeError] | type[InvalidQuestError]
) -> dict[str, Any]:
    """``name`` and ``description`` in their stored form (``domain.text.human_text``: trimmed,
    NFC, at least one visible character), or ``invalid`` naming the field. Checked here, not in
    the definition models, so a definition stored under an older rule still loads."""
    cleaned = dict(fields)
    for name in ("name", "description"):
        value = fields.get(name)
        if isinstance(value, str):
            try:
                cleaned[name] = human_text(value)
            except ValueError as problem:
                raise invalid(name, str(problem)) from problem
    return cleaned


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
        badges: BadgeStore,
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

    def check(self, badge_id: str, fields: Mapping[str, Any]) -> BadgeDefinition:
        """Validate a definition as ``upsert`` would, without saving it (the dry run)."""
        return self._validate(badge_id, fields)

    def _validate(self, badge_id: str, fields: Mapping[str, Any]) -> BadgeDefinition:
        fields = _human_texts(fields, InvalidBadgeError)
        try:
            badge = parse_badge({**fields, "id": badge_id})
        except ValidationError as error:
            raise InvalidBadgeError(*next(problems(error))) from error
        unknown = BadgeCatalog(badges=(badge,)).referenced_event_types() - set(self._events.by_name)
        if unknown:
            raise InvalidBadgeError(
                "criteria.event_type", f"unknown event type '{shown(sorted(unknown)[0])}'"
            )
        problem = criterion_problem(badge.criteria, self._events)
        if problem is not None:
            raise InvalidBadgeError(*problem)
        others = tuple(b for b in self._badges.load() if b.id != badge_id)
        problem = catalog_problem(BadgeCatalog(badges=(*others, badge)))
        if problem is not None:
            raise InvalidBadgeError(*problem)
        return badge


class InvalidQuestError(ValueError):
    """The quest would not work; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownQuestError(LookupError):
    """No quest with this id."""


@dataclass(frozen=True, slots=True)
class SavedQuest:
    quest: QuestDefinition
    created: bool


class QuestAdmin:
    """Admin changes to quests, validated as the consumer will read them.

    A quest needs no backfill: it counts activities by when they occurred, and every activity
    inside a window that has already started is still counted when it arrives (the consumer
    re-reads the catalog within a minute). Activities applied before the quest was saved are
    not counted again: a quest is announced before it starts.
    """

    def __init__(
        self,
        catalog: QuestStore,
        events: EventCatalog,
        on_catalog_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._catalog = catalog
        self._events = events
        self._on_catalog_changed = on_catalog_changed

    def upsert(self, quest_id: str, fields: Mapping[str, Any]) -> SavedQuest:
        quest = self.check(quest_id, fields)
        _, quests = self._catalog.load_rules()
        created = quests.get(quest_id) is None
        if created and len(quests) >= MAX_QUESTS:
            raise InvalidQuestError(
                "id", f"at most {MAX_QUESTS} quests are stored; delete an ended one first"
            )
        self._catalog.put_quest(quest)
        self._on_catalog_changed()
        return SavedQuest(quest=quest, created=created)

    def check(self, quest_id: str, fields: Mapping[str, Any]) -> QuestDefinition:
        """Validate a quest as ``upsert`` would, without saving it (the dry run)."""
        fields = _human_texts(fields, InvalidQuestError)
        team = fields.get("mode") == "team"
        if fields.get("pay") is not None and not team:
            raise InvalidQuestError("pay", "pay applies to team quests only (mode: team)")
        fields = {k: v for k, v in fields.items() if not (k == "pay" and v is None)}
        try:
            quest = parse_quest({**fields, "id": quest_id})
        except ValidationError as error:
            field, message = next(problems(error))
            # The one check across fields is the window's order: name the field to change.
            raise InvalidQuestError("ends_at" if field == "body" else field, message) from error
        counted = quest.counted_type
        if counted is not None and counted not in self._events:
            raise InvalidQuestError("criteria.event_type", f"unknown event type '{shown(counted)}'")
        # ``where`` names declared attributes with conditions of their type, as for badges.
        problem = criterion_problem(quest.criteria, self._events)
        if problem is not None:
            raise InvalidQuestError(*problem)
        badges, _ = self._catalog.load_rules()
        if quest.reward_badge is not None and badges.get(quest.reward_badge) is None:
            raise InvalidQuestError("reward_badge", f"unknown badge '{shown(quest.reward_badge)}'")
        return quest

    def remove(self, quest_id: str) -> None:
        """Delete a quest; users' progress on it is dropped at their next activity."""
        if not self._catalog.delete_quest(quest_id):
            raise UnknownQuestError(quest_id)
        self._on_catalog_changed()
