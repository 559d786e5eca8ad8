"""The lake backfill on AWS, run once by an operator when the lake is deployed on a running game
(docs/analytics.md, "Backfill"):

    python -m gamification.lake_backfill_command --stage prod --table <TableName> \\
        --bucket <LakeBucketName> [--before 2026-11-10T00:00:00+00:00]

A command, not a function: it runs once per deployment, may take longer than Lambda's 15
minutes on a large table, and writes Parquet with DuckDB, which is in ``make install``'s
``local`` extra but not in the functions' layer. It needs the operator's credentials for the
reads and writes listed in docs/analytics.md; ``--stage`` must be the deployed stage (the
``tenant`` in every row's pseudonym).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gamification.lake_backfill_command", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--stage", required=True, help="the deployed stage (GAMIFY_STAGE)")
    parser.add_argument("--table", required=True, help="the stack's output TableName")
    parser.add_argument("--bucket", required=True, help="the stack's output LakeBucketName")
    parser.add_argument(
        "--before", help="what the table proves before this ISO time: the lake's start (now)"
    )
    args = parser.parse_args(argv)
    before = datetime.fromisoformat(args.before) if args.before else datetime.now(UTC)
    if before.tzinfo is None:
        parser.error("--before needs an offset, e.g. 2026-11-10T00:00:00+00:00")
    os.environ.update(
        {"GAMIFY_STAGE": args.stage, "TABLE_NAME": args.table, "LAKE_BUCKET_NAME": args.bucket}
    )
    from gamification import composition

    composition.reset()
    done = composition.lake_backfill().run(composition.rules()(), before)
    print(json.dumps(dataclasses.asdict(done), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
