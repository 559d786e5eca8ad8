"""Admin: badge definitions (admin group only; starts the backfill).

Thin: Powertools routes the API Gateway event to the routers in `gamification.api`.
"""

from gamification.api.lambda_entry import api_handler

lambda_handler = api_handler("admin")
