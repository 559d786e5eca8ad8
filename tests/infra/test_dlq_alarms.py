"""A failed record in each dead-letter queue notifies exactly once, and a drained queue is OK.

The queues are the template's own (created in moto with the template's redrive policies), the
failures arrive the way they do on AWS (SQS moving a message after ``maxReceiveCount`` receives;
the consumer, Lambda's on-failure destination or EventBridge sending one), and the alarms are the
synthesized ones, evaluated minute by minute by ``alarm_evaluator`` from their definition. The
only emulation is CloudWatch's sampling: each minute the queue's attributes become the
``AWS/SQS`` datapoints, and an empty queue nobody touched that minute reports nothing (SQS
publishes no metrics for an inactive queue).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.infra.alarm_evaluator import AlarmDefinition, Series, transitions_to_alarm
from tests.infra.conftest import Synthesis

NOW = datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)
"""A Thursday night at a year turn: moto stamps the letters and the age is read on one moved
clock (ticking), so neither depends on the day the suite runs."""
pytestmark = pytest.mark.time_machine(NOW)

# The SQS queue attribute behind each CloudWatch metric the alarms read.
_ATTRIBUTE = {
    "ApproximateNumberOfMessagesVisible": "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
}
_STATISTICS: dict[str, Callable[[list[float]], float]] = {
    "Maximum": max,
    "Minimum": min,
    "Sum": sum,
}


@dataclass
class Queues:
    """The template's queues in moto, by logical id, sampled once a simulated minute."""

    sqs: Any
    urls: dict[str, str]
    redrive_sources: dict[str, tuple[str, int]]  # DLQ -> (source queue, maxReceiveCount)
    samples: dict[str, list[dict[str, int] | None]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def sample(self) -> None:
        """One minute of CloudWatch datapoints for every queue."""
        for logical_id, url in self.urls.items():
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=list(_ATTRIBUTE.values())
            )["Attributes"]
            values = {metric: int(attributes[a]) for metric, a in _ATTRIBUTE.items()}
            idle = not any(values.values()) and logical_id not in self.touched
            values["ApproximateAgeOfOldestMessage"] = _oldest_age_seconds(url)
            self.samples.setdefault(logical_id, []).append(None if idle else values)
        self.touched.clear()

    def datapoints(self, stat: Mapping[str, Any], minutes: int) -> Series:
        """The query's datapoints: the minute samples aggregated by its period and statistic."""
        metric = stat["Metric"]
        assert metric["Namespace"] == "AWS/SQS", stat
        ((dimension,),) = [metric["Dimensions"]]
        assert dimension["Name"] == "QueueName"
        logical_id, attribute = dimension["Value"]["Fn::GetAtt"]
        assert attribute == "QueueName"
        per_period = int(stat["Period"]) // 60
        aggregate = _STATISTICS[stat["Stat"]]
        samples = self.samples[logical_id][:minutes]
        series: Series = []
        for start in range(0, len(samples), per_period):
            values = [
                float(sample[metric["MetricName"]])
                for sample in samples[start : start + per_period]
                if sample is not None
            ]
            series.append(aggregate(values) if values else None)
        return series

    # --- how failures arrive --------------------------------------------------------------

    def fail_into(self, dlq: str, how: str) -> None:
        if how == "redrive":
            source, max_receives = self.redrive_sources[dlq]
            self.sqs.send_message(QueueUrl=self.urls[source], MessageBody='{"poison": true}')
            for _ in range(max_receives + 1):  # received and never deleted: SQS moves it
                self.sqs.receive_message(QueueUrl=self.urls[source], VisibilityTimeout=0)
            self.touched.add(source)
        else:  # the consumer's poison letter, Lambda's or EventBridge's failure record
            self.sqs.send_message(QueueUrl=self.urls[dlq], MessageBody='{"failed": true}')
        self.touched.add(dlq)

    def peek(self, dlq: str) -> None:
        """An operator looks at the letters: they go in flight for a while, nothing arrives."""
        self.sqs.receive_message(
            QueueUrl=self.urls[dlq], MaxNumberOfMessages=10, VisibilityTimeout=120
        )
        self.touched.add(dlq)

    def drain(self, dlq: str) -> None:
        url = self.urls[dlq]
        self.sqs.purge_queue(QueueUrl=url)
        self.touched.add(dlq)


def _oldest_age_seconds(url: str) -> int:
    """ApproximateAgeOfOldestMessage, which SQS publishes but does not return as an attribute:
    read from moto's queue in this process."""
    from gamification.local.dead_letters import _moto_queue

    sent = [int(m.sent_timestamp) for m in _moto_queue(url).messages]
    return (int(time.time() * 1000) - min(sent)) // 1000 if sent else 0


def _create_queues(synth: Synthesis) -> Queues:
    sqs: Any = boto3.client("sqs", region_name="us-east-1")
    queues = synth.of_type("AWS::SQS::Queue")
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    sources: dict[str, tuple[str, int]] = {}
    ordered = sorted(queues, key=lambda q: "RedrivePolicy" in queues[q]["Properties"])
    for logical_id in ordered:
        props = queues[logical_id]["Properties"]
        attributes: dict[str, Any] = {
            key: str(props[key])
            for key in ("MessageRetentionPeriod", "VisibilityTimeout")
            if key in props
        }
        if "RedrivePolicy" in props:
            policy = props["RedrivePolicy"]
            dlq = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
            sources[dlq] = (logical_id, int(policy["maxReceiveCount"]))
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arns[dlq], "maxReceiveCount": policy["maxReceiveCount"]}
            )
        urls[logical_id] = sqs.create_queue(QueueName=logical_id, Attributes=attributes)["QueueUrl"]
        arns[logical_id] = sqs.get_queue_attributes(
            QueueUrl=urls[logical_id], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
    return Queues(sqs=sqs, urls=urls, redrive_sources=sources)


def _dead_letter_queues(synth: Synthesis) -> dict[str, str]:
    """Every queue that receives failures, and how: a redrive policy's target (SQS moves the
    message), or a Lambda / event source / EventBridge failure destination (a send)."""
    found: dict[str, str] = {}
    for queue in synth.of_type("AWS::SQS::Queue").values():
        policy = queue["Properties"].get("RedrivePolicy")
        if policy:
            found[policy["deadLetterTargetArn"]["Fn::GetAtt"][0]] = "redrive"
    destinations = []
    for resource in synth.resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] in {
            "AWS::Lambda::EventInvokeConfig",
            "AWS::Lambda::EventSourceMapping",
        }:
            destinations.append(props.get("DestinationConfig", {}).get("OnFailure", {}))
        if resource["Type"] == "AWS::Events::Rule":
            destinations += [t.get("DeadLetterConfig", {}) for t in props.get("Targets", [])]
    text = json.dumps(destinations)
    for logical_id in synth.of_type("AWS::SQS::Queue"):
        if f'["{logical_id}", "Arn"]' in text and logical_id not in found:
            found[logical_id] = "send"
    return found


def _alarms_reading(synth: Synthesis, queue: str) -> dict[str, AlarmDefinition]:
    alarms = {}
    for logical_id, alarm in synth.of_type("AWS::CloudWatch::Alarm").items():
        if f'["{queue}", "QueueName"]' in json.dumps(alarm["Properties"]):
            alarms[logical_id] = AlarmDefinition.from_template(logical_id, alarm)
    return alarms


@pytest.fixture
def moto_queues(default_synth: Synthesis) -> Iterator[Queues]:
    with mock_aws():
        yield _create_queues(default_synth)


def test_the_stack_has_four_dead_letter_queues(default_synth: Synthesis) -> None:
    """The activity, reminder and webhook DLQs (redrive), the failed-invocations queue (sends).
    (The events DLQ is written by the publisher itself, like the consumer's poison messages.)"""
    stack = default_synth.stack
    expected = {
        default_synth.logical_id(stack.queue.dead_letter_queue): "redrive",
        default_synth.logical_id(stack.jobs.reminder_queue.dead_letter_queue): "redrive",
        default_synth.logical_id(stack.domain_events.webhook_queue.dead_letter_queue): "redrive",
        default_synth.logical_id(stack.failures.queue): "send",
    }
    assert _dead_letter_queues(default_synth) == expected


@pytest.mark.parametrize(
    "kind", ["activity", "reminder", "webhook", "events", "failed-invocations"]
)
def test_each_failure_notifies_once_and_a_drained_queue_is_ok(
    kind: str, default_synth: Synthesis, moto_queues: Queues
) -> None:
    stack = default_synth.stack
    dlq = default_synth.logical_id(
        {
            "activity": stack.queue.dead_letter_queue,
            "reminder": stack.jobs.reminder_queue.dead_letter_queue,
            "webhook": stack.domain_events.webhook_queue.dead_letter_queue,
            "events": stack.domain_events.dead_letters,
            "failed-invocations": stack.failures.queue,
        }[kind]
    )
    # The events DLQ is written by the publisher's own SendMessage (not in the template's wiring).
    how = "send" if kind == "events" else _dead_letter_queues(default_synth)[dlq]
    # Minute by minute: idle, a failure, nobody drains, an operator peeks, a second failure
    # (the activity DLQ's from the consumer directly), then the queue is drained.
    script: dict[int, tuple[str, str]] = {
        3: ("fail", how),
        6: ("peek", ""),
        9: ("fail", "send" if kind == "activity" else how),
        13: ("drain", ""),
    }
    minutes = 18
    for minute in range(minutes):
        action, detail = script.get(minute, ("", ""))
        if action == "fail":
            moto_queues.fail_into(dlq, detail)
        elif action == "peek":
            moto_queues.peek(dlq)
        elif action == "drain":
            moto_queues.drain(dlq)
        moto_queues.sample()
    assert moto_queues.samples[dlq][0] is None  # idle at first: no datapoints at all
    sample = moto_queues.samples[dlq][12]
    assert sample is not None
    assert {k: v for k, v in sample.items() if "Number" in k} == {
        "ApproximateNumberOfMessagesVisible": 1,  # the second letter
        "ApproximateNumberOfMessagesNotVisible": 1,  # the first, peeked at: still there
    }

    alarms = _alarms_reading(default_synth, dlq)
    assert alarms, f"no alarm reads {dlq}"
    notified: dict[str, list[int]] = {}
    final: dict[str, str] = {}
    for logical_id, alarm in alarms.items():
        states = alarm.states(alarm.series(moto_queues.datapoints, minutes))
        if transitions := transitions_to_alarm(states):
            notified[logical_id] = transitions
        final[logical_id] = states[-1]
    # Exactly one alarm notifies, once per failure, though the first letter was never drained.
    assert list(notified.values()) == [[3, 9]], notified
    ((arrival_alarm, _),) = notified.items()
    assert final[arrival_alarm] == "OK"  # after the drain, and after each arrival
    properties = default_synth.resources[arrival_alarm]["Properties"]
    assert len(properties["AlarmActions"]) == 1  # one notification path: the alarm topic
    for composite in default_synth.of_type("AWS::CloudWatch::CompositeAlarm").values():
        assert arrival_alarm not in json.dumps(composite["Properties"]["AlarmRule"])


def test_the_old_depth_alarm_would_have_stayed_in_alarm(
    default_synth: Synthesis, moto_queues: Queues
) -> None:
    """The evaluator is not generous: a depth alarm (the definition before issue #26) on the
    failed-invocations queue notifies for the first failure only and never returns to OK."""
    dlq = default_synth.logical_id(default_synth.stack.failures.queue)
    depth = AlarmDefinition(
        logical_id="DepthAlarm",
        queries=(
            {
                "Id": "m",
                "ReturnData": True,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/SQS",
                        "MetricName": "ApproximateNumberOfMessagesVisible",
                        "Dimensions": [
                            {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}
                        ],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            },
        ),
        comparison="GreaterThanOrEqualToThreshold",
        threshold=1,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        missing="notBreaching",
    )
    for minute in range(12):
        if minute in {2, 7}:
            moto_queues.fail_into(dlq, "send")
        moto_queues.sample()
    states = depth.states(depth.series(moto_queues.datapoints, 12))
    assert transitions_to_alarm(states) == [2]
    assert states[-1] == "ALARM"
