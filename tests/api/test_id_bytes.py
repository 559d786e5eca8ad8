"""Ids are limited by UTF-8 bytes on every route that takes one, so no key built from an id can
exceed DynamoDB's limits: 256 four-byte characters are within 256 characters but 1,024 bytes."""

from __future__ import annotations

from typing import Any

import pytest

from gamification.domain.activity import MAX_ID_BYTES
from tests.api.support import SERVICE, Api, user

ALICE = user("alice")
CLEF = "\U0001d11e"  # one character, four bytes in UTF-8
TOO_MANY_BYTES = CLEF * (MAX_ID_BYTES // 4 + 1)
JUST_FITS = CLEF * (MAX_ID_BYTES // 4)


@pytest.mark.parametrize(
    ("path", "identity", "body", "field"),
    [
        pytest.param(
            "/v1/activities", ALICE, {"type": "post_read", "object_id": TOO_MANY_BYTES},
            "body.object_id", id="object-id",
        ),
        pytest.param(
            "/v1/activities", ALICE,
            {"type": "post_read", "object_id": "p", "series_id": TOO_MANY_BYTES},
            "body.series_id", id="series-id",
        ),
        pytest.param(
            "/v1/activities/batch", ALICE,
            {"activities": [
                {"type": "post_read", "object_id": "good-1"},
                {"type": "post_read", "object_id": TOO_MANY_BYTES},
                {"type": "post_read", "object_id": "good-2"},
            ]},
            "body.activities.1.object_id", id="one-item-of-a-batch",
        ),
        pytest.param(
            "/v1/internal/activities", SERVICE,
            {"user_id": "bob", "type": "challenge_solved", "object_id": TOO_MANY_BYTES},
            "body.object_id", id="service-route",
        ),
    ],
)  # fmt: skip
def test_an_id_too_long_in_bytes_is_refused_naming_the_field(
    refusals: Api, path: str, identity: Any, body: dict[str, Any], field: str
) -> None:
    assert len(TOO_MANY_BYTES) <= 256  # within the character limit: only bytes catch it

    reply = refusals.post(path, as_=identity, body=body)

    assert reply.status == 422, reply.text
    assert field in reply.error_fields()
    assert "bytes" in reply.text


def test_an_id_of_exactly_the_byte_limit_is_accepted(api: Api) -> None:
    reply = api.post(
        "/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": JUST_FITS}
    )
    assert reply.status == 202, reply.text
