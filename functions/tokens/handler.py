"""Pre token generation trigger of the user pool: the admin group only for users with MFA.

Thin: the rule is ``gamification.services.admin_mfa``; this shapes Cognito's event (version 1:
the group override applies to the ID token the API's authorizer reads).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.adapters.cognito_mfa import CognitoMfaSettings
from gamification.services.admin_mfa import groups_to_issue

logger = Logger()


@lru_cache(maxsize=1)
def _settings() -> CognitoMfaSettings:
    return CognitoMfaSettings(boto3.client("cognito-idp"))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    configuration = event["request"].get("groupConfiguration") or {}
    groups = list(configuration.get("groupsToOverride") or [])
    issued = groups_to_issue(
        groups,
        user_pool_id=event["userPoolId"],
        username=event["userName"],
        settings=_settings(),
    )
    if issued is not None:
        logger.warning("admin group withheld: no MFA factor activated", extra={"groups": issued})
        event["response"]["claimsOverrideDetails"] = {
            "groupOverrideDetails": {
                "groupsToOverride": issued,
                "iamRolesToOverride": configuration.get("iamRolesToOverride") or [],
                **(
                    {"preferredRole": configuration["preferredRole"]}
                    if configuration.get("preferredRole")
                    else {}
                ),
            }
        }
    return event
