"""Durations in messages read as people write them, and say exactly the duration they stand for."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.durations import human

_SECONDS = {"day": 86_400, "days": 86_400, "h": 3600, "min": 60, "s": 1}


def _read_back(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = re.findall(r"(\d+) (days|day|h|min|s)", text)
    assert " ".join(f"{n} {u}" for n, u in parts) == text.lstrip("-")  # nothing else in it
    return timedelta(seconds=sign * sum(int(n) * _SECONDS[u] for n, u in parts))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=48), "2 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(hours=200), "200 h"),
        (timedelta(hours=1.5), "1 h 30 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(seconds=61), "1 min 1 s"),
        (timedelta(0), "0 s"),
        (timedelta(days=28), "28 days"),
    ],
)
def test_examples(delta: timedelta, text: str) -> None:
    assert human(delta) == text


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_any_whole_second_duration_reads_back_exactly(seconds: int) -> None:
    text = human(timedelta(seconds=seconds))
    assert ":" not in text
    assert "," not in text
    assert _read_back(text) == timedelta(seconds=seconds)
