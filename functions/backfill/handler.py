"""Badge backfill (see gamification.services.backfill): ``{"badge_id": "..."}``.

Started asynchronously by the admin API when a definition is added or changed. When the run gets
close to its timeout it stops at a checkpoint and starts a fresh invocation to continue (the
resumable-job runner, ``gamification.job_entry``).
"""

from pydantic import Field

from gamification.composition import backfill_launcher, badge_backfill
from gamification.job_entry import JobRequest, job_handler


class Request(JobRequest):
    badge_id: str = Field(min_length=1, max_length=64)


lambda_handler = job_handler(
    "badge backfill",
    Request,
    badge_backfill,
    backfill_launcher,
    # One page (≤ 100 users) commits well within a minute.
    margin_ms=60_000,
    metric=("BackfillAwarded", "awarded_this_run"),
)
