"""Erasure walk (see gamification.services.erasure): ``{"user_id": "..."}``.

Started asynchronously by the account API on ``DELETE /v1/me`` or the admin route. When the run
gets close to its timeout it stops at a checkpoint and starts a fresh invocation to continue (the
resumable-job runner; the function's spec: ``gamification.job_entry.JOBS``).
"""

from gamification.job_entry import job_handler

lambda_handler = job_handler("eraser")
