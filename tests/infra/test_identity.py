"""The user pool lives in its own construct and keeps the logical ids it was first deployed with.

CloudFormation replaces a resource whose logical id changes; replacing the user pool would
delete every player's account. The ids are written out here, not imported, so that moving or
renaming a construct cannot change them without this test failing.
"""

from __future__ import annotations

from aws_cdk import CfnElement

from tests.infra.conftest import Synthesis

POOL = "ApiUserPool5AB2526B"


def test_the_user_pool_keeps_its_logical_ids(default_synth: Synthesis) -> None:
    assert set(default_synth.of_type("AWS::Cognito::UserPool")) == {POOL}
    assert set(default_synth.of_type("AWS::Cognito::UserPoolClient")) == {
        "ApiUserPoolAppClient00A0842E"
    }
    assert set(default_synth.of_type("AWS::Cognito::UserPoolGroup")) == {
        "ApiUserPoolAdminGroup97D34262"
    }
    pool = default_synth.stack.identity.user_pool.node.default_child
    assert isinstance(pool, CfnElement)
    assert default_synth.stack.resolve(pool.logical_id) == POOL


def test_the_api_authorizer_trusts_that_pool(default_synth: Synthesis) -> None:
    (authorizer,) = default_synth.of_type("AWS::ApiGateway::Authorizer").values()

    assert authorizer["Properties"]["ProviderARNs"] == [{"Fn::GetAtt": [POOL, "Arn"]}]
    assert default_synth.template["Outputs"]["UserPoolId"]["Value"] == {"Ref": POOL}


def test_a_pool_of_ones_own_is_trusted_and_nothing_is_created(
    alternative_synth: Synthesis,
) -> None:
    (authorizer,) = alternative_synth.of_type("AWS::ApiGateway::Authorizer").values()

    assert alternative_synth.of_type("AWS::Cognito::UserPool") == {}
    assert "eu-west-1_AbCdEfGhI" in str(authorizer["Properties"]["ProviderARNs"])
