"""The friend quest pairing port (``services.pair_quests.Links``): the fake
(tests/fakes/pair_quests.py, shared with ``FakeGraph`` for blocks) and ``PairQuestLinks`` with
``FollowGraph`` on moto (one table) pass the same tests: one partner per quest on both sides,
unpairing both sides, refusing a pairing across a block, and a block ending every pairing
between the two (in the block's transaction on the real store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.follow_graph import FollowGraph
from gamification.adapters.pair_quest_links import PairQuestLinks
from gamification.domain.follows import BlockedError
from gamification.domain.pair_quests import PairLink
from gamification.local.provision import Provisioned
from tests.fakes.follows import FakeGraph
from tests.fakes.pair_quests import FakePairLinks

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ENDS = NOW + timedelta(days=30)

Store = tuple[FakePairLinks | PairQuestLinks, FakeGraph | FollowGraph]


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "fake":
        graph = FakeGraph()
        return graph.pair_links, graph
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")
    return PairQuestLinks(client, aws.table_name), FollowGraph(client, aws.table_name)


def _sides(links: FakePairLinks | PairQuestLinks, quest: str) -> dict[str, str | None]:
    return {
        u: (link.partner if (link := links.link(u, quest)) is not None else None)
        for u in ("ann", "bob", "cy")
    }


def test_a_pairing_is_both_sides_and_one_partner_per_quest(store: Store) -> None:
    links, _ = store
    assert links.link("ann", "duo") is None
    assert links.pair("ann", "bob", "duo", NOW, ENDS) is True
    assert links.link("ann", "duo") == PairLink("ann", "duo", "bob", NOW)
    assert links.link("bob", "duo") == PairLink("bob", "duo", "ann", NOW)
    assert links.pair("cy", "bob", "duo", NOW, ENDS) is False  # bob has a partner
    assert links.pair("ann", "cy", "duo", NOW, ENDS) is False  # so has ann
    assert _sides(links, "duo") == {"ann": "bob", "bob": "ann", "cy": None}
    assert links.pair("cy", "bob", "trio", NOW, ENDS) is True  # another quest, another partner
    assert [(p.quest_id, p.partner) for p in links.partners_of("bob")] == [
        ("duo", "ann"),
        ("trio", "cy"),
    ]


def test_unpair_deletes_both_sides_only_when_they_name_each_other(store: Store) -> None:
    links, _ = store
    links.pair("ann", "bob", "duo", NOW, ENDS)
    links.unpair("cy", "duo", "bob")  # cy is not bob's partner: nothing goes
    assert _sides(links, "duo") == {"ann": "bob", "bob": "ann", "cy": None}
    links.unpair("bob", "duo", "ann")
    assert _sides(links, "duo") == {"ann": None, "bob": None, "cy": None}
    links.unpair("bob", "duo", "ann")  # again: a no-op
    assert links.pair("cy", "bob", "duo", NOW, ENDS) is True


def test_no_pairing_across_a_block_either_way(store: Store) -> None:
    links, graph = store
    graph.block("bob", "ann", NOW)
    for a, b in (("ann", "bob"), ("bob", "ann")):
        with pytest.raises(BlockedError):
            links.pair(a, b, "duo", NOW, ENDS)
    assert _sides(links, "duo") == {"ann": None, "bob": None, "cy": None}
    graph.unblock("bob", "ann")
    assert links.pair("ann", "bob", "duo", NOW, ENDS) is True


def test_a_block_ends_every_pairing_between_the_two_and_only_those(store: Store) -> None:
    links, graph = store
    links.pair("ann", "bob", "duo", NOW, ENDS)
    links.pair("bob", "ann", "trio", NOW, ENDS)
    links.pair("ann", "cy", "solo-ish", NOW, ENDS)
    assert graph.block("ann", "bob", NOW) is True
    assert links.partners_of("bob") == []
    assert [(p.quest_id, p.partner) for p in links.partners_of("ann")] == [("solo-ish", "cy")]
    assert links.link("cy", "solo-ish") == PairLink("cy", "solo-ish", "ann", NOW)


def _erase_side(links: FakePairLinks | PairQuestLinks, owner: str, quest: str) -> None:
    """What the eraser's walk of ``owner``'s ``GRAPH#`` partition does to their side alone."""
    if isinstance(links, FakePairLinks):
        del links.links[(owner, quest)]
        return
    boto3.client("dynamodb").delete_item(
        TableName=links._table,
        Key=to_item({"PK": keys.graph_pk(owner), "SK": f"{keys.PAIR_QUEST_PREFIX}{quest}"}),
    )


def test_a_block_ends_a_half_pairing_too(store: Store) -> None:
    """An erasure leaves half a pair (the erased side gone); the other half goes with a block
    as it would with the pairing whole."""
    links, graph = store
    links.pair("ann", "bob", "duo", NOW, ENDS)
    _erase_side(links, "ann", "duo")
    assert _sides(links, "duo") == {"ann": None, "bob": "ann", "cy": None}
    assert graph.block("bob", "ann", NOW) is True
    assert _sides(links, "duo") == {"ann": None, "bob": None, "cy": None}
