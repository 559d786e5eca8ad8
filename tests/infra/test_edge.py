"""Edge protection on the template: WAF by context and stage, the public routes on a function
with no data access and a throttle of their own, MFA and SES on the user pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gamification.resources import ROUTES
from infra.config import StackConfig
from infra.constructs.edge import BODY_SIZE_RULE, MANAGED_RULE_GROUPS, WAF_COST
from tests.infra.conftest import Synthesis

REPO = Path(__file__).resolve().parents[2]
PUBLIC = {
    ("GET", "/v1/health"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/docs"),
    ("GET", "/v1/events/schema"),
    # The credential issuer's keys and profile (docs/credentials.md).
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/v1/issuer"),
}


# --- WAF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "waf", "enabled"),
    [
        ("dev", "", False),
        ("prod", "", True),  # on by default where it matters
        ("prod", "false", False),
        ("staging", "true", True),
        ("dev", "TRUE", True),
    ],
)
def test_waf_is_on_for_prod_unless_said_otherwise(stage: str, waf: str, enabled: bool) -> None:
    assert StackConfig(stage=stage, waf=waf).waf_enabled is enabled


def test_a_waf_setting_that_is_not_a_boolean_fails_synth() -> None:
    with pytest.raises(ValueError, match="waf must be true, false or empty"):
        StackConfig(waf="maybe")


def test_no_web_acl_without_waf(default_synth: Synthesis) -> None:
    assert default_synth.of_type("AWS::WAFv2::WebACL") == {}
    assert default_synth.of_type("AWS::WAFv2::WebACLAssociation") == {}


@pytest.mark.parametrize("synth_name", ["alternative_synth", "safety_synth"])
def test_the_stage_is_behind_a_web_acl_with_managed_rules_and_a_rate_per_ip(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    """The alternative synth is the stage ``prod`` with no ``waf`` key; the safety synth asks for
    it by name on ``dev``."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    ((acl_id, acl),) = synth.of_type("AWS::WAFv2::WebACL").items()
    (association,) = synth.of_type("AWS::WAFv2::WebACLAssociation").values()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    stage = synth.logical_id(synth.stack.api.rest_api.deployment_stage)
    assert stage in str(association["Properties"]["ResourceArn"])

    rules = {rule["Name"]: rule for rule in props["Rules"]}
    rate = rules.pop("RatePerIp")
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"] == {
        "Limit": 2000,
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": 300,
    }
    assert set(rules) == set(MANAGED_RULE_GROUPS)
    for name, rule in rules.items():
        group = rule["Statement"]["ManagedRuleGroupStatement"]
        assert (group["VendorName"], group["Name"]) == ("AWS", name)
        assert rule["OverrideAction"] == {"None": {}}  # the group's own block actions
    # Only the 8 KB body rule counts instead of blocking: the API takes bodies up to 32 KB.
    overrides = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert overrides["RuleActionOverrides"] == [
        {"Name": BODY_SIZE_RULE, "ActionToUse": {"Count": {}}}
    ]
    # The per-IP limit is evaluated first, every rule is visible in CloudWatch.
    assert min(props["Rules"], key=lambda rule: rule["Priority"])["Name"] == "RatePerIp"
    for rule in props["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


def test_the_waf_cost_is_the_one_docs_state() -> None:
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert WAF_COST.rules == len(MANAGED_RULE_GROUPS) + 1
    assert f"${WAF_COST.monthly:.2f} a month" in text
    assert f"${WAF_COST.per_million_requests:.2f} per million requests" in text


# --- the public routes ----------------------------------------------------------------------


def _methods(synth: Synthesis) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        key: synth.resource(method)["Properties"] for key, method in synth.stack.api.methods.items()
    }


def test_public_routes_invoke_the_meta_function_only(default_synth: Synthesis) -> None:
    public = {(r.method, r.path) for r in ROUTES if r.auth == "none"}
    assert public == PUBLIC
    for key, method in _methods(default_synth).items():
        uri = default_synth.name_of(method["Integration"]["Uri"])
        assert uri.endswith("/functions/meta-live/invocations") == (key in PUBLIC), key


def test_the_meta_function_has_no_vpc_no_table_and_no_cache(default_synth: Synthesis) -> None:
    meta = default_synth.stack.functions["meta"]
    props = default_synth.resource(meta.function)["Properties"]
    assert "VpcConfig" not in props
    variables = props["Environment"]["Variables"]
    assert not {"TABLE_NAME", "REDIS_URL"} & set(variables)


def test_public_routes_have_their_own_throttle_far_below_the_stage(
    default_synth: Synthesis,
) -> None:
    (stage,) = default_synth.of_type("AWS::ApiGateway::Stage").values()
    settings = {
        (s["HttpMethod"], s["ResourcePath"]): s for s in stage["Properties"]["MethodSettings"]
    }
    default = settings.pop(("*", "/*"))
    expected = {(method, "/" + path.replace("/", "~1")) for method, path in PUBLIC}
    assert set(settings) == expected
    for setting in settings.values():
        assert setting["ThrottlingRateLimit"] == 5
        assert setting["ThrottlingBurstLimit"] == 10
        assert setting["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
        # A method's settings replace the stage's: still logged and measured.
        assert setting["LoggingLevel"] == "ERROR"
        assert setting["MetricsEnabled"] is True


# --- sign-in --------------------------------------------------------------------------------


def _pool(synth: Synthesis) -> dict[str, Any]:
    (pool,) = synth.of_type("AWS::Cognito::UserPool").values()
    return dict(pool["Properties"])


def test_admins_need_mfa_through_the_token_trigger(default_synth: Synthesis) -> None:
    pool = _pool(default_synth)
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    guard = default_synth.stack.functions["tokens"]
    assert pool["LambdaConfig"] == {"PreTokenGeneration": default_synth.alias_ref(guard)}
    (permission,) = (
        p["Properties"]
        for p in default_synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    )
    assert permission["FunctionName"] == default_synth.alias_ref(guard)


def test_mfa_for_all_is_the_pools_own_setting(safety_synth: Synthesis) -> None:
    pool = _pool(safety_synth)
    assert pool["MfaConfiguration"] == "ON"
    assert "LambdaConfig" not in pool
    assert "tokens" not in safety_synth.stack.functions


def test_cognito_sends_e_mail_through_ses_when_asked(
    default_synth: Synthesis, safety_synth: Synthesis
) -> None:
    assert "EmailConfiguration" not in _pool(default_synth)  # Cognito's own sender
    email = _pool(safety_synth)["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == "no-reply@example.com"
    assert "identity/no-reply@example.com" in str(email["SourceArn"])
