"""The admin group is issued only to accounts with MFA: the token trigger, against moto's
Cognito (a real user pool API: accounts, TOTP activation, ``AdminGetUser``).

Cognito's MFA setting is pool-wide; players keep it optional, and this trigger is what makes it
required for administrators (docs/deploy.md, "Sign-in: MFA and e-mail").
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from gamification.adapters.cognito_mfa import CognitoMfaSettings
from gamification.api.auth import ADMIN_GROUP

PASSWORD = "Correct-Horse-9-Battery!"


class Pool:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.id = client.create_user_pool(PoolName="players", MfaConfiguration="OPTIONAL")[
            "UserPool"
        ]["Id"]
        self.app = client.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        client.create_group(GroupName=ADMIN_GROUP, UserPoolId=self.id)

    def user(self, name: str, *, admin: bool = False, totp: bool = False) -> str:
        self.client.admin_create_user(UserPoolId=self.id, Username=name)
        self.client.admin_set_user_password(
            UserPoolId=self.id, Username=name, Password=PASSWORD, Permanent=True
        )
        if admin:
            self.client.admin_add_user_to_group(
                UserPoolId=self.id, Username=name, GroupName=ADMIN_GROUP
            )
        if totp:
            self._activate_totp(name)
        return name

    def _activate_totp(self, name: str) -> None:
        """What an admin does once: associate an authenticator app, verify a code, prefer it."""
        tokens = self.client.admin_initiate_auth(
            UserPoolId=self.id,
            ClientId=self.app,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        access = tokens["AccessToken"]
        self.client.associate_software_token(AccessToken=access)
        self.client.verify_software_token(AccessToken=access, UserCode="123456")
        self.client.set_user_mfa_preference(
            AccessToken=access,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )


@pytest.fixture
def pool() -> Iterator[Pool]:
    with mock_aws():
        yield Pool(boto3.client("cognito-idp", region_name="us-east-1"))


def _event(pool: Pool, username: str, groups: list[str]) -> dict[str, Any]:
    """A pre token generation event (version 1), as Cognito sends it at sign-in."""
    return {
        "version": "1",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": pool.app},
        "request": {
            "userAttributes": {"sub": f"sub-{username}"},
            "groupConfiguration": {
                "groupsToOverride": groups,
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        },
        "response": {"claimsOverrideDetails": None},
    }


class _Context:
    function_name = "tokens"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:tokens:live"
    aws_request_id = "request-1"


def _trigger(event: dict[str, Any]) -> dict[str, Any]:
    from functions.tokens import handler

    handler._settings.cache_clear()
    context = cast(LambdaContext, _Context())
    result: dict[str, Any] = handler.lambda_handler(copy.deepcopy(event), context)
    return result


def test_an_admin_with_totp_keeps_the_admin_group(pool: Pool) -> None:
    name = pool.user("ada", admin=True, totp=True)

    result = _trigger(_event(pool, name, [ADMIN_GROUP, "editors"]))

    assert result["response"]["claimsOverrideDetails"] is None  # the token as Cognito made it


def test_an_admin_without_mfa_signs_in_as_a_player(pool: Pool) -> None:
    name = pool.user("bob", admin=True)

    result = _trigger(_event(pool, name, ["editors", ADMIN_GROUP]))

    groups = result["response"]["claimsOverrideDetails"]["groupOverrideDetails"]
    assert groups == {"groupsToOverride": ["editors"], "iamRolesToOverride": []}


def test_a_player_is_never_looked_up(pool: Pool) -> None:
    """No ``AdminGetUser`` for the accounts the rule is not about: a player's sign-in costs one
    short invocation and nothing else (here: a user the pool does not even know)."""
    result = _trigger(_event(pool, "not-in-the-pool", ["editors"]))

    assert result["response"]["claimsOverrideDetails"] is None


def test_an_account_that_cannot_be_looked_up_gets_no_admin_rights(pool: Pool) -> None:
    """Fails closed: an admin claim for an account whose MFA settings cannot be read."""
    result = _trigger(_event(pool, "deleted-meanwhile", [ADMIN_GROUP]))

    groups = result["response"]["claimsOverrideDetails"]["groupOverrideDetails"]
    assert groups["groupsToOverride"] == []


def test_the_adapter_reads_the_activated_factors(pool: Pool) -> None:
    settings = CognitoMfaSettings(pool.client)

    assert settings.has_mfa(pool.id, pool.user("with", totp=True)) is True
    assert settings.has_mfa(pool.id, pool.user("without")) is False
