"""The operator's lake backfill on AWS (``python -m gamification.lake_backfill_command``), on
moto: the table's players become one Parquet file a day in the lake bucket, under the key the
Glue table reads, and a second run replaces the same objects (docs/analytics.md, "Backfill")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import duckdb
import pytest

from gamification import composition
from gamification.adapters.user_repository import UserRepository
from gamification.domain.profile_records import UserChange
from gamification.domain.state import UserState
from gamification.lake_backfill_command import main
from gamification.local.provision import Provisioned

BUCKET = "gamify-test-lake"
AT = datetime(2026, 11, 3, 9, tzinfo=UTC)


@pytest.fixture
def table(aws: Provisioned, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provisioned]:
    for name in ("GAMIFY_STAGE", "TABLE_NAME", "LAKE_BUCKET_NAME"):
        monkeypatch.setenv(name, "")  # the command sets them: put back afterwards
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    users = UserRepository(boto3.client("dynamodb"), aws.table_name)
    users.save(
        UserChange(
            before=users.load("ann"),
            state=UserState.new("ann").model_copy(update={"xp": 20}),
            now=AT,
            new_markers=("post_read#p1", "post_read#p2"),
        )
    )
    yield aws
    composition.reset()


def _run(table: Provisioned) -> None:
    argv = ["--stage", "test", "--table", table.table_name, "--bucket", BUCKET]
    assert main([*argv, "--before", "2026-11-10T00:00:00+00:00"]) == 0


def test_the_backfill_puts_one_parquet_file_a_day_in_the_lake_bucket(
    table: Provisioned, tmp_path: Path
) -> None:
    _run(table)
    _run(table)  # a re-run replaces the objects: still one a day
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["events/dt=2026-11-03/backfill-0.parquet"]
    local = tmp_path / "day.parquet"
    s3.download_file(BUCKET, keys[0], str(local))
    with duckdb.connect() as db:
        found = db.execute(
            "SELECT type, source, tenant FROM read_parquet(?) ORDER BY source", [str(local)]
        ).fetchall()
    assert found == [
        ("xp.awarded", "post_read#p1", "test"),
        ("xp.awarded", "post_read#p2", "test"),
    ]
