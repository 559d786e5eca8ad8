"""Admins review cheating flags (services.flags) on the fakes: list, clear, confirm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gamification.domain.flags import Flag, Rule
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserState
from gamification.services.exclusion import ExclusionService
from gamification.services.flags import FlagReviews, NoOpenFlagError
from tests.fakes.flags import FakeFlagList
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
FLAG = Flag(rule=Rule.VELOCITY, observed=75, threshold=61, window="2026-11-27T12:00", at=NOW)


@pytest.fixture
def profiles() -> FakeProfiles:
    users = FakeProfiles()
    users.put(StoredUser(UserState.new("cheat").model_copy(update={"flag": FLAG})))
    users.put(StoredUser(UserState.new("honest")))
    return users


def _service(profiles: FakeProfiles) -> FlagReviews:
    return FlagReviews(
        FakeFlagList(profiles), profiles, ExclusionService(profiles, lambda: NOW), lambda: NOW
    )


def _events(profiles: FakeProfiles) -> list[tuple[str, str, dict[str, object]]]:
    return [(user, d.type, d.data) for user, _, drafts in profiles.outbox for d in drafts]


def test_open_flags_are_listed_with_their_evidence(profiles: FakeProfiles) -> None:
    [listed] = _service(profiles).open_flags().flags
    assert (listed.user_id, listed.flag) == ("cheat", FLAG)


def test_clearing_closes_the_flag_with_its_event_and_excludes_nobody(
    profiles: FakeProfiles,
) -> None:
    service = _service(profiles)
    done = service.clear("cheat")

    assert (done.review.value, done.excluded) == ("cleared", False)
    stored = profiles.load("cheat")
    assert stored.state.flag is None
    assert stored.marks.exclusion is None
    assert service.open_flags().flags == []
    assert _events(profiles) == [
        ("cheat", "user.flag_reviewed", {"flag_rule": "velocity", "review": "cleared"})
    ]
    with pytest.raises(NoOpenFlagError):  # once: the flag is gone
        service.clear("cheat")


def test_confirming_excludes_with_the_existing_exclusion_then_closes_the_flag(
    profiles: FakeProfiles,
) -> None:
    done = _service(profiles).confirm("cheat")

    stored = profiles.load("cheat")
    assert (done.review.value, done.excluded) == ("confirmed", True)
    assert stored.state.flag is None
    assert stored.marks.exclusion is not None
    assert stored.marks.exclusion.reason == "cheating confirmed: velocity flag (2026-11-27T12:00)"
    assert not stored.listed  # off the boards and out of the leagues
    assert [e[1] for e in _events(profiles)] == ["user.flag_reviewed"]


def test_confirming_without_exclusion_or_with_a_reason(profiles: FakeProfiles) -> None:
    kept = _service(profiles).confirm("cheat", exclude=False)
    assert kept.excluded is False
    assert profiles.load("cheat").marks.exclusion is None

    profiles.put(StoredUser(UserState.new("other").model_copy(update={"flag": FLAG})))
    _service(profiles).confirm("other", reason="bot traffic")
    exclusion = profiles.load("other").marks.exclusion
    assert exclusion is not None
    assert exclusion.reason == "bot traffic"


def test_a_user_without_an_open_flag_is_not_found_and_nothing_is_written(
    profiles: FakeProfiles,
) -> None:
    service = _service(profiles)
    for review in (service.clear, service.confirm):
        with pytest.raises(NoOpenFlagError):
            review("honest")
        with pytest.raises(NoOpenFlagError):
            review("nobody")
    assert profiles.load("honest").marks.exclusion is None
    assert profiles.outbox == []
