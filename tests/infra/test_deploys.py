"""Safe deploys and recovery on the template: a ``live`` alias per function that every trigger
invokes, CodeDeploy canaries rolled back by alarms, the backup plan, and adopting a restored
table (docs/deploy.md, "Safe deploys"; docs/recovery.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.functions import LIVE_ALIAS
from tests.infra.conftest import COPY_VAULT, RESTORED_STREAM, RESTORED_TABLE, Synthesis

SYNTHS = ["default_synth", "alternative_synth", "safety_synth"]


def _alias_ids(synth: Synthesis) -> dict[str, str]:
    return {synth.logical_id(fn.alias): name for name, fn in synth.stack.functions.items()}


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_function_has_a_live_alias_on_a_published_version(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    aliases = synth.of_type("AWS::Lambda::Alias")
    versions = synth.of_type("AWS::Lambda::Version")
    functions = {synth.logical_id(fn.function): name for name, fn in synth.stack.functions.items()}
    assert set(aliases) == set(_alias_ids(synth))
    for alias_id, alias in aliases.items():
        props = alias["Properties"]
        assert props["Name"] == LIVE_ALIAS
        version_id = props["FunctionVersion"]["Fn::GetAtt"][0]
        version = versions[version_id]
        assert version["Properties"]["FunctionName"] == {"Ref": props["FunctionName"]["Ref"]}
        assert functions[props["FunctionName"]["Ref"]] == _alias_ids(synth)[alias_id]
        # Old versions stay: rolling back is moving the alias to one of them.
        assert version["DeletionPolicy"] == "Retain"


def _targets(synth: Synthesis) -> list[tuple[str, Any]]:
    """Everything that invokes a function: (what, the function or alias it names)."""
    found: list[tuple[str, Any]] = []
    for logical_id, mapping in synth.of_type("AWS::Lambda::EventSourceMapping").items():
        found.append((logical_id, mapping["Properties"]["FunctionName"]))
    for logical_id, rule in synth.of_type("AWS::Events::Rule").items():
        found += [(logical_id, target["Arn"]) for target in rule["Properties"]["Targets"]]
    for logical_id, permission in synth.of_type("AWS::Lambda::Permission").items():
        found.append((logical_id, permission["Properties"]["FunctionName"]))
    for logical_id, method in synth.of_type("AWS::ApiGateway::Method").items():
        integration = method["Properties"]["Integration"]
        if integration["Type"] == "AWS_PROXY":
            found.append((logical_id, integration["Uri"]))
    for logical_id, pool in synth.of_type("AWS::Cognito::UserPool").items():
        for trigger in pool["Properties"].get("LambdaConfig", {}).values():
            found.append((logical_id, trigger))
    return found


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_trigger_invokes_a_live_alias_never_the_function(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """Event source mappings, schedules, API integrations, invoke permissions and the user
    pool's trigger all name an alias; a function of ours is never invoked as ``$LATEST``."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    ours = {synth.logical_id(fn.function) for fn in synth.stack.functions.values()}
    aliases = set(_alias_ids(synth))
    invoked: set[str] = set()
    for source, target in _targets(synth):
        text = json.dumps(target)
        named = {alias for alias in aliases if f'"{alias}"' in text}
        assert not any(f'"{function}"' in text for function in ours), source
        if f'"{LIVE_ALIAS}"' not in text and not named:
            continue  # CDK's own functions (custom resources) are not ours to version
        assert len(named) == 1, (source, target)
        invoked |= named
    # Every trigger-driven function is reached through its alias at least once.
    expected = {
        "consumer",
        "projector",
        "dispatcher",
        "reminder_sender",
        "reminder_fanout",
        "reconciler",
    }
    expected |= {"leagues", "ingest", "query", "account", "admin", "meta"}
    assert expected <= {_alias_ids(synth)[alias] for alias in invoked}


def test_async_retries_and_failure_destinations_are_the_alias_s(default_synth: Synthesis) -> None:
    configs = default_synth.of_type("AWS::Lambda::EventInvokeConfig").values()
    assert configs
    aliases = _alias_ids(default_synth)
    for config in configs:
        qualifier = config["Properties"]["Qualifier"]
        alias_ref = qualifier["Fn::Select"][1]["Fn::Split"][1]["Ref"]
        assert alias_ref in aliases


def test_no_deployment_groups_without_canary(default_synth: Synthesis) -> None:
    assert default_synth.of_type("AWS::CodeDeploy::DeploymentGroup") == {}
    for alias in default_synth.of_type("AWS::Lambda::Alias").values():
        assert "UpdatePolicy" not in alias


def test_canary_shifts_every_alias_and_rolls_back_on_the_function_s_error_rate_alarm(
    safety_synth: Synthesis,
) -> None:
    stack = safety_synth.stack
    assert stack.deployments is not None
    (application,) = safety_synth.of_type("AWS::CodeDeploy::Application").values()
    assert application["Properties"]["ComputePlatform"] == "Lambda"
    groups = safety_synth.of_type("AWS::CodeDeploy::DeploymentGroup")
    assert len(groups) == len(stack.functions)
    for name, fn in stack.functions.items():
        alias = safety_synth.resource(fn.alias)
        policy = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        group_id = policy["DeploymentGroupName"]["Ref"]
        props = groups[group_id]["Properties"]
        # Long enough for the error-rate alarm (3 of 5 five-minute periods) to go off in it.
        assert props["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent30Minutes"
        assert props["AutoRollbackConfiguration"] == {
            "Enabled": True,
            "Events": [
                "DEPLOYMENT_FAILURE",
                "DEPLOYMENT_STOP_ON_REQUEST",
                "DEPLOYMENT_STOP_ON_ALARM",
            ],
        }
        alarms = props["AlarmConfiguration"]
        assert alarms["Enabled"] is True
        error_alarm = stack.observability.error_rate_alarm(name)
        assert alarms["Alarms"] == [{"Name": {"Ref": safety_synth.logical_id(error_alarm)}}]


def test_no_backup_plan_unless_asked(default_synth: Synthesis) -> None:
    assert default_synth.of_type("AWS::Backup::BackupPlan") == {}


def test_the_backup_plan_keeps_35_days_and_copies_to_another_region(
    safety_synth: Synthesis,
) -> None:
    (plan,) = safety_synth.of_type("AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    assert rule["CopyActions"] == [
        {"DestinationBackupVaultArn": COPY_VAULT, "Lifecycle": {"DeleteAfterDays": 35}}
    ]
    (vault_id, vault) = next(iter(safety_synth.of_type("AWS::Backup::BackupVault").items()))
    assert vault["DeletionPolicy"] == "Retain"
    assert rule["TargetBackupVault"] == {"Fn::GetAtt": [vault_id, "BackupVaultName"]}
    (selection,) = safety_synth.of_type("AWS::Backup::BackupSelection").values()
    resources = json.dumps(selection["Properties"]["BackupSelection"]["Resources"])
    assert f"table/{RESTORED_TABLE}" in resources  # the table in use: here an adopted one


def test_a_restored_table_is_adopted_by_name_with_its_stream(safety_synth: Synthesis) -> None:
    """The recovery plan's switch: no table of the stack's own, every function on the restored
    one, and the stream readers on its stream."""
    assert safety_synth.of_type("AWS::DynamoDB::Table") == {}
    for name, fn in safety_synth.stack.functions.items():
        variables = safety_synth.resource(fn.function)["Properties"]["Environment"]["Variables"]
        if "TABLE_NAME" in variables:
            assert variables["TABLE_NAME"] == RESTORED_TABLE, name
    sources = {
        m["Properties"]["EventSourceArn"]
        if isinstance(m["Properties"]["EventSourceArn"], str)
        else json.dumps(m["Properties"]["EventSourceArn"])
        for m in safety_synth.of_type("AWS::Lambda::EventSourceMapping").values()
    }
    assert RESTORED_STREAM in sources
    assert safety_synth.template["Outputs"]["TableName"]["Value"] == RESTORED_TABLE


def test_adopting_a_table_needs_its_stream() -> None:
    from infra.config import StackConfig

    with pytest.raises(ValueError, match="table_name and table_stream_arn go together"):
        StackConfig(table_name=RESTORED_TABLE)


def test_the_function_outputs_name_the_live_alias(default_synth: Synthesis) -> None:
    outputs = default_synth.template["Outputs"]
    for key in ("BackfillFunctionName", "EraserFunctionName", "LeaguesFunctionName"):
        assert outputs[key]["Value"].endswith(f":{LIVE_ALIAS}"), key
    reconciler = json.dumps(outputs["ReconcilerFunctionName"]["Value"])
    assert f":{LIVE_ALIAS}" in reconciler
