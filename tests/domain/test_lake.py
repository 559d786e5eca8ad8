"""The lake's schema comes from the event catalog; pseudonyms are keyed and stable."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain import lake
from gamification.domain.event_catalog import CATALOG, DomainEvent


def test_every_payload_field_of_a_user_event_has_a_column_but_the_dropped_ones() -> None:
    fields = {f for t in lake.LAKE_TYPES for f in CATALOG[t].data.model_fields}
    assert set(lake.PAYLOAD) == fields - lake.DROPPED
    assert lake.COLUMNS["occurred_at"] == "timestamp"
    assert lake.COLUMNS["xp"] == "bigint"
    assert lake.COLUMNS["day"] == "date"


def test_a_row_has_every_column_and_hive_timestamps() -> None:
    event = DomainEvent(
        id="evt_1",
        type="user.excluded",
        schema_version=1,
        tenant="t",
        user_id="ann",
        sequence=10_000,
        occurred_at=datetime(2026, 11, 27, 12, 30, 1, 123456, tzinfo=UTC),
        data={"reason": "Ann's spam", "excluded_at": "2026-11-27T12:30:01+00:00"},
    )
    row = lake.row(event, bytes(16))
    assert list(row) == list(lake.COLUMNS)
    assert row["occurred_at"] == "2026-11-27 12:30:01.123"
    assert row["excluded_at"] == "2026-11-27 12:30:01.000"
    assert "reason" not in row  # an operator's free text stays out


@given(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16), st.text())
def test_pseudonyms_depend_on_the_key(one: bytes, other: bytes, user: str) -> None:
    assert lake.subject(one, "t", user) == lake.subject(one, "t", user)
    assert len(lake.subject(one, "t", user)) == lake.PSEUDONYM_HEX
    if one != other:
        assert lake.subject(one, "t", user) != lake.subject(other, "t", user)
        assert lake.row_id(one, user) != lake.row_id(other, user)
