"""``gamify follow``, ``gamify friends ...`` and ``gamify pair`` (issue #29): the follow graph,
the friend board, friend streaks and friend quests from the command line, as the signed-in user
(``--user`` locally)."""

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
    follow = command("follow", "follow a user (--undo: unfollow; --block / --unblock)")
    follow.add_argument("user_id")
    action = follow.add_mutually_exclusive_group()
    action.add_argument("--undo", action="store_true", help="stop following them")
    action.add_argument("--block", action="store_true", help="block them (cuts both follows)")
    action.add_argument("--unblock", action="store_true", help="lift your block")
    follow.set_defaults(command=lambda client, args: _follow(client, args, token(args)))

    friends = command("friends", "your friend board, follows, followers and friend streaks")
    friends.add_argument(
        "view", choices=["board", "following", "followers", "streaks"], help="what to show"
    )
    friends.add_argument(
        "--period", choices=["alltime", "weekly"], default="alltime", help="board: which one"
    )
    friends.add_argument("--streak-with", metavar="USER_ID", help="streaks: invite or accept")
    friends.set_defaults(command=lambda client, args: _friends(client, args, token(args)))

    pair = command("pair", "a friend quest: pair with a mutual friend, or show the pair's progress")
    pair.add_argument("quest_id")
    pair.add_argument("user_id", nargs="?", help="the friend to pair with (none: show progress)")
    pair.add_argument("--undo", action="store_true", help="leave the pairing (both sides)")
    pair.set_defaults(command=lambda client, args: _pair(client, args, token(args)))


def _follow(client: Client, args: argparse.Namespace, token: str) -> int:
    kind = "blocked" if args.block or args.unblock else "following"
    method = "DELETE" if args.undo or args.unblock else "PUT"
    result = client.call(method, f"/v1/me/{kind}/{args.user_id}", token=token)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    if result is None:
        print(f"{'unblocked' if args.unblock else 'unfollowed'} {args.user_id}")
    elif args.block:
        print(f"blocked {args.user_id}")
    else:
        print(
            f"following {args.user_id}"
            + (" (friends: you follow each other)" if result["friends"] else "")
        )
    return 0


def _friends(client: Client, args: argparse.Namespace, token: str) -> int:
    if args.view == "board":
        result = client.call(
            "GET", "/v1/me/friends/leaderboard", token=token, query={"period": args.period}
        )
        render = board_table
    elif args.view == "streaks":
        if args.streak_with:
            client.call("PUT", f"/v1/me/friend-streaks/{args.streak_with}", token=token)
        result = client.call("GET", "/v1/me/friend-streaks", token=token)
        render = streaks_table
    else:
        result = client.call("GET", f"/v1/me/{args.view}", token=token, query={"limit": 100})
        render = follows_table
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(result))
    return 0


def _pair(client: Client, args: argparse.Namespace, token: str) -> int:
    path = f"/v1/me/quests/{args.quest_id}/partner"
    if args.undo:
        client.call("DELETE", path, token=token)
        print(f"left the pairing for {args.quest_id}")
        return 0
    if args.user_id:
        result = client.call("PUT", f"{path}/{args.user_id}", token=token)
    else:
        result = client.call("GET", path, token=token)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(pair_line(result))
    return 0


def pair_line(result: dict[str, Any]) -> str:
    """One line: with whom, the pair's count of the target, whether you were paid."""
    partner = result.get("partner")
    who = f"with {partner}" if partner else "no partner yet (yours alone)"
    done = ", completed (paid)" if result["completed"] else ""
    return f"{result['quest_id']} {who}: {result['count']}/{result['target']}{done}"


def board_table(result: dict[str, Any]) -> str:
    rows = [
        (
            e["rank"],
            ("* " if e["me"] else "") + e["user_id"],
            e.get("display_name"),
            e["xp"],
            e["level"],
        )
        for e in result["entries"]
    ]
    footer = f"{result['total']} ranked ({result['period']})"
    if result.get("stale"):
        footer += " - computed from the table (cache unavailable)"
    return f"{table(['rank', 'user', 'name', 'xp', 'level'], rows)}\n{footer}"


def follows_table(result: dict[str, Any]) -> str:
    rows = [
        (e["user_id"], e.get("display_name"), "yes" if e["mutual"] else "", e["since"][:19])
        for e in result["entries"]
    ]
    more = "\n(more: use the API's cursor)" if result.get("next_cursor") else ""
    return table(["user", "name", "friends", "since"], rows) + more


def streaks_table(result: dict[str, Any]) -> str:
    rows = [
        (
            s["user_id"],
            s["status"],
            s["current"],
            s["longest"],
            "yes" if s["both_active_today"] else ("AT RISK" if s["at_risk"] else ""),
        )
        for s in result["streaks"]
    ]
    return table(["partner", "status", "days", "longest", "today"], rows)
