"""Least privilege, proven on the template: each function's role allows exactly what it uses.

Every statement attached to a function's role (inline or not) is flattened to
``(action, resource)`` pairs with resources named (``Table``, ``Table/index/GSI1``, ``Queue``...).
The expected sets below are written out by hand: widening a grant must change this file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.functions import SELF_INVOKE_ENV, VPC_NETWORK_INTERFACE_ACTIONS
from tests.infra.conftest import Synthesis

Grant = tuple[str, str]
TXN = " (in TransactWriteItems only)"
USERS = " on USER#*"
"""A write limited by ``dynamodb:LeadingKeys`` to the partition keys of one key family."""


def _grants(actions: list[str] | str, resources: list[str] | str) -> set[Grant]:
    actions = [actions] if isinstance(actions, str) else actions
    resources = [resources] if isinstance(resources, str) else resources
    return {(action, resource) for action in actions for resource in resources}


def _statements(synth: Synthesis, name: str) -> list[dict[str, Any]]:
    role_id = synth.logical_id(synth.stack.functions[name].role)
    role = synth.resources[role_id]["Properties"]
    statements = [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def granted(synth: Synthesis, name: str) -> set[Grant]:
    """Every (action, resource) the function's role allows; conditional grants are marked."""
    result: set[Grant] = set()
    for statement in _statements(synth, name):
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        suffix = ""
        conditions = dict(statement.get("Condition", {}))
        if conditions.pop("ForAnyValue:StringEquals", None) == {
            "dynamodb:EnclosingOperation": ["TransactWriteItems"]
        }:
            suffix = TXN
        leading = conditions.pop("ForAllValues:StringLike", None)
        if leading is not None:
            assert set(leading) == {"dynamodb:LeadingKeys"}
            suffix += " on " + ",".join(sorted(leading["dynamodb:LeadingKeys"]))
        assert conditions == {}, statement
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            result |= {(a + suffix, synth.name_of(resource)) for a in _listed(statement["Action"])}
    return result


def _listed(actions: list[str] | str) -> list[str]:
    return [actions] if isinstance(actions, str) else actions


def platform(name: str, *, in_vpc: bool, tracing: bool) -> set[Grant]:
    """What every function needs to run: its own log group, plus ENIs in the VPC and X-Ray."""
    grants = _grants(["logs:CreateLogStream", "logs:PutLogEvents"], f"{name}-logs")
    if in_vpc:
        grants |= _grants(list(VPC_NETWORK_INTERFACE_ACTIONS), "*")
    if tracing:
        grants |= _grants(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    return grants


REDIS = _grants("elasticache:Connect", "Cache") | _grants("elasticache:Connect", "CacheUser")
STREAM_READER = _grants(
    ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
    "Table.StreamArn",
) | _grants("dynamodb:ListStreams", "*")
FAILED_RUN = _grants(
    ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "FailedInvocations"
)
EXPECTED: dict[str, set[Grant]] = {
    "ingest": _grants("sqs:SendMessage", "Queue")
    | _grants("dynamodb:UpdateItem on RATE#*", "Table"),
    "query": _grants(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table")
    | REDIS,
    # No Redis since the projector carries names; starts the eraser, never deletes itself.
    "account": _grants(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table")
    | _grants("dynamodb:UpdateItem on ERASURE#*,GRAPH#*,RATE#*,USER#*", "Table")
    # The follow graph (issue #29): an edge, its reverse and the counters in one transaction.
    | _grants("dynamodb:PutItem" + TXN + " on GRAPH#*,USER#*", "Table")
    | _grants(
        [f"dynamodb:{action}{TXN} on GRAPH#*" for action in ("DeleteItem", "ConditionCheckItem")],
        "Table",
    )
    # Joining and leaving teams: the membership, the user's count and the team's count.
    | _grants(
        [
            f"dynamodb:{action}{TXN} on MEMBERSHIP#*,TEAM#*"
            for action in ("PutItem", "UpdateItem", "DeleteItem")
        ],
        "Table",
    )
    # A redeem draws from the stock shards inside its transaction only (docs/wallet.md).
    | _grants("dynamodb:UpdateItem" + TXN + " on STOCK#*", "Table")
    # A flag review or an erasure deletes the open-flag item with the profile (issue #33).
    | _grants("dynamodb:DeleteItem" + TXN + " on FLAGS", "Table")
    | _grants("lambda:InvokeFunction", "eraser-live"),
    # BatchGetItem and the player index: the badge dry run reads stored profiles (no write).
    "admin": _grants(["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"], "Table")
    | _grants("dynamodb:Query", "Table/index/GSI2")
    | _grants(
        [
            "dynamodb:PutItem on CATALOG,SHOP,STOCK#*,WEBHOOKS",
            "dynamodb:DeleteItem on CATALOG,SHOP,STOCK#*,WEBHOOKS",
        ],
        "Table",
    )
    # The shop (an item with its stock shards) and wallet adjustments (a profile with its
    # ledger entry), each as one transaction (docs/wallet.md).
    | _grants(
        [f"dynamodb:{action}{TXN} on SHOP,STOCK#*,USER#*" for action in ("PutItem", "UpdateItem")],
        "Table",
    )
    # Teams: definitions, directory rows and the memberships an admin adds or removes.
    | _grants(
        [
            f"dynamodb:{action}{TXN} on MEMBERSHIP#*,TEAM#*,TEAMS"
            for action in ("PutItem", "UpdateItem", "DeleteItem")
        ],
        "Table",
    )
    | _grants("lambda:InvokeFunction", "backfill-live")
    | _grants("sqs:SendMessage", "WebhookQueue")
    # Seals a new webhook signing secret (creation, rotation); never opens one.
    | _grants("kms:Encrypt", "WebhookSecretsKey"),
    "consumer": _grants(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table")
    # FLAGS: a velocity flag's list item, only inside the user's transaction (issue #33).
    | _grants("dynamodb:PutItem" + TXN + " on COHORT#*,FLAGS,USER#*", "Table")
    # The pending-marker path (profile, then markers) and the league seat counter, outside
    # transactions (docs/pipeline.md); a team quest's state and paid hints (TQUEST#).
    | _grants(
        [
            "dynamodb:UpdateItem on SEATS#*,TQUEST#*,USER#*",
            "dynamodb:PutItem on SEATS#*,TQUEST#*,USER#*",
        ],
        "Table",
    )
    # Team quests (issue #30): a contribution and its shard's sum with a check of the
    # membership, in one transaction; a team's members from GSI1 (`pay: members`).
    | _grants("dynamodb:UpdateItem" + TXN + " on TQUEST#*", "Table")
    | _grants("dynamodb:ConditionCheckItem" + TXN + " on MEMBERSHIP#*", "Table")
    | _grants("dynamodb:Query", "Table/index/GSI1")
    | _grants("sqs:SendMessage", "DLQ")
    # The SQS event source mapping polls with the function's role.
    | _grants(
        [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        "Queue",
    )
    # Its schedule (team quests' payouts, docs/teams.md#team-quests): a failed run is recorded.
    | FAILED_RUN,
    # The stream event source mappings read the stream; failed batches go to the queue.
    "dispatcher": _grants("sns:Publish", "PushTopic") | STREAM_READER | FAILED_RUN,
    # Puts the stream's events on the stage's bus; refused ones to its own DLQ. No table
    # access beyond the stream, no VPC.
    # The webhook endpoints and their deliveries log; its own queue (attempts are messages).
    "webhooks": _grants(["dynamodb:GetItem", "dynamodb:Query"], "Table")
    | _grants("dynamodb:PutItem on WEBHOOKLOG#*,WEBHOOKOF#*", "Table")
    # Marks an endpoint's health (failing, paused, breaker) without rewriting it.
    | _grants("dynamodb:UpdateItem on WEBHOOKS", "Table")
    # A delivery's place in its user's line (WEBHOOKOF#), left once delivered or parked.
    | _grants("dynamodb:DeleteItem on WEBHOOKOF#*", "Table")
    # Parking checks the user's tombstone in the same transaction (never writes USER#).
    | _grants("dynamodb:ConditionCheckItem" + TXN + " on USER#*", "Table")
    # Opens the sealed signing secrets (never seals: the admin function does).
    | _grants("kms:Decrypt", "WebhookSecretsKey")
    | _grants("sqs:SendMessage", "WebhookQueue")
    | _grants(
        [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        "WebhookQueue",
    ),
    # The history lake too: reads users' lake keys, creates one in a transaction (the profile
    # checked), sends rows to its Firehose stream (docs/analytics.md).
    "publisher": _grants("events:PutEvents", "EventBus")
    | _grants("sqs:SendMessage", "EventDeadLetters")
    | _grants(["dynamodb:BatchGetItem", "dynamodb:GetItem"], "Table")
    | _grants(
        [
            "dynamodb:PutItem (in TransactWriteItems only) on USER#*",
            "dynamodb:ConditionCheckItem (in TransactWriteItems only) on USER#*",
        ],
        "Table",
    )
    | _grants("firehose:PutRecordBatch", "HistoryLakeStream")
    | STREAM_READER
    | FAILED_RUN,
    # GetItem: a team join reads the member's profile after admitting them (docs/teams.md).
    # Query, BatchGetItem and the transactional puts: "passed you" notices (docs/friends.md).
    "projector": REDIS
    | STREAM_READER
    | FAILED_RUN
    | _grants(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"], "Table")
    | _grants("dynamodb:PutItem (in TransactWriteItems only) on USER#*", "Table"),
    # Only enqueues the hour's units: reads earlier hours' progress, marks this one started.
    "reminder_fanout": _grants("dynamodb:GetItem", "Table")
    | _grants("dynamodb:UpdateItem on REMINDHOUR#*", "Table")
    | _grants("sqs:SendMessage", "ReminderQueue")
    | FAILED_RUN,
    # Query: each loaded user's friend streak links (GRAPH#), for the friend streak notices.
    "reminder_sender": _grants(
        ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table"
    )
    # UpdateItem in a transaction: a friend streak notice's event into the profile outbox.
    | _grants(
        [
            "dynamodb:PutItem" + TXN + USERS,
            "dynamodb:UpdateItem" + TXN + USERS,
            "dynamodb:ConditionCheckItem" + TXN + USERS,
        ],
        "Table",
    )
    | _grants("dynamodb:UpdateItem on REMINDHOUR#*", "Table")
    | _grants("dynamodb:Query", "Table/index/GSI1")
    # Continues a long shard; its event source mapping polls with the function's role.
    | _grants("sqs:SendMessage", "ReminderQueue")
    | _grants(
        [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        "ReminderQueue",
    ),
    # Scan and Query: the team boards' rebuild reads every membership and the team directory.
    "reconciler": _grants(
        ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem on LEADERBOARD#*"], "Table"
    )
    | _grants(["dynamodb:Scan", "dynamodb:Query"], "Table")
    | _grants("dynamodb:Query", "Table/index/GSI2")
    | REDIS
    | FAILED_RUN,
    "leagues": _grants(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table")
    | _grants(
        [
            "dynamodb:PutItem on LEAGUECLOSE#*,SEATS#*",
            "dynamodb:UpdateItem on LEAGUECLOSE#*,SEATS#*",
        ],
        "Table",
    )
    # FLAGS: an outlier flag's list item, only inside the member's transaction (issue #33).
    | _grants("dynamodb:PutItem" + TXN + " on COHORT#*,FLAGS,USER#*", "Table")
    # Fans out to its shards and continues a paused shard in a fresh invocation of itself.
    | _grants("lambda:InvokeFunction", "leagues-live")
    | FAILED_RUN,
    "backfill": _grants(
        [
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem on BACKFILL#*,USER#*",
        ],
        "Table",
    )
    | _grants("dynamodb:Query", "Table/index/GSI2")
    # A paused walk continues in a fresh invocation of itself; no Redis (reconciliation).
    | _grants("lambda:InvokeFunction", "backfill-live")
    | FAILED_RUN,
    # The one function that deletes user data (BatchWriteItem deletes), in the families it
    # empties; it clears the tombstone's flag, saves its checkpoint, rewrites the snapshots.
    "eraser": _grants(["dynamodb:GetItem", "dynamodb:Query"], "Table")
    | _grants(
        [
            f"dynamodb:{action} on COHORT#*,ERASURE#*,GRAPH#*,LEADERBOARD#*,MEMBERSHIP#*,RATE#*,"
            "TEAM#*,USER#*,WEBHOOKLOG#*,WEBHOOKOF#*"
            for action in ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem")
        ],
        "Table",
    )
    | _grants("lambda:InvokeFunction", "eraser-live")
    | FAILED_RUN,
    # Badge rarity: the player index, profiles and catalog; writes only its own item.
    "rarity": _grants(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], "Table")
    | _grants("dynamodb:Query", "Table/index/GSI2")
    | _grants("dynamodb:PutItem on RARITY", "Table")
    | FAILED_RUN,
    # The public routes: no table, no Redis, no VPC; the credential key's public half (JWKS).
    "meta": _grants("kms:GetPublicKey", "CredentialKey"),
    # Verifiable badges: the caller's profile and the catalog; the one signer (credentials.md).
    "credentials": _grants(["dynamodb:GetItem", "dynamodb:Query"], "Table")
    | _grants(["kms:Sign", "kms:GetPublicKey"], "CredentialKey"),
    # The token trigger reads one account's MFA settings in this pool, nothing else.
    "tokens": _grants("cognito-idp:AdminGetUser", "UserPool"),
}
IN_VPC = {"query", "projector", "reconciler"}


def test_every_function_is_covered(default_synth: Synthesis) -> None:
    assert set(default_synth.stack.functions) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_function_role_grants_exactly_what_the_function_uses(
    default_synth: Synthesis, name: str
) -> None:
    expected = EXPECTED[name] | platform(name, in_vpc=name in IN_VPC, tracing=True)
    actual = granted(default_synth, name)
    assert actual - expected == set(), "granted but not needed"
    assert expected - actual == set(), "needed but not granted"


def test_ingest_can_only_send_to_the_activity_queue_and_count_the_write_budget(
    default_synth: Synthesis,
) -> None:
    business = granted(default_synth, "ingest") - platform("ingest", in_vpc=False, tracing=True)
    assert business == {("sqs:SendMessage", "Queue"), ("dynamodb:UpdateItem on RATE#*", "Table")}


WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)


def test_only_the_eraser_can_delete_user_data(default_synth: Synthesis) -> None:
    """Deleting (DeleteItem, or BatchWriteItem, which deletes) a USER# item is the eraser's
    alone; the admin function deletes badge definitions (CATALOG) and nothing else."""
    deleters = {
        name
        for name in default_synth.stack.functions
        for action, resource in granted(default_synth, name)
        if resource == "Table"
        and action.startswith(("dynamodb:DeleteItem", "dynamodb:BatchWriteItem"))
        and "USER#" in action
    }
    assert deleters == {"eraser"}


def test_every_table_write_is_limited_to_the_key_families_the_function_writes(
    default_synth: Synthesis,
) -> None:
    unbounded = {
        (name, action)
        for name in default_synth.stack.functions
        for action, resource in granted(default_synth, name)
        if resource == "Table" and action.startswith(WRITE_ACTIONS) and " on " not in action
    }
    assert unbounded == set()


def test_the_consumer_writes_outside_transactions_only_users_and_seats(
    default_synth: Synthesis,
) -> None:
    writes = {
        (action, resource)
        for action, resource in granted(default_synth, "consumer")
        if resource == "Table" and not action.startswith(("dynamodb:Get", "dynamodb:Batch"))
    }
    assert writes == {
        ("dynamodb:Query", "Table"),
        ("dynamodb:PutItem" + TXN + " on COHORT#*,FLAGS,USER#*", "Table"),
        # The league seat counter (ADD) and the pending-marker path (profile, then markers).
        ("dynamodb:UpdateItem on SEATS#*,TQUEST#*,USER#*", "Table"),
        ("dynamodb:PutItem on SEATS#*,TQUEST#*,USER#*", "Table"),
        ("dynamodb:UpdateItem" + TXN + " on TQUEST#*", "Table"),
        ("dynamodb:ConditionCheckItem" + TXN + " on MEMBERSHIP#*", "Table"),
    }


def test_read_path_never_writes(default_synth: Synthesis) -> None:
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "sqs:SendMessage"}
    assert not {action for action, _ in granted(default_synth, "query")} & writes


def test_no_function_role_has_managed_policies(default_synth: Synthesis) -> None:
    for fn in default_synth.stack.functions.values():
        role = default_synth.resource(fn.role)["Properties"]
        assert "ManagedPolicyArns" not in role


def test_without_tracing_no_xray_permission_or_endpoint(alternative_synth: Synthesis) -> None:
    for name, business in EXPECTED.items():
        if name == "tokens":  # no token trigger on a pool of one's own (user_pool_id)
            assert name not in alternative_synth.stack.functions
            continue
        expected = business | platform(name, in_vpc=name in IN_VPC, tracing=False)
        assert granted(alternative_synth, name) == expected
    endpoints = alternative_synth.of_type("AWS::EC2::VPCEndpoint").values()
    assert not any("xray" in str(e["Properties"]["ServiceName"]) for e in endpoints)


@pytest.mark.parametrize("synth_name", ["default_synth", "alternative_synth"])
def test_backfill_may_invoke_itself_by_its_physical_name(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    backfill = synth.stack.functions["backfill"]
    name = synth.resource(backfill.function)["Properties"]["FunctionName"]
    assert name == f"{synth.stack.stack_name}-backfill"
    assert len(name) <= 64
    # Its live alias, never $LATEST (which a canary has not vetted) nor every version.
    assert ("lambda:InvokeFunction", "backfill-live") in granted(synth, "backfill")
    variables = synth.resource(backfill.function)["Properties"]["Environment"]["Variables"]
    assert variables[SELF_INVOKE_ENV] == f"{name}:live"
    # The grant names the function by ARN, not by a reference to it: a reference would make
    # the role's policy wait for the function that waits for it (a circular dependency).
    statements = json.dumps(_statements(synth, "backfill"))
    assert synth.logical_id(backfill.function) not in statements
    assert synth.logical_id(backfill.alias) not in statements


def test_lambda_invoke_grants_name_live_aliases_only(default_synth: Synthesis) -> None:
    """A grant on a function's unqualified ARN would not let a caller invoke the alias, and
    one on ``function:*`` would let it invoke any version: every invoke grant names ``live``."""
    invokes = {
        resource
        for name in default_synth.stack.functions
        for action, resource in granted(default_synth, name)
        if action == "lambda:InvokeFunction"
    }
    assert invokes == {"eraser-live", "backfill-live", "leagues-live"}


def test_functions_that_call_lambda_run_outside_the_vpc(default_synth: Synthesis) -> None:
    """The VPC has no NAT and no Lambda endpoint: a Lambda API call from it could never leave."""
    for name, fn in default_synth.stack.functions.items():
        if any(action.startswith("lambda:") for action, _ in granted(default_synth, name)):
            assert "VpcConfig" not in default_synth.resource(fn.function)["Properties"], name


def test_only_the_credentials_function_may_sign_with_the_credential_key(
    default_synth: Synthesis,
) -> None:
    signers = {
        name
        for name in default_synth.stack.functions
        if any(action == "kms:Sign" for action, _ in granted(default_synth, name))
    }
    key = default_synth.resource(default_synth.stack.credential_key.key)["Properties"]

    assert signers == {"credentials"}
    assert ("kms:Sign", "CredentialKey") in granted(default_synth, "credentials")
    assert key["KeySpec"] == "ECC_NIST_P256"
    assert key["KeyUsage"] == "SIGN_VERIFY"
    # The key policy grants no principal but the account (IAM decides, as above).
    principals = [s["Principal"] for s in key["KeyPolicy"]["Statement"]]
    assert all(set(p) == {"AWS"} for p in principals), principals


def test_only_the_webhook_sender_opens_webhook_secrets(default_synth: Synthesis) -> None:
    """The signing secrets are stored sealed: the admin function seals, the sender alone
    decrypts (docs/events.md, "Signing secrets at rest")."""
    by_action: dict[str, set[str]] = {"kms:Encrypt": set(), "kms:Decrypt": set()}
    for name in default_synth.stack.functions:
        for action, resource in granted(default_synth, name):
            if resource == "WebhookSecretsKey" and action in by_action:
                by_action[action].add(name)
    assert by_action == {"kms:Encrypt": {"admin"}, "kms:Decrypt": {"webhooks"}}
