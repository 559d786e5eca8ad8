"""The reminder reports name a due hour's shard as the index key does (one spelling)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters import keys
from gamification.domain.reminders import hour_name, unit_name


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=10_000),
)
def test_unit_and_hour_names_are_the_index_keys(due: datetime, shard: int) -> None:
    assert unit_name(due, shard) == keys.reminder_pk(due, shard)
    assert hour_name(due) == keys.reminder_hour(due)
