"""The open-flags list: ``FlagList`` on moto (kept in step by the profile's transaction) and
the fake (tests/fakes/flags.py) pass the same tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
import pytest

from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.flag_list import FlagList
from gamification.adapters.user_repository import UserRepository
from gamification.domain.flags import Flag, Rule
from gamification.domain.profile_records import UserChange
from gamification.local.provision import Provisioned
from tests.fakes.flags import FakeFlagList
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@dataclass
class Store:
    profiles: FakeProfiles | UserRepository
    flags: FakeFlagList | FlagList

    def flag(self, user_id: str, flag: Flag | None) -> None:
        stored = self.profiles.load(user_id)
        state = stored.state.model_copy(update={"flag": flag})
        self.profiles.save(UserChange(before=stored, state=state, now=NOW))


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "fake":
        fake = FakeProfiles()
        return Store(fake, FakeFlagList(fake))
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")
    return Store(UserRepository(client, aws.table_name), FlagList(client, aws.table_name))


def _flag(window: str = "2026-W48") -> Flag:
    return Flag(rule=Rule.OUTLIER, observed=300, threshold=121, window=window, at=NOW)


def test_a_flag_on_the_profile_is_listed_with_its_evidence_until_it_is_closed(
    store: Store,
) -> None:
    assert store.flags.page(10).flags == []
    store.flag("ann", _flag())

    [listed] = store.flags.page(10).flags
    assert (listed.user_id, listed.flag) == ("ann", _flag())

    store.flag("ann", None)
    assert store.flags.page(10).flags == []


def test_pages_cover_every_open_flag_once_by_user_id(store: Store) -> None:
    users = [f"u{i}" for i in range(5)]
    for user in reversed(users):
        store.flag(user, _flag())
    store.flag("u2", None)

    seen, cursor = [], None
    while True:
        page = store.flags.page(2, cursor)
        seen += [f.user_id for f in page.flags]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["u0", "u1", "u3", "u4"]


def test_a_cursor_this_api_did_not_issue_is_refused(store: Store) -> None:
    with pytest.raises(InvalidCursorError):
        store.flags.page(2, "eyJzayI6IlRFQU0jeCJ9")  # {"sk":"TEAM#x"}
