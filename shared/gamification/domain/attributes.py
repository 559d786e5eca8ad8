"""Activity attributes: small typed facts an activity carries (``category``, ``minutes``...).

An event type declares its attributes in the catalog (``data/event_types.json``) with a type
and, optionally, the allowed values or an integer range; an activity may carry only declared
attributes of the declared type. The same small filter language (:data:`Where`) decides which
activities an XP rule pays for and which a criterion counts. Attributes are stored nowhere: the
transition reads them once and keeps only the counters live criteria need.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from gamification.domain.xp import MAX_AWARD_XP

MAX_ATTRIBUTES = 10
"""Attributes per activity (and declared per event type) at most."""
MAX_STRING = 64
"""Longest string attribute value, in characters."""
MAX_ALLOWED_VALUES = 50
"""Most allowed values one attribute may list (and values one ``in`` filter may list)."""
INT_LIMIT = 2**31 - 1
"""Integer attributes lie in ``[-INT_LIMIT, INT_LIMIT]``: every client reads them exactly."""

AttributeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def _whole(value: object) -> object:
    """JSON Schema's integer includes ``5.0``: take it as 5 (``5.5`` stays refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_Int = Annotated[int, Field(strict=True, ge=-INT_LIMIT, le=INT_LIMIT)]
Scalar = Annotated[StrictBool | _Int | StrictStr, BeforeValidator(_whole)]
"""A value in a filter: bool is tried first (``true`` is not the integer 1)."""
AttributeValue = Annotated[
    StrictBool | _Int | Annotated[str, Field(strict=True, max_length=MAX_STRING)],
    BeforeValidator(_whole),
]
_NAMED_KEYS = {"additionalProperties": False}
"""With the key pattern pydantic writes as ``patternProperties``: no other key is valid."""
Attributes = Annotated[
    dict[AttributeName, AttributeValue],
    Field(max_length=MAX_ATTRIBUTES, json_schema_extra=_NAMED_KEYS),
]
"""What an activity carries: at most ten keys; strings ≤ 64 characters, integers, booleans."""


class AttributeType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"


_PYTHON_TYPE = {AttributeType.STRING: str, AttributeType.INTEGER: int, AttributeType.BOOLEAN: bool}


def type_of(value: object) -> AttributeType | None:
    """The attribute type of a value (``bool`` before ``int``: Python's bool is an int)."""
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, int):
        return AttributeType.INTEGER
    if isinstance(value, str):
        return AttributeType.STRING
    return None


class AttributeSpec(BaseModel):
    """One declared attribute: its type and, optionally, what values it may take."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: AttributeType
    values: tuple[StrictStr | StrictInt, ...] | None = Field(
        default=None, min_length=1, max_length=MAX_ALLOWED_VALUES
    )
    """The allowed values (strings or integers), or ``None`` for any value of the type."""
    minimum: int | None = Field(default=None, ge=-INT_LIMIT, le=INT_LIMIT)
    maximum: int | None = Field(default=None, ge=-INT_LIMIT, le=INT_LIMIT)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type is AttributeType.BOOLEAN and self.values is not None:
            raise ValueError("a boolean attribute takes no values list")
        if self.type is not AttributeType.INTEGER and (
            self.minimum is not None or self.maximum is not None
        ):
            raise ValueError("only an integer attribute takes minimum or maximum")
        for value in self.values or ():
            if type_of(value) is not self.type:
                raise ValueError(f"value {value!r} is not of type {self.type.value}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum must not be above maximum")
        return self

    def problem(self, value: object) -> str | None:
        """Why ``value`` is not allowed here, or ``None``."""
        if not isinstance(value, _PYTHON_TYPE[self.type]) or type_of(value) is not self.type:
            return f"must be a {self.type.value}"
        if self.values is not None and value not in self.values:
            shown = ", ".join(repr(v) for v in self.values[:10])
            return f"must be one of {shown}{'...' if len(self.values) > 10 else ''}"
        if isinstance(value, int) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum}"
        return None

    @property
    def never_negative(self) -> bool:
        """Whether a sum of this attribute can only grow (what ``sum`` criteria need)."""
        return self.type is AttributeType.INTEGER and self.minimum is not None and self.minimum >= 0


def attribute_problem(
    declared: Mapping[str, AttributeSpec], attributes: Mapping[str, object]
) -> tuple[str, str] | None:
    """The first undeclared or mistyped attribute as ``(name, why)``, or ``None`` (sorted by
    name, so the same activity always names the same field)."""
    if len(attributes) > MAX_ATTRIBUTES:
        return "", f"at most {MAX_ATTRIBUTES} attributes"
    for name in sorted(attributes):
        spec = declared.get(name)
        if spec is None:
            return name, "is not declared for this event type"
        why = spec.problem(attributes[name])
        if why is not None:
            return name, why
    return None


class InValues(BaseModel):
    """``{"in": [...]}``: the attribute equals one of the values."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    in_: tuple[Scalar, ...] = Field(alias="in", min_length=1, max_length=MAX_ALLOWED_VALUES)

    def holds(self, value: object) -> bool:
        return any(type_of(v) is type_of(value) and v == value for v in self.in_)


_Bound = Annotated[_Int, BeforeValidator(_whole)]


def _absent(value: object) -> bool:
    """A bound left out is not written back as ``null``."""
    return value is None


class Range(BaseModel):
    """Numeric bounds (``gte``, ``gt``, ``lte``, ``lt``; at least one) on an integer."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra={"minProperties": 1})

    gte: _Bound | SkipJsonSchema[None] = Field(default=None, exclude_if=_absent)
    gt: _Bound | SkipJsonSchema[None] = Field(default=None, exclude_if=_absent)
    lte: _Bound | SkipJsonSchema[None] = Field(default=None, exclude_if=_absent)
    lt: _Bound | SkipJsonSchema[None] = Field(default=None, exclude_if=_absent)

    @model_validator(mode="after")
    def _some_bound(self) -> Self:
        if self.gte is None and self.gt is None and self.lte is None and self.lt is None:
            raise ValueError("a range needs at least one of gte, gt, lte, lt")
        return self

    def holds(self, value: object) -> bool:
        if type_of(value) is not AttributeType.INTEGER:
            return False
        assert isinstance(value, int)
        return (
            (self.gte is None or value >= self.gte)
            and (self.gt is None or value > self.gt)
            and (self.lte is None or value <= self.lte)
            and (self.lt is None or value < self.lt)
        )


Condition = Scalar | InValues | Range
Where = Annotated[
    dict[AttributeName, Condition],
    Field(min_length=1, max_length=MAX_ATTRIBUTES, json_schema_extra=_NAMED_KEYS),
]
"""Conditions on attributes, all of which must hold: a value (equality), ``{"in": [...]}`` or
a range. An activity without the attribute matches no condition on it."""


def holds(condition: Condition, value: object) -> bool:
    if isinstance(condition, InValues | Range):
        return condition.holds(value)
    return type_of(condition) is type_of(value) and condition == value


def matches(where: Mapping[str, Condition] | None, attributes: Mapping[str, object]) -> bool:
    """Whether every condition of ``where`` holds for ``attributes`` (``None`` matches all)."""
    if not where:
        return True
    for name, condition in where.items():
        if name not in attributes or not holds(condition, attributes[name]):
            return False
    return True


def where_problem(
    declared: Mapping[str, AttributeSpec], where: Mapping[str, Condition]
) -> tuple[str, str] | None:
    """A condition on an undeclared attribute, or of the wrong type, as ``(name, why)``."""
    for name in sorted(where):
        spec = declared.get(name)
        if spec is None:
            return name, "is not an attribute declared for this event type"
        condition = where[name]
        if isinstance(condition, Range):
            if spec.type is not AttributeType.INTEGER:
                return name, "a range needs an integer attribute"
            continue
        values = condition.in_ if isinstance(condition, InValues) else (condition,)
        for value in values:
            if spec.problem(value) is not None:
                return name, f"{value!r} {spec.problem(value)}"
    return None


class XpRule(BaseModel):
    """``{"when": {"premium": true}, "xp": 15}``: activities matching ``when`` earn ``xp``
    instead of the type's ``base_xp``. The first matching rule, in listed order, applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    when: Where
    xp: int = Field(ge=0, le=MAX_AWARD_XP, strict=True)


def rule_xp(rules: tuple[XpRule, ...], base_xp: int, attributes: Mapping[str, object]) -> int:
    """The XP an activity with ``attributes`` earns before boosts."""
    if attributes:
        for rule in rules:
            if matches(rule.when, attributes):
                return rule.xp
    return base_xp
