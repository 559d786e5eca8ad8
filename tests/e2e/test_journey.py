"""A user's journey, repeats and bad input, and ties, against the local stack over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


def test_stack_announces_itself_and_serves_docs_and_health(stack: StackProcess) -> None:
    logs = stack.logs()
    assert f"{stack.url}/v1/docs" in logs
    assert "Badges:       15 in the catalog" in logs
    docs = stack.api.client.request("GET", "/v1/docs")
    assert docs.status == 200
    spec = ok(stack.api.client.request("GET", "/v1/openapi.json"))
    assert "/v1/leaderboard" in spec["paths"]
    health = ok(stack.api.client.request("GET", "/v1/health"))
    assert health["status"] == "ok"


def test_first_read_to_level_up_badges_and_notifications(stack: StackProcess) -> None:
    api, user = stack.api, "journey"
    fresh = api.profile(user)
    assert (fresh["xp"], fresh["level"], fresh["badge_count"]) == (0, 0, 0)

    first = ok(api.report(user, "post_read", "post-1"))
    assert first["key"] == "post_read#post-1"
    eventually(lambda: api.profile(user)["xp"] == 10, what="the first read's XP")
    assert api.profile(user)["badge_count"] == 1  # First Steps

    batch = ok(
        api.report_many(
            user, [{"type": "post_read", "object_id": f"post-{i}"} for i in range(2, 11)]
        )
    )
    assert batch["accepted"] == 9
    profile = eventually(lambda: (p := api.profile(user))["xp"] == 100 and p, what="ten reads' XP")
    assert profile["level"] == 1
    assert profile["progress"]["level_floor_xp"] == 100
    # The rank follows the commit through the projector (the table's stream), a moment later.
    eventually(lambda: api.profile(user)["rank"] is not None, what="the rank")

    earned = {b["id"] for b in api.badges(user)["badges"] if b["earned"]}
    assert {"first-read", "bookworm"} <= earned
    scholar = next(b for b in api.badges(user)["badges"] if b["id"] == "scholar")
    assert scholar["progress"] == {"current": 10, "target": 100}

    titles = {n["title"]: n for n in api.notifications(user)}
    assert titles["Level 1!"]["message"] == "You advanced from level 0 to 1."
    assert titles["Badge Unlocked: Bookworm"]["message"] == "Read 10 posts."
    assert "Badge Unlocked: First Steps" in titles
    # The outbox: committed notifications flow through the table's stream to the dispatcher.
    eventually(
        lambda: stack.api.status()["stream_poller"]["delivered"] >= 3,
        what="the dispatcher to receive the notifications",
    )


def test_repeats_and_bad_input_change_nothing(stack: StackProcess) -> None:
    api, user = stack.api, "careful"
    ok(api.report(user, "post_read", "post-a"))
    eventually(lambda: api.profile(user)["xp"] == 10, what="the first read")
    before = api.profile(user)
    dlq_before = api.status()["dlq"]["visible"]

    # Repeats: accepted (idempotent) but worth nothing.
    assert api.report(user, "post_read", "post-a").status == 202
    batch = ok(api.report_many(user, [{"type": "post_read", "object_id": "post-a"}] * 2))
    # Both items are valid, so both are queued under one dedupe key; the consumer applies one.
    assert (batch["accepted"], batch["rejected"]) == (2, 0)
    assert len({result["key"] for result in batch["results"]}) == 1

    now = datetime.now(UTC)
    bad = [
        api.report(user, "telepathy", "x"),  # unknown type
        api.report(user, "challenge_solved", "c-1"),  # service-only type from a client
        api.report(user, "streak_milestone", "m-1"),  # system type
        api.report(user, "post_read", "p-f", occurred_at=(now + timedelta(hours=1)).isoformat()),
        api.report(user, "post_read", "p-o", occurred_at=(now - timedelta(hours=49)).isoformat()),
        api.report(user, "post_read", "p-x", xp=1000),  # XP is never client input
        api.report(user, "post_read", "p-u", user_id="someone-else"),  # nor is identity
        api.as_user(user, "POST", "/v1/activities", {"type": "post_read"}),  # no object_id
        api.as_user(user, "POST", "/v1/activities/batch", {"activities": []}),
    ]
    for response in bad:
        assert response.status in {400, 422}, response.body
        assert set(response.body["error"]) == {"code", "message", "details"}
    unauthenticated = api.client.request(
        "POST", "/v1/activities", body={"type": "post_read", "object_id": "p-n"}
    )
    assert unauthenticated.status == 401
    as_service = api.client.request(
        "POST",
        "/v1/internal/activities",
        token=f"dev:{user}",
        body={"user_id": user, "type": "post_read", "object_id": "p-s"},
    )
    assert as_service.status == 403

    api.wait_idle()
    after = api.profile(user)
    assert (after["xp"], after["badge_count"]) == (before["xp"], before["badge_count"])
    assert api.status()["dlq"]["visible"] == dlq_before  # nothing bad was even queued


def test_tied_users_share_a_rank(stack: StackProcess) -> None:
    api = stack.api
    # 70, 40, 40 and 10 XP; no other test's user has exactly 40 or between 40 and 70.
    reads = {"tie-top": 7, "tie-a": 4, "tie-b": 4, "tie-low": 1}
    api.read_posts(reads, prefix="t-")

    board = api.leaderboard(limit=100)
    ranks = {e["user_id"]: e["rank"] for e in board["entries"]}
    assert ranks["tie-a"] == ranks["tie-b"] == ranks["tie-top"] + 1
    assert board["stale"] is False
    assert board["total"] == len(board["entries"])
    # RANK(): the rank after a tie skips (1, 2, 2, 4): whoever follows the pair is 2 places down.
    below = [e["rank"] for e in board["entries"] if e["xp"] < 40]
    assert min(below) == ranks["tie-a"] + 2  # tie-low at the least
    assert api.profile("tie-a")["rank"] == api.profile("tie-b")["rank"] == ranks["tie-a"]

    around = ok(api.as_user("tie-b", "GET", "/v1/leaderboard/around/tie-b", radius=1))
    assert around["rank"] == ranks["tie-b"]


def test_a_new_badge_reaches_users_who_already_qualify(stack: StackProcess) -> None:
    """Admin upsert → the backfill function, invoked asynchronously through Lambda's Invoke API."""
    api = stack.api
    ok(api.report_many("veteran", [{"type": "post_read", "object_id": f"v-{i}"} for i in range(3)]))
    eventually(lambda: api.profile("veteran")["xp"] == 30, what="the veteran's reads")
    badge = {
        "name": "Triple Reader",
        "description": "Read 3 posts.",
        "icon": "icons/triple.svg",
        "criteria": {"type": "posts_read", "count": 3},
    }
    refused = api.as_user("veteran", "PUT", "/v1/admin/badges/triple-reader", badge)
    assert refused.status == 403
    saved = api.client.request(
        "PUT", "/v1/admin/badges/triple-reader", token="dev:boss:admin", body=badge
    )
    assert saved.ok, saved.body

    def has_badge() -> bool:
        return any(
            b["id"] == "triple-reader" and b["earned"] for b in api.badges("veteran")["badges"]
        )

    eventually(has_badge, what="the backfill to award the new badge")
    assert "lambda invoke backfill (Event)" in stack.logs()
    titles = [n["title"] for n in api.notifications("veteran")]
    assert titles.count("Badge Unlocked: Triple Reader") == 1


def test_an_earned_badge_is_a_credential_verified_against_the_published_keys(
    stack: StackProcess,
) -> None:
    """Open Badges 3.0 (docs/credentials.md): signed by moto's KMS key through the same
    ``KmsSigner`` as on AWS, verified with joserfc against the stack's JWKS."""
    import json

    from joserfc import jws
    from joserfc.jwk import KeySet

    api, user = stack.api, "holder"
    ok(api.report(user, "post_read", "cred-1"))
    eventually(lambda: api.profile(user)["badge_count"] == 1, what="First Steps")

    token = ok(api.as_user(user, "GET", f"/v1/users/{user}/badges/first-read/credential"))
    keys = ok(stack.api.client.request("GET", "/.well-known/jwks.json"))
    issuer = ok(stack.api.client.request("GET", "/v1/issuer"))
    verified = jws.deserialize_compact(token, KeySet.import_key_set(keys), algorithms=["ES256"])

    document = json.loads(verified.payload)
    assert verified.protected["typ"] == "vc+jwt"
    assert document["issuer"]["id"] == issuer["id"] == f"{stack.url}/v1/issuer"
    assert document["credentialSubject"]["achievement"]["name"] == "First Steps"
    other = api.as_user("someone-else", "GET", f"/v1/users/{user}/badges/first-read/credential")
    assert other.status == 404
