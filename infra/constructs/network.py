"""The private network for the functions that talk to Redis, and nothing else.

Isolated subnets only: no internet gateway and no NAT (the largest avoidable cost at rest). The
functions reach AWS through a DynamoDB gateway endpoint (free) and the few interface endpoints
they need: SQS (the consumer sends poison messages to the DLQ), Secrets Manager (the Redis
password) and X-Ray when tracing is on. Every other function stays out of the VPC.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
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
            ec2.Peer.any_ipv4(), HTTPS, "AWS APIs through the VPC endpoints"
        )

        self.vpc.add_gateway_endpoint(
            "DynamoDbEndpoint",
            service=ec2.GatewayVpcEndpointAwsService.DYNAMODB,
            subnets=[self.subnets],
        )
        endpoint_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="Interface endpoints, reachable from the Gamify functions only",
            allow_all_outbound=False,
        )
        endpoint_group.add_ingress_rule(
            self.lambda_security_group, HTTPS, "HTTPS from the Gamify functions"
        )
        services = {
            "SqsEndpoint": ec2.InterfaceVpcEndpointAwsService.SQS,
            "SecretsManagerEndpoint": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        }
        if config.tracing:
            services["XRayEndpoint"] = ec2.InterfaceVpcEndpointAwsService.XRAY
        for endpoint_id, service in services.items():
            self.vpc.add_interface_endpoint(
                endpoint_id,
                service=service,
                subnets=self.subnets,
                security_groups=[endpoint_group],
                open=False,
                private_dns_enabled=True,
            )
