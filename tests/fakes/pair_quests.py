"""The pair quest links (real: ``adapters.pair_quest_links.PairQuestLinks``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from gamification.domain.follows import BlockedError
from gamification.domain.pair_quests import PairLink


class FakePairLinks:
    def __init__(self, blocks: Mapping[tuple[str, str], object] | None = None) -> None:
        self.links: dict[tuple[str, str], PairLink] = {}
        """(owner, quest) -> the owner's side."""
        self.blocks = blocks if blocks is not None else {}
        """(blocker, blocked): the graph's blocks (``FakeGraph.pair_links`` shares them)."""

    def link(self, owner: str, quest_id: str) -> PairLink | None:
        return self.links.get((owner, quest_id))

    def pair(self, a: str, b: str, quest_id: str, at: datetime, expires: datetime) -> bool:
        if (a, quest_id) in self.links or (b, quest_id) in self.links:
            return False
        if (a, b) in self.blocks or (b, a) in self.blocks:
            raise BlockedError(b)
        self.links[(a, quest_id)] = PairLink(a, quest_id, b, at)
        self.links[(b, quest_id)] = PairLink(b, quest_id, a, at)
        return True

    def unpair(self, owner: str, quest_id: str, partner: str) -> None:
        for side, other in ((owner, partner), (partner, owner)):
            held = self.links.get((side, quest_id))
            if held is not None and held.partner == other:
                del self.links[(side, quest_id)]

    def partners_of(self, owner: str) -> list[PairLink]:
        return [link for (side, _), link in sorted(self.links.items()) if side == owner]

    def end_pairings(self, a: str, b: str) -> None:
        """What a block does: every side either holds naming the other goes."""
        for key, link in list(self.links.items()):
            if (link.owner, link.partner) in ((a, b), (b, a)):
                del self.links[key]
