"""Schemathesis against the OpenAPI document, over the real handlers in-process: no 5xx, and
every response keeps the document's promises (status codes, media types, schemas, auth).

Runs Schemathesis' default checks. One is tuned: ``positive_data_acceptance`` also accepts 400,
because a schema-valid activity can still break a domain rule the schema cannot state (an event
type missing from the deployment's catalog, or a time outside the back-dating window).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from gamification.api.openapi import openapi_document
from gamification.local.provision import Provisioned
from tests.api import wsgi

CONFIG = schemathesis.Config.from_dict(
    {
        "auth": {
            "openapi": {
                "cognito": {"api_key": "Bearer dev:contract:admin"},
                "iam": {"api_key": "Bearer dev-service"},
            }
        },
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = wsgi.app


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_handlers_keep_the_documents_promises(
    case: schemathesis.Case[Any], shared_stack: Provisioned
) -> None:
    case.call_and_validate()
