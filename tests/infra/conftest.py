"""Synthesize the stack once per configuration and session.

``Synthesis`` gives tests the CloudFormation template as a dict, the live stack object (to ask
for logical ids instead of hard-coding hashes) and helpers that resolve IAM resources to names.
The ``*_synth`` fixtures skip cdk-nag (it is ~95% of synthesis time); the ``nagged_*`` fixtures
used by test_compliance.py synthesize the same app with the AwsSolutions pack, where any
unacknowledged finding fails synthesis.
"""

from __future__ import annotations

import copy
import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import CfnElement, NestedStack, Stack
from aws_cdk.assertions import Template
from constructs import IConstruct

from infra.app import ALLOW_UNBUILT_LAYER, build_app
from infra.constructs.functions import LIVE_ALIAS, GamifyFunction
from infra.stack import GamifyStack

DEFAULT_CONTEXT: dict[str, object] = {}
# One synthesis covers every non-default choice: node-based cache, an existing user pool,
# tracing off, a different stage, lead time and reconciliation rate, browser origins and the
# hosted demo page.
ALTERNATIVE_CONTEXT: dict[str, object] = {
    "stage": "prod",
    "cache_type": "nodes",
    "user_pool_id": "eu-west-1_AbCdEfGhI",
    "tracing": "false",
    "reminder_lead_hours": "4",
    "reconcile_every_minutes": "5",
    "alarm_email": "ops@example.com",
    "cors_origins": "https://app.example.com,https://admin.example.com",
    "web_hosting": "true",
    "max_azs": "3",
    "availability_zones": "eu-west-1a,eu-west-1b,eu-west-1c",
}

# The opt-in safety settings together: WAF asked for by name on a non-prod stage, gradual
# deployments, a backup plan copying to another region, a restored table adopted by name, MFA
# for every account and SES e-mail; and the hosted demo on the stack's own pool (its hosted UI
# sign-in, which the alternative synth's pool of its own does not get).
RESTORED_TABLE = "gamify-dev-restored-20261203"
RESTORED_STREAM = (
    f"arn:aws:dynamodb:us-east-1:123456789012:table/{RESTORED_TABLE}/stream/2026-12-03T10:00:00.000"
)
COPY_VAULT = "arn:aws:backup:us-west-2:123456789012:backup-vault:gamify-dev-copy"
SAFETY_CONTEXT: dict[str, object] = {
    "waf": "true",
    "canary": "true",
    "backup": "true",
    "backup_copy_vault_arn": COPY_VAULT,
    "table_name": RESTORED_TABLE,
    "table_stream_arn": RESTORED_STREAM,
    "mfa": "all",
    "ses_email_from": "no-reply@example.com",
    "web_hosting": "true",
}


@dataclass
class Synthesis:
    stack: GamifyStack
    template: dict[str, Any]
    outdir: Path
    names: dict[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    @property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    def logical_id(self, construct: IConstruct) -> str:
        """Logical id of a construct's CloudFormation resource (L2 or L1)."""
        element = construct if isinstance(construct, CfnElement) else construct.node.default_child
        assert isinstance(element, CfnElement)
        return Stack.of(element).get_logical_id(element)

    def alias_ref(self, fn: GamifyFunction) -> dict[str, str]:
        """A reference to a function's ``live`` alias (its ARN): what triggers invoke."""
        return {"Ref": self.logical_id(fn.alias)}

    def alias_function_name(self, fn: GamifyFunction) -> dict[str, Any]:
        """How the template spells ``<function>:live`` where it wants a function name (an event
        source mapping): the name taken from the alias's ARN, qualified with the alias."""
        name = {"Fn::Select": [6, {"Fn::Split": [":", self.alias_ref(fn)]}]}
        return {"Fn::Join": ["", [name, f":{LIVE_ALIAS}"]]}

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def resource(self, construct: IConstruct) -> dict[str, Any]:
        return self.resources[self.logical_id(construct)]

    def name_of(self, expression: Any) -> str:
        """A readable name for an IAM resource expression (``Queue``, ``Table/index/GSI1``,
        ``backfill-function`` for a GetAtt on it or the ARN built from its physical name)."""
        if isinstance(expression, str):
            return expression
        if "Ref" in expression:
            return str(self.names.get(expression["Ref"], expression["Ref"]))
        if "Fn::GetAtt" in expression:
            logical_id, attribute = expression["Fn::GetAtt"]
            name = self.names.get(logical_id, logical_id)
            return name if attribute == "Arn" else f"{name}.{attribute}"
        if "Fn::Join" in expression:
            joined = "".join(self.name_of(part) for part in expression["Fn::Join"][1])
            return self.names.get(joined, joined)
        raise AssertionError(f"unexpected IAM resource expression {expression}")


def nested_templates(stack: Stack, outdir: Path) -> dict[str, Path]:
    """Each nested stack's template file, by the logical id of its resource in its parent."""
    found = {}
    for construct in stack.node.find_all():
        if isinstance(construct, NestedStack) and construct.nested_stack_resource is not None:
            resource = construct.nested_stack_resource
            found[Stack.of(resource).get_logical_id(resource)] = outdir / construct.template_file
    return found


def flattened(template: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    """The stack's template with each nested stack's resources in it, as if they were the
    stack's own (the tests ask about the product, not about how it is split to stay under
    CloudFormation's 500 resources): a nested template's parameters become the parent's
    expressions they are given, and the parent's ``Outputs.X`` of a nested stack become the
    nested expression. The nested ``AWS::CloudFormation::Stack`` resources stay listed.
    """
    flat = copy.deepcopy(template)
    resources: dict[str, Any] = flat["Resources"]
    nested_outputs: dict[tuple[str, str], Any] = {}
    for logical_id, resource in list(resources.items()):
        if resource["Type"] != "AWS::CloudFormation::Stack":
            continue
        nested = json.loads(files[logical_id].read_text())
        given = resource["Properties"].get("Parameters", {})
        inner = _substitute(nested, given.get)
        inner = flattened(inner, files)
        for name, output in inner.get("Outputs", {}).items():
            nested_outputs[(logical_id, f"Outputs.{name}")] = output["Value"]
        for inner_id, inner_resource in inner["Resources"].items():
            assert inner_id not in resources, f"{inner_id} is in the stack and in {logical_id}"
            resources[inner_id] = inner_resource
    result: dict[str, Any] = _substitute_outputs(flat, nested_outputs)
    return result


def _substitute(node: Any, parameter: Callable[[str], Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and (value := parameter(node["Ref"])) is not None:
            return value
        return {k: _substitute(v, parameter) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, parameter) for v in node]
    return node


def _substitute_outputs(node: Any, outputs: dict[tuple[str, str], Any]) -> Any:
    if isinstance(node, dict):
        attribute = node.get("Fn::GetAtt")
        if set(node) == {"Fn::GetAtt"} and (key := tuple(attribute or ())) in outputs:
            return outputs[key]
        return {k: _substitute_outputs(v, outputs) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute_outputs(v, outputs) for v in node]
    return node


def _synthesize(context: dict[str, object], outdir: Path, *, nag_checks: bool) -> Synthesis:
    # Tests never need `make layer`: the deploy guard is tested on its own.
    app = build_app(
        {**context, ALLOW_UNBUILT_LAYER: "true"}, outdir=str(outdir), nag_checks=nag_checks
    )
    stacks = [child for child in app.node.children if isinstance(child, GamifyStack)]
    assert len(stacks) == 1
    stack = stacks[0]
    assembly = app.synth()  # raises on any unacknowledged cdk-nag finding
    template = assembly.get_stack_by_name(stack.stack_name).template
    template = flattened(template, nested_templates(stack, outdir))
    synthesis = Synthesis(stack=stack, template=template, outdir=outdir)
    synthesis.names = _resource_names(synthesis)
    return synthesis


def _resource_names(synthesis: Synthesis) -> dict[str, str]:
    stack = synthesis.stack
    named: dict[str, IConstruct] = {
        "Queue": stack.queue.queue,
        "DLQ": stack.queue.dead_letter_queue,
        "FailedInvocations": stack.failures.queue,
        "ReminderQueue": stack.jobs.reminder_queue.queue,
        "ReminderDLQ": stack.jobs.reminder_queue.dead_letter_queue,
        "PushTopic": stack.notifications.topic,
        "EventBus": stack.domain_events.bus,
        "EventDeadLetters": stack.domain_events.dead_letters,
        "WebhookQueue": stack.domain_events.webhook_queue.queue,
        "WebhookSecretsKey": stack.domain_events.webhook_key,
        "HistoryLakeStream": stack.history_lake.stream,
        "CredentialKey": stack.credential_key.key,
    }
    for name, fn in stack.functions.items():
        named[f"{name}-function"] = fn.function
        named[f"{name}-live"] = fn.alias
        named[f"{name}-logs"] = fn.log_group
    names = {synthesis.logical_id(construct): name for name, construct in named.items()}
    if stack.data.table.node.default_child is not None:  # the stack's own, not an adopted one
        names[synthesis.logical_id(stack.data.table)] = "Table"
    # A function with a physical name is granted by an ARN built from that name: it names the
    # function only if it is in this stack's partition, region and account, with the name the
    # template gives the function.
    for name, fn in stack.functions.items():
        physical = synthesis.resource(fn.function)["Properties"].get("FunctionName")
        if isinstance(physical, str):
            arn = f"arn:AWS::Partition:lambda:AWS::Region:AWS::AccountId:function:{physical}"
            names[arn] = f"{name}-function"
            names[f"{arn}:{LIVE_ALIAS}"] = f"{name}-live"
    # The cache and its user are granted by ARNs built from their names (IAM authentication).
    cache = stack.cache
    kind = "serverlesscache" if cache.serverless else "replicationgroup"
    region_account = "AWS::Region:AWS::AccountId"
    names[f"arn:AWS::Partition:elasticache:{region_account}:{kind}:{cache.cache_name}"] = "Cache"
    names[f"arn:AWS::Partition:elasticache:{region_account}:user:{cache.username}"] = "CacheUser"
    pool = stack.identity.user_pool.node.default_child
    if isinstance(pool, CfnElement):
        names[stack.resolve(pool.logical_id)] = "UserPool"  # an overridden id (identity.py)
    return names


@pytest.fixture(scope="session")
def default_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    return _synthesize(DEFAULT_CONTEXT, tmp_path_factory.mktemp("cdk-default"), nag_checks=False)


@pytest.fixture(scope="session")
def alternative_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    outdir = tmp_path_factory.mktemp("cdk-alternative")
    return _synthesize(ALTERNATIVE_CONTEXT, outdir, nag_checks=False)


@pytest.fixture(scope="session")
def nagged_default_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    return _synthesize(DEFAULT_CONTEXT, tmp_path_factory.mktemp("nag-default"), nag_checks=True)


@pytest.fixture(scope="session")
def nagged_alternative_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    outdir = tmp_path_factory.mktemp("nag-alternative")
    return _synthesize(ALTERNATIVE_CONTEXT, outdir, nag_checks=True)


@pytest.fixture(scope="session")
def safety_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    return _synthesize(SAFETY_CONTEXT, tmp_path_factory.mktemp("cdk-safety"), nag_checks=False)


@pytest.fixture(scope="session")
def nagged_safety_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    return _synthesize(SAFETY_CONTEXT, tmp_path_factory.mktemp("nag-safety"), nag_checks=True)


def validation_report(synthesis: Synthesis) -> dict[str, Any]:
    path = synthesis.outdir / "validation-report.json"
    if not path.exists():
        return {"pluginReports": []}
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report
