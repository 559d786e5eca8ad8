"""CORS on the deployed API (preflight on every route, the gateway's own errors, the functions)
and the optional hosted demo page (private S3 behind CloudFront with origin access control)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gamification.api.cors import ORIGINS_ENV
from gamification.resources import ROUTES
from infra.config import StackConfig
from infra.constructs.browser_access import BrowserAccess
from tests.infra.conftest import Synthesis

API_FUNCTIONS = sorted({r.function for r in ROUTES})


def _rest_resource_paths(synth: Synthesis) -> dict[str, str]:
    """Logical id of every API Gateway resource -> its full path."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods(synth: Synthesis) -> list[tuple[str, str, dict[str, Any]]]:
    paths = _rest_resource_paths(synth)
    found = []
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        found.append((props["HttpMethod"], path, props))
    return found


def test_every_route_answers_a_preflight_without_a_function(alternative_synth: Synthesis) -> None:
    methods = _methods(alternative_synth)
    preflights = {path: props for verb, path, props in methods if verb == "OPTIONS"}

    for route in ROUTES:
        assert route.path in preflights, f"no OPTIONS on {route.path}"
        props = preflights[route.path]
        assert props["AuthorizationType"] == "NONE"
        assert props["Integration"]["Type"] == "MOCK"
        response = props["Integration"]["IntegrationResponses"][0]
        assert response["StatusCode"] == "204"
        allowed = response["ResponseParameters"][
            "method.response.header.Access-Control-Allow-Headers"
        ]
        assert "If-None-Match" in allowed


def test_without_origins_there_is_no_cors_anywhere(default_synth: Synthesis) -> None:
    assert not [m for m in _methods(default_synth) if m[0] == "OPTIONS"]
    for response in default_synth.of_type("AWS::ApiGateway::GatewayResponse").values():
        assert "ResponseParameters" not in response["Properties"]
    for name in API_FUNCTIONS:
        env = default_synth.resource(default_synth.stack.functions[name].function)
        assert ORIGINS_ENV not in env["Properties"]["Environment"]["Variables"]


def test_gateway_errors_carry_the_origin_header(alternative_synth: Synthesis) -> None:
    responses = alternative_synth.of_type("AWS::ApiGateway::GatewayResponse").values()
    types = set()
    for response in responses:
        props = response["Properties"]
        types.add(props["ResponseType"])
        headers = props["ResponseParameters"]
        # Several origins: the gateway echoes the request's Origin on its own errors.
        assert (
            headers["gatewayresponse.header.Access-Control-Allow-Origin"]
            == "method.request.header.origin"
        )
        assert "ETag" in headers["gatewayresponse.header.Access-Control-Expose-Headers"]
    assert types == {"DEFAULT_4XX", "DEFAULT_5XX"}


def test_the_api_functions_know_the_origins_and_the_hosted_page(
    alternative_synth: Synthesis,
) -> None:
    for name in API_FUNCTIONS:
        fn = alternative_synth.resource(alternative_synth.stack.functions[name].function)
        value = json.dumps(fn["Properties"]["Environment"]["Variables"][ORIGINS_ENV])
        assert "https://app.example.com,https://admin.example.com" in value
        assert '"DomainName"' in value, "the hosted demo's origin is allowed"
    consumer = alternative_synth.resource(alternative_synth.stack.functions["consumer"].function)
    assert ORIGINS_ENV not in consumer["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        (("*",), "'*'"),
        (("https://app.example.com",), "'https://app.example.com'"),
        (("https://a.example", "https://b.example"), "method.request.header.origin"),
    ],
)
def test_the_gateway_error_origin_is_fixed_when_it_can_be(
    origins: tuple[str, ...], expected: str
) -> None:
    headers = BrowserAccess(origins).gateway_response_headers()

    assert headers is not None
    assert headers["Access-Control-Allow-Origin"] == expected


@pytest.mark.parametrize("bad", ["app.example.com", "https://app.example.com/path", "ftp://x"])
def test_a_malformed_origin_fails_synthesis(bad: str) -> None:
    with pytest.raises(ValueError, match="cors_origins"):
        StackConfig(cors_origins=bad)


# -- the hosted demo page ----------------------------------------------------------------------


def test_the_demo_is_off_by_default(default_synth: Synthesis) -> None:
    assert default_synth.of_type("AWS::CloudFront::Distribution") == {}
    assert default_synth.stack.web is None
    lake = default_synth.logical_id(default_synth.stack.history_lake.bucket)
    assert set(default_synth.of_type("AWS::S3::Bucket")) == {lake}  # the only bucket


def test_the_demo_bucket_is_private_and_read_by_cloudfront_only(
    alternative_synth: Synthesis,
) -> None:
    web = alternative_synth.stack.web
    assert web is not None
    bucket = alternative_synth.resource(web.bucket)["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in bucket
    (oac,) = alternative_synth.of_type("AWS::CloudFront::OriginAccessControl").values()
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    distribution = alternative_synth.resource(web.distribution)["Properties"]
    config = distribution["DistributionConfig"]
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    policies = alternative_synth.of_type("AWS::S3::BucketPolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    reads = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert reads, "CloudFront reads the bucket through OAC"
    assert all("AWS:SourceArn" in json.dumps(s["Condition"]) for s in reads)


def test_the_demo_ships_its_files_a_config_and_security_headers(
    alternative_synth: Synthesis,
) -> None:
    deployments = alternative_synth.of_type("Custom::CDKBucketDeployment")
    assert len(deployments) == 1
    (policy,) = alternative_synth.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = json.dumps(policy["Properties"]["ResponseHeadersPolicyConfig"])
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    outputs = alternative_synth.template["Outputs"]
    assert "WebUrl" in outputs
