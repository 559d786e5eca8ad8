"""``gamify teams ...`` (issue #30): your teams, joining and leaving, and a team's quests with
its progress, from the command line as the signed-in user (``--user`` locally)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any, Protocol

from gamification.cli.render import table


class Client(Protocol):
    def call(self, method: str, path: str, **kwargs: Any) -> Any: ...


Token = Callable[[argparse.Namespace], str]


def add_commands(command: Callable[[str, str], argparse.ArgumentParser], token: Token) -> None:
    teams = command("teams", "your teams, joining and leaving, a team's quests and progress")
    teams.add_argument(
        "view", choices=["mine", "join", "leave", "quests"], help="what to do or show"
    )
    teams.add_argument("team_id", nargs="?", help="join, leave, quests: the team")
    teams.add_argument("--code", help="join: the team's code, when it asks for one")
    teams.set_defaults(command=lambda client, args: _teams(client, args, token(args)))


def _teams(client: Client, args: argparse.Namespace, token: str) -> int:
    if args.view != "mine" and not args.team_id:
        raise SystemExit(f"gamify teams {args.view}: name the team (TEAM_ID)")
    render: Callable[[Any], str]
    if args.view == "join":
        body = {"code": args.code} if args.code else None
        result = client.call("POST", f"/v1/teams/{args.team_id}/join", token=token, body=body)
        render = _changed("joined")
    elif args.view == "leave":
        result = client.call("DELETE", f"/v1/teams/{args.team_id}/members/me", token=token)
        render = _changed("left")
    elif args.view == "quests":
        result = client.call("GET", f"/v1/teams/{args.team_id}/quests", token=token)
        render = quests_table
    else:
        result = client.call("GET", "/v1/me/teams", token=token)
        render = mine_table
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(result))
    return 0


def _changed(verb: str) -> Callable[[Any], str]:
    def render(result: Any) -> str:
        team = result.get("team_id", "") if isinstance(result, dict) else ""
        if isinstance(result, dict) and result.get("changed") is False:
            return f"nothing to do ({verb} {team} already)"
        return f"{verb} {team}".rstrip()

    return render


def mine_table(result: dict[str, Any]) -> str:
    rows = [(t["team_id"], t["name"], t["members"], t["joined_at"][:19]) for t in result["teams"]]
    return f"{table(['team', 'name', 'members', 'joined'], rows)}\n" + (
        f"{len(rows)} of at most {result['limit']} teams"
    )


def quests_table(result: dict[str, Any]) -> str:
    rows = [
        (
            q["quest_id"],
            q["status"],
            f"{q['progress']}/{q['target']}",
            q["contributors"],
            "yes" if q["completed"] else "",
            q["your_count"],
            "yes" if q["you_were_paid"] else "",
            q["pay"],
        )
        for q in result["quests"]
    ]
    headers = ["quest", "status", "team", "contributors", "done", "yours", "paid", "pays"]
    return table(headers, rows)
