"""Admin and account services on the port fakes: catalog changes start a backfill, settings
and exclusions go through the profile port, read marks through the feed's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gamification.domain import notifications
from gamification.domain.badges import load_badge_catalog
from gamification.domain.catalog import load_event_catalog
from gamification.services.account import AccountService, InvalidSettingsError
from gamification.services.admin import (
    BackfillNotStartedError,
    BadgeAdmin,
    InvalidBadgeError,
    UnknownBadgeError,
)
from gamification.services.exclusion import ExclusionService, ReasonRequiredError
from tests.fakes.catalog import FakeCatalog
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
BADGE: dict[str, Any] = {
    "name": " Reader ",
    "description": "Read three posts",
    "icon": "book",
    "criteria": {"type": "posts_read", "count": 3},
}


def test_a_new_badge_is_stored_over_the_seeded_defaults_and_starts_its_backfill() -> None:
    catalog, started = FakeCatalog(), list[str]()
    admin = BadgeAdmin(catalog, load_event_catalog(), started.append)

    saved = admin.upsert("reader-3", BADGE)
    again = admin.upsert("reader-3", BADGE)

    assert (saved.created, again.created) == (True, False)
    assert saved.badge.name == "Reader"  # stored trimmed
    assert started == ["reader-3", "reader-3"]
    assert len(catalog.load()) == len(load_badge_catalog()) + 1


def test_a_refused_badge_names_its_field_and_stores_nothing() -> None:
    catalog = FakeCatalog()
    admin = BadgeAdmin(catalog, load_event_catalog(), lambda _: None)
    unknown_type = {**BADGE, "criteria": {"type": "event_count", "event_type": "x", "count": 1}}

    with pytest.raises(InvalidBadgeError) as refused:
        admin.upsert("odd", unknown_type)
    with pytest.raises(UnknownBadgeError):
        admin.remove("never-stored")

    assert refused.value.field.startswith("criteria")
    assert catalog.seeded is False


def test_a_backfill_that_does_not_start_is_reported_after_the_save() -> None:
    def refuse(_: str) -> None:
        raise ConnectionError("lambda unavailable")

    catalog = FakeCatalog()
    with pytest.raises(BackfillNotStartedError):
        BadgeAdmin(catalog, load_event_catalog(), refuse).upsert("reader-3", BADGE)
    assert catalog.load().get("reader-3") is not None


def test_settings_merge_and_are_validated_and_marks_go_to_the_feed() -> None:
    profiles, feed = FakeProfiles(), FakeFeed()
    feed.add(notifications.level_up(user_id="ann", old=0, new=1, now=NOW, push=False))
    account = AccountService(profiles, feed, lambda: NOW)

    account.update_settings("ann", {"display_name": "Ann"})
    settings = account.update_settings("ann", {"timezone": "Asia/Kolkata"})
    with pytest.raises(InvalidSettingsError) as refused:
        account.update_settings("ann", {"timezone": "Mars/Olympus"})

    assert (settings.display_name, settings.timezone) == ("Ann", "Asia/Kolkata")
    assert refused.value.field == "timezone"
    assert account.mark_read("ann", None).marked == ["level#1"]


def test_an_exclusion_keeps_its_first_time_and_needs_a_reason() -> None:
    profiles = FakeProfiles()
    later = datetime(2026, 11, 28, tzinfo=UTC)
    times = iter([NOW, later, later, later])
    service = ExclusionService(profiles, lambda: next(times))

    first = service.set("ann", True, "spam")
    second = service.set("ann", True, "abusive name")
    with pytest.raises(ReasonRequiredError):
        service.set("ann", True, "  ")

    assert (second.reason, second.excluded_at) == ("abusive name", first.excluded_at)
    assert service.set("ann", False, None).excluded is False
    assert profiles.load("ann").marks.exclusion is None
