"""The export document on the port fakes: the first page has the profile and the write budget,
every page its records by kind, and an admin's export of nothing at all is an unknown user."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gamification.adapters.user_repository import AccountMarks, Exclusion, StoredUser
from gamification.domain import notifications
from gamification.domain.notifications import StoredNotification
from gamification.domain.state import UserSettings, UserState
from gamification.domain.user_records import (
    AppliedActivity,
    BudgetWindow,
    CapDay,
    NotificationRecord,
    OtherRecord,
    ReminderSent,
)
from gamification.services.export import FORMAT, UnknownUserError, UserExport
from tests.fakes.profiles import FakeProfiles
from tests.fakes.user_records import FakeUserRecords

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture
def records() -> FakeUserRecords:
    return FakeUserRecords()


@pytest.fixture
def profiles() -> FakeProfiles:
    return FakeProfiles()


def test_the_first_page_holds_the_profile_and_budget_and_each_record_by_kind(
    profiles: FakeProfiles, records: FakeUserRecords
) -> None:
    state = UserState(user_id="ann", settings=UserSettings(display_name="Ann"), xp=120)
    profiles.put(StoredUser(state, xp_at=NOW, marks=AccountMarks(Exclusion("spam", NOW))))
    note = notifications.level_up(user_id="ann", old=0, new=1, now=NOW, push=False)
    records.add("ann", NotificationRecord(StoredNotification(**note.model_dump(), read=True)))
    records.add("ann", CapDay("2026-11-27", {"comment_left": 3}))
    records.add("ann", ReminderSent("2026-11-26"))
    records.add("ann", AppliedActivity("post_read:p1", NOW.isoformat()))
    records.add("ann", OtherRecord("QUEST#x"))
    records.spend("ann", BudgetWindow("1764244800", 7))

    page = UserExport(profiles, records).page("ann", None, NOW)

    document = page.document
    assert (document["format"], document["user_id"], page.next_cursor) == (FORMAT, "ann", None)
    assert document["profile"]["xp"] == 120
    assert document["profile"]["leaderboards"]["exclusion_reason"] == "spam"
    assert document["write_budget"] == [{"window": "1764244800", "spent": 7}]
    assert [r["kind"] for r in document["records"]] == [
        "other",
        "cap_day",
        "notification",
        "streak_reminder_sent",
        "activity",
    ]
    assert document["records"][1]["capped_activities"] == {"comment_left": 3}
    assert document["records"][2]["read"] is True


def test_later_pages_hold_records_only(profiles: FakeProfiles, records: FakeUserRecords) -> None:
    for i in range(5):
        records.add("ann", AppliedActivity(f"post_read:p{i}", None))
    export = UserExport(profiles, records, page_size=2)

    first = export.page("ann", None, NOW)
    second = export.page("ann", first.next_cursor, NOW)

    assert "profile" in first.document
    assert "profile" not in second.document
    assert [r["key"] for r in second.document["records"]] == ["post_read:p2", "post_read:p3"]


def test_nothing_stored_is_an_empty_own_export_and_an_unknown_user_for_an_admin(
    profiles: FakeProfiles, records: FakeUserRecords
) -> None:
    export = UserExport(profiles, records)

    own = export.page("zed", None, NOW)

    assert (own.document["profile"], own.document["records"]) == (None, [])
    with pytest.raises(UnknownUserError):
        export.page("zed", None, NOW, must_exist=True)
