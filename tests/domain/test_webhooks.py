"""Webhook rules: which addresses a delivery may reach, which URLs an endpoint may have, the
retry schedule, the stored response's bound."""

from __future__ import annotations

import pytest

from gamification.domain.webhooks import (
    MAX_STORED_RESPONSE_BYTES,
    address_problem,
    clipped,
    retry_delay,
    url_problem,
)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("169.254.169.254", True),
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("::1", True),
        ("fd00:ec2::254", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.215.14", False),
        ("2606:4700::6810:84e5", False),
    ],
)
def test_internal_addresses_are_refused(address: str, refused: bool) -> None:
    assert (address_problem(address) is not None) is refused


def test_urls_need_https_and_no_credentials() -> None:
    assert url_problem("https://example.com/h", allow_http=False) is None
    assert url_problem("http://example.com/h", allow_http=False) is not None
    assert url_problem("http://127.0.0.1:3000/x", allow_http=True) is None
    assert url_problem("https://user:pw@example.com/", allow_http=False) is not None
    assert url_problem("https:///nohost", allow_http=False) is not None


def test_the_delay_doubles_from_30_seconds_to_15_minutes_with_jitter() -> None:
    assert [retry_delay(n, 1.0) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]
    assert [retry_delay(n, 0.0) for n in range(1, 4)] == [15, 30, 60]


def test_a_stored_response_is_cut_at_1_kb_between_characters() -> None:
    kept = clipped("é" * 1000)
    assert len(kept.encode()) <= MAX_STORED_RESPONSE_BYTES
    assert kept == "é" * 512
