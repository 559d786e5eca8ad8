"""Meta: liveness, the OpenAPI document and Swagger UI (public, throttled on their own).

Outside the VPC with no table and no Redis: a flood of these requests can cost only this small
function, never the read path's concurrency or the cache (docs/api.md, "Health and docs").
"""

from gamification.api.lambda_entry import api_handler

lambda_handler = api_handler("meta")
