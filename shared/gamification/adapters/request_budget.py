"""A per-user budget of write requests: a fixed-window counter in the table.

One item per user and window (``RATE#<user>`` / ``W#<window start>``) counts what the user
spent; one conditional ``UpdateItem`` adds a request's cost only while the total stays within
the budget, so concurrent requests on any number of containers cannot overspend it. The item is
about 80 bytes (one write unit, the whole cost of the check) and expires with the table's TTL
one window after its window ends. See docs/api.md for the options weighed against this one.

The write is skipped while a user is plausibly within budget: each container lets a user spend
``free_per_container`` units a window without touching the table, and charges them all with the
first request past that, then every request. In one container the outcome is exactly the
counter's; over ``n`` warm containers a user can spend at most ``limit + n *
free_per_container`` a window. Real traffic (a user's few requests a minute at most) then
writes nothing: the counter costs a write unit only for users who send more than that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from gamification.adapters import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = Logger(child=True)

DEFAULT_FREE_PER_CONTAINER = 1
"""A user's first request a window in each warm container writes nothing."""
MAX_TRACKED_USERS = 50_000
"""Users a container remembers a window (≈ 5 MB at most); past it, every request is charged."""


@dataclass(frozen=True, slots=True)
class Spent:
    allowed: bool
    retry_after_seconds: int = 0
    """Seconds until the next window opens (when refused)."""


class RequestBudget:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        limit: int,
        window_seconds: int,
        clock: Callable[[], datetime],
        free_per_container: int = DEFAULT_FREE_PER_CONTAINER,
        max_tracked: int = MAX_TRACKED_USERS,
    ) -> None:
        self._client = client
        self._table = table_name
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._free = max(0, free_per_container)
        self._max_tracked = max_tracked
        self._window_start = -1
        self._held: dict[str, int] = {}
        """Units each user spent this window in this container and not yet charged; ``-1``
        once charged (every further request goes to the table)."""

    @property
    def enabled(self) -> bool:
        return self._limit > 0

    def spend(self, user_id: str, units: int = 1) -> Spent:
        """Spend ``units`` of ``user_id``'s budget for the current window, if it has them.

        Fails open: when the table cannot be reached the request is served (and logged), since
        a budget that cannot be read is no reason to refuse an honest user.
        """
        if not self.enabled:
            return Spent(allowed=True)
        now = int(self._clock().timestamp())
        start = now - now % self._window
        if units > self._limit:  # more than a whole window holds: no write needed to refuse
            return Spent(allowed=False, retry_after_seconds=start + self._window - now)
        if start != self._window_start:
            self._held.clear()
            self._window_start = start
        held = self._held.get(user_id, 0)
        if held >= 0 and held + units <= self._free and len(self._held) < self._max_tracked:
            self._held[user_id] = held + units
            return Spent(allowed=True)
        charge = units + max(held, 0)
        spent = self._charge(user_id, charge, start, now)
        if spent.allowed and len(self._held) < self._max_tracked:
            self._held[user_id] = -1
        return spent

    def _charge(self, user_id: str, units: int, start: int, now: int) -> Spent:
        """Add ``units`` to the window's counter if it stays within the budget."""
        if units > self._limit:
            return Spent(allowed=False, retry_after_seconds=start + self._window - now)
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"PK": {"S": keys.budget_pk(user_id)}, "SK": {"S": keys.budget_sk(start)}},
                UpdateExpression="ADD spent :units SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(spent) OR spent <= :most",
                ExpressionAttributeValues={
                    ":units": {"N": str(units)},
                    ":most": {"N": str(self._limit - units)},
                    ":expires": {"N": str(start + 2 * self._window)},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return Spent(allowed=False, retry_after_seconds=start + self._window - now)
            logger.warning("request budget unavailable", extra={"error": str(error)})
        except BotoCoreError as error:
            logger.warning("request budget unavailable", extra={"error": str(error)})
        return Spent(allowed=True)
