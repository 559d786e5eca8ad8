"""Badges over activity attributes through the API: checked against the event catalog when
saved, and tiered badges showing their levels (docs/rules.md, "Criteria")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import seed
from tests.api.support import Api, admin, user


def _badge(criteria: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Pythonista",
        "description": "Read Python posts.",
        "icon": "icons/py.svg",
        "criteria": criteria,
        **extra,
    }


def test_a_filtered_badge_is_saved_as_written(api: Api) -> None:
    criteria = {
        "type": "event_count",
        "event_type": "post_read",
        "where": {"category": {"in": ["python", "go"]}, "minutes": {"gte": 5}},
        "count": 3,
    }

    reply = api.put("/v1/admin/badges/py", as_=admin(), body=_badge(criteria))

    assert reply.status == 201, reply.text
    assert reply.json["criteria"] == criteria


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        (
            {"type": "posts_read", "where": {"colour": "red"}, "count": 1},
            "body.criteria.where.colour",
        ),
        (
            {"type": "posts_read", "where": {"premium": "yes"}, "count": 1},
            "body.criteria.where.premium",
        ),
        (
            {"type": "posts_read", "where": {"category": {"gte": 1}}, "count": 1},
            "body.criteria.where.category",
        ),
        (
            {
                "type": "attribute_sum",
                "event_type": "post_read",
                "attribute": "category",
                "total": 5,
            },
            "body.criteria.attribute",
        ),
        (
            {
                "type": "all",
                "of": [
                    {"type": "xp_total", "count": 5},
                    {
                        "type": "distinct_count",
                        "event_type": "comment_left",
                        "attribute": "topic",
                        "count": 2,
                    },
                ],
            },
            "body.criteria.of.1.attribute",
        ),
    ],
)
def test_a_criterion_the_catalog_cannot_satisfy_is_refused_naming_the_field(
    api: Api, criteria: dict[str, Any], field: str
) -> None:
    reply = api.put("/v1/admin/badges/py", as_=admin(), body=_badge(criteria))

    assert reply.status == 400, reply.text
    assert field in reply.error_fields()


def test_a_tiered_badge_shows_the_level_held_and_progress_to_the_next(api: Api) -> None:
    body = _badge(
        {"type": "posts_read", "count": 2},
        levels=[
            {"name": "Bronze", "target": 2},
            {"name": "Silver", "target": 5},
            {"name": "Gold", "target": 9},
        ],
    )
    seed.profile("alice", 30, counters={"post_read": 6})

    saved = api.put("/v1/admin/badges/reader", as_=admin(), body=body)
    assert saved.status == 201, saved.text
    [view] = [
        b
        for b in api.get("/v1/users/alice/badges", as_=user("alice")).json["badges"]
        if b["id"] == "reader"
    ]

    assert saved.status == 201, saved.text
    assert view["earned"] is True
    assert view["level"] == {"held": 2, "name": "Silver", "levels": 3, "next": "Gold"}
    assert view["progress"] == {"current": 6, "target": 9}
