"""The catalog of domain events that leave the system (EventBridge, webhooks), as data.

Each type names its payload model; the JSON Schema of an event is the envelope's with ``data``
replaced by that model's schema, generated from the models (``docs/events/*.json``, served by
``GET /v1/events/schema``), so the published schemas cannot drift from what is sent. A breaking
change of a payload bumps its ``schema_version`` (additive fields do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SOURCE = "gamify"
"""EventBridge ``Source`` of every event (``detail-type`` is the event type)."""


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class XpAwarded(_Data):
    source: str = Field(description="What earned it: the activity's dedupe key or a bonus key")
    activity_type: str = Field(description="The event type that earned it (or a bonus type)")
    xp: int = Field(description="How much the total changed by")
    boost_id: str | None = Field(default=None, description="The boost that multiplied it")
    total_xp: int = Field(description="The user's XP after the commit that awarded it")
    activity_at: AwareDatetime | None = Field(
        default=None,
        description="When the activity occurred (its occurred_at: earlier than the event's "
        "for an offline or back-dated report); null for a bonus",
    )


class LevelChanged(_Data):
    previous_level: int
    level: int


class BadgeEarned(_Data):
    badge_id: str
    name: str


class StreakExtended(_Data):
    day: date = Field(description="The user's new latest active day (their timezone)")
    streak_days: int = Field(description="Active days in the streak, freezes bridging gaps")


class StreakMilestone(_Data):
    ordinal: int = Field(description="1 for the first milestone ever, 2 for the second...")
    every: int = Field(description="Days per milestone")


class StreakFreezeUsed(_Data):
    day: date = Field(description="The missed day a freeze covered")
    streak_days: int = Field(description="The streak the freeze kept alive")


class StreakBroken(_Data):
    last_day: date = Field(description="The last active day of the streak that broke")
    streak_days: int = Field(description="Its length")


class QuestCompleted(_Data):
    quest_id: str
    name: str
    reward_xp: int


class LeagueJoined(_Data):
    week: str = Field(description="ISO week, e.g. 2026-W49")
    tier: int
    cohort: str = Field(description="The cohort's board name (week:tier:n)")


class LeagueClosed(_Data):
    week: str = Field(description="The ISO week that closed")
    rank: int = Field(description="The member's rank in the cohort (ties share one)")
    movement: str = Field(description="promoted, demoted or stayed")
    from_tier: int
    to_tier: int
    weekly_xp: int


class ExperimentAssigned(_Data):
    experience: str = Field(description="control or treatment")
    experiment: str = Field(description="The salt it was drawn with (a new salt: a new draw)")


class UserExcluded(_Data):
    reason: str = Field(description="The operator's reason")
    excluded_at: AwareDatetime


class UserFlagged(_Data):
    flag_rule: str = Field(description="The rule that fired: velocity or outlier")
    observed: int = Field(description="What the user did: activities in the minute, or week XP")
    threshold: int = Field(description="The least that fires the rule")
    flag_window: str = Field(description="The UTC minute (YYYY-MM-DDTHH:MM) or the ISO week")


class UserFlagReviewed(_Data):
    flag_rule: str = Field(description="The rule of the flag reviewed")
    review: str = Field(description="cleared or confirmed")


class UserErased(_Data):
    erased_at: AwareDatetime = Field(description="When the erasure was requested")


class FriendFollowed(_Data):
    followed_id: str = Field(description="The user now followed (the envelope's user follows)")
    mutual: bool = Field(description="They follow back: the two are now friends")


class FriendStreakStarted(_Data):
    partner_id: str = Field(description="The friend the streak is with")
    started_on: date = Field(description="The pair's day it was accepted (counts from it)")


class FriendStreakMilestone(_Data):
    partner_id: str
    streak_days: int = Field(description="7, 30, 100 or 365")
    reached_on: date = Field(description="The pair day it was reached")


class FriendStreakBroken(_Data):
    partner_id: str
    last_day: date = Field(description="The run's last pair day")
    streak_days: int = Field(description="Its length (pair days since it was accepted)")


class RewardRedeemed(_Data):
    idempotency_key: str = Field(description="The redeem's key: one event per key, ever")
    item_id: str
    name: str = Field(description="The item's name when it was redeemed")
    quantity: int
    currency: str
    amount: int = Field(description="What the user paid in total")
    fulfilment: str = Field(description="external: your system delivers it; internal: done")


class WalletEntryPosted(_Data):
    seq: int = Field(
        description="The entry's number in the user's ledger (GET /v1/me/wallet/ledger): "
        "one event per entry, its id derived from this number"
    )
    currency: str
    amount: int = Field(
        description="Signed: what the balance changed by (0: a credit at the balance cap)"
    )
    balance: int = Field(description="The balance after the entry (pending units included)")
    cause: str = Field(description="earn, redeem, adjust or expire")
    kind: str = Field(
        description="What earned or spent it: event, badge, quest, level, streak_milestone, "
        "league_promotion, several (credits of one commit folded), redeem, grant, debit, expired"
    )
    ref: str | None = Field(
        default=None,
        description="What it was for: the award key (an activity's dedupe key, "
        "badge_earned#<id>, quest_reward#<id>, streak_milestone#<n>, level#<n>, "
        "league_promotion#<week>; of a folded entry, the first), the redeem's idempotency key "
        "or expired#<currency>#<last day>; null for an admin's adjustment (it names the admin)",
    )
    credits: int = Field(
        default=1, description="Credits of one commit the entry stands for (kind several)"
    )
    spendable_from: date | None = Field(
        default=None,
        description="A held credit: the (UTC) day its units become spendable; null: at once",
    )


class WebhookTest(_Data):
    webhook_id: str = Field(description="The endpoint the test was sent to")


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    schema_version: int
    description: str
    data: type[_Data]


CATALOG: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec("xp.awarded", 1, "XP was added to a user's total (one per award).", XpAwarded),
        EventSpec(
            "level.changed", 1, "A commit raised the user's level (one per commit).", LevelChanged
        ),
        EventSpec("badge.earned", 1, "A badge was earned (once per user and badge).", BadgeEarned),
        EventSpec(
            "streak.extended",
            1,
            "The user's latest active day moved forward (once per user and day).",
            StreakExtended,
        ),
        EventSpec(
            "streak.milestone", 1, "A streak milestone was reached (once each).", StreakMilestone
        ),
        EventSpec(
            "streak.freeze_used",
            1,
            "A freeze covered a missed day (once per user and day).",
            StreakFreezeUsed,
        ),
        EventSpec(
            "streak.broken",
            1,
            "A streak was found broken, once per streak: by the next activity after a gap no"
            " freeze covered, or by the reminder job once the first missed day is over.",
            StreakBroken,
        ),
        EventSpec("quest.completed", 1, "A quest was completed (once each).", QuestCompleted),
        EventSpec(
            "friend.followed",
            1,
            "The user followed someone (once per follow), committed with the edge.",
            FriendFollowed,
        ),
        EventSpec(
            "friend_streak.started",
            1,
            "A friend streak was accepted: to each partner, committed with the acceptance.",
            FriendStreakStarted,
        ),
        EventSpec(
            "friend_streak.milestone",
            1,
            "A friend streak reached 7, 30, 100 or 365 days: to each partner, once each.",
            FriendStreakMilestone,
        ),
        EventSpec(
            "friend_streak.broken",
            1,
            "A friend streak broke (a whole pair day passed without both): to each partner, "
            "once per run.",
            FriendStreakBroken,
        ),
        EventSpec(
            "league.joined",
            1,
            "The user took a seat in a league cohort (their first XP of a week).",
            LeagueJoined,
        ),
        EventSpec(
            "league.closed",
            1,
            "A league week closed: the member's result (once per user and week).",
            LeagueClosed,
        ),
        EventSpec(
            "experiment.assigned",
            1,
            "The user was assigned to the control or treatment group (once per experiment).",
            ExperimentAssigned,
        ),
        EventSpec(
            "user.excluded",
            1,
            "An operator took the user off every board (once per exclusion).",
            UserExcluded,
        ),
        EventSpec(
            "user.flagged",
            1,
            "A cheating rule fired: the user is left out of league closes until an admin"
            " reviews the flag (once per flag).",
            UserFlagged,
        ),
        EventSpec(
            "user.flag_reviewed",
            1,
            "An admin cleared or confirmed the user's open flag (once per flag).",
            UserFlagReviewed,
        ),
        EventSpec(
            "user.erased",
            1,
            "The user's data is being erased: drop your copy (no personal data but the id).",
            UserErased,
        ),
        EventSpec(
            "reward.redeemed",
            1,
            "A shop item was bought with a currency (once per idempotency key): fulfil it.",
            RewardRedeemed,
        ),
        EventSpec(
            "wallet.entry_posted",
            1,
            "A wallet ledger entry was written: a currency earned, spent, adjusted by an admin"
            " or expired (once per entry, committed with it).",
            WalletEntryPosted,
        ),
        EventSpec(
            "webhook.test",
            1,
            "Sent to one endpoint by POST /v1/admin/webhooks/{id}/test (no user: user_id is '').",
            WebhookTest,
        ),
    )
}


class DomainEvent(BaseModel):
    """The envelope every event is sent in (EventBridge ``detail``, a webhook's body)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Stable: derived from the effect, identical on every delivery")
    type: str
    schema_version: int
    tenant: str = Field(description="The deployment's stage")
    user_id: str
    sequence: int = Field(
        description="Increases with each event of the user (gaps allowed): order per user"
    )
    occurred_at: AwareDatetime = Field(description="When the commit that made the effect ran")
    data: dict[str, Any]


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one event type: the envelope with its payload inlined."""
    spec = CATALOG[name]
    schema = DomainEvent.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://gamify.dev/events/{name}.v{spec.schema_version}.json"
    schema["title"] = name
    schema["description"] = spec.description
    props = schema["properties"]
    props["type"] = {"const": name, "title": "Type", "type": "string"}
    props["schema_version"] = {"const": spec.schema_version, "type": "integer"}
    data = spec.data.model_json_schema()
    data.pop("title", None)
    props["data"] = data
    schema.pop("$defs", None)
    if "$defs" in data:
        schema["$defs"] = data.pop("$defs")
    return schema


def schemas() -> dict[str, dict[str, Any]]:
    """Every type's schema, by name (what ``GET /v1/events/schema`` serves)."""
    return {name: json_schema(name) for name in sorted(CATALOG)}
