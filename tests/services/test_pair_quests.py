"""Friend quests (``mode: "pair"``) on the port fakes: pairing rules, and each partner paid
exactly once whatever the order of the two partners' commits, their settlements and
redeliveries (hypothesis), with concurrent profile writes forcing retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.domain_events import EventDraft
from gamification.domain.experiments import Assignment
from gamification.domain.game_rules import default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.pair_quests import PairQuestError
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress
from gamification.domain.state import UserState
from gamification.services.pair_quests import PairQuests
from tests.fakes.follows import FakeGraph
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
REWARD = 40


def _quest(
    quest_id: str = "duo", mode: str = "pair", target: int = 5, badge: str | None = None
) -> QuestDefinition:
    return QuestDefinition.model_validate(
        {
            "id": quest_id,
            "name": "Read together",
            "description": "Read 5 posts between you.",
            "starts_at": NOW - timedelta(days=1),
            "ends_at": NOW + timedelta(days=2),
            "criteria": {"type": "posts_read", "count": target},
            "reward_xp": REWARD,
            "reward_badge": badge,
            "mode": mode,
        }
    )


class Racing(FakeProfiles):
    """Profiles where a concurrent writer commits to the user just before some saves (the
    settlement's versioned save then conflicts and must re-read)."""

    def __init__(self, races: int = 0) -> None:
        super().__init__()
        self.races = races

    def save(self, change: UserChange) -> StoredUser:
        if self.races > 0 and change.notifications:  # a settlement's payment
            self.races -= 1
            self._write(self.load(change.state.user_id))  # someone else's commit
        return super().save(change)


class World:
    def __init__(self, races: int = 0, target: int = 5, badge: str | None = None) -> None:
        self.profiles, self.graph = Racing(races), FakeGraph()
        self.links = self.graph.pair_links
        catalog = QuestCatalog(
            quests=(_quest(target=target, badge=badge), _quest("solo", mode="solo"))
        )
        self.rules = default_game_rules().with_quests(catalog)
        self.service = PairQuests(
            self.graph, self.links, self.profiles, lambda: self.rules, lambda: NOW
        )
        for user in ("ann", "bob", "cy"):
            self.profiles.put(StoredUser(UserState(user_id=user)))

    def friends(self, a: str, b: str) -> None:
        self.graph.follows[(a, b)] = NOW
        self.graph.follows[(b, a)] = NOW

    def act(self, user: str) -> StoredUser:
        """What the consumer's commit does to a pair quest: one more in the user's own count
        (never a completion: the transition leaves pair quests to the settlement)."""
        stored = self.profiles.load(user)
        held = stored.state.quests.get("duo") or QuestProgress()
        if held.completed_at is not None:
            return stored
        quests = {**stored.state.quests, "duo": held.model_copy(update={"count": held.count + 1})}
        state = stored.state.model_copy(update={"quests": quests})
        return self.profiles.save(UserChange(before=stored, state=state, now=NOW))

    def paid(self, user: str) -> int:
        return self.profiles.load(user).state.xp // REWARD


def test_pairing_needs_mutual_friends_a_pair_quest_and_a_free_partner() -> None:
    w = World()
    with pytest.raises(PairQuestError, match="follow each other"):
        w.service.pair("ann", "bob", "duo")
    w.friends("ann", "bob")
    w.friends("cy", "bob")
    with pytest.raises(PairQuestError) as solo:
        w.service.pair("ann", "bob", "solo")
    assert solo.value.code == "not_a_pair_quest"
    assert w.service.pair("ann", "bob", "duo").partner == "bob"
    assert w.service.pair("ann", "bob", "duo").partner == "bob"  # idempotent
    with pytest.raises(PairQuestError) as taken:
        w.service.pair("cy", "bob", "duo")
    assert taken.value.code == "already_paired"
    w.service.unpair("bob", "duo")
    assert w.service.status("ann", "duo").partner is None
    assert w.service.pair("cy", "bob", "duo").partner == "bob"


def test_the_sum_completes_it_and_pays_both_once() -> None:
    w = World()
    w.friends("ann", "bob")
    w.service.pair("ann", "bob", "duo")
    for user in ("ann", "ann", "bob", "ann"):
        w.service.after_apply(w.act(user))
    assert (w.paid("ann"), w.paid("bob")) == (0, 0)
    assert w.service.status("bob", "duo").count == 4
    w.service.after_apply(w.act("bob"))  # 3 + 2 = 5
    w.service.after_apply(w.profiles.load("ann"))  # a redelivery on the other side
    assert (w.paid("ann"), w.paid("bob")) == (1, 1)
    status = w.service.status("ann", "duo")
    assert (status.completed, status.count) == (True, 5)
    with pytest.raises(PairQuestError) as done:  # no second pair to be paid again
        w.service.pair("ann", "bob", "duo")
    assert done.value.code == "quest_completed"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_each_partner_is_paid_once_under_any_delivery_order(data: st.DataObject) -> None:
    """The partners' commits happen in a drawn order; each commit's settlement is delivered one
    to three times at drawn later moments (redelivery, reordering across the two users), the
    pairing happens at a drawn moment, and some saves race a concurrent commit. At the end each
    partner is paid exactly once iff the literal sum of their counts reached the target."""
    acts = data.draw(st.lists(st.sampled_from(["ann", "bob"]), max_size=9), label="acts")
    target = data.draw(st.integers(1, 8), label="target")
    w = World(races=data.draw(st.integers(0, 4), label="races"), target=target)
    w.friends("ann", "bob")
    timeline: list[tuple[str, str, int]] = [("act", user, i) for i, user in enumerate(acts)]
    for i, user in enumerate(acts):
        committed = timeline.index(("act", user, i))
        for _ in range(data.draw(st.integers(1, 3))):  # after its commit, at any later moment
            at = data.draw(st.integers(committed + 1, len(timeline)))
            timeline.insert(at, ("settle", user, i))
    timeline.insert(data.draw(st.integers(0, len(timeline))), ("pair", "ann", -1))
    for what, user, _ in timeline:
        if what == "act":
            w.act(user)
        elif what == "settle":
            w.service.after_apply(w.profiles.load(user))
        else:
            w.service.pair("ann", "bob", "duo")
    reached = len(acts) >= target
    assert (w.paid("ann"), w.paid("bob")) == ((1, 1) if reached else (0, 0))
    for user in ("ann", "bob"):
        assert (
            w.profiles.load(user).state.quests.get("duo", QuestProgress()).completed_at is not None
        ) == reached


def test_a_half_link_pays_nobody() -> None:
    """After one side is gone (an erasure deletes the erased user's side), no pair remains."""
    w = World(target=1)
    w.friends("ann", "bob")
    w.service.pair("ann", "bob", "duo")
    del w.links.links[("bob", "duo")]
    w.service.after_apply(w.act("ann"))
    assert (w.paid("ann"), w.paid("bob")) == (0, 0)


def _events(w: World, user: str) -> list[EventDraft]:
    return [e for who, _, events in w.profiles.outbox if who == user for e in events]


def test_each_partner_is_paid_as_a_solo_quest_with_its_events_and_badge() -> None:
    """The payment commits, in each partner's own outbox, what a solo completion commits: the
    reward's ``xp.awarded`` (source ``quest_reward#duo``), ``quest.completed`` (fact: the quest
    id, so the same stable id as a solo completion's), the reward badge's ``badge.earned``; each
    once, however often it is settled."""
    w = World(target=2, badge="bookworm")
    w.friends("ann", "bob")
    w.service.pair("ann", "bob", "duo")
    w.service.after_apply(w.act("ann"))
    w.service.after_apply(w.act("bob"))
    for user in ("ann", "bob", "ann"):  # redeliveries
        w.service.after_apply(w.profiles.load(user))
    for user in ("ann", "bob"):
        state = w.profiles.load(user).state
        assert "bookworm" in state.badges
        facts = [(e.type, e.fact) for e in _events(w, user)]
        assert ("quest.completed", "duo") in facts
        assert ("xp.awarded", "quest_reward#duo") in facts
        assert ("badge.earned", "bookworm") in facts
        assert len(facts) == len(set(facts))  # once each
        completed = next(e for e in _events(w, user) if e.type == "quest.completed")
        assert completed.data == {"quest_id": "duo", "name": "Read together", "reward_xp": REWARD}
        told = [n.kind for n in w.profiles.notifications.get(user, [])]
        assert told.count(NotificationKind.QUEST_COMPLETED) == 1
        assert told.count(NotificationKind.BADGE_EARNED) == 1


def test_a_partner_in_the_control_group_is_paid_but_not_told() -> None:
    """The control group plays invisibly (as in the consumer): paid, events emitted, no
    notification."""
    w = World(target=1)
    w.friends("ann", "bob")
    stored = w.profiles.load("bob")
    control = stored.state.model_copy(update={"experiment": Assignment(group="control", salt="s1")})
    w.profiles.put(StoredUser(control, stored.version))
    w.service.pair("ann", "bob", "duo")
    w.service.after_apply(w.act("ann"))
    assert (w.paid("ann"), w.paid("bob")) == (1, 1)
    assert not w.profiles.notifications.get("bob")
    assert [e.type for e in _events(w, "bob")] == [
        "xp.awarded",
        "quest.completed",
        "wallet.entry_posted",  # the quest's gems (data/currencies.json)
    ]


def test_a_block_ends_the_pairing_and_refuses_a_new_one() -> None:
    """A block ends the pair (both sides go with the block); a pairing a block raced (the two
    read as friends, the block landed before the links) is refused as not friends."""
    w = World(target=2)
    w.friends("ann", "bob")
    w.service.pair("ann", "bob", "duo")
    w.service.after_apply(w.act("ann"))
    w.graph.block("bob", "ann", NOW)
    assert w.service.status("ann", "duo").partner is None
    assert w.service.status("bob", "duo").partner is None
    w.service.after_apply(w.act("bob"))  # 1 + 1 would have reached the target as a pair
    assert (w.paid("ann"), w.paid("bob")) == (0, 0)
    w.graph.unblock("bob", "ann")
    w.friends("ann", "bob")
    w.graph.blocks[("ann", "bob")] = NOW  # the block lands after the friendship was read
    with pytest.raises(PairQuestError) as raced:
        w.service.pair("ann", "bob", "duo")
    assert raced.value.code == "not_friends"
