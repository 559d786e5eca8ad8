"""The control group that proves impact, and the statistics that read it (pure: no I/O).

A deployment may hold a share of its users out of the game (``ControlGroup``): their activity
is recorded and ranked invisibly, but the API tells clients ``experience: "control"`` and they
get no notifications, reminders or push. Who is in it is decided once per user and salt, from a
stable hash bucket, and *recorded* with the user (``Assignment``): changing the share later
applies to users not yet assigned and never moves an existing one; changing the salt re-draws
everyone (a new experiment).

``two_proportions`` is the standard two-proportion z-test (pooled standard error for the test,
unpooled for the confidence interval of the difference), the impact report's only statistic.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BUCKETS = 10_000
"""Hash buckets: the share's resolution is 0.01 %."""
Group = Literal["control", "treatment"]


class ControlGroup(BaseModel):
    """The setting: ``share`` of new users go to the control group, drawn with ``salt``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    share: float = Field(default=0.0, ge=0.0, le=0.5)
    """0 turns the control group off (nobody new joins it; assigned users stay)."""
    salt: str = Field(default="", max_length=64)

    @property
    def running(self) -> bool:
        """An experiment runs once a share or a salt is set: from then on users are recorded
        at their next commit (turned off, the recorded ones stay where they are)."""
        return self.share > 0 or bool(self.salt)


class Assignment(BaseModel):
    """A user's recorded group and the salt it was drawn with (stored with the user, ≤ 90 B)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: Group
    salt: str = Field(default="", max_length=64)


def bucket(user_id: str, salt: str) -> int:
    """A stable bucket in ``[0, BUCKETS)``: SHA-256 of the salt and the id, nothing else."""
    digest = hashlib.sha256(f"{salt}\x1f{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def draw(user_id: str, control: ControlGroup) -> Group:
    """The group a user not yet assigned under this salt joins."""
    return (
        "control" if bucket(user_id, control.salt) < round(control.share * BUCKETS) else "treatment"
    )


def assign(user_id: str, control: ControlGroup, recorded: Assignment | None) -> Assignment:
    """The user's assignment: the recorded one while the salt is unchanged, else a fresh draw."""
    if recorded is not None and recorded.salt == control.salt:
        return recorded
    return Assignment(group=draw(user_id, control), salt=control.salt)


def experience(recorded: Assignment | None) -> Group:
    return recorded.group if recorded is not None else "treatment"


@dataclass(frozen=True, slots=True)
class Comparison:
    """Treatment minus control, for one proportion (e.g. retained on day 14)."""

    treatment: tuple[int, int]
    """(successes, users)"""
    control: tuple[int, int]
    difference: float
    low: float
    high: float
    """The confidence interval of the difference."""
    z: float
    p_value: float
    """Two-sided."""

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def _normal_quantile(confidence: float) -> float:
    """The two-sided z for a confidence (bisection on erf: no statistics library needed)."""
    target = confidence
    low, high = 0.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if math.erf(mid / math.sqrt(2)) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def two_proportions(
    treatment: tuple[int, int], control: tuple[int, int], confidence: float = 0.95
) -> Comparison:
    """The two-proportion z-test of treatment against control."""
    (x1, n1), (x2, n2) = treatment, control
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need users")
    p1, p2 = x1 / n1, x2 / n2
    difference = p1 - p2
    pooled = (x1 + x2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = difference / se_pooled if se_pooled else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    margin = _normal_quantile(confidence) * se
    return Comparison(
        treatment, control, difference, difference - margin, difference + margin, z, p_value
    )
