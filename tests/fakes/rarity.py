"""The rarity item in memory (``services.rarity.RarityStore``)."""

from __future__ import annotations

from gamification.domain.rarity import RarityRecord


class FakeRarityStore:
    def __init__(self) -> None:
        self.record = RarityRecord()
        self.saves = 0

    def load(self) -> RarityRecord:
        return self.record

    def save(self, record: RarityRecord) -> None:
        self.record = record
        self.saves += 1
