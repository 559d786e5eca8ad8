"""Activity attributes: declared per event type, checked before anything is applied, and XP
by attribute as data (domain/attributes.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gamification.domain.activity import Activity
from gamification.domain.attributes import AttributeSpec, Condition, InValues, Range, matches
from gamification.domain.catalog import EventType, Reporter
from gamification.domain.transition import Rejection, RejectReason, check
from tests.domain.builders import DEFAULT_RULES, USER, activity, apply, user


def test_a_premium_read_earns_the_rules_xp_and_a_plain_one_the_base() -> None:
    premium = activity(obj="p1", attributes={"premium": True, "category": "python"})
    plain = activity(obj="p2", attributes={"premium": False})
    bare = activity(obj="p3")

    awards = apply(user(), [premium, plain, bare]).effects.awards

    assert [a.xp for a in awards if a.event_type == "post_read"] == [15, 10, 10]


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"colour": "red"}, "attributes.colour"),
        ({"premium": "yes"}, "attributes.premium"),
        ({"premium": 1}, "attributes.premium"),
        ({"minutes": True}, "attributes.minutes"),
        ({"minutes": 601}, "attributes.minutes"),
        ({"minutes": -1}, "attributes.minutes"),
        ({"category": 3}, "attributes.category"),
    ],
)
def test_an_undeclared_or_mistyped_attribute_is_rejected_naming_it(
    attributes: dict[str, Any], field: str
) -> None:
    verdict = check(activity(attributes=attributes), USER, DEFAULT_RULES)

    assert isinstance(verdict, Rejection)
    assert verdict.reason is RejectReason.INVALID_ATTRIBUTE
    assert verdict.field == field


def test_a_value_outside_the_allowed_list_is_rejected() -> None:
    solved = activity(
        "challenge_solved", source=Reporter.SERVICE, attributes={"difficulty": "brutal"}
    )

    verdict = check(solved, USER, DEFAULT_RULES)

    assert isinstance(verdict, Rejection)
    assert verdict.field == "attributes.difficulty"
    assert "easy" in verdict.detail


def test_a_rejected_attribute_applies_nothing() -> None:
    result = apply(user(), [activity(attributes={"colour": "red"})])

    assert result.state.xp == 0
    assert [r.reason for r in result.effects.rejected] == [RejectReason.INVALID_ATTRIBUTE]


def test_an_activity_carries_at_most_ten_short_attributes() -> None:
    base = activity()
    eleven = {f"a{i}": i for i in range(11)}
    with pytest.raises(ValidationError, match="attributes"):
        Activity.model_validate({**base.model_dump(), "attributes": eleven})
    with pytest.raises(ValidationError, match="attributes"):
        Activity.model_validate({**base.model_dump(), "attributes": {"a": "x" * 65}})


def test_an_xp_rule_must_name_declared_attributes_of_their_type() -> None:
    with pytest.raises(ValidationError, match=r"xp_rules\[0\].when.premium"):
        EventType(name="video", base_xp=5, xp_rules=[{"when": {"premium": True}, "xp": 9}])
    with pytest.raises(ValidationError, match=r"xp_rules\[0\].when.premium"):
        EventType(
            name="video",
            base_xp=5,
            attributes={"premium": AttributeSpec(type="boolean")},
            xp_rules=[{"when": {"premium": "yes"}, "xp": 9}],
        )


def test_a_spec_refuses_values_of_another_type() -> None:
    with pytest.raises(ValidationError):
        AttributeSpec(type="integer", values=("a",))
    with pytest.raises(ValidationError):
        AttributeSpec(type="string", minimum=0)


def test_filters_match_by_equality_membership_and_range_without_type_coercion() -> None:
    where: dict[str, Condition] = {
        "category": InValues(**{"in": ("python", "go")}),
        "minutes": Range(gte=10, lt=60),
    }

    assert matches(where, {"category": "go", "minutes": 10})
    assert not matches(where, {"category": "go", "minutes": 60})
    assert not matches(where, {"category": "rust", "minutes": 20})
    assert not matches(where, {"category": "go"})  # absent: no match
    assert not matches({"premium": True}, {"premium": 1})  # 1 is not true
    assert not matches({"level": 1}, {"level": True})
