"""What one unit of traffic uses, measured through the real handlers: the cost model's inputs.

``python -m benchmarks costs`` and ``make costs`` price these counts; nothing here is typed in
by hand. :class:`Rig` runs the product the way the local stack does (moto, a real
``redis-server``, every function's real ``lambda_handler``, the SQS and stream mappings driven
one poll at a time) and meters, for each scenario:

- **AWS requests** per service and operation (every botocore call of every handler and of the
  mappings' own ``ReceiveMessage``/``DeleteMessageBatch``);
- **DynamoDB units as billed**, including **index writes**: before and after every write the
  item is read from moto's backend, so a write unit is billed per started KB of the larger
  version (x2 in a transaction) and each GSI is billed by AWS's rules (a key change is a delete
  and a put; an item whose projection did not change writes nothing) whatever API the write path
  uses (``PutItem``, ``UpdateItem``, a transaction);
- **Lambda invocations** per function and **Redis commands** (``INFO commandstats``, a script's
  inner commands included; ElastiCache bills ≈ 1 ECPU per command under 1 KB);
- **log bytes** our code writes (Powertools' JSON lines, at the stack's ``LOG_LEVEL``) and the
  **custom metrics** the functions emit (Powertools EMF: metric name x dimension set).

Counts are exact (moto answers every request; no clock or machine speed enters them); what
cannot be counted here (durations, cold starts, the platform's log lines) is a named assumption
in ``benchmarks.cost_model``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.client
import redis
from moto import mock_aws

from benchmarks.cost_model import FIREHOSE_RECORD_ROUNDING
from gamification.adapters.dynamo_codec import item_size
from gamification.resources import QUEUE, SCHEDULES, STREAMS, TABLE, IndexSpec

KB = 1024
ACCOUNT = "123456789012"
REGION = "us-east-1"
LOG_LEVEL = "INFO"
"""``LOG_LEVEL`` when the template gives none (``infra.config.StackConfig.log_level``)."""
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
LIBRARIES = ("botocore", "boto3", "urllib3", "s3transfer", "moto", "gamify.local", "redis", "jsii")
IGNORED_REDIS = {"info", "ping", "hello", "client", "auth", "select", "flushall", "flushdb"}


@dataclass
class Usage:
    """Everything one scenario used (totals; divide by its units of traffic)."""

    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(function or ``mapping``, service, operation) -> calls."""
    invocations: Counter[str] = field(default_factory=Counter)
    """function -> invocations."""
    read_units: float = 0.0
    write_units: float = 0.0
    """Table write units (transactional items twice)."""
    index_write_units: float = 0.0
    index_write_units_by_index: Counter[str] = field(default_factory=Counter)
    redis_commands: Counter[str] = field(default_factory=Counter)
    """function -> Redis commands its invocations ran."""
    log_bytes: int = 0
    log_lines: int = 0
    metrics: set[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=set)
    """(function, metric name, dimensions other than ``service``) emitted."""
    api_requests: int = 0
    bus_events: int = 0
    """Entries put on the event bus (PutEvents bills each)."""
    bus_event_bytes: int = 0
    lake_billed_bytes: int = 0
    """Bytes Firehose bills for the lake's records (each rounded up to 5 KB)."""
    errors: list[str] = field(default_factory=list)
    """Messages of the ERROR lines the functions logged: a measurement with any is void (a
    failing path is not the traffic priced, and a traceback's bytes depend on the checkout)."""

    def count(self, service: str, function: str | None = None) -> int:
        return sum(
            n for (f, s, _), n in self.requests.items() if s == service and function in (None, f)
        )


# -- DynamoDB units as billed, from moto's stored items ----------------------------------------


def _units(size: int) -> int:
    return max(1, math.ceil(size / KB))


def _projected(spec: IndexSpec, item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The item as ``spec``'s index holds it (``None``: not in the index, a sparse key)."""
    if item is None or spec.partition_key not in item or spec.sort_key not in item:
        return None
    if spec.projection == "ALL":
        return dict(item)
    names = {TABLE.partition_key, TABLE.sort_key, spec.partition_key, spec.sort_key}
    if spec.projection == "INCLUDE":
        names |= set(spec.included)
    return {n: v for n, v in item.items() if n in names}


def index_writes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, int]:
    """Write units each GSI is billed for one item changing from ``old`` to ``new``."""
    billed: dict[str, int] = {}
    for spec in TABLE.indexes:
        before, after = _projected(spec, old), _projected(spec, new)
        if before == after:
            continue
        units = 0
        moved = (
            before is not None
            and after is not None
            and (
                before[spec.partition_key] != after[spec.partition_key]
                or before[spec.sort_key] != after[spec.sort_key]
            )
        )
        if before is not None and (after is None or moved):
            units += _units(item_size(before))  # the old index row is deleted
        if after is not None:
            units += _units(item_size(after))
        billed[spec.name] = units
    return billed


class DynamoMeter:
    """Bills the DynamoDB requests it is shown, reading old and new items from moto."""

    def __init__(self, usage: Usage) -> None:
        self._usage = usage

    def _table(self, name: str) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[ACCOUNT][REGION].get_table(name)

    def _stored(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        found = self._table(table).get_item(
            DynamoType(key[TABLE.partition_key]), DynamoType(key[TABLE.sort_key])
        )
        return None if found is None else dict(found.to_json()["Attributes"])

    def _targets(self, operation: str, params: Mapping[str, Any]) -> list[tuple[str, Any, int]]:
        """(table, key, factor) of every item a write request touches."""
        keyed = (TABLE.partition_key, TABLE.sort_key)

        def key_of(action: Mapping[str, Any]) -> dict[str, Any]:
            source = action.get("Key") or action["Item"]
            return {k: source[k] for k in keyed}

        if operation == "TransactWriteItems":
            return [
                (action["TableName"], key_of(action), 2)
                for entry in params.get("TransactItems", [])
                for action in entry.values()
            ]
        if operation == "BatchWriteItem":
            return [
                (table, key_of(next(iter(request.values()))), 1)
                for table, requests in params.get("RequestItems", {}).items()
                for request in requests
            ]
        return [(params["TableName"], key_of(params), 1)]

    def before(self, operation: str, params: Mapping[str, Any]) -> list[Any]:
        if operation not in WRITES:
            return []
        return [(t, k, f, self._stored(t, k)) for t, k, f in self._targets(operation, params)]

    def after(
        self, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any], seen: list[Any]
    ) -> None:
        usage = self._usage
        for table, key, factor, old in seen:
            new = self._stored(table, key)
            sizes = [item_size(i) for i in (old, new) if i is not None]
            usage.write_units += factor * _units(max(sizes, default=0))
            for index, units in index_writes(old, new).items():
                usage.index_write_units += units
                usage.index_write_units_by_index[index] += units
        # A read is billed by the whole stored item, whatever its projection returns.
        if operation == "GetItem":
            found = self._stored(params["TableName"], params["Key"]) if parsed else None
            self._read([found], bool(params.get("ConsistentRead")), each=True)
        elif operation == "BatchGetItem":
            for table, request in params.get("RequestItems", {}).items():
                unprocessed = parsed.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
                items = [self._stored(table, k) for k in request["Keys"] if k not in unprocessed]
                self._read(items, bool(request.get("ConsistentRead")), each=True)
        elif operation in ("Query", "Scan"):
            self._read(parsed.get("Items", []), bool(params.get("ConsistentRead")), each=False)

    def _read(self, items: list[Any], consistent: bool, *, each: bool) -> None:
        sizes = [item_size(i) if i else 0 for i in items]
        if each:
            units = sum(max(1, math.ceil(s / (4 * KB))) for s in sizes)
        else:  # a query rounds the total of its page once
            units = max(1, math.ceil(sum(sizes) / (4 * KB)))
        self._usage.read_units += units if consistent else units / 2


@contextlib.contextmanager
def metered_aws(usage: Usage, caller: Callable[[], str]) -> Iterator[None]:
    """Count every botocore call made inside the block and bill DynamoDB's."""
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]
    meter = DynamoMeter(usage)

    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        usage.requests[(caller(), service, operation)] += 1
        if service == "events" and operation == "PutEvents":
            usage.bus_events += len(params["Entries"])
            usage.bus_event_bytes += sum(len(e.get("Detail", "")) for e in params["Entries"])
        if service == "firehose" and operation == "PutRecordBatch":
            rounding = FIREHOSE_RECORD_ROUNDING
            usage.lake_billed_bytes += sum(
                -(-len(r["Data"]) // rounding) * rounding for r in params["Records"]
            )
        if service != "dynamodb":
            return original(client, operation, params)
        seen = meter.before(operation, params)
        try:
            parsed = original(client, operation, params)
        except client.exceptions.ClientError:
            meter.after(operation, params, {}, seen)
            raise
        meter.after(operation, params, parsed, seen)
        return parsed

    botocore.client.BaseClient._make_api_call = call  # type: ignore[attr-defined]
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[attr-defined]


# -- logs and metrics ---------------------------------------------------------------------------


class _Capture(io.StringIO):
    """One invocation's output. A logger made during an invocation binds its handler to this
    (``sys.stdout`` then); later invocations move it to theirs."""


@contextlib.contextmanager
def captured_output() -> Iterator[io.StringIO]:
    """What the functions print (EMF) and log (every stream handler pointing at stdout)."""
    buffer = _Capture()
    outputs = {id(sys_stdout) for sys_stdout in _stdouts()}
    moved: list[tuple[logging.StreamHandler[Any], Any]] = []
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    for lg in loggers:
        for handler in lg.handlers:
            if not isinstance(handler, logging.StreamHandler):
                continue
            if id(handler.stream) in outputs or isinstance(handler.stream, _Capture):
                moved.append((handler, handler.setStream(buffer)))
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        for handler, stream in moved:
            handler.setStream(stream)


def _stdouts() -> list[Any]:
    import sys

    return [s for s in (sys.stdout, sys.__stdout__) if s is not None]


def account_output(usage: Usage, function: str, text: str) -> None:
    """Split a function's output into EMF blobs (custom metrics) and log lines (bytes)."""
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            blob = json.loads(raw)
        except ValueError:
            blob = None
        line = raw
        if isinstance(blob, dict):
            blob = as_deployed(function, blob)
            line = json.dumps(blob, separators=(",", ":"), default=str)
        if isinstance(blob, dict) and blob.get("level") in ("ERROR", "CRITICAL"):
            usage.errors.append(f"{function}: {blob.get('message')}")
        if isinstance(blob, dict) and "_aws" in blob:
            for directive in blob["_aws"].get("CloudWatchMetrics", []):
                for dimensions in directive.get("Dimensions", [[]]):
                    named = tuple(
                        sorted((d, str(blob.get(d))) for d in dimensions if d != "service")
                    )
                    for metric in directive.get("Metrics", []):
                        usage.metrics.add((function, metric["Name"], named))
        usage.log_lines += 1  # an EMF blob is ingested as a log event too
        usage.log_bytes += len(line.encode())


API_FUNCTIONS = frozenset({"ingest", "query", "account", "admin"})


def as_deployed(function: str, blob: dict[str, Any]) -> dict[str, Any]:
    """A JSON line as ``function`` writes it on Lambda, warm. In one process Powertools loggers
    are shared: one made by another function (or test) earlier carries its name, context and
    keys; on Lambda each function has its own process."""
    out = dict(blob)
    if "service" in out:
        out["service"] = function
    if "cold_start" in out:
        out["cold_start"] = False
    if "function_name" in out:
        name = f"gamify-{function}"
        out["function_name"] = name
        out["function_arn"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        out["function_memory_size"] = 1024
        out["function_request_id"] = "00000000-0000-0000-0000-000000000000"
        if function not in API_FUNCTIONS:
            out.pop("correlation_id", None)
    return out


# -- the rig ------------------------------------------------------------------------------------


class Rig:
    """The product on moto and a real Redis, with every part metered into :attr:`usage`."""

    def __init__(self, redis_url: str, environment: Mapping[str, str] | None = None) -> None:
        self._redis_url = redis_url
        self._function_environment = {
            k: v
            for k, v in (environment or {}).items()
            if not k.startswith(("REDIS_", "POWERTOOLS_"))
        }
        self._caller = "mapping"
        self.usage = Usage()
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Rig:
        from gamification import composition
        from gamification.local import moto_patches
        from gamification.local.handlers import Invoker
        from gamification.local.http_gateway import Gateway
        from gamification.local.provision import provision

        stack = self._stack
        environment = stack.enter_context(
            _environment({**self._function_environment, "REDIS_URL": self._redis_url})
        )
        stack.enter_context(mock_aws())
        moto_patches.install()
        provisioned = provision("cost")
        import boto3

        boto3.client("events").create_event_bus(Name="gamify-cost")
        # The history lake's stream (Firehose to S3; moto keeps the records as objects).
        boto3.client("s3").create_bucket(Bucket="gamify-cost-lake")
        boto3.client("firehose").create_delivery_stream(
            DeliveryStreamName="gamify-cost-lake",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": "arn:aws:s3:::gamify-cost-lake",
            },
        )
        wiring = {
            **provisioned.environment(),
            "EVENT_BUS_NAME": "gamify-cost",
            "LAKE_STREAM_NAME": "gamify-cost-lake",
            "GAMIFY_STAGE": "cost",
        }
        os.environ.update(wiring)
        environment.update(wiring)
        composition.reset()
        stack.callback(composition.reset)
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self.provisioned = provisioned
        self._invoker = Invoker(prefix="gamify")
        self._gateway = Gateway(self.invoke)
        self._redis = redis.Redis.from_url(self._redis_url, decode_responses=True)
        self._redis.flushall()
        stack.callback(self._redis.close)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    # -- metering ---------------------------------------------------------------------------

    def _redis_commands(self) -> int:
        stats = self._redis.info("commandstats")
        return sum(
            int(v["calls"])
            for k, v in stats.items()
            if k.removeprefix("cmdstat_").split("|")[0] not in IGNORED_REDIS
        )

    @contextlib.contextmanager
    def metering(self) -> Iterator[Usage]:
        """Meter into a fresh :class:`Usage` (what happened before is not counted)."""
        self.usage = measured = Usage()
        try:
            with metered_aws(measured, lambda: self._caller):
                yield measured
        finally:
            self.usage = Usage()  # what runs after the block is not this block's

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        self.usage.invocations[function] += 1
        os.environ["POWERTOOLS_SERVICE_NAME"] = function
        before = self._redis_commands()
        self._caller = function
        with captured_output() as output:
            try:
                return self._invoker.invoke(function, event)
            finally:
                self._caller = "mapping"
                account_output(self.usage, function, output.getvalue())
                self.usage.redis_commands[function] += self._redis_commands() - before

    # -- traffic ----------------------------------------------------------------------------

    def api(
        self, method: str, target: str, user: str, body: Any = None, *, admin: bool = False
    ) -> Any:
        from gamification.local.apigateway import Request
        from gamification.local.auth import dev_token

        headers = [("Authorization", f"Bearer {dev_token(user, admin=admin)}")]
        raw = b""
        if body is not None:
            headers.append(("Content-Type", "application/json"))
            raw = json.dumps(body).encode()
        self.usage.api_requests += 1
        response = self._gateway.handle(Request(method, target, headers, raw))
        if response.status >= 300:
            raise RuntimeError(f"{method} {target}: {response.status} {response.body!r}")
        return response

    def drain(self) -> None:
        """Run the activity queue's mapping until the queue is empty, and after every batch the
        stream's mappings (each subscriber invoked once per batch of new records)."""
        import boto3

        from gamification.local.sqs_poller import SqsPoller
        from gamification.local.stream_poller import StreamPoller, Subscription

        if not hasattr(self, "_sqs_poller"):
            provisioned = self.provisioned
            self._sqs_poller = SqsPoller(
                boto3.client("sqs"),
                provisioned.queue_url,
                provisioned.queue_arn,
                self.invoke,
                spec=QUEUE,
                wait_seconds=0,
            )
            self._stream_poller = StreamPoller(
                boto3.client(
                    "dynamodbstreams",
                    endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
                ),
                provisioned.stream_arn,
                self.invoke,
                [Subscription.of(spec) for spec in STREAMS],
            )
        while self._sqs_poller.poll_once().received:
            self._stream_poller.poll_once()
        self._stream_poller.poll_once()

    def allow_private_webhooks(self) -> None:
        """Let webhooks reach a receiver on this machine (the local stack's setting): the
        measured requests are the same as to a public endpoint."""
        from gamification import composition

        os.environ["GAMIFY_WEBHOOKS_ALLOW_PRIVATE"] = "true"
        composition.reset()

    def webhook_events(self, events: list[dict[str, Any]]) -> None:
        """Put ``events`` on the webhook queue as the bus's rule does (one ``SendMessage`` per
        event, EventBridge's), then run the webhook queue's mapping until it is empty: the
        fan-out into one delivery per endpoint, then each delivery's attempt."""
        import boto3

        from gamification.local.sqs_poller import SqsPoller
        from gamification.resources import WEBHOOK_QUEUE

        provisioned = self.provisioned
        sqs = boto3.client("sqs")
        url = provisioned.webhook_queue_url
        for event in events:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"detail": event}))
        poller = SqsPoller(
            sqs,
            url,
            provisioned.webhook_queue_arn,
            self.invoke,
            function="webhooks",
            spec=WEBHOOK_QUEUE,
            wait_seconds=0,
        )
        while poller.poll_once().received:
            pass

    def scheduled(self, label: str, at: datetime) -> Any:
        from gamification.local.scheduler import scheduled_event

        schedule = next((s for s in SCHEDULES if s.name == label), None)
        if schedule is None:
            known = ", ".join(sorted(s.name for s in SCHEDULES))
            raise LookupError(f"no schedule named {label!r} (the schedules: {known})")
        event = dict(schedule.job_input or scheduled_event(schedule.function, at))
        return self.invoke(schedule.function, event)


@contextlib.contextmanager
def _environment(given: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """The variables a deployed function has; the whole environment is restored afterwards."""
    level = given.get("LOG_LEVEL", LOG_LEVEL)
    wanted = {
        "AWS_ACCESS_KEY_ID": "cost",
        "AWS_SECRET_ACCESS_KEY": "cost",
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_METRICS_NAMESPACE": "Gamify",
        "POWERTOOLS_METRICS_DISABLED": "false",
        "POWERTOOLS_TRACE_DISABLED": "true",
        **given,
        "POWERTOOLS_LOG_LEVEL": level,
        "LOG_LEVEL": level,
    }
    snapshot = dict(os.environ)
    os.environ.update(wanted)
    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    levels = {lg: lg.level for lg in _all_loggers()}
    for lg in levels:
        if lg.name.startswith(LIBRARIES):
            continue
        if lg.level and lg.level != logging.getLevelName(level):
            lg.setLevel(level)  # loggers made before (another test) log as deployed
    try:
        yield dict(wanted)
    finally:
        for lg, before in levels.items():
            lg.setLevel(before)
        # Everything the rig set (the provisioned stack's names too) goes: a later test in this
        # process, or a subprocess it starts, sees the environment it had before.
        os.environ.clear()
        os.environ.update(snapshot)


def _all_loggers() -> list[logging.Logger]:
    return [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]


def now() -> datetime:
    return datetime.now(UTC)
