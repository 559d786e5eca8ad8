"""The whole product on one machine: moto, Redis, the real handlers behind HTTP, the event
source mappings and the schedules, in one process that stops cleanly.

Start order matters: the environment (endpoint, credentials, resource names) is complete before
any handler is imported, because handlers build their clients from it once, as on Lambda.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import boto3

from gamification.local import dead_letters, moto_patches, persistence
from gamification.local.control import FUNCTION_PREFIX, control
from gamification.local.demo_site import DemoSite, GatewayWithDemoSite, default_web_dir
from gamification.local.handlers import Invoker
from gamification.local.http_gateway import HttpGateway
from gamification.local.provision import Provisioned, provision
from gamification.local.redis_runtime import LocalRedis
from gamification.local.redis_server import free_port
from gamification.local.scheduler import Scheduler
from gamification.local.sqs_poller import SqsPoller, retry_delay_from_env
from gamification.local.stream_poller import StreamPoller, Subscription
from gamification.local.webhook_inbox import WebhookInbox
from gamification.resources import REMINDER_QUEUE, ROUTES, SCHEDULES, STREAMS, WEBHOOK_QUEUE

log = logging.getLogger("gamify.local")
_T = TypeVar("_T")
REMINDER_SENDER = "reminder_sender"
"""The function the reminder queue's mapping invokes (``functions/reminder_sender``)."""
WEBHOOK_SENDER = "webhooks"
"""The function the webhook queue's mapping invokes (``functions/webhooks``)."""

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}
DEFAULTS = {
    "POWERTOOLS_SERVICE_NAME": "gamify-local",
    "POWERTOOLS_METRICS_NAMESPACE": "GamifyLocal",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "GAMIFY_MAX_BACKDATE_HOURS": "48",
    "GAMIFY_CORS_ORIGINS": "*",  # any origin may call the local API (a stage lists its own)
}
"""Applied only where the caller's environment does not set them (they pass through)."""


@dataclass(frozen=True, slots=True)
class StackInfo:
    base_url: str
    aws_endpoint: str
    redis_kind: str
    redis_url: str
    badges: int
    functions: dict[str, bool]
    state: str
    """Where the table is kept between runs, or that it is not."""


class LocalStack:
    def __init__(
        self, port: int = 3000, host: str = "127.0.0.1", state_dir: Path | None = None
    ) -> None:
        self._host = host
        self._port = port
        self._state_dir = state_dir
        self._restored = 0
        self._moto: Any = None
        self.provisioned: Provisioned | None = None
        self.redis: LocalRedis | None = None
        self.invoker = Invoker()
        self._functions: dict[str, bool] = {}
        self._sqs: SqsPoller | None = None
        self._reminders: SqsPoller | None = None
        self._webhooks: SqsPoller | None = None
        self._stream: StreamPoller | None = None
        self.scheduler: Scheduler | None = None
        self._http: HttpGateway | None = None
        self.info: StackInfo | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> StackInfo:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> StackInfo:
        endpoint = self._start_moto()
        for name, value in FAKE_AWS.items():
            os.environ.setdefault(name, value)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        # Webhook secrets: the local stand-in sealer while private addresses are allowed (the
        # default: the built-in receiver is on 127.0.0.1); a stack run as on AWS
        # (GAMIFY_WEBHOOKS_ALLOW_PRIVATE=false) seals them with a KMS key of moto's, as on AWS.
        as_on_aws = os.environ.get("GAMIFY_WEBHOOKS_ALLOW_PRIVATE", "true") != "true"
        self.provisioned = provision(endpoint_url=endpoint, webhook_key=as_on_aws)
        if self._state_dir is not None:
            self._restored = persistence.load(
                boto3.client("dynamodb"), self.provisioned.table_name, self._state_dir
            )
        self.redis = LocalRedis(os.environ.get("REDIS_URL") or None).start()
        os.environ.update({**self.provisioned.environment(), "REDIS_URL": self.redis.url})
        for name, value in DEFAULTS.items():
            os.environ.setdefault(name, value)
        os.environ.setdefault("LOG_LEVEL", os.environ["POWERTOOLS_LOG_LEVEL"])
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        # Imported only now: modules create Powertools loggers from the environment at import.
        from gamification import composition

        logging.getLogger("botocore").setLevel(logging.WARNING)
        composition.reset()

        # Bound now (serving starts last) so the handlers' Lambda client can be pointed at it.
        gateway = GatewayWithDemoSite(self.invoker.invoke, DemoSite(default_web_dir()))
        self.inbox = WebhookInbox(_inbox_secret)
        self._http = HttpGateway(
            gateway, host=self._host, port=self._port, control=control(self, self.inbox)
        )
        os.environ["AWS_ENDPOINT_URL_LAMBDA"] = f"{self._http.url}/local/lambda"
        # Credentials name this gateway as their issuer (docs/credentials.md).
        os.environ.setdefault("GAMIFY_ISSUER_URL", f"{self._http.url}/v1/issuer")
        os.environ.setdefault("BACKFILL_FUNCTION_NAME", f"{FUNCTION_PREFIX}backfill")
        os.environ.setdefault("ERASER_FUNCTION_NAME", f"{FUNCTION_PREFIX}eraser")
        # The stage's event bus, locally: an inspectable JSON-lines log (docs/events.md).
        events_dir = self._state_dir or Path(tempfile.mkdtemp(prefix="gamify-events-"))
        os.environ.setdefault("GAMIFY_EVENT_LOG", str(events_dir / "events.jsonl"))
        os.environ.setdefault("GAMIFY_STAGE", "local")
        # The history lake, locally: a folder DuckDB reads (docs/analytics.md).
        os.environ.setdefault("GAMIFY_LAKE_DIR", str(events_dir / "lake"))
        # Its own receiver is on 127.0.0.1 over http: allowed here only (docs/events.md).
        os.environ.setdefault("GAMIFY_WEBHOOKS_ALLOW_PRIVATE", "true")
        wanted = {r.function for r in ROUTES} | {s.function for s in SCHEDULES}
        wanted |= {"consumer", REMINDER_SENDER, WEBHOOK_SENDER, "backfill", "eraser"}
        wanted |= {s.function for s in STREAMS}
        self._functions = {name: self._importable(name) for name in sorted(wanted)}
        badges = len(composition.badge_repository().load().badges)

        self._sqs = SqsPoller(
            boto3.client("sqs"),
            self.provisioned.queue_url,
            self.provisioned.queue_arn,
            self.invoker.invoke,
            retry_delay_seconds=retry_delay_from_env(),
        ).start()
        # The hourly reminder fan-out enqueues units, this mapping sends them.
        self._reminders = SqsPoller(
            boto3.client("sqs"),
            self.provisioned.reminder_queue_url,
            self.provisioned.reminder_queue_arn,
            self.invoker.invoke,
            function=REMINDER_SENDER,
            spec=REMINDER_QUEUE,
            retry_delay_seconds=retry_delay_from_env(),
        ).start()
        # Webhook deliveries: the local bus forwards each event here, as the bus's rule does.
        self._webhooks = SqsPoller(
            boto3.client("sqs"),
            self.provisioned.webhook_queue_url,
            self.provisioned.webhook_queue_arn,
            self.invoker.invoke,
            function=WEBHOOK_SENDER,
            spec=WEBHOOK_QUEUE,
            retry_delay_seconds=retry_delay_from_env(),
        ).start()
        subscriptions = [Subscription.of(spec) for spec in STREAMS]
        self._stream = StreamPoller(
            boto3.client("dynamodbstreams"),
            self.provisioned.stream_arn,
            self.invoker.invoke,
            [s for s in subscriptions if self._functions.get(s.function)],
            # Restored items are history, not news: the outbox must not push them again.
            iterator_type="LATEST" if self._restored else "TRIM_HORIZON",
        ).start()
        self.scheduler = Scheduler(
            self.invoker.invoke,
            [s for s in SCHEDULES if self._functions.get(s.function)],
            clock=composition.utc_now,  # the stack's clock: a job on the hour follows it
        )
        self._check_cache()
        self.scheduler.start()
        self._http.start()
        self.info = StackInfo(
            base_url=self._http.url,
            aws_endpoint=endpoint,
            redis_kind=self.redis.kind,
            redis_url=self.redis.url,
            badges=badges,
            functions=dict(self._functions),
            state=self._state_description(),
        )
        return self.info

    def _check_cache(self) -> None:
        """The one-minute cache check, run now: before serving (as a fresh deploy's first
        minute would) and after a Redis restart, so an empty Redis gets its boards (and their
        markers) at once, not a minute from now."""
        if not self._functions.get("reconciler"):
            return
        try:
            self.invoker.invoke("reconciler", {"mode": "check"})
        except Exception:
            log.exception("the cache check failed; the one-minute schedule retries it")

    def stop(self) -> None:
        """Stop in reverse order; each part stops even if an earlier one failed to."""
        for part in (
            self._http,
            self.scheduler,
            self._sqs,
            self._reminders,
            self._webhooks,
            self._stream,
            self.redis,
        ):
            if part is None:
                continue
            try:
                part.stop()
            except Exception:
                log.exception("stopping %s failed", type(part).__name__)
        self._http = self.scheduler = self._sqs = self._reminders = self._stream = None
        self._webhooks = None
        self.redis = None
        self._save_state()
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    def _save_state(self) -> None:
        if self._state_dir is None or self.provisioned is None or self._moto is None:
            return
        try:
            count = persistence.save(
                boto3.client("dynamodb"), self.provisioned.table_name, self._state_dir
            )
        except Exception:
            log.exception("saving the local state to %s failed", self._state_dir)
        else:
            log.info("saved %d items to %s", count, self._state_dir)

    def _state_description(self) -> str:
        if self._state_dir is None:
            return "in memory: a restart starts empty (GAMIFY_LOCAL_STATE=<dir> keeps it)"
        return f"kept in {self._state_dir} ({self._restored} items restored)"

    def _start_moto(self) -> str:
        from moto.server import ThreadedMotoServer

        moto_patches.install()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        return f"http://{host}:{port}"

    def _importable(self, name: str) -> bool:
        try:
            return self.invoker.available(name)
        except Exception:
            log.exception("function %s cannot be imported; its routes will fail", name)
            return False

    # -- the local control endpoints -----------------------------------------------------------

    def has_function(self, name: str) -> bool:
        return self._functions.get(name, False) or self._importable(name)

    def invoke_function(self, name: str, event: Any, asynchronous: bool) -> Any:
        """Lambda's Invoke: ``Event`` runs in the background and answers at once."""
        log.info("lambda invoke %s (%s)", name, "Event" if asynchronous else "RequestResponse")
        if not asynchronous:
            return self.invoker.invoke(name, event)

        def run() -> None:
            try:
                self.invoker.invoke(name, event)
            except Exception:
                log.exception("asynchronous invocation of %s failed", name)

        threading.Thread(target=run, name=f"async-{name}", daemon=True).start()
        return None

    def run_job(self, name: str, at: datetime | None, event: dict[str, Any] | None) -> Any:
        scheduler = self._require(self.scheduler)
        if event is not None:
            return self.invoker.invoke(name, event)
        return scheduler.run(name, at)

    def pause_consumer(self) -> None:
        """Hold the activity queue's mapping: activities queue up until ``resume_consumer``."""
        self._require(self._sqs).pause()

    def resume_consumer(self) -> None:
        self._require(self._sqs).resume()

    def consumer_totals(self) -> dict[str, int]:
        """What the activity queue's mapping has received, deleted and failed so far."""
        return dict(self._require(self._sqs).totals)

    def kill_redis(self) -> None:
        self._require(self.redis).kill()

    def restart_redis(self) -> str | None:
        """A replaced node (empty, same port). As on AWS, the one-minute cache check finds the
        boards' markers gone and rebuilds them; until then every board reads stale (a refill
        run here at once would hide that window, which is what the e2e cache tests watch)."""
        self._require(self.redis).restart()
        if not self._functions.get("reconciler"):
            return None
        return "within a minute (the scheduled check): the boards read stale until then"

    def dead_letters(self, limit: int) -> list[dict[str, Any]]:
        provisioned = self._require(self.provisioned)
        return dead_letters.peek(provisioned.dlq_url, limit)

    def redrive_dead_letters(self) -> int:
        provisioned = self._require(self.provisioned)
        return dead_letters.redrive(boto3.client("sqs"), provisioned.dlq_url, provisioned.queue_url)

    def clock(self) -> dict[str, Any]:
        from gamification import composition

        return {
            "now": composition.utc_now().isoformat(),
            "ahead_seconds": composition.STACK_CLOCK.ahead.total_seconds(),
        }

    def advance_clock(self, by: timedelta) -> dict[str, Any]:
        """Move the product's clock forward (never back: what was stored stays in its past).
        The handlers, the jobs and the scheduler read it; Redis, moto and SQS keep real time,
        which only the expiry of keys and messages sees."""
        from gamification import composition

        composition.STACK_CLOCK.ahead += by
        return self.clock()

    def backfill_lake(self, before: datetime) -> dict[str, Any]:
        """Write the lake's rows of everything stored before ``before`` (docs/analytics.md)."""
        import dataclasses

        from gamification import composition

        done = composition.lake_backfill().run(composition.rules()(), before)
        return dataclasses.asdict(done)

    def status(self) -> dict[str, Any]:
        provisioned, info = self._require(self.provisioned), self._require(self.info)
        sqs = boto3.client("sqs")
        return {
            "base_url": info.base_url,
            "aws_endpoint": info.aws_endpoint,
            "redis": {
                "kind": info.redis_kind,
                "url": info.redis_url,
                # Asked now (PING, 0.5 s), never remembered: a Redis can die on its own.
                "running": bool(self.redis and self.redis.answers()),
            },
            "functions": self._functions,
            "jobs": sorted(
                {s.function for s in self.scheduler.schedules} if self.scheduler else []
            ),
            # Read now (one query): an admin's edits count, unlike the banner's figure at start.
            "badges": self._badge_count(),
            "queue": _depth(sqs, provisioned.queue_url),
            "dlq": _depth(sqs, provisioned.dlq_url),
            "sqs_poller": dict(self._sqs.totals) if self._sqs else {},
            "reminder_queue": _depth(sqs, provisioned.reminder_queue_url),
            "reminder_poller": dict(self._reminders.totals) if self._reminders else {},
            "stream_poller": dict(self._stream.totals) if self._stream else {},
            "max_backdate_hours": float(os.environ["GAMIFY_MAX_BACKDATE_HOURS"]),
            "event_log": os.environ.get("GAMIFY_EVENT_LOG", ""),
            "lake_dir": os.environ.get("GAMIFY_LAKE_DIR", ""),
        }

    @staticmethod
    def _badge_count() -> int:
        from gamification import composition

        return len(composition.badge_repository().load().badges)

    @staticmethod
    def _require(part: _T | None) -> _T:
        if part is None:
            raise RuntimeError("the local stack is not running")
        return part


def _depth(sqs: Any, url: str) -> dict[str, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return {
        "visible": int(attributes["ApproximateNumberOfMessages"]),
        "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    }


def _inbox_secret(path: str) -> str | None:
    """The secret of the webhook that delivers to ``path`` (the inbox verifies with it)."""
    from gamification import composition

    for webhook in composition.webhook_repository().all():
        if webhook.url.split("?", 1)[0].endswith(path):
            return composition.secret_sealer().open(webhook.secret, webhook.id)
    return None
