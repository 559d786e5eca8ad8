"""The whole product in one stack: each construct is one concern, wired together here."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra.config import StackConfig
from infra.constructs.api import Api
from infra.constructs.backup import TableBackup
from infra.constructs.credentials import CredentialKey
from infra.constructs.data import Data
from infra.constructs.deployments import GradualDeployments
from infra.constructs.domain_events import DomainEvents
from infra.constructs.functions import DomainEnvironment, GamifyFunction, LambdaRuntime
from infra.constructs.history_lake import HistoryLake
from infra.constructs.identity import Identity
from infra.constructs.ingestion_queue import FailedInvocations, IngestionQueue
from infra.constructs.jobs import Jobs
from infra.constructs.leaderboard_cache import LeaderboardCache
from infra.constructs.network import Network
from infra.constructs.notifications import Notifications
from infra.constructs.observability import Observability
from infra.constructs.processing import Processing
from infra.constructs.web_hosting import WebHosting
from infra.layer import REPO_ROOT


class GamifyStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Gamify: serverless gamification backend (XP, badges, streaks, boards)",
            **kwargs,
        )
        self.config = config
        Tags.of(self).add("project", "gamify")
        Tags.of(self).add("stage", config.stage)

        domain = DomainEnvironment.from_config(config)

        self.network = Network(self, "Network", config=config)
        self.data = Data(self, "Data", config=config)
        self.queue = IngestionQueue(self, "Ingestion")
        self.failures = FailedInvocations(self, "FailedInvocations")
        self.cache = LeaderboardCache(self, "LeaderboardCache", config=config, network=self.network)
        self.runtime = LambdaRuntime(self, "Runtime", config=config)
        self.notifications = Notifications(
            self,
            "Notifications",
            data=self.data,
            runtime=self.runtime,
            failures=self.failures.queue,
        )
        self.domain_events = DomainEvents(
            self,
            "DomainEvents",
            config=config,
            data=self.data,
            runtime=self.runtime,
            failures=self.failures.queue,
        )
        self.history_lake = HistoryLake(
            self,
            "HistoryLake",
            config=config,
            data=self.data,
            publisher=self.domain_events.publisher,
        )
        self.processing = Processing(
            self,
            "Processing",
            data=self.data,
            queue=self.queue,
            cache=self.cache,
            network=self.network,
            runtime=self.runtime,
            domain=domain,
            failures=self.failures.queue,
        )
        self.jobs = Jobs(
            self,
            "Jobs",
            config=config,
            data=self.data,
            cache=self.cache,
            network=self.network,
            runtime=self.runtime,
            failures=self.failures.queue,
            domain=domain,
            consumer=self.processing.consumer,
        )
        self.web = (
            WebHosting(self, "Web", web_dir=REPO_ROOT / "web") if config.web_hosting else None
        )
        web_origins = [self.web.origin] if self.web else []
        self.identity = Identity(
            self,
            "Identity",
            config=config,
            runtime=self.runtime,
            demo_origin=self.web.origin if self.web else None,
        )
        self.api = Api(
            self,
            "Api",
            config=config,
            data=self.data,
            queue=self.queue,
            cache=self.cache,
            network=self.network,
            runtime=self.runtime,
            backfill=self.jobs.backfill,
            eraser=self.jobs.eraser,
            domain=domain,
            user_pool=self.identity.user_pool,
            cors_origins=[*config.allowed_origins, *web_origins],
        )
        # Verifiable badges: the signing key, signed with by one function, published by meta.
        self.credential_key = CredentialKey(
            self,
            "CredentialKey",
            stack_name=config.stack_name,
            generation=config.credential_key_generation,
            previous_key_arns=config.previous_credential_keys,
        )
        self.credential_key.signer(self.api.functions["credentials"])
        self.credential_key.publisher(self.api.functions["meta"])
        # The admin API's webhook test ping goes straight to the sender's queue.
        admin = self.api.functions["admin"]
        webhook_queue = self.domain_events.webhook_queue.queue
        admin.add_env("WEBHOOK_QUEUE_URL", webhook_queue.queue_url)
        admin.add_env("GAMIFY_STAGE", config.stage)
        admin.allow(["sqs:SendMessage"], [webhook_queue.queue_arn], "QueueWebhookTests")
        # It seals a new signing secret (creation, rotation); it never opens one.
        webhook_key = self.domain_events.webhook_key
        admin.add_env("WEBHOOK_KEY_ID", webhook_key.key_arn)
        admin.allow(["kms:Encrypt"], [webhook_key.key_arn], "SealWebhookSecrets")
        if self.web is not None:
            self.web.publish(
                api_url=self.api.rest_api.url,
                user_pool_id=self.identity.user_pool.user_pool_id,
                user_pool_client_id=(
                    self.identity.user_pool_client.user_pool_client_id
                    if self.identity.user_pool_client
                    else ""
                ),
                hosted_sign_in=self.identity.hosted_sign_in,
            )
        self.observability = Observability(
            self,
            "Observability",
            config=config,
            rest_api_name=self.api.rest_api.rest_api_name,
            rest_api_stage=config.stage,
            activity_queue=self.queue.queue,
            dead_letter_queue=self.queue.dead_letter_queue,
            failed_invocations=self.failures.queue,
            functions=self.functions,
            dispatcher=self.notifications.dispatcher,
            projector=self.processing.projector,
            reminder_queue=self.jobs.reminder_queue,
            table=self.data.table,
            cache=self.cache,
            schedules=self.jobs.schedules,
            schedule_specs=self.jobs.schedule_specs,
        )
        self.observability.watch_domain_events(
            self.domain_events.publisher,
            self.domain_events.dead_letters,
            self.domain_events.webhook_queue.dead_letter_queue,
        )
        self.deployments = (
            GradualDeployments(
                self,
                "Deployments",
                config=config,
                functions=self.functions,
                alarms_of=lambda name: [self.observability.error_rate_alarm(name)],
            )
            if config.canary
            else None
        )
        self.backup = (
            TableBackup(self, "Backup", config=config, table=self.data.table)
            if config.backup
            else None
        )
        self._outputs()

    @property
    def functions(self) -> dict[str, GamifyFunction]:
        """Every function by name (the folder under ``functions/``)."""
        return {
            **self.api.functions,
            "consumer": self.processing.consumer,
            "projector": self.processing.projector,
            "dispatcher": self.notifications.dispatcher,
            "publisher": self.domain_events.publisher,
            "webhooks": self.domain_events.webhook_sender,
            "reminder_fanout": self.jobs.reminder_fanout,
            "reminder_sender": self.jobs.reminder_sender,
            "reconciler": self.jobs.reconciler,
            "leagues": self.jobs.leagues,
            "backfill": self.jobs.backfill,
            "eraser": self.jobs.eraser,
            "rarity": self.jobs.rarity,
            **({"tokens": self.identity.token_guard} if self.identity.token_guard else {}),
        }

    def _outputs(self) -> None:
        outputs = {
            "ApiUrl": (self.api.rest_api.url, "Base URL of the API (append v1/...)"),
            "UserPoolId": (
                self.identity.user_pool.user_pool_id,
                "Cognito user pool of the players",
            ),
            "InternalIngestArn": (
                self.api.execute_arn("POST", "/v1/internal/activities"),
                "Grant execute-api:Invoke on this to services that report activities",
            ),
            "TableName": (self.data.table.table_name, "DynamoDB table (source of truth)"),
            "ActivityQueueUrl": (self.queue.queue.queue_url, "Activity queue"),
            "DeadLetterQueueUrl": (self.queue.dead_letter_queue.queue_url, "Poison activities"),
            "FailedInvocationsQueueUrl": (self.failures.queue.queue_url, "Failed job runs"),
            "PushTopicArn": (self.notifications.topic.topic_arn, "Subscribe push delivery here"),
            "AlarmTopicArn": (self.observability.alarm_topic.topic_arn, "Alarm notifications"),
            "CacheEndpoint": (self.cache.endpoint_address, "Leaderboard cache (VPC only)"),
            "CacheUser": (self.cache.username, "Cache user the functions sign in as (IAM auth)"),
            "BackfillFunctionName": (
                self.jobs.backfill.invoke_name,
                "Invoke to backfill badges by hand",
            ),
            "EraserFunctionName": (
                self.jobs.eraser.invoke_name,
                'Invoke with {"user_id": ...} to resume an erasure by hand',
            ),
            "ReconcilerFunctionName": (
                self.jobs.reconciler.invoke_name,
                "Invoke to rebuild the leaderboards now",
            ),
            "LeaguesFunctionName": (
                self.jobs.leagues.invoke_name,
                'Invoke with {"week": "YYYY-Www"} to close a league week by hand',
            ),
            "EventBusName": (
                self.domain_events.bus.event_bus_name,
                "Domain events (docs/events.md): add rules here",
            ),
            "EventArchiveName": (
                self.domain_events.archive.archive_name,
                "Replay domain events from here (docs/events.md#replay)",
            ),
            "EventDeadLetterQueueUrl": (
                self.domain_events.dead_letters.queue_url,
                "Domain events the bus refused, with the reason",
            ),
            "LakeBucketName": (
                self.history_lake.bucket.bucket_name,
                "History lake: Parquet by day under events/ (docs/analytics.md)",
            ),
            "AthenaWorkGroup": (
                self.history_lake.workgroup.name,
                "Athena workgroup holding the named reports",
            ),
            "DashboardName": (self.observability.dashboard.dashboard_name, "CloudWatch dashboard"),
        }
        if self.web is not None:
            outputs["WebUrl"] = (self.web.origin, "The hosted demo page")
        if self.identity.user_pool_client is not None:
            outputs["UserPoolClientId"] = (
                self.identity.user_pool_client.user_pool_client_id,
                "App client for sign-up and sign-in (no secret)",
            )
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
