"""No stack comes near CloudFormation's 500 resources, in the largest configuration (WAF, canary
deploys, backups, the hosted demo): a stack over it cannot deploy at all, and every new route
adds three or four resources (docs/deploy.md, "Stack size")."""

from __future__ import annotations

import json

from tests.infra.conftest import Synthesis, nested_templates

LIMIT = 500
HEADROOM = 50


def test_every_stack_keeps_headroom_under_the_resource_limit(safety_synth: Synthesis) -> None:
    stack = safety_synth.stack
    parent = json.loads((safety_synth.outdir / stack.template_file).read_text())
    counts = {stack.stack_name: len(parent["Resources"])}
    for logical_id, path in nested_templates(stack, safety_synth.outdir).items():
        counts[logical_id] = len(json.loads(path.read_text())["Resources"])
    assert len(counts) >= 2, "the routes are in a nested stack"
    crowded = {name: n for name, n in counts.items() if n > LIMIT - HEADROOM}
    assert not crowded, f"within {HEADROOM} of {LIMIT} resources: {crowded}"


def test_the_routes_are_in_the_nested_stack(safety_synth: Synthesis) -> None:
    parent = json.loads((safety_synth.outdir / safety_synth.stack.template_file).read_text())
    kinds = {r["Type"] for r in parent["Resources"].values()}
    assert "AWS::CloudFormation::Stack" in kinds
    methods = [r for r in parent["Resources"].values() if r["Type"] == "AWS::ApiGateway::Method"]
    assert len(methods) == 1  # the root's 404, answered by the gateway
