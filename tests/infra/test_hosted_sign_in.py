"""The hosted demo's sign-in (Cognito hosted UI, code + PKCE): a prefix domain and a demo client
that can do nothing but the authorization code flow back to the page's own origin.

The safety synth hosts the demo on the stack's own pool; the alternative synth hosts it on a
pool of one's own (no domain or client of ours there); the default synth hosts nothing.
cdk-nag and cfn-lint over the safety synth are in test_compliance.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from infra.config import StackConfig
from infra.constructs.hosted_sign_in import HostedSignIn
from tests.infra.conftest import Synthesis

APP_CLIENT = "ApiUserPoolAppClient00A0842E"
POOL = "ApiUserPool5AB2526B"


def _hosted(synth: Synthesis) -> HostedSignIn:
    hosted = synth.stack.identity.hosted_sign_in
    assert hosted is not None
    return hosted


def _page_origin(synth: Synthesis) -> dict[str, Any]:
    web = synth.stack.web
    assert web is not None
    distribution = synth.logical_id(web.distribution)
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}, "/"]]}


def test_the_demo_client_allows_only_the_code_flow_back_to_the_page(
    safety_synth: Synthesis,
) -> None:
    client = safety_synth.resource(_hosted(safety_synth).client)["Properties"]

    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"], "no implicit grant, no client credentials"
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert client["CallbackURLs"] == [_page_origin(safety_synth)]
    assert client["LogoutURLs"] == [_page_origin(safety_synth)]
    assert client["GenerateSecret"] is False, "a browser cannot keep a secret: PKCE instead"
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"], "no password flows"
    assert client["UserPoolId"] == {"Ref": POOL}
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_players_app_client_keeps_oauth_off(safety_synth: Synthesis) -> None:
    clients = safety_synth.of_type("AWS::Cognito::UserPoolClient")
    app = clients[APP_CLIENT]["Properties"]

    assert len(clients) == 2
    assert app["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in app
    assert "AllowedOAuthFlows" not in app


def test_the_domain_is_a_prefix_domain_unique_per_stack(safety_synth: Synthesis) -> None:
    (domain,) = safety_synth.of_type("AWS::Cognito::UserPoolDomain").values()
    props = domain["Properties"]

    assert props["UserPoolId"] == {"Ref": POOL}
    assert "CustomDomainConfig" not in props
    # gamify-<stage>-<first 8 hex digits of the stack's UUID>: no account id in a public URL.
    stack_uuid = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    suffix = {"Fn::Select": [0, {"Fn::Split": ["-", stack_uuid]}]}
    assert props["Domain"] == {"Fn::Join": ["-", ["gamify-dev", suffix]]}


def test_the_page_config_names_the_domain_the_client_and_the_redirect(
    safety_synth: Synthesis,
) -> None:
    web = safety_synth.stack.web
    assert web is not None
    config = safety_synth.stack.resolve(web.page_config)
    hosted = _hosted(safety_synth)
    domain_ref = {"Ref": safety_synth.logical_id(hosted.domain)}

    assert config["devSignIn"] is False
    assert config["cognito"]["clientId"] == {"Ref": safety_synth.logical_id(hosted.client)}
    assert config["cognito"]["redirectUri"] == _page_origin(safety_synth)
    assert domain_ref in config["cognito"]["domain"]["Fn::Join"][1]
    assert ".amazoncognito.com" in json.dumps(config["cognito"]["domain"])


def test_the_csp_lets_the_page_reach_the_token_endpoint_only(safety_synth: Synthesis) -> None:
    (policy,) = safety_synth.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
    ]["ContentSecurityPolicy"]
    parts = csp["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "<token>" for p in parts)
    connect = next(d for d in text.split(";") if d.strip().startswith("connect-src")).split()

    assert {"Ref": safety_synth.logical_id(_hosted(safety_synth).domain)} in parts
    assert connect[1:] == [
        "'self'",
        "https://*.execute-api.<token>.amazonaws.com",
        "https://<token>.auth.<token>.amazoncognito.com/oauth2/token",
    ]
    assert "form-action 'self'" in text


def test_a_pool_of_ones_own_gets_no_domain_and_the_page_a_pasted_token(
    alternative_synth: Synthesis,
) -> None:
    web = alternative_synth.stack.web
    assert web is not None
    config = alternative_synth.stack.resolve(web.page_config)

    assert alternative_synth.stack.identity.hosted_sign_in is None
    assert alternative_synth.of_type("AWS::Cognito::UserPoolDomain") == {}
    assert alternative_synth.of_type("AWS::Cognito::UserPoolClient") == {}
    assert "domain" not in config["cognito"]


def test_no_hosted_demo_no_domain(default_synth: Synthesis) -> None:
    assert default_synth.stack.identity.hosted_sign_in is None
    assert default_synth.of_type("AWS::Cognito::UserPoolDomain") == {}


def test_a_prefix_given_is_used_as_it_is() -> None:
    stack = Stack(App(), "Probe")
    pool = cognito.UserPool(stack, "Pool")
    config = StackConfig(web_hosting=True, sign_in_domain_prefix="acme-games-demo")
    HostedSignIn(stack, "SignIn", config=config, pool=pool, page_origin="https://d1.example")

    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Cognito::UserPoolDomain", {"Domain": "acme-games-demo"})
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient", {"CallbackURLs": ["https://d1.example/"]}
    )


@pytest.mark.parametrize(
    "prefix",
    ["my-aws-demo", "amazon-games", "cognito", "-games", "games-", "Games", "a" * 64, "g_1"],
)
def test_a_prefix_cognito_would_refuse_fails_synthesis(prefix: str) -> None:
    with pytest.raises(ValueError, match="sign_in_domain_prefix"):
        StackConfig(web_hosting=True, sign_in_domain_prefix=prefix)
    with pytest.raises(ValueError, match="sign_in_domain_prefix"):
        StackConfig(sign_in_domain_prefix=prefix)  # a typo fails even while unused


def test_a_stage_that_would_make_a_refused_default_asks_for_a_prefix() -> None:
    with pytest.raises(ValueError, match="gamify-aws-dev"):
        StackConfig(stage="aws-dev", web_hosting=True)

    assert StackConfig(stage="aws-dev").stage == "aws-dev", "no hosted demo: no domain needed"
    assert StackConfig(stage="aws-dev", web_hosting=True, sign_in_domain_prefix="demo-1")
    assert StackConfig(stage="aws-dev", web_hosting=True, user_pool_id="eu-west-1_AbCdEfGhI")
