"""``gamify webhooks deliveries`` and ``retry``: the routes called and what is printed, against a
stand-in for the HTTP client (the edge)."""

from __future__ import annotations

import pytest

from tests.local.test_cli_friends import RecordingClient, _run


def test_deliveries_name_each_delivery_and_retry_queues_one_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = {
        "deliveries": [
            {
                "delivery_id": "crm:evt_1",
                "at": "2026-12-03T12:00:00Z",
                "event_type": "badge.earned",
                "attempt": 97,
                "status": "failed",
                "response_code": 503,
                "latency_ms": 40,
            }
        ]
    }
    path = "/v1/admin/webhooks/crm/deliveries/crm:evt_1/retry"
    client = RecordingClient(
        {
            ("GET", "/v1/admin/webhooks/crm/deliveries"): log,
            ("POST", path): {"delivery_id": "crm:evt_1", "event_id": "evt_1"},
        }
    )

    _run(["webhooks", "deliveries", "crm"], client)
    _run(["webhooks", "retry", "crm", "crm:evt_1"], client)

    assert [c[:2] for c in client.calls] == [
        ("GET", "/v1/admin/webhooks/crm/deliveries"),
        ("POST", path),
    ]
    out = capsys.readouterr().out
    assert "crm:evt_1" in out.splitlines()[2]  # the table's row names the delivery
    assert "queued crm:evt_1 again (event evt_1)" in out
    with pytest.raises(ValueError, match="DELIVERY_ID"):
        _run(["webhooks", "retry", "crm"], client)
