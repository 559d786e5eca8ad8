"""What a hostile or careless caller found (#25): each input is refused naming its field.

Date-times are RFC 3339 strings in the years 1970-8999 (year 9999 with an offset overflowed into a
500; epoch digits were read as Unix times); badge and quest counts are JSON integers; human text
has a visible character and no control, bidi or invisible one; an error shows at most a capped,
escaped copy of what it refuses; an admin export of nobody is a 404.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from gamification import composition
from tests.api import seed
from tests.api.support import SERVICE, Api, Identity, admin, user

ALICE = user("alice")
ADMIN = admin()
FAR = "9999-12-31T23:59:59-05:00"
"""Inside Python's range as written, past it in UTC: adding the quest's retention overflowed."""
ANCIENT = "0001-01-01T00:00:00+05:00"
EPOCH_DIGITS = "1700000000"


def _badge(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Night Owl",
        "description": "Read 3 posts.",
        "icon": "icons/owl.svg",
        "criteria": {"type": "posts_read", "count": 3},
        **overrides,
    }


def _activity(**overrides: Any) -> dict[str, Any]:
    return {"type": "post_read", "object_id": "post-1", **overrides}


# -- date-times -------------------------------------------------------------------------------

DATE_TIME_INPUTS: list[Any] = [
    pytest.param("PUT", "/v1/admin/quests/q", ADMIN, lambda v: seed.quest(ends_at=v),
                 "body.ends_at", id="quest-ends_at"),
    pytest.param("PUT", "/v1/admin/quests/q", ADMIN, lambda v: seed.quest(starts_at=v),
                 "body.starts_at", id="quest-starts_at"),
    pytest.param("POST", "/v1/activities", ALICE, lambda v: _activity(occurred_at=v),
                 "body.occurred_at", id="activity"),
    pytest.param("POST", "/v1/activities/batch", ALICE,
                 lambda v: {"activities": [_activity(occurred_at=v)]},
                 "body.activities.0.occurred_at", id="batch"),
    pytest.param("POST", "/v1/internal/activities", SERVICE,
                 lambda v: _activity(occurred_at=v, user_id="alice"),
                 "body.occurred_at", id="service"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "who", "body", "field"), DATE_TIME_INPUTS)
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(FAR, id="year-9999-minus-5h"),
        pytest.param("9999-12-31T23:59:59Z", id="year-9999"),
        pytest.param(ANCIENT, id="year-1-plus-5h"),
        pytest.param(EPOCH_DIGITS, id="epoch-as-string"),
        pytest.param("1700000000.5", id="epoch-with-fraction"),
        pytest.param("2026-12-01 10:00:00Z", id="space-not-T"),
        pytest.param("2026-12-01T10:00Z", id="no-seconds"),
        pytest.param("2026-12-01", id="date-only"),
    ],
)
def test_a_date_time_is_an_rfc3339_string_in_the_years_1970_to_8999(
    refusals: Api, method: str, path: str, who: Identity, body: Any, field: str, value: str
) -> None:
    reply = refusals.request(method, path, as_=who, body=body(value))

    assert reply.status == 422, reply.text
    assert reply.error_fields() == {field}


def test_the_years_message_says_the_rule(refusals: Api) -> None:
    reply = refusals.put("/v1/admin/quests/q", as_=ADMIN, body=seed.quest(ends_at=FAR))
    assert (
        reply.error["message"]
        == "invalid request: body.ends_at: must lie in the years 1970 to 8999"
    )
    epoch = refusals.post("/v1/activities", as_=ALICE, body=_activity(occurred_at=EPOCH_DIGITS))
    assert epoch.error["details"][0]["message"] == (
        "must be an RFC 3339 date-time with an offset, e.g. 2026-12-03T10:00:00Z"
    )


# -- strict counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "status", "problem"),
    [
        pytest.param("1", 422, "Input should be a valid integer", id="string"),
        pytest.param(True, 422, "Input should be a valid integer", id="true"),
        pytest.param("1.0", 422, "Input should be a valid integer", id="string-float"),
        # JSON Schema's integer includes 1.0: the document allows it, a rule refuses it (400).
        pytest.param(1.0, 400, "must be written as an integer (1, not 1.0)", id="float"),
    ],
)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/admin/badges/owl", lambda c: _badge(criteria={"type": "posts_read", "count": c}),
         "body.criteria.count"),
        ("/v1/admin/badges/owl", lambda c: _badge(criteria={"type": "level_reached", "level": c}),
         "body.criteria.level"),
        ("/v1/admin/quests/q", lambda c: seed.quest(criteria={"type": "posts_read", "count": c}),
         "body.criteria.count"),
    ],
)  # fmt: skip
def test_a_criterion_count_is_a_json_integer(
    refusals: Api, path: str, body: Any, field: str, count: object, status: int, problem: str
) -> None:
    reply = refusals.put(path, as_=ADMIN, body=body(count))

    assert reply.status == status, reply.text
    assert reply.error_fields() == {field}
    assert reply.error["message"] == f"invalid request: {field}: {problem}"


# -- human text -------------------------------------------------------------------------------

INVISIBLE = [
    pytest.param("\u3164", id="hangul-filler"),
    pytest.param("\u2800", id="braille-blank"),
    pytest.param("\u115f\u1160", id="hangul-choseong-jungseong-fillers"),
    pytest.param("\uffa0", id="halfwidth-hangul-filler"),
    pytest.param("Bob\u034f", id="combining-grapheme-joiner"),
    pytest.param("\U000e0100", id="variation-selector-alone-is-a-mark"),
]
CONTROLS = [
    pytest.param("a\x00b", id="nul"),
    pytest.param("\u202eevil", id="rlo"),
    pytest.param("a\u202ab", id="lre"),
    pytest.param("a\u2066b", id="lri"),
    pytest.param("a\u2069b", id="pdi"),
    pytest.param("x\u200bx", id="zero-width-space"),
]
MARKS_ONLY = [
    pytest.param("\u0301", id="combining-acute-alone"),
    pytest.param("\u0301\u0308\u20dd", id="marks-only"),
    pytest.param("\ufe0f", id="emoji-variation-selector-alone"),
]


@pytest.mark.parametrize("name", [*INVISIBLE, *CONTROLS, *MARKS_ONLY])
def test_display_names_that_only_look_blank_or_spoof_are_refused(refusals: Api, name: str) -> None:
    reply = refusals.put("/v1/me/settings", as_=ALICE, body={"display_name": name})

    assert reply.status in {400, 422}, reply.text
    assert reply.error_fields() == {"body.display_name"}
    assert not composition.user_repository().load("alice").exists


HUMAN_TEXT_FIELDS: list[Any] = [
    pytest.param("/v1/admin/badges/owl", _badge, "name", id="badge-name"),
    pytest.param("/v1/admin/badges/owl", _badge, "description", id="badge-description"),
    pytest.param("/v1/admin/quests/q", seed.quest, "name", id="quest-name"),
    pytest.param("/v1/admin/quests/q", seed.quest, "description", id="quest-description"),
]


@pytest.mark.parametrize(("path", "body", "field"), HUMAN_TEXT_FIELDS)
@pytest.mark.parametrize(
    "value", [*CONTROLS, *INVISIBLE, *MARKS_ONLY, pytest.param("  ", id="blank")]
)
def test_admin_texts_with_nul_bidi_or_nothing_visible_are_refused(
    refusals: Api, path: str, body: Any, field: str, value: str
) -> None:
    reply = refusals.put(path, as_=ADMIN, body=body(**{field: value}))

    assert reply.status in {400, 422}, reply.text
    assert reply.error_fields() == {f"body.{field}"}


@pytest.mark.parametrize("reason", ["\u202echeating", "\u3164", "\u0301", "a\x00b"])
def test_an_exclusion_reason_needs_visible_text(refusals: Api, reason: str) -> None:
    reply = refusals.put(
        "/v1/admin/users/mallory", as_=ADMIN, body={"excluded": True, "reason": reason}
    )
    assert reply.status in {400, 422}, reply.text
    assert reply.error_fields() == {"body.reason"}


# -- what an error shows back -----------------------------------------------------------------

HOSTILE = "\x1b[2J\x1b[31m\u202e" + "x" * 30_000
"""A terminal escape, a bidi override and 30 KB: none of it may come back verbatim."""


def _assert_shown_safely(text: str) -> None:
    assert len(text.encode()) < 3_000, len(text)
    decoded = json.loads(text)
    flat = json.dumps(decoded, ensure_ascii=False)
    assert "\x1b" not in flat
    assert "\u202e" not in flat
    assert "x" * 101 not in flat


@pytest.mark.parametrize(
    ("method", "path", "who", "kwargs", "field"),
    [
        pytest.param("PUT", "/v1/admin/badges/owl", ADMIN,
                     {"body": _badge(criteria={"type": HOSTILE, "count": 1})},
                     "body.criteria", id="discriminator-tag"),
        pytest.param("PUT", "/v1/admin/badges/owl", ADMIN, {"body": {**_badge(), HOSTILE: 1}},
                     None, id="unknown-field-name"),
        pytest.param("GET", "/v1/leaderboard", ALICE, {"query": {HOSTILE[:2000]: "1"}},
                     None, id="unknown-query-parameter"),
    ],
)  # fmt: skip
def test_a_rejected_value_is_shown_capped_and_escaped(
    refusals: Api, method: str, path: str, who: Identity, kwargs: Any, field: str | None
) -> None:
    reply = refusals.request(method, path, as_=who, **kwargs)

    assert 400 <= reply.status < 500, reply.text
    _assert_shown_safely(reply.text)
    assert "\\u001b[2J\\u001b[31m\\u202e" in reply.text.replace("\\\\", "\\")
    if field is not None:
        assert reply.error_fields() == {field}


def test_an_unknown_field_is_named_capped_with_an_ellipsis(refusals: Api) -> None:
    reply = refusals.put("/v1/admin/badges/owl", as_=ADMIN, body={**_badge(), "z" * 500: 1})
    assert reply.error_fields() == {"body." + "z" * 64 + "…"}


@pytest.mark.parametrize(
    ("method", "path", "who", "body", "message"),
    [
        pytest.param(
            "POST", "/v1/activities", ALICE,
            _activity(occurred_at=(seed.now() - timedelta(hours=49)).isoformat()),
            "occurred_at: more than 48 hours before it was received", id="back-dating-window",
        ),
        pytest.param(
            "PUT", "/v1/admin/quests/q", ADMIN,
            seed.quest(starts_at="2026-01-02T00:00:00Z", ends_at="2026-01-01T00:00:00Z"),
            "ends_at must be after starts_at", id="quest-window",
        ),
        pytest.param(
            "POST", "/v1/me/notifications/read", ALICE, {"all": 1},
            "invalid request: body.all: must be true", id="mark-all-not-true",
        ),
        pytest.param(
            "POST", "/v1/me/notifications/read", ALICE, {"ids": ["a"], "all": True},
            "invalid request: body.all: Extra inputs are not permitted", id="both-shapes",
        ),
        pytest.param(
            "PUT", "/v1/admin/badges/owl", ADMIN, _badge(criteria={"type": "posts_read"}),
            "invalid request: body.criteria.count: Field required", id="tag-not-in-path",
        ),
        pytest.param(
            "PUT", "/v1/me/settings", ALICE, {"display_name": "\u0301"},
            "display_name: must contain a visible character (a letter, digit or symbol)",
            id="marks-only-name",
        ),
    ],
)  # fmt: skip
def test_each_message_says_it_once(
    refusals: Api, method: str, path: str, who: Identity, body: Any, message: str
) -> None:
    reply = refusals.request(method, path, as_=who, body=body)

    assert 400 <= reply.status < 500, reply.text
    assert reply.error["message"] == message


def test_a_bad_cursor_is_named_once(refusals: Api) -> None:
    reply = refusals.get("/v1/me/notifications", as_=ALICE, query={"cursor": "e30"})
    assert reply.error["message"] == "cursor is not one this API issued"


def test_the_back_dating_window_reads_as_hours_in_a_batch_too(refusals: Api) -> None:
    old = (seed.now() - timedelta(hours=49)).isoformat()
    reply = refusals.post(
        "/v1/activities/batch", as_=ALICE, body={"activities": [_activity(occurred_at=old)]}
    )
    assert reply.json["results"][0]["error"]["message"] == (
        "more than 48 hours before it was received"
    )


# -- export of nobody -------------------------------------------------------------------------


def test_the_export_of_a_user_never_seen_is_a_404(refusals: Api) -> None:
    reply = refusals.get("/v1/admin/users/nobody-at-all/export", as_=ADMIN)

    assert reply.status == 404, reply.text
    assert reply.error["code"] == "user_not_found"
    own = refusals.get("/v1/me/export", as_=user("nobody-at-all"))
    assert (own.status, own.json["profile"], own.json["records"]) == (200, None, [])
