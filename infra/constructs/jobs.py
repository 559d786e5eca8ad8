"""Scheduled and background jobs: streak reminders, leaderboard reconciliation, league close,
badge backfill, user erasure.

EventBridge invokes the reminder fan-out every hour on the hour (it takes "now" from the event's
time, so a retried run is the same run; it only queues the hour's reminder units, which the
reminder sender consumes through an SQS event source mapping with a DLQ), the reconciler every few
minutes, and the reconciler's cheap cache check every minute (two EXISTS; a full rebuild only
when a board lost its generation marker), on the schedules the local stack runs them on
(``gamification.resources.SCHEDULES``). The admin function starts a backfill asynchronously.
All are idempotent, so Lambda's asynchronous retries are safe; a run that still fails is
recorded in the failed-invocations queue, which has an alarm.

The backfill runs outside the VPC and without Redis: a long walk continues by invoking itself,
which needs the Lambda API (the VPC has no NAT and no Lambda endpoint), and the few scores it
changes (only if ``badge_earned`` earns XP) reach the boards through the projector, like any
profile write. The eraser runs the same way (outside the VPC, continuing by invoking itself):
Redis forgets the user through the projector, which sees the erasure tombstone on the stream.
"""

from __future__ import annotations

from dataclasses import replace

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.adapters import keys
from gamification.resources import REMINDER_QUEUE, SCHEDULES, Schedule
from infra.config import StackConfig
from infra.constructs.data import Data, TableAccess
from infra.constructs.functions import (
    DomainEnvironment,
    FunctionSpec,
    GamifyFunction,
    LambdaRuntime,
    id_of,
)
from infra.constructs.ingestion_queue import IngestionQueue
from infra.constructs.leaderboard_cache import LeaderboardCache
from infra.constructs.network import Network

ASYNC_RETRIES = 2
REMINDER_FANOUT_TABLE_ACCESS = TableAccess(
    # Only enqueues: reads the earlier hours' progress items, marks this hour started.
    reads=("GetItem",),
    writes=("UpdateItem",),
    write_keys=(keys.REMINDER_PROGRESS_PREFIX,),
)
REMINDER_SENDER_TABLE_ACCESS = TableAccess(
    # One page of an hour-shard (sparse GSI1), its profiles and guards; the reminder, its
    # once-a-day marker and the profile-version check commit as one transaction; a finished
    # shard is added to the hour's progress item (UpdateItem ADD). Friend streak notices: a
    # Query of each loaded user's links (GRAPH#), the partners' profiles, each notice and its
    # guard (FNOTICE#) in the recipient's USER# partition as one transaction, a break or
    # milestone with its event in the recipient's profile outbox (an update in it). A streak
    # the clock broke: its streak.broken with the profile, put in a one-item transaction.
    reads=("GetItem", "BatchGetItem", "Query"),
    index_queries=("GSI1",),
    writes=("UpdateItem",),
    transactional_writes=("PutItem", "UpdateItem", "ConditionCheckItem"),
    write_keys=(keys.REMINDER_PROGRESS_PREFIX,),
    transactional_keys=(keys.user_pk(""),),
)
RECONCILER_TABLE_ACCESS = TableAccess(
    # Every player with XP (sharded GSI2, keys only: the profiles by BatchGetItem) and the
    # top-N snapshot for the Redis-down fallback. Scan: every membership, and Query: the team
    # directory, for the team boards' rebuild (docs/teams.md#reconciliation).
    reads=("GetItem", "BatchGetItem", "Scan", "Query"),
    index_queries=("GSI2",),
    writes=("PutItem",),
    write_keys=(keys.snapshot_pk(""),),
)
RARITY_TABLE_ACCESS = TableAccess(
    # The player index (GSI2), the profiles (BatchGetItem), the catalog (Query); its one item.
    reads=("GetItem", "BatchGetItem", "Query"),
    index_queries=("GSI2",),
    writes=("PutItem",),
    write_keys=(keys.RARITY_PK,),
)
BACKFILL_TABLE_ACCESS = TableAccess(
    # Walks players (GSI2) and reads the catalog; awards in one transaction per user and saves
    # its checkpoint with a conditional put (hence PutItem outside transactions too).
    reads=("GetItem", "BatchGetItem", "Query"),
    index_queries=("GSI2",),
    writes=("PutItem",),
    write_keys=(keys.user_pk(""), keys.backfill_pk("")),
)
LEAGUES_TABLE_ACCESS = TableAccess(
    # Seat counters (one BatchGetItem), member lists (Query), profiles; each member's result,
    # notification and any seat in the new week commit as one transaction per user; the
    # checkpoint is a conditional put and a new-week seat an UpdateItem ADD.
    reads=("GetItem", "BatchGetItem", "Query"),
    writes=("PutItem", "UpdateItem"),
    transactional_writes=("PutItem",),
    write_keys=(keys.LEAGUE_CLOSE_PREFIX, keys.SEATS_PREFIX),
    # FLAGS: an outlier flag's list item, put in the member's transaction (docs/analytics.md).
    transactional_keys=(keys.user_pk(""), keys.COHORT_PREFIX, keys.FLAGS_PK),
)

ERASER_TABLE_ACCESS = TableAccess(
    # The only function that deletes user data: it empties the user's partitions a page at a
    # time (keys-only Query + BatchWriteItem deletes), clears the tombstone's `erasing` flag
    # (UpdateItem), saves its checkpoint and rewrites the snapshots without the user (PutItem).
    reads=("GetItem", "Query"),
    # DeleteItem: the other side of an erased user's follows and blocks (issue #29), alone or
    # in a transaction with that user's counters.
    writes=("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"),
    write_keys=(
        keys.user_pk(""),
        keys.graph_pk(""),
        keys.budget_pk(""),
        keys.erasure_pk(""),
        keys.snapshot_pk(""),
        # The erased user's latest league seat (one item of a cohort's partition).
        keys.COHORT_PREFIX,
        # Team memberships (issue #30): each left in a transaction with the team's count.
        keys.membership_pk(""),
        keys.team_pk(""),
        # Webhook bookkeeping (issue #28): the user's index of parked deliveries and places in
        # line, and the parked bodies it points at in the endpoints' logs.
        keys.webhook_user_pk(""),
        keys.WEBHOOK_LOG_PREFIX,
    ),
)


class Jobs(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        data: Data,
        cache: LeaderboardCache,
        network: Network,
        runtime: LambdaRuntime,
        failures: sqs.IQueue,
        domain: DomainEnvironment,
        consumer: GamifyFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        # The hourly reminder fan-out only enqueues one unit per (due hour, shard); the
        # reminder sender takes one unit per message and queues a long shard's next page.
        self.reminder_queue = IngestionQueue(self, "ReminderQueue", spec=REMINDER_QUEUE)
        queue_env = {"REMINDER_QUEUE_URL": self.reminder_queue.queue.queue_url}
        self.reminder_fanout = self._job(
            id_of("reminder_fanout"),
            FunctionSpec(
                name="reminder_fanout",
                description="Hourly: queues the streak reminder units of the due hours",
                timeout=Duration.minutes(1),
                environment={**domain.user_state, **queue_env},
            ),
            runtime,
            failures,
        )
        data.grant(self.reminder_fanout, REMINDER_FANOUT_TABLE_ACCESS)
        self.reminder_fanout.allow(
            ["sqs:SendMessage"], [self.reminder_queue.queue.queue_arn], "QueueReminderUnits"
        )
        self.reminder_sender = GamifyFunction(
            self,
            id_of("reminder_sender"),
            spec=FunctionSpec(
                name="reminder_sender",
                description="Sends the streak reminders of one unit (a page of an hour-shard)",
                timeout=Duration.seconds(REMINDER_QUEUE.consumer_timeout_seconds),
                memory_mb=512,
                environment={**domain.user_state, **queue_env},
            ),
            runtime=runtime,
        )
        data.grant(self.reminder_sender, REMINDER_SENDER_TABLE_ACCESS)
        self.reminder_sender.allow(
            ["sqs:SendMessage"], [self.reminder_queue.queue.queue_arn], "ContinueShards"
        )
        self.reminder_sender.alias.add_event_source(
            sources.SqsEventSource(
                self.reminder_queue.queue,
                batch_size=REMINDER_QUEUE.batch_size,
                max_concurrency=REMINDER_QUEUE.max_concurrency,
                report_batch_item_failures=True,
            )
        )

        self.reconciler = self._job(
            "Reconciler",
            FunctionSpec(
                name="reconciler",
                description="Rebuilds the leaderboards from DynamoDB and snapshots the top N",
                # The full pass streams (memory ≈ 3 MiB) but its time is linear in the players:
                # ≈ 14 s per 100,000 at 1,024 MB; it pauses 30 s before the timeout and the
                # next one-minute check resumes it (10 M: two invocations, docs/scale.md).
                timeout=Duration.minutes(15),
                memory_mb=1024,
            ),
            runtime,
            failures,
            network,
        )
        data.grant(self.reconciler, RECONCILER_TABLE_ACCESS)
        cache.connect(self.reconciler)

        # Long walks that continue (and the league close fans out) by invoking themselves: named,
        # so each role can name its own function (see GamifyFunction.arn), 15 minutes a run.
        self.backfill = self._resumable_job(
            "Backfill",
            FunctionSpec(
                name="backfill",
                description="Awards a new or changed badge to every user who already qualifies",
                timeout=Duration.minutes(15),
                memory_mb=1024,
                environment=domain.everything,
            ),
            access=BACKFILL_TABLE_ACCESS,
            invoke_sid="ContinueBackfill",  # composition.backfill_continuation
            data=data,
            runtime=runtime,
            failures=failures,
        )
        # Outside the VPC and without Redis: the projector moves the new cohorts onto the boards.
        self.leagues = self._resumable_job(
            "Leagues",
            FunctionSpec(
                name="leagues",
                description="Hourly: closes the league week that ended (promote, demote, notify)",
                timeout=Duration.minutes(15),
                memory_mb=512,
                environment={**domain.user_state, **domain.leagues},
            ),
            access=LEAGUES_TABLE_ACCESS,
            invoke_sid="FanOutAndContinue",
            data=data,
            runtime=runtime,
            failures=failures,
        )
        self.eraser = self._resumable_job(
            "Eraser",
            FunctionSpec(
                name="eraser",
                description="Erases everything stored about a user, resuming until done",
                timeout=Duration.minutes(15),
                memory_mb=512,
            ),
            access=ERASER_TABLE_ACCESS,
            invoke_sid="ContinueErasure",  # composition.eraser_continuation
            data=data,
            runtime=runtime,
            failures=failures,
        )

        # Badge rarity (docs/rules.md, "Rarity"): outside the VPC, no Redis; reads the player
        # index, the profiles and the catalog, writes its one item.
        self.rarity = self._job(
            "Rarity",
            FunctionSpec(
                name="rarity",
                description="Counts the share of players holding each badge and level (daily)",
                timeout=Duration.minutes(15),
                memory_mb=512,
            ),
            runtime,
            failures,
        )
        data.grant(self.rarity, RARITY_TABLE_ACCESS)

        # The consumer's schedule finishes team quests' payouts with the consumer's own rights
        # (docs/teams.md#team-quests); a failed run goes where every job's does.
        consumer.alias.configure_async_invoke(
            retry_attempts=ASYNC_RETRIES,
            max_event_age=Duration.hours(1),
            on_failure=destinations.SqsDestination(failures),
        )
        scheduled = {
            "consumer": consumer,
            "reminder_fanout": self.reminder_fanout,
            "reconciler": self.reconciler,
            "leagues": self.leagues,
            "rarity": self.rarity,
        }
        overrides = {"reconciler": config.reconcile_every_minutes}  # CDK context
        self.schedules: dict[str, events.Rule] = {}
        self.schedule_specs: dict[str, Schedule] = {}  # as deployed (overrides applied)
        for spec in SCHEDULES:
            job = replace(spec, rate_minutes=overrides.get(spec.name, spec.rate_minutes))
            self.schedule_specs[job.name] = job
            self.schedules[job.name] = events.Rule(
                self,
                id_of(job.name) + "Schedule",
                description=job.description,
                schedule=schedule_of(job),
                targets=[self._target(scheduled[job.function], failures, job)],
            )

    def _job(
        self,
        construct_id: str,
        spec: FunctionSpec,
        runtime: LambdaRuntime,
        failures: sqs.IQueue,
        network: Network | None = None,
    ) -> GamifyFunction:
        job = GamifyFunction(self, construct_id, spec=spec, runtime=runtime, network=network)
        # Every caller invokes the alias (docs/deploy.md): its retries and failure destination.
        job.alias.configure_async_invoke(
            retry_attempts=ASYNC_RETRIES,
            max_event_age=Duration.hours(1),
            on_failure=destinations.SqsDestination(failures),
        )
        return job

    def _resumable_job(
        self,
        construct_id: str,
        spec: FunctionSpec,
        *,
        access: TableAccess,
        invoke_sid: str,
        data: Data,
        runtime: LambdaRuntime,
        failures: sqs.IQueue,
    ) -> GamifyFunction:
        """A job that goes on in fresh invocations of itself: named, so its role can grant
        ``lambda:InvokeFunction`` on exactly this function."""
        named = replace(spec, physical_name=f"{Stack.of(self).stack_name}-{spec.name}")
        job = self._job(construct_id, named, runtime, failures)
        data.grant(job, access)
        job.allow(["lambda:InvokeFunction"], [job.alias_arn], invoke_sid)
        return job

    @staticmethod
    def _target(
        job: GamifyFunction, failures: sqs.IQueue, schedule: Schedule
    ) -> targets.LambdaFunction:
        """EventBridge's own delivery failures (e.g. throttling) land in the same queue."""
        payload = schedule.job_input
        return targets.LambdaFunction(
            job.alias,
            event=events.RuleTargetInput.from_object(dict(payload)) if payload else None,
            retry_attempts=ASYNC_RETRIES,
            max_event_age=Duration.hours(1),
            dead_letter_queue=failures,
        )


def schedule_of(job: Schedule) -> events.Schedule:
    """A job on the clock is a cron rule (hourly: on the hour); any other one a rate rule."""
    if job.on_the_clock:
        return events.Schedule.cron(
            minute="0" if job.rate_minutes == 60 else f"0/{job.rate_minutes}"
        )
    return events.Schedule.rate(Duration.minutes(job.rate_minutes))
