"""The notification feed: newest first, cursor paging, read marks, and only your own."""

from __future__ import annotations

from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, user

ALICE, BOB = user("alice"), user("bob")


def _pages(api: Api, query: dict[str, str]) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        reply = api.get(
            "/v1/me/notifications",
            as_=ALICE,
            query={**query, **({"cursor": cursor} if cursor else {})},
        )
        assert reply.status == 200, reply.text
        pages.append([n["id"] for n in reply.json["notifications"]])
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return pages


def test_the_feed_pages_newest_first_without_gaps_or_repeats(
    api: Api, stack_env: Provisioned
) -> None:
    ids = seed.notifications("alice", 7)
    seed.notifications("bob", 3)

    pages = _pages(api, {"limit": "3"})

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == list(reversed(ids))


def test_a_feed_of_exactly_one_page_has_no_cursor(api: Api, stack_env: Provisioned) -> None:
    seed.notifications("alice", 3)

    reply = api.get("/v1/me/notifications", as_=ALICE, query={"limit": "3"})

    assert len(reply.json["notifications"]) == 3
    assert reply.json["next_cursor"] is None


def test_marking_some_read_leaves_the_others_unread(api: Api, stack_env: Provisioned) -> None:
    ids = seed.notifications("alice", 5)

    marked = api.post("/v1/me/notifications/read", as_=ALICE, body={"ids": ids[:2]})
    unread = _pages(api, {"unread_only": "true", "limit": "2"})

    assert marked.status == 200, marked.text
    assert sorted(marked.json["marked"]) == sorted(ids[:2])
    assert [i for page in unread for i in page] == list(reversed(ids[2:]))
    feed = api.get("/v1/me/notifications", as_=ALICE).json["notifications"]
    assert {n["id"]: n["read"] for n in feed} == {i: i in ids[:2] for i in ids}


def test_marking_all_read_is_idempotent(api: Api, stack_env: Provisioned) -> None:
    seed.notifications("alice", 4)

    first = api.post("/v1/me/notifications/read", as_=ALICE, body={"all": True})
    second = api.post("/v1/me/notifications/read", as_=ALICE, body={"all": True})

    assert len(first.json["marked"]) == 4
    assert second.json == {"marked": [], "unknown": []}
    unread = api.get("/v1/me/notifications", as_=ALICE, query={"unread_only": "true"}).json
    assert unread == {"notifications": [], "next_cursor": None}


def test_a_user_cannot_read_or_mark_someone_elses_notifications(
    api: Api, stack_env: Provisioned
) -> None:
    seed.notifications("alice", 2)
    bobs = seed.notifications("bob", 3, start=seed.now(), first_level=20)
    bob_cursor = api.get("/v1/me/notifications", as_=BOB, query={"limit": "1"}).json["next_cursor"]

    smuggled = api.get("/v1/me/notifications", as_=ALICE, query={"user_id": "bob"})
    alices_feed = api.get("/v1/me/notifications", as_=ALICE).json
    with_bobs_cursor = api.get("/v1/me/notifications", as_=ALICE, query={"cursor": bob_cursor})
    marked = api.post("/v1/me/notifications/read", as_=ALICE, body={"ids": bobs})

    assert smuggled.status == 422  # a query user_id is neither an identity nor ignored
    assert smuggled.error_fields() == {"query.user_id"}
    assert len(alices_feed["notifications"]) == 2
    assert {n["id"] for n in alices_feed["notifications"]} == {"level#1", "level#2"}
    # a cursor only holds a position; the partition is always the caller's own
    assert with_bobs_cursor.status == 200
    assert len(with_bobs_cursor.json["notifications"]) <= 2
    assert marked.json["marked"] == []
    assert sorted(marked.json["unknown"]) == sorted(bobs)
    bob_unread = api.get("/v1/me/notifications", as_=BOB, query={"unread_only": "true"}).json
    assert len(bob_unread["notifications"]) == 3
