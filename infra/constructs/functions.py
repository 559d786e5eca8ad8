"""How every Gamify Lambda is built: same runtime, layers, logging and a role of its own.

Each function gets its own IAM role with no managed policies: an inline policy lets it write to
its own log group (and manage its VPC network interfaces when in the VPC); everything else is
granted by the construct that wires it, one named action on one named resource at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra import assets
from infra.config import StackConfig
from infra.constructs.network import Network
from infra.layer import layer_is_built
from infra.nag import acknowledge

VPC_NETWORK_INTERFACE_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
_APPLICATION_LOG_LEVELS = {
    "DEBUG": lambda_.ApplicationLogLevel.DEBUG,
    "INFO": lambda_.ApplicationLogLevel.INFO,
    "WARNING": lambda_.ApplicationLogLevel.WARN,
    "ERROR": lambda_.ApplicationLogLevel.ERROR,
}
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LIVE_ALIAS = "live"
"""The alias every trigger, integration and caller invokes (docs/deploy.md, "Rolling back"):
moving it is how a deploy goes live, gradually with ``canary``, and how it is rolled back."""
SELF_INVOKE_ENV = "GAMIFY_SELF_INVOKE_NAME"
"""The qualified name (``<function>:live``) a job that continues itself invokes, so a paused run
resumes on the live code, never on ``$LATEST`` (which a canary has not vetted yet)."""
LATEST_PYTHON = "python3.14"
"""The newest Python runtime Lambda offers (cdk-nag's L1 rule asks for it)."""


def id_of(name: str) -> str:
    """The construct id part a function or schedule name gives its resources (its function,
    schedule rule, alarms, deployment group): ``reminder_fanout`` -> ``ReminderFanout``,
    ``drift-sample`` -> ``DriftSample``."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


@dataclass(frozen=True, slots=True)
class DomainEnvironment:
    """Domain settings as the variables ``gamification.config`` reads, in two groups.

    Every function that writes user state must see the same values: the consumer derives the
    reminder index key from the lead time the reminder fan-out queries with, so a function left
    on the default while another gets the configured value would silently miss reminders.
    """

    backdate: dict[str, str]
    """For the functions that judge an activity's time (ingest, consumer, backfill)."""
    user_state: dict[str, str]
    """For the functions that write profiles and notifications."""
    leagues: dict[str, str] = field(default_factory=dict)
    """For the functions that seat users in league cohorts (consumer, league close): both must
    count seats over the same shards."""

    @classmethod
    def from_config(cls, config: StackConfig) -> DomainEnvironment:
        return cls(
            backdate={"GAMIFY_MAX_BACKDATE_HOURS": f"{config.max_backdate_hours:g}"},
            user_state={
                "REMINDER_LEAD_HOURS": f"{config.reminder_lead_hours:g}",
                "NOTIFICATION_TTL_DAYS": str(config.notification_ttl_days),
                # Profile writers file reminders under the shards the fan-out reads.
                "GAMIFY_REMINDER_SHARDS": str(config.reminder_shards),
            },
            leagues={
                "GAMIFY_LEAGUE_SEAT_SHARDS": str(config.league_seat_shards),
                "GAMIFY_LEAGUE_CLOSE_SHARDS": str(config.league_close_shards),
            },
        )

    @property
    def everything(self) -> dict[str, str]:
        return {**self.backdate, **self.user_state}


class LambdaRuntime(Construct):
    """The layers and settings all functions share: built once, referenced by each function."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        # The public Powertools layer, resolved per region at deploy time from the SSM parameter
        # Powertools publishes for each release (no account ids or layer numbers hard-coded).
        powertools_arn = ssm.StringParameter.value_for_string_parameter(
            self,
            f"/aws/service/powertools/python/{assets.ARCHITECTURE.name}/"
            f"{assets.RUNTIME.name}/{config.powertools_version}",
        )
        self.powertools_layer = lambda_.LayerVersion.from_layer_version_arn(
            self, "PowertoolsLayer", powertools_arn
        )
        self.shared_layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            code=assets.shared_layer_code(),
            compatible_runtimes=[assets.RUNTIME],
            compatible_architectures=[assets.ARCHITECTURE],
            description="gamification package and its runtime dependencies",
        )
        if not layer_is_built():
            Annotations.of(self.shared_layer).add_warning_v2(
                "gamify:layer-not-built",
                "build/layer is missing: the shared layer holds the package without its "
                "dependencies (redis, tzdata). Run `make layer` before `cdk deploy`.",
            )


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """What differs between functions; everything else is the same for all of them."""

    name: str
    """Folder under ``functions/`` and the Powertools service name."""
    description: str
    timeout: Duration
    memory_mb: int = 512
    environment: dict[str, str] = field(default_factory=dict)
    physical_name: str | None = None
    """A fixed function name, only for a function whose own role must name it (see ``arn``);
    every other function keeps the name CloudFormation generates."""

    def __post_init__(self) -> None:
        if self.physical_name is not None and not _FUNCTION_NAME.match(self.physical_name):
            raise ValueError(
                f"function name {self.physical_name!r} must be 1-64 letters, digits, - or _"
            )


class GamifyFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        runtime: LambdaRuntime,
        network: Network | None = None,
    ) -> None:
        """``network`` places the function in the VPC (only for the functions that use Redis)."""
        super().__init__(scope, construct_id)
        config = runtime.config
        self.spec = spec
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        statements = [
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        ]
        if network is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="ManageVpcNetworkInterfaces",
                    actions=list(VPC_NETWORK_INTERFACE_ACTIONS),
                    resources=["*"],
                )
            )
        # Inline on the role, so the permissions exist before Lambda validates them at creation.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Gamify {spec.name} function",
            inline_policies={"Runtime": iam.PolicyDocument(statements=statements)},
        )
        environment = {
            "POWERTOOLS_SERVICE_NAME": spec.name,
            "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
            "LOG_LEVEL": config.log_level,
            **({} if config.tracing else {"POWERTOOLS_TRACE_DISABLED": "true"}),
            **spec.environment,
        }
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=assets.RUNTIME,
            architecture=assets.ARCHITECTURE,
            handler="handler.lambda_handler",
            code=assets.function_code(spec.name),
            layers=[runtime.powertools_layer, runtime.shared_layer],
            role=self.role,
            log_group=self.log_group,
            # JSON for Lambda's own lines too (START/REPORT, timeouts, init errors carry the
            # requestId); Powertools' lines are JSON already and are not wrapped again.
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=_APPLICATION_LOG_LEVELS[config.log_level],
            system_log_level_v2=lambda_.SystemLogLevel.INFO,
            timeout=spec.timeout,
            memory_size=spec.memory_mb,
            environment=environment,
            function_name=spec.physical_name,
            # Keep the versions a deploy replaces: rolling back points the alias at one of them.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.RETAIN),
            tracing=lambda_.Tracing.ACTIVE if config.tracing else lambda_.Tracing.DISABLED,
            vpc=network.vpc if network else None,
            vpc_subnets=network.subnets if network else None,
            security_groups=[network.lambda_security_group] if network else None,
        )
        # A new version on every change of code or configuration; old ones are kept (above), so
        # rolling back is moving the alias, not a rebuild.
        self.alias = lambda_.Alias(
            self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version
        )
        if spec.physical_name is not None:
            self.add_env(SELF_INVOKE_ENV, self.invoke_name)
        star_reasons = []
        if network is not None:
            star_reasons.append(
                "EC2 network-interface actions (Lambda attaching to the VPC) do not support "
                "resource-level permissions"
            )
        if config.tracing:
            star_reasons.append(
                "xray:PutTraceSegments/PutTelemetryRecords do not support resource-level "
                "permissions"
            )
        if star_reasons:
            acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", "; ".join(star_reasons))
        if assets.RUNTIME.name != LATEST_PYTHON:
            acknowledge(
                self.function,
                "AwsSolutions-L1",
                f"{assets.RUNTIME.name} on purpose: the layer ships .pyc compiled by the "
                "runtime's own CPython minor version (saving the compile on every cold start), "
                "and a 3.13 interpreter to build them with is one `pyenv install` away on any "
                "build machine (CPython supports 3.13 until October 2029).",
            )

    def add_env(self, key: str, value: str) -> None:
        self.function.add_environment(key, value)

    def allow(self, actions: list[str], resources: list[str], sid: str | None = None) -> None:
        """Grant exactly these actions on exactly these resources."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(sid=sid, actions=actions, resources=resources)
        )

    @property
    def arn(self) -> str:
        """The function's ARN, for IAM policies.

        With a physical name it is built from that name rather than read from the function, so
        even the function's own role may name it: a ``GetAtt`` in the role's policy would make
        the policy wait for the function, which waits for its role's policy (a cycle).
        """
        if self.spec.physical_name is None:
            return self.function.function_arn
        return self.stack.format_arn(
            service="lambda",
            resource="function",
            resource_name=self.spec.physical_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    @property
    def alias_arn(self) -> str:
        """The ``live`` alias's ARN, for ``lambda:InvokeFunction`` grants: an IAM grant on the
        unqualified ARN does not cover a qualified invocation, and vice versa."""
        if self.spec.physical_name is None:
            return self.alias.function_arn
        return f"{self.arn}:{LIVE_ALIAS}"

    @property
    def invoke_name(self) -> str:
        """What callers pass as ``FunctionName``: the function qualified with the alias."""
        if self.spec.physical_name is None:
            return self.alias.function_name
        return f"{self.spec.physical_name}:{LIVE_ALIAS}"

    @property
    def stack(self) -> Stack:
        return Stack.of(self)
