"""Gradual deployment (``canary``): CodeDeploy moves each function's ``live`` alias in steps.

Every function publishes a version per deploy and every trigger invokes its ``live`` alias
(``functions.GamifyFunction``). Without ``canary`` CloudFormation points the alias at the new
version at once. With it, each alias gets a CodeDeploy deployment group: 10% of invocations go
to the new version for 30 minutes, then all of them; the function's error-rate alarm going off
in that window (or a stopped deployment) moves the alias back to the old version by itself.
docs/deploy.md, "Rolling back", has the commands for doing it by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from constructs import Construct

from infra.config import StackConfig
from infra.constructs.functions import GamifyFunction, id_of
from infra.nag import acknowledge

CANARY = codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_30_MINUTES
"""10% of the traffic for 30 minutes. The rollback alarm is the function's error rate, 3 of 5
five-minute periods over 5% (``observability.py``): it needs 15 minutes of a failing canary to
go off, so a 5-minute canary would finish before it could."""

AlarmsOf = Callable[[str], Sequence[cloudwatch.IAlarm]]
"""The alarms that roll a function's deployment back, by function name."""


class GradualDeployments(Construct):
    """One CodeDeploy application, one deployment group per function's ``live`` alias."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        functions: Mapping[str, GamifyFunction],
        alarms_of: AlarmsOf,
    ) -> None:
        super().__init__(scope, construct_id)
        self.application = codedeploy.LambdaApplication(
            self, "Application", application_name=config.stack_name
        )
        self.groups: dict[str, codedeploy.LambdaDeploymentGroup] = {}
        for name, fn in functions.items():
            alarms = list(alarms_of(name))
            if not alarms:
                raise ValueError(f"no alarm to roll the {name} function back with")
            group = codedeploy.LambdaDeploymentGroup(
                self,
                id_of(name),
                application=self.application,
                alias=fn.alias,
                deployment_config=CANARY,
                alarms=alarms,
                auto_rollback=codedeploy.AutoRollbackConfig(
                    failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
                ),
            )
            acknowledge(
                group,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSCodeDeployRoleForLambdaLimited]",
                "CodeDeploy's role for Lambda deployments: AWS maintains this policy for exactly "
                "that (shift an alias, read its alarms, invoke hooks named CodeDeployHook_*).",
            )
            self.groups[name] = group
