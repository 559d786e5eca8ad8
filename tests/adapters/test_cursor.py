"""The one page cursor: a sort key in and out, and nothing a caller made up."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters.cursor import InvalidCursorError, SortKeyCursor
from gamification.adapters.notification_repository import CURSOR as FEED
from gamification.adapters.user_records import CURSOR as EXPORT


@given(st.text(min_size=1, max_size=300))
def test_any_sort_key_comes_back_as_it_went(sort_key: str) -> None:
    assert EXPORT.decode(EXPORT.encode(sort_key)) == sort_key


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("cursor", "why"),
    [
        ("not-base64!", "not one this API issued"),
        (_raw("[1, 2]"), "not one this API issued"),
        (_raw('{"sk": 7}'), "not one this API issued"),
        (_raw('{"pk": "USER#bob", "sk": ""}'), "not one this API issued"),
        ("x" * 2049, "too long"),
    ],
)
def test_the_export_refuses_a_cursor_it_did_not_issue(cursor: str, why: str) -> None:
    with pytest.raises(InvalidCursorError, match=why):
        EXPORT.decode(cursor)


def test_the_feed_continues_after_notifications_only() -> None:
    notification = "NOTIF#2026-11-29T03:00:00+00:00#n1"

    assert FEED.decode(FEED.encode(notification)) == notification
    with pytest.raises(InvalidCursorError):
        FEED.decode(FEED.encode("PROFILE"))
    with pytest.raises(InvalidCursorError, match="too long"):
        FEED.decode(FEED.encode(notification) + "A" * 512)


def test_each_read_sets_its_own_bound() -> None:
    cursor = SortKeyCursor(max_chars=8, accepts=bool)

    with pytest.raises(InvalidCursorError, match="too long"):
        cursor.decode(cursor.encode("a long sort key"))
