"""What an operator relies on without looking: alarms reach the topic's subscribers, every AWS
service the stack wires to a topic, queue or function is allowed to deliver, and no log group
keeps its logs forever.

The checks read the synthesized template only, generically: a new alarm, rule, subscription,
topic or Lambda function (CDK's own included) is checked without touching this file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import Synthesis

REPO = Path(__file__).resolve().parents[2]
SYNTHS = ["default_synth", "alternative_synth"]
ALARM_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")
# The action a service needs on each kind of target, and the target's resource-policy type.
_DELIVERY = {
    "AWS::SNS::Topic": ("sns:Publish", "AWS::SNS::TopicPolicy", "Topics"),
    "AWS::SQS::Queue": ("sqs:SendMessage", "AWS::SQS::QueuePolicy", "Queues"),
}
_KMS_FOR_PUBLISHING = {"kms:Decrypt", "kms:GenerateDataKey*"}


@dataclass(frozen=True, slots=True)
class Delivery:
    """A service principal that sends to a resource of this stack on behalf of ``source``."""

    service: str
    source: str  # logical id of the alarm, rule or subscription
    target: str  # logical id of the topic, queue or function


def _logical_id(synth: Synthesis, expression: Any) -> str:
    """The resource a ``Ref`` or ``GetAtt …Arn`` names; anything else is not ours to check."""
    if isinstance(expression, dict) and "Ref" in expression:
        logical_id = str(expression["Ref"])
    elif isinstance(expression, dict) and "Fn::GetAtt" in expression:
        logical_id, attribute = expression["Fn::GetAtt"]
        assert attribute == "Arn", expression
    else:
        raise AssertionError(f"a delivery target outside the stack: {expression}")
    assert logical_id in synth.resources, expression
    return logical_id


def _deliveries(synth: Synthesis) -> Iterator[Delivery]:
    """Every place the template has an AWS service (not a role of ours) write to a target."""
    for alarm_id, alarm in synth.of_type("AWS::CloudWatch::Alarm").items():
        for key in ALARM_ACTIONS:
            for action in alarm["Properties"].get(key, []):
                yield Delivery("cloudwatch.amazonaws.com", alarm_id, _logical_id(synth, action))
    for rule_id, rule in synth.of_type("AWS::Events::Rule").items():
        for target in rule["Properties"].get("Targets", []):
            yield Delivery("events.amazonaws.com", rule_id, _logical_id(synth, target["Arn"]))
            if "DeadLetterConfig" in target:
                dlq = _logical_id(synth, target["DeadLetterConfig"]["Arn"])
                yield Delivery("events.amazonaws.com", rule_id, dlq)
    for subscription_id, subscription in synth.of_type("AWS::SNS::Subscription").items():
        if subscription["Properties"]["Protocol"] in {"sqs", "lambda"}:
            endpoint = _logical_id(synth, subscription["Properties"]["Endpoint"])
            yield Delivery("sns.amazonaws.com", subscription_id, endpoint)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _allows(statement: dict[str, Any], service: str, action: str) -> bool:
    principals = statement.get("Principal", {})
    services = _as_list(principals.get("Service", [])) if isinstance(principals, dict) else []
    actions = _as_list(statement["Action"])
    return (
        statement["Effect"] == "Allow"
        and service in services
        and (action in actions or f"{action.partition(':')[0]}:*" in actions)
    )


def _allow_statements(synth: Synthesis, delivery: Delivery) -> list[dict[str, Any]]:
    """The statements of the target's resource policies that allow ``delivery``, on the target.

    An explicit Allow is required: a topic policy (``enforce_ssl`` writes one) replaces SNS's
    default policy, and a queue has no default policy a service could use at all."""
    target = synth.resources[delivery.target]
    action, policy_type, targets_key = _DELIVERY[target["Type"]]
    ref = {"Ref": delivery.target}
    arn = ref if target["Type"] == "AWS::SNS::Topic" else {"Fn::GetAtt": [delivery.target, "Arn"]}
    return [
        statement
        for policy in synth.of_type(policy_type).values()
        if ref in policy["Properties"][targets_key]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if _allows(statement, delivery.service, action) and arn in _as_list(statement["Resource"])
    ]


def _invoke_permissions(synth: Synthesis, delivery: Delivery) -> list[dict[str, Any]]:
    function = [{"Ref": delivery.target}, {"Fn::GetAtt": [delivery.target, "Arn"]}]
    return [
        props
        for permission in synth.of_type("AWS::Lambda::Permission").values()
        if (props := permission["Properties"])["FunctionName"] in function
        and props["Principal"] == delivery.service
        and props["Action"] == "lambda:InvokeFunction"
        and props.get("SourceArn") == {"Fn::GetAtt": [delivery.source, "Arn"]}
    ]


def _render(expression: Any) -> str:
    """A ``Fn::Join`` of strings and pseudo-parameter Refs as one string (``${AWS::Region}``)."""
    if isinstance(expression, str):
        return expression
    if "Ref" in expression:
        return f"${{{expression['Ref']}}}"
    separator, parts = expression["Fn::Join"]
    return str(separator).join(_render(part) for part in parts)


# --- alarms reach someone -------------------------------------------------------------------


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_alarm_action_topic_lets_this_accounts_alarms_publish(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """The topic of every alarm, OK and insufficient-data action allows CloudWatch to publish,
    only from this account's alarms (a confused deputy elsewhere cannot use it)."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    alarm_deliveries = [d for d in _deliveries(synth) if d.service == "cloudwatch.amazonaws.com"]
    alarms = synth.of_type("AWS::CloudWatch::Alarm")
    assert {d.source for d in alarm_deliveries} == set(alarms)  # every alarm notifies
    for delivery in alarm_deliveries:
        assert synth.resources[delivery.target]["Type"] == "AWS::SNS::Topic", delivery
        statements = _allow_statements(synth, delivery)
        assert statements, (
            f"{delivery.source} notifies {delivery.target}, which CloudWatch may not publish to"
        )
        for statement in statements:
            condition = statement["Condition"]
            assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
            assert _render(condition["ArnLike"]["aws:SourceArn"]) == (
                "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"
            )


# --- every service the stack wires is allowed to deliver ------------------------------------


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_service_delivery_has_a_matching_allow(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """Alarms → topic, EventBridge rules → functions and their dead-letter queue, SNS → queues:
    each target's resource policy (or Lambda permission) allows that service, from that source
    where the target is a function. Lambda destinations, stream on-failure destinations and SQS
    redrive write with the function's role or SQS itself and need no resource policy."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    assert _missing_allows(synth) == []
    targets = {synth.resources[d.target]["Type"] for d in _deliveries(synth)}
    assert targets == {"AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::Lambda::Function"}


@pytest.mark.parametrize(
    ("target_type", "without"),
    [
        ("AWS::SQS::QueuePolicy", "events.amazonaws.com"),
        ("AWS::Lambda::Permission", "events.amazonaws.com"),
        ("AWS::SNS::TopicPolicy", "cloudwatch.amazonaws.com"),
    ],
)
def test_the_check_sees_each_kind_of_missing_allow(
    default_synth: Synthesis, target_type: str, without: str
) -> None:
    """The generic check is not vacuous: with one kind of allow taken out of the template, the
    deliveries that needed it are reported."""
    template = copy.deepcopy(default_synth.template)
    resources = template["Resources"]
    for logical_id in [k for k, v in resources.items() if v["Type"] == target_type]:
        props = resources[logical_id]["Properties"]
        if target_type == "AWS::Lambda::Permission":
            if props["Principal"] == without:
                del resources[logical_id]
            continue
        statements = props["PolicyDocument"]["Statement"]
        props["PolicyDocument"]["Statement"] = [s for s in statements if s["Effect"] == "Deny"]
    broken = Synthesis(stack=default_synth.stack, template=template, outdir=default_synth.outdir)
    missing = _missing_allows(broken)
    assert missing
    assert {d.service for d in missing} == {without}


def _missing_allows(synth: Synthesis) -> list[Delivery]:
    missing = []
    for delivery in sorted(set(_deliveries(synth)), key=str):
        kind = synth.resources[delivery.target]["Type"]
        if kind == "AWS::Lambda::Function":
            found = bool(_invoke_permissions(synth, delivery))
        else:
            found = bool(_allow_statements(synth, delivery))
        if not found:
            missing.append(delivery)
    return missing


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_a_service_can_use_the_key_of_every_topic_it_publishes_to(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """A service publishing to an encrypted topic needs the key: a customer-managed key whose
    policy allows it (CloudWatch cannot use the AWS-managed ``alias/aws/sns``)."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    for delivery in _deliveries(synth):
        target = synth.resources[delivery.target]
        key = target["Properties"].get("KmsMasterKeyId")
        if target["Type"] != "AWS::SNS::Topic" or key is None:
            continue
        assert "Fn::GetAtt" in key, f"{delivery.target}: AWS-managed key, {delivery.service}"
        key_policy = synth.resources[key["Fn::GetAtt"][0]]["Properties"]["KeyPolicy"]
        granted = {
            action
            for statement in key_policy["Statement"]
            if statement["Effect"] == "Allow"
            and delivery.service in _as_list(statement["Principal"].get("Service", []))
            for action in _as_list(statement["Action"])
        }
        assert granted >= _KMS_FOR_PUBLISHING, delivery


def test_the_push_topic_is_published_by_the_dispatchers_role_only(
    default_synth: Synthesis,
) -> None:
    """No AWS service publishes to the push topic (its only Deny-only policy is safe): the
    dispatcher publishes with its role's IAM permission, which a topic policy does not need
    to repeat for a principal of the same account."""
    topic = default_synth.logical_id(default_synth.stack.notifications.topic)
    assert all(d.target != topic for d in _deliveries(default_synth))
    dispatcher = default_synth.stack.notifications.dispatcher
    policies = [
        statement
        for policy in default_synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": default_synth.logical_id(dispatcher.role)} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(s["Action"] == "sns:Publish" and s["Resource"] == {"Ref": topic} for s in policies)


# --- no log group keeps logs forever --------------------------------------------------------


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_log_group_expires(synth_name: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    forever = [
        logical_id
        for logical_id, group in synth.of_type("AWS::Logs::LogGroup").items()
        if "RetentionInDays" not in group["Properties"]
    ]
    assert forever == []


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_function_logs_to_a_group_of_the_stack(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """Ours name their group (``LoggingConfig``); CDK's singletons (custom-resource handlers)
    write to ``/aws/lambda/<name>``, which Lambda would create with no expiry unless the stack
    creates it first, hence the custom resource's dependency on the group."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    named_groups = {
        _render(group["Properties"]["LogGroupName"]): logical_id
        for logical_id, group in synth.of_type("AWS::Logs::LogGroup").items()
        if "LogGroupName" in group["Properties"]
    }
    without = []
    for logical_id, function in synth.of_type("AWS::Lambda::Function").items():
        logging = function["Properties"].get("LoggingConfig", {})
        if "LogGroup" in logging:
            assert _logical_id(synth, logging["LogGroup"]) in synth.of_type("AWS::Logs::LogGroup")
            continue
        group = named_groups.get("/aws/lambda/${" + logical_id + "}")
        if group is None:
            without.append(logical_id)
            continue
        for user_id, user in synth.resources.items():
            token = user.get("Properties", {}).get("ServiceToken")
            if token == {"Fn::GetAtt": [logical_id, "Arn"]}:
                assert group in _as_list(user.get("DependsOn", [])), (user_id, group)
    assert without == []


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_api_gateway_execution_logs_go_to_a_group_of_the_stack(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """Method logging (ERROR) writes to ``API-Gateway-Execution-Logs_{api id}/{stage}``, a group
    API Gateway would create with no expiry: the stack creates it before the stage."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    ((stage_id, stage),) = synth.of_type("AWS::ApiGateway::Stage").items()
    assert {s["LoggingLevel"] for s in stage["Properties"]["MethodSettings"]} == {"ERROR"}
    api = stage["Properties"]["RestApiId"]["Ref"]
    expected = f"API-Gateway-Execution-Logs_${{{api}}}/{stage['Properties']['StageName']}"
    groups = [
        logical_id
        for logical_id, group in synth.of_type("AWS::Logs::LogGroup").items()
        if _render(group["Properties"].get("LogGroupName", "")) == expected
    ]
    assert len(groups) == 1
    assert groups[0] in _as_list(stage.get("DependsOn", [])), stage_id
