"""The bill: list prices, the assumptions no benchmark can count, and the arithmetic from a
template and measured usage to dollars a month. Pure: no I/O, no AWS, no clock.

Inputs come from two places, never typed in: the synthesized CloudFormation template (what
exists and costs money at rest: alarms, dashboards, keys, the cache, log groups, schedules, a
web ACL, and every function's memory and architecture) and ``benchmarks.cost_usage`` (what a
unit of traffic uses, counted through the real handlers). ``benchmarks.costs`` joins them and
writes docs/cost.md. Free tiers are modelled twice: **year one** (a new account's monthly
allowances, AWS's 12-month ones included, all available to this stack) and **steady state**
(the allowances spent by other workloads of the account, the KMS key rotated twice).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CHECKED = "2026-12-03"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    note: str = ""


P = Price
# us-east-1 list prices. "checked" means read on the page (or a stored copy of it) on CHECKED;
# a note says where that was not possible.
PRICES: dict[str, Price] = {
    "lambda_gb_s_arm": P(
        0.0000133334,
        "GB-second (arm64)",
        "https://aws.amazon.com/lambda/pricing/",
        "not re-read here: the long-standing arm64 rate",
    ),
    "lambda_gb_s_x86": P(
        0.0000166667,
        "GB-second (x86_64)",
        "https://aws.amazon.com/lambda/pricing/",
        "not re-read here",
    ),
    "lambda_request": P(
        0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/", "not re-read here"
    ),
    "apigw_rest_request": P(
        3.50 / 1e6,
        "REST API request (first 333 M)",
        "https://aws.amazon.com/api-gateway/pricing/",
        "not re-read here",
    ),
    "ddb_write_unit": P(
        0.625 / 1e6,
        "on-demand write request unit",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        "not re-read here: the Nov 2024 on-demand rate",
    ),
    "ddb_read_unit": P(
        0.125 / 1e6,
        "on-demand read request unit",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        "not re-read here: the Nov 2024 on-demand rate",
    ),
    "sqs_request": P(
        0.40 / 1e6,
        "standard queue request (64 KB chunk)",
        "https://aws.amazon.com/sqs/pricing/",
        "not re-read here",
    ),
    "sns_request": P(
        0.50 / 1e6,
        "SNS API request (Publish)",
        "https://aws.amazon.com/sns/pricing/",
        "not re-read here; mobile push deliveries add $0.50 per M",
    ),
    "sns_mobile_push": P(
        0.50 / 1e6,
        "mobile push notification delivered",
        "https://aws.amazon.com/sns/pricing/",
        "not re-read here",
    ),
    "eventbridge_event": P(
        1.00 / 1e6,
        "custom event put on an event bus (64 KB chunk)",
        "https://aws.amazon.com/eventbridge/pricing/",
        "not re-read here",
    ),
    "eventbridge_archive_gb": P(
        0.10,
        "GB of events archived (processed into the archive)",
        "https://aws.amazon.com/eventbridge/pricing/",
        "not re-read here; storage adds $0.023 per GB-month",
    ),
    "firehose_gb": P(
        0.029,
        "GB ingested by Firehose Direct PUT (each record rounded up to 5 KB)",
        "https://aws.amazon.com/firehose/pricing/",
        "not re-read here: the first-500-TB tier",
    ),
    "firehose_conversion_gb": P(
        0.018,
        "GB converted by Firehose from JSON to Parquet (the same billed volume)",
        "https://aws.amazon.com/firehose/pricing/",
        "not re-read here",
    ),
    "s3_put": P(
        0.005 / 1000,
        "S3 PUT request (Standard)",
        "https://aws.amazon.com/s3/pricing/",
        "not re-read here",
    ),
    "s3_gb_month": P(
        0.023,
        "GB-month stored (S3 Standard, first 50 TB)",
        "https://aws.amazon.com/s3/pricing/",
        "not re-read here",
    ),
    "athena_tb": P(
        5.00,
        "TB scanned by Athena (10 MB minimum a query)",
        "https://aws.amazon.com/athena/pricing/",
        "not re-read here",
    ),
    "valkey_gb_hour": P(
        0.084,
        "GB-hour stored (Valkey serverless, 100 MB minimum)",
        "https://aws.amazon.com/elasticache/pricing/",
        "checked against a stored copy of a pricing summary (usage.ai, June 2026) citing the "
        "AWS page",
    ),
    "valkey_ecpu": P(
        0.0023 / 1e6,
        "ECPU (Valkey serverless)",
        "https://aws.amazon.com/elasticache/pricing/",
        "as above",
    ),
    "redis_gb_hour": P(
        0.125,
        "GB-hour stored (Redis OSS serverless, 1 GB minimum)",
        "https://aws.amazon.com/elasticache/pricing/",
        "as above",
    ),
    "redis_ecpu": P(
        0.0034 / 1e6,
        "ECPU (Redis OSS serverless)",
        "https://aws.amazon.com/elasticache/pricing/",
        "as above",
    ),
    "cw_alarm": P(
        0.10,
        "standard-resolution alarm metric-month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "not re-read here",
    ),
    "cw_composite_alarm": P(
        0.50,
        "composite alarm-month",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "not re-read here",
    ),
    "cw_dashboard": P(
        3.00, "dashboard-month", "https://aws.amazon.com/cloudwatch/pricing/", "not re-read here"
    ),
    "cw_metric": P(
        0.30,
        "custom metric-month (first 10,000)",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "not re-read here",
    ),
    "logs_ingest_gb": P(
        0.50,
        "GB of logs ingested (standard class)",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "not re-read here",
    ),
    "logs_store_gb": P(
        0.03,
        "GB-month of logs stored",
        "https://aws.amazon.com/cloudwatch/pricing/",
        "not re-read here",
    ),
    "kms_key": P(
        1.00,
        "customer managed key-month",
        "https://aws.amazon.com/kms/pricing/",
        f"checked {CHECKED} (stored copy of the page)",
    ),
    "kms_rotation": P(
        1.00,
        "key-month per rotated backing key (first two rotations)",
        "https://aws.amazon.com/kms/pricing/",
        f"the $1 per rotation checked {CHECKED}; the cap after two rotations (April 2024 "
        "change) not re-read",
    ),
    "xray_trace": P(
        5.00 / 1e6, "trace recorded", "https://aws.amazon.com/xray/pricing/", "not re-read here"
    ),
    "waf_acl": P(5.00, "web ACL-month", "https://aws.amazon.com/waf/pricing/", "not re-read here"),
    "waf_rule": P(
        1.00,
        "rule (or managed rule group)-month",
        "https://aws.amazon.com/waf/pricing/",
        "not re-read here",
    ),
    "waf_request": P(
        0.60 / 1e6, "request inspected", "https://aws.amazon.com/waf/pricing/", "not re-read here"
    ),
    "cognito_mau": P(
        0.015,
        "monthly active user past 10,000 (Essentials)",
        "https://aws.amazon.com/cognito/pricing/",
        "not re-read here",
    ),
    "interface_endpoint_hour": P(
        0.01,
        "interface endpoint-hour per AZ",
        "https://aws.amazon.com/privatelink/pricing/",
        "not re-read here",
    ),
    "nat_gateway_hour": P(
        0.045, "NAT gateway-hour", "https://aws.amazon.com/vpc/pricing/", "not re-read here"
    ),
}
del P

NODE_HOURLY: dict[str, float] = {
    "cache.t4g.micro": 0.016,
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.m7g.large": 0.158,
    "cache.r7g.large": 0.219,
}
"""On-demand node-hours (Valkey nodes; https://aws.amazon.com/elasticache/pricing/, not re-read
here). A node type not listed is reported unpriced."""

FREE = {
    # Always free (every month, every account) unless noted 12-month.
    "lambda_request": 1_000_000,
    "lambda_gb_s": 400_000,
    "apigw_rest_request": 1_000_000,  # 12-month free tier
    "sqs_request": 1_000_000,
    "sns_request": 1_000_000,
    "sns_mobile_push": 1_000_000,
    "cw_alarm": 10,
    "cw_dashboard": 3,
    "cw_metric": 10,
    "logs_gb": 5,
    "xray_trace": 100_000,
    "cognito_mau": 10_000,
}
"""Monthly free allowances (year one only in this model)."""

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


@dataclass(frozen=True)
class Assumptions:
    """What no benchmark here can count, each with its reason (docs/cost.md lists them)."""

    base_ms: float = 5.0
    """Compute per invocation beyond its requests (parsing, the domain): in-process handler
    runs on this machine take a few ms."""
    request_ms: Mapping[str, float] = field(
        default_factory=lambda: {"dynamodb": 8.0, "sqs": 10.0, "sns": 15.0, "dynamodbstreams": 0.0}
    )
    """Wall time per AWS request from Lambda (in-region p50s, as ``benchmarks.fakes``)."""
    redis_command_ms: float = 0.3
    """Per Redis command (pipelined and scripted commands share a round trip: an upper bound)."""
    cold_start_share: float = 0.01
    """Invocations that start a new environment (AWS: under 1 % in production workloads)."""
    init_ms: float = 900.0
    """Billed INIT phase (since Aug 2025) of a cold start: runtime start + our imports
    (``make bench`` cold_start: ≤ 150 ms above Powertools + boto3 + pydantic)."""
    platform_log_bytes: int = 330
    """START, END and REPORT lines Lambda writes per invocation (text format)."""
    log_event_overhead_bytes: int = 26
    """CloudWatch Logs bills 26 bytes per event on top of the message."""
    sampled_share: float = 1.0
    """X-Ray: the default rule samples the first request each second and 5 % after; at the
    ≈ 0.4 requests/s of a million a month that is every request."""
    sqs_idle_receives_per_mapping: float = 5 * SECONDS_PER_MONTH / 20
    """Lambda's SQS mapping long-polls (20 s) with 5 pollers while the queue is empty."""
    cache_stored_gb: float = 0.1
    """Data a small deployment keeps in the cache: below the Valkey serverless minimum."""


ASSUMPTIONS = Assumptions()


# -- the template --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    name: str
    memory_mb: int
    arm: bool
    traced: bool


@dataclass
class Inventory:
    """What the template creates that bills by existing, and what a function costs per GB-s."""

    alarms: int = 0
    composite_alarms: int = 0
    dashboards: int = 0
    kms_keys: int = 0
    rotating_keys: int = 0
    serverless_caches: list[str] = field(default_factory=list)
    cache_nodes: Counter[str] = field(default_factory=Counter)
    """Node type -> nodes (``cache_type=nodes``)."""
    web_acls: int = 0
    waf_rules: int = 0
    sqs_mappings: int = 0
    interface_endpoints: int = 0
    nat_gateways: int = 0
    log_retention_days: list[int] = field(default_factory=list)
    schedules: dict[str, float] = field(default_factory=dict)
    """Schedule label (the target's ``Input`` mode, else the function) -> runs a month."""
    functions: dict[str, Function] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    """Literal environment variables shared by the functions (the deployed configuration)."""
    access_log_bytes: int = 0
    """Bytes of one API access log line (the format string's length: placeholders ≈ values)."""
    api_traced: bool = False
    unpriced: Counter[str] = field(default_factory=Counter)


FREE_TYPES = frozenset(
    {
        # No charge for existing; their use is priced with the traffic that uses them.
        "AWS::ApiGateway::Account",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolGroup",
        "AWS::DynamoDB::Table",
        "AWS::EC2::FlowLog",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::Subnet",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::VPC",
        "AWS::ElastiCache::User",
        "AWS::ElastiCache::UserGroup",
        "AWS::Events::Rule",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::Logs::LogGroup",
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::SQS::Queue",
        "AWS::SQS::QueuePolicy",
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "Custom::VpcRestrictDefaultSG",
        "Custom::CDKBucketDeployment",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::CodeDeploy::Application",
        "AWS::CodeDeploy::DeploymentGroup",
        "AWS::Backup::BackupVault",
        "AWS::Backup::BackupSelection",
        "AWS::Backup::BackupPlan",
        "AWS::Logs::MetricFilter",
        "AWS::Events::EventBus",
        "AWS::Events::Archive",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::UsagePlanKey",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::Lambda::Url",
        "AWS::KMS::Alias",
        "AWS::SES::EmailIdentity",
        "AWS::ElastiCache::SubnetGroup",
        "AWS::Cognito::UserPoolDomain",
        "AWS::EC2::VPCEndpoint",
        # The history lake: its use is priced per event (``lake_per_million``).
        "AWS::Glue::Database",
        "AWS::Glue::Table",
        "AWS::KinesisFirehose::DeliveryStream",
        "AWS::Athena::WorkGroup",
        "AWS::Athena::NamedQuery",
        # The API's routes in a nested stack (their resources are read like the stack's own).
        "AWS::CloudFormation::Stack",
    }
)
"""Types free to exist (a gateway VPC endpoint is; an interface one is priced below)."""


def runs_per_month(expression: str) -> float:
    """Runs a month of an EventBridge ``rate(...)`` or a ``cron(...)`` of whole hours/minutes."""
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if rate:
        n, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        every = n * {"minute": 1, "hour": 60, "day": 1440}[unit]
        return HOURS_PER_MONTH * 60 / every
    cron = re.fullmatch(r"cron\((\S+) (\S+) \* \* \? \*\)", expression)
    if cron:
        minutes, hours = cron.groups()
        per_hour = 60 if minutes == "*" else len(minutes.split(","))
        per_day = 24 if hours == "*" else len(hours.split(","))
        return per_hour * per_day * HOURS_PER_MONTH / 24
    raise ValueError(f"cannot price the schedule {expression!r}")


def inventory(template: Mapping[str, Any]) -> Inventory:
    """Read ``template`` generically: every resource type is priced, known free, or listed in
    ``unpriced`` (a test fails on that, so an added resource is priced before it ships)."""
    found = Inventory()
    resources: Mapping[str, Mapping[str, Any]] = template["Resources"]
    shared: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for logical, resource in resources.items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::Lambda::Function":
            variables = (props.get("Environment") or {}).get("Variables") or {}
            name = variables.get("POWERTOOLS_SERVICE_NAME")
            if not isinstance(name, str):
                continue  # CDK's own helpers (custom resources): run at deploy only
            names[logical] = name
            found.functions[name] = Function(
                name,
                int(props.get("MemorySize", 128)),
                props.get("Architectures", ["x86_64"]) == ["arm64"],
                (props.get("TracingConfig") or {}).get("Mode") == "Active",
            )
            for key, value in variables.items():
                if isinstance(value, str) and key != "POWERTOOLS_SERVICE_NAME":
                    shared.setdefault(key, set()).add(value)
    for logical, resource in resources.items():
        # Triggers invoke a function's ``live`` alias: it names the function it points at.
        if resource["Type"] == "AWS::Lambda::Alias":
            function = _ref(resource.get("Properties", {}).get("FunctionName"))
            if function in names:
                names[logical] = names[function]
    for resource in resources.values():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::CloudWatch::Alarm":
            # A metric-math alarm bills each metric it reads.
            stats = [m for m in props.get("Metrics", []) if "MetricStat" in m]
            found.alarms += max(1, len(stats))
        elif kind == "AWS::CloudWatch::CompositeAlarm":
            found.composite_alarms += 1
        elif kind == "AWS::CloudWatch::Dashboard":
            found.dashboards += 1
        elif kind == "AWS::KMS::Key":
            found.kms_keys += 1
            found.rotating_keys += bool(props.get("EnableKeyRotation"))
        elif kind == "AWS::ElastiCache::ServerlessCache":
            found.serverless_caches.append(str(props.get("Engine", "redis")))
        elif kind == "AWS::ElastiCache::ReplicationGroup":
            if "NumCacheClusters" in props:
                nodes = int(props["NumCacheClusters"])
            else:
                groups = int(props.get("NumNodeGroups", 1))
                nodes = groups * (1 + int(props.get("ReplicasPerNodeGroup", 0)))
            _node(found, str(props.get("CacheNodeType")), nodes)
        elif kind == "AWS::ElastiCache::CacheCluster":
            _node(found, str(props.get("CacheNodeType")), int(props.get("NumCacheNodes", 1)))
        elif kind == "AWS::WAFv2::WebACL":
            found.web_acls += 1
            found.waf_rules += len(props.get("Rules", []))
        elif kind == "AWS::EC2::VPCEndpoint" and props.get("VpcEndpointType") == "Interface":
            found.interface_endpoints += len(props.get("SubnetIds", [])) or 1
        elif kind == "AWS::EC2::NatGateway":
            found.nat_gateways += 1
        elif kind == "AWS::Logs::LogGroup":
            found.log_retention_days.append(int(props.get("RetentionInDays", 0)))
        elif kind == "AWS::Events::Rule" and "ScheduleExpression" in props:
            for target in props.get("Targets", []):
                function = names.get(_ref(target.get("Arn")), "?")
                mode = _mode(target.get("Input"))
                label = {"check": "cache-check", "sample": "drift-sample"}.get(mode, function)
                found.schedules[label] = runs_per_month(props["ScheduleExpression"])
        elif kind == "AWS::Lambda::EventSourceMapping":
            source = json.dumps(props.get("EventSourceArn"))
            found.sqs_mappings += (
                any(
                    resources.get(_ref(x), {}).get("Type") == "AWS::SQS::Queue"
                    for x in [props.get("EventSourceArn")]
                )
                or ":sqs:" in source
            )
        elif kind == "AWS::ApiGateway::Stage":
            found.api_traced = bool(props.get("TracingEnabled"))
            access = (props.get("AccessLogSetting") or {}).get("Format")
            found.access_log_bytes = len(access) if isinstance(access, str) else 0
        elif kind not in FREE_TYPES:
            found.unpriced[kind] += 1
    found.environment = {k: next(iter(v)) for k, v in shared.items() if len(v) == 1}
    return found


def _node(found: Inventory, node_type: str, nodes: int) -> None:
    if node_type in NODE_HOURLY:
        found.cache_nodes[node_type] += nodes
    else:
        found.unpriced[f"ElastiCache node {node_type}"] += nodes


def _ref(expression: Any) -> str:
    if isinstance(expression, Mapping):
        if "Fn::GetAtt" in expression:
            return str(expression["Fn::GetAtt"][0])
        if "Ref" in expression:
            return str(expression["Ref"])
    return ""


def _mode(raw: Any) -> str:
    if not isinstance(raw, str):
        return ""
    found = re.search(r'"mode"\s*:\s*"(\w+)"', raw)
    return found.group(1) if found else ""


# -- usage per unit of traffic --------------------------------------------------------------------


@dataclass(frozen=True)
class PerUnit:
    """What one unit of a scenario (an activity, a reminder, a board read) uses, on average."""

    api_requests: float = 0.0
    invocations: Mapping[str, float] = field(default_factory=dict)
    billed_ms: Mapping[str, float] = field(default_factory=dict)
    """function -> billed milliseconds per unit (all its invocations, warm)."""
    ddb_read_units: float = 0.0
    ddb_write_units: float = 0.0
    ddb_index_write_units: float = 0.0
    sqs_requests: float = 0.0
    sns_requests: float = 0.0
    push_deliveries: float = 0.0
    bus_events: float = 0.0
    """Domain events put on the stage's event bus (each under 64 KB: one billed event)."""
    bus_event_bytes: float = 0.0
    """Their bytes, which the archive bills per GB."""
    lake_billed_bytes: float = 0.0
    """What Firehose bills for the history lake's records (5 KB a record at least)."""
    redis_commands: float = 0.0
    log_bytes: float = 0.0
    """Our own lines and EMF blobs plus the platform's lines and per-event overhead."""
    traces: float = 0.0


@dataclass
class Line:
    item: str
    year_one: float
    steady: float
    basis: str


def lambda_gb_s(per: PerUnit, functions: Mapping[str, Function], a: Assumptions) -> float:
    total = 0.0
    for name, ms in per.billed_ms.items():
        memory_gb = functions[name].memory_mb / 1024
        cold = per.invocations.get(name, 0.0) * a.cold_start_share * a.init_ms
        total += (ms + cold) / 1000 * memory_gb
    return total


def variable_dollars(
    per: PerUnit, units: float, inv: Inventory, a: Assumptions = ASSUMPTIONS
) -> dict[str, float]:
    """Dollars for ``units`` units of a scenario, no free tier (the free tiers are monthly
    allowances shared by everything: :func:`monthly_bill` applies them)."""
    p = {k: v.usd for k, v in PRICES.items()}
    engine = inv.serverless_caches[0] if inv.serverless_caches else "valkey"
    ecpu = p["valkey_ecpu"] if engine == "valkey" else p["redis_ecpu"]
    arm = all(f.arm for f in inv.functions.values())
    gb_s = p["lambda_gb_s_arm"] if arm else p["lambda_gb_s_x86"]
    waf = p["waf_request"] if inv.web_acls else 0.0
    return {
        "API Gateway": units * per.api_requests * (p["apigw_rest_request"] + waf),
        "DynamoDB writes": units * per.ddb_write_units * p["ddb_write_unit"],
        "DynamoDB index writes": units * per.ddb_index_write_units * p["ddb_write_unit"],
        "DynamoDB reads": units * per.ddb_read_units * p["ddb_read_unit"],
        "Lambda requests": units * sum(per.invocations.values()) * p["lambda_request"],
        "Lambda compute": units * lambda_gb_s(per, inv.functions, a) * gb_s,
        "SQS": units * per.sqs_requests * p["sqs_request"],
        "SNS": units
        * (per.sns_requests * p["sns_request"] + per.push_deliveries * p["sns_mobile_push"]),
        "EventBridge": units
        * (
            per.bus_events * p["eventbridge_event"]
            + per.bus_event_bytes / 1e9 * p["eventbridge_archive_gb"]
        ),
        "Firehose (lake)": units
        * per.lake_billed_bytes
        / 1e9
        * (p["firehose_gb"] + p["firehose_conversion_gb"]),
        "ElastiCache ECPU": units * per.redis_commands * ecpu,
        "CloudWatch Logs": units * per.log_bytes / 1e9 * p["logs_ingest_gb"],
        "X-Ray": units * per.traces * p["xray_trace"],
    }


def idle_lines(inv: Inventory, idle: PerUnit, metrics: float) -> list[Line]:
    """The bill at rest: ``idle`` is a month of the schedules, ``metrics`` the custom metrics
    the functions emit at rest (names x dimension sets)."""
    p = {k: v.usd for k, v in PRICES.items()}
    lines: list[Line] = []
    for engine in inv.serverless_caches:
        minimum = 0.1 if engine == "valkey" else 1.0
        rate = p["valkey_gb_hour"] if engine == "valkey" else p["redis_gb_hour"]
        stored = max(minimum, ASSUMPTIONS.cache_stored_gb)
        cost = stored * rate * HOURS_PER_MONTH
        lines.append(
            Line(
                f"ElastiCache Serverless ({engine}) storage minimum",
                cost,
                cost,
                f"{stored * 1000:.0f} MB x ${rate}/GB-h x {HOURS_PER_MONTH} h",
            )
        )
    for node_type, nodes in sorted(inv.cache_nodes.items()):
        rate = NODE_HOURLY[node_type]
        cost = nodes * rate * HOURS_PER_MONTH
        lines.append(Line("ElastiCache nodes", cost, cost, f"{nodes} x {node_type} x ${rate}/h"))
    alarms = inv.alarms * p["cw_alarm"]
    free = min(inv.alarms, FREE["cw_alarm"]) * p["cw_alarm"]
    lines.append(
        Line(
            "CloudWatch alarms",
            alarms - free,
            alarms,
            f"{inv.alarms} x ${p['cw_alarm']:.2f} (10 free in year one)",
        )
    )
    if inv.composite_alarms:
        cost = inv.composite_alarms * p["cw_composite_alarm"]
        lines.append(
            Line(
                "CloudWatch composite alarms",
                cost,
                cost,
                f"{inv.composite_alarms} x ${p['cw_composite_alarm']:.2f}",
            )
        )
    boards = inv.dashboards * p["cw_dashboard"]
    lines.append(
        Line(
            "CloudWatch dashboards",
            max(0.0, boards - FREE["cw_dashboard"] * p["cw_dashboard"]),
            boards,
            f"{inv.dashboards} x ${p['cw_dashboard']:.2f} (3 free in year one)",
        )
    )
    cost = metrics * p["cw_metric"]
    lines.append(
        Line(
            "Custom metrics emitted at rest",
            max(0, metrics - FREE["cw_metric"]) * p["cw_metric"],
            cost,
            f"{metrics:g} (name x dimensions, hour-weighted) x ${p['cw_metric']:.2f} "
            "(10 free in year one)",
        )
    )
    keys = inv.kms_keys * p["kms_key"]
    rotations = inv.rotating_keys * 2 * p["kms_rotation"]
    lines.append(
        Line(
            "KMS keys",
            keys,
            keys + rotations,
            f"{inv.kms_keys} x ${p['kms_key']:.0f}; {inv.rotating_keys} rotating yearly: "
            "+$1 each for the first two rotations",
        )
    )
    if inv.web_acls:
        cost = inv.web_acls * p["waf_acl"] + inv.waf_rules * p["waf_rule"]
        lines.append(Line("AWS WAF", cost, cost, f"{inv.web_acls} web ACL + {inv.waf_rules} rules"))
    if inv.interface_endpoints:
        cost = inv.interface_endpoints * p["interface_endpoint_hour"] * HOURS_PER_MONTH
        lines.append(
            Line("Interface VPC endpoints", cost, cost, f"{inv.interface_endpoints} endpoint-AZs")
        )
    if inv.nat_gateways:
        cost = inv.nat_gateways * p["nat_gateway_hour"] * HOURS_PER_MONTH
        lines.append(
            Line("NAT gateways", cost, cost, f"{inv.nat_gateways} x ${p['nat_gateway_hour']}/h")
        )
    jobs = variable_dollars(idle, 1.0, inv)
    runs = ", ".join(f"{k} {v:,.0f}" for k, v in sorted(inv.schedules.items()))
    free_share = _free_share(idle, inv)
    steady = sum(jobs.values())
    lines.append(
        Line(
            "Scheduled jobs (Lambda, DynamoDB, Redis, logs, X-Ray)",
            steady * (1 - free_share),
            steady,
            f"runs a month: {runs}",
        )
    )
    return lines


def _free_share(idle: PerUnit, inv: Inventory) -> float:
    """The part of the jobs' bill that year one's allowances cover (Lambda, X-Ray, logs: all
    far below their free tiers at rest; DynamoDB on demand and ECPUs have none)."""
    jobs = variable_dollars(idle, 1.0, inv)
    covered = jobs["Lambda requests"] + jobs["Lambda compute"] + jobs["X-Ray"]
    covered += jobs["CloudWatch Logs"] + jobs["SQS"]
    total = sum(jobs.values())
    return covered / total if total else 0.0


def monthly_bill(
    idle_total: tuple[float, float], per: PerUnit, units: float, inv: Inventory
) -> tuple[float, float]:
    """(year one, steady) for a month of ``units`` on top of the idle bill; year one applies the
    free allowances to this traffic alone (what a new deployment with that traffic pays)."""
    dollars = variable_dollars(per, units, inv)
    steady = idle_total[1] + sum(dollars.values())
    p = {k: v.usd for k, v in PRICES.items()}
    saved = min(units * per.api_requests, FREE["apigw_rest_request"]) * p["apigw_rest_request"]
    invocations = units * sum(per.invocations.values())
    saved += min(invocations, FREE["lambda_request"]) * p["lambda_request"]
    arm = all(f.arm for f in inv.functions.values())
    gb_s = units * lambda_gb_s(per, inv.functions, ASSUMPTIONS)
    saved += min(gb_s, FREE["lambda_gb_s"]) * (
        p["lambda_gb_s_arm"] if arm else p["lambda_gb_s_x86"]
    )
    saved += min(units * per.sqs_requests, FREE["sqs_request"]) * p["sqs_request"]
    saved += min(units * per.traces, FREE["xray_trace"]) * p["xray_trace"]
    saved += min(units * per.log_bytes / 1e9, FREE["logs_gb"]) * p["logs_ingest_gb"]
    saved += min(units * per.sns_requests, FREE["sns_request"]) * p["sns_request"]
    return idle_total[0] + sum(dollars.values()) - saved, steady


def money(usd: float) -> str:
    if usd and abs(usd) < 0.01:
        return "< $0.01"
    return f"${usd:,.2f}"


def ceil_to(value: float, step: float) -> float:
    """``value`` rounded up to ``step`` (inputs that may wobble by a byte are quantized)."""
    return math.ceil(value / step - 1e-9) * step


# -- the history lake -----------------------------------------------------------------------------

FIREHOSE_RECORD_ROUNDING = 5 * 1024
"""Firehose bills each Direct PUT record as a multiple of 5 KB."""
SQS_RECEIVE_BATCH = 10


@dataclass(frozen=True)
class LakeUsage:
    """Measured (benchmarks.lake_cost) per lake row."""

    record_bytes: float
    """A row as the JSON record Firehose receives."""
    parquet_bytes: float
    """A row in the Parquet files (Snappy, as Firehose writes them)."""
    key_reads: float
    """Lake-key reads (BatchGetItem items, eventually consistent: half a unit each)."""
    key_write_units: float
    """Write units creating keys (a 2-item transaction per new user, doubled)."""


def lake_per_million(u: LakeUsage) -> dict[str, float]:
    """Dollars per million lake rows through Firehose (docs/analytics.md), by part; the
    files' S3 PUTs are per buffer flush, not per row (``lake_fixed_month``)."""
    p = {k: v.usd for k, v in PRICES.items()}
    billed = math.ceil(u.record_bytes / FIREHOSE_RECORD_ROUNDING) * FIREHOSE_RECORD_ROUNDING
    billed_gb = billed * 1e6 / 1e9
    return {
        "Firehose ingestion": billed_gb * p["firehose_gb"],
        "Parquet conversion": billed_gb * p["firehose_conversion_gb"],
        "lake keys (DynamoDB)": 1e6
        * (u.key_reads * 0.5 * p["ddb_read_unit"] + u.key_write_units * p["ddb_write_unit"]),
        "S3 storage, a month": u.parquet_bytes * 1e6 / 1e9 * p["s3_gb_month"],
        "Athena, every report once": 7 * max(u.parquet_bytes * 1e6, 10e6) / 1e12 * p["athena_tb"],
    }


def lake_fixed_month(buffer_seconds: int) -> float:
    """The buffer flushes' S3 PUTs a month, whatever the traffic (one object per flush)."""
    return SECONDS_PER_MONTH / buffer_seconds * PRICES["s3_put"].usd


def hourly_lambda_per_million(u: LakeUsage) -> dict[str, float]:
    """The alternative: a bus rule queues every event in SQS (one SendMessage each) and an
    hourly Lambda drains the queue (receive and delete in tens) and writes Parquet itself."""
    p = {k: v.usd for k, v in PRICES.items()}
    requests = 1 + 2 / SQS_RECEIVE_BATCH
    return {
        "SQS (send, receive, delete)": 1e6 * requests * p["sqs_request"],
        "lake keys (DynamoDB)": 1e6
        * (u.key_reads * 0.5 * p["ddb_read_unit"] + u.key_write_units * p["ddb_write_unit"]),
        "S3 storage, a month": u.parquet_bytes * 1e6 / 1e9 * p["s3_gb_month"],
    }
