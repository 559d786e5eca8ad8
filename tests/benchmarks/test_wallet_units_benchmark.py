"""benchmarks.wallet_units measures what it claims: every request it names, and the earning's
extra units as the difference of the same commit with and without the wallet."""

from __future__ import annotations

import re

from benchmarks import wallet_units


def test_the_table_names_every_request_and_the_earning_costs_what_its_ledger_entry_adds() -> None:
    section = wallet_units.run()

    rows = dict(re.findall(r"^\| ([^|]+?) \| [^|]+ \| ([^|]+) \|$", section, re.MULTILINE))
    for label in (
        "activity earning a badge (no wallet)",
        "activity earning a badge + 5 gems",
        "redeem: stocked item with a per-user limit",
        "redeem: the same key again (answered from the receipt)",
        "admin adjust (grant)",
        "GET /v1/shop/items (3 items, 1 stocked, 1 limited)",
        "redeem: unlimited item, an expiry due (+ its `expired` entry)",
    ):
        assert label in rows, label

    def units(label: str) -> tuple[int, int]:
        items, writes = re.match(r"(\d+) items, (\d+) WRU", rows[label]).groups()  # type: ignore[union-attr]
        return int(items), int(writes)

    plain, earning = (
        units("activity earning a badge (no wallet)"),
        units("activity earning a badge + 5 gems"),
    )
    assert earning[0] == plain[0] + 1  # one more item: the ledger entry
    # a holding period costs nothing per write: the pending lot is in the profile rewritten anyway
    assert units("activity earning a badge + 5 gems held 7 days (pending)") == earning
    assert f"An earning adds {earning[1] - plain[1]} WRU" in section
    assert units("redeem: the same key again (answered from the receipt)") == (0, 0)
    # profile, ledger entry, receipt, one stock shard, the per-user count
    assert units("redeem: stocked item with a per-user limit")[0] == 5
    # the expiry's ledger entry rides the redeem's transaction: one more item, 2 more WRU
    expiring = units("redeem: unlimited item, an expiry due (+ its `expired` entry)")
    assert expiring == (
        units("redeem: unlimited item")[0] + 1,
        units("redeem: unlimited item")[1] + 2,
    )
