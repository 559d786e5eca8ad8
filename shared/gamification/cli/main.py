"""``gamify``: talk to a Gamify API (the local stack by default) from the terminal.

Examples::

    gamify send post_read post-42                 # as user "demo" (local dev token)
    gamify --user alice profile
    gamify badges alice
    gamify leaderboard --limit 10
    gamify job notifier --at 2026-11-27T20:00:00Z  # local stack only
    gamify simulate --users 200 --days 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gamification.cli import simulate as sim
from gamification.cli.client import ApiClient, ApiError, sigv4_signer
from gamification.cli.render import bar, table

DEFAULT_URL = "http://127.0.0.1:3000"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    client = ApiClient(args.url)
    try:
        return int(args.command(client, args) or 0)
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gamify", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", default=os.environ.get("GAMIFY_URL", DEFAULT_URL), help="API base URL"
    )
    parser.add_argument(
        "--user",
        default=os.environ.get("GAMIFY_USER", "demo"),
        help="local stack: act as this user (dev token)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("GAMIFY_TOKEN"),
        help="bearer token to send instead of the local dev token (e.g. a Cognito id token)",
    )
    parser.add_argument("--admin", action="store_true", help="local stack: dev admin token")
    parser.add_argument("--json", action="store_true", help="print raw JSON responses")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    send = commands.add_parser("send", help="report an activity")
    send.add_argument("type", help="event type, e.g. post_read")
    send.add_argument("object_id", help="what it was about, e.g. post-42")
    send.add_argument("--at", help="when it happened (ISO 8601 with offset); default now")
    send.add_argument("--series", help="series id of the post")
    send.add_argument(
        "--for",
        dest="for_user",
        help="report for this user via the trusted service route (any non-system type)",
    )
    _service_auth(send)
    send.set_defaults(command=_send)

    profile = commands.add_parser("profile", help="show a profile (yours by default)")
    profile.add_argument("user_id", nargs="?")
    profile.set_defaults(command=_profile)

    badges = commands.add_parser("badges", help="badges with progress (yours by default)")
    badges.add_argument("user_id", nargs="?")
    badges.set_defaults(command=_badges)

    board = commands.add_parser("leaderboard", help="the leaderboard")
    board.add_argument("--period", choices=["alltime", "weekly"], default="alltime")
    board.add_argument("--limit", type=int, default=10)
    board.add_argument("--offset", type=int, default=0)
    board.add_argument("--around", metavar="USER_ID", help="entries around this user")
    board.add_argument("--radius", type=int, default=3)
    board.set_defaults(command=_leaderboard)

    feed = commands.add_parser("notifications", help="your notification feed")
    feed.add_argument("--unread", action="store_true")
    feed.add_argument("--limit", type=int, default=20)
    feed.set_defaults(command=_notifications)

    _local_commands(commands)
    _simulate_command(commands)
    return parser


def _local_commands(commands: Any) -> None:
    job = commands.add_parser("job", help="local stack: run a job now or as of a time")
    job.add_argument("name", help="notifier, reconciler, backfill, ...")
    job.add_argument("--at", help="the scheduled event's time (ISO 8601), default now")
    job.add_argument("--event", help="a JSON event to send instead of a scheduled event")
    job.set_defaults(command=_job)

    redis = commands.add_parser("redis", help="local stack: simulate a Redis outage")
    redis.add_argument("action", choices=["kill", "restart"])
    redis.set_defaults(command=_redis)

    status = commands.add_parser("status", help="local stack: queues, pollers, Redis")
    status.set_defaults(command=_status)


def _simulate_command(commands: Any) -> None:
    simulate = commands.add_parser("simulate", help="simulate N users over D days")
    simulate.add_argument("--users", type=int, default=100)
    simulate.add_argument("--days", type=int, default=2)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--concurrency", type=int, default=4)
    simulate.add_argument("--prefix", default="sim", help="user ids are <prefix>-00001, ...")
    simulate.add_argument(
        "--max-backdate-hours",
        type=float,
        default=float(os.environ.get("GAMIFY_MAX_BACKDATE_HOURS", "48")),
        help="the API's back-dating window (GAMIFY_MAX_BACKDATE_HOURS)",
    )
    simulate.add_argument(
        "--no-wait", action="store_true", help="do not wait for the queue to drain (local)"
    )
    _service_auth(simulate)
    simulate.set_defaults(command=_simulate)


def _service_auth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--service-token", help="token for the service route (local default: dev-service)"
    )
    parser.add_argument(
        "--sigv4", action="store_true", help="sign service-route calls with your AWS credentials"
    )


# -- commands ----------------------------------------------------------------------------------


def _send(client: ApiClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"type": args.type, "object_id": args.object_id}
    if args.at:
        body["occurred_at"] = args.at
    if args.series:
        body["series_id"] = args.series
    if args.for_user:
        body["user_id"] = args.for_user
        result = client.call(
            "POST",
            "/v1/internal/activities",
            body=body,
            token=_service_token(client, args),
            sign=sigv4_signer() if args.sigv4 else None,
        )
    else:
        result = client.call("POST", "/v1/activities", body=body, token=_user_token(args))
    if args.json:
        return _dump(result)
    print(f"queued {result['key']} (occurred {result['occurred_at']})")
    return 0


def _profile(client: ApiClient, args: argparse.Namespace) -> int:
    path = f"/v1/users/{args.user_id}" if args.user_id else "/v1/me"
    profile = client.call("GET", path, token=_user_token(args))
    if args.json:
        return _dump(profile)
    progress = profile["progress"]
    streak = profile["streak"]
    rank = profile["rank"] if profile.get("rank_available", True) else "unavailable"
    rows = [
        ("user", profile["user_id"]),
        ("name", profile.get("display_name")),
        ("xp", profile["xp"]),
        ("level", profile["level"]),
        (
            "next level",
            f"{bar(progress['fraction'])} {progress['xp_into_level']}/"
            f"{progress['xp_into_level'] + progress['xp_to_next_level']} XP",
        ),
        ("weekly xp", profile.get("weekly_xp")),
        ("streak", f"{streak['current']} days (longest {streak['longest']})"),
        ("rank", rank),
        ("badges", profile["badge_count"]),
    ]
    print(table(["field", "value"], [(k, _str(v)) for k, v in rows]))
    return 0


def _badges(client: ApiClient, args: argparse.Namespace) -> int:
    user_id = args.user_id or args.user
    result = client.call("GET", f"/v1/users/{user_id}/badges", token=_user_token(args))
    if args.json:
        return _dump(result)
    rows = []
    for badge in result["badges"]:
        progress = badge.get("progress")
        shown = "-"
        if progress:
            fraction = progress["current"] / max(progress["target"], 1)
            shown = f"{bar(fraction, 10)} {progress['current']}/{progress['target']}"
        rows.append(
            (
                badge.get("name") or badge["id"],
                "yes" if badge["earned"] else "",
                (badge.get("earned_at") or "")[:19],
                shown,
            )
        )
    print(table(["badge", "earned", "earned at", "progress"], rows))
    print(f"{result['earned_count']} of {len(result['badges'])} earned by {result['user_id']}")
    return 0


def _leaderboard(client: ApiClient, args: argparse.Namespace) -> int:
    if args.around:
        result = client.call(
            "GET",
            f"/v1/leaderboard/around/{args.around}",
            token=_user_token(args),
            query={"period": args.period, "radius": args.radius},
        )
    else:
        result = client.call(
            "GET",
            "/v1/leaderboard",
            token=_user_token(args),
            query={"period": args.period, "limit": args.limit, "offset": args.offset},
        )
    if args.json:
        return _dump(result)
    print(leaderboard_table(result))
    return 0


def leaderboard_table(result: dict[str, Any]) -> str:
    rows = [
        (e["rank"], e["user_id"], e.get("display_name"), e["xp"], e["level"])
        for e in result["entries"]
    ]
    text = table(["rank", "user", "name", "xp", "level"], rows)
    footer = f"{result['total']} players ({result['period']})"
    if result.get("stale"):
        footer += f" - STALE snapshot as of {result.get('as_of')} (Redis unavailable)"
    return f"{text}\n{footer}"


def _notifications(client: ApiClient, args: argparse.Namespace) -> int:
    result = client.call(
        "GET",
        "/v1/me/notifications",
        token=_user_token(args),
        query={"unread_only": "true" if args.unread else None, "limit": args.limit},
    )
    if args.json:
        return _dump(result)
    rows = [
        (n["created_at"][:19], "" if n["read"] else "*", n["title"], n["message"])
        for n in result["notifications"]
    ]
    print(table(["created", "new", "title", "message"], rows))
    return 0


def _job(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "job")
    body = json.loads(args.event) if args.event else None
    result = client.call("POST", f"/local/jobs/{args.name}", query={"at": args.at}, body=body)
    return _dump(result)


def _redis(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "redis")
    return _dump(client.call("POST", f"/local/redis/{args.action}"))


def _status(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "status")
    return _dump(client.call("GET", "/local/status"))


def _simulate(client: ApiClient, args: argparse.Namespace) -> int:
    sim.check_window(args.days, args.max_backdate_hours)
    activities = sim.plan(args.users, args.days, sim.now_utc(), seed=args.seed, prefix=args.prefix)
    local = client.is_local and not args.token and not args.sigv4
    if not local and not (args.sigv4 or args.service_token):
        raise ValueError(
            "against a deployed API, simulate reports through the IAM-protected service route: "
            "pass --sigv4 (or --service-token)"
        )
    transport = sim.Transport(
        client=client,
        user_token=(lambda user: f"dev:{user}") if local else None,
        service_token=_service_token(client, args),
        signer=sigv4_signer() if args.sigv4 else None,
    )
    print(
        f"simulating {args.users} users over {args.days} days: {len(activities)} activities "
        f"against {client.base_url}",
        file=sys.stderr,
    )
    summary = sim.run(activities, transport, concurrency=args.concurrency)
    print(
        f"sent {summary.sent} in {summary.seconds:.1f} s ({summary.rate:.1f} events/s): "
        f"{summary.accepted} accepted, {sum(summary.rejected.values())} rejected"
        + (f" {dict(summary.rejected)}" if summary.rejected else "")
        + (f", {summary.errors} transport errors" if summary.errors else "")
    )
    if local and not args.no_wait:
        drained = _wait_for_queue(client, timeout=600)
        print(f"queue drained in {drained:.1f} s" if drained >= 0 else "queue still busy")
    viewer = args.token or (f"dev:{args.prefix}-00000" if local else None)
    if viewer is None:
        print("pass --token (a user's id token) to see the leaderboard's head")
    else:
        result = client.call("GET", "/v1/leaderboard", token=viewer, query={"limit": 10})
        print(leaderboard_table(result))
    return 0 if summary.errors == 0 else 1


# -- helpers -----------------------------------------------------------------------------------


def _user_token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    return f"dev:{args.user}:admin" if args.admin else f"dev:{args.user}"


def _service_token(client: ApiClient, args: argparse.Namespace) -> str | None:
    if args.service_token:
        return str(args.service_token)
    return "dev-service" if client.is_local else None


def _require_local(client: ApiClient, command: str) -> None:
    if not client.is_local:
        raise ValueError(f"`gamify {command}` drives the local stack only (--url is remote)")


def _wait_for_queue(client: ApiClient, timeout: float) -> float:
    """Seconds until the activity queue is empty, or -1 after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status = client.call("GET", "/local/status")
        queue = status["queue"]
        if queue["visible"] == 0 and queue["in_flight"] == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    return -1.0


def _dump(value: Any) -> int:
    print(json.dumps(value, indent=2, default=str))
    return 0


def _str(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "-" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
