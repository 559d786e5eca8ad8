"""Domain events from the commit to the receiver, with every fault the path can meet.

Hypothesis draws a few users' activities and commits them through the real consumer on moto
(delivered 1-2 times, in any order, in random batches; a commit's response lost after it landed,
so its messages come back; a commit that fails for good, its messages ending in the DLQ). The
table's stream records that carry an outbox (the mapping's filter) then go through the real
publisher: in random batches, each user's records in order, the users' interleaved at random;
an invocation crashing before any PutEvents, entries refused and retried by entry, a PutEvents
whose response is lost after some entries went (the stream batch retried whole, maybe bisected),
a batch redelivered after it succeeded. Every event put on the fake bus becomes a message of the
webhook queue (the bus's rule; sometimes twice) for the real fan-out and sender: messages taken
in any order once visible, redelivered, a fan-out crashing before its deliveries were sent, a
sender crashing between the POST and the message's deletion, endpoints with their own
``event_types`` failing at random then recovering.

Then: every event the committed images carry reaches every endpoint that wants its type and is
accepted there; every copy has the same id and the same body; a receiver that dedupes by id
applies each effect (user, sequence) exactly once; nothing of a rolled-back commit goes out.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from moto import mock_aws

from gamification.adapters import keys
from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.event_bus import detail_of
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.league_repository import LeagueRepository
from gamification.adapters.user_repository import UserRepository
from gamification.adapters.webhook_queue import parse
from gamification.domain.domain_events import stamp
from gamification.domain.event_catalog import DomainEvent
from gamification.domain.game_rules import default_game_rules
from gamification.domain.webhooks import EVENT_ID_HEADER, Delivery
from gamification.local.provision import Provisioned, provision
from gamification.resources import EVENTS
from gamification.services.applier import ActivityApplier
from gamification.services.consumer import QueueConsumer
from gamification.services.event_publisher import EventPublisher
from gamification.services.webhooks import WebhookAdmin, WebhookFanOut, WebhookSender
from tests.fakes.events import FakeDeadLetters, FakeEventBus
from tests.fakes.webhooks import (
    FakeDeliveryQueue,
    FakeSealer,
    FakeWebhookStore,
    ScriptedEndpoint,
)
from tests.fixtures.aws import isolate_moto_transactions
from tests.integration.jobs.support import Stream
from tests.integration.pipeline.support import Clock, Record, activity

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TENANT = "test"
REPORTERS = {
    "post_read": "client",
    "post_completed": "client",
    "comment_left": "client",
    "challenge_solved": "service",
}
WANTED = [
    "xp.awarded",
    "badge.earned",
    "streak.extended",
    "league.joined",
    "level.changed",
    "quest.completed",
    "*",
]
COMMIT_FAULTS = ("none", "lost_response", "rolled_back")
PUBLISH_FAULTS = ("none", "none", "before_put", "lost_response")
PUT_ATTEMPTS = 4
"""The publisher's attempts per entry (as deployed): an entry is refused at most 3 times here, so
none reaches the events DLQ (that path has its example test)."""
VISIBILITY = timedelta(seconds=30)
"""When a message whose handling crashed is received again."""
TIMEOUT = "timeout"


# -- faults at the consumer's commit (botocore hooks on moto's DynamoDB)


class CommitFaults:
    """Sees every profile commit (a PutItem or TransactWriteItems that writes the profile) and
    the events it carries: ``committed`` those that landed, ``rolled_back`` those of a commit
    failed by the fault armed for the next commit (``rolled_back``: before it is sent, nothing
    written); ``lost_response`` lets the next commit land and raises after."""

    def __init__(self, dynamodb: Any) -> None:
        self.pending = "none"
        self.committed: list[DomainEvent] = []
        self.rolled_back: list[DomainEvent] = []
        self.rolled_back_users: list[str] = []
        self._call: list[DomainEvent] | None = None
        self._landing = False
        for call in ("PutItem", "TransactWriteItems"):
            dynamodb.meta.events.register(f"before-parameter-build.dynamodb.{call}", self._before)
            dynamodb.meta.events.register(f"after-call.dynamodb.{call}", self._after)

    @contextmanager
    def arm(self, fault: str) -> Iterator[None]:
        self.pending = fault
        try:
            yield
        finally:
            self.pending = "none"
            self._landing = False

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        items = [params["Item"]] if "Item" in params else []
        items += [t["Put"]["Item"] for t in params.get("TransactItems", []) if "Put" in t]
        profiles = [i for i in items if i.get("SK", {}).get("S") == keys.PROFILE_SK]
        self._call = None
        if not profiles:
            return
        image = {k: TypeDeserializer().deserialize(v) for k, v in profiles[0].items()}
        outbox = outbox_of_image(image)
        self._call = (
            stamp(outbox[2], tenant=TENANT, user_id=outbox[0], version=outbox[1]) if outbox else []
        )
        if self.pending == "rolled_back":
            self.pending = "none"
            self.rolled_back_users.append(keys.user_id_from_pk(str(image["PK"])))
            self.rolled_back += self._call
            self._call = None
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "injected"}},
                "TransactWriteItems",
            )
        if self.pending == "lost_response":
            self.pending = "none"
            self._landing = True

    def _after(self, http_response: Any, **_: Any) -> None:
        if self._call is not None and http_response.status_code == 200:
            self.committed += self._call  # it landed, whatever the caller hears
        self._call = None
        if self._landing:
            self._landing = False
            raise ConnectionError("injected: the commit landed, its response was lost")


# -- the edges' fakes, with the crashes this test needs


class Bus(FakeEventBus):
    """The fake bus; ``lose_at``: the put (0 = the next) whose response is lost after it took
    its entries."""

    lose_at: int | None = None

    def put(self, events: Any) -> dict[str, str]:
        if self.lose_at is not None:
            if self.lose_at == 0:
                self.lost_responses = 1
            self.lose_at -= 1
        return super().put(events)


class CrashingQueue(FakeDeliveryQueue):
    """The delivery queue; ``crash_next_send``: the fan-out dies before its messages are sent
    (after its places in line were taken)."""

    crash_next_send = False

    def send(self, deliveries: Any, delay_seconds: int = 0) -> None:
        if self.crash_next_send:
            self.crash_next_send = False
            raise ConnectionError("injected: the fan-out crashed before sending")
        super().send(deliveries, delay_seconds)


@dataclass
class World:
    """One moto stack for every example (each example has its own users)."""

    stack: Provisioned
    consumer: QueueConsumer
    faults: CommitFaults
    stream: Stream

    def empty_table(self) -> None:
        """Delete the earlier examples' items: moto copies the whole table at every
        TransactWriteItems, so a table left growing slows every later commit."""
        table = boto3.resource("dynamodb").Table(self.stack.table_name)
        with table.batch_writer() as batch:
            for item in table.scan(ProjectionExpression="PK, SK")["Items"]:
                batch.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
        self.stream.read()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        isolate_moto_transactions(patch)
        stack = provision("evprop")
        dynamodb = boto3.client("dynamodb")
        rules = default_game_rules()
        users = UserRepository(dynamodb, stack.table_name, fast_path=True)
        leagues = LeagueRepository(
            dynamodb, stack.table_name, cohort_size=rules.leagues.cohort_size
        )
        applier = ActivityApplier(users, lambda: rules, Clock(NOW), seats=leagues)
        consumer = QueueConsumer(
            applier, DeadLetterQueue(boto3.client("sqs"), stack.dlq_url), lambda: rules
        )
        yield World(stack, consumer, CommitFaults(dynamodb), Stream(stack.table_name))


_examples = count()

activities = st.lists(
    st.tuples(st.sampled_from(sorted(REPORTERS)), st.integers(0, 4), st.integers(0, 40)),
    min_size=1,
    max_size=6,
)
failure_scripts = st.lists(st.sampled_from([200, 500, 503, TIMEOUT]), max_size=6)


@settings(
    max_examples=20,
    # No shrinking: an example runs moto and hundreds of queue steps, and shrinking one took
    # over five minutes; a failure prints its draws as found.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    per_user=st.lists(activities, min_size=1, max_size=3),
    endpoints=st.lists(
        st.tuples(st.sets(st.sampled_from(WANTED), min_size=1, max_size=3), failure_scripts),
        min_size=1,
        max_size=3,
    ),
    data=st.data(),
)
def test_each_committed_event_reaches_each_matching_endpoint_with_one_id(
    world: World,
    per_user: list[list[tuple[str, int, int]]],
    endpoints: list[tuple[set[str], list[int | str]]],
    data: st.DataObject,
) -> None:
    world.empty_table()
    example = next(_examples)
    rolled_back_before = len(world.faults.rolled_back)
    committed_before = len(world.faults.committed)

    # 1. Commits: the real consumer on moto, at least once, in any order, faults armed.
    messages: list[Record] = []
    for u, drawn in enumerate(per_user):
        for n, (type_, obj, hours_ago) in enumerate(drawn):
            text = activity(
                user_id=f"x{example}u{u}",
                type_=type_,
                object_id=f"{type_}-{obj}",
                at=NOW - timedelta(hours=hours_ago),
                source=REPORTERS[type_],
            ).model_dump_json()
            copies = data.draw(st.integers(1, 2), label="queue deliveries")
            messages += [Record(f"x{example}u{u}a{n}c{c}", text) for c in range(copies)]
    queue = deque(data.draw(st.permutations(messages), label="queue order"))
    rounds = 0
    while queue:
        rounds += 1
        size = data.draw(st.integers(1, 6), label="consumer batch")
        taken = [queue.popleft() for _ in range(min(size, len(queue)))]
        fault = data.draw(st.sampled_from(COMMIT_FAULTS), label="commit fault")
        given_up = len(world.faults.rolled_back_users)
        with world.faults.arm(fault if rounds < 30 else "none"):
            report = world.consumer.consume(taken)
        again = [r for r in taken if r.message_id in report.failed_message_ids]
        dropped = set(world.faults.rolled_back_users[given_up:])
        if dropped:
            # That user's commit fails on every receive: its messages end in the DLQ.
            lost = {r.body for r in again if json.loads(r.body)["user_id"] in dropped}
            again = [r for r in again if r.body not in lost]
            queue = deque(r for r in queue if r.body not in lost)
        queue.extend(again)

    # What the commits carry: the truth every later step is held to.
    records = [r for r in world.stream.read() if EVENTS.accepts(r)]  # the mapping's filter
    truth = EventPublisher(FakeEventBus(), FakeDeadLetters(), outbox_of_image, TENANT)
    committed = {e.id: e for e in truth.events_in(_images(records))}
    # The stream carries exactly the commits that landed, nothing of one that failed.
    landed = {e.id: e for e in world.faults.committed[committed_before:]}
    assert committed == landed
    rolled_back = {e.id for e in world.faults.rolled_back[rolled_back_before:]} - set(landed)
    if rolled_back:
        event("a rolled-back commit had events of its own")
    note(f"{len(committed)} events committed, {len(rolled_back)} rolled back")

    # 2. The stream to the bus: the real publisher, per user in order, users interleaved.
    bus, dead = Bus(), FakeDeadLetters()
    publisher = EventPublisher(
        bus, dead, outbox_of_image, TENANT, attempts=PUT_ATTEMPTS, sleep=lambda _: None
    )
    by_user: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
    for r in records:
        by_user[r["dynamodb"]["Keys"]["PK"]["S"]].append(r)
    turns = [pk for pk, rs in by_user.items() for _ in rs]
    merged = [by_user[pk].popleft() for pk in data.draw(st.permutations(turns), label="shards")]
    pending: deque[list[dict[str, Any]]] = deque()
    while merged:
        size = data.draw(st.integers(1, 4), label="stream batch")
        pending.append(merged[:size])
        merged = merged[size:]
    rounds = 0
    while pending:
        rounds += 1
        batch = pending.popleft()
        fault = data.draw(st.sampled_from(PUBLISH_FAULTS), label="publish fault")
        fault = fault if rounds < 40 else "none"
        events = publisher.events_in(_images(batch))
        refused = st.sets(st.integers(0, len(events) - 1)) if events else st.just(set())
        for i in data.draw(refused, label="refused entries"):
            bus.refusals[events[i].id] = data.draw(
                st.integers(1, PUT_ATTEMPTS - 1), label="refusals"
            )
        bus.lose_at = (
            data.draw(st.integers(0, len(events) // 10 + 1), label="lost put")
            if fault == "lost_response"
            else None
        )
        if bus.refusals:
            event("PutEvents refused some entries")
        try:
            if fault == "before_put":
                raise ConnectionError("injected: the publisher died before any PutEvents")
            publisher.publish(events)
        except ConnectionError:
            event(f"a stream batch failed: {fault}")
            # The mapping retries the batch whole, or bisects it.
            if len(batch) > 1 and data.draw(st.booleans(), label="bisect"):
                half = len(batch) // 2
                pending.extendleft([batch[half:], batch[:half]])
            else:
                pending.appendleft(batch)
        else:
            if data.draw(st.booleans(), label="stream redelivered"):
                pending.appendleft(batch)
        finally:
            bus.lose_at, bus.lost_responses = None, 0
            bus.refusals.clear()
    assert not dead.letters
    if len(bus.sent) > len(committed):
        event("the bus got some events more than once")

    # 3. The bus's rule to the webhook queue, the fan-out and the sender.
    store, deliveries = FakeWebhookStore(), CrashingQueue()
    admin = WebhookAdmin(store, lambda: NOW, sealer=FakeSealer(), new_secret=lambda: "k" * 32)
    receivers: dict[str, ScriptedEndpoint] = {}
    for n, (types, script) in enumerate(endpoints):
        url = f"https://e{n}.example.com/"
        admin.put(f"e{n}", {"url": url, "event_types": sorted(types)})
        receivers[url] = ScriptedEndpoint(
            *[TimeoutError("read timed out") if s == TIMEOUT else int(s) for s in script]
        )

    class Router:
        def post(self, url, headers, body, timeout):  # type: ignore[no-untyped-def]
            return receivers[url].post(url, headers, body, timeout)

    clock = [NOW]
    rng = data.draw(st.randoms(use_true_random=True), label="webhook queue")
    sender = WebhookSender(
        store,
        Router(),
        deliveries,
        lambda: clock[0],
        jitter=rng.random,
        lines=store.lines,
        sealer=FakeSealer(),
    )
    fan_out = WebhookFanOut(store, deliveries, lambda: clock[0], store.lines)
    inbox: list[tuple[datetime, str | Delivery]] = []
    for e in bus.sent:
        rule = {"source": "gamify", "detail-type": e.type, "detail": json.loads(detail_of(e))}
        inbox += [(NOW, json.dumps(rule))] * (2 if rng.random() < 0.1 else 1)
    steps = 0
    while inbox:
        steps += 1
        assert steps < 20_000, "the webhook queue never drained"
        visible = [i for i, (at, _) in enumerate(inbox) if at <= clock[0]]
        if not visible:
            clock[0] = min(at for at, _ in inbox)
            continue
        _, message = inbox.pop(rng.choice(visible))
        crash = steps < 2_000 and rng.random() < 0.2
        received_again = crash  # died before the message was deleted: received again
        if isinstance(message, str):
            deliveries.crash_next_send = crash and rng.random() < 0.5
            try:
                fan_out.fan_out(_as_event(parse(message)))
            except ConnectionError:
                event("a fan-out crashed before sending")
                received_again = True
            finally:
                deliveries.crash_next_send = False  # a fan-out to no endpoint sends nothing
        else:
            sender.attempt(message)
        if received_again:
            inbox.append((clock[0] + VISIBILITY, message))
        for delivery, delay in deliveries.messages:
            copies = 2 if rng.random() < 0.05 else 1  # SQS: at least once
            inbox += [(clock[0] + timedelta(seconds=delay), delivery)] * copies
        deliveries.messages.clear()
        clock[0] += timedelta(seconds=1)

    # At least once, never invented: the bus holds exactly the committed events, each copy equal.
    assert {e.id for e in bus.sent} == set(committed)
    for e in bus.sent:
        assert e == committed[e.id]
    assert all(calls <= 10 for calls in bus.calls)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for n, (types, _) in enumerate(endpoints):
        receiver = receivers[f"https://e{n}.example.com/"]
        wanted = {i for i, e in committed.items() if "*" in types or e.type in types}
        ids = [headers[EVENT_ID_HEADER] for _, headers, _ in receiver.received]
        assert set(ids) == wanted  # every matching event attempted, nothing else
        assert not set(ids) & rolled_back
        seen: set[str] = set()
        applied: list[tuple[str, int]] = []  # a receiver that dedupes by id
        for (_, headers, body), answer in zip(receiver.received, receiver.answers, strict=True):
            envelope = json.loads(body)
            assert envelope["id"] == headers[EVENT_ID_HEADER]
            assert envelope == json.loads(detail_of(committed[envelope["id"]]))
            bodies[envelope["id"]].add(body)
            if answer == 200 and envelope["id"] not in seen:
                seen.add(envelope["id"])
                applied.append((envelope["user_id"], envelope["sequence"]))
        assert seen == wanted  # each accepted at least once
        effects = Counter(applied)
        assert effects == Counter(
            {(e.user_id, e.sequence): 1 for i, e in committed.items() if i in wanted}
        )
    assert all(len(copies) == 1 for copies in bodies.values())  # the same body every time


def _images(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The new images as the publisher's handler reads them (Powertools' data class)."""
    stream = DynamoDBStreamEvent({"Records": records})
    return [r.dynamodb.new_image for r in stream.records if r.dynamodb is not None]


def _as_event(message: Any) -> dict[str, Any]:
    assert isinstance(message, dict), "the rule's message is an event"
    return message
