"""gamify: talk to a Gamify API (the local stack by default) from the terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from gamification.cli import analytics, friends, teams
from gamification.cli import simulate as sim
from gamification.cli.client import ApiClient, ApiError, ApiUnreachableError, sigv4_signer
from gamification.cli.discovery import discover
from gamification.cli.render import bar, table

EXAMPLES = """\
examples:
  gamify send post_read post-42                   report an activity as user "demo"
  gamify profile --user alice                     flags may follow the command
  gamify badges alice
  gamify quests                                   your quests, progress and rewards
  gamify leaderboard --limit 10
  gamify job reminder_fanout --at 2026-11-27T18:05:00Z   run a job as of a time (local stack)
  gamify job leagues --at 2026-11-30T00:05:00Z    close the week that ended (local stack)
  gamify league --user alice                      alice's cohort this week
  gamify dlq list                                 what the consumer dead-lettered, and why
  gamify simulate --users 200 --days 2
  gamify user export --user alice -o alice.json   everything stored about you, as one JSON file
  gamify user exclude mallory --reason "bot" --admin    keep a user off the boards
  gamify user erase --user alice                  erase your account (202: in the background)

which API: --url, else GAMIFY_URL, else a running `make local` (the one started from this
checkout, else the most recent; named on stderr), else http://127.0.0.1:$PORT, else
http://127.0.0.1:3000.

exit codes: 0 done, 1 the API refused (4xx/5xx), 2 bad usage or input, 3 API unreachable.
"""

EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Examples kept as written, and every option's default shown (where it has one)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    target = discover(args.url, os.environ)
    if target.note:
        print(target.note, file=sys.stderr)
    try:
        client = ApiClient(target.url)
        return int(args.command(client, args) or 0)
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except ApiUnreachableError as error:
        print(f"error: {target.unreachable(error)}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _global_flags(*, with_defaults: bool) -> argparse.ArgumentParser:
    """Flags every command takes, before or after its name.

    The top-level parser holds the defaults; each command's copy suppresses them, so a flag
    given after the command wins and an absent one does not reset the value given before it.
    """

    def default(value: Any) -> Any:
        return value if with_defaults else argparse.SUPPRESS

    flags = argparse.ArgumentParser(add_help=False)
    group = flags.add_argument_group("global options")
    group.add_argument(
        "--url", default=default(None), help="API base URL (default: discovered, see gamify -h)"
    )
    group.add_argument(
        "--user",
        default=default(os.environ.get("GAMIFY_USER", "demo")),
        help="local stack: act as this user (dev token); env GAMIFY_USER",
    )
    group.add_argument(
        "--token",
        default=default(os.environ.get("GAMIFY_TOKEN")),
        help="bearer token instead of the dev token (e.g. a Cognito id token); env GAMIFY_TOKEN",
    )
    group.add_argument(
        "--admin", action="store_true", default=default(False), help="local stack: admin token"
    )
    group.add_argument(
        "--json", action="store_true", default=default(False), help="print raw JSON responses"
    )
    return flags


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gamify",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=_Help,
        parents=[_global_flags(with_defaults=True)],
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    command_flags = _global_flags(with_defaults=False)

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=help_, description=help_, formatter_class=_Help, parents=[command_flags]
        )

    send = command("send", "report an activity")
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

    profile = command("profile", "show a profile (yours by default)")
    profile.add_argument("user_id", nargs="?")
    profile.set_defaults(command=_profile)

    badges = command("badges", "badges with progress (yours by default)")
    badges.add_argument("user_id", nargs="?")
    badges.set_defaults(command=_badges)

    quests = command("quests", "your active and upcoming quests with progress")
    quests.add_argument(
        "--catalog", action="store_true", help="list the quests only, without your progress"
    )
    quests.set_defaults(command=_quests)

    board = command("leaderboard", "the leaderboard")
    board.add_argument(
        "--period", choices=["alltime", "weekly"], default="alltime", help="which board"
    )
    board.add_argument("--limit", type=int, default=10, help="entries per page")
    board.add_argument("--offset", type=int, default=0, help="entries to skip")
    board.add_argument("--around", metavar="USER_ID", help="entries around this user")
    board.add_argument("--radius", type=int, default=3, help="with --around: entries each side")
    board.set_defaults(command=_leaderboard)

    league = command("league", "your league cohort this week (--tiers: the ladder)")
    league.add_argument("--tiers", action="store_true", help="list the tiers instead")
    league.set_defaults(command=_league)

    feed = command("notifications", "your notification feed")
    feed.add_argument("--unread", action="store_true", help="only unread ones")
    feed.add_argument("--limit", type=int, default=20, help="at most this many")
    feed.set_defaults(command=_notifications)

    _user_commands(command)
    _event_commands(command)
    friends.add_commands(command, _user_token)
    teams.add_commands(command, _user_token)
    _local_commands(command)
    _simulate_command(command)
    return parser


def _user_commands(command: Any) -> None:
    user = command(
        "user",
        "account lifecycle: export everything stored, erase, exclude from the boards "
        "(without USER_ID: yourself; with one: admin routes, pass --admin locally)",
    )
    user.add_argument("action", choices=["export", "erase", "exclude"])
    user.add_argument("user_id", nargs="?", help="another user (admin); required for exclude")
    user.add_argument("-o", "--output", help="export: write the JSON document to this file")
    user.add_argument("--reason", help="exclude: why (stored with the profile and exported)")
    user.add_argument("--lift", action="store_true", help="exclude: lift the exclusion")
    user.set_defaults(command=_user)


def _event_commands(command: Any) -> None:
    analytics.add_commands(command)

    events = command("events", "local stack: the domain events put on the bus (docs/events.md)")
    events.add_argument("action", choices=["tail"])
    events.add_argument("--once", action="store_true", help="print what is there and stop")
    events.set_defaults(command=_events)

    hooks = command("webhooks", "webhook endpoints (admin routes; locally add --admin)")
    hooks.add_argument("action", choices=["add", "list", "deliveries", "retry"])
    hooks.add_argument("webhook_id", nargs="?", help="add, deliveries, retry: the endpoint's id")
    hooks.add_argument(
        "endpoint",
        nargs="?",
        metavar="URL|DELIVERY_ID",
        help="add: where to POST (https://); retry: a failed or refused delivery's id",
    )
    hooks.add_argument("--types", default="*", help="add: event types, comma-separated")
    hooks.set_defaults(command=_webhooks)


def _local_commands(command: Any) -> None:
    job = command("job", "local stack: run a job now or as of a time")
    job.add_argument(
        "name", help="reminder_fanout, reconciler, leagues, ... (an unknown name lists them all)"
    )
    job.add_argument("--at", help="the scheduled event's time (ISO 8601), default now")
    job.add_argument("--event", help="a JSON event to send instead of a scheduled event")
    job.set_defaults(command=_job)

    redis = command("redis", "local stack: simulate a Redis outage")
    redis.add_argument("action", choices=["kill", "restart"])
    redis.set_defaults(command=_redis)

    status = command("status", "local stack: queues, pollers, Redis")
    status.set_defaults(command=_status)

    dlq = command(
        "dlq",
        "local stack: the dead-letter queue (list: each message with its reason and how often "
        "it was received before it got there, read without receiving it, so listing changes "
        "no count; redrive: send them all back to the activity queue, e.g. after adding a "
        "missing event type)",
    )
    dlq.add_argument("action", choices=["list", "redrive"])
    dlq.add_argument("--limit", type=int, default=50, help="list at most this many")
    dlq.set_defaults(command=_dlq)


def _simulate_command(command: Any) -> None:
    simulate = command("simulate", "simulate N users over D days (heavy-tailed, see docs)")
    simulate.add_argument("--users", type=int, default=100, help="how many users")
    simulate.add_argument("--days", type=int, default=2, help="spread over the last D days")
    simulate.add_argument("--seed", type=int, default=7, help="random seed (same plan each run)")
    simulate.add_argument("--concurrency", type=int, default=4, help="requests in parallel")
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
        ("freezes", _freezes(streak)),
        ("rank", rank),
        ("badges", profile["badge_count"]),
    ]
    if profile.get("league"):  # only your own profile carries it
        rows.append(("league", f"{profile['league']['tier']['name']} League"))
    print(table(["field", "value"], [(k, _str(v)) for k, v in rows]))
    return 0


def _badges(client: ApiClient, args: argparse.Namespace) -> int:
    user_id = args.user_id or args.user
    result = client.call("GET", f"/v1/users/{user_id}/badges", token=_user_token(args))
    if args.json:
        return _dump(result)
    rows = []
    for badge in result["badges"]:
        shown = _progress_cell(badge.get("progress"))
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


def _progress_cell(progress: dict[str, Any] | None) -> str:
    """A badge's or a quest's ``{current, target}`` as a bar and a count (``-`` when none)."""
    if not progress:
        return "-"
    fraction = progress["current"] / max(progress["target"], 1)
    return f"{bar(fraction, 10)} {progress['current']}/{progress['target']}"


def _freezes(streak: dict[str, Any]) -> str:
    covered = streak.get("frozen_days") or []
    held = f"{streak.get('freezes', 0)} held"
    return f"{held}, covered {', '.join(covered)}" if covered else held


def _quests(client: ApiClient, args: argparse.Namespace) -> int:
    path = "/v1/quests" if args.catalog else "/v1/me/quests"
    result = client.call("GET", path, token=_user_token(args))
    if args.json:
        return _dump(result)
    rows = []
    for quest in result["quests"]:
        shown = _progress_cell(quest.get("progress"))
        done = "yes" if quest.get("completed") else ""
        rows.append(
            (
                quest["name"],
                quest["status"],
                f"{quest['starts_at'][:16]} .. {quest['ends_at'][:16]}",
                f"{quest['reward_xp']} XP",
                shown,
                done,
            )
        )
    print(table(["quest", "status", "window", "reward", "progress", "done"], rows))
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


def _league(client: ApiClient, args: argparse.Namespace) -> int:
    path = "/v1/leagues/tiers" if args.tiers else "/v1/me/league"
    result = client.call("GET", path, token=_user_token(args))
    if args.json:
        return _dump(result)
    print(tiers_table(result) if args.tiers else league_table(result))
    return 0


def league_table(result: dict[str, Any]) -> str:
    tier = result["tier"]["name"]
    head = f"{tier} League, week {result['week']} (closes {result['closes_at']})"
    if not result["joined"]:
        return f"{head}\nnot joined yet: your first XP this week joins a cohort"
    rows = [
        (e["rank"], e["user_id"], e.get("display_name"), e["weekly_xp"]) for e in result["entries"]
    ]
    zones = result.get("zones") or {}
    footer = (
        f"promotion: ranks 1-{zones.get('promotion_up_to_rank') or '-'}; "
        f"demotion: from rank {zones.get('demotion_from_rank') or '-'}"
    )
    return f"{head}\n{table(['rank', 'user', 'name', 'weekly xp'], rows)}\n{footer}"


def tiers_table(result: dict[str, Any]) -> str:
    rows = [(t["index"], t["name"]) for t in result["tiers"]]
    return (
        f"{table(['index', 'tier'], rows)}\ncohorts of {result['cohort_size']}: top "
        f"{result['promote_percent']} % up, bottom {result['demote_percent']} % down"
    )


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
    try:
        result = client.call("POST", f"/local/jobs/{args.name}", query={"at": args.at}, body=body)
    except ApiError as error:
        if error.response.status != 404:
            raise
        raise ApiError(error.response, _known_jobs(client)) from None
    return _dump(result)


def _known_jobs(client: ApiClient) -> str:
    """The names ``gamify job`` takes, from the stack itself."""
    status = client.call("GET", "/local/status")
    scheduled = status.get("jobs") or []
    others = sorted(n for n, ok in status["functions"].items() if ok and n not in scheduled)
    return (
        f"jobs on a schedule: {', '.join(scheduled)}; "
        f"any other function with --event '<json>': {', '.join(others)}"
    )


def _redis(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "redis")
    return _dump(client.call("POST", f"/local/redis/{args.action}"))


def _status(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "status")
    status = client.call("GET", "/local/status")
    if args.json:
        return _dump(status)
    redis = status["redis"]
    rows = [
        ("api", status["base_url"]),
        ("aws (moto)", status["aws_endpoint"]),
        ("redis", f"{redis['kind']} at {redis['url']} ({'up' if redis['running'] else 'DOWN'})"),
        ("queue", _depth(status["queue"])),
        ("dead letters", _depth(status["dlq"])),
        ("badges", f"{status['badges']} in the catalog"),
        ("functions", ", ".join(n for n, ok in status["functions"].items() if ok)),
    ]
    print(table(["part", "state"], rows))
    return 0


def _depth(queue: dict[str, int]) -> str:
    return f"{queue['visible']} waiting, {queue['in_flight']} in flight"


def _dlq(client: ApiClient, args: argparse.Namespace) -> int:
    _require_local(client, "dlq")
    if args.action == "redrive":
        result = client.call("POST", "/local/dlq/redrive")
        if args.json:
            return _dump(result)
        print(f"redrove {result['moved']} messages to the activity queue")
        return 0
    result = client.call("GET", "/local/dlq", query={"limit": args.limit})
    if args.json:
        return _dump(result)
    rows = [
        (m.get("code") or "-", m.get("reason") or "-", m["receive_count"], m["body"][:60])
        for m in result["messages"]
    ]
    print(table(["code", "reason", "receives", "body"], rows))
    print(
        f"{len(rows)} dead letters (`gamify dlq redrive` sends them back to the queue); "
        "receives: deliveries before the DLQ (0: the consumer sent it there at once); "
        "listing receives nothing"
    )
    return 0


def _events(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the local bus's events as they are put (the log the publisher appends to)."""
    _require_local(client, "events")
    path = client.call("GET", "/local/status").get("event_log") or ""
    if not path:
        raise ValueError("this local stack keeps no event log")
    log = Path(path)
    seen = 0
    while True:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        for line in lines[seen:]:
            if args.json:
                print(line)
                continue
            event = json.loads(line)
            print(
                f"{event['occurred_at']}  {event['type']:<20} {event['user_id']:<16} "
                f"{event['id']}  {json.dumps(event['data'])}",
                flush=True,
            )
        seen = len(lines)
        if args.once:
            return 0
        time.sleep(0.5)


def _webhooks(client: ApiClient, args: argparse.Namespace) -> int:
    token = args.token or _dev_token(args.user, admin=True)
    if args.action == "list":
        return _webhook_list(client, args, token)
    if not args.webhook_id:
        raise ValueError(f"webhooks {args.action} needs the WEBHOOK_ID")
    action = {"add": _webhook_add, "retry": _webhook_retry}.get(args.action, _webhook_deliveries)
    return action(client, args, token)


def _webhook_list(client: ApiClient, args: argparse.Namespace, token: str) -> int:
    result = client.call("GET", "/v1/admin/webhooks", token=token)
    if args.json:
        return _dump(result)
    rows: list[tuple[Any, ...]] = [
        (w["id"], w["url"], ",".join(w["event_types"]), "yes" if w["active"] else "no")
        for w in result["webhooks"]
    ]
    print(table(["id", "url", "types", "active"], rows))
    return 0


def _webhook_add(client: ApiClient, args: argparse.Namespace, token: str) -> int:
    if not args.endpoint:
        raise ValueError("webhooks add needs the URL")
    body = {"url": args.endpoint, "event_types": [t for t in args.types.split(",") if t]}
    result = client.call("PUT", f"/v1/admin/webhooks/{args.webhook_id}", body=body, token=token)
    if args.json:
        return _dump(result)
    secret = result.get("secret")
    print(f"{result['id']}: {result['url']} ({', '.join(result['event_types'])})")
    print(f"signing secret (shown once): {secret}" if secret else "secret unchanged")
    return 0


def _webhook_retry(client: ApiClient, args: argparse.Namespace, token: str) -> int:
    if not args.endpoint:
        raise ValueError("webhooks retry needs the DELIVERY_ID (see webhooks deliveries)")
    path = f"/v1/admin/webhooks/{args.webhook_id}/deliveries/{args.endpoint}/retry"
    result = client.call("POST", path, token=token)
    if args.json:
        return _dump(result)
    print(f"queued {result['delivery_id']} again (event {result['event_id']})")
    return 0


def _webhook_deliveries(client: ApiClient, args: argparse.Namespace, token: str) -> int:
    result = client.call("GET", f"/v1/admin/webhooks/{args.webhook_id}/deliveries", token=token)
    if args.json:
        return _dump(result)
    rows = [
        (
            d["delivery_id"],
            d["at"],
            d["event_type"],
            d["attempt"],
            d["status"],
            d["response_code"] or "-",
            d["latency_ms"],
        )
        for d in result["deliveries"]
    ]
    print(table(["delivery", "at", "event", "attempt", "status", "code", "ms"], rows))
    return 0


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
        user_token=_dev_token if local else None,
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
    viewer = args.token or (_dev_token(f"{args.prefix}-00000") if local else None)
    if viewer is None:
        print("pass --token (a user's id token) to see the leaderboard's head")
    else:
        result = client.call("GET", "/v1/leaderboard", token=viewer, query={"limit": 10})
        print(leaderboard_table(result))
    return 0 if summary.errors == 0 else 1


# -- helpers -----------------------------------------------------------------------------------


def _user(client: ApiClient, args: argparse.Namespace) -> int:
    token = _user_token(args)
    if args.action == "exclude":
        if not args.user_id:
            raise ValueError("exclude needs the USER_ID to exclude")
        body: dict[str, Any] = {"excluded": not args.lift}
        if args.reason:
            body["reason"] = args.reason
        result = _maybe_admin(
            args,
            lambda: client.call("PUT", f"/v1/admin/users/{args.user_id}", body=body, token=token),
        )
        if args.json:
            return _dump(result)
        state = f"excluded ({result['reason']})" if result["excluded"] else "not excluded"
        print(f"{result['user_id']}: {state}")
        return 0
    if args.action == "erase":
        path = f"/v1/admin/users/{args.user_id}" if args.user_id else "/v1/me"
        result = _maybe_admin(args, lambda: client.call("DELETE", path, token=token))
        if args.json:
            return _dump(result)
        print(f"erasing {result['user_id']} (requested {result['requested_at']})")
        return 0
    return _export(client, args, token)


def _export(client: ApiClient, args: argparse.Namespace, token: str) -> int:
    """Every page of the export, merged into one document (records concatenated)."""
    path = f"/v1/admin/users/{args.user_id}/export" if args.user_id else "/v1/me/export"
    document = _maybe_admin(args, lambda: client.call("GET", path, token=token))
    cursor = document.pop("next_cursor", None)
    while cursor:
        page = client.call("GET", path, token=token, query={"cursor": cursor})
        document["records"].extend(page["records"])
        cursor = page.get("next_cursor")
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"wrote {len(document['records'])} records of {document['user_id']} to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _maybe_admin(args: argparse.Namespace, call: Callable[[], Any]) -> Any:
    """An admin route for another user: a 403 without ``--admin`` says how to get one."""
    try:
        return call()
    except ApiError as error:
        if error.response.status != 403 or not args.user_id or args.admin or args.token:
            raise
        hint = (
            f"{args.user_id} is another user: that is an admin route. On the local stack add "
            "--admin (an admin dev token); elsewhere pass --token with an admin's id token. "
            "Without USER_ID the command acts on yourself."
        )
        raise ApiError(error.response, hint) from None


def _user_token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    return _dev_token(args.user, admin=args.admin)


def _dev_token(user: str, *, admin: bool = False) -> str:
    """The local sign-in that reads back as ``user`` whatever ``:`` it holds (docs/local.md)."""
    from gamification.local.auth import dev_token

    return dev_token(user, admin=admin)


def _service_token(client: ApiClient, args: argparse.Namespace) -> str | None:
    if args.service_token:
        return str(args.service_token)
    return "dev-service" if client.is_local else None


def _require_local(client: ApiClient, command: str) -> None:
    if not client.is_local:
        raise ValueError(f"`gamify {command}` drives the local stack only (--url is remote)")


def _wait_for_queue(client: ApiClient, timeout: float) -> float:
    """Seconds until the activity queue is empty, or -1 after ``timeout``; progress on stderr."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        queue = client.call("GET", "/local/status")["queue"]
        left = queue["visible"] + queue["in_flight"]
        waited = time.monotonic() - started
        print(f"\rwaiting for the queue: {left} left ({waited:.0f} s)   ", end="", file=sys.stderr)
        if left == 0:
            print(file=sys.stderr)
            return waited
        time.sleep(0.5)
    print(file=sys.stderr)
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
