"""At least once per event and endpoint, whatever the queue does; exactly once for a receiver
that dedupes by the event id.

The queue redelivers messages (SQS is at least once), hands them over in any order, and a
sender may crash after the POST but before its message is deleted (so the attempt runs again);
endpoints fail at random. Every event reaches every endpoint that wants its type, every copy
carries the same id and body, and deduping by id leaves exactly the expected (endpoint, event)
pairs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.webhooks import EVENT_ID_HEADER
from gamification.services.webhooks import WebhookAdmin, WebhookFanOut, WebhookSender
from tests.fakes.webhooks import FakeDeliveryQueue, FakeSealer, FakeWebhookStore, ScriptedEndpoint

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TYPES = ["badge.earned", "xp.awarded", "level.changed"]


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(st.sampled_from(TYPES), min_size=1, max_size=8),
    wanted=st.lists(st.sets(st.sampled_from([*TYPES, "*"]), min_size=1), min_size=1, max_size=3),
    failures=st.lists(st.booleans(), max_size=40),
    data=st.data(),
)
def test_each_event_reaches_each_endpoint_and_dedupes_to_once(
    events: list[str], wanted: list[set[str]], failures: list[bool], data: st.DataObject
) -> None:
    store, queue = FakeWebhookStore(), FakeDeliveryQueue()
    endpoints = {}
    admin = WebhookAdmin(store, lambda: NOW, sealer=FakeSealer(), new_secret=lambda: "k" * 32)
    for n, types in enumerate(wanted):
        admin.put(f"e{n}", {"url": f"https://e{n}.example.com/", "event_types": sorted(types)})
        endpoints[f"https://e{n}.example.com/"] = ScriptedEndpoint(
            *[500 if f else 200 for f in failures]
        )

    class Router:
        def post(self, url, headers, body, timeout):  # type: ignore[no-untyped-def]
            return endpoints[url].post(url, headers, body, timeout)

    clock = [NOW]
    sender = WebhookSender(
        store,
        Router(),
        queue,
        lambda: clock[0],
        jitter=lambda: 0.0,
        lines=store.lines,
        sealer=FakeSealer(),
    )
    fan_out = WebhookFanOut(store, queue, lambda: clock[0], store.lines)
    sent = [{"id": f"evt_{i}", "type": t, "data": {}} for i, t in enumerate(events)]
    for event in sent:
        fan_out.fan_out(event)
        if data.draw(st.booleans(), label="the bus delivered the event twice"):
            fan_out.fan_out(event)

    inbox = list(queue.take())
    while inbox:
        index = data.draw(st.integers(0, len(inbox) - 1), label="which message next")
        delivery = inbox.pop(index)
        sender.attempt(delivery)
        if data.draw(st.booleans(), label="crash before the delete: redelivered"):
            inbox.append(delivery)
        clock[0] += timedelta(seconds=1)
        inbox += queue.take()

    for n, types in enumerate(wanted):
        endpoint = endpoints[f"https://e{n}.example.com/"]
        expected = {e["id"] for e in sent if "*" in types or e["type"] in types}
        ids = [headers[EVENT_ID_HEADER] for _, headers, _ in endpoint.received]
        assert set(ids) == expected  # attempted, nothing else
        accepted = {i for i, answer in zip(ids, endpoint.answers, strict=True) if answer == 200}
        assert accepted == expected  # each accepted at least once: a dedupe by id sees one
        for _, headers, body in endpoint.received:
            assert json.loads(body)["id"] == headers[EVENT_ID_HEADER]  # the same id every time
