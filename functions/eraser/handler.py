"""Erasure walk (see gamification.services.erasure): ``{"user_id": "..."}``.

Started asynchronously by the account API on ``DELETE /v1/me`` or the admin route. When the run
gets close to its timeout it stops at a checkpoint and starts a fresh invocation to continue (the
resumable-job runner, ``gamification.job_entry``). The user's id stays out of the log.
"""

from pydantic import Field

from gamification.composition import eraser, erasure_launcher
from gamification.job_entry import JobRequest, job_handler


class Request(JobRequest):
    user_id: str = Field(min_length=1, max_length=128)


lambda_handler = job_handler(
    "erasure",
    Request,
    eraser,
    erasure_launcher,
    # One page (1,000 deletes, 40 batch requests) takes ≈ 1 s.
    margin_ms=60_000,
    metric=("ErasedItems", "deleted_this_run"),
    unlogged=("user_id",),
)
