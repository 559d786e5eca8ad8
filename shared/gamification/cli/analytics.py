"""``gamify analytics``: SQL and the named reports over the local history lake (DuckDB).

The lake folder is ``--lake DIR``, else ``GAMIFY_LAKE_DIR``, else the running local stack's
(``/local/status``). ``--athena STAGE`` runs the same SQL in a deployed stage's Athena workgroup
instead, with the caller's AWS credentials (docs/analytics.md); there the reports are also
Athena named queries.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gamification.cli.client import ApiClient
from gamification.cli.render import table

ATHENA_HELP = "query a deployed stage's lake in Athena (your AWS credentials), not a local one"


def add_commands(command: Any) -> None:
    analytics = command(
        "analytics", "local stack: SQL and named reports over the history lake (DuckDB)"
    )
    analytics.add_argument("action", choices=["query", "report", "reports", "backfill"])
    analytics.add_argument("text", nargs="?", help="the SQL (query) or the report's name (report)")
    analytics.add_argument("--lake", help="the lake folder (default: the local stack's)")
    analytics.add_argument("--athena", metavar="STAGE", help=ATHENA_HELP)
    analytics.add_argument(
        "--before", help="backfill: what the table proves before this ISO time (default: now)"
    )
    analytics.set_defaults(command=run)

    report = command("report", "the control group's impact, from the history lake")
    report.add_argument("which", choices=["impact"])
    report.add_argument("--days", type=int, default=14, help="retained: active on or after day N")
    report.add_argument("--confidence", type=float, default=0.95)
    report.add_argument("--lake", help="the lake folder (default: the local stack's)")
    report.add_argument("--athena", metavar="STAGE", help=ATHENA_HELP)
    report.set_defaults(command=impact)


def _lake_dir(client: ApiClient, args: argparse.Namespace) -> Path:
    found = args.lake or os.environ.get("GAMIFY_LAKE_DIR")
    if not found:
        found = client.call("GET", "/local/status").get("lake_dir") or ""
    if not found:
        raise ValueError("no lake: pass --lake DIR or run `make local`")
    return Path(found)


def _engine(client: ApiClient, args: argparse.Namespace) -> Any:
    from gamification.services.analytics import Analytics

    if args.athena:
        import boto3

        from gamification.adapters.lake_athena import AthenaQueries, stage_names

        return Analytics(AthenaQueries(boto3.client("athena"), *stage_names(args.athena)))

    try:
        from gamification.adapters.lake_duckdb import LakeQueries
    except ImportError as error:  # duckdb is in the `local` extra
        raise ValueError("DuckDB is not installed: `make local` installs it") from error
    return Analytics(LakeQueries(_lake_dir(client, args)))


def impact(client: ApiClient, args: argparse.Namespace) -> int:
    found = _engine(client, args).impact(args.days, args.confidence)
    if args.json:
        print(json.dumps(dataclasses.asdict(found), default=str, indent=2))
        return 0
    rows = [
        (
            name,
            g.users,
            g.retained,
            f"{g.retained / g.users:.1%}" if g.users else "-",
            g.active_days,
        )
        for name, g in (("treatment", found.treatment), ("control", found.control))
    ]
    print(
        table(["experience", "users", f"retained (day {found.days}+)", "rate", "active days"], rows)
    )
    test = found.retention
    if test is None:
        print("no comparison: a group has no user observed for that many days")
        return 0
    verdict = "a difference" if test.significant else "no difference shown"
    print(
        f"retention, treatment - control: {test.difference:+.1%} "
        f"({found.confidence:.0%} CI {test.low:+.1%} to {test.high:+.1%}; "
        f"z = {test.z:.2f}, p = {test.p_value:.4f}): {verdict}"
    )
    return 0


def run(client: ApiClient, args: argparse.Namespace) -> int:
    from gamification.services.analytics import report_description, report_names

    if args.action == "backfill":  # the running local stack writes it (docs/analytics.md)
        if args.athena:
            raise ValueError("analytics backfill --athena: on AWS it is an operator command")
        path = "/local/lake/backfill" + (f"?before={quote(args.before)}" if args.before else "")
        print(json.dumps(client.call("POST", path), indent=2))
        return 0
    if args.action == "reports":
        print(table(["report", "what"], [(n, report_description(n)) for n in report_names()]))
        return 0
    if not args.text:
        raise ValueError(
            f"analytics {args.action} needs the {'SQL' if args.action == 'query' else 'REPORT'}"
        )
    engine = _engine(client, args)
    try:
        names, rows = (
            engine.query(args.text) if args.action == "query" else engine.report(args.text)
        )
    except KeyError as error:
        raise ValueError(str(error.args[0])) from error
    if args.json:
        print(json.dumps([dict(zip(names, r, strict=True)) for r in rows], default=str, indent=2))
    else:
        print(table(names, [tuple(r) for r in rows]))
    return 0
