"""``gamify analytics``: SQL and the named reports over the local history lake (DuckDB).

The lake folder is ``--lake DIR``, else ``GAMIFY_LAKE_DIR``, else the running local stack's
(``/local/status``). On AWS the same reports are Athena named queries (docs/analytics.md).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from gamification.cli.client import ApiClient
from gamification.cli.render import table


def add_commands(command: Any) -> None:
    analytics = command(
        "analytics", "local stack: SQL and named reports over the history lake (DuckDB)"
    )
    analytics.add_argument("action", choices=["query", "report", "reports"])
    analytics.add_argument("text", nargs="?", help="the SQL (query) or the report's name (report)")
    analytics.add_argument("--lake", help="the lake folder (default: the local stack's)")
    analytics.set_defaults(command=run)


def _lake_dir(client: ApiClient, args: argparse.Namespace) -> Path:
    found = args.lake or os.environ.get("GAMIFY_LAKE_DIR")
    if not found:
        found = client.call("GET", "/local/status").get("lake_dir") or ""
    if not found:
        raise ValueError("no lake: pass --lake DIR or run `make local`")
    return Path(found)


def run(client: ApiClient, args: argparse.Namespace) -> int:
    from gamification.services.analytics import Analytics, report_description, report_names

    if args.action == "reports":
        print(table(["report", "what"], [(n, report_description(n)) for n in report_names()]))
        return 0
    if not args.text:
        raise ValueError(
            f"analytics {args.action} needs the {'SQL' if args.action == 'query' else 'REPORT'}"
        )
    try:
        from gamification.adapters.lake_duckdb import LakeQueries
    except ImportError as error:  # duckdb is in the `local` extra
        raise ValueError("DuckDB is not installed: `make local` installs it") from error
    engine = Analytics(LakeQueries(_lake_dir(client, args)))
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
