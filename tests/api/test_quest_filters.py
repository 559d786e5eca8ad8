"""Quests take ``where`` like badges (docs/rules.md, "Quests"): saved as written, checked
against the event catalog naming the field."""

from __future__ import annotations

from tests.api import seed
from tests.api.support import Api, admin

CRITERIA = {"type": "posts_read", "count": 3, "where": {"category": "python"}}


def test_a_filtered_quest_is_saved_as_written(api: Api) -> None:
    reply = api.put("/v1/admin/quests/py", as_=admin(), body=seed.quest(criteria=CRITERIA))

    assert reply.status == 201, reply.text
    assert reply.json["criteria"]["where"] == {"category": "python"}


def test_a_quest_filter_on_an_undeclared_attribute_is_a_400_naming_it(api: Api) -> None:
    criteria = {**CRITERIA, "where": {"colour": "red"}}

    reply = api.put("/v1/admin/quests/py", as_=admin(), body=seed.quest(criteria=criteria))

    assert reply.status == 400, reply.text
    assert "body.criteria.where.colour" in reply.error_fields()
