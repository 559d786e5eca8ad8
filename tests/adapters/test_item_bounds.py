"""Every item a commit writes stays small however long the user's history and ids are."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, cast

from benchmarks.histories import EPOCH, EVERY_CAP, MODERATE, lived, padded
from gamification.adapters import keys, wallet_codec
from gamification.adapters.dynamo_codec import from_item, item_size, to_item
from gamification.adapters.profile_codec import by_day, encode_state, pack_state
from gamification.adapters.user_repository import UserRepository
from gamification.domain.activity import MAX_ID_BYTES, Activity
from gamification.domain.attributes import (
    INT_LIMIT,
    MAX_ATTRIBUTES,
    MAX_STRING,
    AttributeSpec,
    AttributeType,
)
from gamification.domain.badges import MAX_TARGET, BadgeCatalog, load_badge_catalog, parse_badge
from gamification.domain.catalog import EventType
from gamification.domain.criteria_check import (
    MAX_DISTINCT_TALLIES,
    MAX_TALLIES,
    MAX_WINDOW_TALLIES,
    catalog_problem,
    criterion_problem,
)
from gamification.domain.game_rules import default_game_rules
from gamification.domain.state import UserState
from gamification.domain.tallies import MAX_DISTINCT, MAX_WINDOW_DAYS, WINDOW_MARGIN_DAYS
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import (
    MAX_NOTE_CHARS,
    MAX_REF_BYTES,
    Cause,
    Currency,
    WalletState,
    post,
)

KB = 1024


def _largest_items(days: int, per_day: dict[str, int]) -> list[dict[str, int]]:
    """Per day of ``days``: the size of the profile, that day's cap item and a marker."""
    users = UserRepository(cast(Any, None), "table")
    user_id = padded("heavy", 64)
    marker = {"PK": keys.user_pk(user_id), "SK": keys.seen_sk(f"post_read#{'x' * 64}")}
    marker_size = item_size(to_item({**marker, "at": EPOCH.isoformat()}))
    sizes = []
    for day, state in lived(user_id, days, per_day, default_game_rules(), EPOCH):
        iso_day = day.date().isoformat()
        today = by_day(state.capped).get(iso_day, {})
        sizes.append(
            {
                "profile": item_size(users.profile_item(state, 7, day, day)),
                "day": item_size(users.day_item(user_id, iso_day, today)),
                "marker": marker_size,
            }
        )
    return sizes


def test_a_year_at_every_cap_with_64_character_ids_stays_under_16_kb() -> None:
    sizes = _largest_items(365, dict(EVERY_CAP))
    largest = {kind: max(day[kind] for day in sizes) for kind in sizes[0]}

    assert max(largest.values()) <= 16 * KB, largest
    assert largest["day"] <= 2 * KB  # 80 slots of 20 bytes: one day at every cap
    # Flat: after a quarter the profile no longer grows (only badges still to earn add bytes).
    assert sizes[-1]["profile"] <= sizes[89]["profile"] + 256, (sizes[89], sizes[-1])


def test_a_twenty_reads_a_day_user_stays_under_4_kb() -> None:
    sizes = _largest_items(120, dict(MODERATE))
    assert max(max(day.values()) for day in sizes) <= 4 * KB


def test_the_longest_id_still_makes_a_valid_sort_key() -> None:
    """``MAX_ID_BYTES`` of four-byte characters inside the longest key stays under 1,024 bytes."""
    longest = "\U0001d11e" * (MAX_ID_BYTES // 4)
    sort_key = keys.seen_sk(f"{'t' * 64}#{longest}#2026-11-28")
    assert len(sort_key.encode()) <= 1024


def test_a_day_item_does_not_grow_with_the_length_of_ids() -> None:
    users = UserRepository(cast(Any, None), "table")
    user_id = padded("u", 64)
    sizes = set()
    for id_length in (16, 64, 256):
        for _, state in lived(user_id, 1, dict(EVERY_CAP), default_game_rules(), EPOCH, id_length):
            ((iso_day, buckets),) = by_day(state.capped).items()
            sizes.add(item_size(users.day_item(user_id, iso_day, buckets)))
    assert len(sizes) == 1


def test_freezes_and_quests_keep_the_profile_bounded() -> None:
    """Worst case: a freeze granted every day, active every other day (each gap covered), and
    progress on the 100 quests a catalog may hold, for a year: the ledger keeps only the
    history window and quest progress only catalogued quests, so the profile stops growing."""
    from datetime import timedelta

    from gamification.domain.activity import Activity
    from gamification.domain.catalog import Reporter
    from gamification.domain.freezes import FREEZE_GRANTED
    from gamification.domain.quests import MAX_QUESTS, QuestCatalog, parse_quest
    from gamification.domain.state import UserState
    from gamification.domain.transition import apply_activities

    quests = QuestCatalog(
        quests=tuple(
            parse_quest(
                {
                    "id": f"quest-{i:03d}-{'q' * 50}",
                    "name": "n" * 80,
                    "description": "d" * 280,
                    "starts_at": EPOCH.isoformat(),
                    "ends_at": (EPOCH + timedelta(days=400)).isoformat(),
                    "criteria": {"type": "posts_read", "count": 10**9},
                    "reward_xp": 10,
                }
            )
            for i in range(MAX_QUESTS)
        )
    )
    rules = default_game_rules().with_quests(quests)
    users = UserRepository(cast(Any, None), "table")
    state, sizes = UserState.new(padded("frozen", 64)), []
    for n in range(365):
        at = EPOCH + timedelta(days=n, hours=12)
        batch = [
            Activity(
                user_id=state.user_id,
                type=FREEZE_GRANTED,
                object_id=padded(f"grant-{n}", 64),
                occurred_at=at,
                received_at=at,
                source=Reporter.SERVICE,
            )
        ]
        if n % 2 == 0:
            batch.append(
                Activity(
                    user_id=state.user_id,
                    type="post_read",
                    object_id=padded(f"post-{n}", 64),
                    occurred_at=at,
                    received_at=at,
                )
            )
        state = apply_activities(state, batch, rules, at).state
        sizes.append(item_size(users.profile_item(state, 7, at, at)))

    assert len(state.freezes.grants) <= rules.policy.streak_history_days + 1
    assert len(state.quests) == MAX_QUESTS
    print("profile bytes: day 90", sizes[89], "day 365", sizes[-1])
    assert max(sizes) <= 16 * KB, max(sizes)
    assert sizes[-1] <= sizes[89] + 256, (sizes[89], sizes[-1])


def test_inline_slots_and_pending_keys_keep_the_profile_bounded() -> None:
    """The worst inline case: 8 slots (the inline limit) every day for a year, every day still
    in the profile while within its retention, and ``pending`` at its bound (10 keys, 1 KB)."""
    from gamification.adapters.user_repository import (
        ALL_DAYS_TRACKED,
        PENDING_MAX_BYTES,
        PENDING_MAX_KEYS,
        StoredUser,
        UserChange,
    )

    users = UserRepository(cast(Any, None), "table")
    user_id = padded("inline", 128)
    pending = [padded(f"post_read#{n}", PENDING_MAX_BYTES // PENDING_MAX_KEYS) for n in range(10)]
    assert sum(len(k.encode()) for k in pending) <= PENDING_MAX_BYTES
    sizes = []
    inline_days = []
    for day, state in lived(user_id, 365, {"post_read": 8}, default_game_rules(), EPOCH):
        before = StoredUser(state, 1, slots_from=ALL_DAYS_TRACKED)
        plan = users.plan_slots(UserChange(before=before, state=state, now=day))
        assert not plan.day_items  # 8 a day stays inline
        inline_days.append(len(plan.inline))
        item = users.profile_item(state, 7, day, day, pending=pending, plan=plan)
        sizes.append(item_size(item))
    assert max(inline_days) <= 19  # the retention: 16 days + the 2-day timezone margin + today
    assert max(sizes) <= 4.5 * KB  # measured 4,190 B (docs/data-model.md)
    assert max(sizes[-30:]) <= max(sizes[:60]) + 64  # flat: it does not grow with the history


def test_a_held_credit_ledger_item_round_trips_within_its_bound() -> None:
    """The largest ledger entry: a 128-byte id, the longest ref and note, a held credit's
    first spendable day (``from``): ≤ 1 KB (docs/data-model.md)."""
    gems = Currency(id="gems", name="Gems", hold_days=3)
    _, entry = post(
        WalletState(),
        gems,
        10,
        cause=Cause.EARN,
        kind="badge",
        ref="r" * MAX_REF_BYTES,
        at=EPOCH,
        note="n" * MAX_NOTE_CHARS,
    )
    item = wallet_codec.ledger_item("u" * 128, entry)
    assert item_size(item) <= 1024
    assert wallet_codec.decode_ledger(from_item(item)) == entry


# -- Attribute criteria at every limit (issue #32) ------------------------------------------

LESSON = "lesson_done"
"""An event type declaring the most attributes a type may: 5 strings, 5 non-negative integers."""
STRINGS = tuple(f"s{i}" for i in range(5))
NUMBERS = tuple(f"n{i}" for i in range(5))
TALLY_DAYS = 200
"""More than a window's kept days (90 + 60), so every window holds all it ever keeps."""
TALLY_MOST_PER_DAY = 8
"""Each day has 1 to 8 activities (seeded): day counts that differ deflate worse than equal ones."""


def _lesson_type() -> EventType:
    strings = {name: AttributeSpec(type=AttributeType.STRING) for name in STRINGS}
    numbers = {
        name: AttributeSpec(type=AttributeType.INTEGER, minimum=0, maximum=INT_LIMIT)
        for name in NUMBERS
    }
    return EventType(name=LESSON, base_xp=10, attributes={**strings, **numbers})


def _limit_leaves(distinct: int, windows: int, sums: int) -> list[dict[str, object]]:
    """Criteria reading ``distinct`` distinct counts (50 digests each), ``windows`` 90-day
    windows and ``sums`` sums: a sum's number is the longest a tally holds (a count is never
    above it). Only the windows filter on ``n1``, which differs between activities; every other
    filter matches every activity below, so each of those tallies is at its fullest."""
    full = tuple(name for name in NUMBERS if name != "n1")
    leaves: list[dict[str, object]] = []
    leaves += [
        {
            "type": "distinct_count",
            "event_type": LESSON,
            "attribute": STRINGS[i % 4],
            "where": {"n0": {"gte": i}},
            "count": MAX_DISTINCT,
        }
        for i in range(distinct)
    ]
    leaves += [
        {
            "type": "count_in_window",
            "event_type": LESSON,
            "where": {"n1": {"gte": i}},  # window i counts a different share of each day
            "count": 0xFFFF,
            "days": MAX_WINDOW_DAYS,
        }
        for i in range(windows)
    ]
    leaves += [
        {
            "type": "attribute_sum",
            "event_type": LESSON,
            "attribute": full[i % 4],
            "where": {full[(i + 1) % 4]: {"gte": i}},
            "total": MAX_TARGET,
        }
        for i in range(sums)
    ]
    return leaves


def _limit_catalog(leaves: list[dict[str, object]]) -> BadgeCatalog:
    """The default badges plus badges reading ``leaves``, nine to an ``all`` whose tenth
    criterion no one meets (so no attribute badge is earned: the bytes measured are tallies)."""
    unreachable = {"type": "xp_total", "count": MAX_TARGET}
    extra = [
        parse_badge(
            {
                "id": f"limit-{n}",
                "name": "At the limit",
                "description": "Reads attribute tallies.",
                "icon": "icons/limit.svg",
                "criteria": {"type": "all", "of": [*leaves[start : start + 9], unreachable]},
            }
        )
        for n, start in enumerate(range(0, len(leaves), 9))
    ]
    return BadgeCatalog(badges=(*load_badge_catalog().badges, *extra))


def _lessons(user_id: str, day: int, rng: random.Random) -> list[Activity]:
    """A day's activities, each with 10 attributes: 64-character strings and the largest
    integers, but ``n1``, which picks the windows that count it (the first of a day: all)."""

    found = []
    for i in range(rng.randint(1, TALLY_MOST_PER_DAY)):
        at = EPOCH + timedelta(days=day, hours=1 + i)
        attributes: dict[str, str | int] = {
            name: padded(f"{name}-{day}-{i}", MAX_STRING) for name in STRINGS
        }
        attributes |= dict.fromkeys(NUMBERS, INT_LIMIT)
        attributes["n1"] = INT_LIMIT if i == 0 else rng.randrange(4)
        assert len(attributes) == MAX_ATTRIBUTES
        found.append(
            Activity(
                user_id=user_id,
                type=LESSON,
                object_id=padded(f"lesson-{day}-{i}", 64),
                occurred_at=at,
                received_at=at,
                attributes=attributes,
            )
        )
    return found


def _tally_profile(badges: BadgeCatalog) -> dict[str, int]:
    """The stored sizes after ``TALLY_DAYS`` days of lessons through the real transition."""

    base = default_game_rules()
    rules = base.model_copy(update={"events": base.events.with_types([_lesson_type()])})
    rules = rules.with_badges(badges)
    users = UserRepository(cast(Any, None), "table")
    state = UserState.new(padded("tallied", 64))
    rng = random.Random(32)
    for day in range(TALLY_DAYS):
        now = EPOCH + timedelta(days=day, hours=23)
        result = apply_activities(state, _lessons(state.user_id, day, rng), rules, now)
        assert not result.effects.rejected, result.effects.rejected
        state = result.state
    now = EPOCH + timedelta(days=TALLY_DAYS)
    return {
        "json": len(encode_state(state).encode()),
        "deflated": len(pack_state(state)),
        "item": item_size(users.profile_item(state, 7, now, now)),
        "tallies": sum(1 for key in state.counters if key.startswith("~")),
        "sketches": len(state.sketches),
        "kept": sum(len(kept) for kept in state.sketches.values()),
        "badges": len(state.badges),
    }


TALLY_ITEM_BOUND = 4 * KB
"""The stored profile of a user at every tally, sketch and window limit (docs/data-model.md):
4 write units a commit at most."""
TALLY_ADDED_BOUND = 3.5 * KB
"""What those tallies add to the same user's stored profile under plain criteria."""
TALLY_JSON_BOUND = 11.5 * KB
"""The state JSON before deflating: what the stored state stays under whatever the day counts
and sums are (every kept number has a bounded number of digits), however badly they deflate."""


def test_attribute_tallies_at_every_limit_keep_the_profile_under_its_bound() -> None:
    """The most a catalog may make a profile keep: 40 tallies (4 of them distinct counts of 50
    digests, 4 of them 90-day windows of 150 day counts, the rest sums of the largest
    integers), fed 200 days of activities through the transition, each carrying 10 attributes
    at their limits (64-character strings, integers of 2^31 - 1)."""
    sums = MAX_TALLIES - MAX_DISTINCT_TALLIES - MAX_WINDOW_TALLIES
    limit = _limit_catalog(_limit_leaves(MAX_DISTINCT_TALLIES, MAX_WINDOW_TALLIES, sums))
    # The catalog is at the limits, not past them: one more tally of any kind is refused.
    events = default_game_rules().events.with_types([_lesson_type()])
    assert catalog_problem(limit) is None
    assert all(criterion_problem(b.criteria, events) is None for b in limit)
    for more, refused in (
        ((MAX_DISTINCT_TALLIES + 1, MAX_WINDOW_TALLIES, sums - 1), "distinct counts"),
        ((MAX_DISTINCT_TALLIES, MAX_WINDOW_TALLIES + 1, sums - 1), "windows"),
        ((MAX_DISTINCT_TALLIES, MAX_WINDOW_TALLIES, sums + 1), "tallies"),
    ):
        problem = catalog_problem(_limit_catalog(_limit_leaves(*more)))
        assert problem is not None, more
        assert refused in problem[1], (more, problem)

    plain = _tally_profile(load_badge_catalog())
    full = _tally_profile(limit)
    print("plain criteria", plain, "\nevery tally at its limit", full)

    assert plain["tallies"] == plain["sketches"] == 0
    assert full["tallies"] == MAX_TALLIES
    assert full["sketches"] == MAX_DISTINCT_TALLIES + MAX_WINDOW_TALLIES
    window_days = MAX_WINDOW_DAYS + WINDOW_MARGIN_DAYS
    assert full["kept"] == MAX_DISTINCT_TALLIES * MAX_DISTINCT + MAX_WINDOW_TALLIES * window_days
    assert full["badges"] == plain["badges"]  # the bytes compared are the tallies alone
    assert full["json"] <= TALLY_JSON_BOUND, full
    assert full["item"] <= TALLY_ITEM_BOUND, full
    assert full["item"] - plain["item"] <= TALLY_ADDED_BOUND, (plain, full)
