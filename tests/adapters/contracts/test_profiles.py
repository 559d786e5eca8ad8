"""The profile ports (read, account, exclusion, export, reminders): the fake
(tests/fakes/profiles.py) and ``UserRepository`` on moto pass the same tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.user_repository import Exclusion, UserRepository
from gamification.domain.domain_events import EventDraft
from gamification.domain.profile_records import UserChange, VersionConflictError
from gamification.local.provision import Provisioned
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture(params=["fake", "dynamodb"])
def profiles(request: pytest.FixtureRequest) -> FakeProfiles | UserRepository:
    if request.param == "fake":
        return FakeProfiles()
    aws: Provisioned = request.getfixturevalue("aws")
    return UserRepository(boto3.client("dynamodb"), aws.table_name)


def test_a_user_never_stored_loads_new_and_absent(profiles: FakeProfiles | UserRepository) -> None:
    stored = profiles.load("ann")

    assert not stored.exists
    assert stored.version == 0
    assert stored.state.user_id == "ann"
    assert stored.state.xp == 0


def test_settings_change_under_a_new_version_and_read_back(
    profiles: FakeProfiles | UserRepository,
) -> None:
    first = profiles.update_settings(
        "ann", lambda s: s.model_copy(update={"display_name": "Ann"}), NOW
    )
    second = profiles.update_settings(
        "ann", lambda s: s.model_copy(update={"timezone": "Europe/Paris"}), NOW
    )

    assert first.exists
    assert second.version > first.version
    loaded = profiles.load("ann")
    assert loaded.version == second.version
    assert (loaded.state.settings.display_name, loaded.state.settings.timezone) == (
        "Ann",
        "Europe/Paris",
    )


def test_an_exclusion_is_stored_and_lifted(profiles: FakeProfiles | UserRepository) -> None:
    profiles.update_settings("ann", lambda s: s, NOW)

    profiles.set_exclusion("ann", Exclusion("spam", NOW), NOW)
    excluded = profiles.load("ann")
    profiles.set_exclusion("ann", None, NOW)

    assert excluded.marks.exclusion == Exclusion("spam", NOW)
    assert not excluded.listed
    assert profiles.load("ann").marks.exclusion is None


def test_many_load_at_once_with_the_missing_ones_new(
    profiles: FakeProfiles | UserRepository,
) -> None:
    profiles.update_settings("bob", lambda s: s.model_copy(update={"display_name": "B"}), NOW)

    found = profiles.load_many(["bob", "zed", "bob"])

    assert list(found) == ["bob", "zed"]
    assert found["bob"].state.settings.display_name == "B"
    assert not found["zed"].exists


def _outbox(profiles: FakeProfiles | UserRepository, user_id: str) -> list[EventDraft]:
    """The events of the latest write of ``user_id`` (the fake's log; the item's outbox)."""
    if isinstance(profiles, FakeProfiles):
        return [d for u, _, drafts in profiles.outbox[-1:] if u == user_id for d in drafts]
    table = boto3.resource("dynamodb").Table(profiles._table)
    item = table.get_item(Key={"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK})["Item"]
    found = outbox_of_image(item)
    return found[2] if found else []


def test_a_save_commits_the_state_and_its_events_under_the_version_read(
    profiles: FakeProfiles | UserRepository,
) -> None:
    """The reminder job's commit of a streak break (``services.reminders``)."""
    before = profiles.update_settings("ann", lambda s: s, NOW)
    state = before.state.model_copy(update={"broken_told": date(2026, 11, 20)})
    draft = EventDraft("streak.broken", "2026-11-20", NOW, {"last_day": "2026-11-20"})

    saved = profiles.save(UserChange(before=before, state=state, now=NOW, events=(draft,)))

    assert saved.version > before.version
    loaded = profiles.load("ann")
    assert (loaded.version, loaded.state.broken_told) == (saved.version, date(2026, 11, 20))
    assert _outbox(profiles, "ann") == [draft]
    with pytest.raises(VersionConflictError):  # written from a stale read: nothing committed
        profiles.save(UserChange(before=before, state=before.state, now=NOW, events=(draft,)))
    assert profiles.load("ann").version == saved.version
