"""Who a rising friend passed on the weekly board: the board's own order, ties included
(property: exactly the users whose order against the overtaker flipped in a plain sort)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.boards import encode_score
from gamification.domain.friend_boards import Scored
from gamification.domain.friend_passed import passed, plan_passed_notices
from gamification.domain.state import UserSettings, UserState

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)


def s(user_id: str, xp: int, at: datetime = AT) -> Scored:
    return Scored(user_id, encode_score(xp, at))


def test_passed_are_those_between_the_old_and_the_new_score() -> None:
    others = [s("a", 50), s("b", 120), s("c", 200), s("d", 90)]
    assert passed("f", encode_score(80, AT), encode_score(150, AT), others) == ["b", "d"]
    assert passed("f", encode_score(150, AT), encode_score(150, AT), others) == []  # a replay


def test_a_player_new_on_the_board_passes_everyone_below() -> None:
    assert passed("f", None, encode_score(100, AT), [s("a", 50), s("b", 150)]) == ["a"]


def test_ties_follow_the_boards_rule() -> None:
    # Same XP, same second: the lower id is ahead, so "f" reaching 100 passes "g" but not "e".
    assert passed("f", encode_score(10, AT), encode_score(100, AT), [s("e", 100), s("g", 100)]) == [
        "g"
    ]
    # The earlier second is ahead: reaching 100 later than "a" does not pass "a".
    later = datetime(2026, 11, 21, tzinfo=UTC)
    assert passed("f", encode_score(10, later), encode_score(100, later), [s("a", 100)]) == []


ids = st.sampled_from([f"u{i}" for i in range(8)])


@given(
    st.dictionaries(ids, st.integers(0, 300), max_size=8),
    st.one_of(st.none(), st.integers(1, 300)),
    st.integers(0, 300),
)
def test_passed_is_whoever_the_sorted_board_swapped(
    others: dict[str, int], old_xp: int | None, gain: int
) -> None:
    """Against a literal sort of the board before and after: the users ahead of ``f`` before and
    behind it after."""
    old = None if old_xp is None else encode_score(old_xp, AT)
    new = encode_score((old_xp or 0) + gain, AT)
    scored = [s(u, xp) for u, xp in others.items()]

    def ahead(board: list[tuple[int, str]]) -> set[str]:
        order = [u for _, u in sorted(board)]
        return set(order[: order.index("f")])

    rest = [(x.score, x.user_id) for x in scored]
    before = ahead([*rest, (old, "f")]) if old is not None else {u for _, u in rest}
    after = ahead([*rest, (new, "f")])
    assert set(passed("f", old, new, scored)) == before - after


def _user(user_id: str, **settings: object) -> UserState:
    return UserState(user_id=user_id, settings=UserSettings.model_validate(settings))


def test_a_notice_per_recipient_in_their_language_and_local_day_unless_turned_off() -> None:
    recipients = [
        _user("ann", locale="de", timezone="Asia/Tokyo", push_enabled=True),
        _user("bob"),
        _user("cy", friend_passed_notices=False),
    ]
    notices = plan_passed_notices("fay", "Fay", recipients, NOW)
    assert [(n.recipient, n.partner, n.day.isoformat()) for n in notices] == [
        ("ann", "fay", "2026-11-26"),  # already the 26th in Tokyo
        ("bob", "fay", "2026-11-25"),
    ]
    ann, bob = (n.notification for n in notices)
    assert ann.title == "Fay hat dich in der Wochenwertung überholt"
    assert (ann.push, bob.push) == (True, False)
    assert bob.title == "Fay passed you on the weekly board"
    assert ann.id == "friend-passed#2026-11-26#fay"


def test_a_friend_without_a_name_reads_well_in_each_language() -> None:
    """No display name: sentences of their own, starting with a capital (not "your friend
    passed you", nor the dative "deinem Freund" the friend streak texts use)."""
    unnamed = plan_passed_notices("fay", None, [_user("bob"), _user("ann", locale="de")], NOW)
    bob, ann = (n.notification for n in unnamed)
    assert (bob.title, bob.message.split(".")[0]) == (
        "A friend passed you on the weekly board",
        "A friend just moved ahead of you this week",
    )
    assert (ann.title, ann.message.split(".")[0]) == (
        "Ein Freund hat dich in der Wochenwertung überholt",
        "Ein Freund liegt diese Woche jetzt vor dir",
    )
    for note in (bob, ann):
        assert note.title[0].isupper()
        assert note.message[0].isupper()
