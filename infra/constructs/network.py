"""The private network for the functions that talk to Redis, and nothing else.

Isolated subnets only: no internet gateway, no NAT and no interface endpoint (each costs more
at rest than the whole rest of the stack). The functions inside call one AWS API, DynamoDB,
through its gateway endpoint (free); Redis signs them in with IAM tokens they make themselves
(no Secrets Manager call); logs, metrics (embedded metric format, i.e. logs) and X-Ray segments
leave through Lambda's own telemetry path, not the function's VPC network (docs/deploy.md).
Every function that does not touch Redis stays out of the VPC.

The VPC's default security group is emptied by a CDK custom resource; its handler's log group
is created here, with the stack's retention, before the handler first runs (Lambda would
otherwise create it with no expiry).
"""

from __future__ import annotations

from aws_cdk import CfnResource, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StackConfig

HTTPS = ec2.Port.tcp(443)


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            # Named zones when given; else the first max_azs of the region (see config).
            max_azs=None if config.zones else config.max_azs,
            availability_zones=config.zones or None,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            restrict_default_security_group=True,
        )
        self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self._expire_default_group_cleanup_logs(config)

        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )

        # The one group every VPC function runs in; the cache admits only this group.
        self.lambda_security_group = ec2.SecurityGroup(
            self,
            "LambdaSecurityGroup",
            vpc=self.vpc,
            description="Gamify functions that use Redis",
            allow_all_outbound=False,
        )
        # HTTPS leaves only to AWS APIs: the subnets have no route to the internet.
        self.lambda_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), HTTPS, "DynamoDB through its gateway endpoint"
        )

        self.vpc.add_gateway_endpoint(
            "DynamoDbEndpoint",
            service=ec2.GatewayVpcEndpointAwsService.DYNAMODB,
            subnets=[self.subnets],
        )

    def _expire_default_group_cleanup_logs(self, config: StackConfig) -> None:
        """Own the log group of CDK's default-security-group handler (a stack singleton that
        takes no log settings): named as Lambda names it, and created before the custom
        resource that invokes the handler."""
        provider = Stack.of(self).node.find_child(_DEFAULT_GROUP_PROVIDER)
        handler = provider.node.find_child("Handler")
        assert isinstance(handler, CfnResource)
        handler_logs = logs.LogGroup(
            self,
            "DefaultSecurityGroupCleanupLogs",
            log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cleanup = self.vpc.node.find_child("RestrictDefaultSecurityGroupCustomResource")
        cleanup.node.add_dependency(handler_logs)


# Where aws-cdk-lib puts the handler behind ``restrict_default_security_group`` (one per stack).
_DEFAULT_GROUP_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"
