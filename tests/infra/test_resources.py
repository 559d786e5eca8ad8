"""The synthesized template has the settings the design relies on.

Queue and table settings are compared with ``gamification.resources`` (the spec the local stack
builds moto from), so the template cannot drift from what the tests run against.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match

from gamification.api.auth import ADMIN_GROUP
from gamification.resources import (
    QUEUE,
    REMINDER_QUEUE,
    ROUTES,
    SCHEDULES,
    STREAM,
    STREAMS,
    TABLE,
    Schedule,
    StreamSpec,
)
from gamification.services.board_truth import DRIFT_RATE_THRESHOLD
from infra.constructs.api import Auth, gateway_auth
from infra.constructs.functions import SELF_INVOKE_ENV
from infra.constructs.leaderboard_cache import NODES_PORT
from tests.infra.conftest import Synthesis


def _function(synth: Synthesis, name: str) -> dict[str, Any]:
    props: dict[str, Any] = synth.resource(synth.stack.functions[name].function)["Properties"]
    return props


def _ref_id(expression: dict[str, Any]) -> str:
    if "Ref" in expression:
        return str(expression["Ref"])
    return str(expression["Fn::GetAtt"][0])


# --- queue and dead-letter queue ------------------------------------------------------------


def test_queue_visibility_is_at_least_six_times_the_consumer_timeout(
    default_synth: Synthesis,
) -> None:
    queue = default_synth.resource(default_synth.stack.queue.queue)["Properties"]
    consumer = _function(default_synth, "consumer")
    assert consumer["Timeout"] == QUEUE.consumer_timeout_seconds
    assert queue["VisibilityTimeout"] == QUEUE.visibility_timeout_seconds
    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]


def test_queue_has_a_dead_letter_queue_encryption_and_retention(default_synth: Synthesis) -> None:
    stack = default_synth.stack
    queue = default_synth.resource(stack.queue.queue)["Properties"]
    dlq = default_synth.resource(stack.queue.dead_letter_queue)["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {
            "Fn::GetAtt": [default_synth.logical_id(stack.queue.dead_letter_queue), "Arn"]
        },
        "maxReceiveCount": QUEUE.max_receive_count,
    }
    assert queue["MessageRetentionPeriod"] == QUEUE.retention_seconds
    assert dlq["MessageRetentionPeriod"] == QUEUE.dlq_retention_seconds
    for props in default_synth.of_type("AWS::SQS::Queue").values():
        assert props["Properties"]["SqsManagedSseEnabled"] is True


def test_every_queue_and_topic_refuses_plain_http(default_synth: Synthesis) -> None:
    insecure = {"Bool": {"aws:SecureTransport": "false"}}
    for kind, policy_type in (
        ("SQS::Queue", "SQS::QueuePolicy"),
        ("SNS::Topic", "SNS::TopicPolicy"),
    ):
        policies = default_synth.of_type(f"AWS::{policy_type}").values()
        guarded = {
            _ref_id(target)
            for policy in policies
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Deny" and statement.get("Condition") == insecure
            for target in policy["Properties"].get("Queues", policy["Properties"].get("Topics"))
        }
        assert guarded == set(default_synth.of_type(f"AWS::{kind}"))


def test_consumer_event_source_uses_the_queue_spec(default_synth: Synthesis) -> None:
    default_synth.assertions.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {
                "Fn::GetAtt": [default_synth.logical_id(default_synth.stack.queue.queue), "Arn"]
            },
            "FunctionName": default_synth.alias_function_name(
                default_synth.stack.processing.consumer
            ),
            "BatchSize": QUEUE.batch_size,
            "MaximumBatchingWindowInSeconds": QUEUE.max_batching_window_seconds,
            "ScalingConfig": {"MaximumConcurrency": QUEUE.max_concurrency},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_reminder_worker_reads_its_queue_one_unit_at_a_time(default_synth: Synthesis) -> None:
    jobs = default_synth.stack.jobs
    queue = default_synth.resource(jobs.reminder_queue.queue)["Properties"]
    worker = _function(default_synth, "reminder_sender")
    assert worker["Timeout"] == REMINDER_QUEUE.consumer_timeout_seconds
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == REMINDER_QUEUE.max_receive_count
    assert queue["MessageRetentionPeriod"] == REMINDER_QUEUE.retention_seconds
    default_synth.assertions.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {
                "Fn::GetAtt": [default_synth.logical_id(jobs.reminder_queue.queue), "Arn"]
            },
            "FunctionName": default_synth.alias_function_name(jobs.reminder_sender),
            "BatchSize": REMINDER_QUEUE.batch_size,
            "ScalingConfig": {"MaximumConcurrency": REMINDER_QUEUE.max_concurrency},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_the_late_reminder_alarm_watches_the_fan_outs_metric_hourly(
    default_synth: Synthesis,
) -> None:
    """``ReminderShardsLate`` >= 1 in an hour alarms (the job tests: the fan-out emits it for an
    hour whose shards did not all finish)."""
    alarm = default_synth.resource(default_synth.stack.observability.alarms["ReminderShardsLate"])
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("Gamify", "ReminderShardsLate")
    assert props["Dimensions"] == [{"Name": "service", "Value": "reminder_fanout"}]
    assert (props["Statistic"], props["Period"], props["Threshold"]) == ("Maximum", 3600, 1)
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_the_drift_alarm_fires_only_when_every_sampled_check_of_an_hour_drifted(
    default_synth: Synthesis,
) -> None:
    """One drifting check starts a rebuild and is no page; the hour's *minimum* at or above the
    rebuild threshold means the rebuilds do not hold (the job tests: the handler emits the rate)."""
    alarm = default_synth.resource(
        default_synth.stack.observability.alarms["LeaderboardDriftPersists"]
    )
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("Gamify", "DriftSampleRate")
    assert props["Dimensions"] == [{"Name": "service", "Value": "reconciler"}]
    assert (props["Statistic"], props["Period"]) == ("Minimum", 3600)
    assert props["Threshold"] == 100 * DRIFT_RATE_THRESHOLD  # the metric is a percentage
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


# --- table ----------------------------------------------------------------------------------


def test_table_matches_the_spec_the_local_stack_uses(default_synth: Synthesis) -> None:
    table = default_synth.resource(default_synth.stack.data.table)["Properties"]
    local = TABLE.create_table_kwargs("ignored")
    assert table["KeySchema"] == local["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        local["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    for expected in local["GlobalSecondaryIndexes"]:
        index = indexes.pop(expected["IndexName"])
        assert index["KeySchema"] == expected["KeySchema"]
        assert index["Projection"] == expected["Projection"]
    assert indexes == {}, "index in the template but not in the spec"
    assert table["StreamSpecification"] == {"StreamViewType": TABLE.stream_view}


def test_table_is_on_demand_with_pitr_ttl_and_retained(default_synth: Synthesis) -> None:
    resource = default_synth.resource(default_synth.stack.data.table)
    table = resource["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": TABLE.ttl_attribute,
        "Enabled": True,
    }
    assert table["DeletionProtectionEnabled"] is True
    assert resource["DeletionPolicy"] == "Retain"


# --- network, cache, TLS --------------------------------------------------------------------


IN_VPC = {"query", "projector", "reconciler"}


@pytest.mark.parametrize("synth_name", ["default_synth", "alternative_synth"])
def test_only_redis_functions_run_in_the_vpc_all_in_one_group(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    lambda_group = synth.logical_id(synth.stack.network.lambda_security_group)
    in_vpc = set()
    for name in synth.stack.functions:
        vpc_config = _function(synth, name).get("VpcConfig")
        if vpc_config:
            in_vpc.add(name)
            assert vpc_config["SecurityGroupIds"] == [{"Fn::GetAtt": [lambda_group, "GroupId"]}]
            assert len(vpc_config["SubnetIds"]) == len(synth.stack.network.vpc.availability_zones)
    assert in_vpc == IN_VPC


@pytest.mark.parametrize("synth_name", ["default_synth", "alternative_synth"])
def test_backfill_runs_outside_the_vpc_without_redis(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """It continues a long walk by invoking itself, through the Lambda API, which the VPC cannot
    reach; the scores it changes reach the boards through the projector instead."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    backfill = _function(synth, "backfill")
    assert "VpcConfig" not in backfill
    assert not set(backfill["Environment"]["Variables"]) & REDIS_ENV


def test_vpc_has_no_internet_path(default_synth: Synthesis) -> None:
    for kind in ("AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EIP"):
        assert default_synth.of_type(kind) == {}
    subnets = default_synth.of_type("AWS::EC2::Subnet").values()
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets)


@pytest.mark.parametrize("synth_name", ["default_synth", "alternative_synth"])
def test_serverless_at_rest_no_paid_networking_and_no_cache_password(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """The idle bill is the cache's minimum: no interface endpoint, no NAT gateway, no secret
    holding a cache password, and the consumer (the busiest function) outside the VPC."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    template = synth.assertions
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::SecretsManager::Secret", 0)
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint")
    assert [e["Properties"].get("VpcEndpointType") for e in endpoints.values()] == ["Gateway"]
    assert (
        template.find_resources(
            "AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Interface"}}
        )
        == {}
    )
    consumer = synth.resource(synth.stack.functions["consumer"].function)["Properties"]
    assert "VpcConfig" not in consumer
    for user in synth.of_type("AWS::ElastiCache::User").values():
        assert "Passwords" not in user["Properties"]["AuthenticationMode"]


def test_the_only_endpoint_is_dynamodb_s_free_gateway(default_synth: Synthesis) -> None:
    (endpoint,) = default_synth.of_type("AWS::EC2::VPCEndpoint").values()
    assert endpoint["Properties"]["ServiceName"]["Fn::Join"][1][-1] == ".dynamodb"
    assert endpoint["Properties"]["VpcEndpointType"] == "Gateway"


def _ingress_rules(synth: Synthesis, group_id: str) -> list[dict[str, Any]]:
    group = synth.resources[group_id]["Properties"]
    rules = list(group.get("SecurityGroupIngress", []))
    rules += [
        r["Properties"]
        for r in synth.of_type("AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    return rules


@pytest.mark.parametrize(
    ("synth_name", "ports"),
    [("default_synth", (6379, 6380)), ("alternative_synth", (NODES_PORT, NODES_PORT))],
)
def test_only_the_lambda_group_reaches_redis(
    synth_name: str, ports: tuple[int, int], request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    cache_group = synth.logical_id(synth.stack.cache.security_group)
    lambda_group = synth.logical_id(synth.stack.network.lambda_security_group)
    rules = _ingress_rules(synth, cache_group)
    assert rules, "the cache must be reachable from the functions"
    for rule in rules:
        assert set(rule) >= {"SourceSecurityGroupId", "FromPort", "ToPort"}
        assert not {"CidrIp", "CidrIpv6", "SourcePrefixListId"} & set(rule)
        assert rule["SourceSecurityGroupId"] == {"Fn::GetAtt": [lambda_group, "GroupId"]}
        assert (rule["FromPort"], rule["ToPort"]) == ports
    # And no other group lets anything in from anywhere but the functions' group.
    for group_id in synth.of_type("AWS::EC2::SecurityGroup"):
        for rule in _ingress_rules(synth, group_id):
            assert rule.get("SourceSecurityGroupId") == {"Fn::GetAtt": [lambda_group, "GroupId"]}


def test_serverless_cache_is_private_authenticated_and_tls_only(default_synth: Synthesis) -> None:
    cache = default_synth.resource(default_synth.stack.cache.resource)["Properties"]
    subnets = {
        default_synth.logical_id(subnet)
        for subnet in default_synth.stack.network.vpc.isolated_subnets
    }
    assert cache["Engine"] == "valkey"
    assert {s["Ref"] for s in cache["SubnetIds"]} == subnets
    assert cache["SecurityGroupIds"] == [
        {
            "Fn::GetAtt": [
                default_synth.logical_id(default_synth.stack.cache.security_group),
                "GroupId",
            ]
        }
    ]
    assert cache["UserGroupId"] == "gamify-dev-users"
    # Serverless caches accept TLS only; the functions are told to use it (rediss://).
    for name in IN_VPC:
        variables = _function(default_synth, name)["Environment"]["Variables"]
        assert variables["REDIS_URL"]["Fn::Join"][1][0] == "rediss://"
        assert variables["REDIS_IAM_USER"] == "gamify-dev-app"
        assert variables["REDIS_CACHE_NAME"] == "gamify-dev"
        assert variables["REDIS_CACHE_SERVERLESS"] == "true"


def test_node_based_cache_requires_tls_encrypts_at_rest_and_is_multi_az(
    alternative_synth: Synthesis,
) -> None:
    group = alternative_synth.resource(alternative_synth.stack.cache.resource)["Properties"]
    assert group["TransitEncryptionEnabled"] is True
    assert group["TransitEncryptionMode"] == "required"
    assert group["AtRestEncryptionEnabled"] is True
    assert group["UserGroupIds"] == ["gamify-prod-users"]
    assert group["MultiAZEnabled"] is True
    assert group["AutomaticFailoverEnabled"] is True
    assert group["NumCacheClusters"] == 2
    assert group["Port"] == NODES_PORT


@pytest.mark.parametrize("synth_name", ["default_synth", "alternative_synth"])
def test_the_app_user_signs_in_with_iam_and_the_default_user_is_off(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    stage = "dev" if synth_name == "default_synth" else "prod"
    users = {
        u["Properties"]["UserName"]: u["Properties"]
        for u in synth.of_type("AWS::ElastiCache::User").values()
    }
    assert set(users) == {f"gamify-{stage}-app", "default"}
    app = users[f"gamify-{stage}-app"]
    # IAM authentication needs the user id to equal the user name.
    assert app["UserId"] == app["UserName"]
    assert app["AuthenticationMode"] == {"Type": "iam"}
    assert "-@dangerous" in app["AccessString"]
    assert users["default"]["AccessString"].startswith("off")


# --- schedules, outbox ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "expression"),
    [("reminder_fanout", "cron(0 * * * ? *)"), ("reconciler", "rate(1 day)")],
)
def test_schedules_target_their_job_with_retries_and_a_dead_letter_queue(
    default_synth: Synthesis, job: str, expression: str
) -> None:
    stack = default_synth.stack
    default_synth.assertions.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": expression,
            "State": "ENABLED",
            "Targets": [
                Match.object_like(
                    {
                        "Arn": default_synth.alias_ref(stack.functions[job]),
                        "DeadLetterConfig": {
                            "Arn": {
                                "Fn::GetAtt": [
                                    default_synth.logical_id(stack.failures.queue),
                                    "Arn",
                                ]
                            }
                        },
                        "RetryPolicy": Match.object_like({"MaximumRetryAttempts": 2}),
                    }
                )
            ],
        },
    )


def _period(expression: str) -> tuple[int, bool]:
    """(minutes between runs, on the clock) of the schedule expressions the stack uses."""
    if rate := re.fullmatch(r"rate\((\d+) minutes?\)", expression):
        return int(rate[1]), False
    if rate := re.fullmatch(r"rate\((\d+) hours?\)", expression):
        return int(rate[1]) * 60, False
    if rate := re.fullmatch(r"rate\((\d+) days?\)", expression):
        return int(rate[1]) * 1440, False
    if cron := re.fullmatch(r"cron\((?:0|0/(\d+)) \* \* \* \? \*\)", expression):
        return int(cron[1] or 60), True
    raise AssertionError(f"unexpected schedule expression {expression}")


@pytest.mark.parametrize("job", SCHEDULES, ids=lambda job: job.name)
def test_schedules_are_the_ones_the_local_stack_runs(
    default_synth: Synthesis, job: Schedule
) -> None:
    rule = default_synth.resource(default_synth.stack.jobs.schedules[job.name])
    assert _period(rule["Properties"]["ScheduleExpression"]) == (job.rate_minutes, job.on_the_clock)
    assert set(default_synth.stack.jobs.schedules) == {s.name for s in SCHEDULES}
    (target,) = rule["Properties"]["Targets"]
    if job.job_input is None:
        assert "Input" not in target  # EventBridge's own "Scheduled Event"
    else:
        assert json.loads(target["Input"]) == job.job_input


def test_the_cache_check_runs_every_minute_and_asks_for_the_cheap_check(
    default_synth: Synthesis,
) -> None:
    rule = default_synth.resource(default_synth.stack.jobs.schedules["cache-check"])
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 minute)"
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == default_synth.alias_ref(default_synth.stack.functions["reconciler"])
    assert json.loads(target["Input"]) == {"mode": "check"}


def test_the_drift_sample_runs_every_15_minutes_and_asks_for_the_sampled_check(
    default_synth: Synthesis,
) -> None:
    rule = default_synth.resource(default_synth.stack.jobs.schedules["drift-sample"])
    assert rule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == default_synth.alias_ref(default_synth.stack.functions["reconciler"])
    assert json.loads(target["Input"]) == {"mode": "sample"}


def test_the_reconciliation_rate_can_be_set_with_context(alternative_synth: Synthesis) -> None:
    rule = alternative_synth.resource(alternative_synth.stack.jobs.schedules["reconciler"])
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"


def test_async_jobs_record_failures(default_synth: Synthesis) -> None:
    configs = default_synth.of_type("AWS::Lambda::EventInvokeConfig").values()
    failures = {"Fn::GetAtt": [default_synth.logical_id(default_synth.stack.failures.queue), "Arn"]}
    functions = set()
    for config in configs:
        props = config["Properties"]
        assert props["DestinationConfig"] == {"OnFailure": {"Destination": failures}}
        functions.add(default_synth.names[props["FunctionName"]["Ref"]])
        # Every caller invokes the alias, so its retries and destination are the alias's.
        alias = props["Qualifier"]["Fn::Select"][1]["Fn::Split"][1]
        assert default_synth.names[alias["Ref"]].endswith("-live")
    assert functions == {
        "consumer-function",  # its schedule: team quests' payouts
        "reminder_fanout-function",
        "reconciler-function",
        "leagues-function",
        "backfill-function",
        "eraser-function",
        "rarity-function",
    }


def _stream_mapping(synth: Synthesis, function: str = "dispatcher") -> dict[str, Any]:
    """The properties of the function's (only) event source mapping."""
    name = synth.alias_function_name(synth.stack.functions[function])
    mapping = synth.assertions.find_resources(
        "AWS::Lambda::EventSourceMapping",
        {"Properties": {"FunctionName": name}},
    )
    (props,) = (m["Properties"] for m in mapping.values())
    return dict(props)


def test_dispatcher_reads_only_notification_inserts_from_the_stream(
    default_synth: Synthesis,
) -> None:
    stack = default_synth.stack
    props = _stream_mapping(default_synth)
    assert props["EventSourceArn"] == {
        "Fn::GetAtt": [default_synth.logical_id(stack.data.table), "StreamArn"]
    }
    (pattern,) = (json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"])
    assert pattern == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {TABLE.sort_key: {"S": [{"prefix": "NOTIF#"}]}}},
    }
    assert pattern == STREAM.filter_pattern  # the filter the local stream poller applies
    assert props["BisectBatchOnFunctionError"] is True
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["MaximumRetryAttempts"] > 0
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": [default_synth.logical_id(stack.failures.queue), "Arn"]
    }


@pytest.mark.parametrize("spec", STREAMS, ids=lambda spec: spec.function)
def test_stream_settings_are_the_spec_the_local_stack_uses(
    default_synth: Synthesis, spec: StreamSpec
) -> None:
    stack = default_synth.stack
    props = _stream_mapping(default_synth, spec.function)
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == spec.filter_patterns
    assert props["BatchSize"] == spec.batch_size
    assert props["MaximumBatchingWindowInSeconds"] == spec.max_batching_window_seconds
    assert props["MaximumRetryAttempts"] == spec.retry_attempts
    assert props["BisectBatchOnFunctionError"] is spec.bisect_on_error is True
    assert props["MaximumRecordAgeInSeconds"] == spec.max_record_age_seconds
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": [default_synth.logical_id(stack.failures.queue), "Arn"]
    }


def test_projector_reads_only_profile_writes_and_team_memberships(
    default_synth: Synthesis,
) -> None:
    props = _stream_mapping(default_synth, "projector")
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == [
        {
            "eventName": ["INSERT", "MODIFY"],
            "dynamodb": {"Keys": {TABLE.sort_key: {"S": [{"prefix": "PROFILE"}]}}},
        },
        # Joins and leaves (docs/teams.md): membership items inserted or removed.
        {
            "eventName": ["INSERT", "REMOVE"],
            "dynamodb": {"Keys": {TABLE.sort_key: {"S": [{"prefix": "TEAM#"}]}}},
        },
    ]


def test_push_topic_is_encrypted(default_synth: Synthesis) -> None:
    topic = default_synth.resource(default_synth.stack.notifications.topic)["Properties"]
    # The AWS-managed SNS key, by its alias ARN in the stack's account and region.
    assert topic["KmsMasterKeyId"]["Fn::Join"][1][-1] == ":alias/aws/sns"


# --- alarms ---------------------------------------------------------------------------------


def test_alarms_cover_the_failure_modes_and_notify_the_alarm_topic(
    default_synth: Synthesis,
) -> None:
    alarms = [a["Properties"] for a in default_synth.of_type("AWS::CloudWatch::Alarm").values()]
    topic = {"Ref": default_synth.logical_id(default_synth.stack.observability.alarm_topic)}
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms)
    watched = {
        (m["Namespace"], m["MetricName"], _alarm_subject(default_synth, m))
        for alarm in alarms
        for m in _metrics_of(alarm)
    }
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "DLQ") in watched
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "FailedInvocations") in watched
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Queue") in watched
    assert ("AWS/ApiGateway", "5XXError", "Gamify-dev") in watched
    assert ("Gamify", "LeagueWeekOpen", "leagues") in watched
    assert ("Gamify", "ReminderShardsLate", "reminder_fanout") in watched
    assert ("Gamify", "DriftSampleRate", "reconciler") in watched
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", "ReminderQueue") in watched
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "ReminderDLQ") in watched
    assert ("AWS/Lambda", "IteratorAge", "dispatcher-function") in watched
    assert ("AWS/Lambda", "IteratorAge", "projector-function") in watched
    assert ("AWS/DynamoDB", "WriteThrottleEvents", "Table") in watched
    assert ("AWS/DynamoDB", "SystemErrors", "TransactWriteItems") in watched  # per operation
    assert ("AWS/ElastiCache", "ThrottledCmds", "gamify-dev") in watched
    assert ("Gamify", "CacheUnreachable", "query") in watched
    for name in default_synth.stack.functions:
        assert ("AWS/Lambda", "Errors", f"{name}-function") in watched
        assert ("AWS/Lambda", "Throttles", f"{name}-function") in watched


def _metrics_of(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its own, or each of its metric math queries'."""
    if "MetricName" in alarm:
        return [alarm]
    return [q["MetricStat"]["Metric"] for q in alarm["Metrics"] if "MetricStat" in q]


def _alarm_subject(synth: Synthesis, metric: dict[str, Any]) -> str:
    """The first dimension's value, named: a queue, a function, the table or the API."""
    return synth.name_of(metric["Dimensions"][0]["Value"]).removesuffix(".QueueName")


def test_dashboard_exists(default_synth: Synthesis) -> None:
    default_synth.assertions.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_alarm_email_subscribes_to_the_alarm_topic(alternative_synth: Synthesis) -> None:
    alternative_synth.assertions.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )


# --- API ------------------------------------------------------------------------------------


def _methods(synth: Synthesis) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        key: synth.resource(method)["Properties"] for key, method in synth.stack.api.methods.items()
    }


def test_every_route_is_declared_with_its_authorization(default_synth: Synthesis) -> None:
    methods = _methods(default_synth)
    # Every route, and the root's 404 the gateway answers itself (no function).
    root = default_synth.logical_id(default_synth.stack.api.root_method)
    assert set(default_synth.of_type("AWS::ApiGateway::Method")) == {
        default_synth.logical_id(m) for m in default_synth.stack.api.methods.values()
    } | {root}
    assert default_synth.resources[root]["Properties"]["Integration"]["Type"] == "MOCK"
    authorizer = {"Ref": default_synth.logical_id(default_synth.stack.api.routes.authorizer)}
    for route in ROUTES:
        method = methods[(route.method, route.path)]
        expected = {Auth.USER: "COGNITO_USER_POOLS", Auth.SERVICE: "AWS_IAM", Auth.PUBLIC: "NONE"}
        assert method["AuthorizationType"] == expected[gateway_auth(route)], route
        assert ("AuthorizerId" in method) == (gateway_auth(route) is Auth.USER)
        if gateway_auth(route) is Auth.USER:
            assert method["AuthorizerId"] == authorizer
        uri = default_synth.name_of(method["Integration"]["Uri"])
        # The alias, never the function itself: a deploy goes live when the alias moves.
        assert uri.endswith(f"/functions/{route.function}-live/invocations"), route


def test_only_health_and_docs_are_public_and_only_internal_ingest_uses_iam() -> None:
    public = {route.path for route in ROUTES if gateway_auth(route) is Auth.PUBLIC}
    assert public == {
        "/v1/health",
        "/v1/openapi.json",
        "/v1/docs",
        "/v1/events/schema",
        "/.well-known/jwks.json",  # the credential issuer's keys and profile (credentials.md)
        "/v1/issuer",
    }
    service = {
        (route.method, route.path) for route in ROUTES if gateway_auth(route) is Auth.SERVICE
    }
    assert service == {("POST", "/v1/internal/activities")}
    admin = {
        (route.path.split("/")[3], route.function)
        for route in ROUTES
        if route.path.startswith("/v1/admin")
    }
    # Badges, quests, webhooks, teams, the shop and wallet rules by the admin function (and a
    # wallet adjustment, which commits with the profile's guard); a user's erasure and exclusion
    # by the account function (which owns profile writes), their export by the read path;
    # the cheating flags' review by the account function too (it excludes and writes profiles).
    assert admin == {
        ("badges", "admin"),
        ("quests", "admin"),
        ("webhooks", "admin"),
        ("teams", "admin"),
        ("shop", "admin"),
        ("wallet", "admin"),
        ("users", "admin"),
        ("users", "account"),
        ("users", "query"),
        ("flags", "account"),
    }
    assert all(route.auth == "admin" for route in ROUTES if route.path.startswith("/v1/admin"))


def test_request_validation_on_bodies_and_path_parameters(default_synth: Synthesis) -> None:
    validator = {"Ref": default_synth.logical_id(default_synth.stack.api.validator)}
    default_synth.assertions.has_resource_properties(
        "AWS::ApiGateway::RequestValidator",
        {"ValidateRequestBody": True, "ValidateRequestParameters": True},
    )
    for (verb, path), method in _methods(default_synth).items():
        assert method["RequestValidatorId"] == validator
        for segment in path.split("/"):
            if segment.startswith("{"):
                assert method["RequestParameters"][f"method.request.path.{segment[1:-1]}"] is True
        if verb in {"POST", "PUT"}:
            assert "application/json" in method["RequestModels"]


def test_stage_is_throttled_logged_and_traced(default_synth: Synthesis) -> None:
    stage = next(iter(default_synth.of_type("AWS::ApiGateway::Stage").values()))["Properties"]
    assert stage["StageName"] == "dev"
    assert stage["TracingEnabled"] is True
    assert "DestinationArn" in stage["AccessLogSetting"]
    assert "$context.requestId" in stage["AccessLogSetting"]["Format"]
    settings, *public = stage["MethodSettings"]
    assert len(public) == 6  # the public routes' own throttle (test_edge.py)
    assert settings["HttpMethod"] == "*"
    assert settings["ResourcePath"] == "/*"
    assert settings["ThrottlingRateLimit"] == 100
    assert settings["ThrottlingBurstLimit"] == 200
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False


def test_gateway_errors_use_the_api_error_model(default_synth: Synthesis) -> None:
    responses = default_synth.of_type("AWS::ApiGateway::GatewayResponse").values()
    assert {r["Properties"]["ResponseType"] for r in responses} == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses:
        template = response["Properties"]["ResponseTemplates"]["application/json"]
        rendered = template.replace("$context.error.messageString", '"message"')
        assert set(json.loads(rendered)["error"]) == {"code", "message", "details"}


def test_new_user_pool_has_a_client_and_the_admin_group(default_synth: Synthesis) -> None:
    default_synth.assertions.resource_count_is("AWS::Cognito::UserPool", 1)
    default_synth.assertions.has_resource_properties(
        "AWS::Cognito::UserPoolGroup", {"GroupName": ADMIN_GROUP}
    )
    default_synth.assertions.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "GenerateSecret": False,
            "ExplicitAuthFlows": Match.array_with(["ALLOW_USER_SRP_AUTH"]),
            "PreventUserExistenceErrors": "ENABLED",
        },
    )


def test_the_user_pool_is_closed_to_self_sign_up_and_the_client_has_only_the_documented_flows(
    default_synth: Synthesis,
) -> None:
    (pool,) = default_synth.of_type("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    (client,) = default_synth.of_type("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert sorted(properties["ExplicitAuthFlows"]) == [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert not properties.get("AllowedOAuthFlows")
    assert not properties.get("CallbackURLs")


def test_named_availability_zones_are_used_as_given(alternative_synth: Synthesis) -> None:
    subnets = alternative_synth.of_type("AWS::EC2::Subnet").values()
    zones = sorted(subnet["Properties"]["AvailabilityZone"] for subnet in subnets)
    assert zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_existing_user_pool_is_used_as_is(alternative_synth: Synthesis) -> None:
    alternative_synth.assertions.resource_count_is("AWS::Cognito::UserPool", 0)
    alternative_synth.assertions.resource_count_is("AWS::Cognito::UserPoolClient", 0)
    (authorizer,) = alternative_synth.of_type("AWS::ApiGateway::Authorizer").values()
    (arn,) = authorizer["Properties"]["ProviderARNs"]
    assert "userpool/eu-west-1_AbCdEfGhI" in json.dumps(arn)


# --- functions ------------------------------------------------------------------------------

COMMON_ENV = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"}
REDIS_ENV = {"REDIS_URL", "REDIS_IAM_USER", "REDIS_CACHE_NAME", "REDIS_CACHE_SERVERLESS"}
BACKDATE_ENV = {"GAMIFY_MAX_BACKDATE_HOURS"}
STATE_ENV = {"REMINDER_LEAD_HOURS", "NOTIFICATION_TTL_DAYS", "GAMIFY_REMINDER_SHARDS"}
BUDGET_ENV = {"GAMIFY_WRITE_BUDGET_PER_MINUTE"}
LEAGUE_ENV = {"GAMIFY_LEAGUE_SEAT_SHARDS", "GAMIFY_LEAGUE_CLOSE_SHARDS"}
EXPECTED_ENV = {
    "ingest": {"QUEUE_URL", "TABLE_NAME"} | BACKDATE_ENV | BUDGET_ENV,
    "query": {"TABLE_NAME"} | REDIS_ENV,
    "account": {"TABLE_NAME", "ERASER_FUNCTION_NAME"} | STATE_ENV | BUDGET_ENV,
    "admin": {
        "TABLE_NAME",
        "BACKFILL_FUNCTION_NAME",
        "WEBHOOK_QUEUE_URL",
        "GAMIFY_STAGE",
        "WEBHOOK_KEY_ID",
    },
    "consumer": {"TABLE_NAME", "DLQ_URL"} | BACKDATE_ENV | STATE_ENV | LEAGUE_ENV,
    "dispatcher": {"TOPIC_ARN"},
    # The lake's stream and the table (the lake keys: docs/analytics.md).
    "publisher": {
        "EVENT_BUS_NAME",
        "EVENTS_DLQ_URL",
        "GAMIFY_STAGE",
        "LAKE_STREAM_NAME",
        "TABLE_NAME",
    },
    "webhooks": {"WEBHOOK_QUEUE_URL", "TABLE_NAME", "WEBHOOK_KEY_ID"},
    "projector": REDIS_ENV | {"TABLE_NAME"},
    "reminder_fanout": {"TABLE_NAME", "REMINDER_QUEUE_URL"} | STATE_ENV,
    "reminder_sender": {"TABLE_NAME", "REMINDER_QUEUE_URL"} | STATE_ENV,
    "reconciler": {"TABLE_NAME"} | REDIS_ENV,
    "backfill": {"TABLE_NAME", SELF_INVOKE_ENV} | BACKDATE_ENV | STATE_ENV,
    "leagues": {"TABLE_NAME", SELF_INVOKE_ENV} | STATE_ENV | LEAGUE_ENV,
    "eraser": {"TABLE_NAME", SELF_INVOKE_ENV},
    # The public routes and the token trigger touch no table (meta: the credential key's id,
    # for its public half).
    "meta": {"CREDENTIAL_KEY_ID"},
    "credentials": {"TABLE_NAME", "CREDENTIAL_KEY_ID"},
    "rarity": {"TABLE_NAME"},
    "tokens": set(),
}


def test_each_function_gets_only_the_variables_it_reads(default_synth: Synthesis) -> None:
    assert set(EXPECTED_ENV) == set(default_synth.stack.functions)
    for name, expected in EXPECTED_ENV.items():
        variables = _function(default_synth, name)["Environment"]["Variables"]
        assert set(variables) == COMMON_ENV | expected, name
        assert variables["POWERTOOLS_SERVICE_NAME"] == name


def test_functions_share_runtime_architecture_layers_and_own_log_groups(
    default_synth: Synthesis,
) -> None:
    log_groups = set()
    for name in default_synth.stack.functions:
        fn = _function(default_synth, name)
        assert fn["Runtime"] == "python3.13"
        assert fn["Architectures"] == ["arm64"]
        assert fn["Handler"] == "handler.lambda_handler"
        assert fn["TracingConfig"] == {"Mode": "Active"}
        assert len(fn["Layers"]) == 2
        log_groups.add(default_synth.name_of(fn["LoggingConfig"]["LogGroup"]))
    assert log_groups == {f"{name}-logs" for name in default_synth.stack.functions}
    parameter = next(
        p for p in default_synth.template["Parameters"].values() if "powertools" in p["Default"]
    )
    assert parameter == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/aws/service/powertools/python/arm64/python3.13/3.37.0",
    }


def test_domain_settings_reach_every_function_that_needs_them(
    alternative_synth: Synthesis,
) -> None:
    for name in ("account", "consumer", "reminder_fanout", "backfill"):
        variables = _function(alternative_synth, name)["Environment"]["Variables"]
        assert variables["REMINDER_LEAD_HOURS"] == "4"
        assert variables["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_outputs_tell_a_user_how_to_call_the_api(default_synth: Synthesis) -> None:
    outputs = default_synth.template["Outputs"]
    for key in ("ApiUrl", "UserPoolId", "UserPoolClientId", "InternalIngestArn", "AlarmTopicArn"):
        assert key in outputs


def test_gateway_routes_match_the_openapi_contract() -> None:
    """Every operation the handlers document has a gateway route with the same auth, and no
    route exists that the handlers do not serve (it would only ever answer 404)."""
    from gamification.api.openapi import openapi_json

    spec = json.loads(openapi_json())
    schemes = {"cognito": Auth.USER, "iam": Auth.SERVICE}
    documented = {}
    for path, operations in spec["paths"].items():
        for verb, operation in operations.items():
            if verb in {"get", "post", "put", "delete", "patch"}:
                security = operation.get("security") or []
                names = {name for requirement in security for name in requirement}
                assert len(names) <= 1, (verb, path)
                documented[(verb.upper(), path)] = schemes[names.pop()] if names else Auth.PUBLIC
    declared = {(route.method, route.path): gateway_auth(route) for route in ROUTES}
    assert declared == documented
