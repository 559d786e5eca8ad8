"""Badge backfill (see gamification.services.backfill): ``{"badge_id": "..."}``.

Started asynchronously by the admin API when a definition is added or changed. When the run gets
close to its timeout it stops at a checkpoint and starts a fresh invocation to continue (the
resumable-job runner; the function's spec: ``gamification.job_entry.JOBS``).
"""

from gamification.job_entry import job_handler

lambda_handler = job_handler("backfill")
