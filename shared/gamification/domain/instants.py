"""The one rule for a date-time a caller sends: an RFC 3339 string inside the years we compute in.

JSON has no date type, and pydantic's lax mode reads far more than a date-time: ``1700000000``
(a number, or the same digits as a string) as a Unix time, ``2026-01-01 10:00`` with a space
and no seconds. A caller who sent an epoch meant something we cannot know (seconds?
milliseconds?), so only RFC 3339's ``date-time`` is taken, with its offset:
``2026-12-03T10:00:00Z``, ``2026-12-03T11:00:00.250+01:00`` (``T`` and ``Z`` in either case).

The year must also lie in 1970-8999. Python's datetimes end at 9999-12-31: a quest ending at
``9999-12-31T23:59:59-05:00`` is past that in UTC, and adding its retention overflowed (a 500).
Nothing the game counts happened before 1970, and stopping at 8999 leaves every duration the
system adds (retention, TTLs, windows) centuries of room. The OpenAPI pattern states both.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field

FIRST_YEAR, LAST_YEAR = 1970, 8999
_DATE = "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?"
_OFFSET = "([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
SHAPE = f"^[0-9]{{4}}{_DATE}[Tt]{_TIME}{_OFFSET}$"
"""RFC 3339 ``date-time`` (seconds and an offset required, at most nanoseconds), any year."""
RFC3339 = f"^(19[7-9][0-9]|[2-8][0-9]{{3}}){_DATE}[Tt]{_TIME}{_OFFSET}$"
"""The same in the years 1970-8999: the pattern the OpenAPI document states (so a generated
date-time the document allows is never refused for its year)."""
_SHAPE = re.compile(SHAPE)
MESSAGE = "must be an RFC 3339 date-time with an offset, e.g. 2026-12-03T10:00:00Z"
RULE = f"RFC 3339 date-time with an offset, in the years {FIRST_YEAR}-{LAST_YEAR}."
"""The rule in words, for every field description (a field's own description replaces the
type's in the document, so each field repeats it)."""


def _rfc3339_text(value: object) -> object:
    """Only a string of RFC 3339's form, in the years we compute in, goes on to pydantic's
    parser (a ``datetime`` built by Python code is taken as it is: JSON cannot carry one).
    The year is checked as written: an offset moves the instant by less than a day, far
    inside Python's range (years 1-9999)."""
    if isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and _SHAPE.fullmatch(value)):
        raise ValueError(MESSAGE)
    if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def parse_instant(text: str) -> datetime:
    """The same rule for text outside a pydantic model (a query string, a CLI argument)."""
    _rfc3339_text(text)
    return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))


Instant = Annotated[
    AwareDatetime,
    Field(
        strict=False,
        description=RULE,
        json_schema_extra={"pattern": RFC3339},
    ),
    BeforeValidator(_rfc3339_text),
]
"""Every date-time a request carries (``occurred_at``, a quest's ``starts_at``/``ends_at``)."""
