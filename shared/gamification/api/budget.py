"""The per-user abuse ceiling of the write routes: spend the caller's budget or answer 429.

Reads are cheap and cached; writes fill the queue and the table, so each write route spends the
signed-in user's budget (``adapters.request_budget``) before doing anything. A batch spends one
unit per activity, so batching is no way around the ceiling.
"""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Request

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.errors import ApiError


def charge(caller: Caller, units: int = 1) -> None:
    """Spend ``units`` of the caller's write budget; raise 429 when it is spent."""
    spent = composition.request_budget().spend(caller.user_id, units)
    if not spent.allowed:
        raise ApiError(
            HTTPStatus.TOO_MANY_REQUESTS,
            "too_many_requests",
            f"write budget spent; retry in {spent.retry_after_seconds} s",
            headers={"Retry-After": str(spent.retry_after_seconds)},
        )


def current_writer(request: Request) -> Caller:
    """The signed-in user, once one unit of their write budget is spent."""
    caller = current_user(request)
    charge(caller)
    return caller
