"""The lake backfill's ``BackfillFiles`` port: the fake (tests/fakes/lake.py), a local lake
folder and the lake bucket on moto's S3 pass the same tests: a day's file holds exactly the
rows of the last write, in the table's columns, and other days are left alone. Read back with
DuckDB from where Athena or the local ``events`` view would read it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from moto import mock_aws

from gamification.adapters.lake_backfill_files import (
    LocalBackfillFiles,
    S3BackfillFiles,
    day_key,
)
from gamification.domain import lake
from gamification.domain.domain_events import EventDraft, stamp
from gamification.services.lake_backfill import BackfillFiles
from tests.fakes.lake import FakeBackfillFiles

Read = Callable[[str], list[tuple[Any, ...]]]
"""A day's rows as (row_id, type, occurred_at, xp), sorted; [] when the day has no file."""
BUCKET = "gamify-test-lake"


def _rows(day: int, reads: int) -> list[dict[str, Any]]:
    at = datetime(2026, 11, day, 9, tzinfo=UTC)
    drafts = [
        EventDraft(
            "xp.awarded",
            f"post_read#p{n}",
            at,
            {"source": f"post_read#p{n}", "activity_type": "post_read", "xp": 10, "total_xp": 10},
        )
        for n in range(reads)
    ]
    return [lake.row(e, b"k" * 16) for e in stamp(drafts, tenant="t", user_id="ann", version=1)]


def _parquet(path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect() as db:
        found = db.execute(
            "SELECT row_id, type, occurred_at, xp FROM read_parquet(?) ORDER BY row_id",
            [str(path)],
        ).fetchall()
    return [tuple(r) for r in found]


def _folder(tmp_path: Path) -> tuple[LocalBackfillFiles, Read]:
    def read(day: str) -> list[tuple[Any, ...]]:
        path = tmp_path / day_key(day)
        return _parquet(path) if path.exists() else []

    return LocalBackfillFiles(tmp_path), read


def _bucket(tmp_path: Path) -> tuple[S3BackfillFiles, Read]:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)

    def read(day: str) -> list[tuple[Any, ...]]:
        listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"events/dt={day}/")
        keys = [o["Key"] for o in listed.get("Contents", [])]
        if not keys:
            return []
        assert keys == [day_key(day)]  # one file a day, always the same key
        local = tmp_path / "downloaded.parquet"
        client.download_file(BUCKET, keys[0], str(local))
        return _parquet(local)

    return S3BackfillFiles(client, BUCKET), read


def _fake() -> tuple[FakeBackfillFiles, Read]:
    files = FakeBackfillFiles()

    def read(day: str) -> list[tuple[Any, ...]]:
        return sorted(
            (
                r["row_id"],
                r["type"],
                datetime.strptime(r["occurred_at"], "%Y-%m-%d %H:%M:%S.%f"),
                r["xp"],
            )
            for r in files.days.get(day, [])
        )

    return files, read


@pytest.fixture(params=["fake", "folder", "s3"])
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[BackfillFiles, Read]]:
    if request.param == "s3":
        with mock_aws():
            yield _bucket(tmp_path)
    elif request.param == "folder":
        yield _folder(tmp_path)
    else:
        yield _fake()


def _expected(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            r["row_id"],
            r["type"],
            datetime.strptime(r["occurred_at"], "%Y-%m-%d %H:%M:%S.%f"),
            r["xp"],
        )
        for r in rows
    )


def test_a_day_holds_its_rows_in_the_tables_types(files: tuple[BackfillFiles, Read]) -> None:
    store, read = files
    rows = _rows(3, 3)
    store.replace("2026-11-03", rows)
    assert read("2026-11-03") == _expected(rows)
    assert read("2026-11-04") == []


def test_a_rerun_replaces_the_day_whole_and_leaves_other_days(
    files: tuple[BackfillFiles, Read],
) -> None:
    store, read = files
    store.replace("2026-11-03", _rows(3, 3))
    store.replace("2026-11-04", _rows(4, 1))
    store.replace("2026-11-03", _rows(3, 2))  # a later run proves less: the file says so
    store.replace("2026-11-03", _rows(3, 2))  # and again: no duplicate
    assert read("2026-11-03") == _expected(_rows(3, 2))
    assert read("2026-11-04") == _expected(_rows(4, 1))
