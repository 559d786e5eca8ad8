"""Badge rarity in ``GET /v1/badges`` (docs/rules.md, "Rarity"): absent until the scheduled
count finished, then the share of players holding each badge and each level."""

from __future__ import annotations

from datetime import UTC, datetime

from gamification import composition
from tests.api import seed
from tests.api.support import Api, admin, user

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _catalog(api: Api) -> dict[str, object]:
    reply = api.get("/v1/badges", as_=user("alice"))
    assert reply.status == 200, reply.text
    return dict(reply.json)


def test_rarity_shows_after_the_count_with_a_share_per_badge_and_level(api: Api) -> None:
    body = {
        "name": "Reader",
        "description": "Read posts.",
        "icon": "icons/reader.svg",
        "criteria": {"type": "posts_read", "count": 2},
        "levels": [{"name": "Bronze", "target": 2}, {"name": "Silver", "target": 5}],
    }
    assert api.put("/v1/admin/badges/reader", as_=admin(), body=body).status == 201
    seed.profile("alice", 30, badges={"first-read": NOW, "reader": NOW, "reader#2": NOW})
    seed.profile("bob", 20, badges={"first-read": NOW, "reader": NOW})
    seed.profile("carol", 10, badges={"first-read": NOW})
    seed.profile("dan", 10)
    before = _catalog(api)
    assert "rarity_computed_at" not in before
    assert all("rarity" not in b for b in before["badges"])  # type: ignore[attr-defined]

    summary = composition.rarity_job().run(NOW, lambda: False)
    composition.reset()  # a fresh container: the reader's 5-minute cache starts empty
    after = _catalog(api)

    badges = {b["id"]: b for b in after["badges"]}  # type: ignore[attr-defined]
    assert summary["status"] == "finished"
    assert after["players"] == 4
    assert after["rarity_computed_at"] == "2026-11-20T09:00:00Z"
    assert badges["first-read"]["rarity"] == {"share": 0.75, "holders": 3}
    assert badges["reader"]["rarity"] == {
        "share": 0.5,
        "holders": 2,
        "levels": [
            {"name": "Bronze", "share": 0.5, "holders": 2},
            {"name": "Silver", "share": 0.25, "holders": 1},
        ],
    }
    assert badges["scholar"]["rarity"] == {"share": 0.0, "holders": 0}
