"""The history lake's resources: the Glue table is the lake's row, one Athena named query per
report, Firehose converts to Parquet by day, the bucket is private and Firehose's role narrow."""

from __future__ import annotations

from typing import Any

from gamification.adapters.lake_athena import stage_names
from gamification.domain import lake
from gamification.services.analytics import report_names, report_sql
from tests.infra.conftest import Synthesis


def _one(synth: Synthesis, kind: str) -> dict[str, Any]:
    [found] = synth.of_type(kind).values()
    properties: dict[str, Any] = found["Properties"]
    return properties


def test_the_glue_table_has_the_lake_rows_columns_and_projects_day_partitions(
    default_synth: Synthesis,
) -> None:
    table = _one(default_synth, "AWS::Glue::Table")["TableInput"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns == lake.COLUMNS
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert table["Parameters"]["projection.enabled"] == "true"
    assert table["Parameters"]["projection.dt.type"] == "date"


def test_one_named_query_per_report_with_the_same_sql(default_synth: Synthesis) -> None:
    queries = {
        q["Properties"]["Name"]: q["Properties"]
        for q in default_synth.of_type("AWS::Athena::NamedQuery").values()
    }
    assert sorted(queries) == report_names()
    for name, query in queries.items():
        assert query["QueryString"] == report_sql(name)


def test_firehose_writes_parquet_by_day_with_the_glue_schema(default_synth: Synthesis) -> None:
    stream = _one(default_synth, "AWS::KinesisFirehose::DeliveryStream")
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["Prefix"] == "events/dt=!{timestamp:yyyy-MM-dd}/"
    conversion = s3["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert "ParquetSerDe" in conversion["OutputFormatConfiguration"]["Serializer"]
    assert conversion["SchemaConfiguration"]["TableName"] == "events"
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "AWS_OWNED_CMK"


def test_the_lake_bucket_is_private_and_encrypted(default_synth: Synthesis) -> None:
    buckets = [
        b["Properties"]
        for b in default_synth.of_type("AWS::S3::Bucket").values()
        if "BucketEncryption" in b["Properties"]
    ]
    assert buckets
    for bucket in buckets:
        block = bucket["PublicAccessBlockConfiguration"]
        assert all(block[k] for k in block)


def test_the_athena_workgroup_enforces_its_encrypted_results_and_a_scan_limit(
    default_synth: Synthesis,
) -> None:
    group = _one(default_synth, "AWS::Athena::WorkGroup")["WorkGroupConfiguration"]
    assert group["EnforceWorkGroupConfiguration"] is True
    assert group["BytesScannedCutoffPerQuery"] == 10 * 1024**3
    assert group["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_S3"


def test_the_cli_finds_the_workgroup_and_database_the_stack_names(
    default_synth: Synthesis,
) -> None:
    """``gamify report impact --athena STAGE`` derives both names from the stage alone."""
    workgroup, database = stage_names(default_synth.stack.config.stage)
    assert _one(default_synth, "AWS::Athena::WorkGroup")["Name"] == workgroup
    assert _one(default_synth, "AWS::Glue::Database")["DatabaseInput"]["Name"] == database
