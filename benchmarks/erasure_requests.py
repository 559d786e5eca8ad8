"""Erasing a heavy user: requests and billed write units per invocation, counted, not timed.

A user with 50,000 dedupe markers (plus a profile, notifications and a cap day) is erased by the
real ``Eraser`` against moto, 10 pages of 1,000 keys per invocation (an invocation on AWS can
walk about ten times that within its time budget; the pages-per-invocation cap only shows the
resumption). Every DynamoDB request is counted with a botocore hook; write units follow
DynamoDB's rule for deletes (1 unit per deleted item ≤ 1 KB, whatever the batch).

Run alone with ``python -m benchmarks.erasure_requests``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.erasure_ledger import ErasureLedger
from gamification.adapters.partition_walker import PartitionWalker
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_repository import UserRepository
from gamification.local.provision import provision
from gamification.services.erasure import Eraser, ErasureRequests, Status

MARKERS = 50_000
PAGES_PER_INVOCATION = 10
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def run() -> str:
    with mock_aws():
        stack = provision("erasure")
        client = boto3.client("dynamodb")
        users = UserRepository(client, stack.table_name)
        users.update_settings("heavy", lambda s: s, NOW)
        for start in range(0, MARKERS, 25):
            client.batch_write_item(
                RequestItems={
                    stack.table_name: [
                        {
                            "PutRequest": {
                                "Item": to_item(
                                    {
                                        "PK": keys.user_pk("heavy"),
                                        "SK": keys.seen_sk(f"post_read#post-{n:06d}"),
                                        "at": NOW.isoformat(),
                                    }
                                )
                            }
                        }
                        for n in range(start, start + 25)
                    ]
                }
            )
        ledger = ErasureLedger(client, stack.table_name)
        ErasureRequests(users, ledger, lambda _: None, lambda: NOW).request("heavy")
        eraser = Eraser(
            PartitionWalker(client, stack.table_name),
            ledger,
            users,
            SnapshotRepository(client, stack.table_name),
        )
        counts: Counter[str] = Counter()

        def count(model: Any, **_: Any) -> None:
            counts[model.name] += 1

        client.meta.events.register("before-call.dynamodb", count)
        rows = []
        while True:
            counts.clear()
            progress = eraser.run("heavy", NOW, max_pages=PAGES_PER_INVOCATION)
            rows.append((progress.deleted_this_run, dict(counts)))
            if progress.status is not Status.PAUSED:
                break
    total = Counter[str]()
    for _, used in rows:
        total.update(used)
    lines = [
        "## Erasing a user with 50,000 markers",
        "",
        f"{PAGES_PER_INVOCATION} pages of 1,000 keys per invocation (moto; counts, not timings).",
        "",
        "| invocation | items deleted | BatchWriteItem | Query | GetItem | PutItem | UpdateItem | "
        "requests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, (deleted, used) in enumerate(rows, 1):
        lines.append(
            f"| {n} | {deleted:,} | {used.get('BatchWriteItem', 0)} | {used.get('Query', 0)} | "
            f"{used.get('GetItem', 0)} | {used.get('PutItem', 0)} | "
            f"{used.get('UpdateItem', 0)} | {sum(used.values())} |"
        )
    deleted = sum(d for d, _ in rows)
    lines += [
        "",
        f"**{deleted:,} items in {len(rows)} invocations, {sum(total.values()):,} requests** "
        f"({sum(total.values()) / deleted * 1000:.1f} per 1,000 items); write units: "
        f"{deleted:,} for the deletes (one per item ≤ 1 KB) + {total.get('PutItem', 0)} "
        "checkpoint and snapshot puts.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
