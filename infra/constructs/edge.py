"""AWS WAF in front of the API stage (``waf``; on by default for the stage named ``prod``).

A regional web ACL that allows by default and blocks what the AWS managed rule groups name: the
common rule set (OWASP-style probes), known bad inputs (Log4Shell-style payloads), Amazon's IP
reputation list; plus a rate-based rule that blocks one IP sending more than ``waf_rate_limit``
requests in five minutes. The stage throttle caps the whole API; this keeps one client from using
all of it. What it costs is in ``WAF_COST`` (docs/deploy.md, "Edge protection").
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import StackConfig

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
"""AWS managed rule groups without a subscription fee, in evaluation order (after the rate)."""
BODY_SIZE_RULE = "SizeRestrictions_BODY"
"""The common rule set blocks bodies over 8 KB; the API refuses bodies over 32 KB itself
(``api.gateway_checks.MAX_BODY_BYTES``) and a batch of activities may be larger than 8 KB, so
this one rule only counts."""


@dataclass(frozen=True, slots=True)
class WafCost:
    """AWS WAF's price list (us-east-1, 2026-12): per web ACL, per rule, per million requests."""

    web_acl_month: float = 5.00
    rule_month: float = 1.00
    per_million_requests: float = 0.60
    rules: int = len(MANAGED_RULE_GROUPS) + 1  # + the rate-based rule

    @property
    def monthly(self) -> float:
        """At rest: the web ACL and its rules (the managed groups used here are free)."""
        return self.web_acl_month + self.rules * self.rule_month


WAF_COST = WafCost()


class ApiFirewall(Construct):
    """The web ACL and its association with the REST API's stage."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StackConfig, stage: apigw.Stage
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = config.stack_name
        rules = [self._rate_rule(prefix, config.waf_rate_limit)]
        rules += [
            self._managed_rule(prefix, name, priority)
            for priority, name in enumerate(MANAGED_RULE_GROUPS, start=1)
        ]
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            description=f"{prefix}: managed rule groups and a per-IP rate limit",
            visibility_config=_visibility(f"{prefix}-waf"),
            rules=rules,
        )
        self.association = wafv2.CfnWebACLAssociation(
            self,
            "StageAssociation",
            resource_arn=stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )

    @staticmethod
    def _rate_rule(prefix: str, limit: int) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limit, aggregate_key_type="IP", evaluation_window_sec=300
                )
            ),
            visibility_config=_visibility(f"{prefix}-rate-per-ip"),
        )

    @staticmethod
    def _managed_rule(prefix: str, name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        overrides = (
            [
                wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name=BODY_SIZE_RULE,
                    action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                )
            ]
            if name == "AWSManagedRulesCommonRuleSet"
            else None
        )
        return wafv2.CfnWebACL.RuleProperty(
            name=name,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=name, rule_action_overrides=overrides
                )
            ),
            visibility_config=_visibility(f"{prefix}-{name}"),
        )


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric,
        sampled_requests_enabled=True,
    )
