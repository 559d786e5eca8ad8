"""Activity ingest: checks at the edge, then queues to SQS (POST /v1/activities, /batch, /internal).

Thin: Powertools routes the API Gateway event to the routers in `gamification.api`.
"""

from gamification.api.lambda_entry import api_handler

lambda_handler = api_handler("ingest")
