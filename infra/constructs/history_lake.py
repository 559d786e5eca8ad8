"""The history lake in the customer's account: S3 (Parquet by day), Glue table, Athena queries.

The event publisher, after the bus took a batch, sends each event as a pseudonymous row
(``domain.lake``) to a Kinesis Data Firehose stream (``PutRecordBatch``); Firehose converts the
JSON records to Parquet with the Glue table's schema and writes them under
``events/dt=<UTC day>/`` every 15 minutes (or 128 MB). The Glue table uses partition projection
(no crawler, no partition to add), and an Athena workgroup holds one named query per report of
``gamification/data/reports`` (the same SQL ``gamify analytics`` runs on DuckDB locally).
Firehose over an hourly Lambda writing Parquet: docs/analytics.md, "Why Firehose".
"""

from __future__ import annotations

from aws_cdk import Aws, CfnElement, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_s3 as s3
from constructs import Construct

from gamification.adapters import keys
from gamification.domain import lake
from gamification.services.analytics import report_description, report_names, report_sql
from infra.config import StackConfig
from infra.constructs.data import Data, TableAccess
from infra.constructs.functions import GamifyFunction
from infra.nag import acknowledge

TABLE = "events"
BUFFER_SECONDS = 900
"""Firehose's longest buffer: at low volume one Parquet file per 15 minutes (96 a day)."""
BUFFER_MB = 128
PROJECTION_START = "2026-01-01"

PUBLISHER_LAKE_ACCESS = TableAccess(
    # The users' lake keys: read in one batch per stream batch; created once per user in a
    # transaction that checks the profile still holds game state (not a tombstone).
    reads=("BatchGetItem", "GetItem"),
    transactional_writes=("PutItem", "ConditionCheckItem"),
    write_keys=(keys.user_pk(""),),
)


class HistoryLake(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        data: Data,
        publisher: GamifyFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "Only Firehose (the stream's own role) writes and Athena reads this bucket; "
            "CloudTrail data events audit access if wanted, access logs would be a second bucket.",
        )
        self.database_name = f"gamify_{config.stage.replace('-', '_')}"
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description="gamify history lake (docs/analytics.md)"
            ),
        )
        location = f"s3://{self.bucket.bucket_name}/{TABLE}/"
        self.table = glue.CfnTable(
            self,
            "EventsTable",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE,
                description="Every domain event, pseudonymised (domain.lake)",
                table_type="EXTERNAL_TABLE",
                partition_keys=[glue.CfnTable.ColumnProperty(name=lake.PARTITION, type="string")],
                parameters={
                    "classification": "parquet",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": f"{PROJECTION_START},NOW",
                    "storage.location.template": f"{location}{lake.PARTITION}=${{dt}}/",
                },
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    columns=[
                        glue.CfnTable.ColumnProperty(name=name, type=kind)
                        for name, kind in lake.COLUMNS.items()
                    ],
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library=(
                            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                        )
                    ),
                ),
            ),
        )
        self.table.add_dependency(database)
        self.stream = self._firehose(config)
        self.stream.node.add_dependency(self.table)
        self._athena(config)
        data.grant(publisher, PUBLISHER_LAKE_ACCESS)
        publisher.add_env("LAKE_STREAM_NAME", self.stream_name)
        publisher.allow(["firehose:PutRecordBatch"], [self.stream.attr_arn], "PutLakeRows")

    def _firehose(self, config: StackConfig) -> firehose.CfnDeliveryStream:
        stack = Stack.of(self)
        self.stream_name = f"{config.resource_prefix}-lake"
        role = iam.Role(
            self,
            "FirehoseRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
            description="Writes the history lake's Parquet files; reads the Glue schema",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteLakeFiles",
                actions=[
                    "s3:PutObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListBucketMultipartUploads",
                ],
                resources=[
                    self.bucket.arn_for_objects(f"{TABLE}/*"),
                    self.bucket.arn_for_objects("errors/*"),
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="LocateLakeBucket",
                actions=["s3:GetBucketLocation", "s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadLakeSchema",
                actions=["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(
                        service="glue", resource="database", resource_name=self.database_name
                    ),
                    stack.format_arn(
                        service="glue",
                        resource="table",
                        resource_name=f"{self.database_name}/{TABLE}",
                    ),
                ],
            )
        )
        bucket_resource = self.bucket.node.default_child
        assert isinstance(bucket_resource, CfnElement)
        bucket_id = stack.get_logical_id(bucket_resource)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{TABLE}/*]",
            "Firehose writes one object per buffer under the events/ prefix, named by itself.",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/errors/*]",
            "Records Firehose cannot convert land under errors/, in objects named by itself.",
        )
        stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=self.stream_name,
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="AWS_OWNED_CMK"
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=self.bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=f"{TABLE}/{lake.PARTITION}=!{{timestamp:yyyy-MM-dd}}/",
                error_output_prefix=(
                    f"errors/!{{firehose:error-output-type}}/{lake.PARTITION}=!{{timestamp:yyyy-MM-dd}}/"
                ),
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=BUFFER_SECONDS, size_in_m_bs=BUFFER_MB
                ),
                data_format_conversion_configuration=firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(
                    enabled=True,
                    input_format_configuration=firehose.CfnDeliveryStream.InputFormatConfigurationProperty(
                        deserializer=firehose.CfnDeliveryStream.DeserializerProperty(
                            hive_json_ser_de=firehose.CfnDeliveryStream.HiveJsonSerDeProperty()
                        )
                    ),
                    output_format_configuration=firehose.CfnDeliveryStream.OutputFormatConfigurationProperty(
                        serializer=firehose.CfnDeliveryStream.SerializerProperty(
                            parquet_ser_de=firehose.CfnDeliveryStream.ParquetSerDeProperty(
                                compression="SNAPPY"
                            )
                        )
                    ),
                    schema_configuration=firehose.CfnDeliveryStream.SchemaConfigurationProperty(
                        catalog_id=Aws.ACCOUNT_ID,
                        database_name=self.database_name,
                        table_name=TABLE,
                        region=Aws.REGION,
                        role_arn=role.role_arn,
                        version_id="LATEST",
                    ),
                ),
            ),
        )
        stream.node.add_dependency(role)
        return stream

    def _athena(self, config: StackConfig) -> None:
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"{config.resource_prefix}-analytics",
            description="The history lake's reports (docs/analytics.md)",
            state="ENABLED",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                # A runaway query stops at 10 GB scanned ($0.05).
                bytes_scanned_cutoff_per_query=10 * 1024**3,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.bucket.bucket_name}/athena-results/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self.named_queries: dict[str, athena.CfnNamedQuery] = {}
        for name in report_names():
            query = athena.CfnNamedQuery(
                self,
                f"Report{''.join(p.title() for p in name.split('_'))}",
                name=name,
                description=report_description(name)[:1024],
                database=self.database_name,
                work_group=self.workgroup.name,
                query_string=report_sql(name),
            )
            query.add_dependency(self.workgroup)
            self.named_queries[name] = query
