"""The pair quest links (real: ``adapters.pair_quest_links.PairQuestLinks``)."""

from __future__ import annotations

from datetime import datetime

from gamification.domain.pair_quests import PairLink


class FakePairLinks:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], PairLink] = {}
        """(owner, quest) -> the owner's side."""

    def link(self, owner: str, quest_id: str) -> PairLink | None:
        return self.links.get((owner, quest_id))

    def pair(self, a: str, b: str, quest_id: str, at: datetime, expires: datetime) -> bool:
        if (a, quest_id) in self.links or (b, quest_id) in self.links:
            return False
        self.links[(a, quest_id)] = PairLink(a, quest_id, b, at)
        self.links[(b, quest_id)] = PairLink(b, quest_id, a, at)
        return True

    def unpair(self, owner: str, quest_id: str, partner: str) -> None:
        for side, other in ((owner, partner), (partner, owner)):
            held = self.links.get((side, quest_id))
            if held is not None and held.partner == other:
                del self.links[(side, quest_id)]
