"""Key formats of the single table (see docs/data-model.md). Every adapter builds keys here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zlib import crc32

# The setting's default, re-exported for the adapters that take a shard count.
from gamification.config import DEFAULT_REMINDER_SHARDS as DEFAULT_REMINDER_SHARDS  # noqa: PLC0414

# The two sort keys the stream mappings filter on are part of the resource spec.
from gamification.resources import NOTIFICATION_PREFIX as NOTIFICATION_PREFIX  # noqa: PLC0414
from gamification.resources import PROFILE_SK as PROFILE_SK  # noqa: PLC0414

CATALOG_PK = "CATALOG"
BADGE_PREFIX = "BADGE#"
QUEST_PREFIX = "QUEST#"
BUDGET_PREFIX = "RATE#"
DAY_PREFIX = "DAY#"
PLAYER_SHARDS = 32
"""GSI2 partitions the player list over this many keys: every XP change rewrites the player's
index entry, so 10,000 activities/s put ≈ 310 writes/s on each key (DynamoDB: ≤ 1,000 a key).

Migration rule: the count only grows, and only to a multiple of what it was (8 -> 32). Readers
read ``range(PLAYER_SHARDS)``, which covers every key an item written under an older count can
still have; an item moves to its new key at its next write, and only ever to a higher shard
(``crc % 32 ≡ crc % 8 (mod 8)``), so a walk in shard order may see a moving player twice (the
readers keep one) but never misses one."""


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def user_id_from_pk(pk: str) -> str:
    return pk.removeprefix("USER#")


def seen_sk(dedupe_key: str) -> str:
    return f"SEEN#{dedupe_key}"


def day_sk(day: str) -> str:
    """A user's daily-cap slots of one local day (``day`` in ISO form, ``2026-11-28``)."""
    return f"{DAY_PREFIX}{day}"


def badge_sk(badge_id: str) -> str:
    return f"{BADGE_PREFIX}{badge_id}"


def is_badge_sk(sk: str) -> bool:
    return sk.startswith(BADGE_PREFIX)


def quest_sk(quest_id: str) -> str:
    return f"{QUEST_PREFIX}{quest_id}"


def is_quest_sk(sk: str) -> bool:
    return sk.startswith(QUEST_PREFIX)


def notification_sk(created_at: datetime, notification_id: str) -> str:
    """Sorts by creation time, so a descending query is the feed, newest first."""
    moment = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return f"{NOTIFICATION_PREFIX}{moment}#{notification_id}"


REMINDER_PROGRESS_PREFIX = "REMINDHOUR#"
REMINDER_PROGRESS_SK = "PROGRESS"


def reminder_hour(due: datetime) -> str:
    """The UTC hour of ``due`` as the reminder keys spell it (``2026-11-26T18``)."""
    return due.astimezone(UTC).strftime("%Y-%m-%dT%H")


DEFAULT_REMINDER_PERIOD_DAYS = 7
"""Days one GSI1 key covers. A key naming the due *day* moved every day a streak grew (a delete
and a put in the index, 2 write units a user a day); a key naming the due hour of day within a
7-day period moves once a week, and the worker filters the period's other days out."""
_PERIOD_EPOCH = date(2024, 1, 1)


def reminder_pk(due: datetime, shard: int, period_days: int = 1) -> str:
    """GSI1 partition: when a user's streak reminder falls due, and the user's shard of it
    (``reminder_shard``), so a busy hour's writes spread over several keys.

    ``period_days`` 1: the UTC hour (``REMIND#2026-11-26T18#3``, the key before issue #26, read
    as the migration's legacy partition). More: the UTC hour of day and the period of
    ``period_days`` days holding the due day (``REMIND#2026-11-23+7d@18#3``), so the key stays
    put while a user extends the streak day after day within the period."""
    if period_days <= 1:
        return f"REMIND#{reminder_hour(due)}#{shard}"
    utc = due.astimezone(UTC)
    day = utc.date()
    start = day - timedelta(days=(day - _PERIOD_EPOCH).days % period_days)
    return f"REMIND#{start.isoformat()}+{period_days}d@{utc:%H}#{shard}"


def reminder_shard(user_id: str, shards: int) -> int:
    return crc32(user_id.encode()) % shards


def reminder_progress_pk(hour: datetime) -> str:
    """Which shards of one due hour the reminder fan-out has finished (one small item)."""
    return f"{REMINDER_PROGRESS_PREFIX}{reminder_hour(hour)}"


def players_pk(shard: int) -> str:
    return f"PLAYERS#{shard}"


def player_shard(user_id: str, shards: int = PLAYER_SHARDS) -> int:
    """The GSI2 shard of a player (``shards``: a count of the past, for tests of the migration)."""
    return crc32(user_id.encode()) % shards


def snapshot_pk(board: str) -> str:
    return f"LEADERBOARD#{board}"


def is_notification_sk(sk: str) -> bool:
    return sk.startswith(NOTIFICATION_PREFIX)


def reminded_sk(day: date) -> str:
    """Guard item: a streak reminder was sent for the user's local ``day`` (at most one a day)."""
    return f"REMINDED#{day.isoformat()}"


FRIEND_NOTICE_PREFIX = "FNOTICE#"


def friend_notice_sk(kind: str, day: date, partner: str) -> str:
    """Guard item in the recipient's partition: a friend streak notice of ``kind`` about
    ``partner`` for ``day`` was sent (``domain.friend_streak_notices``; expires by TTL)."""
    return f"{FRIEND_NOTICE_PREFIX}{kind}#{day.isoformat()}#{partner}"


def backfill_pk(badge_id: str) -> str:
    """Checkpoint of the badge backfill job for one badge."""
    return f"BACKFILL#{badge_id}"


def budget_pk(user_id: str) -> str:
    """A user's write-request budget (``adapters.request_budget``)."""
    return f"{BUDGET_PREFIX}{user_id}"


def budget_sk(window_start: int) -> str:
    """One counter per fixed window, named by its start (Unix seconds)."""
    return f"W#{window_start}"


SEATS_SK = "SEATS"
SEATS_PREFIX = "SEATS#"
COHORT_PREFIX = "COHORT#"
LEAGUE_CLOSE_PREFIX = "LEAGUECLOSE#"
COHORT_MEMBER_PREFIX = "USER#"


def seats_pk(week: str, tier: int, shard: int) -> str:
    """The seat counter of one tier and week (and seat shard: the week's seat plan spreads a
    busy tier's joins over several partition keys)."""
    return f"{SEATS_PREFIX}{week}#{tier}#{shard}"


SEAT_PLAN_SK = "PLAN"


def seat_plan_pk(week: str) -> str:
    """A week's seat plan: the seat shard count of each tier, fixed before the week starts."""
    return f"{SEATS_PREFIX}{week}"


def cohort_pk(week: str, tier: int, cohort: int) -> str:
    """A cohort's member list: one item per member, queried whole (≤ cohort size)."""
    return f"{COHORT_PREFIX}{week}#{tier}#{cohort}"


def cohort_member_sk(user_id: str) -> str:
    return f"{COHORT_MEMBER_PREFIX}{user_id}"


def league_close_pk(week: str) -> str:
    """Checkpoints of the league close job for one week (one item per job shard)."""
    return f"{LEAGUE_CLOSE_PREFIX}{week}"


def league_close_sk(shard: int, shards: int) -> str:
    return f"SHARD#{shard}of{shards}"


def seat_shard(user_id: str, shards: int) -> int:
    return crc32(user_id.encode()) % shards


ERASURE_PREFIX = "ERASURE#"


def erasure_pk(user_id: str) -> str:
    """Progress of one user's erasure (``services.erasure``), kept apart from ``USER#`` so the
    walk that empties the user's partition never deletes its own checkpoint."""
    return f"{ERASURE_PREFIX}{user_id}"


WEBHOOKS_PK = "WEBHOOKS"
"""The webhook endpoints: one partition, read whole (a handful of items) by the sender."""
WEBHOOK_PREFIX = "WEBHOOK#"
WEBHOOK_LOG_PREFIX = "WEBHOOKLOG#"


def webhook_sk(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def webhook_log_pk(webhook_id: str) -> str:
    """One endpoint's deliveries log (attempts, expiring after a week)."""
    return f"{WEBHOOK_LOG_PREFIX}{webhook_id}"


def parked_sk(event_id: str) -> str:
    """A delivery that ended ``failed`` or ``refused``, kept (with its body) for a retry."""
    return f"PARKED#{event_id}"


def attempt_sk(at: datetime, delivery_id: str, attempt: int) -> str:
    """Sorted by time, so the log reads newest first with one Query."""
    return f"ATTEMPT#{at.astimezone(UTC).isoformat()}#{delivery_id}#{attempt}"


WEBHOOK_USER_PREFIX = "WEBHOOKOF#"
PARKED_INDEX_PREFIX = "PARKED#"
PENDING_PREFIX = "PENDING#"


def webhook_user_pk(user_id: str) -> str:
    """One user's webhook bookkeeping (issue #28): the index of their parked deliveries and
    their deliveries' place in line per endpoint; a key family of the erasure walk."""
    return f"{WEBHOOK_USER_PREFIX}{user_id}"


def parked_index_sk(webhook_id: str, event_id: str) -> str:
    """Points at ``webhook_log_pk(webhook_id)`` / ``parked_sk(event_id)`` (the body)."""
    return f"{PARKED_INDEX_PREFIX}{webhook_id}#{event_id}"


def pending_prefix(webhook_id: str) -> str:
    return f"{PENDING_PREFIX}{webhook_id}#"


def pending_sk(webhook_id: str, sequence: int, event_id: str) -> str:
    """A delivery of the user's to the endpoint not yet delivered or parked, sorted by the
    event's sequence (zero-padded), so the line's head is the first of a Query."""
    return f"{pending_prefix(webhook_id)}{sequence:020d}#{event_id}"


# -- the follow graph (issue #29): one partition per user, an item per edge and its reverse ----

GRAPH_PREFIX = "GRAPH#"
FOLLOWING_PREFIX = "OUT#"
FOLLOWER_PREFIX = "IN#"
BLOCK_PREFIX = "BLOCK#"
GRAPH_COUNTS_SK = "COUNTS"
FRIEND_STREAK_PREFIX = "FSTREAK#"
PAIR_QUEST_PREFIX = "PQUEST#"
"""A friend quest's pairing, one per user and quest (``adapters.pair_quest_links``)."""


def graph_pk(user_id: str) -> str:
    """A user's edges, apart from ``USER#`` so a celebrity's million follower items never share
    a partition (or a Query) with their profile and activity."""
    return f"{GRAPH_PREFIX}{user_id}"


def following_sk(user_id: str) -> str:
    """In the follower's partition: they follow ``user_id``."""
    return f"{FOLLOWING_PREFIX}{user_id}"


def follower_sk(user_id: str) -> str:
    """In the followed user's partition: ``user_id`` follows them (the edge's reverse)."""
    return f"{FOLLOWER_PREFIX}{user_id}"


def block_sk(user_id: str) -> str:
    """In both users' partitions: a block between them (``mine`` / ``theirs`` say who)."""
    return f"{BLOCK_PREFIX}{user_id}"


def friend_streak_sk(user_id: str) -> str:
    """In both users' partitions: a friend streak with ``user_id`` (invited, or active)."""
    return f"{FRIEND_STREAK_PREFIX}{user_id}"


# -- teams (issue #30; adapters.team_repository) ---------------------------------------------------
TEAM_PREFIX = "TEAM#"
TEAM_DIRECTORY_PK = "TEAMS"
MEMBERSHIP_PREFIX = "MEMBERSHIP#"


def team_pk(team_id: str) -> str:
    return f"{TEAM_PREFIX}{team_id}"


def membership_pk(user_id: str) -> str:
    """A user's team memberships and their count: a partition of its own, so the functions
    that join and leave may delete there and nowhere in ``USER#``."""
    return f"{MEMBERSHIP_PREFIX}{user_id}"


TEAM_MEMBERS_PREFIX = "TEAMMEMBERS#"
"""GSI1 key of a team's membership items (``pay: "members"`` lists a team's members)."""


def team_members_gsi_pk(team_id: str) -> str:
    return f"{TEAM_MEMBERS_PREFIX}{team_id}"


TEAM_QUEST_PREFIX = "TQUEST#"
TEAM_QUEST_SHARDS = 16
"""A team quest's contributions and progress are spread over this many partitions by user, so
a team of 100,000 members active at once puts ≈ 1/16 of its writes on each (docs/teams.md)."""


def team_quest_pk(team_id: str, quest_id: str, shard: int | None = None) -> str:
    """``TQUEST#<team>#<quest>`` (the state: reached, settled) or ``...#<shard>`` (the
    contributions of the users of one shard and their sum). Team and quest ids hold no ``#``."""
    base = f"{TEAM_QUEST_PREFIX}{team_id}#{quest_id}"
    return base if shard is None else f"{base}#{shard}"


TEAM_QUEST_PAYOUTS = "TQPAYOUTS"
"""GSI1 key of the team quests' open payouts (a ``TQUEST#`` state item reached and not settled
yet; sort key ``<team>#<quest>``): what the consumer's sweep goes on with (docs/teams.md)."""


def team_quest_shard(user_id: str) -> int:
    return crc32(user_id.encode()) % TEAM_QUEST_SHARDS


# -- the wallet (docs/wallet.md) ------------------------------------------------------------------

WALLET_RULES_SK = "WALLET"
"""The currencies and earning rules as an admin saved them (``CATALOG`` partition)."""
LEDGER_PREFIX = "LEDGER#"
RECEIPT_PREFIX = "REDEEM#"
BOUGHT_PREFIX = "BOUGHT#"
SHOP_PK = "SHOP"
SHOP_ITEM_PREFIX = "ITEM#"


def ledger_sk(seq: int) -> str:
    """A user's ledger entry ``seq``: zero-padded, so the sort key orders the ledger."""
    return f"{LEDGER_PREFIX}{seq:012d}"


def receipt_sk(idempotency_key: str) -> str:
    return f"{RECEIPT_PREFIX}{idempotency_key}"


def bought_sk(item_id: str) -> str:
    """How many of ``item_id`` the user bought (only for items with a per-user limit)."""
    return f"{BOUGHT_PREFIX}{item_id}"


def shop_item_sk(item_id: str) -> str:
    return f"{SHOP_ITEM_PREFIX}{item_id}"


def stock_pk(item_id: str) -> str:
    """An item's global stock, split over shard items (``stock_sk``) read with one query."""
    return f"STOCK#{item_id}"


def stock_sk(shard: int) -> str:
    """One shard of a stock: buyers drawing from different shards never touch the same item,
    so they do not conflict (a transaction conflict is per item)."""
    return f"SHARD#{shard:02d}"


# -- cheating flags (issue #33, docs/analytics.md) ------------------------------------------------

FLAGS_PK = "FLAGS"
"""The open flags, one item per flagged user: what ``GET /v1/admin/flags`` pages through.
Flags are rare (a rule fires once per flag, an admin closes it), so one partition holds them."""
FLAG_PREFIX = "USER#"


def flag_sk(user_id: str) -> str:
    return f"{FLAG_PREFIX}{user_id}"


RARITY_PK = "RARITY"
"""Badge rarity (docs/rules.md, "Rarity"): one item, the published count and the walk in
progress (``adapters.rarity_store``)."""
RARITY_SK = "RARITY"
