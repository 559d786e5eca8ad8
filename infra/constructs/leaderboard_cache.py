"""The leaderboard cache: Valkey on ElastiCache, serverless by default or node-based by choice.

Private subnets, TLS always (serverless enforces it; the replication group requires it), data
encrypted at rest, and role-based access with IAM authentication: the functions sign in as one
application user with a short-lived SigV4 token made from their own role (``elasticache:Connect``
on the cache and the user), so there is no password to store, rotate or fetch (no secret, no
Secrets Manager endpoint). The cache's security group admits only the functions' group.
It is a cache: DynamoDB is the truth and the reconciler rebuilds it, so no snapshots are kept.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from constructs import Construct

from infra.config import StackConfig
from infra.constructs.functions import GamifyFunction
from infra.constructs.network import Network
from infra.nag import acknowledge

ENGINE = "valkey"
SERVERLESS_MAJOR_VERSION = "8"
NODES_ENGINE_VERSION = "8.0"
SERVERLESS_PORTS = (6379, 6380)  # primary endpoint, reader endpoint
NODES_PORT = 6390  # not the well-known port: one less thing for a scanner to guess
APP_ACCESS = "on ~* &* +@all -@dangerous"
"""Every data command on every key, none of the administrative ones (FLUSHALL, CONFIG, KEYS...)."""


class LeaderboardCache(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StackConfig, network: Network
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        prefix = config.resource_prefix
        serverless = config.cache_type == "serverless"
        ports = SERVERLESS_PORTS if serverless else (NODES_PORT, NODES_PORT)
        port_range = ec2.Port.tcp_range(*ports) if ports[0] != ports[1] else ec2.Port.tcp(ports[0])

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description="Gamify leaderboard cache: reachable from the Gamify functions only",
            allow_all_outbound=False,
        )
        self.security_group.add_ingress_rule(
            network.lambda_security_group, port_range, "Valkey from the Gamify functions"
        )
        network.lambda_security_group.add_egress_rule(
            self.security_group, port_range, "Valkey on the leaderboard cache"
        )

        # IAM authentication requires the user id and the user name to be the same.
        self.username = f"{prefix}-app"
        app_user = elasticache.CfnUser(
            self,
            "AppUser",
            engine=ENGINE,
            user_id=self.username,
            user_name=self.username,
            access_string=APP_ACCESS,
            authentication_mode={"Type": "iam"},
        )
        # A user group must contain a user named "default"; ours is switched off.
        default_user = elasticache.CfnUser(
            self,
            "DefaultUser",
            engine=ENGINE,
            user_id=f"{prefix}-default",
            user_name="default",
            access_string="off -@all",
            authentication_mode={"Type": "no-password-required"},
        )
        user_group = elasticache.CfnUserGroup(
            self,
            "UserGroup",
            engine=ENGINE,
            user_group_id=f"{prefix}-users",
            user_ids=[app_user.user_id, default_user.user_id],
        )
        user_group.node.add_dependency(app_user, default_user)

        subnet_ids = network.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
        ).subnet_ids
        if serverless:
            cache = elasticache.CfnServerlessCache(
                self,
                "Serverless",
                engine=ENGINE,
                major_engine_version=SERVERLESS_MAJOR_VERSION,
                serverless_cache_name=prefix,
                description="Gamify leaderboards (rebuilt from DynamoDB by the reconciler)",
                subnet_ids=subnet_ids,
                security_group_ids=[self.security_group.security_group_id],
                user_group_id=user_group.user_group_id,
                cache_usage_limits=elasticache.CfnServerlessCache.CacheUsageLimitsProperty(
                    data_storage=elasticache.CfnServerlessCache.DataStorageProperty(
                        maximum=config.cache_max_data_gb, unit="GB"
                    ),
                    ecpu_per_second=elasticache.CfnServerlessCache.ECPUPerSecondProperty(
                        maximum=config.cache_max_ecpu_per_second
                    ),
                ),
            )
            cache.node.add_dependency(user_group)
            self.resource: elasticache.CfnServerlessCache | elasticache.CfnReplicationGroup = cache
            host, port = cache.attr_endpoint_address, cache.attr_endpoint_port
        else:
            subnet_group = elasticache.CfnSubnetGroup(
                self,
                "SubnetGroup",
                description="Gamify leaderboard cache subnets",
                subnet_ids=subnet_ids,
            )
            replicas = config.cache_replicas
            group = elasticache.CfnReplicationGroup(
                self,
                "ReplicationGroup",
                replication_group_id=prefix,  # named: the IAM token and policy name it
                replication_group_description="Gamify leaderboards",
                engine=ENGINE,
                engine_version=NODES_ENGINE_VERSION,
                cache_node_type=config.cache_node_type,
                num_cache_clusters=1 + replicas,
                automatic_failover_enabled=replicas > 0,
                multi_az_enabled=replicas > 0,
                port=NODES_PORT,
                transit_encryption_enabled=True,
                transit_encryption_mode="required",
                at_rest_encryption_enabled=True,
                user_group_ids=[user_group.user_group_id],
                cache_subnet_group_name=subnet_group.ref,
                security_group_ids=[self.security_group.security_group_id],
                auto_minor_version_upgrade=True,
                snapshot_retention_limit=0,
            )
            group.node.add_dependency(user_group)
            acknowledge(
                group,
                "AwsSolutions-AEC6",
                "Authentication is on, through RBAC with IAM authentication: the user group "
                "above (one IAM-authenticated user) replaces the single AUTH token this rule "
                "looks for.",
            )
            if replicas == 0:
                acknowledge(
                    group,
                    "AwsSolutions-AEC4",
                    "cache_replicas=0 was chosen for a cheap single-node cache; the "
                    "leaderboard falls back to the DynamoDB snapshot while the node is replaced.",
                )
            self.resource = group
            host, port = group.attr_primary_end_point_address, group.attr_primary_end_point_port
        self.endpoint_address = host
        self.endpoint_port = port
        self.url = f"rediss://{host}:{port}/0"
        self.cache_name = prefix
        self.serverless = serverless
        self.member_clusters = (
            [] if serverless else [f"{prefix}-{i:03d}" for i in range(1, 2 + config.cache_replicas)]
        )
        """The node-based group's clusters (``<group id>-001``, ...): its metrics name them."""
        self.clients: list[GamifyFunction] = []
        """The functions that connect (their ``CacheUnreachable`` metric is alarmed)."""
        stack = Stack.of(self)
        self.cache_arn = stack.format_arn(
            service="elasticache",
            resource="serverlesscache" if serverless else "replicationgroup",
            resource_name=prefix,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.user_arn = stack.format_arn(
            service="elasticache",
            resource="user",
            resource_name=self.username,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def connect(self, fn: GamifyFunction) -> None:
        """Give a (VPC) function the cache's URL and the right to sign in as the app user."""
        self.clients.append(fn)
        fn.add_env("REDIS_URL", self.url)
        fn.add_env("REDIS_IAM_USER", self.username)
        fn.add_env("REDIS_CACHE_NAME", self.cache_name)
        fn.add_env("REDIS_CACHE_SERVERLESS", "true" if self.serverless else "false")
        fn.allow(["elasticache:Connect"], [self.cache_arn, self.user_arn], "ConnectToCache")
