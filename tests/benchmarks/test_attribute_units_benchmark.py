"""benchmarks.attribute_units: attribute criteria cost nothing to users who send no attributes
(the same bill to the unit), and the same run tells when they do cost something."""

from __future__ import annotations

from benchmarks import attribute_units as bench
from gamification.domain.criteria_check import (
    MAX_DISTINCT_TALLIES,
    MAX_TALLIES,
    MAX_WINDOW_TALLIES,
)


def test_the_attribute_catalog_keeps_every_kind_of_tally_at_the_catalog_limits() -> None:
    tallies = bench.live_tallies(bench.attribute_rules())
    assert tallies["distinct"] == MAX_DISTINCT_TALLIES
    assert tallies["window"] == MAX_WINDOW_TALLIES
    assert tallies["count"] > 0
    assert tallies["sum"] > 0
    assert sum(tallies.values()) == MAX_TALLIES


def test_users_sending_no_attributes_pay_exactly_the_same_units_per_activity() -> None:
    bills = bench.measure(users=12, days=8)
    plain = bills["default catalog"]
    unsent = bills["+ attribute criteria, no attributes sent"]
    sent = bills["+ attribute criteria, attributes sent"]
    assert plain.activities == unsent.activities == sent.activities > 50
    # Units are counts: the same requests on the same items give the same bill, to the unit.
    assert bench.ratio(bills, "+ attribute criteria, no attributes sent") == (1.0, 1.0)
    assert unsent.units == plain.units
    assert unsent.requests == plain.requests
    # The control: with attributes the tallies are kept and the profiles (so the bill) grow.
    assert sent.units["profile"] > plain.units["profile"]
