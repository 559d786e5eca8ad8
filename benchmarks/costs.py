"""The bill, generated: ``make costs`` writes docs/cost.md's tables, ``make bench`` prints them.

One command regenerates everything from what the code is now: the template is synthesized
(``infra.app``, no cdk-nag), the traffic is measured through the real handlers
(``benchmarks.cost_usage``: small samples, exact counts), and ``benchmarks.cost_model`` prices
both. tests/unit/test_cost_model.py fails while docs/cost.md differs from what this generates,
so the docs cannot drift from the code, the template or the write path.

``python -m benchmarks.costs --write`` (``make costs``) rewrites the part of docs/cost.md between
the markers; without ``--write`` it prints the section.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.cost_model import (
    ASSUMPTIONS,
    FREE,
    HOURS_PER_MONTH,
    PRICES,
    Inventory,
    PerUnit,
    ceil_to,
    idle_lines,
    inventory,
    money,
    monthly_bill,
    variable_dollars,
)
from benchmarks.cost_usage import Rig, Usage

DOC = Path(__file__).resolve().parent.parent / "docs" / "cost.md"
BEGIN = "<!-- BEGIN GENERATED: make costs -->"
END = "<!-- END GENERATED -->"
USERS = 10
"""Users in the activity sample: each SQS batch holds one activity of each (realistic traffic:
users rarely send two activities within the consumer's one-second batching window)."""
ROUNDS = 3
READS = 20
MAU_ACTIVITIES = (30, 300)


def measuring_clock(today: datetime) -> datetime:
    """Wednesday 10:30 UTC of the week after next: no day, week or league boundary near the
    measurement, and ahead of the real clock, which Redis keeps (an ``EXPIREAT`` computed
    from a past instant would expire the boards' markers at once)."""
    monday = (today - timedelta(days=today.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday + timedelta(days=16, hours=10, minutes=30)


def synthesized_template(context: Mapping[str, object] | None = None) -> dict[str, Any]:
    """The default stack's template (``-c key=value`` choices in ``context``)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    from infra.app import ALLOW_UNBUILT_LAYER, build_app

    with tempfile.TemporaryDirectory() as outdir:
        app = build_app(
            {**(context or {}), ALLOW_UNBUILT_LAYER: "true"}, outdir=outdir, nag_checks=False
        )
        stack = app.synth().stacks[0]
        template: dict[str, Any] = stack.template
    return template


# -- measured usage -> per unit ------------------------------------------------------------------


def per_unit(usage: Usage, units: float, inv: Inventory, traced_api: bool) -> PerUnit:
    """``usage`` (a sample of ``units``) as what one unit uses, with the named assumptions for
    durations, the platform's log lines and sampling."""
    a = ASSUMPTIONS
    billed: dict[str, float] = {}
    for function, calls in usage.invocations.items():
        ms = calls * a.base_ms + usage.redis_commands[function] * a.redis_command_ms
        for (caller, service, _), n in usage.requests.items():
            if caller == function:
                ms += n * a.request_ms.get(service, 10.0)
        billed[function] = ms / units
    invocations = sum(usage.invocations.values())
    events = usage.log_lines + 3 * invocations + usage.api_requests
    log_bytes = (
        usage.log_bytes
        + invocations * a.platform_log_bytes
        + usage.api_requests * inv.access_log_bytes
        + events * a.log_event_overhead_bytes
    )
    api_functions = {"ingest", "query", "account", "admin"}
    traced = sum(
        n
        for f, n in usage.invocations.items()
        if f not in api_functions and f in inv.functions and inv.functions[f].traced
    )
    traces = (usage.api_requests if traced_api else 0) + traced
    sns = usage.count("sns")
    return PerUnit(
        api_requests=usage.api_requests / units,
        invocations={f: n / units for f, n in usage.invocations.items()},
        billed_ms=billed,
        ddb_read_units=usage.read_units / units,
        ddb_write_units=usage.write_units / units,
        ddb_index_write_units=usage.index_write_units / units,
        sqs_requests=usage.count("sqs") / units,
        sns_requests=sns / units,
        push_deliveries=sns / units,
        bus_events=usage.bus_events / units,
        bus_event_bytes=usage.bus_event_bytes / units,
        lake_billed_bytes=usage.lake_billed_bytes / units,
        redis_commands=sum(usage.redis_commands.values()) / units,
        log_bytes=ceil_to(log_bytes / units, 10),
        traces=traces * a.sampled_share / units,
    )


@dataclass
class Measured:
    activity: PerUnit
    board_read: PerUnit
    reminder: PerUnit
    idle: PerUnit
    """A month of the schedules."""
    idle_metrics: float
    """Custom metrics the schedules send, each weighted by the share of hours it is sent in."""
    traffic_metrics: int
    activity_usage: Usage
    webhook: PerUnit | None = None
    """One webhook delivery accepted at its first attempt (``webhook_deliveries``)."""
    redeem: PerUnit | None = None
    """A redeem of a stocked item with a per-user limit, its event published."""
    earning: PerUnit | None = None
    """One activity that earns 1 gem by an ``event`` rule (``wallet_traffic``)."""
    not_earning: PerUnit | None = None
    """The same activities just before, without the rule (what the earning adds is the gap)."""
    team_quest: PerUnit | None = None
    """One activity of a team member counting for a live team quest (``team_quest_traffic``)."""
    not_team_quest: PerUnit | None = None
    """The same users' activities just before, without the team quest."""


def measure(inv: Inventory) -> Measured:
    import time_machine

    from gamification.local.redis_server import RedisServer

    at = measuring_clock(datetime.now(UTC))
    # The clock is fixed (ticking): a run across midnight or the hour a league week closes
    # would measure that rarer work, and the docs must not depend on the day they are made.
    with (
        time_machine.travel(at, tick=True),
        RedisServer() as server,
        Rig(server.url, inv.environment) as rig,
    ):
        idle_runs: dict[str, Usage] = {}
        for label in sorted(inv.schedules):
            rig.scheduled(label, at)  # a fresh stack's first runs build the boards: not idle
        for label in sorted(inv.schedules):
            with rig.metering() as usage:
                rig.scheduled(label, at)
            idle_runs[label] = usage
        # CloudWatch prorates a custom metric by the hours it is sent in: a daily job's metric
        # costs 30 of 730 hours.
        weights: dict[Any, float] = {}
        for label, usage in idle_runs.items():
            for metric in usage.metrics:
                weight = min(1.0, inv.schedules[label] / HOURS_PER_MONTH)
                weights[metric] = max(weights.get(metric, 0.0), weight)
        idle_metrics = set(weights)
        idle = _month_of(idle_runs, inv)
        users = returning_users(rig)
        with rig.metering() as activity_usage:
            realistic_traffic(rig, users)
        rig.scheduled("cache-check", at)
        rig.api("GET", "/v1/leaderboard?limit=20", users[0])  # warm: no cold start measured
        with rig.metering() as read_usage:
            for _ in range(READS):
                rig.api("GET", "/v1/leaderboard?limit=20", users[0])
        webhook_usage = webhook_deliveries(rig, at)
        redeem_usage, control_usage, earning_usage = wallet_traffic(rig, users)
        team_control_usage, team_usage = team_quest_traffic(rig, users, at)
    measured = (
        *idle_runs.values(),
        activity_usage,
        read_usage,
        webhook_usage,
        redeem_usage,
        control_usage,
        earning_usage,
        team_control_usage,
        team_usage,
    )
    failed = [e for u in measured for e in u.errors]
    if failed:
        raise RuntimeError(f"a function failed while measured: {failed[:3]}")
    traced_api = inv.api_traced
    traffic_metrics = set(activity_usage.metrics | read_usage.metrics) - idle_metrics
    return Measured(
        activity=per_unit(activity_usage, USERS * ROUNDS, inv, traced_api),
        board_read=per_unit(read_usage, READS, inv, traced_api),
        reminder=reminder_per_unit(inv),
        idle=idle,
        idle_metrics=round(sum(weights.values()), 2),
        traffic_metrics=len(traffic_metrics),
        activity_usage=activity_usage,
        webhook=per_unit(webhook_usage, WEBHOOK_EVENTS, inv, traced_api),
        redeem=per_unit(redeem_usage, USERS, inv, traced_api),
        earning=per_unit(earning_usage, USERS * ROUNDS, inv, traced_api),
        not_earning=per_unit(control_usage, USERS * ROUNDS, inv, traced_api),
        team_quest=per_unit(team_usage, USERS * ROUNDS, inv, traced_api),
        not_team_quest=per_unit(team_control_usage, USERS * ROUNDS, inv, traced_api),
    )


HOODIE = {
    "name": "Hoodie",
    "price": {"currency": "gems", "amount": 10},
    "stock": 500,
    "per_user_limit": 2,
    "fulfilment": "external",
}
"""The dearer kind of redeem (docs/wallet.md): stock shards drawn and a per-user count."""


def wallet_traffic(rig: Rig, users: list[str]) -> tuple[Usage, Usage, Usage]:
    """The wallet (issue #31), through the API like the rest: one redeem per user of a stocked
    item with a per-user limit (the account function's transaction, then its
    ``reward.redeemed`` published from the outbox), and ``ROUNDS`` activities per user without,
    then (after ``ROUNDS`` unmetered) with, an ``event`` rule paying 1 gem per read (the rule's
    ledger entry turns the consumer's fast path into a transaction). The shop item, the gems
    and the rule are set up unmetered, by an admin."""
    rig.api("PUT", "/v1/admin/shop/items/hoodie", "ops", HOODIE, admin=True)
    grant = {"currency": "gems", "amount": 100, "reason": "cost model"}
    for user in users:
        rig.api("POST", f"/v1/admin/users/{user}/wallet/adjust", "ops", grant, admin=True)
    rig.drain()
    with rig.metering() as redeems:
        for user in users:
            order = {"item_id": "hoodie", "quantity": 1, "idempotency_key": f"cost-{user}"}
            rig.api("POST", "/v1/me/wallet/redeem", user, order)
        rig.drain()
    with rig.metering() as control:
        realistic_traffic(rig, users, prefix="c")
    # Unmetered: the 10th read earns a badge and a level, which neither measured phase must.
    realistic_traffic(rig, users, prefix="w")
    rules = json.loads(rig.api("GET", "/v1/admin/wallet/rules", "ops", admin=True).body)
    rule = {"on": "event", "match": "post_read", "currency": "gems", "amount": 1}
    rules["earning"] = [*rules["earning"], rule]
    rig.api("PUT", "/v1/admin/wallet/rules", "ops", rules, admin=True)
    with rig.metering() as earning:
        realistic_traffic(rig, users, prefix="g")
    ledger = json.loads(rig.api("GET", "/v1/me/wallet/ledger?limit=50", users[0]).body)
    kinds = [e["kind"] for e in ledger["entries"]]
    if kinds[:ROUNDS] != ["event"] * ROUNDS or "event" in kinds[ROUNDS:]:
        raise RuntimeError(f"the earning phase paid {kinds[: ROUNDS + 2]}, not {ROUNDS} reads")
    return redeems, control, earning


def team_quest_traffic(rig: Rig, users: list[str], at: datetime) -> tuple[Usage, Usage]:
    """Team quests (issue #30): ``ROUNDS`` activities per user, then (every user joined to one
    team and a team quest counting post reads made live, unmetered) the same again: each
    activity then raises its user's contribution (the consumer's ``after_apply``). The target
    is out of reach, so nobody is paid (a payment is a profile write per payee, once)."""
    with rig.metering() as control:
        realistic_traffic(rig, users, prefix="x")
    rig.api("PUT", "/v1/admin/teams/cost", "ops", {"name": "Cost", "max_members": 100}, admin=True)
    for user in users:
        rig.api("POST", "/v1/teams/cost/join", user)
    quest = {
        "name": "Cost model",
        "description": "A team quest no team finishes.",
        "starts_at": (at - timedelta(days=1)).isoformat(),
        "ends_at": (at + timedelta(days=6)).isoformat(),
        "criteria": {"type": "posts_read", "count": 100_000},
        "reward_xp": 10,
        "mode": "team",
    }
    rig.api("PUT", "/v1/admin/quests/cost-team", "ops", quest, admin=True)
    rig.drain()
    with rig.metering() as team:
        realistic_traffic(rig, users, prefix="y")
    page = json.loads(rig.api("GET", "/v1/teams/cost/quests", users[0]).body)
    progress = page["quests"][0]["progress"]
    if progress != len(users) * ROUNDS:
        raise RuntimeError(f"the team quest counted {progress}, not {len(users) * ROUNDS} reads")
    return control, team


WEBHOOK_EVENTS = 20
"""Events measured through the webhook path, each to one endpoint that accepts it at once."""


def webhook_deliveries(rig: Rig, at: datetime) -> Usage:
    """``WEBHOOK_EVENTS`` events of the size the activities put on the bus (an ``xp.awarded``)
    through the webhook queue to one endpoint on this machine that answers 200: the fan-out's
    endpoint read and delivery message, the attempt's endpoint read, POST and log write, the
    queue's requests and the function's invocations. Each retry of a failing endpoint adds one
    attempt's share (a delayed message, an endpoint read and a log write)."""
    from gamification.domain.domain_events import EventDraft, stamp

    with _receiver() as url:
        rig.allow_private_webhooks()
        hook = {"url": url, "event_types": ["*"]}
        rig.api("PUT", "/v1/admin/webhooks/cost", "ops", hook, admin=True)
        drafts = [
            EventDraft(
                "xp.awarded",
                f"post_read#p-{n}#{at.date()}",
                at,
                {
                    "source": f"post_read#p-{n}",
                    "activity_type": "post_read",
                    "xp": 10,
                    "total_xp": 10 * n,
                    "boost_id": None,
                },
            )
            for n in range(WEBHOOK_EVENTS)
        ]
        events = [
            e.model_dump(mode="json")
            for e in stamp(drafts, tenant="cost", user_id="user-00", version=7)
        ]
        with rig.metering() as usage:
            rig.webhook_events(events)
    return usage


@contextlib.contextmanager
def _receiver() -> Iterator[str]:
    """A webhook receiver on loopback that accepts every delivery (200)."""
    import http.server
    import threading

    class Accept(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def returning_users(rig: Rig, count: int = USERS) -> list[str]:
    """``count`` users who have played before (their profiles exist: the common case)."""
    users = [f"user-{n:02d}" for n in range(count)]
    for user in users:
        rig.api("POST", "/v1/activities", user, {"type": "post_read", "object_id": "first"})
    rig.drain()
    return users


def realistic_traffic(rig: Rig, users: list[str], rounds: int = ROUNDS, prefix: str = "p") -> None:
    """``rounds`` SQS batches, each one activity of every user (a post read, the most common
    type: 70 % of the pipeline benchmark's mix); ``prefix`` names new posts."""
    for n in range(rounds):
        for user in users:
            body = {"type": "post_read", "object_id": f"{prefix}-{n}"}
            rig.api("POST", "/v1/activities", user, body)
        rig.drain()


def _month_of(runs: Mapping[str, Usage], inv: Inventory) -> PerUnit:
    """A month of scheduled runs: each run's usage times its runs a month."""
    total = Usage()
    for label, usage in runs.items():
        times = inv.schedules[label]
        total.api_requests += 0
        for key, n in usage.requests.items():
            total.requests[key] += round(n * times)
        for function, n in usage.invocations.items():
            total.invocations[function] += round(n * times)
        for function, n in usage.redis_commands.items():
            total.redis_commands[function] += round(n * times)
        total.read_units += usage.read_units * times
        total.write_units += usage.write_units * times
        total.index_write_units += usage.index_write_units * times
        total.log_lines += round(usage.log_lines * times)
        total.log_bytes += round(usage.log_bytes * times)
    idle = per_unit(total, 1, inv, False)
    # The SQS mappings' pollers long-poll each queue whether or not anything arrives.
    polls = inv.sqs_mappings * ASSUMPTIONS.sqs_idle_receives_per_mapping
    return replace(idle, sqs_requests=idle.sqs_requests + polls)


def reminder_per_unit(inv: Inventory) -> PerUnit:
    """One streak reminder: the hourly fan-out and its senders on the scale benchmark's fakes
    (``benchmarks.scale.reminder_hour``: the real services, DynamoDB billed with its indexes),
    then the notification's stream record, the dispatcher's share of a stream batch and one
    push (``Publish``)."""
    from benchmarks.scale import reminder_hour
    from gamification.config import Settings
    from gamification.domain.game_rules import default_game_rules
    from gamification.resources import STREAM

    settings = Settings.from_env(dict(inv.environment))
    result = reminder_hour(REMINDER_SAMPLE, default_game_rules(), settings)
    sent = result.sent_total
    units = result.units + 1  # the senders' invocations and the hourly run
    a = ASSUMPTIONS
    ms = {
        "reminder_fanout": (a.base_ms + settings.reminder_shards * a.request_ms["sqs"]) / sent,
        "reminder_sender": (result.units * a.base_ms + result.requests * a.request_ms["dynamodb"])
        / sent,
        "dispatcher": (a.base_ms / STREAM.batch_size) + a.request_ms["sns"],
    }
    invocations = {
        "reminder_fanout": 1 / sent,
        "reminder_sender": result.units / sent,
        "dispatcher": 1 / STREAM.batch_size,
    }
    invocations_total = sum(invocations.values())
    return PerUnit(
        invocations=invocations,
        billed_ms=ms,
        ddb_read_units=(result.read_units or 0.0) / sent,
        ddb_write_units=(result.write_units or 0.0) / sent,
        sqs_requests=(units * 2) / sent,  # a send per unit, the mapping's receive and delete
        sns_requests=1.0,
        push_deliveries=1.0,
        log_bytes=ceil_to(
            invocations_total * (a.platform_log_bytes + 3 * a.log_event_overhead_bytes), 10
        ),
        traces=invocations_total * a.sampled_share,
    )


REMINDER_SAMPLE = 2_000
"""Users due in the measured hour (units and pages scale linearly past a page of 1,000)."""


# -- rendering ------------------------------------------------------------------------------------


OPTIONS: tuple[tuple[str, dict[str, object]], ...] = (
    ("-c waf=true", {"waf": "true"}),
    ("-c cache_type=nodes", {"cache_type": "nodes"}),
)
"""Deploy-time choices priced next to the default (each synthesized: a choice the stack does
not know yet synthesizes the default template, and its row says so). ``-c tracing=false``
removes the X-Ray column of the traffic table and is not synthesized again (each synthesis
costs the staleness test seconds)."""


def render(
    template: Mapping[str, Any],
    options: Mapping[str, Mapping[str, Any]] | None = None,
    measured: Measured | None = None,
) -> str:
    inv = inventory(template)
    m = measured or measure(inv)
    lines = idle_lines(inv, m.idle, m.idle_metrics)
    idle = (sum(x.year_one for x in lines), sum(x.steady for x in lines))
    out = ["### At rest (no traffic), per month", ""]
    out += ["| item | year one | steady state | from |", "|---|---|---|---|"]
    out += [f"| {x.item} | {money(x.year_one)} | {money(x.steady)} | {x.basis} |" for x in lines]
    out.append(f"| **total** | **{money(idle[0])}** | **{money(idle[1])}** | |")
    out += ["", "### Per unit of traffic (steady state: no free tier)", ""]
    scenarios: list[tuple[str, PerUnit, float]] = [
        ("1 M activities (one per user per SQS batch)", m.activity, 1e6),
        ("1 M streak reminders (push)", m.reminder, 1e6),
        ("1 M leaderboard page reads", m.board_read, 1e6),
    ]
    if m.redeem is not None and m.earning is not None:
        scenarios += [
            ("1 M redeems (stocked item, per-user limit)", m.redeem, 1e6),
            ("1 M activities each earning 1 gem (`event` rule)", m.earning, 1e6),
        ]
    if m.team_quest is not None:
        scenarios += [("1 M activities each counting for a team quest", m.team_quest, 1e6)]
    parts = list(variable_dollars(m.activity, 1, inv))
    out.append("| traffic | " + " | ".join(parts) + " | **total** |")
    out.append("|---" * (len(parts) + 2) + "|")
    for label, per, units in scenarios:
        dollars = variable_dollars(per, units, inv)
        cells = " | ".join(money(dollars[p]) for p in parts)
        out.append(f"| {label} | {cells} | **{money(sum(dollars.values()))}** |")
    cognito = PRICES["cognito_mau"].usd
    out += ["", "### Per monthly active user (steady state)", ""]
    out += ["| activities a month | activities | Cognito (past 10,000 MAU) | total |"]
    out += ["|---|---|---|---|"]
    for each in MAU_ACTIVITIES:
        activities = sum(variable_dollars(m.activity, each, inv).values())
        out.append(
            f"| {each} | ${activities:.4f} | ${cognito:.4f} | **${activities + cognito:.4f}** |"
        )
    out += ["", "### A month with users (idle bill included)", ""]
    out += ["| monthly active users x activities each | year one | steady state |"]
    out += ["|---|---|---|"]
    for users in (1_000, 10_000, 100_000):
        for each in MAU_ACTIVITIES:
            one, steady = monthly_bill(idle, m.activity, users * each, inv)
            one += max(0, users - FREE["cognito_mau"]) * cognito
            steady += users * cognito
            out.append(f"| {users:,} x {each} | {money(one)} | {money(steady)} |")
    out += ["", "### Measured inputs (per unit, from the real handlers)", ""]
    out += [
        "| unit | API requests | Lambda invocations | billed ms (all functions) "
        "| DynamoDB write units (table + index) | read units | SQS requests | SNS | "
        "Redis commands | log bytes | traces |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, per, _ in [*scenarios, ("a month of the schedules", m.idle, 1)]:
        calls = sum(per.invocations.values())
        ms = sum(per.billed_ms.values())
        figures: list[float] = [
            per.api_requests,
            calls,
            ms,
            per.ddb_write_units,
            per.ddb_index_write_units,
            per.ddb_read_units,
            per.sqs_requests,
            per.sns_requests,
            per.redis_commands,
            per.log_bytes,
            per.traces,
        ]
        text = [_figure(x) for x in figures]
        text[3:5] = [f"{text[3]} + {text[4]}"]
        out.append(f"| {label.removeprefix('1 M ')} | " + " | ".join(text) + " |")
    split = ", ".join(f"{f} {n:.3f}" for f, n in sorted(m.activity.invocations.items()))
    out += ["", f"Invocations per activity: {split}."]
    out += _domain_events(m.activity, inventory(template))
    out += _lake()
    out += _webhook_deliveries(m.webhook, inventory(template))
    out += _wallet(m)
    out += _team_quests(m)
    out += [
        "",
        f"Custom metrics: {m.idle_metrics:g} (hour-weighted) emitted by the schedules at rest, "
        f"{m.traffic_metrics} more once traffic flows "
        f"(≈ {money(m.traffic_metrics * PRICES['cw_metric'].usd)} a month).",
    ]
    if options:
        out += _options(template, options, m, idle)
    unpriced = {
        k: v
        for t in [template, *(options or {}).values()]
        for k, v in inventory(t).unpriced.items()
    }
    if unpriced:
        out += ["", f"**Not priced (add them to benchmarks/cost_model.py):** {unpriced}"]
    return "\n".join(out)


def _options(
    default: Mapping[str, Any],
    options: Mapping[str, Mapping[str, Any]],
    m: Measured,
    idle: tuple[float, float],
) -> list[str]:
    """Each choice's bill at rest and per million activities, from its own template (the
    measured usage is the default's: the choices change what exists, not what code runs)."""
    inv = inventory(default)
    base = sum(variable_dollars(m.activity, 1e6, inv).values())
    out = ["", "### Deploy-time choices", ""]
    out += ["| choice | at rest, year one | at rest, steady | per 1 M activities |"]
    out += ["|---|---|---|---|"]
    out.append(f"| default | {money(idle[0])} | {money(idle[1])} | {money(base)} |")
    for label, template in options.items():
        if template == default:
            out.append(f"| {label} | not a choice of this stack yet | | |")
            continue
        chosen = inventory(template)
        activity = m.activity
        if not chosen.api_traced and not any(f.traced for f in chosen.functions.values()):
            activity = replace(activity, traces=0.0)
        lines = idle_lines(
            chosen, m.idle if activity.traces else replace(m.idle, traces=0.0), m.idle_metrics
        )
        one, steady = sum(x.year_one for x in lines), sum(x.steady for x in lines)
        per = sum(variable_dollars(activity, 1e6, chosen).values())
        out.append(f"| {label} | {money(one)} | {money(steady)} | {money(per)} |")
    return out


def _figure(value: float) -> str:
    """Per-unit figures with 2-3 decimals; a month's totals as whole numbers."""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


def _dollars(value: float) -> str:
    """``$0.20``, ``$0.0023``, ``$13.3334``: cents always, more digits only where they are."""
    whole, _, cents = f"{value:,.6f}".rstrip("0").partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def prices_table() -> str:
    out = ["| price | us-east-1 | source | checked |", "|---|---|---|---|"]
    for name, p in PRICES.items():
        value = f"{_dollars(p.usd * 1e6)} per M" if p.usd < 0.001 else _dollars(p.usd)
        out.append(f"| {name}: {p.unit} | {value} | {p.source} | {p.note} |")
    return "\n".join(out)


def option_templates() -> dict[str, dict[str, Any]]:
    return {label: synthesized_template(context) for label, context in OPTIONS}


def assumptions_table() -> str:
    out = ["| assumption (benchmarks.cost_model.Assumptions) | value |", "|---|---|"]
    for name in ASSUMPTIONS.__dataclass_fields__:
        value = getattr(ASSUMPTIONS, name)
        shown = (
            ", ".join(f"{k} {v:g}" for k, v in value.items())
            if isinstance(value, Mapping)
            else f"{value:,.6g}"
        )
        out.append(f"| {name} | {shown} |")
    return "\n".join(out)


def generated(template: Mapping[str, Any] | None = None) -> str:
    body = render(template or synthesized_template(), option_templates())
    return (
        f"{BEGIN}\n{body}\n\n#### Assumptions\n\n{assumptions_table()}\n\n"
        f"#### Prices\n\n{prices_table()}\n{END}"
    )


def replace_generated(document: str, section: str) -> str:
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + section + document[end:]


def run() -> str:
    """``make bench``: the same tables the docs hold, generated now, and whether they differ."""
    section = generated()
    document = DOC.read_text(encoding="utf-8")
    stored = document[document.index(BEGIN) : document.index(END) + len(END)]
    state = "up to date" if stored == section else "**stale: run `make costs`**"
    body = section.removeprefix(BEGIN).removesuffix(END).strip()
    return f"## The bill (docs/cost.md, generated; the docs are {state})\n\n{body}"


def _wallet(m: Measured) -> list[str]:
    """What the wallet's rows say, and what an earning adds to the same activity."""
    if m.redeem is None or m.earning is None or m.not_earning is None:
        return []
    added = m.earning.ddb_write_units - m.not_earning.ddb_write_units
    read = m.earning.ddb_read_units - m.not_earning.ddb_read_units
    return [
        "",
        "Wallet (issue #31, [wallet.md](wallet.md)): a redeem is the account function's one "
        f"transaction ({_figure(m.redeem.ddb_write_units)} write and "
        f"{_figure(m.redeem.ddb_read_units)} read units with its reads, the publisher's "
        "`reward.redeemed` included). An activity that earns 1 gem by an `event` rule bills "
        f"{_figure(m.earning.ddb_write_units)} write units against "
        f"{_figure(m.not_earning.ddb_write_units)} for the same activities of the same users "
        f"without the rule (+{_figure(added)} write, {read:+.2f} read units: the ledger entry "
        "makes the commit a transaction); a credit by a badge, quest or level rides a commit "
        "that is a transaction anyway and adds its ledger entry's 2 units.",
    ]


def _team_quests(m: Measured) -> list[str]:
    """What counting for a team quest adds to the same activities of the same users."""
    if m.team_quest is None or m.not_team_quest is None:
        return []
    added = m.team_quest.ddb_write_units - m.not_team_quest.ddb_write_units
    read = m.team_quest.ddb_read_units - m.not_team_quest.ddb_read_units
    return [
        "",
        "Team quests (issue #30, [teams.md](teams.md#team-quests)): an activity of a team member "
        "that counts for a live team quest bills "
        f"{_figure(m.team_quest.ddb_write_units)} write and "
        f"{_figure(m.team_quest.ddb_read_units)} read units against "
        f"{_figure(m.not_team_quest.ddb_write_units)} and "
        f"{_figure(m.not_team_quest.ddb_read_units)} for the same users' activities without it "
        f"(+{_figure(added)} write, {read:+.2f} read units: the contribution's transaction, its "
        "reads and the team's 16 sums, per team the user is in); a completion adds one profile "
        "write per payee, once.",
    ]


def _domain_events(per: PerUnit, inv: Inventory) -> list[str]:
    """What a million domain events cost: PutEvents and the archive, and the publisher's
    share of Lambda (its invocations and billed time, divided by the events it put)."""
    if not per.bus_events:
        return []
    p = {k: v.usd for k, v in PRICES.items()}
    bus = variable_dollars(per, 1e6, inv)["EventBridge"] / per.bus_events
    publisher = PerUnit(
        invocations={"publisher": per.invocations.get("publisher", 0.0)},
        billed_ms={"publisher": per.billed_ms.get("publisher", 0.0)},
    )
    spent = variable_dollars(publisher, 1e6, inv)
    lambda_share = (spent["Lambda requests"] + spent["Lambda compute"]) / per.bus_events
    size = per.bus_event_bytes / per.bus_events
    return [
        "",
        f"Domain events per activity: {per.bus_events:.2f}, {size:,.0f} bytes each. "
        f"1 M domain events: {money(bus + lambda_share)} "
        f"(EventBridge PutEvents {money(1e6 * p['eventbridge_event'])} and archive "
        f"{money(bus - 1e6 * p['eventbridge_event'])}, the publisher's Lambda "
        f"{money(lambda_share)}; docs/events.md).",
    ]


def _lake() -> list[str]:
    """The history lake per million rows (≈ one per domain event), by part, and the hourly
    Lambda it was chosen over (docs/analytics.md, "Why Firehose")."""
    from benchmarks.cost_model import hourly_lambda_per_million, lake_fixed_month, lake_per_million
    from benchmarks.lake_cost import measure
    from infra.constructs.history_lake import BUFFER_SECONDS

    usage, rows = measure()
    firehose = lake_per_million(usage)
    hourly = hourly_lambda_per_million(usage)
    parts = "; ".join(f"{k} {money(v)}" for k, v in firehose.items())
    return [
        "",
        f"History lake (docs/analytics.md), measured on {rows:,} rows: a row is "
        f"{usage.record_bytes:,.0f} bytes as JSON, {usage.parquet_bytes:,.0f} in Parquet; "
        f"{usage.key_reads:.2f} lake-key reads per row. 1 M lake rows through Firehose: "
        f"**{money(sum(firehose.values()))}** ({parts}); plus "
        f"{money(lake_fixed_month(BUFFER_SECONDS))} a month of S3 PUTs (one file per "
        f"{BUFFER_SECONDS // 60}-minute buffer) and one 2-item transaction (≈ 4 write units) per "
        f"new user's key. The alternative, an hourly Lambda draining an SQS queue a bus rule "
        f"fills: {money(sum(hourly.values()))} per M before its own compute and Parquet library.",
    ]


def _webhook_deliveries(per: PerUnit | None, inv: Inventory) -> list[str]:
    """What a million webhook deliveries cost, by service (the endpoint's own bill aside)."""
    if per is None:
        return []
    spent = variable_dollars(per, 1e6, inv)
    lambda_cost = spent["Lambda requests"] + spent["Lambda compute"]
    ddb = spent["DynamoDB reads"] + spent["DynamoDB writes"] + spent["DynamoDB index writes"]
    total = sum(spent.values())
    return [
        "",
        f"1 M webhook deliveries, each accepted at its first attempt: {money(total)} "
        f"(SQS {money(spent['SQS'])}: {per.sqs_requests:.2f} requests a delivery; DynamoDB "
        f"{money(ddb)}: {per.ddb_read_units:.2f} read and {per.ddb_write_units:.2f} write units; "
        f"Lambda {money(lambda_cost)}; logs {money(spent['CloudWatch Logs'])}). A retry adds "
        f"about one attempt's share again; docs/events.md.",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.costs", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC}")
    args = parser.parse_args(argv)
    section = generated()
    if args.write:
        DOC.write_text(replace_generated(DOC.read_text(encoding="utf-8"), section), "utf-8")
    else:
        print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
