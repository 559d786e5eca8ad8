"""cdk-nag finds nothing unacknowledged, and cfn-lint finds nothing wrong, in both configurations.

The app is synthesized exactly as ``cdk synth`` does it, with the AwsSolutions pack: synthesis
itself fails on an unacknowledged finding (the fixtures would error). The tests also read the
validation report, so a finding downgraded to a warning would still be caught.
"""

from __future__ import annotations

import pytest
from aws_cdk import Validations
from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped]

from tests.infra.conftest import Synthesis, nested_templates, validation_report

SYNTHS = ["nagged_default_synth", "nagged_alternative_synth", "nagged_safety_synth"]
LINT_REGIONS = ["us-east-1", "eu-west-1"]
IGNORED_LINT_CHECKS = [
    # CDK states a function's dependency on its role's policy with DependsOn (so the policy
    # exists before the function is invoked) even where a GetAtt already orders the two.
    "W3005",
    # Availability zones are hardcoded only where the operator names them
    # (-c availability_zones, the alternative synth); by default the VPC takes Fn::GetAZs.
    "W3010",
]


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_cdk_nag_aws_solutions_has_no_unacknowledged_findings(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    findings = [
        (violation["ruleName"], construct["constructPath"])
        for plugin in validation_report(synth)["pluginReports"]
        for violation in plugin.get("violations", [])
        for construct in violation["violatingConstructs"]
        if not violation["ruleName"].startswith("Annotation::gamify:layer-not-built")
    ]
    assert findings == []


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_every_acknowledgement_names_one_finding_and_carries_a_reason(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesis = request.getfixturevalue(synth_name)
    acknowledged = {
        rule: reason
        for construct in synth.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    }
    ours = {rule: reason for rule, reason in acknowledged.items() if "AwsSolutions" in rule}
    assert "AwsSolutions::AwsSolutions-IAM5[Resource::*]" in ours
    for rule, reason in ours.items():
        assert rule.startswith("AwsSolutions::AwsSolutions-"), rule
        assert len(reason) >= 30, rule


@pytest.mark.parametrize("synth_name", SYNTHS)
def test_cfn_lint_passes(synth_name: str, request: pytest.FixtureRequest) -> None:
    """Each template as CloudFormation receives it: the stack's and each nested stack's (not the
    flattened view the other tests read, which may pass the 500 resources one stack holds)."""
    synth: Synthesis = request.getfixturevalue(synth_name)
    files = [
        synth.outdir / synth.stack.template_file,
        *nested_templates(synth.stack, synth.outdir).values(),
    ]
    assert len(files) >= 2
    found = {
        path.name: [
            str(match)
            for match in lint(
                path.read_text(),
                config=ManualArgs(regions=LINT_REGIONS, ignore_checks=IGNORED_LINT_CHECKS),
            )
        ]
        for path in files
    }
    assert {name: matches for name, matches in found.items() if matches} == {}
