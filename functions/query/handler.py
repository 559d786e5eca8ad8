"""The read API: profiles, badges, leaderboards, notifications, health and the OpenAPI document.

Thin: Powertools routes the API Gateway event to the routers in `gamification.api`.
"""

from gamification.api.lambda_entry import api_handler

lambda_handler = api_handler("query")
