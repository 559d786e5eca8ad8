"""The one rule for an input date-time (domain/instants.py): RFC 3339, years 1970-8999."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from gamification.domain import instants
from gamification.domain.instants import Instant

ADAPTER: TypeAdapter[datetime] = TypeAdapter(Instant)


@pytest.mark.parametrize(
    "value",
    [
        "1700000000",  # lax pydantic: a Unix time
        "1700000000.5",
        "2026-12-03",  # a date only
        "2026-12-03 10:00:00Z",  # a space for T
        "2026-12-03T10:00Z",  # no seconds
        "2026-12-03T10:00:00",  # no offset
        "2026-12-03T10:00:00+0100",  # offset without a colon
        "\uff12\uff10\uff12\uff16-12-03T10:00:00Z",  # full-width digits (Python's \d takes them)
        "9999-12-31T23:59:59-05:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "1969-12-31T23:59:59Z",
        "9000-01-01T00:00:00Z",
    ],
)
def test_anything_but_rfc3339_in_range_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(value)
    with pytest.raises(ValueError, match=r"RFC 3339|years 1970 to 8999"):
        instants.parse_instant(value)
    assert re.fullmatch(instants.RFC3339, value) is None  # the document says so too


def test_numbers_are_refused() -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(1700000000)


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(8999, 12, 31, 23, 59, 59)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
def test_every_rfc3339_time_of_the_years_is_taken_and_plus_a_century_computes(
    local: datetime, offset_minutes: int
) -> None:
    """Whatever offset, adding a century (far more than any retention) never overflows."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = f"{local.isoformat()}{sign}{hours:02d}:{minutes:02d}"
    assert re.fullmatch(instants.RFC3339, text)
    parsed = ADAPTER.validate_python(text)
    assert parsed == instants.parse_instant(text)
    assert (parsed.astimezone(UTC) + timedelta(days=36_500)).year <= 9100
