"""The HTTP bodies the API reads (requests) and the write routes answer: the public contract,
and the source of their OpenAPI schemas.

Requests reuse the domain's field types (event type names, object ids, badge criteria), so the
edge rejects exactly what the engine would, with pydantic naming the field. Every request model
forbids unknown fields: a body cannot smuggle in ``user_id``, ``xp`` or a multiplier.

The read side's answers (profiles, badge progress, quests, leaderboards, leagues, health) are
defined once, in ``services/read_models.py``: the query services build them and the routers
return them as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

from gamification.domain import instants, text
from gamification.domain.activity import UserId, within_id_bytes
from gamification.domain.attributes import Attributes
from gamification.domain.badges import MAX_LEVELS, Criterion, IconUrl, Level
from gamification.domain.catalog import EventTypeName, Reporter, load_event_catalog, may_report
from gamification.domain.instants import Instant
from gamification.domain.messages import LOCALE_PATTERN
from gamification.domain.quests import QuestCriterion
from gamification.domain.text import HumanText
from gamification.domain.timezones import NAME_PATTERN
from gamification.domain.xp import MAX_AWARD_XP
from gamification.services.read_models import Model, ReadModel

MAX_BATCH = 25
BadgeId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _no_hash(value: str) -> str:
    """``#`` separates the parts of a dedupe key (``type#object``)."""
    if "#" in value:
        raise ValueError("must not contain '#'")
    return value


ObjectIdText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        json_schema_extra={"pattern": f"^[^{text.ID_REFUSED_CLASS}#]+$"},
    ),
    AfterValidator(text.check_id),
    AfterValidator(_no_hash),
    AfterValidator(within_id_bytes),
]
"""The domain's ``ObjectId`` (no control, format or separator character, no ``#``) in a
pattern every client generator reads the same way (``\\s`` differs between regex engines);
checked in Python, so a refusal names the character instead of reciting the pattern."""
NotificationId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        json_schema_extra={"pattern": f"^[^{text.ID_REFUSED_CLASS}]+$"},
    ),
    AfterValidator(text.check_id),
]


def _human(max_length: int, what: str) -> Any:
    """A human-text field (``domain.text.human_text``): the pattern states the refused
    characters, the description the visible-character rule."""
    return Field(
        min_length=1,
        max_length=max_length,
        description=f"{what} At least one visible character; no control, format, separator "
        "(but the space) or invisible characters; trimmed.",
        json_schema_extra={"pattern": text.HUMAN_TEXT_PATTERN},
    )


def _reportable_by(reporter: Reporter) -> Callable[[dict[str, Any]], None]:
    """Publish the bundled catalog's types ``reporter`` may send as the field's enum, so a
    schema-driven client never sends a type the API refuses (a deployment that adds types
    regenerates the document with ``make openapi``)."""

    def publish(schema: dict[str, Any]) -> None:
        catalog = load_event_catalog()
        schema["enum"] = sorted(t.name for t in catalog.types if may_report(reporter, t))

    return publish


def _whole(value: object) -> object:
    """JSON Schema's integer includes ``325.0`` (a number with no fraction): take it as 325.
    Anything else goes on to the strict check (``"325"`` and ``325.5`` stay refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole)]


class _Request(Model):
    """Strict: a JSON number is not a string, ``0`` is not ``false``, unknown fields fail."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# -- activities ------------------------------------------------------------------------------


class ActivityIn(_Request):
    """An activity the signed-in user reports about themself."""

    type: EventTypeName = Field(
        description="A client-reportable event type, e.g. `post_read`.",
        json_schema_extra=_reportable_by(Reporter.CLIENT),
    )
    object_id: ObjectIdText = Field(description="What it was about (the post, the comment...).")
    occurred_at: Instant | None = Field(
        default=None,
        description="When it happened; defaults to now. May lie at most the back-dating window "
        f"(48 h by default) in the past, and not in the future. {instants.RULE}",
    )
    series_id: ObjectIdText | None = Field(
        default=None, description="The series a post belongs to."
    )
    attributes: Attributes = Field(
        default_factory=dict,
        description="Facts the event type declares in the catalog (at most 10: strings of at "
        'most 64 characters, integers, booleans), e.g. `{"category": "python"}`. An '
        "attribute the type does not declare, or a value it does not allow, is a 400 naming "
        "`body.attributes.<name>`.",
    )


class ServiceActivityIn(ActivityIn):
    """An activity a trusted service reports for any user (any non-system event type)."""

    type: EventTypeName = Field(
        description="Any non-system event type, e.g. `challenge_solved`.",
        json_schema_extra=_reportable_by(Reporter.SERVICE),
    )
    user_id: UserId


class ActivityBatchIn(_Request):
    activities: list[ActivityIn] = Field(min_length=1, max_length=MAX_BATCH)


class AcceptedOut(Model):
    key: str = Field(description="The activity's dedupe key: reporting it again earns nothing.")
    status: Literal["queued"] = "queued"
    occurred_at: datetime
    received_at: datetime


class ItemError(Model):
    code: str
    message: str
    field: str | None = None


class BatchItemOut(Model):
    index: int
    status: Literal["accepted", "rejected"]
    key: str
    error: ItemError | None = None


class BatchOut(Model):
    accepted: int
    rejected: int
    results: list[BatchItemOut]


# -- profiles ----------------------------------------------------------------------------------


def _no_default(schema: dict[str, Any]) -> None:
    """An omitted setting keeps its value: the document must not promise a default."""
    schema.pop("default", None)


class SettingsIn(_Request):
    """Only the fields you send change; send `display_name: null` to clear the name."""

    display_name: (
        Annotated[
            str,
            Field(
                min_length=1, max_length=64, json_schema_extra={"pattern": text.HUMAN_TEXT_PATTERN}
            ),
            AfterValidator(text.check_human_chars),
        ]
        | None
    ) = Field(
        default=None,
        description="Shown on leaderboards: at least one visible character; no control, "
        "format, separator (but the space) or invisible characters; surrounding spaces are "
        "trimmed.",
        json_schema_extra=_no_default,
    )
    timezone: Annotated[str, Field(min_length=1, max_length=64, pattern=NAME_PATTERN)] = Field(
        default="UTC",
        description="An IANA timezone, e.g. `Europe/Paris` (an unknown one is a 400).",
        json_schema_extra=_no_default,
    )
    push_enabled: bool = Field(default=False, json_schema_extra=_no_default)
    leaderboard_visible: bool = Field(
        default=True,
        description="False takes you off every public board (within a minute); true puts you back.",
        json_schema_extra=_no_default,
    )
    locale: Annotated[str, Field(max_length=6, pattern=LOCALE_PATTERN)] = Field(
        default="en",
        description="The language of your notifications from now on (`en`, `de`, or one the "
        "deployment added; an unknown one is a 400). Earlier notifications keep theirs.",
        json_schema_extra=_no_default,
    )
    friend_passed_notices: bool = Field(
        default=True,
        description='False: no "NAME passed you on the weekly board" notifications.',
        json_schema_extra=_no_default,
    )


# -- badges ------------------------------------------------------------------------------------


class BadgeIn(_Request):
    name: HumanText = _human(80, "Shown on profiles and in the unlock notification.")
    description: HumanText = _human(280, "Shown with the badge.")
    icon: IconUrl = Field(description="`https://...` or a path relative to the page.")
    criteria: Criterion
    levels: list[Level] | None = Field(
        default=None,
        min_length=2,
        max_length=MAX_LEVELS,
        description="A tiered badge: levels by rising target, the first one the criterion's "
        "(e.g. Bronze 10 / Silver 50 / Gold 250); each is earned and notified once.",
    )
    notify_backfill: bool = Field(
        default=True,
        description="`false`: awarding it to users who already qualify when it is saved sends "
        "no notification (no flood when a badge is switched on); later earners are notified.",
    )


class BadgeOut(ReadModel):
    id: str
    name: str
    description: str
    icon: str
    criteria: Criterion
    levels: list[Level] | None = Field(default=None, exclude_if=lambda v: v is None)
    notify_backfill: bool = Field(default=True, exclude_if=bool)


class LevelRarityOut(Model):
    name: str
    share: float = Field(ge=0, le=1, description="Share of players holding this level.")
    holders: int


class RarityOut(Model):
    """How rare a badge is (docs/rules.md, "Rarity"): of the players counted, those holding it."""

    share: float = Field(ge=0, le=1, description="Share of players holding it (0.25 = 25 %).")
    holders: int
    levels: list[LevelRarityOut] | None = Field(default=None, exclude_if=lambda v: v is None)


class RatedBadgeOut(BadgeOut):
    """A catalog badge with its rarity (absent until the first daily count finished)."""

    rarity: RarityOut | None = Field(default=None, exclude_if=lambda v: v is None)


class BadgeCatalogOut(Model):
    badges: list[RatedBadgeOut]
    rarity_computed_at: datetime | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="When the rarity shown was counted (daily, by the `rarity` job).",
    )
    players: int | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Players the rarity was counted over (everyone with XP).",
    )


# -- quests ------------------------------------------------------------------------------------

QuestId = BadgeId


class QuestIn(_Request):
    """A goal inside a window of two absolute instants (the same for every user, whatever
    their timezone): activities count by when they occurred, ``starts_at <= t < ends_at``."""

    name: HumanText = _human(80, "Shown in the quest list and the completion notification.")
    description: HumanText = _human(280, "Shown with the quest.")
    starts_at: Instant = Field(description=f"Start of the window (inclusive). {instants.RULE}")
    ends_at: Instant = Field(
        description=f"End of the window (exclusive), after starts_at. {instants.RULE}"
    )
    criteria: QuestCriterion = Field(
        description="A counting criterion of the badge language: posts_read, series_complete, "
        "event_count or xp_total (activity XP, bonuses excluded), counted inside the window."
    )
    reward_xp: WholeNumber = Field(
        ge=0, le=MAX_AWARD_XP, description="Bonus XP (all-time, not weekly)."
    )
    reward_badge: BadgeId | None = Field(default=None, description="A badge awarded with it.")
    mode: Literal["solo", "pair", "team"] = Field(
        default="solo",
        description="`pair`: a friend quest: two mutual friends pair up "
        "(`PUT /v1/me/quests/{quest_id}/partner/{user_id}`), both counts add up to the target, "
        "and completion pays both once (docs/friends.md#friend-quests). `team`: each team's "
        "members' counts add up to the target (`GET /v1/teams/{team_id}/quests`), and "
        "completion pays per `pay`, each user once (docs/teams.md#team-quests).",
    )
    pay: Literal["contributors", "members"] | None = Field(
        default=None,
        description="Team quests only (default `contributors`): who a team's completion pays, "
        "the members who counted (also those who left since), or besides them every member.",
    )


# -- notifications ---------------------------------------------------------------------------


class NotificationOut(ReadModel):
    id: str
    kind: str
    title: str
    message: str
    created_at: datetime
    read: bool


class NotificationPageOut(Model):
    notifications: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class MarkSomeReadIn(_Request):
    """Mark these notifications read (ids not in your feed are reported back as unknown)."""

    ids: list[NotificationId] = Field(min_length=1, max_length=100)


def _json_true(value: object) -> object:
    """``Literal[True]`` lets ``1`` through (``1 == True``); JSON ``true`` only."""
    if value is not True:
        raise ValueError("must be true")
    return value


class MarkAllReadIn(_Request):
    """Mark every notification in your feed read."""

    all: Annotated[Literal[True], BeforeValidator(_json_true)]


def _which_mark(body: Any) -> str:
    """A body with ``all`` and no ``ids`` means every notification; any other is a list of
    ids: a refusal explains the one shape the caller meant, not both shapes at once."""
    wants_all = isinstance(body, dict) and "all" in body and "ids" not in body
    return "MarkAllReadIn" if wants_all else "MarkSomeReadIn"


MarkReadIn = Annotated[
    Annotated[MarkSomeReadIn, Tag("MarkSomeReadIn")]
    | Annotated[MarkAllReadIn, Tag("MarkAllReadIn")],
    Discriminator(_which_mark),
]


class MarkReadOut(ReadModel):
    marked: list[str]
    unknown: list[str] = Field(description="Ids not found in your feed.")


# -- account lifecycle: erasure, export, exclusion --------------------------------------------


class ErasureOut(ReadModel):
    user_id: str
    status: str = Field(description="`erasing`: the data is being deleted in the background.")
    requested_at: datetime = Field(
        description="Activities received before this moment are discarded, never applied."
    )


class ExclusionIn(_Request):
    excluded: bool = Field(description="True takes the user off every board; false lifts it.")
    reason: (
        Annotated[
            HumanText,
            Field(
                min_length=1,
                max_length=280,
                json_schema_extra={"pattern": text.HUMAN_TEXT_PATTERN},
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="Why (required when excluding); stored with the profile and exported. At "
        "least one visible character; no control, format, separator (but the space) or "
        "invisible characters.",
    )


class ExportEdge(ReadModel):
    user_id: str = Field(description="The other user of the edge.")
    since: datetime = Field(description="When the follow or block was made.")


class ExportStreakLink(ReadModel):
    user_id: str = Field(description="The partner (or the invited or inviting friend).")
    status: str = Field(description="`invited` (you asked), `invited_me` or `active`.")
    since: datetime = Field(description="When the link was last written.")
    started_on: date | None = Field(description="The pair day the streak counts from.")


class ExportGraph(ReadModel):
    """The user's own edges (docs/friends.md#erasure-and-export): each list ≤ 1,000."""

    following: list[ExportEdge] = Field(description="Whom you follow (≤ 1,000).")
    blocked: list[ExportEdge] = Field(description="Whom you block (≤ 1,000).")
    friend_streaks: list[ExportStreakLink] = Field(
        description="Your friend streaks and invitations (≤ your mutual friends)."
    )


class ExportOut(ReadModel):
    format: str = Field(description="`gamify-export/1`.")
    user_id: str
    exported_at: datetime
    profile: dict[str, Any] | None = Field(
        default=None,
        description="First page only: settings, XP, level, counters, streak runs, weekly XP, "
        "earned badges, leaderboard listing and exclusion (with its reason); null when no "
        "profile is stored.",
    )
    write_budget: list[dict[str, Any]] | None = Field(
        default=None, description="First page only: the per-minute write counters."
    )
    records: list[dict[str, Any]] = Field(
        description="Stored items, each with a `kind`: `activity` (a dedupe marker: what you "
        "did, once per object), `notification`, `cap_day`, `streak_reminder_sent`."
    )
    teams: list[dict[str, Any]] | None = Field(
        default=None,
        description="First page only: your team memberships (`team_id`, `joined_at`, "
        "`added_by_admin`).",
    )
    graph: ExportGraph | None = Field(
        default=None,
        description="First page only: your own follows, blocks and friend streaks. Your "
        "followers are other users' follows of you (unbounded): `GET /v1/me/followers` pages "
        "them.",
    )
    next_cursor: str | None = Field(description="Pass back as `cursor`; null on the last page.")


# -- the wallet (docs/wallet.md) ------------------------------------------------------------------

ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
CurrencyId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]


class RedeemIn(_Request):
    item_id: ItemId
    quantity: WholeNumber = Field(default=1, ge=1, le=100)
    idempotency_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{8,64}$")] = Field(
        description="Your id for this purchase (8-64 of `A-Z a-z 0-9 _ . : -`): repeating the "
        "request with it returns the first answer and never debits twice."
    )


class PriceIn(_Request):
    currency: CurrencyId
    amount: WholeNumber = Field(ge=1, le=1_000_000_000)


class ShopItemIn(_Request):
    name: HumanText = _human(64, "Shown in the shop and the ledger.")
    description: Annotated[str, Field(max_length=280)] = ""
    price: PriceIn
    stock: Annotated[int, Interval(ge=0, le=10_000_000), BeforeValidator(_whole)] | None = Field(
        default=None,
        description="Units ever offered, for everyone together; null: unlimited. "
        "It can only grow (units on sale stay on sale).",
    )
    per_user_limit: Annotated[int, Interval(ge=1, le=10_000), BeforeValidator(_whole)] | None = None
    available_from: Instant | None = None
    available_until: Instant | None = None
    fulfilment: Literal["internal", "external"] = Field(
        default="external",
        description="internal: the engine delivers it (`grants`); external: your system does, on "
        "the `reward.redeemed` event.",
    )
    grants: Literal["streak_freeze"] | None = Field(
        default=None, description="What an internal item gives."
    )


class AdjustIn(_Request):
    currency: CurrencyId
    amount: WholeNumber = Field(
        ge=-1_000_000,
        le=1_000_000,
        description="Positive: a grant or refund to the user; negative: a correction; not 0.",
    )
    reason: HumanText = _human(200, "Why: stored in the user's ledger.")
    allow_negative: bool = Field(
        default=False,
        description="Let a negative amount take the balance below zero (else it is refused).",
    )


class AdjustOut(ReadModel):
    seq: int
    currency: str
    amount: int
    balance: int


ExpiryDays = Annotated[int, Interval(ge=1, le=3650), BeforeValidator(_whole)]
HoldDays = Annotated[int, Interval(ge=1, le=365), BeforeValidator(_whole)]


class CurrencyIn(_Request):
    id: CurrencyId
    name: HumanText = _human(64, "Shown with balances.")
    balance_cap: WholeNumber = Field(default=1_000_000, ge=1, le=1_000_000_000)
    expires_after_days: ExpiryDays | None = Field(
        default=None,
        description="Units stay spendable through the (UTC) day this many days after their "
        "credit (after their release, when held), rounded up to the lot width; absent: never "
        "expire (docs/wallet.md).",
    )
    hold_days: HoldDays | None = Field(
        default=None,
        description="Earned units are pending (in the balance and the ledger, not spendable) "
        "until the (UTC) day this many days after their credit, rounded up to the lot width; "
        "an admin's grant is not held. Applies to credits from then on; absent: spendable at "
        "once (docs/wallet.md).",
    )


class EarningRuleIn(_Request):
    on: Literal["event", "badge", "quest", "level", "streak_milestone", "league_promotion"]
    match: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None,
        description='The event type, badge id, quest id, level (`"5"`) or league tier name; '
        "absent: any.",
    )
    currency: CurrencyId
    amount: WholeNumber = Field(ge=1, le=1_000_000)


class WalletRulesIn(_Request):
    currencies: list[CurrencyIn] = Field(
        min_length=1, max_length=8, description="Added or renamed, never removed."
    )
    earning: list[EarningRuleIn] = Field(default_factory=list, max_length=200)
