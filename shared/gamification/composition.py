"""Composition root: builds each adapter and service once per Lambda container.

Handlers call these factories; tests build the same objects directly with their own clients.
Add a factory here for a new service rather than wiring adapters inside a handler.

Every factory imports what it builds when it is first called, not when this module is imported:
a function loads only the adapters and services it uses (the consumer never loads redis, the
API functions never load the jobs), which is most of a cold start. The imports under
``TYPE_CHECKING`` are for the annotations only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3

from gamification.config import settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

    from gamification.adapters.activity_queue import ActivityQueue
    from gamification.adapters.badge_repository import BadgeRepository
    from gamification.adapters.follow_graph import FollowGraph
    from gamification.adapters.job_launcher import JobLauncher
    from gamification.adapters.kms_signer import KmsSigner
    from gamification.adapters.leaderboard import Leaderboard
    from gamification.adapters.league_repository import LeagueRepository
    from gamification.adapters.notification_repository import NotificationRepository
    from gamification.adapters.player_directory import PlayerDirectory
    from gamification.adapters.rarity_store import RarityStore
    from gamification.adapters.reminder_progress import ReminderProgress
    from gamification.adapters.reminder_queue import ReminderQueue
    from gamification.adapters.request_budget import RequestBudget
    from gamification.adapters.snapshot_repository import SnapshotRepository
    from gamification.adapters.team_boards import TeamBoards
    from gamification.adapters.team_repository import TeamRepository
    from gamification.adapters.user_repository import UserRepository
    from gamification.adapters.wallet_store import WalletStore
    from gamification.adapters.webhook_lines import WebhookLines
    from gamification.adapters.webhook_queue import WebhookQueue
    from gamification.adapters.webhook_repository import WebhookRepository
    from gamification.domain.game_rules import GameRules
    from gamification.domain.policy import Policy
    from gamification.services.account import AccountService
    from gamification.services.admin import BadgeAdmin, QuestAdmin
    from gamification.services.backfill import BadgeBackfill
    from gamification.services.consumer import QueueConsumer
    from gamification.services.credentials import CredentialService, IssuerKeys
    from gamification.services.dry_run import BadgeDryRun, QuestDryRun
    from gamification.services.erasure import Eraser, ErasureRequests
    from gamification.services.event_publisher import EventPublisher
    from gamification.services.exclusion import ExclusionService
    from gamification.services.export import UserExport
    from gamification.services.flags import FlagReviews
    from gamification.services.follows import FollowService
    from gamification.services.friend_board import FriendBoardQueries
    from gamification.services.friend_passed import FriendPassedNotices
    from gamification.services.friend_streaks import FriendStreakService
    from gamification.services.game_rules_cache import GameRulesCache
    from gamification.services.history_lake import HistoryLake
    from gamification.services.ingest import IngestService
    from gamification.services.jobs import Continuation, JobRunner
    from gamification.services.lake_backfill import LakeBackfill
    from gamification.services.league_close import LeagueClose, LeagueCloseJob
    from gamification.services.league_queries import LeagueQueries
    from gamification.services.outbox import OutboxDispatcher
    from gamification.services.pair_quests import PairQuests
    from gamification.services.projector import LeaderboardProjector
    from gamification.services.queries import (
        FeedQueries,
        LeaderboardQueries,
        ProfileQueries,
    )
    from gamification.services.rarity import RarityJob, RarityReader
    from gamification.services.reconciliation import LeaderboardReconciler
    from gamification.services.reminders import ReminderFanOut, StreakReminders
    from gamification.services.team_projection import TeamProjector
    from gamification.services.team_quests import TeamQuests
    from gamification.services.team_reconciliation import TeamBoardReconciler
    from gamification.services.teams import TeamQueries, TeamService
    from gamification.services.wallet import WalletService
    from gamification.services.webhooks import (
        SecretSealer,
        WebhookAdmin,
        WebhookFanOut,
        WebhookSender,
    )


@dataclass
class StackClock:
    """How far the product's clock runs ahead of the real one. Only the local stack moves it
    (``POST /local/clock/advance``: a test clock, as Stripe's, so days can pass in a test of
    the whole stack); nothing on AWS does, where it stays at zero."""

    ahead: timedelta = timedelta(0)


STACK_CLOCK = StackClock()


def utc_now() -> datetime:
    return datetime.now(UTC) + STACK_CLOCK.ahead


# -- AWS clients: one per service and container, made on first use ---------------------------


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@lru_cache(maxsize=1)
def sqs() -> SQSClient:
    return boto3.client("sqs")


@lru_cache(maxsize=1)
def sns() -> SNSClient:
    return boto3.client("sns")


@lru_cache(maxsize=1)
def lambda_client() -> LambdaClient:
    return boto3.client("lambda")


# -- the write path: repositories, rules, the consumer and the projector ----------------------


@lru_cache(maxsize=2)
def user_repository(fast_path: bool = False) -> UserRepository:
    """``fast_path``: the consumer's (commits profile + markers without a transaction, which
    only its IAM policy allows); every other writer keeps transactions."""
    from gamification.adapters.user_repository import UserRepository
    from gamification.resources import QUEUE

    config = settings()
    return UserRepository(
        dynamodb(),
        config.table_name,
        reminder_lead=config.reminder_lead,
        notification_ttl=config.notification_ttl,
        day_retention=config.max_backdate + timedelta(seconds=QUEUE.retention_seconds),
        freezes=policy().freezes,
        reminder_shards=config.reminder_shards,
        fast_path=fast_path,
    )


@lru_cache(maxsize=1)
def league_repository() -> LeagueRepository:
    from gamification.adapters.league_repository import LeagueRepository

    config = settings()
    return LeagueRepository(
        dynamodb(),
        config.table_name,
        cohort_size=rules().leagues.cohort_size,
        seat_shards=config.league_seat_shards,
    )


@lru_cache(maxsize=1)
def badge_repository() -> BadgeRepository:
    from gamification.adapters.badge_repository import BadgeRepository

    return BadgeRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def leaderboard() -> Leaderboard:
    from gamification.adapters.leaderboard import Leaderboard
    from gamification.adapters.redis_client import shared_client

    return Leaderboard(shared_client())


def leaderboard_if_configured() -> Leaderboard | None:
    """The leaderboard where the environment names a Redis (``REDIS_URL``), else none: on AWS
    the backfill has none (it runs outside the VPC) and the projector raises its scores."""
    return leaderboard() if settings().redis_configured else None


@lru_cache(maxsize=1)
def policy() -> Policy:
    from gamification.domain.experiments import ControlGroup
    from gamification.domain.policy import Policy

    config = settings()
    control = ControlGroup(share=config.control_share, salt=config.control_salt)
    return Policy(max_backdate=config.max_backdate, control=control)


@lru_cache(maxsize=1)
def rules() -> GameRulesCache:
    from gamification.services.game_rules_cache import GameRulesCache

    return GameRulesCache(
        load_catalog=badge_repository().load_rules,
        policy=policy(),
        load_wallet=wallet_store().rules,
    )


@lru_cache(maxsize=1)
def queue_consumer() -> QueueConsumer:
    from gamification.adapters.dead_letters import DeadLetterQueue
    from gamification.services.applier import ActivityApplier
    from gamification.services.consumer import AfterApplies, QueueConsumer

    applier = ActivityApplier(
        user_repository(fast_path=True), rules(), utc_now, seats=league_repository()
    )
    return QueueConsumer(
        applier,
        DeadLetterQueue(sqs(), settings().dlq_url),
        rules(),
        after_apply=AfterApplies(pair_quests(), team_quests()),
    )


@lru_cache(maxsize=1)
def pair_quests() -> PairQuests:
    from gamification.adapters.pair_quest_links import PairQuestLinks
    from gamification.services.pair_quests import PairQuests

    return PairQuests(
        follow_graph(),
        PairQuestLinks(dynamodb(), settings().table_name),
        user_repository(),
        rules(),
        utc_now,
    )


@lru_cache(maxsize=1)
def team_quests() -> TeamQuests:
    from gamification.adapters.team_quest_progress import TeamQuestTable
    from gamification.services.team_quests import TeamQuests

    return TeamQuests(
        rules(),
        TeamQuestTable(dynamodb(), settings().table_name),
        team_repository(),
        user_repository(),
        utc_now,
    )


@lru_cache(maxsize=1)
def leaderboard_projector() -> LeaderboardProjector:
    from gamification.adapters.player_directory import profile_score
    from gamification.services.projector import LeaderboardProjector

    return LeaderboardProjector(
        leaderboard(), utc_now, profile_score, before_publish=friend_passed_notices()
    )


@lru_cache(maxsize=1)
def friend_passed_notices() -> FriendPassedNotices:
    from gamification.adapters.friend_notice_ledger import FriendNoticeLedger
    from gamification.adapters.friend_scores import FriendScores
    from gamification.adapters.redis_client import shared_client
    from gamification.services.friend_passed import FriendPassedNotices

    return FriendPassedNotices(
        follow_graph(),
        FriendScores(shared_client()),
        user_repository(),
        FriendNoticeLedger(dynamodb(), settings().table_name, settings().notification_ttl),
    )


def reset() -> None:
    """Forget every cached client and service (tests and the local stack re-point them), and
    put the clock back to real time."""
    STACK_CLOCK.ahead = timedelta(0)
    settings.cache_clear()
    redis_client = sys.modules.get("gamification.adapters.redis_client")
    if redis_client is not None:
        redis_client.shared_client.cache_clear()
    for value in list(globals().values()):
        cache_clear = getattr(value, "cache_clear", None)
        if callable(cache_clear):
            cache_clear()


# -- HTTP API: the ingest, query, account and admin functions ----------------------------------


@lru_cache(maxsize=1)
def ingest_rules() -> GameRules:
    """Event types and the back-dating policy: everything ingest checks (no table read)."""
    from gamification.domain.catalog import load_event_catalog
    from gamification.domain.game_rules import GameRules

    return GameRules(events=load_event_catalog(), policy=policy())


@lru_cache(maxsize=1)
def activity_queue() -> ActivityQueue:
    from gamification.adapters.activity_queue import ActivityQueue

    return ActivityQueue(sqs(), settings().queue_url)


@lru_cache(maxsize=1)
def ingest_service() -> IngestService:
    from gamification.services.ingest import IngestService

    return IngestService(activity_queue(), ingest_rules, utc_now)


@lru_cache(maxsize=1)
def request_budget() -> RequestBudget:
    from gamification.adapters.request_budget import RequestBudget

    config = settings()
    return RequestBudget(
        dynamodb(),
        config.table_name,
        limit=config.write_budget_per_minute,
        window_seconds=60,
        clock=utc_now,
    )


@lru_cache(maxsize=1)
def snapshot_repository() -> SnapshotRepository:
    from gamification.adapters.snapshot_repository import SnapshotRepository

    return SnapshotRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def notification_repository() -> NotificationRepository:
    from gamification.adapters.notification_repository import NotificationRepository

    return NotificationRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def profile_queries() -> ProfileQueries:
    from gamification.services.queries import ProfileQueries

    return ProfileQueries(
        user_repository(), leaderboard(), rules(), utc_now, friend_streak_service().public
    )


@lru_cache(maxsize=1)
def league_queries() -> LeagueQueries:
    from gamification.services.league_queries import LeagueQueries

    return LeagueQueries(user_repository(), league_repository(), leaderboard(), rules(), utc_now)


@lru_cache(maxsize=1)
def leaderboard_queries() -> LeaderboardQueries:
    from gamification.services.queries import LeaderboardQueries

    return LeaderboardQueries(leaderboard(), snapshot_repository(), user_repository(), utc_now)


@lru_cache(maxsize=1)
def feed_queries() -> FeedQueries:
    from gamification.services.queries import FeedQueries

    return FeedQueries(notification_repository())


@lru_cache(maxsize=1)
def account_service() -> AccountService:
    from gamification.services.account import AccountService

    return AccountService(user_repository(), notification_repository(), utc_now)


@lru_cache(maxsize=1)
def badge_admin() -> BadgeAdmin:
    from gamification.domain.catalog import load_event_catalog
    from gamification.services.admin import BadgeAdmin

    return BadgeAdmin(
        badge_repository(),
        load_event_catalog(),
        on_badge_changed=backfill_launcher(),
        on_catalog_changed=rules().invalidate,
    )


@lru_cache(maxsize=1)
def badge_dry_run() -> BadgeDryRun:
    from gamification.services.dry_run import BadgeDryRun

    return BadgeDryRun(player_directory(), user_repository(), rules())


@lru_cache(maxsize=1)
def quest_dry_run() -> QuestDryRun:
    from gamification.services.dry_run import QuestDryRun

    return QuestDryRun(player_directory(), user_repository(), rules())


@lru_cache(maxsize=1)
def quest_admin() -> QuestAdmin:
    from gamification.domain.catalog import load_event_catalog
    from gamification.services.admin import QuestAdmin

    return QuestAdmin(
        badge_repository(), load_event_catalog(), on_catalog_changed=rules().invalidate
    )


# -- scheduled and background jobs: reminders, dispatcher, reconciler, backfill --------------


@lru_cache(maxsize=1)
def player_directory() -> PlayerDirectory:
    from gamification.adapters.player_directory import PlayerDirectory

    return PlayerDirectory(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def reminder_queue() -> ReminderQueue:
    from gamification.adapters.reminder_queue import ReminderQueue

    return ReminderQueue(sqs(), settings().reminder_queue_url)


@lru_cache(maxsize=1)
def reminder_progress() -> ReminderProgress:
    from gamification.adapters.reminder_progress import ReminderProgress

    return ReminderProgress(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def reminder_fan_out() -> ReminderFanOut:
    """The hourly run: one unit per due hour and reminder shard onto the reminder queue."""
    from gamification.services.reminders import ReminderFanOut

    return ReminderFanOut(reminder_queue(), reminder_progress(), shards=settings().reminder_shards)


@lru_cache(maxsize=1)
def streak_reminders() -> StreakReminders:
    """The reminder queue's worker: one unit (a page of one hour-shard) per message."""
    from gamification.adapters.friend_notice_ledger import FriendNoticeLedger
    from gamification.adapters.reminder_index import ReminderIndex
    from gamification.adapters.reminder_ledger import ReminderLedger
    from gamification.services.friend_streak_notices import FriendStreakNotices
    from gamification.services.reminders import StreakReminders

    table = settings().table_name
    friends = FriendStreakNotices(
        follow_graph(),
        user_repository(),
        FriendNoticeLedger(dynamodb(), table, settings().notification_ttl),
        lead=settings().reminder_lead,
    )
    return StreakReminders(
        ReminderIndex(dynamodb(), table),
        user_repository(),
        ReminderLedger(dynamodb(), table, settings().notification_ttl),
        reminder_queue(),
        reminder_progress(),
        lead=settings().reminder_lead,
        freezes=policy().freezes,
        friends=friends,
    )


@lru_cache(maxsize=1)
def outbox_dispatcher() -> OutboxDispatcher:
    from gamification.adapters.notification_codec import notification_in_image
    from gamification.adapters.push_publisher import PushPublisher
    from gamification.services.outbox import OutboxDispatcher

    return OutboxDispatcher(PushPublisher(sns(), settings().topic_arn), notification_in_image)


@lru_cache(maxsize=1)
def event_publisher() -> EventPublisher:
    """The profile outbox to the stage's bus (EventBridge; the local stack's log)."""
    from pathlib import Path

    from gamification.adapters.dead_letters import DeadLetterQueue
    from gamification.adapters.event_bus import EventBridgeBus, LocalEventLog
    from gamification.adapters.event_codec import outbox_of_image
    from gamification.adapters.webhook_queue import event_forwarder
    from gamification.services.event_publisher import EventBus, EventPublisher

    config = settings()
    bus: EventBus
    if config.event_log_path:
        # The local stack's bus: a log, and the rule that feeds the webhook queue on AWS.
        subscribers = (
            [event_forwarder(sqs(), config.webhook_queue_url)] if config.webhook_queue_url else []
        )
        bus = LocalEventLog(Path(config.event_log_path), subscribers)
    else:
        bus = EventBridgeBus(boto3.client("events"), config.event_bus_name)
    return EventPublisher(
        bus, DeadLetterQueue(sqs(), config.events_dlq_url), outbox_of_image, config.stage
    )


@lru_cache(maxsize=1)
def history_lake() -> HistoryLake | None:
    """The publisher's second output: the lake (Firehose on AWS, a folder locally), or none."""
    from pathlib import Path

    from gamification.adapters.lake_keys import LakeKeyStore
    from gamification.adapters.lake_sink import FirehoseSink, LocalLakeFolder
    from gamification.services.history_lake import HistoryLake, LakeSink

    config = settings()
    sink: LakeSink
    if config.lake_dir:
        sink = LocalLakeFolder(Path(config.lake_dir))
    elif config.lake_stream_name:
        sink = FirehoseSink(boto3.client("firehose"), config.lake_stream_name)
    else:
        return None
    return HistoryLake(LakeKeyStore(dynamodb(), config.table_name), sink)


def lake_backfill() -> LakeBackfill:
    """The lake's backfill from the table (docs/analytics.md, "Backfill"): into the lake bucket
    on AWS (``LAKE_BUCKET_NAME``, an operator's command) or the local stack's lake folder."""
    from pathlib import Path

    from gamification.adapters.lake_backfill_files import LocalBackfillFiles, S3BackfillFiles
    from gamification.adapters.lake_keys import LakeKeyStore
    from gamification.adapters.player_history import PlayerHistory
    from gamification.services.lake_backfill import BackfillFiles, LakeBackfill

    config = settings()
    files: BackfillFiles
    if config.lake_bucket:
        files = S3BackfillFiles(boto3.client("s3"), config.lake_bucket)
    elif config.lake_dir:
        files = LocalBackfillFiles(Path(config.lake_dir))
    else:
        raise ValueError("no lake: set LAKE_BUCKET_NAME (AWS) or GAMIFY_LAKE_DIR (a folder)")
    return LakeBackfill(
        PlayerHistory(dynamodb(), config.table_name),
        LakeKeyStore(dynamodb(), config.table_name),
        files,
        config.stage,
    )


@lru_cache(maxsize=1)
def webhook_repository() -> WebhookRepository:
    from gamification.adapters.webhook_repository import WebhookRepository

    return WebhookRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def webhook_admin() -> WebhookAdmin:
    from gamification.services.webhooks import WebhookAdmin

    config = settings()
    return WebhookAdmin(
        webhook_repository(),
        utc_now,
        sealer=secret_sealer(),
        allow_http=config.webhooks_allow_private,
        deliveries=webhook_queue(),
        tenant=config.stage,
    )


@lru_cache(maxsize=1)
def webhook_queue() -> WebhookQueue:
    from gamification.adapters.webhook_queue import WebhookQueue

    return WebhookQueue(sqs(), settings().webhook_queue_url)


@lru_cache(maxsize=1)
def webhook_fan_out() -> WebhookFanOut:
    from gamification.services.webhooks import WebhookFanOut

    return WebhookFanOut(webhook_repository(), webhook_queue(), utc_now, webhook_lines())


@lru_cache(maxsize=1)
def webhook_lines() -> WebhookLines:
    from gamification.adapters.webhook_lines import WebhookLines

    return WebhookLines(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def webhook_sender() -> WebhookSender:
    from gamification.adapters.webhook_http import SafePoster
    from gamification.services.webhooks import WebhookSender

    config = settings()
    local = config.webhooks_allow_private
    poster = SafePoster(allow_private=local, allow_http=local)
    return WebhookSender(
        webhook_repository(),
        poster,
        webhook_queue(),
        utc_now,
        retry_scale=config.webhook_retry_scale,
        disable_after=timedelta(hours=config.webhook_disable_after_hours),
        lines=webhook_lines(),
        sealer=secret_sealer(),
    )


@lru_cache(maxsize=1)
def secret_sealer() -> SecretSealer:
    """KMS on AWS (``WEBHOOK_KEY_ID``); the local stack's stand-in only where private
    addresses are allowed (the local stack), never as a silent fallback."""
    from gamification.adapters.kms_sealer import KmsSealer, LocalSealer

    config = settings()
    if config.webhook_key_id:
        return KmsSealer(boto3.client("kms"), config.webhook_key_id)
    if config.webhooks_allow_private:
        return LocalSealer()
    raise RuntimeError("WEBHOOK_KEY_ID is not set: webhook secrets cannot be sealed")


@lru_cache(maxsize=1)
def leaderboard_reconciler() -> LeaderboardReconciler:
    from gamification.adapters.rebuild_lease import RebuildLease
    from gamification.adapters.redis_client import shared_client
    from gamification.services.reconciliation import LeaderboardReconciler

    return LeaderboardReconciler(
        player_directory(),
        leaderboard(),
        snapshot_repository(),
        snapshot_size=settings().leaderboard_snapshot_size,
        lease=RebuildLease(shared_client()),
    )


@lru_cache(maxsize=1)
def badge_backfill() -> BadgeBackfill:
    from gamification.adapters.backfill_checkpoints import BackfillCheckpoints
    from gamification.services.backfill import BadgeBackfill
    from gamification.services.game_rules_cache import GameRulesCache

    # The catalog is read afresh on every run: the badge was usually saved a moment ago.
    # Badges only: the backfill leaves quest progress alone.
    catalog = badge_repository()
    fresh_rules = GameRulesCache(
        load_catalog=lambda: (catalog.load(), None), policy=policy(), max_age_seconds=0
    )
    return BadgeBackfill(
        player_directory(),
        user_repository(),
        leaderboard_if_configured(),
        BackfillCheckpoints(dynamodb(), settings().table_name),
        rules=fresh_rules,
    )


@lru_cache(maxsize=1)
def league_close() -> LeagueClose:
    from gamification.adapters.league_repository import CloseCheckpoints
    from gamification.services.league_close import LeagueClose

    return LeagueClose(
        league_repository(),
        user_repository(),
        CloseCheckpoints(dynamodb(), settings().table_name),
        rules=rules(),
    )


def _launcher(function_name: str, field: str, run: Callable[[str], object]) -> JobLauncher:
    """A resumable job's start: its function on AWS, ``run`` in process when no function is
    configured (tests)."""
    from gamification.adapters.job_launcher import InProcessJobLauncher, LambdaJobLauncher

    if function_name:
        return LambdaJobLauncher(lambda_client(), function_name, field)
    return InProcessJobLauncher(run)


def job_runner(elsewhere: Continuation | None = None) -> JobRunner:
    """A paused run goes on in a fresh asynchronous invocation of this very function on AWS,
    else through ``elsewhere`` (a job's launcher), else in this process."""
    from gamification.adapters.job_launcher import LambdaInvoker
    from gamification.services.jobs import JobRunner, in_process

    own = settings().function_name
    return JobRunner(LambdaInvoker(lambda_client(), own) if own else elsewhere or in_process)


@lru_cache(maxsize=1)
def backfill_launcher() -> JobLauncher:
    """Async Lambda invocation when ``BACKFILL_FUNCTION_NAME`` is set, else a run in process."""
    return _launcher(
        settings().backfill_function_name,
        "badge_id",
        lambda badge_id: badge_backfill().run(badge_id, utc_now()),
    )


def league_close_job() -> LeagueCloseJob:
    """The league close's invocations: scheduled fan-out, shard runs, continuations."""
    from gamification.services.league_close import LeagueCloseJob

    return LeagueCloseJob(league_close(), job_runner(), settings().league_close_shards)


# -- account lifecycle: erasure, export, exclusion -------------------------------------------


@lru_cache(maxsize=1)
def eraser() -> Eraser:
    from gamification.adapters.erasure_ledger import ErasureLedger
    from gamification.adapters.partition_walker import PartitionWalker
    from gamification.services.erasure import Eraser

    table = settings().table_name
    return Eraser(
        PartitionWalker(dynamodb(), table),
        ErasureLedger(dynamodb(), table),
        user_repository(),
        snapshot_repository(),
    )


@lru_cache(maxsize=1)
def erasure_launcher() -> JobLauncher:
    """Async invocation of the eraser when ``ERASER_FUNCTION_NAME`` is set, else in process."""
    return _launcher(
        settings().eraser_function_name,
        "user_id",
        lambda user_id: eraser().run(user_id, utc_now()),
    )


@lru_cache(maxsize=1)
def erasure_requests() -> ErasureRequests:
    from gamification.adapters.erasure_ledger import ErasureLedger
    from gamification.services.erasure import ErasureRequests

    return ErasureRequests(
        user_repository(),
        ErasureLedger(dynamodb(), settings().table_name),
        erasure_launcher(),
        utc_now,
    )


@lru_cache(maxsize=1)
def user_export() -> UserExport:
    from gamification.adapters.user_records import UserRecords
    from gamification.services.export import UserExport

    return UserExport(
        user_repository(),
        UserRecords(dynamodb(), settings().table_name),
        graph=follow_graph(),
        teams=team_repository(),
    )


@lru_cache(maxsize=1)
def exclusion_service() -> ExclusionService:
    from gamification.services.exclusion import ExclusionService

    return ExclusionService(user_repository(), utc_now)


@lru_cache(maxsize=1)
def flag_reviews() -> FlagReviews:
    """The admins' review of the cheating flags (issue #33, docs/analytics.md)."""
    from gamification.adapters.flag_list import FlagList
    from gamification.services.flags import FlagReviews

    return FlagReviews(
        FlagList(dynamodb(), settings().table_name),
        user_repository(),
        exclusion_service(),
        utc_now,
    )


# -- friends (issue #29) -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def follow_graph() -> FollowGraph:
    from gamification.adapters.follow_graph import FollowGraph

    return FollowGraph(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def follow_service() -> FollowService:
    from gamification.services.follows import FollowService

    return FollowService(follow_graph(), user_repository(), utc_now)


@lru_cache(maxsize=1)
def friend_board_queries() -> FriendBoardQueries:
    from gamification.adapters.friend_scores import FriendScores
    from gamification.adapters.redis_client import shared_client
    from gamification.services.friend_board import FriendBoardQueries

    return FriendBoardQueries(
        follow_graph(), FriendScores(shared_client()), user_repository(), utc_now
    )


@lru_cache(maxsize=1)
def friend_streak_service() -> FriendStreakService:
    from gamification.services.friend_streaks import FriendStreakService

    return FriendStreakService(follow_graph(), user_repository(), utc_now)


# -- teams (issue #30) ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def team_repository() -> TeamRepository:
    from gamification.adapters.team_repository import TeamRepository

    return TeamRepository(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def team_boards() -> TeamBoards:
    from gamification.adapters.redis_client import shared_client
    from gamification.adapters.team_boards import TeamBoards

    return TeamBoards(shared_client())


@lru_cache(maxsize=1)
def team_service() -> TeamService:
    from gamification.services.teams import TeamService

    return TeamService(team_repository(), utc_now, settings().max_teams_per_user)


@lru_cache(maxsize=1)
def team_queries() -> TeamQueries:
    from gamification.services.teams import TeamQueries

    return TeamQueries(team_repository(), team_boards(), utc_now, settings().max_teams_per_user)


@lru_cache(maxsize=1)
def team_projector() -> TeamProjector:
    from gamification.services.team_projection import TeamProjector

    return TeamProjector(team_boards(), team_repository().player, utc_now)


@lru_cache(maxsize=1)
def wallet_store() -> WalletStore:
    from gamification.adapters.wallet_store import WalletStore

    return WalletStore(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def wallet_service() -> WalletService:
    """Balances, ledger, redeem, adjust and the shop (docs/wallet.md)."""
    from gamification.services.wallet import WalletService

    store = wallet_store()
    return WalletService(user_repository(), store, store, rules=rules(), clock=utc_now)


@lru_cache(maxsize=1)
def credential_service() -> CredentialService:
    """Open Badges 3.0 credentials signed by the stack's KMS key (docs/credentials.md)."""
    from gamification.services.credentials import CredentialService

    return CredentialService(user_repository(), rules(), credential_signer())


@lru_cache(maxsize=1)
def credential_signer() -> KmsSigner:
    from gamification.adapters.kms_signer import KmsSigner

    return KmsSigner(boto3.client("kms"), settings().credential_key_id)


@lru_cache(maxsize=1)
def issuer_keys() -> IssuerKeys:
    """The public half only (the meta function: ``kms:GetPublicKey``, no table)."""
    from gamification.adapters.kms_signer import KmsSigner
    from gamification.services.credentials import IssuerKeys

    kms = boto3.client("kms")
    previous = [KmsSigner(kms, key) for key in settings().credential_previous_key_ids]
    return IssuerKeys(credential_signer(), previous)


@lru_cache(maxsize=1)
def rarity_store() -> RarityStore:
    from gamification.adapters.rarity_store import RarityStore

    return RarityStore(dynamodb(), settings().table_name)


@lru_cache(maxsize=1)
def rarity_job() -> RarityJob:
    """The scheduled count of badge rarity (docs/rules.md, "Rarity")."""
    from gamification.services.rarity import RarityJob

    return RarityJob(player_directory(), user_repository(), rules(), rarity_store())


@lru_cache(maxsize=1)
def rarity_reader() -> RarityReader:
    from gamification.services.rarity import RarityReader

    return RarityReader(rarity_store(), utc_now)


@lru_cache(maxsize=1)
def team_reconciler() -> TeamBoardReconciler:
    from gamification.adapters import team_boards as boards
    from gamification.adapters.rebuild_lease import RebuildLease
    from gamification.adapters.redis_client import shared_client
    from gamification.adapters.team_rebuild import ReconciledTeamBoards
    from gamification.adapters.team_truth import TeamTruthReader
    from gamification.services.team_reconciliation import TeamBoardReconciler

    client = shared_client()
    lease = RebuildLease(client, lease_key=boards.LEASE_KEY, progress_key=boards.PROGRESS_KEY)
    return TeamBoardReconciler(
        TeamTruthReader(dynamodb(), settings().table_name), ReconciledTeamBoards(client), lease
    )
