"""The alarm rules of issue #26, read from the synthesized templates.

* every alarm (and the composite) notifies on ALARM and on OK, and names a section of
  docs/runbook.md that exists;
* no alarm fires on a single datapoint of a metric that is non-zero in normal operation: which
  metrics those are is data here (``NORMALLY_NONZERO``), and every metric an alarm reads must be
  classified, so a new alarm cannot slip past the rule;
* every schedule has a heartbeat that treats missing data as breaching, over at least two of
  its intervals;
* a composite "service degraded" alarm exists and watches the user-facing alarms.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import Synthesis

REPO = Path(__file__).resolve().parents[2]
SYNTHS = ["default_synth", "alternative_synth"]
RUNBOOK = REPO / "docs" / "runbook.md"
_ANCHOR = re.compile(r"Runbook: docs/runbook\.md#([a-z0-9-]+)")
CUSTOM = "<stack namespace>"
"""Stands for ``StackConfig.metrics_namespace`` (the metrics our functions publish)."""

NORMALLY_NONZERO: frozenset[tuple[str, str]] = frozenset(
    {
        ("AWS/ApiGateway", "5XXError"),  # a board's 503 before its first snapshot, timeouts
        ("AWS/ApiGateway", "Count"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/Lambda", "Errors"),  # a failed reminder unit or batch, retried by SQS
        ("AWS/Lambda", "Invocations"),
        ("AWS/Lambda", "Throttles"),  # bursts, retried
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),  # of a working queue
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/DynamoDB", "SystemErrors"),  # the SDK retries the odd one
        ("AWS/ElastiCache", "ThrottledCmds"),  # while serverless scales
        ("AWS/ElastiCache", "TotalCmdsCount"),
        ("AWS/ElastiCache", "ElastiCacheProcessingUnits"),
        ("AWS/ElastiCache", "BytesUsedForCache"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
        ("AWS/ElastiCache", "EngineCPUUtilization"),
        ("AWS/Events", "Invocations"),
        (CUSTOM, "CacheUnreachable"),  # a failover drops connections for seconds
    }
)
"""Metrics that are above zero in a healthy stack, now and then or always."""
NORMALLY_ZERO: frozenset[tuple[str, str]] = frozenset(
    {
        # The depth of a dead-letter or failed-invocations queue (the arrival alarms difference
        # it: a new failure is never normal).
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "ApproximateNumberOfMessagesNotVisible"),
        (CUSTOM, "LeagueWeekOpen"),
        (CUSTOM, "ReminderShardsLate"),
        (CUSTOM, "WebhookEndpointsFailing"),
        (CUSTOM, "WebhookEndpointsPaused"),
        (CUSTOM, "WebhooksRefused"),
        (CUSTOM, "DriftSampleRate"),  # an hour's minimum: zero unless every check drifted
    }
)
_GREATER = {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold"}


def _metrics_read(synth: Synthesis, props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    namespace = synth.stack.config.metrics_namespace

    def named(metric: dict[str, Any]) -> tuple[str, str]:
        space = metric["Namespace"]
        return (CUSTOM if space == namespace else space, metric["MetricName"])

    if "MetricName" in props:
        yield named(props)
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            yield named(query["MetricStat"]["Metric"])


def _single_datapoint_on_normally_nonzero(synth: Synthesis) -> list[str]:
    found = []
    for logical_id, alarm in synth.of_type("AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        datapoints = int(props.get("DatapointsToAlarm", props["EvaluationPeriods"]))
        read = set(_metrics_read(synth, props))
        if props["ComparisonOperator"] in _GREATER and read & NORMALLY_NONZERO and datapoints < 2:
            found.append(logical_id)
    return found


def _all_alarms(synth: Synthesis) -> dict[str, dict[str, Any]]:
    return {
        **synth.of_type("AWS::CloudWatch::Alarm"),
        **synth.of_type("AWS::CloudWatch::CompositeAlarm"),
    }


def _runbook_anchors() -> set[str]:
    return set(re.findall(r'<a id="([a-z0-9-]+)"></a>', RUNBOOK.read_text(encoding="utf-8")))


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_alarm_notifies_and_names_a_runbook_section_that_exists(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    anchors = _runbook_anchors()
    alarms = _all_alarms(synth)
    assert len(alarms) > 30
    for logical_id, alarm in alarms.items():
        props = alarm["Properties"]
        assert props.get("AlarmActions"), f"{logical_id} notifies no one in ALARM"
        assert props.get("OKActions"), f"{logical_id} does not say when it is over"
        found = _ANCHOR.findall(props["AlarmDescription"])
        assert len(found) == 1, f"{logical_id} names no runbook section"
        assert found[0] in anchors, f"{logical_id}: docs/runbook.md has no #{found[0]}"


def test_every_runbook_section_belongs_to_an_alarm(default_synth: Synthesis) -> None:
    """No stale sections: each anchor is named by an alarm of one of the configurations (the
    node-based cache's two only by the alternative synthesis)."""
    named = {
        anchor
        for alarm in _all_alarms(default_synth).values()
        for anchor in _ANCHOR.findall(alarm["Properties"]["AlarmDescription"])
    }
    assert _runbook_anchors() - named == {"cache-memory-high", "cache-cpu-high"}


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_metric_an_alarm_reads_is_classified(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    read = {
        metric
        for alarm in synth.of_type("AWS::CloudWatch::Alarm").values()
        for metric in _metrics_read(synth, alarm["Properties"])
    }
    assert read - NORMALLY_NONZERO - NORMALLY_ZERO == set()


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_no_single_datapoint_alarm_on_a_metric_that_is_normally_nonzero(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    assert _single_datapoint_on_normally_nonzero(synth) == []


def test_the_rule_sees_a_single_datapoint_alarm(default_synth: Synthesis) -> None:
    """Not vacuous: the 5xx alarm as it was before issue #26 (one datapoint) is reported."""
    template = copy.deepcopy(default_synth.template)
    api_5xx = default_synth.logical_id(default_synth.stack.observability.alarms["Api5xxRate"])
    template["Resources"][api_5xx]["Properties"].update(EvaluationPeriods=1, DatapointsToAlarm=1)
    broken = Synthesis(stack=default_synth.stack, template=template, outdir=default_synth.outdir)
    assert _single_datapoint_on_normally_nonzero(broken) == [api_5xx]


def _rate_minutes(expression: str) -> int:
    """The interval of an EventBridge schedule: ``rate(N unit)`` or a cron on minutes."""
    if match := re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression):
        return int(match[1]) * {"minute": 1, "hour": 60, "day": 1440}[match[2]]
    match = re.fullmatch(r"cron\((\S+) \* \* \* \? \*\)", expression)
    assert match, expression
    minute = match[1]
    return 60 if minute.isdigit() else int(minute.split("/")[1])


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_schedule_has_a_heartbeat_where_missing_data_is_breaching(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    rules = {
        logical_id: rule["Properties"]["ScheduleExpression"]
        for logical_id, rule in synth.of_type("AWS::Events::Rule").items()
        if "ScheduleExpression" in rule["Properties"]
    }
    assert len(rules) == 7  # resources.SCHEDULES (the consumer's: team quests' payouts)
    for rule_id, expression in rules.items():
        heartbeats = [
            alarm["Properties"]
            for alarm in synth.of_type("AWS::CloudWatch::Alarm").values()
            if alarm["Properties"].get("Namespace") == "AWS/Events"
            and alarm["Properties"].get("Dimensions")
            == [{"Name": "RuleName", "Value": {"Ref": rule_id}}]
        ]
        assert len(heartbeats) == 1, rule_id
        (props,) = heartbeats
        assert props["MetricName"] == "Invocations"
        assert props["Statistic"] == "Sum"
        assert props["TreatMissingData"] == "breaching"
        assert props["ComparisonOperator"] == "LessThanThreshold"
        assert props["Threshold"] == 1
        assert props["DatapointsToAlarm"] == props["EvaluationPeriods"]
        window_minutes = props["Period"] * props["EvaluationPeriods"] / 60
        assert window_minutes >= max(2 * _rate_minutes(expression), 15), (rule_id, expression)
        # Each period holds at least one run, so a healthy schedule never breaches.
        assert props["Period"] / 60 >= min(_rate_minutes(expression), 1440)


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_a_composite_alarm_says_the_service_is_degraded(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    composites = synth.of_type("AWS::CloudWatch::CompositeAlarm")
    assert list(composites) == [synth.logical_id(synth.stack.observability.service_degraded)]
    (composite,) = composites.values()
    rule = json.dumps(composite["Properties"]["AlarmRule"])
    watched = set(re.findall(r'"Fn::GetAtt": \["([A-Za-z0-9]+)", "Arn"\]', rule))
    alarms = synth.stack.observability.alarms
    expected = {"Api5xxRate", "ApiLatencyP99", "QueueBacklogAge", "ProjectorLag"}
    expected |= {"CacheUnreachable", "TableThrottles", "TableSystemErrors", "ConsumerErrorRate"}
    expected |= {"CacheThrottled"} if synth.stack.cache.serverless else {"CacheCpuHigh"}
    assert watched == {synth.logical_id(alarms[name]) for name in expected}
    assert rule.count("ALARM(") == len(expected)


def test_each_function_has_an_error_rate_alarm(default_synth: Synthesis) -> None:
    """One per function, reading that function's errors and invocations (a deployment of the
    function can roll back on it: ``Observability.error_rate_alarm``)."""
    stack = default_synth.stack
    assert set(stack.observability.function_error_alarms) == set(stack.functions)
    for name, fn in stack.functions.items():
        alarm = default_synth.resource(stack.observability.error_rate_alarm(name))
        function_id = default_synth.logical_id(fn.function)
        stats = [q["MetricStat"] for q in alarm["Properties"]["Metrics"] if "MetricStat" in q]
        assert {s["Metric"]["MetricName"] for s in stats} == {"Errors", "Invocations"}
        for stat in stats:
            assert stat["Metric"]["Dimensions"] == [
                {"Name": "FunctionName", "Value": {"Ref": function_id}}
            ]


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_function_logs_json(synth_name: str, request: pytest.FixtureRequest) -> None:
    """Lambda's own lines (START, REPORT, timeouts) as JSON with the request id, like
    Powertools' lines, at the configured level."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    level = {"WARNING": "WARN"}.get(synth.stack.config.log_level, synth.stack.config.log_level)
    for name, fn in synth.stack.functions.items():
        logging = synth.resource(fn.function)["Properties"]["LoggingConfig"]
        assert logging["LogFormat"] == "JSON", name
        assert logging["ApplicationLogLevel"] == level, name
        assert logging["SystemLogLevel"] == "INFO", name
